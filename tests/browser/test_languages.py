"""A customer searches, reads and votes in German and in French, with JavaScript on and off:
every page's words, its `lang`, the links that keep the language, the article in their
language (or in English with a note where it isn't translated yet), and the vote recorded."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Vote
from tests.conftest import ROOT

WALKS = {
    "de": {
        "home": "Wie können wir helfen?",
        "query": "paket verfolgen",
        "title": "Wie kann ich meine Bestellung verfolgen?",
        "search label": "Antworten suchen",
        "search button": "Suchen",
        "results": "Suchergebnisse",
        "note": "Diesen Artikel gibt es noch nicht auf Deutsch",
        "helpful": "War dieser Artikel hilfreich?",
        "no": "Nein",
        "why": "Schade, dass dieser Artikel nicht geholfen hat",
        "reason": "Er war schwer zu verstehen",
        "send": "Rückmeldung senden",
        "noted": "Danke, wir haben Ihre Rückmeldung notiert: Er war schwer zu verstehen.",
        "language": "Sprache",
    },
    "fr": {
        "home": "Comment pouvons-nous vous aider\u00a0?",
        "query": "suivre mon colis",
        "title": "Comment suivre ma commande",
        "search label": "Rechercher des réponses",
        "search button": "Rechercher",
        "results": "Résultats de recherche",
        "note": "Cet article n’est pas encore disponible en français",
        "helpful": "Cet article vous a-t-il aidé\u00a0?",
        "no": "Non",
        "why": "Désolés, cet article ne vous a pas aidé",
        "reason": "Il était difficile à comprendre",
        "send": "Envoyer l’avis",
        "noted": "Merci, nous avons noté votre avis\u00a0: Il était difficile à comprendre.",
        "language": "Langue",
    },
}


@pytest.fixture
def app(make_app):
    return make_app(CONTENT_DIR=str(ROOT / "content"))


@pytest.mark.parametrize("lang", WALKS)
def test_search_read_and_vote_in_another_language(app, live_url, page, lang):
    words = WALKS[lang]
    page.goto(f"{live_url}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])

    page.get_by_label(words["search label"]).fill(words["query"])
    page.get_by_role("main").get_by_role("button", name=words["search button"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["results"])
    assert f"/{lang}/search" in page.url

    # The article in the page's language: no note, nothing marked as another language.
    page.locator(".results").get_by_role("link", name=words["title"]).first.click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#article-title")).to_contain_text(words["title"])
    expect(page.locator(".translation-note")).to_have_count(0)
    expect(page.locator("main [lang]")).to_have_count(0)

    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text(words["helpful"])
    feedback.get_by_role("button", name=words["no"], exact=True).click()
    expect(feedback).to_contain_text(words["why"])
    feedback.get_by_label(words["reason"]).check()
    feedback.get_by_role("button", name=words["send"]).click()
    expect(feedback).to_contain_text(words["noted"])
    assert page.url.startswith(f"{live_url}/{lang}/articles/")

    with app.app_context():
        [vote] = db.session.execute(select(Vote)).scalars().all()
    assert (vote.helpful, vote.reason) == (False, "unclear")

    switcher = page.get_by_role("navigation", name=words["language"])
    switcher.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".translation-note")).to_have_count(0)
    assert "/articles/" in page.url and f"/{lang}/" not in page.url


def test_a_vote_is_remembered_in_every_language(app, live_url, page, request):
    """With JavaScript, a browser that voted asks for its own box on the article's page, in
    whatever language it opens it next."""
    if not request.node.callspec.params["page"]:
        pytest.skip("the remembered vote is JavaScript's")
    page.goto(live_url + "/de/articles/orders-shipping/track-my-order")
    page.locator("#feedback").get_by_role("button", name="Ja").click()
    expect(page.locator("#feedback")).to_contain_text("schön, dass er geholfen hat")
    page.goto(live_url + "/articles/orders-shipping/track-my-order")
    expect(page.locator("#feedback")).to_contain_text("Thanks for letting us know it helped.")


def test_an_article_not_yet_in_french_is_english_and_says_so(app, live_url, page):
    page.goto(live_url + "/fr/articles/account-privacy/two-step-sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".translation-note")).to_contain_text(WALKS["fr"]["note"])
    expect(page.locator("#article-title")).to_have_attribute("lang", "en")
    expect(page.locator(".article-body")).to_have_attribute("lang", "en")
    # Its section is French; the articles beside it are French, but for the English ones.
    expect(page.locator(".breadcrumbs a").nth(1)).not_to_have_attribute("lang", "en")
    english = page.locator(".in-this-section a[lang=en]")
    expect(english).to_have_count(1)  # this one: the section's others are translated


def test_instant_results_are_in_the_pages_language_else_marked(app, live_url, page, request):
    if not request.node.callspec.params["page"]:
        pytest.skip("instant results are JavaScript's")
    page.goto(live_url + "/de/")
    search = page.get_by_label(WALKS["de"]["search label"])
    search.fill("rücksendung")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("So senden Sie einen Artikel zurück")
    expect(option).not_to_have_attribute("lang", "en")
    # Only an English article has this word: a French page shows it, marked English.
    page.goto(live_url + "/fr/")
    page.get_by_label(WALKS["fr"]["search label"]).fill("authenticator")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("Set up two-step sign-in")
    expect(option).to_have_attribute("lang", "en")
