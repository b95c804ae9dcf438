"""The shipped sample content loads cleanly and covers what the returns portal links to."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.content import load_library
from app.content.translations import translation_report
from app.returns.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def test_sample_content_has_no_problems_and_enough_articles():
    library = load_library(CONTENT)
    assert [str(p) for p in library.problems] == []
    assert len(library.articles) >= 30
    assert [c.slug for c in library.categories] == [
        "orders-shipping",
        "returns-refunds",
        "payments",
        "account-privacy",
        "sizing-care",
        "troubleshooting",
    ]
    assert all(len(c.articles) >= 5 for c in library.categories)
    assert {a.type for a in library.articles.values()} == {"faq", "tutorial"}


def test_articles_the_returns_portal_links_to_exist():
    library = load_library(CONTENT)
    for path in (
        "returns-refunds/how-to-return-an-item",
        "returns-refunds/when-will-i-get-my-refund",
        "returns-refunds/damaged-or-defective-item",
        "sizing-care/clothing-size-guide",
        "sizing-care/shoe-size-guide",
    ):
        assert library.get(path) is not None, path


def test_every_internal_link_in_an_article_resolves():
    import re

    library = load_library(CONTENT)
    for article in library.articles.values():
        for target in re.findall(r'href="/articles/([^"#]+)', article.html):
            assert target in library.articles, f"{article.path} links to missing {target}"


@pytest.mark.parametrize(
    ("folder", "header"),
    [
        ("", "| Status | What it means |"),
        ("de", "| Status | Was er bedeutet |"),
        ("fr", "| Statut |"),
    ],
)
def test_the_return_article_names_the_statuses_as_the_status_page_does(folder, header):
    import re

    from app.returns.states import CUSTOMER_LABELS

    labels = set(CUSTOMER_LABELS.values())
    if folder:
        path = ROOT / "app/translations" / folder / "LC_MESSAGES/messages.po"
        with path.open("rb") as f:
            catalogue = read_po(f, locale=folder)
        labels = {catalogue[label].string for label in labels}
    file = CONTENT / folder / "returns-refunds" / "how-to-return-an-item.md"
    text = file.read_text(encoding="utf-8")
    start = text.index(header)
    table = text[start : text.index("\n\n", start)]
    named = re.findall(r"^\| ([^|]+?) \|", table, re.MULTILINE)[1:]  # past the header
    assert len(named) >= 5 and set(named) <= labels, set(named) - labels


def test_the_exchange_article_says_what_the_portal_and_policy_do():
    """It names the field customers choose an exchange in, and the policy's exchange rules
    (free return shipping, and when the replacement is sent) as the policy file sets them."""
    body = (CONTENT / "returns-refunds/exchanges-and-store-credit.md").read_text(encoding="utf-8")
    start_page = (ROOT / "templates/returns/start.html").read_text(encoding="utf-8")
    rules = load_policy(CONTENT).exchanges
    assert rules.enabled
    assert "**Money back or exchange**" in body
    assert '>{{ _("Money back or exchange") }}</label>' in start_page
    assert ("Sending back an item you exchange is free" in body) == rules.free_shipping
    arrival = (
        "We send the new one as soon as your parcel has reached us and we've checked the item."
    )
    assert (arrival in body) == (not rules.ship_first)
    days = load_policy(CONTENT).label_valid_days
    assert f"The same happens if the return label isn't used within {days} days." in body


# The returns portal's words the articles name in bold, and where.
PORTAL_WORDS = {
    "Money back or exchange": "returns-refunds/exchanges-and-store-credit.md",
    "Find my order": "returns-refunds/how-to-return-an-item.md",
    "Find my return": "returns-refunds/how-to-return-an-item.md",
}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_translated_article_names_the_portals_words_as_the_portal_says_them(language):
    """Customers follow the articles on the returns pages: a German article's **Geld zurück
    oder Umtausch** is what the German page's field says."""
    with (ROOT / "app/translations" / language / "LC_MESSAGES/messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    for english, article in PORTAL_WORDS.items():
        said = catalogue[english].string
        assert f"**{english}**" in (CONTENT / article).read_text(encoding="utf-8")
        assert f"**{said}**" in (CONTENT / language / article).read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["de", "fr"])
def test_each_translation_mirrors_the_english_articles(language):
    english = load_library(CONTENT)
    translated = load_library(CONTENT, language=language)
    assert [str(p) for p in translated.problems] == []
    report = translation_report(english, translated)
    assert report.translated >= 30
    assert report.only_here == [] and report.stale == [] and report.problems == []
    names = {c.slug for c in translated.categories}
    assert names == {c.slug for c in english.categories}  # every section has its own name
    assert all(c.language == language for c in translated.categories)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_translations_links_stay_in_its_language(language):
    import re

    english = load_library(CONTENT)
    for article in load_library(CONTENT, language=language).articles.values():
        html = article.html
        assert not re.search(r'href="/(articles|returns|contact|search)', html), article.path
        for target in re.findall(rf'href="/{language}/articles/([^"#]+)', html):
            assert target in english.articles, f"{article.path} links to missing {target}"
