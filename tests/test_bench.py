import re
from pathlib import Path

import numpy as np
import pytest

from qa.bench import SyntheticVectors, markdown, synthetic_corpus
from tests.conftest import SEEDS


def test_the_synthetic_haystack_is_reproducible_and_keeps_the_seeds(tmp_path: Path) -> None:
    synthetic_corpus(SEEDS, tmp_path / "a", passages=120, seed=7)
    synthetic_corpus(SEEDS, tmp_path / "b", passages=120, seed=7)
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {p.name for p in SEEDS.iterdir()} <= set(files_a)
    synthetic = [p for p in (tmp_path / "a").iterdir() if p.name.startswith("syn-")]
    assert len(synthetic) == 20  # 120 passages x 2 new sentences / 12 sentences per article
    for p in synthetic:
        assert p.read_text() == (tmp_path / "b" / p.name).read_text()
        assert "\ndate 20" in p.read_text()


def test_no_synthetic_article_holds_a_question_s_evidence(tmp_path: Path) -> None:
    """A copy of the evidence under another doc id is a second answer, not a distractor: the
    haystack holds near-misses only (the seeds' other sentences, figures changed)."""
    from qa.bench import evidence_texts
    from qa.corpus import load_corpus
    from qa.eval.questions import bundled_questions, load_questions

    synthetic_corpus(SEEDS, tmp_path / "c", passages=600, seed=3)
    seeds = {a.doc_id: a for a in load_corpus(SEEDS)}
    evidence = [e.text for q in load_questions(bundled_questions(), seeds) for e in q.evidence]
    assert len(evidence) > 80 and len(evidence_texts(list(seeds.values()), bundled_questions())) > 80
    synthetic = [p.read_text() for p in (tmp_path / "c").glob("syn-*.txt")]
    masked = [re.sub(r"\b\d[\d,]*\b", "#", text) for text in synthetic]
    for text in evidence:
        masked_evidence = re.sub(r"\b\d[\d,]*\b", "#", text)
        assert not any(masked_evidence in m for m in masked), text
    # but the seeds' other sentences are there: distractors on the same topics
    assert sum("ISIS" in text for text in synthetic) > len(synthetic) / 4


def test_the_markdown_summary_names_every_figure() -> None:
    build = {
        "passages": 10, "build_seconds": 1.0, "passages_per_second": 10.0, "embedding_vs_raw": 0.9,
        "build_texts_per_second": 90.0, "raw_encode_texts_per_second": 100.0, "embedding_share_of_build": 0.8,
    }  # fmt: skip
    queries = {"retrieve_ms": {"p50": 1, "p95": 2, "p99": 3}, "ask_ms": {"p50": 4, "p95": 5, "p99": 6},
               "hit@5": 0.9, "peak_rss_mb": 100}  # fmt: skip
    approximate = {
        kind: {"recall@10": r, "exact_ms_per_query": 2.0, "ann_ms_per_query": 0.2, "build_seconds": 1.5}
        for kind, r in (("ivf", 0.97), ("hnsw", 0.93))
    }
    report = {
        "corpora": [
            {"name": "seed", "build": build, "queries": queries},
            {"name": "synthetic 5,000", "build": build, "queries": queries, "approximate": approximate},
        ],
        "cold_start": {"qa_ask_wall_seconds": 5.0, "breakdown_seconds": {"imports": 1.0}, "runs": 3,
                       "query_encoder": "numpy", "heavy_imports": []},
        "baseline": {"tutorial_retrieve_p50_ms": 1, "tutorial_hit@4": 0.8, "ours_retrieve_p50_ms": 2,
                     "ours_hit@5": 0.9, "latency_ratio": 2.0},
        "concurrency": {"clients": 16, "requests": 320, "errors": 0, "answers_differing_from_sequential": 0,
                        "latency_ms": {"p50": 1, "p95": 2, "p99": 3}, "requests_per_second": 100.0},
    }  # fmt: skip
    text = markdown(report)
    assert "| seed | 10 |" in text and "0.9 (90.0 vs 100.0 texts/s)" in text
    assert "Cold `qa ask`" in text and "16 concurrent clients" in text and "0 errors" in text
    assert "median of 3 runs): **5.0 s** (imports 1.0 s); queries encoded by numpy, imported neither" in text
    assert "Synthetic vectors" not in text
    assert "IVF (what a large corpus gets) against exact search on synthetic 5,000's real vectors: " in text
    assert "recall@10 0.97, 0.2 ms against 2.0 ms per query (built in 1.5 s)" in text
    assert "- HNSW against exact search on synthetic 5,000's real vectors: recall@10 0.93" in text
    filtered = {"admitted_share": 0.09, "retrieve_ms": {"p50": 7, "p95": 8, "p99": 9},
                "results_short_of_5": 0, "results_outside_filter": 0}  # fmt: skip
    report["scale"] = [
        {
            "name": "synthetic 100,000, synthetic vectors", "passages": 119974, "sentences": 216056,
            "articles": 16671, "build_seconds_without_embedding": 300.0, "load_seconds": 9.0,
            "index_ram_mb": 1000.0, "index_disk_mb": 900.0,
            "vector_index": {"passages": "IndexIVFFlat", "sentences": "IndexIVFFlat"},
            "queries": {"retrieve_ms": {"p50": 14, "p95": 45, "p99": 70},
                        "ask_ms": {"p50": 20, "p95": 60, "p99": 80}},
            "filtered": {"one year": filtered},
            "ann": {
                "passages": {"recall@10": 0.99, "exact_ms_per_query": 5.0, "ann_ms_per_query": 0.3},
                "sentences": {"recall@10": 0.98, "recall@40": 0.99, "exact_ms_per_query": 4.0,
                              "ann_ms_per_query": 0.5},
                "top5_same_as_exact": 0.97,
            },
        }
    ]  # fmt: skip
    report["scale"][0]["incremental"] = {
        "raw_encode_texts_per_second": 75.0,
        "full_rebuild": {"seconds_without_embedding": 300.0, "texts": 336030, "seconds_estimated": 4780.4},
        "add one article": {"seconds": 56.1, "seconds_without_embedding": 56.0, "embedded_texts": 8,
                            "share_of_full_rebuild": 0.0117},
    }  # fmt: skip
    text = markdown(report)
    assert "add one article **56.1 s** (8 texts embedded; **1.2%** of a full" in text
    assert "full rebuild ≈ 4,780.4 s (336,030 texts ≈ 4,480 s of embedding + 300.0 s without)" in text
    assert "**Synthetic vectors**" in text and "never quality" in text
    assert (
        "| synthetic 100,000, synthetic vectors | 119,974 | 216,056 | IndexIVFFlat / IndexIVFFlat |" in text
    )
    assert "14 / 45 / 70" in text and "one year (9% admitted): 7 / 8" in text
    assert "passages recall@10 **0.99**" in text and "recall@40 **0.99**" in text and "**0.97**" in text


