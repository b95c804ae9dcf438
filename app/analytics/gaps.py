"""The content-gap queue: one ranked list of what to write next, from searches that found
nothing, searches whose results nobody opened, articles readers rate unhelpful, return
reasons no article covers, and English articles that answer another language's searches or
are all its readers have on a reason its customers return things for ("translate this").
Each gap is one language's: a German search that finds nothing is not the English one, and
German customers' returns are counted against the German help center. The numbers are
computed from the data for the chosen dates and language (app.analytics.gap_kinds); the
editors' decisions (status, note) are ContentGap rows merged in by (kind, language, key). A
gap marked done keeps the numbers it had then, so the queue can tell whether it closed (see
gap_outcomes); a "translate this" gap closes by itself once the translation is there."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.analytics import reports
from app.analytics.dates import DateRange, last_days
from app.analytics.gap_kinds import Gap, candidates, gaps_for, languages
from app.analytics.gap_outcomes import Sources, baseline, outcome, translation_outcome
from app.analytics.synonyms import followed_by
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.extensions import db
from app.models.gaps import GAP_KINDS, GAP_STATUSES, ContentGap

STATUS_LABELS = {"open": "Open", "planned": "Planned", "done": "Done", "dismissed": "Dismissed"}
NOTE_MAX = 2000


@dataclass
class Queue:
    range: DateRange
    status: str  # the filter: "" for open and planned
    gaps: list[Gap]  # ranked, filtered
    counts: dict[str, int]

    @property
    def active(self) -> int:
        return self.counts["open"] + self.counts["planned"]


Ref = tuple[str, str, str]  # kind, language, key: see Gap.ref


def build_queue(
    rng: DateRange,
    sources: Sources,
    status: str = "",
    limit: int | None = reports.PAGE_ROWS,
    language: reports.Language = None,
) -> Queue:
    """The ranked queue for these dates and page language (every language when None), with
    the editors' statuses and notes merged in; `status` filters it ("" shows what is still
    to do: open and planned)."""
    rows = select(ContentGap).where(*reports.in_language(ContentGap.language, language))
    stored = {(row.kind, row.language, row.key): row for row in db.session.scalars(rows)}
    gaps = _with_decisions(_current_and_decided(rng, sources, stored, language), stored, rng)
    _close_translated(gaps.values(), sources)
    counts = {s: 0 for s in GAP_STATUSES}
    for gap in gaps.values():
        counts[gap.status] += 1
    wanted = {status} if status in GAP_STATUSES else {"open", "planned"}
    ranked = sorted(
        (g for g in gaps.values() if g.status in wanted),
        key=lambda g: (-g.score, -g.volume, g.kind, g.key, g.language),
    )[:limit]
    _add_follow_ups(ranked, stored, sources)
    return Queue(rng, status if status in GAP_STATUSES else "", ranked, counts)


def _current_and_decided(
    rng: DateRange,
    sources: Sources,
    stored: dict[Ref, ContentGap],
    language: reports.Language,
) -> dict[Ref, Gap]:
    """The gaps these dates show, and those the editors decided on that they no longer show."""
    gaps = {g.ref: g for g in candidates(rng, sources, language)}
    covered = languages(language)
    missing: dict[tuple[str, str], list[str]] = {}  # by kind and language
    for ref in stored:
        kind, code, key = ref
        if ref not in gaps and kind in GAP_KINDS and code in covered:
            missing.setdefault((kind, code), []).append(key)
    for (kind, code), keys in missing.items():
        gaps.update({g.ref: g for g in gaps_for(rng, sources, kind, keys, code)})
    return gaps


def _close_translated(gaps: Iterable[Gap], sources: Sources) -> None:
    """A "translate this" gap whose translation is there is done, whatever it was marked."""
    for gap in gaps:
        closed = gap.kind == "translate" and sources.is_translated(gap.key, gap.language)
        if closed and gap.status != "dismissed":
            gap.status = "done"


def _with_decisions(
    gaps: dict[Ref, Gap], stored: dict[Ref, ContentGap], rng: DateRange
) -> dict[Ref, Gap]:
    """Each gap ranked, with the editors' status, note and dates."""
    for key, gap in gaps.items():
        gap.rank(rng.end)
        row = stored.get(key)
        if row is not None:
            gap.status, gap.note, gap.updated_by = row.status, row.note, row.updated_by
            gap.done_at = row.done_at
    return gaps


def _add_follow_ups(ranked: list[Gap], stored: dict[Ref, ContentGap], sources: Sources) -> None:
    """What each shown gap led to: a done gap's outcome, a query's next searches (on pages in
    its language)."""
    queries: dict[str, list[str]] = {}
    for gap in ranked:
        if gap.kind == "query":
            queries.setdefault(gap.language, []).append(gap.key)
    following = {
        (language, query): found
        for language, keys in queries.items()
        for query, found in followed_by(keys, language).items()
    }
    for gap in ranked:
        if gap.kind == "translate" and gap.status == "done":
            gap.outcome = translation_outcome(gap.key, gap.language, sources)
        elif gap.status == "done":
            gap.outcome = outcome(gap.kind, gap.key, stored[gap.ref], sources)
        if gap.kind == "query":
            gap.followed_by = following[gap.language, gap.key]


def update_gap(
    kind: str,
    key: str,
    status: str,
    note: str,
    actor: str,
    now: datetime,
    sources: Sources,
    language: str = DEFAULT_LANGUAGE,
) -> ContentGap:
    """Record an editor's decision on a gap of pages in `language`. Marking a gap done keeps
    its numbers as they are now."""
    if kind not in GAP_KINDS or status not in GAP_STATUSES or not key or len(key) > 300:
        raise ValueError("unknown gap or status")
    if language not in LANGUAGES:
        raise ValueError("unknown language")
    decision = (kind, key, status, note, actor, now, sources, language)
    try:
        return _decide(*decision)
    except IntegrityError:
        # Another editor saved this gap's first decision at the same moment: update theirs.
        db.session.rollback()
        return _decide(*decision)


def _decide(
    kind: str,
    key: str,
    status: str,
    note: str,
    actor: str,
    now: datetime,
    sources: Sources,
    language: str,
) -> ContentGap:
    row = db.session.execute(
        select(ContentGap).filter_by(kind=kind, language=language, key=key)
    ).scalar_one_or_none()
    if row is None:
        row = ContentGap(kind=kind, language=language, key=key)
        db.session.add(row)
    if status == "done" and row.status != "done":
        row.done_at = now
        row.baseline = baseline(kind, key, now, sources, language)
    elif status != "done":
        row.done_at, row.baseline = None, None
    [current] = gaps_for(last_days(now.date()), sources, kind, [key], language)
    current.rank(now.date())
    row.status, row.note, row.updated_by = status, note.strip()[:NOTE_MAX], actor
    row.score = round(current.score, 3)
    db.session.commit()
    return row
