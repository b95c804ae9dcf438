"""`make eval CONTENT=folder`: search relevance on a help center with labelled queries.

The folder holds the articles (in `content/`, or the folder itself) and `queries.tsv`: a query,
a tab, and the ids of the articles that answer it separated by "|" (any one counts), an id
being the file's path under the content folder without ".md". A comment line of one word
(`# typos`) starts a group of queries; the lines before the first group are "plain".

Every engine indexes the same articles in the same run and answers every query; the table
gives MRR@10 and recall@5/@10 per group, then each engine's misses (no right article in its
top 10). Judge a ranking change by the whole table, never by one query.
"""

import argparse
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.content import load_library
from app.content.library import article_path
from tests.bench.common import print_table
from tests.eval.engines import TOP, open_engines


@dataclass
class Query:
    text: str
    expected: frozenset[str]
    group: str


def read_queries(file: Path) -> list[Query]:
    queries, group = [], "plain"
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            words = line.lstrip("#").split()
            if len(words) == 1:
                group = words[0]
            continue
        if "\t" not in line:
            continue
        text, ids = line.split("\t", 1)
        expected = frozenset(article_path(i.strip()) for i in ids.split("|") if i.strip())
        queries.append(Query(text.strip(), expected, group))
    return queries


def rank_of(found: list[str], expected: frozenset[str]) -> int | None:
    """1-based rank of the first right article in the top 10, or None."""
    return next((n for n, path in enumerate(found[:TOP], start=1) if path in expected), None)


def scores(ranks: list[int | None]) -> tuple[float, float, float]:
    """MRR@10, recall@5, recall@10."""
    count = len(ranks) or 1
    mrr = sum(1 / r for r in ranks if r) / count
    at5 = sum(1 for r in ranks if r and r <= 5) / count
    at10 = sum(1 for r in ranks if r) / count
    return mrr, at5, at10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a help center with queries.tsv")
    parser.add_argument("--queries", type=Path, help="labelled queries (default: in folder)")
    parser.add_argument(
        "--language",
        default="en",
        help="the articles' language: its folder under the content (content/de) when not en",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    content = args.folder / "content" if (args.folder / "content").is_dir() else args.folder
    query_file = args.queries or args.folder / "queries.tsv"
    if not query_file.is_file():
        parser.error(f"no labelled queries at {query_file}")
    queries = read_queries(query_file)
    library = load_library(content, language=args.language)
    unknown = sorted({p for q in queries for p in q.expected} - set(library.articles))
    if unknown:
        print(f"warning: {len(unknown)} expected ids are not articles here: {unknown[:5]}")

    groups = list(dict.fromkeys(q.group for q in queries))
    rows, misses = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        engines, notes = open_engines(library, Path(tmp), args.language)
        for engine in engines:
            ranks = [rank_of(engine.search(q.text), q.expected) for q in queries]
            for group in [*groups, "all"]:
                chosen = [
                    r for r, q in zip(ranks, queries, strict=True) if group in (q.group, "all")
                ]
                rows.append([engine.name, group, len(chosen), *scores(chosen)])
            misses[engine.name] = [q for r, q in zip(ranks, queries, strict=True) if r is None]
            if engine.name == "ours":
                ours_top = {q.text: engine.search(q.text)[:3] for q in misses["ours"]}
            engine.close()

    print_table(
        f"Search relevance: {len(library.articles)} articles in {library.root}, "
        f"{len(queries)} labelled queries",
        ["engine", "group", "queries", "MRR@10", "recall@5", "recall@10"],
        rows,
    )
    for note in notes:
        print(f"  {note}")
    for name, missed in misses.items():
        print(f"\nMissed by {name} ({len(missed)}): no right article in the top {TOP}")
        for query in missed:
            print(f"  [{query.group}] {query.text}")
            if name == "ours":
                print(f"      wanted {' | '.join(sorted(query.expected))}")
                print(f"      got    {' | '.join(ours_top[query.text]) or '(nothing)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
