"""The evaluation: question-set validation, metric definitions, the report and the regression gate."""

import json
from pathlib import Path

import pytest

from qa.corpus import load_corpus
from qa.errors import QAError
from qa.eval.metrics import (
    QuestionResult,
    aggregate,
    bootstrap_intervals,
    evidence_recall,
    exact_match,
    ndcg,
    token_f1,
)
from qa.eval.questions import Evidence, Question, bundled_questions, load_questions
from qa.eval.runner import check_thresholds
from qa.support import cited_sentences
from tests.conftest import SEEDS
from tests.test_cli import run_qa


@pytest.fixture(scope="module")
def seed_articles():
    return {a.doc_id: a for a in load_corpus(SEEDS)}


def _question(evidence: list[tuple[str, int, int]]) -> Question:
    return Question("q", "fact", "?", "", [["x"]], [Evidence(d, "", s, e) for d, s, e in evidence])


def test_the_bundled_set_is_valid_and_large_enough(seed_articles) -> None:
    questions = load_questions(bundled_questions(), seed_articles)
    kinds = [q.kind for q in questions]
    assert len(questions) >= 80
    assert kinds.count("paraphrase") >= 15
    assert kinds.count("multi") >= 8
    assert kinds.count("unanswerable") >= 12


def test_the_held_out_set_is_valid_and_asks_nothing_the_bundled_set_asks(seed_articles) -> None:
    held_out = load_questions(bundled_questions().with_name("heldout.jsonl"), seed_articles)
    assert len(held_out) == 40 and len({q.kind for q in held_out}) == 7
    bundled = {q.question for q in load_questions(bundled_questions(), seed_articles)}
    assert not bundled & {q.question for q in held_out}


