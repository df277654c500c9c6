"""The chat UI in a real browser: Debian's Chromium driven by Playwright.

Screenshots go to tests/artifacts/ (kept out of git). Without Chromium the test is
skipped with a message, except in CI, where it must run.
"""

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for this sandbox: no GPU, no background calls to Google's hosts (the network is closed).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed (apt-get install chromium); the browser test needs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def _ask(page, question: str) -> None:
    before = page.locator("#chat .message").count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    # wait for the answer bubble that replaces "Searching the articles…"
    page.wait_for_function(
        """([before]) => {
            const msgs = document.querySelectorAll('#chat .message');
            if (msgs.length < before + 2) return false;
            const last = msgs[msgs.length - 1].innerText;
            return last.length > 0 && !last.includes('Searching the articles');
        }""",
        arg=[before],
        timeout=60_000,
    )


def _last_answer(page) -> str:
    return page.locator("#chat .message").last.inner_text()


def test_ask_follow_up_abstain_and_hostile_text_in_the_browser(live_server: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server, wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=60_000)

    # 1. an answer with a citation marker and a highlighted source snippet
    _ask(page, "How many ISIS attacks did CENTCOM count in the first half of 2024?")
    assert "153" in _last_answer(page)
    marker = page.locator("#chat a.cite").first
    assert marker.inner_text() == "[1]"
    mark = page.locator("#sources .source-card.cited mark").first
    mark.wait_for(timeout=10_000)
    assert "153 attacks" in mark.inner_text()
    page.screenshot(path=str(ARTIFACTS / "answer-1280.png"), full_page=True)

    # 2. a follow-up, rewritten from the conversation
    _ask(page, "Who was Qasem Soleimani?")
    _ask(page, "When was he killed?")
    last = _last_answer(page)
    assert "Searched as: When was he killed? (Qasem Soleimani)" in last
    assert "3 January 2020" in last
    page.screenshot(path=str(ARTIFACTS / "follow-up-1280.png"), full_page=True)

    # 3. an unanswerable question: said plainly, closest passages marked as not an answer
    _ask(page, "What is the population of Australia?")
    assert "don't answer" in _last_answer(page)
    assert page.locator("#sources .not-answer-banner").is_visible()
    page.screenshot(path=str(ARTIFACTS / "abstain-1280.png"), full_page=True)

    # 4. an article holding <script> and <img onerror> renders as text, runs nothing
    _ask(page, "When did the Basra water council meet?")
    sources = page.locator("#sources").inner_text()
    assert "<script>window.__xss = 1</script>" in sources
    assert page.evaluate("window.__xss") is None
    assert not errors, errors

    # 5. a narrow (mobile) screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "mobile-390.png"), full_page=True)
    page.close()