@pytest.mark.slow
def test_synthetic_vectors_reuse_the_seed_vectors_reproducibly(seed_assistant) -> None:
    index = seed_assistant.index
    vectors = SyntheticVectors(seed_assistant.embedder, index)
    with_number = next(
        i for i in range(len(index.sentences)) if re.search(r"\b\d{2,3}\b", index.sentence_text(i))
    )
    sentence = index.sentence_text(with_number)
    changed = re.sub(r"\b\d{2,3}\b", "917", sentence, count=1)
    passage = f"Synthetic wire report 3\n{changed} {index.sentence_text(0)}"
    out = vectors.encode([sentence, changed, passage, "Synthetic wire report 1", "Synthetic wire report 2"])
    assert np.array_equal(out[0], index.sentence_vectors[with_number])  # a seed text keeps its real vector
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert 0.85 < out[1] @ out[0] < 0.999  # other figures: near it, not on it
    mean = index.sentence_vectors[with_number] + index.sentence_vectors[0]
    assert out[2] @ (mean / np.linalg.norm(mean)) > 0.9  # a passage: near the mean of its sentences
    assert out[3] @ out[4] > 0.85  # titles differing in a figure share a direction
    assert np.array_equal(vectors.encode([changed, passage]), out[1:3])  # reproducible


@pytest.mark.slow
def test_one_article_updates_are_timed_against_a_full_rebuild(seed_assistant, tmp_path: Path) -> None:
    from qa.bench import bench_incremental, timed_build
    from qa.settings import Settings

    synthetic_corpus(SEEDS, tmp_path / "c", passages=120)
    settings = Settings(corpus_dir=tmp_path / "c", index_dir=tmp_path / "i")
    vectors = SyntheticVectors(seed_assistant.embedder, seed_assistant.index)
    index, seconds, embedding = timed_build(settings, vectors)
    assert 0 < embedding < seconds
    full = {"seconds_without_embedding": seconds - embedding, "texts": index.manifest["embedded_texts"]}
    out = bench_incremental(settings, vectors, SEEDS, full, raw_rate=50.0)
    assert out["full_rebuild"]["seconds_estimated"] > full["texts"] / 50.0
    for name in ("add one article", "change one article"):
        update = out[name]
        assert 0 < update["embedded_texts"] <= 40  # that article's passages and sentences only
        assert 0 < update["share_of_full_rebuild"] < 1
        full_s = out["full_rebuild"]["seconds_estimated"]
        assert update["share_of_full_rebuild"] == pytest.approx(  # seconds are rounded to 0.1
            update["seconds"] / full_s, abs=0.05 / full_s + 1e-4
        )
    assert len(list((tmp_path / "c").glob("syn-*.txt"))) == 21  # one added, one rewritten


def test_the_raw_encode_sample_is_the_build_s_distinct_texts_in_their_proportion() -> None:
    from types import SimpleNamespace

    from qa.bench import raw_encode_sample
    from qa.records import Passage

    passages = [Passage(f"p{i}", "d", "Title", None, None, f"passage {i % 50}", 0, 1) for i in range(100)]
    sentences = [f"sentence {i % 100}" for i in range(300)]
    index = SimpleNamespace(passages=passages, sentences=sentences, sentence_text=sentences.__getitem__)
    sample = raw_encode_sample(index, 30)
    assert len(sample) == len(set(sample)) == 30  # 50 distinct passages, 100 distinct sentences
    assert sum(text.startswith("Title\npassage") for text in sample) == 10  # a third, as embedded
    assert len(raw_encode_sample(index, 1000)) == 150
