"""The content-gap queue: ranking on a known week, editors' statuses and notes, "did it close?"
after the content changes, and synonym suggestions from searches in the same visit."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.analytics import gaps, synonyms
from app.analytics.dates import last_days
from app.analytics.searches import record_click, record_search
from app.extensions import db
from app.help.votes import record_vote
from app.models import ContentGap, SynonymSuggestion
from app.models.types import utcnow
from app.services import services
from tests.insights_helpers import (
    SYNONYM_VISITS,
    SYNONYMS_LEARNT,
    WEEK,
    at,
    write_policy,
)
from tests.returns_helpers import choose, line_ids, look_up, make_order, token_from


def sources(app) -> gaps.Sources:
    found = services(app)
    return gaps.Sources(found.library, found.returns_policy, found.search)


def queue(app, rng=WEEK, status=""):
    with app.app_context():
        return gaps.build_queue(rng, sources(app), status)


def decide(app, kind, key, status, note="", when=None) -> SimpleNamespace:
    """An editor's decision; returns the stored row's values."""
    with app.app_context():
        row = gaps.update_gap(kind, key, status, note, "Erin", when or utcnow(), sources(app))
        names = ("status", "note", "updated_by", "score", "baseline", "done_at")
        return SimpleNamespace(**{name: getattr(row, name) for name in names})


def test_one_ranked_list_from_searches_votes_and_returns(week_app):
    ranked = queue(week_app).gaps
    assert [(g.kind, g.key, round(g.score, 2)) for g in ranked] == [
        ("article", "shipping/track-a-parcel", 92.82),  # 3 × 100 votes × 0.31 × 1.00
        ("return_reason", "wrong_item", 19.03),  # 5 × 4 items × 1.00 × 0.95
        ("no_click", "track parcel", 10.47),  # 12 searches × 0.92 × 0.95
        ("query", "velvet poncho", 1.81),  # 2 searches × 1.00 × 0.91
        ("query", "my email is [email]", 0.86),
    ]
    article, reason, no_click, velvet, _ = ranked
    assert article.volume_text == "100 votes, 40 of them No"
    assert article.badness_text == "at most 69% found it helpful, with 95% confidence"
    assert reason.title == "Wrong item sent"
    assert reason.badness_text == "no help article covers this reason"
    assert no_click.badness_text == "11 (92%) opened none"
    assert (velvet.title, velvet.volume_text, velvet.badness_text, velvet.recency_text) == (
        "Velvet Poncho!",
        "2 searches",
        "all found nothing",
        "last seen 2 days ago",
    )
    assert velvet.score_text == (
        "Score 1.8 = 2 (volume) × 1.00 (how bad) × 0.91 (recency: last seen 2 days ago)"
    )
    assert article.score_text.startswith("Score 92.8 = 3 × 100 (volume) × 0.31 (how bad)")


def test_few_votes_and_covered_reasons_are_not_gaps(week_app):
    keys = {g.key for g in queue(week_app).gaps}
    assert "shipping/delivery-options" not in keys  # three "No" votes: too few to judge
    assert "returns/send-it-back" not in keys  # 9 of 10 found it helpful
    assert "too_small" not in keys and "damaged" not in keys  # an article covers them


def test_status_and_note_persist_and_filter_the_queue(week_app):
    end_of_week = at(7, 18)
    row = decide(
        week_app, "query", "velvet poncho", "planned", "  Write a poncho care page  ", end_of_week
    )
    # The score when decided: the 30 days up to then, 31 October included (3 searches).
    assert (row.status, row.note, row.updated_by, row.score) == (
        "planned",
        "Write a poncho care page",
        "Erin",
        2.717,
    )
    decide(week_app, "query", "my email is [email]", "dismissed", "Personal data, not a topic")
    todo = queue(week_app)
    assert todo.counts == {"open": 3, "planned": 1, "done": 0, "dismissed": 1}
    velvet = next(g for g in todo.gaps if g.key == "velvet poncho")
    assert (velvet.status, velvet.note, velvet.updated_by) == (
        "planned",
        "Write a poncho care page",
        "Erin",
    )
    assert "my email is [email]" not in [g.key for g in todo.gaps]
    assert [g.key for g in queue(week_app, status="dismissed").gaps] == ["my email is [email]"]
    assert [g.key for g in queue(week_app, status="planned").gaps] == ["velvet poncho"]
    decide(week_app, "query", "velvet poncho", "open", "")
    with week_app.app_context():
        rows = db.session.execute(select(ContentGap).order_by(ContentGap.id)).scalars().all()
        assert [(r.key, r.status, r.note) for r in rows] == [
            ("velvet poncho", "open", ""),
            ("my email is [email]", "dismissed", "Personal data, not a topic"),
        ]


def test_unknown_kinds_and_statuses_are_refused(week_app):
    with pytest.raises(ValueError):
        decide(week_app, "query", "velvet poncho", "finished")
    with pytest.raises(ValueError):
        decide(week_app, "nonsense", "velvet poncho", "done")


def search_and_open(client, query: str) -> int:
    """A customer's search; opens the first result when there is one. Returns the count."""
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    if "/search/open?" not in page:
        return 0
    link = page.split('href="/search/open?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert client.get("/search/open?" + link).status_code == 303
    return 1


PONCHO = """\
---
title: Caring for your velvet poncho
summary: Steam it, never wash it hot.
---
Hang the velvet poncho and steam it gently.
"""


def test_a_done_search_gap_closes_when_the_search_finds_articles_and_gets_clicks(
    make_app, content_dir
):
    app = make_app()
    customer = app.test_client()
    assert search_and_open(customer, "velvet poncho") == 0
    assert search_and_open(customer, "Velvet Poncho?") == 0
    recent = last_days(utcnow().date())
    [gap] = queue(app, recent).gaps
    assert (gap.kind, gap.key, gap.volume, gap.badness) == ("query", "velvet poncho", 2, 1.0)
    done = decide(app, "query", "velvet poncho", "done", "Wrote a care article")
    assert done.baseline == {"searches": 2, "zero_results": 2, "clicked": 0}
    since = f"{done.done_at.day} {done.done_at:%B}"

    [checked] = queue(app, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "not_yet",
        "The search still finds nothing.",
    )

    (content_dir / "returns" / "velvet-poncho.md").write_text(PONCHO, encoding="utf-8")
    published = make_app()  # the next release: content reloaded, index updated
    [checked] = queue(published, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "waiting",
        f"It now finds 1 article; nobody has searched for it since {since}.",
    )
    assert search_and_open(published.test_client(), "velvet poncho") == 1
    [checked] = queue(published, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "closed",
        f"It now finds 1 article, and 1 of 1 search since {since} opened one.",
    )


def test_a_done_article_gap_closes_when_its_helpful_share_rises(app):
    path = "shipping/track-a-parcel"
    with app.app_context():
        for n in range(10):
            record_vote(path, f"before{n}", helpful=n < 2, reason=None if n < 2 else "outdated")
    done = decide(app, "article", path, "done", "Rewrote the tracking steps")
    assert done.baseline == {"votes": 10, "helpful": 2}
    since = f"{done.done_at.day} {done.done_at:%B}"
    recent = last_days(utcnow().date())
    [checked] = queue(app, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "waiting",
        f"0 votes since {since}; 5 are needed to tell.",
    )
    with app.app_context():
        for n in range(6):
            record_vote(path, f"after{n}", helpful=n != 0, reason=None if n else "unclear")
    [checked] = queue(app, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "closed",
        f"83% found it helpful since {since} (before: 20%).",
    )


def test_a_done_no_click_gap_closes_when_more_searches_open_a_result(app):
    with app.app_context():
        for n in range(10):
            record_search("track parcel", 1, "page", f"before{n}", at=utcnow() - timedelta(hours=1))
    recent = last_days(utcnow().date())
    [gap] = queue(app, recent).gaps
    assert (gap.kind, gap.volume, gap.badness_text) == ("no_click", 10, "10 (100%) opened none")
    done = decide(app, "no_click", "track parcel", "done", "Clearer title and summary")
    assert done.baseline == {"searches": 10, "zero_results": 0, "clicked": 0}
    since = f"{done.done_at.day} {done.done_at:%B}"
    [checked] = queue(app, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "waiting",
        f"0 searches with results since {since}; 5 are needed to tell.",
    )
    with app.app_context():
        for n in range(6):
            event = record_search("Track parcel", 1, "page", f"after{n}")
            if n % 2:
                record_click(event, "shipping/track-a-parcel", 1)
    [checked] = queue(app, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "closed",
        f"50% of searches since {since} opened a result (before: 0%).",
    )


def return_wrong_item(client, app, number: str) -> str:
    """A customer starts a return of one tee as "wrong item"; returns the next page's path."""
    order = make_order(app, number=number)
    tee = line_ids(app, order)[0]
    look_up(client, number=number)
    response = choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "wrong_item"})
    return response.headers["Location"]


