"""The optional NLI cross-encoder (QA_NLI_MODEL): the support judge's decisions with a stub scorer,
the real loading path with tiny randomly initialised cross-encoders made here, and clear errors for
bad settings. No model is downloaded."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from qa.errors import QAError
from qa.nli import CrossEncoderNLI, nli_labels, nli_scorer
from qa.settings import Settings
from qa.support import SupportJudge, Verdict
from tests.test_cli import run_qa

PASSAGE = (
    "ISIS claimed responsibility for 153 attacks in both countries during the first half of 2024, "
    "according to CENTCOM. This compares to 121 attacks reported throughout 2023."
)
CLAIM = "ISIS claimed responsibility for 153 attacks in the first half of 2024."
FIRST, SECOND = (s.strip() for s in re.split(r"(?<=CENTCOM\.)", PASSAGE))


class SameVector:
    """An embedder under which every text has the same vector: cosine 1.0, no model."""

    model_path = Path("/models/stub-embedder")

    def query_vector(self, text: str) -> np.ndarray:
        return np.array([1.0, 0.0], dtype=np.float32)


class StubNLI:
    """Scores (premise, hypothesis) pairs from a table keyed by premise; records every batch."""

    name = "stub-nli"

    def __init__(self, by_premise: dict[str, tuple[float, float, float]], default=(0.1, 0.1, 0.8)) -> None:
        self.by_premise = by_premise  # premise -> (entailment, contradiction, neutral)
        self.default = default
        self.batches: list[list[tuple[str, str]]] = []

    def probabilities(self, pairs):
        self.batches.append(list(pairs))
        out = []
        for premise, _ in pairs:
            e, c, n = self.by_premise.get(premise, self.default)
            out.append({"entailment": e, "contradiction": c, "neutral": n})
        return out


def judge_with(nli: StubNLI | None, **kwargs) -> SupportJudge:
    return SupportJudge(SameVector(), nli=nli, **kwargs)


# -- the judge's decisions (stub scorer) ----------------------------------------------------------
def test_an_entailed_sentence_is_supported_and_records_the_probability() -> None:
    nli = StubNLI({FIRST: (0.93, 0.02, 0.05)})
    verdict = judge_with(nli).judge(CLAIM, [PASSAGE])
    assert verdict.supported and verdict.reason == "supported"
    assert verdict.entailment == pytest.approx(0.93)
    # the premises are the cited text and each of its sentences (as for the cosine), in one batch
    assert nli.batches == [[(PASSAGE, CLAIM), (FIRST, CLAIM), (SECOND, CLAIM)]]


def test_a_contradicted_sentence_is_unsupported_with_a_clear_reason() -> None:
    nli = StubNLI({PASSAGE: (0.05, 0.91, 0.04), FIRST: (0.08, 0.62, 0.30)})
    verdict = judge_with(nli).judge(CLAIM, [PASSAGE])
    assert not verdict.supported
    assert verdict.reason == "the cited text contradicts it (p=0.91)"
    assert verdict.entailment == pytest.approx(0.1)  # the best piece's (SECOND: the stub's default)
    assert verdict.contradiction == pytest.approx(0.91)


def test_a_neutral_sentence_is_unsupported_as_not_entailed() -> None:
    verdict = judge_with(StubNLI({}, default=(0.2, 0.1, 0.7))).judge(CLAIM, [PASSAGE])
    assert not verdict.supported
    assert verdict.reason == "the cited text does not entail it (p=0.20 < 0.50)"


@pytest.mark.parametrize(("threshold", "supported"), [(0.5, True), (0.6, True), (0.61, False), (0.9, False)])
def test_the_entailment_threshold(threshold: float, supported: bool) -> None:
    nli = StubNLI({FIRST: (0.6, 0.1, 0.3)})
    verdict = judge_with(nli, min_entailment=threshold).judge(CLAIM, [PASSAGE])
    assert verdict.supported is supported
    assert verdict.entailment == pytest.approx(0.6)


def test_the_lexical_checks_still_come_first_and_spare_the_model() -> None:
    nli = StubNLI({}, default=(0.99, 0.0, 0.01))
    judge = judge_with(nli)
    wrong_number = judge.judge("ISIS claimed 351 attacks in the first half of 2024.", [PASSAGE])
    assert not wrong_number.supported and "351" in wrong_number.reason
    wrong_name = judge.judge("ISIS claimed 153 attacks in Mosul in the first half of 2024.", [PASSAGE])
    assert not wrong_name.supported and "mosul" in wrong_name.reason
    few_words = judge.judge("Attacks were claimed while drones patrolled deserts nightly.", [PASSAGE])
    assert not few_words.supported and "content words" in few_words.reason
    assert nli.batches == []  # never asked
    assert wrong_number.entailment is None
    assert wrong_number == judge_with(None).judge(
        "ISIS claimed 351 attacks in the first half of 2024.", [PASSAGE]
    )


def test_without_nli_the_verdict_is_the_lexical_one() -> None:
    verdict = judge_with(None).judge(CLAIM, [PASSAGE])
    assert verdict == Verdict(True, 1.0, 1.0, "supported")
    assert verdict.entailment is None and verdict.contradiction is None
    assert judge_with(None).describe() == "containment + cosine (stub-embedder)"


def test_best_scores_every_candidate_in_one_batch_and_prefers_the_entailing_one() -> None:
    nli = StubNLI({SECOND: (0.1, 0.8, 0.1), FIRST: (0.95, 0.0, 0.05)})
    verdict, i = judge_with(nli).best(CLAIM, [SECOND, FIRST, PASSAGE])
    assert i == 1 and verdict.supported and verdict.entailment == pytest.approx(0.95)
    assert len(nli.batches) == 1  # SECOND fails the lexical checks: only FIRST and PASSAGE's pieces
    assert {premise for premise, _ in nli.batches[0]} == {FIRST, PASSAGE, SECOND}


def test_describe_names_the_nli_model() -> None:
    judge = SupportJudge(SameVector(), nli=StubNLI({}), embedding_name="all-MiniLM-L6-v2")
    assert judge.describe() == "containment + cosine (all-MiniLM-L6-v2) + NLI (stub-nli, entailment >= 0.5)"


# -- bad settings -------------------------------------------------------------------------------
def write_config(folder: Path, id2label: dict[int, str] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config: dict = {"model_type": "bert"}
    if id2label is not None:
        config["id2label"] = {str(k): v for k, v in id2label.items()}
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_a_missing_folder_is_a_clear_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="NLI model not found"):
        Settings(nli_model=str(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("id2label", "message"),
    [
        ({0: "negative", 1: "positive"}, "its labels are negative, positive"),
        ({0: "entailment", 1: "not_entailment"}, "its labels are entailment, not_entailment"),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, "its labels are label_0, label_1, label_2"),
        (None, "names no labels"),
    ],
)
def test_a_model_that_is_not_nli_is_a_clear_settings_error(tmp_path: Path, id2label, message: str) -> None:
    folder = write_config(tmp_path / "model", id2label)
    with pytest.raises(ValidationError, match="is not an NLI model") as raised:
        Settings(nli_model=str(folder))
    assert message in str(raised.value)
    with pytest.raises(QAError, match=message):
        nli_labels(folder)


def test_a_folder_without_config_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(QAError, match=r"no config\.json"):
        nli_labels(tmp_path)


def test_labels_are_read_in_order_and_case_insensitively(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "m", {2: "Neutral", 0: "CONTRADICTION", 1: "Entailment"})
    assert nli_labels(folder) == ["contradiction", "entailment", "neutral"]
    assert Settings(nli_model=f" {folder} ").nli_model == str(folder)
    assert Settings(nli_model="").nli_model is None
    with pytest.raises(ValidationError):
        Settings(nli_min_entailment=1.5)


@pytest.mark.slow
def test_the_cli_reports_a_bad_nli_model_in_one_line(tmp_path: Path) -> None:
    result = run_qa("ask", "hi", env={"QA_NLI_MODEL": str(tmp_path / "nope")})
    assert result.returncode == 1
    assert "NLI model not found" in result.stderr and "Traceback" not in result.stderr


# -- the real loading path: tiny random cross-encoders made here ------------------------------------
def make_cross_encoder(folder: Path, id2label: dict[int, str], bias: list[float]) -> Path:
    """A 2-layer BERT sequence classifier with the bundled model's tokenizer; the classifier's bias
    makes the first label the likely one whatever the input."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from qa.embeddings import resolve_model
    from qa.settings import BUNDLED_MODEL

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model(BUNDLED_MODEL)))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, num_labels=len(id2label), id2label=id2label,
        label2id={label: i for i, label in id2label.items()},
    )  # fmt: skip
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """The same weights under two label orders: index 0 is contradiction in one, entailment in the
    other, and index 0 wins (p ~ 0.9)."""
    root = tmp_path_factory.mktemp("nli")
    return {
        "contradicts": make_cross_encoder(
            root / "tiny-nli-contradicts", {0: "contradiction", 1: "entailment", 2: "neutral"}, [3.0, 0, 0]
        ),
        "entails": make_cross_encoder(
            root / "tiny-nli-entails", {0: "entailment", 1: "neutral", 2: "contradiction"}, [3.0, 0, 0]
        ),
    }


