from pathlib import Path

from qa.bench import markdown, synthetic_corpus
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


def test_the_markdown_summary_names_every_figure() -> None:
    build = {
        "passages": 10, "build_seconds": 1.0, "passages_per_second": 10.0, "embedding_vs_raw": 0.9,
        "build_texts_per_second": 90.0, "raw_encode_texts_per_second": 100.0, "embedding_share_of_build": 0.8,
    }  # fmt: skip
    queries = {"retrieve_ms": {"p50": 1, "p95": 2, "p99": 3}, "ask_ms": {"p50": 4, "p95": 5, "p99": 6},
               "hit@5": 0.9, "peak_rss_mb": 100}  # fmt: skip
    report = {
        "corpora": [{"name": "seed", "build": build, "queries": queries}],
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
