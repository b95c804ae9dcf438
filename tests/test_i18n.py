"""The help center in the customer's language: `/de/...` and `/fr/...` beside the English
pages, every link of a page keeping its language, the alternates search engines read, and
catalogues that translate every marked string."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

TRANSLATIONS = ROOT / "app" / "translations"
SHIPPED = ("de", "fr")


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([\w-]+)"', html).group(1)


@pytest.mark.parametrize(
    ("prefix", "lang", "heading", "nav"),
    [
        ("", "en", "How can we help?", "Start a return"),
        ("/de", "de", "Wie können wir helfen?", "Rücksendung starten"),
        ("/fr", "fr", "Comment pouvons-nous vous aider\u00a0?", "Faire un retour"),
    ],
)
def test_the_home_page_in_each_language(client, prefix, lang, heading, nav):
    page = client.get(prefix + "/")
    assert page.status_code == 200
    html = page.text
    assert lang_of(html) == lang
    assert f"<h1>{heading}</h1>" in html
    # Links stay in the page's language: the returns portal, articles, the stylesheet.
    assert f'<a href="{prefix}/returns/">{nav}</a>' in html
    assert f'href="{prefix}/articles/shipping/track-a-parcel"' in html
    # Every language's address, for search engines and the switcher.
    site = "https://help.example.test"
    for code, path in (("en", "/"), ("de", "/de/"), ("fr", "/fr/"), ("x-default", "/")):
        assert f'<link rel="alternate" hreflang="{code}" href="{site}{path}">' in html
    switcher = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    current = re.findall(r'lang="(\w+)" aria-current="true"', switcher)
    assert current == [lang]
    assert 'lang="de"' in switcher and ">Deutsch</a>" in switcher and ">Français</a>" in switcher


def test_the_switcher_keeps_the_page_and_its_query(client):
    html = client.get("/de/search?q=refund&type=faq").text
    assert lang_of(html) == "de"
    assert "<h1>Suchergebnisse</h1>" in html
    assert '<a href="/fr/search?q=refund&amp;type=faq" hreflang="fr" lang="fr">' in html
    assert '<a href="/search?q=refund&amp;type=faq" hreflang="en" lang="en">' in html
    assert 'hreflang="fr" href="https://help.example.test/fr/search?q=refund&amp;type=faq"' in html


def test_an_article_not_yet_translated_says_so_and_is_marked_english(client):
    path = "/articles/shipping/track-a-parcel"
    english = client.get(path).text
    german = client.get("/de" + path).text
    assert "translation-note" not in english
    assert "Diesen Artikel gibt es noch nicht auf Deutsch" in german
    assert '<h1 id="article-title" lang="en">' in german
    assert "War dieser Artikel hilfreich?" in german
    # Each language is its own shared page, kept apart by the site's own cache too.
    assert "War dieser Artikel hilfreich?" not in client.get(path).text
    french = client.get("/fr" + path)
    assert "Cet article vous a-t-il aidé\u00a0?" in french.text
    assert french.headers["Cache-Control"].startswith("public")
    assert "Cookie" not in french.headers.get("Vary", "")


def test_an_unknown_prefix_is_just_a_path(client):
    assert client.get("/es/").status_code == 404
    assert client.get("/de/articles/nope").status_code == 404
    assert lang_of(client.get("/de/articles/nope").text) == "de"


def _catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _key(message_id):
    """A message's id as a dict key: a plural's (singular, plural) comes as a list from .mo."""
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_marked_string_is_translated(lang, tmp_path):
    """What `make translations` would collect now is in the catalogue, translated, with its
    placeholders, and the compiled catalogue the site reads says the same."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "-F",
         TRANSLATIONS / "babel.cfg", "-k", "lazy_gettext", "-k", "N_", "-k", "_l",
         "-k", "Plural:1,2", "--no-location", "-o", template, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )  # fmt: skip
    with template.open("rb") as f:
        marked = {_key(message.id) for message in read_po(f) if message.id}
    catalogue = _catalogue(lang)
    held = {_key(message.id): message for message in catalogue if message.id}
    missing = sorted(str(key) for key in marked - set(held))
    assert not missing, f"not in {lang}'s catalogue (run `make translations`): {missing}"
    untranslated = sorted(str(key) for key in marked if not _translated(held[key]))
    assert not untranslated, f"untranslated in {lang}: {untranslated}"
    problems = [(str(message.id), errors) for message, errors in catalogue.check() if errors]
    assert not problems, problems
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    stale = [key for key in marked if compiled.get(key) != _key(held[key].string)]
    assert not stale, f"messages.mo is older than messages.po (run `make translations`): {stale}"


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_catalogues_keep_each_languages_house_style():
    """French puts a no-break space before : ; ! ? and inside « »; German says "Sie" to the
    customer, never "du"."""
    french_spacing = re.compile(r"[ \u202f][:;!?]|\w[:;!?](?=\s|$)|«(?!\u00a0)|(?<!\u00a0)»")
    french = [s for m in _catalogue("fr") if m.id for s in _strings(m) if french_spacing.search(s)]
    assert not french, french
    informal = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|euch|euer)\b", re.I)
    german = [s for m in _catalogue("de") if m.id for s in _strings(m) if informal.search(s)]
    assert not german, german


