"""The help center's articles in other languages: CONTENT_DIR/de mirrors the English tree, a
translated article replaces its original on German pages, an untranslated one is shown in
English and says so, search analyses German as German and falls back to English, and
`flask content check` reports what is untranslated or older than its original."""

import re
import textwrap
from pathlib import Path

import pytest

from app.content import load_library
from app.content.translations import localise, translation_report
from tests.conftest import ROOT, write_content

GERMAN_CATEGORIES = """\
- slug: shipping
  title: Versand & Lieferung
  description: So kommt Ihre Bestellung zu Ihnen.
"""

GERMAN = {
    "shipping/track-a-parcel.md": """\
        ---
        title: Wie verfolge ich mein Paket?
        summary: Verfolgen Sie Ihr Paket von unserem Lager bis zu Ihrer Haustür.
        type: faq
        tags: [sendungsverfolgung, lieferung]
        updated: 2026-09-01
        order: 10
        related: [returns/send-it-back]
        aliases: ["wo ist mein päckchen"]
        ---
        Öffnen Sie den Link in Ihrer Versandbestätigung, um zu sehen, wo Ihr Paket gerade ist.
        Die Sendungsverfolgung zeigt jeden Schritt der Zustellung.
        """,
    "shipping/delivery-options.md": """\
        ---
        title: Lieferoptionen
        summary: Standardversand, Expressversand und Abholung im Geschäft.
        type: faq
        updated: 2026-09-15
        ---
        Standardversand dauert 3-5 Werktage, Expressversand einen Werktag. Die Rücksendungen
        sind kostenlos. Zur Abholung zeigen Sie den QR-Code aus Ihrer E-Mail.
        """,
}


@pytest.fixture
def german_dir(content_dir):
    """The test help center with two of its three articles in German; the delivery options'
    original was updated after its translation (2026-10-05, see tests/conftest.py)."""
    write_content(content_dir / "de", GERMAN, GERMAN_CATEGORIES)
    (content_dir / "de" / "synonyms.yml").write_text("- [päckchen, paket, sendung]\n")
    return content_dir


@pytest.fixture
def german_app(german_dir, make_app):
    return make_app()


def test_the_english_library_leaves_the_language_folders_to_their_languages(german_dir):
    english = load_library(german_dir)
    assert sorted(english.articles) == [
        "returns/send-it-back",
        "shipping/delivery-options",
        "shipping/track-a-parcel",
    ]
    assert {a.language for a in english.articles.values()} == {"en"}
    assert [c.slug for c in english.categories] == ["shipping", "returns"]
    german = load_library(german_dir, language="de")
    assert sorted(german.articles) == ["shipping/delivery-options", "shipping/track-a-parcel"]
    assert german.articles["shipping/track-a-parcel"].title == "Wie verfolge ich mein Paket?"
    assert german.articles["shipping/track-a-parcel"].language == "de"
    assert german.problems == []  # its related article is English only: not a problem


def test_a_german_reader_gets_each_translation_and_english_where_there_is_none(german_dir):
    english = load_library(german_dir)
    seen = localise(english, load_library(german_dir, language="de"))
    assert seen.language == "de"
    assert seen.get("shipping/track-a-parcel").title == "Wie verfolge ich mein Paket?"
    untranslated = seen.get("returns/send-it-back")
    assert untranslated is english.get("returns/send-it-back")
    assert untranslated.language == "en"
    shipping, returns = seen.categories
    assert (shipping.title, shipping.language) == ("Versand & Lieferung", "de")
    assert (returns.title, returns.language) == ("Returns", "en")  # no German name given
    assert [a.path for a in shipping.articles] == [
        "shipping/track-a-parcel",  # order 10
        "shipping/delivery-options",
    ]
    assert [a.title for a in seen.related_to(seen.get("shipping/track-a-parcel"))] == [
        "Send an item back step by step"
    ]