def test_a_done_return_reason_gap_closes_when_its_article_solves_problems(make_app, content_dir):
    write_policy(content_dir)
    app = make_app()
    assert return_wrong_item(app.test_client(), app, "JP-20001") == "/returns/review"
    done = decide(app, "return_reason", "wrong_item", "done", "Article on wrong items")
    assert done.baseline == {"shown": 0, "solved": 0, "covered": False}
    since = f"{done.done_at.day} {done.done_at:%B}"
    recent = last_days(utcnow().date())
    [checked] = queue(app, recent, "done").gaps
    assert checked.outcome.state == "not_yet"
    assert checked.outcome.text.startswith("No help article covers it yet")

    write_policy(content_dir, {"wrong_item": "[returns/send-it-back]"})
    published = make_app()
    [checked] = queue(published, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "waiting",
        f"An article covers it; no customer has been shown it since {since}.",
    )
    customer = published.test_client()
    assert return_wrong_item(customer, published, "JP-20002") == "/returns/before-you-send"
    page = customer.get("/returns/before-you-send").get_data(as_text=True)
    solved = customer.post(
        "/returns/before-you-send",
        data={
            "csrf_token": token_from(page),
            "line": token_from(page, "line"),
            "article": "returns/send-it-back",
            "outcome": "solved",
        },
    )
    assert solved.status_code == 200
    [checked] = queue(published, recent, "done").gaps
    assert (checked.outcome.state, checked.outcome.text) == (
        "closed",
        f"1 of 1 customers shown an article since {since} said it solved their problem "
        "(before: –).",
    )


