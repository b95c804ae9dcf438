"""When an accepted synonym reaches the synonyms.yml where it works (content/synonyms.yml,
or content/<code>/synonyms.yml: that of the language whose articles answer the search that
worked, see synonyms.answering), the search that found nothing on its language's pages is
answered: its content gap is marked done (with the line as its note), so the queue's outcome
tracking shows whether customers now find and open articles for it. Run when the content is
published (`flask content index`)."""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from app.analytics import gaps, synonyms
from app.analytics.gap_outcomes import Sources
from app.extensions import db
from app.models.gaps import ContentGap

SETTLED = ("done", "dismissed")


class Landed(NamedTuple):
    query: str  # the search that found nothing
    language: str  # of the pages it was made on
    file: str  # where its synonym is published
    line: str  # the synonyms.yml line


def answered(groups: Mapping[str, list[list[str]]], sources: Callable[[], Sources]) -> list[Landed]:
    """Each accepted suggestion whose synonym is in the synonyms.yml of the language where
    it works (`synonyms.answering`; `groups` are each language's) and whose search gap, on
    its language's pages, is not settled yet. `sources` is asked for only when a synonym
    is in some file (it loads the articles)."""
    settled = {
        (language, key)
        for language, key in db.session.execute(
            select(ContentGap.language, ContentGap.key).where(
                ContentGap.kind == "query", ContentGap.status.in_(SETTLED)
            )
        )
    }
    found = []
    for row in synonyms.accepted_suggestions(limit=1000):
        if (row.language, row.zero_query) in settled or not any(
            synonyms.landed(language_groups, row.zero_query, row.followed_by)
            for language_groups in groups.values()
        ):
            continue
        works_in, _ = synonyms.answering(row, sources())
        line = synonyms.landed_line(groups[works_in], row.zero_query, row.followed_by)
        if line:
            file = f"content/{synonyms.synonyms_file(works_in)}"
            found.append(Landed(row.zero_query, row.language, file, line))
    return found


def close_landed(
    groups: Mapping[str, list[list[str]]], now: datetime, sources: Callable[[], Sources]
) -> list[Landed]:
    """Mark done the zero-result search gap of each accepted suggestion whose synonym is
    published where it works (see `answered`); returns them."""
    found = answered(groups, sources)
    for landed in found:
        note = f"Synonym published in {landed.file}: {landed.line}"
        gaps.update_gap(
            "query", landed.query, "done", note, landed.file, now, sources(), landed.language
        )
    return found
