"""Benchmarks: index build against raw encode throughput, query latency, cold start, the tutorial
baseline, concurrent HTTP clients, and quality in a large synthetic haystack.

    qa bench                       # seed corpus + 10,000-passage synthetic corpus; bench-report/
    qa bench --sizes 10000,100000  # larger haystacks (100,000 passages: about 35 min here)

Synthetic corpora are generated reproducibly (fixed seed) from the seed articles' sentences,
shuffled into new articles with distinct doc ids, dates and perturbed figures, so the seed
questions keep their true answers (in the seed articles) inside a haystack of near-misses.
"""

from __future__ import annotations

import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from qa.assistant import Assistant
from qa.corpus import load_corpus
from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.eval.metrics import first_relevant_rank
from qa.eval.questions import bundled_questions, load_questions
from qa.index_store import build_index
from qa.passages import split_sentences
from qa.settings import Settings

_NUMBER = re.compile(r"\b\d[\d,]*\b")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float]) -> dict[str, float]:
    q = np.percentile(values, [50, 95, 99])
    return {"p50": round(float(q[0]), 2), "p95": round(float(q[1]), 2), "p99": round(float(q[2]), 2)}


def synthetic_corpus(seeds: Path, target: Path, passages: int, seed: int = 0) -> None:
    """The seed articles plus synthetic ones, about `passages` passages in all (2 new sentences each)."""
    rng = random.Random(seed)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(seeds, target)
    sentences = [
        a.text[s.start : s.end]
        for a in load_corpus(seeds)
        for s in split_sentences(a.text)
        if s.end - s.start > 40
    ]
    per_article = 12
    articles = max(1, passages * 2 // per_article)
    for i in range(articles):
        picked = rng.sample(sentences, per_article)
        body = " ".join(_NUMBER.sub(lambda m: str(rng.randint(2, 999)), s) for s in picked)
        year, month, day = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
        (target / f"syn-{i:06d}.txt").write_text(
            f"Synthetic wire report {i}\n\ndate {year}-{month:02d}-{day:02d}\n\n{body}\n", encoding="utf-8"
        )


def bench_build(settings: Settings) -> tuple[Assistant, dict[str, Any]]:
    """Build the index from scratch, timing each stage; compare embedding with raw encode."""
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    stages: dict[str, list[float]] = {}

    def on_progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    embedder = SentenceTransformerEmbeddings(
        resolve_model(settings.embedding_model), batch_size=settings.embedding_batch_size
    )
    embedder.encode(["load the model outside the timing"])
    started = time.perf_counter()
    assistant = Assistant(settings, embedder, build_index(settings, embedder, on_progress))
    total = time.perf_counter() - started
    counts = assistant.index.manifest["counts"]
    texts = counts["passages"] + counts["sentences"]
    embed_s = np.subtract(*reversed(stages.get("Embedding passages and sentences", [0, 0])))
    # raw SentenceTransformer.encode on the same kind of texts, same model, same run
    sample = [assistant.index.sentence_text(i) for i in range(min(2000, len(assistant.index.sentences)))]
    sample += [p.text for p in assistant.index.passages[: max(0, 3000 - len(sample))]]
    t = time.perf_counter()
    assistant.embedder.model.encode(
        sample, batch_size=settings.embedding_batch_size, normalize_embeddings=True
    )
    raw_rate = len(sample) / (time.perf_counter() - t)
    build_rate = texts / embed_s if embed_s else None
    return assistant, {
        "articles": counts["articles"],
        "passages": counts["passages"],
        "sentences": counts["sentences"],
        "build_seconds": round(total, 2),
        "embed_seconds": round(float(embed_s), 2),
        "passages_per_second": round(counts["passages"] / total, 1),
        "build_texts_per_second": round(build_rate, 1) if build_rate else None,
        "raw_encode_texts_per_second": round(raw_rate, 1),
        "embedding_vs_raw": round(build_rate / raw_rate, 3) if build_rate else None,
        "embedding_share_of_build": round(float(embed_s) / total, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def bench_queries(assistant: Assistant, rounds: int = 2) -> dict[str, Any]:
    questions = load_questions(bundled_questions(), assistant.index.articles)
    assistant.ask(questions[0].question)
    retrieve_ms, ask_ms, ranks = [], [], []
    cache = assistant.embedder._query_cache  # new questions: no cached query vectors in the timings
    for r in range(rounds):
        for q in questions:
            cache.clear()
            t = time.perf_counter()
            passages = assistant.retrieve(q.question, k=5)
            retrieve_ms.append((time.perf_counter() - t) * 1000)
            cache.clear()
            t = time.perf_counter()
            assistant.ask(q.question)
            ask_ms.append((time.perf_counter() - t) * 1000)
            if r == 0 and q.answerable:
                ranks.append(first_relevant_rank([(p.doc_id, p.start, p.end) for p in passages], q))
    return {
        "retrieve_ms": percentiles(retrieve_ms),
        "ask_ms": percentiles(ask_ms),
        "hit@5": round(sum(x is not None for x in ranks) / len(ranks), 3),
        "questions": len(questions),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def hnsw_recall(assistant: Assistant, k: int = 10) -> dict[str, Any]:
    """recall@k of an HNSW graph over this index's passage vectors against exact search, on the
    question set's query vectors, and the search time of each (the choice `vector_index=auto` makes
    from `hnsw_min_passages` on)."""
    import faiss  # noqa: PLC0415

    from qa.index_store import hnsw_index  # noqa: PLC0415

    vectors = np.load(assistant.index.directory / "passage_vectors.npy")  # whatever the vector store
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    started = time.perf_counter()
    graph = hnsw_index(vectors)
    build_s = time.perf_counter() - started
    questions = load_questions(bundled_questions(), assistant.index.articles)
    queries = np.vstack([assistant.embedder.query_vector(q.question) for q in questions]).astype(np.float32)
    t = time.perf_counter()
    _, truth = exact.search(queries, k)
    exact_ms = (time.perf_counter() - t) * 1000 / len(queries)
    t = time.perf_counter()
    _, found = graph.search(queries, k)
    hnsw_ms = (time.perf_counter() - t) * 1000 / len(queries)
    recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(truth, found, strict=True)])
    return {
        "recall@10": round(float(recall), 3),
        "exact_ms_per_query": round(exact_ms, 3),
        "hnsw_ms_per_query": round(hnsw_ms, 3),
        "hnsw_build_seconds": round(build_s, 2),
    }


_COLD = """
import time; t0 = time.perf_counter()
import qa.cli
from qa.assistant import Assistant; t1 = time.perf_counter()
a = Assistant.from_settings(corpus_dir={corpus!r}, index_dir={index!r}, rebuild=False)
t2 = time.perf_counter()
a.embedder.query_vector("warm"); t3 = time.perf_counter()
a.ask("How many ISIS attacks did CENTCOM count in the first half of 2024?"); t4 = time.perf_counter()
import json, sys
times = {{"imports": t1 - t0, "index_load": t2 - t1, "query_encoder_load": t3 - t2, "first_answer": t4 - t3}}
heavy = [m for m in ("sentence_transformers", "transformers", "torch") if m in sys.modules]
print(json.dumps({{"times": times, "query_encoder": a.embedder.query_encoder, "heavy": heavy}}))
"""


def bench_cold(settings: Settings, runs: int = 3) -> dict[str, Any]:
    """`qa ask` from process start to answer, and where the time goes (medians of `runs` runs).

    The breakdown is measured in a separate process that makes the same calls as `qa ask`; what
    it leaves out of the wall time is the interpreter's start and printing the answer."""
    qa_bin = Path(sys.executable).parent / "qa"
    args = [str(qa_bin), "ask", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    walls, parts = [], []
    code = _COLD.format(corpus=str(settings.corpus_dir), index=str(settings.index_dir))
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*args, "When was Qasem Soleimani killed?"], capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        parts.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "qa_ask_wall_seconds": round(statistics.median(walls), 2),
        "breakdown_seconds": {
            k: round(statistics.median(p["times"][k] for p in parts), 2) for k in parts[0]["times"]
        },
        "runs": runs,
        "query_encoder": parts[0]["query_encoder"],
        "heavy_imports": parts[0]["heavy"],
    }


def _cold_encoder(cold: dict[str, Any]) -> str:
    """What encoded the cold start's queries and which heavy modules it imported, when recorded."""
    if "query_encoder" not in cold:
        return ""
    heavy = cold.get("heavy_imports") or []
    imported = f"imported {', '.join(heavy)}" if heavy else "imported neither sentence-transformers nor torch"
    return f"; queries encoded by {cold['query_encoder']}, {imported}"


def bench_baseline(assistant: Assistant) -> dict[str, Any]:
    from qa.eval.baseline import TutorialBaseline  # noqa: PLC0415

    questions = [q for q in load_questions(bundled_questions(), assistant.index.articles) if q.answerable]
    baseline = TutorialBaseline(assistant.articles, assistant.embedder)
    ours_ms, theirs_ms, ours_hits, theirs_hits = [], [], [], []
    cache = assistant.embedder._query_cache
    for q in questions:
        cache.clear()
        t = time.perf_counter()
        spans = baseline.retrieve(q.question)
        theirs_ms.append((time.perf_counter() - t) * 1000)
        theirs_hits.append(first_relevant_rank(spans, q) is not None)
        cache.clear()
        t = time.perf_counter()
        passages = assistant.retrieve(q.question, k=5)
        ours_ms.append((time.perf_counter() - t) * 1000)
        ours_hits.append(first_relevant_rank([(p.doc_id, p.start, p.end) for p in passages], q) is not None)
    return {
        "ours_retrieve_p50_ms": round(statistics.median(ours_ms), 2),
        "tutorial_retrieve_p50_ms": round(statistics.median(theirs_ms), 2),
        "latency_ratio": round(statistics.median(ours_ms) / statistics.median(theirs_ms), 2),
        "ours_hit@5": round(sum(ours_hits) / len(ours_hits), 3),
        "tutorial_hit@4": round(sum(theirs_hits) / len(theirs_hits), 3),
    }


def bench_concurrency(assistant: Assistant, clients: int = 16, per_client: int = 20) -> dict[str, Any]:
    """The JSON API on loopback: `clients` threads x `per_client` questions, against sequential answers."""
    import httpx  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415

    from qa.api import build_api  # noqa: PLC0415

    questions = [q.question for q in load_questions(bundled_questions(), assistant.index.articles)]
    expected = {q: assistant.ask(q).text for q in questions[:per_client]}
    config = uvicorn.Config(build_api(assistant), host="127.0.0.1", port=0, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/ask"
    latencies: list[float] = []
    errors, mismatches = 0, 0
    lock = threading.Lock()

    def client(i: int) -> None:
        nonlocal errors, mismatches
        with httpx.Client(timeout=60) as http:
            for j in range(per_client):
                question = questions[(i + j) % per_client]
                t = time.perf_counter()
                try:
                    response = http.post(url, json={"question": question})
                    ok = response.status_code == 200
                    same = ok and response.json()["text"] == expected[question]
                except httpx.HTTPError:
                    ok = same = False
                with lock:
                    latencies.append((time.perf_counter() - t) * 1000)
                    errors += not ok
                    mismatches += ok and not same

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    server.should_exit = True
    thread.join(timeout=10)
    return {
        "clients": clients,
        "requests": clients * per_client,
        "errors": errors,
        "answers_differing_from_sequential": mismatches,
        "latency_ms": percentiles(latencies),
        "requests_per_second": round(clients * per_client / elapsed, 1),
    }


def run_bench(sizes: list[int], out_dir: Path, work_dir: Path, seeds: Path) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": {"cpus": __import__("os").cpu_count()}, "corpora": []}
    seed_settings = Settings(corpus_dir=seeds, index_dir=work_dir / "index-seed")
    assistant, build = bench_build(seed_settings)
    report["corpora"].append({"name": "seed", "build": build, "queries": bench_queries(assistant)})
    report["cold_start"] = bench_cold(seed_settings)
    report["baseline"] = bench_baseline(assistant)
    report["concurrency"] = bench_concurrency(assistant)
    for size in sizes:
        corpus = work_dir / f"corpus-{size}"
        synthetic_corpus(seeds, corpus, size)
        settings = Settings(corpus_dir=corpus, index_dir=work_dir / f"index-{size}")
        big, build = bench_build(settings)
        report["corpora"].append(
            {
                "name": f"synthetic {size:,}",
                "build": build,
                "queries": bench_queries(big, 1),
                "hnsw": hnsw_recall(big),
            }
        )
        del big
    (out_dir / "bench.json").write_text(json.dumps(report, indent=2))
    (out_dir / "bench.md").write_text(markdown(report))
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| corpus | passages | build s | passages/s | embedding vs raw encode | embedding share | "
        "retrieve p50/p95/p99 ms | ask p50/p95/p99 ms | hit@5 | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report["corpora"]:
        b, q = c["build"], c["queries"]
        r, a = q["retrieve_ms"], q["ask_ms"]
        lines.append(
            f"| {c['name']} | {b['passages']:,} | {b['build_seconds']} | {b['passages_per_second']} | "
            f"{b['embedding_vs_raw']} ({b['build_texts_per_second']} vs {b['raw_encode_texts_per_second']} "
            f"texts/s) | {b['embedding_share_of_build']} | {r['p50']} / {r['p95']} / {r['p99']} | "
            f"{a['p50']} / {a['p95']} / {a['p99']} | {q['hit@5']} | {q['peak_rss_mb']} |"
        )
    for c in report["corpora"]:
        if "hnsw" in c:
            h = c["hnsw"]
            lines.append(
                f"\n- HNSW against exact search on {c['name']}: recall@10 {h['recall@10']}, "
                f"{h['hnsw_ms_per_query']} ms against {h['exact_ms_per_query']} ms per query "
                f"(graph built in {h['hnsw_build_seconds']} s)."
            )
    cold, base, conc = report["cold_start"], report["baseline"], report["concurrency"]
    parts = ", ".join(f"{k} {v} s" for k, v in cold["breakdown_seconds"].items())
    lines += [
        "",
        f"- Cold `qa ask` (process start to answer, median of {cold.get('runs', 1)} runs): "
        f"**{cold['qa_ask_wall_seconds']} s** ({parts}){_cold_encoder(cold)}.",
        f"- LangChain tutorial pipeline on the seeds: retrieve p50 {base['tutorial_retrieve_p50_ms']} ms, "
        f"hit@4 {base['tutorial_hit@4']}; ours {base['ours_retrieve_p50_ms']} ms, hit@5 {base['ours_hit@5']} "
        f"(latency ratio {base['latency_ratio']}).",
        f"- HTTP API, {conc['clients']} concurrent clients x "
        f"{conc['requests'] // conc['clients']} questions: "
        f"{conc['errors']} errors, {conc['answers_differing_from_sequential']} answers differing from "
        f"sequential ones, p50/p95/p99 {conc['latency_ms']['p50']} / {conc['latency_ms']['p95']} / "
        f"{conc['latency_ms']['p99']} ms, {conc['requests_per_second']} requests/s.",
    ]
    return "\n".join(lines) + "\n"