def test_the_report_counts_untranslated_and_stale_translations(german_dir):
    report = translation_report(load_library(german_dir), load_library(german_dir, language="de"))
    assert report.translated == 2
    assert report.untranslated == ["returns/send-it-back"]
    assert [(s.path, str(s.translated), str(s.original)) for s in report.stale] == [
        ("shipping/delivery-options", "2026-09-15", "2026-10-05")
    ]
    assert report.only_here == [] and report.problems == []


def test_a_translated_article_is_german_through_and_through(german_app):
    page = german_app.test_client().get("/de/articles/shipping/track-a-parcel")
    assert page.status_code == 200
    html = page.text
    assert '<h1 id="article-title">Wie verfolge ich mein Paket?</h1>' in html
    assert "Versandbestätigung" in html
    assert "translation-note" not in html
    # The breadcrumb's section is German; the related article is English and says so.
    assert '"/de/categories/shipping">Versand &amp; Lieferung</a>' in html
    related = re.search(r'<section aria-labelledby="related-heading".*?</section>', html, re.S)
    assert 'lang="en">Send an item back step by step</a>' in related.group(0)
    # The English page is unchanged.
    english = german_app.test_client().get("/articles/shipping/track-a-parcel").text
    assert '<h1 id="article-title">How do I track my parcel?</h1>' in english


def test_an_untranslated_article_is_shown_in_english_with_a_note(german_app):
    html = german_app.test_client().get("/de/articles/returns/send-it-back").text
    assert "translation-note" in html
    assert '<h1 id="article-title" lang="en">Send an item back step by step</h1>' in html
    assert '<div class="article-body" lang="en">' in html


def test_the_german_home_page_names_sections_in_german(german_app):
    html = german_app.test_client().get("/de/").text
    assert '<h3><a href="/de/categories/shipping">Versand &amp; Lieferung</a></h3>' in html
    assert '<h3 lang="en"><a href="/de/categories/returns">Returns</a></h3>' in html


@pytest.mark.parametrize(
    "query",
    [
        "paket verfolgen",
        "Sendungsverfolgungen",  # another form of the word: German stems
        "versandbestaetigung",  # umlaut typed as "ae": a typo away
        "rucksendungen",  # umlaut left out: folded like the index
        "päckchen",  # German synonyms (de/synonyms.yml) and aliases
    ],
)
def test_german_search_finds_german_articles(german_app, query):
    client = german_app.test_client()
    data = client.get("/de/api/search", query_string={"q": query}).get_json()
    assert data["total"] >= 1, query
    first = data["results"][0]
    assert first["language"] == "de"
    assert first["title"] in ("Wie verfolge ich mein Paket?", "Lieferoptionen")
    assert first["url"].startswith("/de/articles/")


def test_german_snippets_mark_the_words_found(german_app):
    html = german_app.test_client().get("/de/search?q=zustellungen").text
    assert "<mark>Zustellung</mark>" in html


ONLY_ENGLISH = "Kein Artikel auf Deutsch passt zu Ihrer Suche"


def test_a_query_only_english_articles_answer_falls_back_to_them(german_app):
    client = german_app.test_client()
    html = client.get("/de/search?q=printer").text
    assert "Send an item back step by step" in html
    assert '<h2 class="result-title" lang="en">' in html
    assert ONLY_ENGLISH in html
    data = client.get("/de/api/search", query_string={"q": "printer"}).get_json()
    assert [r["language"] for r in data["results"]] == ["en"]
    assert ONLY_ENGLISH not in client.get("/de/search?q=paket").text


def test_english_articles_with_all_the_words_answer_before_german_ones_with_some(german_app):
    """ "qr printer": a German article has "QR", an English one both words."""
    data = german_app.test_client().get("/de/api/search?q=qr+printer").get_json()
    assert data["results"][0]["title"] == "Send an item back step by step"
    assert data["results"][0]["language"] == "en"


def test_an_english_hit_for_a_translated_article_is_shown_translated(german_app):
    """The English index found it ("warehouse" is only in the original); the link opens the
    German article, so the result shows that."""
    html = german_app.test_client().get("/de/search?q=warehouse").text
    assert '<h2 class="result-title"><a href="/de/search/open?path=shipping/track-a-parcel' in html
    assert ">Wie verfolge ich mein Paket?</a></h2>" in html
    assert ONLY_ENGLISH not in html


