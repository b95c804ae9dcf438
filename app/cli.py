"""Flask commands, grouped by area: `flask content ...`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.content import load_library
from app.search import build_index, update_index

content_cli = AppGroup("content", help="Check and index the help center's articles.")


@content_cli.command("check")
def content_check() -> None:
    """Validate every article in CONTENT_DIR; print `path:line: problem`; exit 1 on any."""
    root = Path(current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"CONTENT_DIR {root} is not a folder")
    library = load_library(root)
    for problem in library.problems:
        click.echo(str(problem))
    count = len(library.articles)
    if library.problems:
        click.echo(f"{len(library.problems)} problem(s); {count} article(s) load.", err=True)
        raise SystemExit(1)
    click.echo(f"{count} article(s) in {len(library.categories)} categories, no problems.")


@content_cli.command("index")
@click.option("--changed", is_flag=True, help="Only index added, changed and deleted articles.")
def content_index(changed: bool) -> None:
    """Build the search index from CONTENT_DIR (a new copy, swapped in when complete)."""
    library = load_library(Path(current_app.config["CONTENT_DIR"]))
    index_dir = current_app.config["INDEX_DIR"]
    report = update_index(library, index_dir) if changed else build_index(library, index_dir)
    click.echo(f"Search index: {report}.")
