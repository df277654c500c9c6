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
from qa.query_encoder import _SHORT_TOKENS, NumpyBertEncoder, UnsupportedModel
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
    lengths = [len(e.ids) for e in encoder._tokenizer.encode_batch(texts)]
    assert min(lengths) <= _SHORT_TOKENS < max(lengths)  # both ways are exercised
    for text, n, a, b in zip(texts, lengths, alone, together, strict=True):
        if n > _SHORT_TOKENS:  # on threads, longest first: the very same computation
            assert np.array_equal(a, b), text
        else:  # short texts in one padded pass, the padding masked out: equal to float rounding
            assert np.abs(a - b).max() < 1e-6, text
    embedder = SentenceTransformerEmbeddings(MODEL)
    question, part = "Who leads ISIS, and where is he?", "Who leads ISIS"
    first = embedder.query_vector(part)  # cached, then served from the cache among new ones
    vectors = embedder.query_vectors([question, part, question])
    assert vectors[1] is first and np.array_equal(vectors[0], vectors[2])
    assert np.array_equal(vectors[0], encoder.encode(question))
    assert embedder.query_vectors([]) == []


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
            assert np.array_equal(vector, alone[texts.index(text)]), text


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