@pytest.mark.slow
def test_a_tiny_cross_encoder_loads_through_the_setting(tiny_models) -> None:
    settings = Settings(nli_model=str(tiny_models["entails"]), nli_min_entailment=0.7)
    judge = SupportJudge.from_settings(settings, SameVector())
    assert isinstance(judge.nli, CrossEncoderNLI) and judge.min_entailment == 0.7
    assert (
        judge.describe()
        == "containment + cosine (all-MiniLM-L6-v2) + NLI (tiny-nli-entails, entailment >= 0.7)"
    )
    pairs = [(PASSAGE, CLAIM), (FIRST, "Something else entirely."), (SECOND, CLAIM)]
    probabilities = judge.nli.probabilities(pairs)
    assert len(probabilities) == 3
    for row in probabilities:
        assert set(row) == {"entailment", "neutral", "contradiction"}
        assert all(0.0 <= p <= 1.0 for p in row.values())
        assert sum(row.values()) == pytest.approx(1.0, abs=1e-6)
    assert judge.nli.entailment(PASSAGE, CLAIM) == pytest.approx(probabilities[0]["entailment"])
    assert judge.nli.entailments([PASSAGE, SECOND], CLAIM) == pytest.approx(
        [probabilities[0]["entailment"], probabilities[2]["entailment"]]
    )
    verdict = judge.judge(CLAIM, [PASSAGE])
    assert verdict.supported and verdict.entailment > 0.85
    # one loaded model per folder
    assert nli_scorer(tiny_models["entails"]) is judge.nli


