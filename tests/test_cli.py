"""The `qa` command as a user runs it: real processes, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

QA = str(Path(sys.executable).parent / "qa")


def run_qa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QA, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "empty"),
        (["ask", "   "], "empty"),
        (["ask", "x" * 20_000], "limit is 2,000"),
        (["ask", "?!"], "no words"),
        (["ask", "--corpus", "/nonexistent-folder", "hi"], "Corpus folder not found"),
        (["ask", "--k", "0", "hi"], "Invalid settings"),
        (["ask", "--model", "/no/such/model", "hi"], "Embedding model not found"),
        (["ask", "--llm", "gpt", "hi"], "unknown LLM 'gpt'"),
        (["eval", "--questions", "/no/such/file.jsonl"], "Cannot read the question set"),
        (["bench", "--sizes", "ten"], "--sizes must be whole numbers"),
    ],
)
def test_bad_input_is_one_clear_line_and_a_failing_exit_code(args: list[str], message: str) -> None:
    result = run_qa(*args)
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout


def test_help_names_the_environment_variable_of_each_setting_option() -> None:
    # rich reads "[env QA_K]" as markup and drops it: the help must still show it
    text = " ".join(run_qa("ask", "--help", env={"COLUMNS": "200"}).stdout.split())
    for name in ("QA_K", "QA_CORPUS_DIR", "QA_INDEX_DIR", "QA_EMBEDDING_MODEL", "QA_LLM"):
        assert f"(env {name})" in text
    assert "(env QA_PORT, default 7860)" in " ".join(
        run_qa("ui", "--help", env={"COLUMNS": "200"}).stdout.split()
    )


def test_empty_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_qa("index", "--corpus", str(tmp_path), "--index", str(tmp_path / "idx"))
    assert result.returncode == 1
    assert "No articles" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_index_then_ask_json_on_a_custom_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name in ("002_9c08e67ec236458a.txt", "003_70d3dde80774ed55.txt"):
        (corpus / name).write_text((SEEDS / name).read_text())
    (corpus / "extra.md").write_text(
        "# Dam report\n\nThe Mosul Dam was inspected on 4 May 2023 by engineers.\n"
    )
    index = tmp_path / "my-index"
    built = run_qa("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "3 articles" in built.stdout
    asked = run_qa(
        "ask", "--json", "--corpus", str(corpus), "--index", str(index), "When was the Mosul Dam inspected?"
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "4 May 2023" in answer["text"] and answer["citations"][0]["doc_id"] == "extra"


@pytest.mark.slow
def test_ask_prints_answer_and_sources(tmp_path: Path) -> None:
    result = run_qa(
        "ask",
        "How many ISIS attacks did CENTCOM count in the first half of 2024?",
        env={"QA_INDEX_DIR": str(tmp_path / "idx")},
    )
    assert result.returncode == 0, result.stderr
    assert "153" in result.stdout and "[1]" in result.stdout and "Shafaq News" in result.stdout