def test_without_a_german_index_german_pages_search_the_english_articles(german_dir, make_app):
    import shutil

    first = make_app()
    shutil.rmtree(first.config["INDEX_DIR"] + "/de")
    app = make_app(SEARCH_INDEX_ON_START=False)
    page = app.test_client().get("/de/search?q=printer")
    assert page.status_code == 200
    assert "Send an item back step by step" in page.text


def test_an_index_from_an_earlier_version_is_unavailable_not_a_500(content_dir, make_app):
    from app.search.indexer import current_generation

    first = make_app()
    generation = current_generation(Path(first.config["INDEX_DIR"]))
    (generation / "SCHEMA").write_text("9")
    client = make_app(SEARCH_INDEX_ON_START=False).test_client()
    assert client.get("/articles/shipping/track-a-parcel").status_code == 200  # no "similar"
    assert client.get("/search?q=parcel").status_code == 503


def test_a_section_with_no_german_name_keeps_its_english_one(content_dir, make_app):
    write_content(content_dir / "de", GERMAN, categories="")
    (content_dir / "de" / "categories.yml").unlink()
    html = make_app().test_client().get("/de/").text
    assert (
        '<h3 lang="en"><a href="/de/categories/shipping">Shipping &amp; delivery</a></h3>' in html
    )
    assert "Getting your order to you." in html


def test_an_article_only_in_german_offers_no_other_language(german_dir, make_app):
    only = german_dir / "de" / "shipping" / "nur-deutsch.md"
    only.write_text("---\ntitle: Nur auf Deutsch\n---\nText.\n")
    client = make_app().test_client()
    html = client.get("/de/articles/shipping/nur-deutsch").text
    assert 'hreflang="de" href="https://help.example.test/de/articles/shipping/nur-deutsch"' in html
    assert 'hreflang="en"' not in html and 'hreflang="x-default"' not in html
    assert client.get("/articles/shipping/nur-deutsch").status_code == 404
    # An untranslated article's German address shows the English page: no German alternate.
    untranslated = client.get("/articles/returns/send-it-back").text
    assert 'rel="alternate" hreflang="de"' not in untranslated
    assert '<a href="/de/articles/returns/send-it-back" hreflang="de" lang="de">' in untranslated


def test_french_questions_leave_their_little_words_out():
    from app.search.languages import analysis

    assert analysis("fr").stems("les frais de cette commande") == ["frais", "command"]


def test_the_german_sitemap_lists_the_german_articles(german_app):
    german = german_app.test_client().get("/de/sitemap.xml").text
    assert "<loc>https://help.example.test/de/articles/shipping/track-a-parcel</loc>" in german
    # An untranslated article at a German address is the English page: not listed twice.
    assert "send-it-back" not in german


def test_content_check_reports_the_translations(german_dir, make_app):
    (german_dir / "returns-policy.yml").unlink()  # it names the sample shop's articles
    app = make_app(warm=False)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "de: 2 of 3 article(s) translated." in result.output
    assert "untranslated: returns/send-it-back" in result.output
    assert (
        "stale: de/shipping/delivery-options.md was translated 2026-09-15, "
        "its original updated 2026-10-05"
    ) in result.output


