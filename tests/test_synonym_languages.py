"""Synonym suggestions per language: a pair is learnt from one visitor's searches on pages in
one language, shown and filtered with that language, described with its synonyms.yml and as
its readers' search finds articles, and checked against that file when it is published."""

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.analytics import synonyms
from app.analytics.searches import record_search
from app.extensions import db
from app.models import ContentGap, SynonymSuggestion
from tests.insights_helpers import at
from tests.staff_helpers import signed_in
from tests.test_insights_pages import rows_of, text_of, with_week
from tests.test_translations import german_app, german_dir  # noqa: F401 - fixtures

# visitor, [(query, results, page language, minutes after the first)]
VISITS = [
    ("g1", [("pakte", 0, "de", 0), ("paket", 2, "de", 1)]),
    ("g2", [("Pakte!", 0, "de", 0), ("paket", 2, "de", 2)]),
    # The German help center has no returns article: English answers the German search.
    ("g3", [("drucker", 0, "de", 0), ("printer", 1, "de", 1)]),
    # The same pair on English pages is English's.
    ("e1", [("pakte", 0, "en", 0), ("track parcel", 1, "en", 1)]),
    # Switching language between the two searches pairs nothing.
    ("m1", [("retoure", 0, "de", 0), ("return", 1, "en", 1)]),
    ("m2", [("parcl", 0, "en", 0), ("sendung", 1, "de", 1)]),
    # A search on English pages in between doesn't end the visit on German ones.
    ("m3", [("lieferng", 0, "de", 0), ("delivery", 1, "en", 1), ("lieferung", 1, "de", 2)]),
]


@pytest.fixture
def searched(german_app):  # noqa: F811 - the fixture imported above
    with german_app.app_context():
        for visitor, searches in VISITS:
            for query, results, language, minutes in searches:
                when = at(3, 10) + timedelta(minutes=minutes)
                record_search(query, results, "page", visitor, at=when, language=language)
    return german_app


def suggestions(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(SynonymSuggestion).order_by(
                SynonymSuggestion.language, SynonymSuggestion.zero_query
            )
        ).scalars()
        return [(r.language, r.zero_query, r.followed_by, r.count) for r in rows]


def test_pairs_are_learnt_within_one_language(searched):
    assert suggestions(searched) == [
        ("de", "drucker", "printer", 1),
        ("de", "lieferng", "lieferung", 1),
        ("de", "pakte", "paket", 2),
        ("en", "pakte", "track parcel", 1),
    ]


def test_the_gaps_page_shows_a_languages_suggestions_with_its_own_files(searched):
    editor = signed_in(searched, "editor")
    german = html.unescape(text_of(editor.get(with_week("/staff/insights?lang=de"))))
    synonyms_section = german.split('id="synonyms"')[1].split('id="accepted"')[0]
    assert "“pakte”" in synonyms_section and "track parcel" not in synonyms_section
    # The German synonyms file and its group with "paket", the German article's aliases.
    assert (
        '<code>content/de/synonyms.yml</code>: <code>- ["päckchen", "paket", "sendung", "pakte"]'
    ) in synonyms_section
    assert (
        "<code>content/de/shipping/track-a-parcel.md</code>: "
        '<code>aliases: ["wo ist mein päckchen", "pakte"]</code>'
    ) in synonyms_section
    assert "2 suggestions seen only once are hidden" in synonyms_section
    # The gap of the German search says what German readers searched next.
    assert "Customers who searched this then found results with: “paket” (2×)" in german

    every = html.unescape(text_of(editor.get(with_week("/staff/insights?suggestions=all"))))
    rows = every.split('id="synonyms"')[1].split("</tbody>")[0].split("<tr>")[2:]
    found = {
        re.search(r"<td>“([^”]+)”", row).group(1)
        + re.search(r'<span class="badge">(\w+)</span>', row).group(1): row
        for row in rows
    }
    assert sorted(found) == ["druckerDeutsch", "lieferngDeutsch", "pakteDeutsch", "pakteEnglish"]
    assert (
        '<code>content/synonyms.yml</code>: <code>- ["track parcel", "pakte"]'
        in (found["pakteEnglish"])
    )
    # Only English articles answer "printer" for German readers: their search reads the
    # English synonyms then, and its English file is named.
    assert "<code>content/returns/send-it-back.md</code>" in found["druckerDeutsch"]
    assert (
        '<code>content/synonyms.yml</code>: <code>- ["printer", "drucker"]'
        in (found["druckerDeutsch"])
    )

    table = rows_of(
        editor.get(with_week("/staff/insights?lang=de&suggestions=all&format=csv&table=synonyms"))
    )
    assert table[0][-2:] == ["file", "language"]
    assert [(row[0], row[1], row[-2], row[-1]) for row in table[1:]] == [
        ("pakte", "paket", "content/de/synonyms.yml", "de"),
        ("lieferng", "lieferung", "content/de/synonyms.yml", "de"),  # seen later
        ("drucker", "printer", "content/synonyms.yml", "de"),
    ]