def test_a_malformed_question_set_lists_every_problem_with_its_line(tmp_path: Path, seed_articles) -> None:
    good = {
        "id": "a",
        "kind": "fact",
        "question": "How many attacks?",
        "answer": "153",
        "key_facts": ["153"],
        "evidence": [{"doc_id": "003_70d3dde80774ed55", "text": "153 attacks"}],
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({k: v for k, v in good.items() if k != "answer"} | {"id": "b"}),
        json.dumps(good | {"id": "c", "evidence": [{"doc_id": "nope", "text": "x"}]}),
        json.dumps(
            good | {"id": "d", "evidence": [{"doc_id": "003_70d3dde80774ed55", "text": "never said"}]}
        ),
        json.dumps(good | {"id": "e", "kind": "opinion"}),
        json.dumps(good),  # duplicate id
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(QAError) as error:
        load_questions(path, seed_articles)
    message = str(error.value)
    assert "set.jsonl:2: not valid JSON" in message
    assert "set.jsonl:3: missing field(s) answer" in message
    assert "set.jsonl:4: unknown doc_id 'nope'" in message
    assert "set.jsonl:5: evidence is not in article" in message
    assert "set.jsonl:6: kind 'opinion'" in message
    assert "set.jsonl:7: duplicate id 'a'" in message


def test_squad_exact_match_and_f1() -> None:
    assert exact_match("The 153 attacks [1].", "153 attacks") == 1.0
    assert token_f1("153 attacks in 2024", "153 attacks") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert token_f1("nothing shared", "153 attacks") == 0.0


def test_ndcg_credits_each_evidence_span_once() -> None:
    q = _question([("d", 100, 200)])
    assert ndcg([("d", 0, 300)], q) == 1.0
    assert ndcg([("x", 0, 10), ("d", 0, 300)], q) == pytest.approx(1 / 1.5849625, rel=1e-6)
    # two overlapping passages over the same span: still 1, never above
    assert ndcg([("d", 0, 300), ("d", 50, 350)], q) == 1.0
    two = _question([("d", 100, 200), ("e", 0, 50)])
    assert evidence_recall([("d", 0, 300)], two) == 0.5


def test_cited_sentences_keep_their_markers() -> None:
    sentences = cited_sentences('ISIS claimed 153 attacks [1]. "He said it." [2] An uncited claim.')
    assert [(s.text, s.citations) for s in sentences] == [
        ("ISIS claimed 153 attacks.", [1]),
        ('"He said it."', [2]),
        ("An uncited claim.", []),
    ]


def test_a_piece_that_opens_in_lower_case_goes_on_from_the_sentence_before() -> None:
    # the source's stray full stop, quoted: one sentence, one citation, not an uncited "sentence"
    sentences = cited_sentences(
        "ISIS then controlled large areas. from Iraq and Syria [1]. It lost them [2]."
    )
    assert [(s.text, s.citations) for s in sentences] == [
        ("ISIS then controlled large areas. from Iraq and Syria.", [1]),
        ("It lost them.", [2]),
    ]


def test_a_quotations_split_off_attribution_is_part_of_its_sentence() -> None:
    sentences = cited_sentences('In Syria, 59 operations were conducted." CENTCOM said [1]. It left [2].')
    assert [(s.text, s.citations) for s in sentences] == [
        ("In Syria, 59 operations were conducted. CENTCOM said.", [1]),
        ("It left.", [2]),
    ]


def _result(answerable: bool, abstained: bool, rank: int | None = 1) -> QuestionResult:
    return QuestionResult(
        id="q", kind="fact" if answerable else "unanswerable", question="?", answerable=answerable,
        reference="", retrieved=[], first_relevant_rank=rank if answerable else None, recall_at_5=1.0,
        ndcg_at_10=1.0, all_evidence_retrieved=True, answer="", abstained=abstained, confidence=0.5,
        key_facts_found=[not abstained], exact_match=0.0, f1=0.0, semantic=0.0, evidence_ok=[True],
        citation_supports=[True], sentence_supported=[True], latency_ms=10.0,
    )  # fmt: skip


def test_aggregate_abstention_metrics_and_bootstrap() -> None:
    results = [_result(True, False), _result(True, True), _result(False, True), _result(False, False)]
    overall = aggregate(results)
    assert overall["over_refusal"] == 0.5
    assert overall["abstention_recall"] == 0.5
    assert overall["abstention_precision"] == 0.5
    assert overall["key_fact_accuracy"] == 0.5
    low, high = bootstrap_intervals(results, ["key_fact_accuracy"], rounds=200)["key_fact_accuracy"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0


def test_thresholds_gate() -> None:
    report = {"overall": {"hit@5": 0.9, "over_refusal": 0.1}}
    assert check_thresholds(report, {"min": {"hit@5": 0.8}, "max": {"over_refusal": 0.2}}) == []
    failures = check_thresholds(report, {"min": {"hit@5": 0.95}, "max": {"over_refusal": 0.05}})
    assert failures == ["hit@5 = 0.9 < 0.95", "over_refusal = 0.1 > 0.05"]


@pytest.mark.slow
def test_qa_eval_writes_the_report_and_gates(tmp_path: Path) -> None:
    questions = tmp_path / "mine.jsonl"
    rows = [line for line in bundled_questions().read_text().splitlines() if line.strip()]
    questions.write_text("\n".join(rows[:4] + rows[-2:]) + "\n")
    index = tmp_path / "index"
    out = tmp_path / "report"
    passing = tmp_path / "ok.json"
    passing.write_text(json.dumps({"min": {"hit@5": 0.0}}))
    result = run_qa("eval", "--questions", str(questions), "--out", str(out), "--index", str(index),
                    "--check", str(passing))  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in ("report.md", "report.json", "metrics.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    report = json.loads((out / "report.json").read_text())
    assert report["overall"]["questions"] == 6
    assert {"hit@5", "mrr", "ndcg@10", "f1", "citation_recall", "abstention_recall"} <= set(report["overall"])
    assert "95% bootstrap" in (out / "report.md").read_text()

    failing = tmp_path / "strict.json"
    failing.write_text(json.dumps({"min": {"hit@5": 1.01}}))
    result = run_qa("eval", "--questions", str(questions), "--out", str(out), "--index", str(index),
                    "--check", str(failing), "--no-baseline")  # fmt: skip
    assert result.returncode == 1
    assert "below the thresholds" in result.stderr and "hit@5" in result.stderr


def test_the_llm_judges_replies_are_read_strictly() -> None:
    from qa.eval.llm_judge import parse_questions, parse_verdicts

    assert parse_verdicts("1: yes\n2: No\n3. yes", 3) == [True, False, True]
    assert parse_verdicts("Statement 1: **yes**\nStatement 2: no", 2) == [True, False]
    assert parse_verdicts("1: yes", 2) is None  # a verdict missing: not judged, never guessed
    assert parse_verdicts("Everything is supported.", 1) is None
    assert parse_questions("1. When was Soleimani killed?\n- Who killed him?\nSure!\nWhy?") == [
        "When was Soleimani killed?",
        "Who killed him?",
    ]


@pytest.mark.slow
def test_compare_runs_every_configuration_on_one_shared_model(seed_assistant, monkeypatch) -> None:
    from qa.assistant import Assistant
    from qa.eval import runner

    questions = load_questions(bundled_questions(), seed_assistant.index.articles)[:3]
    made: list[Assistant] = []
    real = Assistant.from_settings.__func__

    def spy(cls, *args, **kwargs):
        made.append(real(cls, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(Assistant, "from_settings", classmethod(spy))
    runs = runner._compare(seed_assistant, questions)
    assert [r.name for r in runs] == [name for name, _ in runner.COMPARISONS]
    assert all(r.overall["questions"] == 3 for r in runs)
    # one model serves all: its weights load once and the answers' vectors are encoded once
    assert all(other.embedder is seed_assistant.embedder for other in made)
    # a configuration that reshapes the passages gets an index of its own, never the default's
    three = made[[name for name, _ in runner.COMPARISONS].index("passages of 3 sentences, overlap 1")]
    assert three.settings.index_dir != seed_assistant.settings.index_dir
    assert three.settings.passage_sentences == 3