@pytest.mark.parametrize(
    ("headers", "goes_to"),
    [
        ({"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}, "/de/"),
        ({"Accept-Language": "fr-CH, fr;q=0.9", "Sec-Fetch-Site": "none"}, "/fr/"),
        ({"Accept-Language": "fr", "Sec-Fetch-Site": "cross-site"}, "/fr/"),
        ({"Accept-Language": "en-GB,de;q=0.5"}, None),
        ({"Accept-Language": "es, it;q=0.8"}, None),
        # Chosen on this site (the switcher's English link): no redirect, no cookie needed.
        ({"Accept-Language": "de", "Sec-Fetch-Site": "same-origin"}, None),
        ({"Accept-Language": "de", "Referer": "http://localhost/de/"}, None),
    ],
)
def test_a_visitor_arriving_at_the_home_page_is_sent_to_their_language(client, headers, goes_to):
    answer = client.get("/", headers=headers)
    if goes_to:
        assert (answer.status_code, answer.headers["Location"]) == (302, goes_to)
    else:
        assert answer.status_code == 200 and lang_of(answer.text) == "en"
    assert {"Accept-Language", "Sec-Fetch-Site"} <= set(answer.vary)
    assert "Set-Cookie" not in answer.headers
    # Other pages, and the other languages' home pages, stay where they were asked for.
    assert client.get("/de/", headers={"Accept-Language": "fr"}).status_code == 200
    assert client.get("/search?q=x", headers={"Accept-Language": "de"}).status_code == 200


def test_dates_forms_and_the_instant_search_speak_the_language(client):
    german = client.get("/de/articles/shipping/track-a-parcel").text
    assert re.search(r"Aktualisiert am <time datetime=\"[\d-]+\">\d+\. \w+ \d{4}</time>", german)
    french = client.get("/fr/").text
    assert 'data-text-see-all="Voir les {n} résultats"' in french
    contact = client.get("/de/contact?article=shipping/track-a-parcel").text
    assert "<h1>Fragen Sie unser Team</h1>" in contact
    assert "Ihre E-Mail-Adresse für unsere Antwort" in contact
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', contact).group(1)
    sent = client.post(
        "/de/contact?article=shipping/track-a-parcel",
        data={"csrf_token": token, "email": "not an address", "message": ""},
    )
    assert "Geben Sie eine E-Mail-Adresse wie name@example.com ein." in sent.text
    assert "Sagen Sie uns, wobei Sie Hilfe brauchen." in sent.text


def test_each_language_has_its_sitemap(client):
    english = client.get("/sitemap.xml").text
    german = client.get("/de/sitemap.xml").text
    assert "<loc>https://help.example.test/articles/shipping/track-a-parcel</loc>" in english
    assert "<loc>https://help.example.test/de/categories/shipping</loc>" in german
    # No article is in German here: its German address would be the English page again.
    assert "/articles/" not in german
    assert "/de/" not in english


def test_the_help_centers_own_words_are_marked_english_on_other_languages_pages(client):
    """WCAG's language of parts: titles and summaries are written in English for now."""
    german = client.get("/de/").text
    assert '<h3 lang="en"><a href="/de/categories/shipping">' in german
    results = client.get("/fr/search?q=parcel").text
    assert '<h2 class="result-title" lang="en">' in results
    assert '<p class="snippet" lang="en">' in results
    english = client.get("/").text
    assert english.count(' lang="en"') == 2  # the page's own, and its switcher's "English"


def test_areas_not_yet_translated_stay_english_whole(client):
    page = client.get("/de/staff/sign-in")
    assert page.status_code == 200 and lang_of(page.text) == "en"
    assert "<h1>Staff sign-in</h1>" in page.text
    assert '<a href="/de/">Customer site</a>' in page.text  # links keep the prefix


def test_odd_arrivals_never_fail(client):
    for headers in (
        {"Referer": "http://[", "Accept-Language": "de"},  # not a URL
        {"Accept-Language": "de;q=0, fr;q=abc, *"},
        {"Accept-Language": ";;;,"},
    ):
        answer = client.get("/", headers=headers)
        assert answer.status_code in (200, 302), headers
    # q=0 means "not German"; a campaign's query survives the redirect.
    assert client.get("/", headers={"Accept-Language": "de;q=0, en"}).status_code == 200
    moved = client.get("/?utm_source=mail", headers={"Accept-Language": "fr"})
    assert moved.headers["Location"] == "/fr/?utm_source=mail"


def test_a_shared_article_page_never_carries_a_visitors_query(client):
    path = "/de/articles/shipping/track-a-parcel"
    first = client.get(path + "?utm=spam%22%3E")
    plain = client.get(path)
    assert "utm" not in plain.text and "spam" not in first.text
    assert first.headers["ETag"] == plain.headers["ETag"]


def test_pages_not_yet_translated_offer_no_other_languages(client):
    page = client.get("/de/staff/sign-in").text
    assert "hreflang" not in page and 'class="languages"' not in page


def test_robots_keeps_crawlers_out_of_every_languages_private_pages(client):
    robots = client.get("/robots.txt").text
    for prefix in ("", "/de", "/fr"):
        assert f"Disallow: {prefix}/returns/\n" in robots
        assert f"Disallow: {prefix}/staff/\n" in robots
        assert f"Sitemap: https://help.example.test{prefix}/sitemap.xml\n" in robots


def test_an_untranslated_articles_own_words_alone_are_marked_english(client):
    german = client.get("/de/articles/shipping/track-a-parcel").text
    assert '<article class="article" aria-labelledby="article-title">' in german
    assert '<h1 id="article-title" lang="en">' in german
    assert '<div class="article-body" lang="en">' in german
    assert '<h2 id="toc-heading">Auf dieser Seite</h2>' in german or "toc-heading" not in german


def test_error_pages_and_search_fallbacks_speak_the_language(client):
    missing = client.get("/de/articles/nope").text
    assert "<h1>Diese Seite haben wir nicht gefunden</h1>" in missing
    assert client.get("/fr/nope").status_code == 404
    assert "Nous n’avons pas trouvé cette page" in client.get("/fr/nope").text
    similar = client.get("/de/search?q=tracker").text  # no article has it; "track" is near
    assert "Artikel mit ähnlichen Wörtern" in similar


def test_one_copy_of_the_stylesheet_and_script_for_every_language(client):
    for prefix in ("", "/de", "/fr"):
        html = client.get(prefix + "/").text
        assert '<link rel="stylesheet" href="/static/css/site.css">' in html
        assert '<script src="/static/js/site.js" defer></script>' in html
    with client.get("/static/css/site.css") as stylesheet:  # (a file response: closed)
        assert stylesheet.status_code == 200


def test_opening_hours_are_written_in_the_pages_language(client):
    assert "Monday to Friday, 9:00 to 17:00" in client.get("/").text
    assert "Montag bis Freitag, 9 bis 17 Uhr" in client.get("/de/").text
    assert "du lundi au vendredi, de 9\u00a0h à 17\u00a0h" in client.get("/fr/").text


def test_a_shops_own_words_are_not_replaced_by_the_samples_translations():
    from app.config import _written_in

    own = _written_in({"SUPPORT_HOURS": "Daily 8-20"}, "SUPPORT_HOURS")
    assert own == {"en": "Daily 8-20", "de": "Daily 8-20", "fr": "Daily 8-20"}  # as written
    german = {"SUPPORT_HOURS": "Daily 8-20", "SUPPORT_HOURS_DE": "Täglich 8-20 Uhr"}
    assert _written_in(german, "SUPPORT_HOURS")["de"] == "Täglich 8-20 Uhr"
    assert _written_in({}, "SUPPORT_HOURS")["de"] == "Montag bis Freitag, 9 bis 17 Uhr"
    assert _written_in({"SITE_NAME": "Acme Help"}, "SITE_NAME")["fr"] == "Acme Help"


def test_the_site_is_named_in_the_pages_language(client):
    assert "<title>Juniper &amp; Pine Hilfe-Center</title>" in client.get("/de/").text
    assert "<title>Centre d’aide Juniper &amp; Pine</title>" in client.get("/fr/").text