def _accept(app, language: str, zero_query: str) -> None:
    with app.app_context():
        row = db.session.execute(
            select(SynonymSuggestion).filter_by(language=language, zero_query=zero_query)
        ).scalar_one()
        synonyms.set_status(row.id, "accepted")


def test_an_accepted_german_synonym_lands_in_the_german_file_only(searched):
    _accept(searched, "de", "pakte")
    _accept(searched, "en", "pakte")
    content = Path(searched.config["CONTENT_DIR"])
    editor = signed_in(searched, "editor")

    def accepted(url: str) -> list[tuple[str, str, str]]:
        page = html.unescape(text_of(editor.get(url))).split('id="accepted-heading"')[1]
        return re.findall(
            r"<td>“([^”]+)”</td>\s*<td>“[^”]+”</td>\s*<td><code>([^<]+)</code></td>"
            r"\s*<td><code>[^<]+</code></td>\s*<td>([^<]+)</td>",
            page,
        )

    assert accepted("/staff/insights?lang=de") == [("pakte", "content/de/synonyms.yml", "Not yet")]
    # In the English file, the German pair is still not in the German one.
    (content / "synonyms.yml").write_text('- ["paket", "pakte"]\n', encoding="utf-8")
    assert accepted("/staff/insights?lang=de") == [("pakte", "content/de/synonyms.yml", "Not yet")]
    (content / "de" / "synonyms.yml").write_text(
        '- ["päckchen", "paket", "sendung", "pakte"]\n', encoding="utf-8"
    )
    assert sorted(accepted("/staff/insights")) == [
        ("pakte", "content/de/synonyms.yml", "Yes, added"),
        ("pakte", "content/synonyms.yml", "Not yet"),
    ]


def test_publishing_closes_the_search_gap_of_the_files_language(searched):
    _accept(searched, "de", "pakte")
    _accept(searched, "en", "pakte")
    content = Path(searched.config["CONTENT_DIR"])
    (content / "de" / "synonyms.yml").write_text(
        '- ["päckchen", "paket", "sendung", "pakte"]\n', encoding="utf-8"
    )
    published = searched.test_cli_runner().invoke(args=["content", "index", "--changed"])
    assert published.exit_code == 0, published.output
    assert "Content gap “pakte” done: its synonym is in content/de/synonyms.yml." in (
        published.output
    )
    assert "content/synonyms.yml" not in published.output  # English's pair isn't there
    with searched.app_context():
        gaps = db.session.execute(select(ContentGap)).scalars().all()
    assert [(g.kind, g.language, g.key, g.status, g.updated_by, g.note) for g in gaps] == [
        (
            "query",
            "de",
            "pakte",
            "done",
            "content/de/synonyms.yml",
            'Synonym published in content/de/synonyms.yml: - ["päckchen", "paket", "sendung",'
            ' "pakte"]',
        )
    ]
    again = searched.test_cli_runner().invoke(args=["content", "index", "--changed"])
    assert "Content gap" not in again.output


def test_a_synonym_english_articles_answer_is_published_in_the_english_file(searched):
    _accept(searched, "de", "drucker")
    content = Path(searched.config["CONTENT_DIR"])
    (content / "de" / "synonyms.yml").write_text('- ["printer", "drucker"]\n', encoding="utf-8")
    published = searched.test_cli_runner().invoke(args=["content", "index", "--changed"])
    assert "drucker" not in published.output  # German readers' search never reads it here
    (content / "synonyms.yml").write_text('- ["printer", "drucker"]\n', encoding="utf-8")
    published = searched.test_cli_runner().invoke(args=["content", "index", "--changed"])
    assert "Content gap “drucker” done: its synonym is in content/synonyms.yml." in (
        published.output
    )
    with searched.app_context():
        gap = db.session.execute(select(ContentGap)).scalar_one()
    assert (gap.language, gap.key, gap.status) == ("de", "drucker", "done")
