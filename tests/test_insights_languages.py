"""The editors' reports and content-gap queue per language: the sample week in English, and
searches, views and votes on German and French pages beside it. A German search that finds
nothing is its own gap; one that only English answered asks for the article in German, and
that gap closes once the translation is published."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.analytics import gaps, reports
from app.analytics.article_report import article_report
from app.analytics.searches import record_click, record_search
from app.extensions import db
from app.models import ArticleViewDaily, ContentGap
from app.services import services
from tests.conftest import write_content
from tests.insights_helpers import WEEK, at, load_week, write_policy
from tests.staff_helpers import signed_in
from tests.test_insights_pages import rows_of, text_of, with_week
from tests.test_translations import GERMAN, GERMAN_CATEGORIES

SEND = "returns/send-it-back"  # not translated into German or French
TRACK = "shipping/track-a-parcel"  # translated into German

# text, results, when, visitor, page language, articles' language, results, clicked
OTHER_LANGUAGES = [
    ("Paket verfolgen", 1, at(3), "d1", "de", "de", [TRACK], None),
    ("velvet poncho", 0, at(4), "d2", "de", "de", [], None),
    ("Rücksendung Drucker", 2, at(5), "d3", "de", "en", [SEND, TRACK], None),
    ("Etikett drucken", 1, at(6), "d4", "de", "en", [SEND], SEND),
    ("imprimante", 1, at(6), "f1", "fr", "en", [SEND], None),
]
GERMAN_SEND = """\
    ---
    title: Einen Artikel Schritt für Schritt zurücksenden
    summary: Etikett drucken, Artikel verpacken, abgeben.
    type: tutorial
    updated: 2026-11-20
    ---
    Drucken Sie das Etikett auf der Rücksendeseite.
    """


def sources(app) -> gaps.Sources:
    found = services(app)
    return gaps.Sources(
        found.library,
        found.returns_policy,
        found.search,
        translated=found.translated,
        search_in=found.search_in,
    )


@pytest.fixture
def languages_app(make_app, content_dir):
    write_content(content_dir / "de", GERMAN, GERMAN_CATEGORIES)
    write_policy(content_dir)
    app = make_app()
    load_week(app)
    with app.app_context():
        for text, count, when, visitor, language, found_in, found, clicked in OTHER_LANGUAGES:
            event = record_search(text, count, "page", visitor, when, language, found_in, found)
            if clicked:
                record_click(event, clicked, 1, at=when)
        db.session.add(
            ArticleViewDaily(article_path=SEND, day=date(2026, 11, 5), views=6, language="de")
        )
        db.session.commit()
    return app


def test_the_search_report_counts_each_language_apart(languages_app):
    with languages_app.app_context():
        german = reports.search_report(WEEK, language="de")
        english = reports.search_report(WEEK, language="en")
        every = reports.search_report(WEEK)
        detail = reports.query_detail(WEEK, "velvet poncho")
        german_detail = reports.query_detail(WEEK, "velvet poncho", language="de")
    assert (german.searches, german.zero_results) == (4, 1)
    assert [(q.language, q.query, q.searches) for q in german.zero] == [("de", "velvet poncho", 1)]
    assert [d.searches for d in german.days] == [0, 0, 1, 1, 1, 1, 0]
    assert english.searches == 19  # the sample week, as before there were languages
    assert [(q.language, q.query, q.searches) for q in english.zero][:1] == [
        ("en", "velvet poncho", 2)
    ]
    assert every.searches == 24
    assert [(q.language, q.query) for q in every.zero if q.query == "velvet poncho"] == [
        ("en", "velvet poncho"),
        ("de", "velvet poncho"),
    ]
    assert (detail.stats.searches, german_detail.stats.searches) == (3, 1)
    assert german_detail.wordings == [("velvet poncho", 1)]


def test_the_article_report_counts_views_votes_and_clicks_per_language(languages_app):
    library = services(languages_app).library
    with languages_app.app_context():
        german = {a.path: a for a in article_report(WEEK, library, language="de").articles}
        every = {a.path: a for a in article_report(WEEK, library).articles}
    assert (german[SEND].views, german[SEND].search_clicks, german[SEND].votes) == (6, 1, 0)
    assert (german[TRACK].views, german[TRACK].votes) == (0, 0)
    assert (every[SEND].views, every[SEND].search_clicks, every[SEND].votes) == (13, 3, 10)


def test_an_english_answer_to_a_german_search_asks_for_a_translation(languages_app):
    with languages_app.app_context():
        queue = gaps.build_queue(WEEK, sources(languages_app), language="de")
    assert [(g.kind, g.language, g.key, g.volume) for g in queue.gaps] == [
        ("translate", "de", SEND, 2),
        ("query", "de", "velvet poncho", 1),
    ]
    translate = queue.gaps[0]
    assert translate.headline == "Translate this: Send an item back step by step into Deutsch"
    assert (
        translate.volume_text == "2 searches on Deutsch pages answered by it, 1 of them opened it"
    )
    assert translate.searched_as == ["etikett drucken", "rücksendung drucker"]
    # The parcel article answered too, but German readers have it in German already.
    with languages_app.app_context():
        every = gaps.build_queue(WEEK, sources(languages_app))
    refs = [(g.kind, g.language, g.key) for g in every.gaps]
    assert ("translate", "fr", SEND) in refs and ("translate", "de", SEND) in refs
    assert ("query", "en", "velvet poncho") in refs and ("query", "de", "velvet poncho") in refs
    assert not [ref for ref in refs if ref[2] == TRACK and ref[0] == "translate"]


def test_the_gap_queue_page_filters_by_language_and_keeps_it_in_its_links(languages_app):
    editor = signed_in(languages_app, "editor")
    page = html.unescape(text_of(editor.get(with_week("/staff/insights?lang=de"))))
    assert "Translate this: Send an item back step by step into Deutsch" in page
    assert '<option value="de" selected>Deutsch</option>' in page
    assert "Search results not opened" not in page  # English gaps are not shown
    nav = re.findall(r'<nav class="insights-nav".*?</nav>', page, re.S)[0]
    assert nav.count("lang=de") == 4
    assert 'href="/staff/insights/searches/query?q=velvet+poncho&start=2026-11-01' in page
    response = editor.get(with_week("/staff/insights?lang=de&format=csv&table=gaps"))
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="gaps-de-2026-11-01-to-2026-11-07.csv"'
    rows = rows_of(response)
    assert [(row[1], row[3], row[-1]) for row in rows[1:]] == [
        ("Translate this", "Translate this: Send an item back step by step into Deutsch", "de"),
        ("Search finds nothing", "velvet poncho", "de"),
    ]
    every = html.unescape(text_of(editor.get(with_week("/staff/insights"))))
    assert "Search results not opened" in every and "into Français" in every


def test_the_searches_page_and_csv_follow_the_language(languages_app):
    editor = signed_in(languages_app, "editor")
    page = text_of(editor.get(with_week("/staff/insights/searches?lang=fr")))
    assert "imprimante" in page and "velvet" not in page
    top = rows_of(
        editor.get(with_week("/staff/insights/searches?lang=de&format=csv&table=top_queries"))
    )
    assert [(row[0], row[2], row[-1]) for row in top[1:]] == [
        ("etikett drucken", "1", "de"),
        ("paket verfolgen", "1", "de"),
        ("rücksendung drucker", "1", "de"),
        ("velvet poncho", "1", "de"),
    ]
    unknown = text_of(editor.get(with_week("/staff/insights/searches?lang=xx")))
    assert "every language" in unknown  # an unknown language is every language


def test_a_translate_gap_closes_once_the_translation_is_published(languages_app, make_app):
    editor = signed_in(languages_app, "editor")
    page = text_of(editor.get(with_week("/staff/insights?lang=de")))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    saved = editor.post(
        with_week("/staff/insights/gaps?lang=de"),
        data={
            "csrf_token": token,
            "kind": "translate",
            "language": "de",
            "key": SEND,
            "status": "planned",
            "note": "Anna translates it",
        },
    )
    assert saved.status_code == 303 and "lang=de" in saved.headers["Location"]
    with languages_app.app_context():
        rows = db.session.execute(select(ContentGap.kind, ContentGap.language, ContentGap.key))
        assert rows.all() == [("translate", "de", SEND)]
    german = services(languages_app).content_dir / "de"
    write_content(german, {f"{SEND}.md": GERMAN_SEND}, GERMAN_CATEGORIES)
    published = make_app()  # a worker started after the content was published
    with published.app_context():
        todo = gaps.build_queue(WEEK, sources(published), language="de")
        done = gaps.build_queue(WEEK, sources(published), "done", language="de")
    assert [g.kind for g in todo.gaps] == ["query"]
    [closed] = done.gaps
    assert (closed.kind, closed.key, closed.note) == ("translate", SEND, "Anna translates it")
    assert (closed.outcome.state, closed.outcome.text) == (
        "closed",
        "The article is now in Deutsch.",
    )
    # The French readers' gap for the same article is still open.
    with published.app_context():
        french = gaps.build_queue(WEEK, sources(published), language="fr")
    assert [(g.kind, g.key) for g in french.gaps] == [("translate", SEND)]


def test_the_query_page_says_when_only_english_articles_answer(languages_app):
    editor = signed_in(languages_app, "editor")
    german = text_of(editor.get(with_week("/staff/insights/searches/query?q=printer&lang=de")))
    assert "Today this search finds 1 English article, and nothing in Deutsch, first:" in german
    assert "Send an item back step by step</a>" in german
    own = text_of(editor.get(with_week("/staff/insights/searches/query?q=paket&lang=de")))
    assert "Wie verfolge ich mein Paket?</a>" in own and "English article" not in own
    every = text_of(editor.get(with_week("/staff/insights/searches/query?q=printer")))
    assert "Today this search finds 1 article, first:" in every
