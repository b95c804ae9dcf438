"""When an accepted synonym reaches content/synonyms.yml, the search that found nothing is
answered: its content gap is marked done (with the line as its note), so the queue's
outcome tracking shows whether customers now find and open articles for it. Run when the
content is published (`flask content index`)."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.analytics import gaps, synonyms
from app.analytics.gap_outcomes import Sources
from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models.gaps import ContentGap

ACTOR = "content/synonyms.yml"
SETTLED = ("done", "dismissed")


def answered(groups: list[list[str]]) -> list[tuple[str, str]]:
    """(search, line) of each accepted suggestion whose synonym is in `groups` and whose
    gap is not settled yet."""
    settled = set(
        db.session.scalars(
            select(ContentGap.key).where(
                ContentGap.kind == "query",
                ContentGap.language == DEFAULT_LANGUAGE,  # content/synonyms.yml is English
                ContentGap.status.in_(SETTLED),
            )
        )
    )
    found = []
    for row in synonyms.accepted_suggestions(limit=1000):
        line = synonyms.landed_line(groups, row.zero_query, row.followed_by)
        if line and row.zero_query not in settled:
            found.append((row.zero_query, line))
    return found


def close_landed(
    groups: list[list[str]], now: datetime, sources: Callable[[], Sources]
) -> list[str]:
    """Mark done the zero-result search gap of each accepted suggestion whose synonym is in
    `groups`; returns those searches. `sources` is asked for only when there is one (it
    loads the articles)."""
    found = answered(groups)
    for query, line in found:
        note = f"Synonym published in content/synonyms.yml: {line}"
        gaps.update_gap("query", query, "done", note, ACTOR, now, sources())
    return [query for query, _ in found]
