"""The help center in another language: CONTENT_DIR/<code> mirrors the default language's
tree, an article's translation having the same path (`de/returns-refunds/return-policy.md`
translates `returns-refunds/return-policy.md`) and categories.yml giving the sections' names.

A visitor reading in that language gets each translated article, and the default language's
one (marked as such) where there is none yet, in the default language's sections and order.
Or the translations are anywhere under CONTENT_DIR, each saying so in its front matter
(`lang: de`, with `translation_of: returns-refunds/return-policy` naming its original),
as other generators lay them out; see app.content.library.

`flask content check` reports what is untranslated, translations older than their original
(its `updated` date is later than theirs) and those whose age can't be told (no `updated`
date where the original has one).
"""

from dataclasses import dataclass, field, replace
from datetime import date

from app.content.library import Article, Category, Library, Problem


def localise(default: Library, translated: Library) -> Library:
    """The help center as a visitor reading `translated.language` finds it: every article of
    `default`, in translation where there is one, and the articles written in that language
    alone; the sections of `default` under their translated names."""
    articles: dict[str, Article] = {}
    for path, original in default.articles.items():
        own = translated.articles.get(path)
        # A translation keeps its original's place (section and order), whatever its own
        # file says: the sections are the same in every language.
        if own is not None:
            own = replace(own, category=original.category, order=original.order)
        articles[path] = own or original
    for path, own in translated.articles.items():
        articles.setdefault(path, own)  # written in this language only
    names = {c.slug: c for c in translated.categories if c.named}
    by_slug: dict[str, Category] = {}
    for section in [*default.categories, *translated.categories]:
        if section.slug not in by_slug:
            # Its name in this language where its categories.yml gives one, else the default
            # language's (a name made from the slug is no translation).
            named = names.get(section.slug, section)
            by_slug[section.slug] = Category(
                section.slug, named.title, named.description, language=named.language
            )
    # Each library has a section for each of its articles' (see load_library).
    for article in sorted(articles.values(), key=lambda a: (a.order, a.title.lower())):
        by_slug[article.category].articles.append(article)
    return Library(
        root=translated.root,
        articles=articles,
        categories=list(by_slug.values()),
        problems=translated.problems,
        bodies=translated.bodies,
        categories_hash=translated.categories_hash,
        language=translated.language,
    )


@dataclass(frozen=True)
class Stale:
    path: str
    translated: date
    original: date


@dataclass
class TranslationReport:
    """How far a language's translation of the help center is."""

    language: str
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)  # paths of the default language's
    stale: list[Stale] = field(default_factory=list)  # the original updated since
    # No `updated` date, where the original has one: whether it is stale can't be told.
    undated: list[str] = field(default_factory=list)
    only_here: list[str] = field(default_factory=list)  # no original of that path
    problems: list[Problem] = field(default_factory=list)


def translation_report(default: Library, translated: Library) -> TranslationReport:
    """How far `translated` is, and its problems: its files' own (see load_library), and
    what only a comparison with `default` shows."""
    report = TranslationReport(translated.language)
    problems = report.problems
    problems.extend(translated.problems)
    for path, original in sorted(default.articles.items()):
        own = translated.articles.get(path)
        if own is None:
            report.untranslated.append(path)
            continue
        report.translated += 1
        if own.category != original.category:
            # Its page shows it in its original's section; its language's search wouldn't.
            message = f"in section {own.category!r}, its original in {original.category!r}"
            problems.append(Problem(own.source, 1, message))
        if original.updated and not own.updated:
            report.undated.append(path)
        elif own.updated and original.updated and own.updated < original.updated:
            report.stale.append(Stale(path, own.updated, original.updated))
    report.only_here = sorted(set(translated.articles) - set(default.articles))
    for own in translated.articles.values():
        if own.translation_of and own.translation_of not in default.articles:
            message = f"translation_of {own.translation_of!r}: no such article"
            problems.append(Problem(own.source, 1, message))
        for target in own.related:
            if target not in translated.articles and target not in default.articles:
                problems.append(Problem(own.source, 1, f"related article {target!r} not found"))
    return report
