from pathlib import Path

from qa.corpus import load_corpus
from qa.degluing import Degluer, deglue
from tests.conftest import SEEDS, SHAFAQ


def _articles() -> dict[str, str]:
    return {a.doc_id: a.text for a in load_corpus(SEEDS)}


def test_glued_words_of_the_shafaq_article_are_split() -> None:
    text = _articles()[SHAFAQ]
    for fixed in (
        "US troops from Iraq",
        "the Iraqi government",
        "Gen. Michael Kurilla",
        "ISIS claimed responsibility for 153 attacks",
        "first half of 2024, according to CENTCOM",
        "Abu Mahdi al-Muhandis",
        "Al-Sharifi added",
        "continue into the current year",
        'stating that it "proves',
        "In January 2024, the United States and Iraq",
        "breaches, which deplete financial resources",  # "deplete": one of the list's rarest words
        "the hardline militant group",  # a rare long word stays whole: not "hard line"
    ):
        assert fixed in text, fixed
    for glued in (
        "troopsfrom",
        "theIraqi",
        "MichaelKurilla",
        "ISISlost",
        "Sharifiadded",
        "January2024",
        "whichdeplete",
    ):
        assert glued not in text, glued


def test_real_names_in_the_glued_article_stay_whole() -> None:
    text = _articles()[SHAFAQ]
    for name in (
        "Romanowski",
        "Thabit Al-Abbasi",
        "Haitham Al-Khazali",
        "Talib Al-Yasari",
        "Shafaq News",
        "CENTCOM",
    ):
        assert name in text, name


def test_articles_that_are_not_glued_are_left_untouched() -> None:
    raw = {p.stem: p.read_text() for p in Path(SEEDS).glob("*.txt")}
    for doc_id, text in _articles().items():
        if doc_id == SHAFAQ:
            continue
        for name in ("Qaradaghi", "Soleimani", "Talabani", "multipolar", "Jaafar", "Kadhimi", "Anbari"):
            if name in raw[doc_id]:
                assert name in text, (doc_id, name)


def test_a_normal_text_with_odd_names_is_not_changed() -> None:
    text = (
        "Ronald McDonald met Ron DeSantis and Qusai al-Anbari in Harir. The iPhone was on the table. "
        "Mostafa al-Kadhimi and Rukban were mentioned, and Saad al-Saadi spoke."
    )
    assert deglue(text) == text


def test_degluer_splits_pairs_but_not_rare_fragments() -> None:
    degluer = Degluer()
    assert degluer.split_token("troopsfrom") == ["troops", "from"]
    assert degluer.split_token("USCentral") == ["US", "Central"]
    assert degluer.split_token("ISISlost") == ["ISIS", "lost"]
    assert degluer.split_token("Romanowski") is None
    assert degluer.split_token("Thabit") is None
    assert degluer.split_token("government") is None
