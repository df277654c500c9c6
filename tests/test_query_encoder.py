"""The NumPy query encoder gives sentence-transformers' vectors, and anything it cannot reproduce
falls back to sentence-transformers."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.query_encoder import _PASS_TOKENS, NumpyBertEncoder, UnsupportedModel, _jobs
from tests.conftest import ROOT, SEEDS

MODEL = resolve_model("all-MiniLM-L6-v2")


def _texts() -> list[str]:
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "qa" / "eval" / "questions.jsonl").read_text().splitlines()[::8]
    ]
    article = (SEEDS / "002_9c08e67ec236458a.txt").read_text()
    sentences = [s for s in article.split(". ") if s.strip()][:6]
    return [
        *questions,  # 13 of the bundled questions
        *sentences,
        article,  # far over 256 tokens: truncated
        "word " * 400,
        "When was Qasem Soleimani killed?",
        "“Smart quotes”, ‘single ones’ – en dash — em dash … ellipsis",
        "Émigré café, naïve résumé, Ångström, Straße, İstanbul",
        "日本語のテキストと中文，한국어",
        "🙂🚀 emoji only 👍🏽",
        "[MASK] [CLS] [SEP] [PAD] [UNK] literal special tokens",
        "supercalifragilisticexpialidocious" * 4,  # one word over 100 characters: [UNK]
        "UPPER CASE QUESTION ABOUT ISIS?",
        "3,000,000 people; 1.5% in 2024-01-03 at 09:30",
        "zero\u200bwidth and\u00a0no-break\tspace\nnewline",
        "\x00\x07 control characters",
        "",
        " ",
        "\n\t",
        "?",
        "a",
    ]


@pytest.mark.slow
def test_numpy_query_vectors_equal_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    texts = _texts()
    assert len(texts) >= 36
    encoder = NumpyBertEncoder.load(MODEL)
    reference = SentenceTransformer(str(MODEL), device="cpu", local_files_only=True)
    assert reference.max_seq_length == 256
    ours = np.stack([encoder.encode(t) for t in texts])
    # As a query is encoded: one text at a time.
    theirs = np.stack([reference.encode([t], normalize_embeddings=True)[0] for t in texts])
    assert ours.dtype == np.float32 and ours.shape == theirs.shape == (len(texts), 384)
    diff = np.abs(ours - theirs).max(axis=1)
    assert diff.max() <= 1e-5, dict(zip(texts, diff.tolist(), strict=True))
    assert (ours * theirs).sum(axis=1).min() >= 0.99999
    # The two long texts really were truncated, to the same 256 tokens.
    lengths = [len(encoder._tokenizer.encode(t).ids) for t in texts]
    assert lengths.count(256) == 2 and max(lengths) == 256
    # Through the embeddings class too, and its fallback (light_queries=False) is sentence-transformers.
    light = SentenceTransformerEmbeddings(MODEL)
    heavy = SentenceTransformerEmbeddings(MODEL, light_queries=False)
    assert light.query_encoder == "numpy" and heavy.query_encoder == "sentence-transformers"
    for text in texts[:3]:
        assert np.abs(light.query_vector(text) - heavy.query_vector(text)).max() <= 1e-5
    assert light._model is None  # queries never loaded sentence-transformers


def test_several_queries_encoded_side_by_side_equal_each_encoded_alone() -> None:
    texts = _texts()
    encoder = NumpyBertEncoder.load(MODEL)
    alone = [encoder.encode(t) for t in texts]
    together = encoder.encode_many(texts)  # returned in the texts' order
    assert len(together) == len(texts)
    for text, a, b in zip(texts, alone, together, strict=True):  # padding masked out: float rounding
        assert np.abs(a - b).max() < 1e-6, text
    embedder = SentenceTransformerEmbeddings(MODEL)
    question, part = "Who leads ISIS, and where is he?", "Who leads ISIS"
    first = embedder.query_vector(part)  # cached, then served from the cache among new ones
    vectors = embedder.query_vectors([question, part, question])
    assert vectors[1] is first and np.array_equal(vectors[0], vectors[2])
    assert np.array_equal(vectors[0], encoder.encode(question))
    assert embedder.query_vectors([]) == []


def test_texts_are_packed_into_one_pass_per_core_the_costliest_as_cheap_as_can_be() -> None:
    def costliest(jobs: list[list[int]], lengths: list[int]) -> int:
        assert sorted(i for job in jobs for i in job) == list(range(len(lengths)))  # each text once
        return max(_PASS_TOKENS + len(job) * max(lengths[i] for i in job) for job in jobs)

    two_part = [27, 22, 27]  # a question, its first part, its second part (with context)
    jobs = _jobs(two_part, 2)  # the whole and a part on one core, the other part on the other
    assert sorted(map(len, jobs)) == [1, 2] and costliest(jobs, two_part) == _PASS_TOKENS + 54
    assert len(_jobs(two_part, 1)) == 1 and _jobs([30], 4) == [[0]] and _jobs([], 2) == []
    words = [3, 4, 3, 5, 3, 3, 4, 3, 3, 3]  # a count's words: two padded passes, not ten passes
    jobs = _jobs(words, 2)
    assert len(jobs) == 2 and costliest(jobs, words) <= _PASS_TOKENS + 6 * 5
    mixed = [256, *words]  # a long text alone, the short ones together beside it
    assert sorted(map(len, _jobs(mixed, 2))) == [1, 10]
    assert len(_jobs([9, 40, 12, 7, 33], 3)) == 3


def test_encodings_asked_for_from_many_threads_at_once_are_each_right() -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = _texts()[:12]
    encoder = NumpyBertEncoder.load(MODEL)
    alone = [encoder.encode(t) for t in texts]
    jobs = [texts[i : i + 3] for i in range(0, len(texts), 3)] * 3  # batches of three, each thrice
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(encoder.encode_many, jobs))
    for batch, vectors in zip(jobs, results, strict=True):
        for text, vector in zip(batch, vectors, strict=True):
            assert np.abs(vector - alone[texts.index(text)]).max() < 1e-6, text


def test_the_dimension_is_known_without_sentence_transformers() -> None:
    embedder = SentenceTransformerEmbeddings(MODEL)
    assert embedder.dimension == 384
    assert embedder._model is None


def _model_copy(tmp_path: Path) -> Path:
    """A copy of the bundled model folder to change (the weights are linked, not copied)."""
    target = tmp_path / "model"
    shutil.copytree(MODEL, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(MODEL / "model.safetensors")
    return target


def _edit(path: Path, changes: dict[str, object]) -> None:
    data = json.loads(path.read_text())
    if isinstance(data, list):  # modules.json
        data.append(changes)
    else:
        data.update(changes)
    path.write_text(json.dumps(data))


CHANGES = {
    "a Dense module": ("modules.json", {"idx": 3, "name": "3", "path": "3_Dense", "type": "x.Dense"}),
    "CLS pooling": (
        "1_Pooling/config.json",
        {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False},
    ),
    "another activation": ("config.json", {"hidden_act": "relu"}),
    "another architecture": ("config.json", {"model_type": "roberta"}),
    "relative positions": ("config.json", {"position_embedding_type": "relative_key"}),
    "lower-casing by sentence-transformers": ("sentence_bert_config.json", {"do_lower_case": True}),
    "a tokenizer config that disagrees with tokenizer.json": (
        "tokenizer_config.json",
        {"do_lower_case": False},
    ),
    "another tokenizer": ("tokenizer_config.json", {"tokenizer_class": "RobertaTokenizer"}),
    "a default prompt": ("config_sentence_transformers.json", {"prompts": {"query": "query: "}}),
}


def test_the_bundled_model_folder_is_supported(tmp_path: Path) -> None:
    encoder = NumpyBertEncoder.load(_model_copy(tmp_path))
    vector = encoder.encode("When was Qasem Soleimani killed?")
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_model_it_does_not_reproduce_falls_back_to_sentence_transformers(
    change: str, tmp_path: Path
) -> None:
    folder = _model_copy(tmp_path)
    name, edit = CHANGES[change]
    _edit(folder / name, edit)
    with pytest.raises(UnsupportedModel):
        NumpyBertEncoder.load(folder)
    assert SentenceTransformerEmbeddings(folder).query_encoder == "sentence-transformers"


@pytest.mark.parametrize("damage", ["no tokenizer.json", "truncated weights", "half-precision weights"])
def test_a_missing_or_damaged_file_falls_back(damage: str, tmp_path: Path) -> None:
    folder = _model_copy(tmp_path)
    if damage == "no tokenizer.json":
        (folder / "tokenizer.json").unlink()
    else:
        (folder / "model.safetensors").unlink()
        raw = (MODEL / "model.safetensors").read_bytes()
        if damage == "truncated weights":
            raw = raw[: len(raw) // 2]
        else:
            size = int.from_bytes(raw[:8], "little")
            header = raw[8 : 8 + size].replace(b'"F32"', b'"F16"')
            raw = raw[:8] + header + raw[8 + size :]
        (folder / "model.safetensors").write_bytes(raw)
    with pytest.raises(UnsupportedModel):
        NumpyBertEncoder.load(folder)
    assert SentenceTransformerEmbeddings(folder).query_encoder == "sentence-transformers"


@pytest.mark.slow
def test_answering_a_question_imports_neither_sentence_transformers_nor_torch(seed_assistant) -> None:
    code = (
        "import sys\n"
        "from qa.assistant import Assistant\n"
        f"a = Assistant.from_settings(corpus_dir={str(SEEDS)!r}, "
        f"index_dir={str(seed_assistant.settings.index_dir)!r}, rebuild=False)\n"
        "answer = a.ask('When was Qasem Soleimani killed?')\n"
        "assert '2020' in answer.text, answer.text\n"
        "print(a.embedder.query_encoder, sorted(m for m in ('sentence_transformers', 'transformers', "
        "'torch') if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    ).stdout
    assert out.strip().splitlines()[-1] == "numpy []"
