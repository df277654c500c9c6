"""The HTTP API of a running `qa ui`: plain JSON and the named Gradio endpoint."""

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_ask_returns_the_answer_as_json(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}/api/ask",
        json={"question": "How many ISIS attacks did CENTCOM count in the first half of 2024?", "k": 4},
        timeout=60,
    )
    assert response.status_code == 200
    answer = response.json()
    assert "153" in answer["text"] and "[1]" in answer["text"]
    assert answer["abstained"] is False
    assert len(answer["passages"]) == 4
    citation = answer["citations"][0]
    assert {"n", "doc_id", "title", "date", "outlet", "quote", "start", "end"} <= set(citation)


def test_filters_and_history_over_http(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}/api/ask",
        json={
            "question": "When was he killed?",
            "history": ["Who was Qasem Soleimani?"],
            "filters": {"date_to": "2021-12"},
        },
        timeout=60,
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["rewritten_question"] == "When was he killed? (Qasem Soleimani)"
    assert all(p["date"] and p["date"] <= "2021-12" for p in answer["passages"])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"question": "   "}, 400, "empty"),
        ({"question": "x" * 20_000}, 400, "limit"),
        ({"question": "?!"}, 400, "punctuation"),
        ({"question": "Who?", "filters": {"outlets": ["CNN"]}}, 400, "CNN"),
        ({"question": "Who?", "filters": {"date_from": "yesterday"}}, 422, "YYYY"),
        ({"question": "Who?", "k": 0}, 422, "greater than"),
        ({"text": "Who?"}, 422, "question"),
    ],
)
def test_bad_requests_get_4xx_with_a_message(live_server: str, body: dict, status: int, message: str) -> None:
    response = httpx.post(f"{live_server}/api/ask", json=body, timeout=60)
    assert response.status_code == status
    assert message in response.text


def test_articles_lists_the_corpus_and_index(live_server: str) -> None:
    data = httpx.get(f"{live_server}/api/articles", timeout=30).json()
    assert {a["doc_id"] for a in data["articles"]} >= {"003_70d3dde80774ed55", "hostile"}
    assert data["index"]["counts"]["articles"] == 6


def test_named_gradio_endpoint_with_gradio_client(live_server: str) -> None:
    from gradio_client import Client

    client = Client(live_server + "/", verbose=False)
    answer = client.predict("When was Qasem Soleimani killed?", 3, None, api_name="/ask")
    assert "3 January 2020" in answer["text"]
    assert len(answer["passages"]) == 3
