"""When an accepted synonym reaches its language's synonyms.yml (content/synonyms.yml, or
content/<code>/synonyms.yml), the search that found nothing on that language's pages is
answered: its content gap is marked done (with the line as its note), so the queue's outcome
tracking shows whether customers now find and open articles for it. Run when the content is
published (`flask content index`)."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.analytics import gaps, synonyms
from app.analytics.gap_outcomes import Sources
from app.extensions import db
from app.models.gaps import ContentGap

SETTLED = ("done", "dismissed")


def answered(groups: list[list[str]], language: str) -> list[tuple[str, str]]:
    """(search, line) of each accepted suggestion of `language` whose synonym is in `groups`
    (that language's) and whose gap is not settled yet."""
    settled = set(
        db.session.scalars(
            select(ContentGap.key).where(
                ContentGap.kind == "query",
                ContentGap.language == language,
                ContentGap.status.in_(SETTLED),
            )
        )
    )
    found = []
    for row in synonyms.accepted_suggestions(limit=1000, language=language):
        line = synonyms.landed_line(groups, row.zero_query, row.followed_by)
        if line and row.zero_query not in settled:
            found.append((row.zero_query, line))
    return found


def close_landed(
    groups: list[list[str]], language: str, now: datetime, sources: Callable[[], Sources]
) -> list[str]:
    """Mark done the zero-result search gap (on pages in `language`) of each accepted
    suggestion of that language whose synonym is in `groups`, its synonyms; returns those
    searches. `sources` is asked for only when there is one (it loads the articles)."""
    file = f"content/{synonyms.synonyms_file(language)}"
    found = answered(groups, language)
    for query, line in found:
        note = f"Synonym published in {file}: {line}"
        gaps.update_gap("query", query, "done", note, file, now, sources(), language)
    return [query for query, _ in found]