@pytest.mark.slow
def test_the_label_order_is_read_from_the_model_config(tiny_models) -> None:
    entails = nli_scorer(tiny_models["entails"])
    contradicts = nli_scorer(tiny_models["contradicts"])
    assert entails.labels == ["entailment", "neutral", "contradiction"]
    assert contradicts.labels == ["contradiction", "entailment", "neutral"]
    a = entails.probabilities([(PASSAGE, CLAIM)])[0]
    b = contradicts.probabilities([(PASSAGE, CLAIM)])[0]
    # same weights, same outputs: index 0 is entailment in one model and contradiction in the other
    assert a["entailment"] == pytest.approx(b["contradiction"]) and a["entailment"] > 0.85
    assert a["contradiction"] == pytest.approx(b["neutral"])
    verdict = SupportJudge(SameVector(), nli=contradicts).judge(CLAIM, [PASSAGE])
    assert not verdict.supported
    assert re.fullmatch(r"the cited text contradicts it \(p=0\.9\d\)", verdict.reason)


@pytest.mark.slow
def test_a_folder_with_labels_but_no_weights_fails_clearly_on_first_use(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "empty-nli", {0: "contradiction", 1: "entailment", 2: "neutral"})
    scorer = CrossEncoderNLI(folder)  # the labels are fine: nothing is loaded yet
    with pytest.raises(QAError, match="Cannot load the NLI model at"):
        scorer.entailment("a", "b")


@pytest.mark.slow
def test_generated_sentences_are_verified_by_the_nli_model(seed_assistant, tiny_models) -> None:
    from qa import Assistant
    from tests.test_llm_openai import CENTCOM, ScriptedServer, number_of

    server = ScriptedServer()
    server.script = lambda p: (
        "ISIS claimed responsibility for 153 attacks in the first half of 2024 "
        f"[{number_of(p, '153 attacks')}]."
    )
    try:
        for name, kept in (("entails", True), ("contradicts", False)):
            settings = seed_assistant.settings.with_overrides(
                llm="openai:scripted",
                llm_base_url=server.url,
                llm_timeout=5.0,
                nli_model=str(tiny_models[name]),
            )
            assistant = Assistant(settings, seed_assistant.embedder, seed_assistant.index)
            assert assistant.generative.judge.nli is nli_scorer(tiny_models[name])
            answer = assistant.ask(CENTCOM)
            if kept:
                assert answer.answerer == "llm:openai:scripted" and answer.removed == []
            else:
                assert (
                    answer.removed and "the cited text contradicts it (p=0.9" in answer.removed[0]["reason"]
                )
    finally:
        server.httpd.shutdown()


@pytest.mark.slow
def test_the_eval_report_names_the_nli_judge(seed_assistant, tiny_models, tmp_path: Path) -> None:
    from qa import Assistant
    from qa.eval.questions import bundled_questions
    from qa.eval.report import markdown_report
    from qa.eval.runner import run_evaluation

    questions = tmp_path / "three.jsonl"
    questions.write_text("\n".join(bundled_questions().read_text().splitlines()[:3]) + "\n")
    plain = run_evaluation(seed_assistant, questions, with_baseline=False)
    assert plain["support_judge"] == "containment + cosine (all-MiniLM-L6-v2)"
    settings = seed_assistant.settings.with_overrides(nli_model=str(tiny_models["contradicts"]))
    report = run_evaluation(
        Assistant(settings, seed_assistant.embedder, seed_assistant.index), questions, with_baseline=False
    )
    assert report["support_judge"].endswith("+ NLI (tiny-nli-contradicts, entailment >= 0.5)")
    assert "Citation support judged by: containment + cosine (all-MiniLM-L6-v2) + NLI" in markdown_report(
        report, []
    )
    # everything the tiny model reads is a contradiction: no citation counts as support
    assert plain["overall"]["citation_recall"] > 0 and report["overall"]["citation_recall"] == 0
    assert any("contradicts it" in why for r in report["results"] for why in r["why"])