def test_content_check_fails_on_a_broken_translation(german_dir, make_app):
    (german_dir / "de" / "shipping" / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n")
    app = make_app(warm=False)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "de/shipping/broken.md:" in result.output


def test_content_index_builds_each_languages_index(german_dir, make_app):
    app = make_app(warm=False)
    result = app.test_cli_runner().invoke(args=["content", "index"])
    assert result.exit_code == 0, result.output
    assert "Search index: full build: 3 articles." in result.output
    assert "Search index (de): full build: 2 articles." in result.output
    edited = german_dir / "de" / "shipping" / "delivery-options.md"
    edited.write_text(edited.read_text().replace("Lieferoptionen", "Versandarten"))
    again = app.test_cli_runner().invoke(args=["content", "index", "--changed"])
    assert "Search index (de): 0 added, 1 changed, 0 deleted." in again.output
    assert "Search index: 0 added, 0 changed, 0 deleted." in again.output


@pytest.mark.parametrize(
    ("language", "facts"),
    [
        (
            "de",
            [
                "Die Bedingungen im Überblick",
                "<td>Die meisten Artikel</td><td>30 Tage ab Zustellung</td>",
                "<td>Schuhe</td><td>45 Tage ab Zustellung</td>",
                "<td>Zu klein</td><td>5,95\u00a0$, von Ihrer Erstattung abgezogen</td>",
                "<td>Beschädigt angekommen</td><td>Kostenlos</td>",
            ],
        ),
        (
            "fr",
            [
                "Nos conditions en bref",
                "<td>Chaussures</td><td>45 jours après la livraison</td>",
                "<td>Trop petit</td><td>5,95\u00a0$US déduits de votre remboursement</td>",
            ],
        ),
    ],
)
def test_the_policy_facts_are_written_in_the_articles_language(make_app, language, facts):
    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    html = app.test_client().get(f"/{language}/articles/returns-refunds/return-policy").text
    start = html.index('<section class="policy-facts"')
    section = html[start : html.index("</section>", start)]
    for fact in facts:
        assert fact in section
    english = app.test_client().get("/articles/returns-refunds/return-policy").text
    assert "<td>Shoes</td><td>45 days from delivery</td>" in english


def test_a_category_name_the_policy_doesnt_have_is_reported(content_dir):
    from app.returns.policy import load_policy

    (content_dir / "de").mkdir()
    (content_dir / "de" / "returns-policy.yml").write_text("category_names:\n  hats: Hüte\n")
    policy = load_policy(content_dir)
    [(file, problem)] = policy.text_problems
    assert file == "de/returns-policy.yml"
    assert "category_names: hats is not a product category of the return policy" in str(problem)


def test_a_translation_in_another_section_than_its_original_is_a_problem(german_dir):
    with (german_dir / "de" / "categories.yml").open("a") as names:
        names.write("- slug: returns\n  title: Rücksendungen\n")
    page = german_dir / "de" / "shipping" / "track-a-parcel.md"
    page.write_text(page.read_text().replace("type: faq", "type: faq\ncategory: returns"))
    german = load_library(german_dir, language="de")
    report = translation_report(load_library(german_dir), german)
    assert [str(p) for p in report.problems] == [
        "de/shipping/track-a-parcel.md:1: in section 'returns', its original in 'shipping'"
    ]


# The other layout: translations anywhere under CONTENT_DIR, their language and original in
# their front matter, as generators that keep each translation beside its original write them.
BESIDE = {
    "shipping/track-a-parcel.de.md": """\
        ---
        title: Wie verfolge ich mein Paket?
        lang: de
        translation_of: shipping/track-a-parcel
        updated: 2026-09-01
        ---
        Öffnen Sie den Link in Ihrer Versandbestätigung, um Ihr Paket zu verfolgen.
        """,
    "versand/lieferoptionen.md": """\
        ---
        title: Lieferoptionen
        lang: de-DE
        translation_of: articles/shipping/delivery-options.md
        ---
        Standardversand dauert drei bis fünf Werktage.
        """,
    "returns/renvoyer-un-article.md": """\
        ---
        title: Renvoyer un article sans imprimante
        locale: fr_FR
        ---
        Choisissez le code QR de dépôt.
        """,
}


@pytest.fixture
def beside_dir(content_dir):
    for relative, text in BESIDE.items():
        (content_dir / relative).parent.mkdir(exist_ok=True)
        (content_dir / relative).write_text(textwrap.dedent(text), encoding="utf-8")
    return content_dir


def test_front_matter_says_which_language_a_file_is_and_what_it_translates(beside_dir):
    english = load_library(beside_dir)
    assert sorted(english.articles) == [
        "returns/send-it-back",
        "shipping/delivery-options",
        "shipping/track-a-parcel",
    ]
    assert english.articles["shipping/track-a-parcel"].title == "How do I track my parcel?"
    assert sorted(english.elsewhere) == sorted(BESIDE)
    german = load_library(beside_dir, language="de")
    assert {path: (a.title, a.source) for path, a in german.articles.items()} == {
        "shipping/track-a-parcel": (
            "Wie verfolge ich mein Paket?",
            "shipping/track-a-parcel.de.md",
        ),
        "shipping/delivery-options": ("Lieferoptionen", "versand/lieferoptionen.md"),
    }
    assert german.articles["shipping/delivery-options"].category == "shipping"
    assert german.problems == []
    french = load_library(beside_dir, language="fr")
    assert list(french.articles) == ["returns/renvoyer-un-article"]  # written in French only
    assert french.articles["returns/renvoyer-un-article"].language == "fr"


def test_translations_beside_their_originals_are_served_and_searched(beside_dir, make_app):
    client = make_app().test_client()
    page = client.get("/de/articles/shipping/delivery-options")
    assert page.status_code == 200
    assert '<html lang="de"' in page.text
    assert "Standardversand dauert drei bis fünf Werktage." in page.text
    english = client.get("/articles/shipping/delivery-options").text
    assert "Standardversand" not in english
    assert "Delivery options" in english
    found = client.get("/de/api/search", query_string={"q": "werktage"}).get_json()
    assert [(r["url"], r["language"]) for r in found["results"]] == [
        ("/de/articles/shipping/delivery-options", "de")
    ]
    assert client.get("/fr/articles/returns/renvoyer-un-article").status_code == 200
    assert client.get("/articles/returns/renvoyer-un-article").status_code == 404


def test_what_a_files_language_can_get_wrong_is_reported(beside_dir, make_app):
    (beside_dir / "returns-policy.yml").unlink()  # it names the sample shop's articles
    extra = {
        "returns/devolver.md": "---\ntitle: Devolver\nlang: es\n---\nx\n",
        "returns/orphan.md": "---\ntitle: Orphan\ntranslation_of: returns/send-it-back\n---\nx\n",
        "shipping/zoll.md": (
            "---\ntitle: Zoll\nlang: de\ntranslation_of: shipping/customs\n---\nZollgebühren.\n"
        ),
        "de/returns/falsch.md": "---\ntitle: Faux\nlang: fr\nupdated: 2026-01-01\n---\nx\n",
        "returns/nowhere.md": '---\ntitle: Nirgends\nlang: de\ntranslation_of: "/"\n---\nx\n',
    }
    for relative, text in extra.items():
        (beside_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (beside_dir / relative).write_text(text, encoding="utf-8")
    result = make_app(warm=False).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    for problem in [
        "returns/devolver.md:3: lang 'es' is not one of the site's: en, de, fr",
        "returns/orphan.md:3: translation_of is for a translation into another language: ignored",
        "returns/nowhere.md:4: translation_of '/' names no article: shown at 'returns/nowhere'",
        "shipping/zoll.md:1: translation_of 'shipping/customs': no such article",
        "de/returns/falsch.md:3: lang 'fr' in the de/ folder: read as de",
    ]:
        assert problem in result.output
    english = load_library(beside_dir)
    assert "returns/orphan" in english.articles  # still shown, in English
    assert "returns/devolver" not in english.articles
    assert "returns/devolver" not in load_library(beside_dir, language="de").articles
    assert "returns/falsch" in load_library(beside_dir, language="de").articles


def test_a_translation_without_a_date_is_reported_as_undated(beside_dir, make_app):
    (beside_dir / "returns-policy.yml").unlink()
    result = make_app(warm=False).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "de: 2 of 3 article(s) translated." in result.output
    assert (
        "undated: versand/lieferoptionen.md has no updated date, so whether it is older "
        "than its original can't be told"
    ) in result.output
    assert "only in fr: returns/renvoyer-un-article" in result.output


def test_an_index_update_reads_only_what_changed_in_either_layout(
    beside_dir, make_app, monkeypatch
):
    from app.search import indexer

    app = make_app(warm=False)
    assert app.test_cli_runner().invoke(args=["content", "index"]).exit_code == 0
    read = []
    real_load = indexer.load_article
    monkeypatch.setattr(
        indexer,
        "load_article",
        lambda bodies, path, *rest: read.append(path) or real_load(bodies, path, *rest),
    )
    index = Path(app.config["INDEX_DIR"])
    assert str(indexer.update_changed(beside_dir, index / "de", "de")) == (
        "0 added, 0 changed, 0 deleted"
    )
    assert read == []  # the English files were found to be English when it was built
    moved = beside_dir / "shipping" / "track-a-parcel.de.md"
    moved.write_text(moved.read_text().replace("lang: de", "lang: fr"))
    (beside_dir / "returns" / "zurueck.md").write_text(
        "---\ntitle: Zurücksenden\nlang: de\ntranslation_of: returns/send-it-back\n---\nEtikett.\n"
    )
    assert str(indexer.update_changed(beside_dir, index / "de", "de")) == (
        "1 added, 0 changed, 1 deleted"
    )
    assert sorted(read) == ["returns/zurueck.md", "shipping/track-a-parcel.de.md"]
    assert str(indexer.update_changed(beside_dir, index, "en")) == "0 added, 0 changed, 0 deleted"
    client = make_app().test_client()
    found = client.get("/de/api/search", query_string={"q": "etikett"}).get_json()
    assert [r["url"] for r in found["results"]] == ["/de/articles/returns/send-it-back"]
    assert "Wie verfolge" in client.get("/fr/articles/shipping/track-a-parcel").text


def test_a_broken_file_is_reported_once_not_by_each_language(content_dir, make_app):
    (content_dir / "returns-policy.yml").unlink()
    (content_dir / "shipping" / "broken.md").write_text("---\ntitle: Broken\nno closing fence\n")
    (content_dir / "shipping" / "kaputt.md").write_text("---\nlang: de\n---\nOhne Titel.\n")
    result = make_app(warm=False).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines.count("shipping/broken.md:1: front matter opened with --- but never closed") == 1
    assert lines.count("shipping/kaputt.md:1: missing required key: title") == 1
    assert "2 problem(s); 3 article(s) load." in result.output
    assert "de:" not in result.output  # nothing is translated: no report of what isn't


def test_a_language_folder_keeps_a_path_a_translation_elsewhere_also_claims(beside_dir):
    (beside_dir / "de" / "shipping").mkdir(parents=True)
    (beside_dir / "de" / "shipping" / "track-a-parcel.md").write_text(
        "---\ntitle: Paket verfolgen\n---\nIm Ordner.\n"
    )
    german = load_library(beside_dir, language="de")
    assert german.articles["shipping/track-a-parcel"].source == "de/shipping/track-a-parcel.md"
    assert [str(p) for p in german.problems] == [
        "shipping/track-a-parcel.de.md:1: duplicate path 'shipping/track-a-parcel' "
        "(also de/shipping/track-a-parcel.md)"
    ]


def test_changing_what_a_translation_translates_moves_it_in_the_index(beside_dir, make_app):
    app = make_app(warm=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "index"]).exit_code == 0
    moved = beside_dir / "shipping" / "track-a-parcel.de.md"
    moved.write_text(moved.read_text().replace("shipping/track-a-parcel", "returns/send-it-back"))
    result = runner.invoke(args=["content", "index", "--changed"])
    assert "Search index (de): 1 added, 0 changed, 1 deleted." in result.output
    client = make_app().test_client()
    found = client.get("/de/api/search", query_string={"q": "versandbestätigung"}).get_json()
    assert found["total"] == 1
    assert [r["url"] for r in found["results"]] == ["/de/articles/returns/send-it-back"]
    english = client.get("/de/articles/shipping/track-a-parcel").text
    assert "How do I track my parcel?" in english  # untranslated again: shown in English
