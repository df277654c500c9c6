import pytest
from pydantic import ValidationError

from qa.errors import QAError
from qa.filters import Filters
from qa.records import Article


def _article(doc_id: str, date: str | None, outlet: str | None = None) -> Article:
    return Article(doc_id=doc_id, title=None, date=date, outlet=outlet, text="x")


def test_date_range_includes_both_ends_at_their_own_precision() -> None:
    year = Filters(date_from="2021", date_to="2021")
    assert year.admits(_article("a", "2021-05-09"))
    assert not year.admits(_article("b", "2024-07-20"))
    assert Filters(date_from="2021-05-09").admits(_article("a", "2021-05-09"))
    assert not Filters(date_to="2021-05").admits(_article("b", "2021-06-01"))


def test_an_undated_article_drops_out_of_any_date_range() -> None:
    assert not Filters(date_from="2000").admits(_article("a", None))
    assert Filters(outlets=[]).admits(_article("a", None))


def test_outlet_and_doc_filters() -> None:
    assert Filters(outlets=["Shafaq News"]).admits(_article("a", None, "Shafaq News"))
    assert not Filters(outlets=["Shafaq News"]).admits(_article("a", None, None))
    assert not Filters(doc_ids=["b"]).admits(_article("a", None))


@pytest.mark.parametrize("bad", ["21-01", "2021-13", "yesterday", "2021-02-30"])
def test_a_bad_date_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValidationError, match="YYYY"):
        Filters(date_from=bad)


def test_unknown_outlets_and_empty_ranges_are_named() -> None:
    articles = {"a": _article("a", "2021-05-09", "Shafaq News")}
    with pytest.raises(QAError, match="No article is from 'CNN'"):
        Filters(outlets=["CNN"]).check_against(articles)
    with pytest.raises(QAError, match="doc id 'zzz'"):
        Filters(doc_ids=["zzz"]).check_against(articles)
    with pytest.raises(QAError, match="empty"):
        Filters(date_from="2024", date_to="2020").check_against(articles)