def test_reopening_a_done_gap_forgets_its_baseline(week_app):
    decide(week_app, "query", "velvet poncho", "done")
    row = decide(week_app, "query", "velvet poncho", "open")
    assert (row.done_at, row.baseline) == (None, None)


# -- synonym suggestions ---------------------------------------------------------------------


def test_a_search_that_found_nothing_then_one_that_found_articles_is_suggested(app):
    with app.app_context():
        for visitor, searches in SYNONYM_VISITS:
            for query, results, minutes in searches:
                when = at(3, 10) + timedelta(minutes=minutes)
                record_search(query, results, "page", visitor, at=when)
        rows = db.session.execute(
            select(SynonymSuggestion).order_by(SynonymSuggestion.id)
        ).scalars()
        found = [(r.zero_query, r.followed_by, r.count, r.status) for r in rows]
    assert found == SYNONYMS_LEARNT


def test_accepting_a_suggestion_gives_the_exact_line_to_add(app):
    groups = [["refund", "money back", "reimbursement"], ["bag", "handbag"]]
    assert synonyms.synonyms_line(groups, "refnd", "refund") == (
        '- ["refund", "money back", "reimbursement", "refnd"]'
    )
    assert synonyms.synonyms_line(groups, "refnd stauts", "refund status") == (
        '- ["refund status", "refnd stauts"]'
    )
    assert synonyms.synonyms_line([], "no", "on") == '- ["on", "no"]'  # not YAML booleans
    assert synonyms.aliases_line(("where is my package",), "wheres my parcel") == (
        'aliases: ["where is my package", "wheres my parcel"]'
    )
    with app.app_context():
        record_search("wheres my parcl", 0, "page", "s1", at=at(3, 10))
        record_search("track parcel", 1, "page", "s1", at=at(3, 10, 1))
        [row] = synonyms.open_suggestions()
        described = synonyms.describe(row, {"en": groups}, sources(app))
        assert described.synonyms_line == '- ["track parcel", "wheres my parcl"]'
        assert described.synonyms_file == "synonyms.yml"
        assert described.article_path == "shipping/track-a-parcel"
        assert described.article_file == "shipping/track-a-parcel.md"
        assert described.aliases_line == 'aliases: ["where is my package", "wheres my parcl"]'
        assert not described.in_file
        assert synonyms.set_status(row.id, "accepted").status == "accepted"
        assert synonyms.open_suggestions() == []
        assert synonyms.suggestion_counts() == {"open": 0, "accepted": 1, "dismissed": 0}
        assert synonyms.set_status(row.id + 100, "accepted") is None


def test_query_gaps_show_what_the_same_visitors_found_next(app):
    with app.app_context():
        for visitor in ("a", "b"):
            record_search("refnd stauts", 0, "page", visitor, at=at(3, 10))
            record_search("refund status", 3, "page", visitor, at=at(3, 10, 20))
        following = synonyms.followed_by(["refnd stauts", "velvet"])
    assert [(s.followed_by, s.count) for s in following["refnd stauts"]] == [("refund status", 2)]
    assert following["velvet"] == []


def test_publishing_an_accepted_synonym_closes_its_search_gap(app):
    """`flask content index` (the publishing step) marks done the gap of a search that found
    nothing once its accepted synonym is in content/synonyms.yml, once."""
    with app.app_context():
        db.session.add(
            SynonymSuggestion(zero_query="wheres my parcl", followed_by="track parcel", count=3)
        )
        db.session.commit()
        [row] = synonyms.open_suggestions()
        synonyms.set_status(row.id, "accepted")
    runner = app.test_cli_runner()
    before = runner.invoke(args=["content", "index", "--changed"])
    assert before.exit_code == 0 and "Content gap" not in before.output  # not published yet

    file = Path(app.config["CONTENT_DIR"]) / "synonyms.yml"
    file.write_text('- ["track parcel", "wheres my parcl"]\n', encoding="utf-8")
    published = runner.invoke(args=["content", "index", "--changed"])
    assert "Content gap “wheres my parcl” done: its synonym is in content/synonyms.yml." in (
        published.output
    )
    with app.app_context():
        gap = db.session.execute(select(ContentGap)).scalar_one()
    assert (gap.kind, gap.key, gap.status, gap.updated_by) == (
        "query",
        "wheres my parcl",
        "done",
        "content/synonyms.yml",
    )
    assert gap.note == (
        'Synonym published in content/synonyms.yml: - ["track parcel", "wheres my parcl"]'
    )
    again = runner.invoke(args=["content", "index", "--changed"])
    assert "Content gap" not in again.output
