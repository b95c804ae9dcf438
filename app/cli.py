"""Flask commands, grouped by area: `flask content ...`, `flask orders ...`, `flask demo ...`,
`flask outbox ...`, `flask carrier ...`."""

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.analytics.gap_outcomes import sources_of
from app.analytics.synonym_gaps import close_landed
from app.analytics.synonyms import groups_in
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.content import Library
from app.content.frontmatter import line_of
from app.content.translations import translation_report
from app.demo import NoPolicy, demo_orders, demo_sign_ins, seed_demo, seed_demo_users
from app.demo_activity import seed_activity
from app.extensions import db
from app.models.staff import ROLES
from app.models.types import utcnow
from app.notifications.sending import MailConfigError, send_pending
from app.orders import catalogue, importer
from app.orders import shopify as shopify_orders
from app.orders.shopify_api import ShopifyClient, ShopifyError
from app.returns.policy import POLICY_FILE, PolicyError, load_policy, missing_articles
from app.returns.shipping import expire_unused, retry_pending
from app.search import build_index, update_changed, update_index
from app.services import services
from app.staff.auth import UserError, create_user, set_password

content_cli = AppGroup("content", help="Check and index the help center's articles.")
orders_cli = AppGroup("orders", help="Import or sync orders from the shop's platform.")


@content_cli.command("check")
def content_check() -> None:
    """Validate every article in CONTENT_DIR; print `path:line: problem`; exit 1 on any."""
    root = Path(current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"CONTENT_DIR {root} is not a folder")
    library = services().library
    problems = [str(problem) for problem in library.problems] + _policy_problems(root, library)
    reports = [
        _translation_report(language) for language in LANGUAGES if language != DEFAULT_LANGUAGE
    ]
    problems += [problem for language_problems in reports for problem in language_problems]
    for problem in problems:
        click.echo(problem)
    count = len(library.articles)
    if problems:
        click.echo(f"{len(problems)} problem(s); {count} article(s) load.", err=True)
        raise SystemExit(1)
    click.echo(f"{count} article(s) in {len(library.categories)} categories, no problems.")


def _translation_report(language: str) -> list[str]:
    """Print how far a language's translation is (untranslated articles, and translations
    older than their original: both shown in the default language or as written until
    someone updates them); its problems are returned, to fail the check with the rest."""
    found = services()
    translated = found.translated(language)
    if not (translated.root.is_dir() or translated.articles or translated.problems):
        return []
    report = translation_report(found.library, translated)
    total = report.translated + len(report.untranslated)
    click.echo(f"{language}: {report.translated} of {total} article(s) translated.")
    for path in report.untranslated:
        click.echo(f"  untranslated: {path} (shown in {DEFAULT_LANGUAGE})")
    for stale in report.stale:
        click.echo(
            f"  stale: {translated.articles[stale.path].source} was translated "
            f"{stale.translated}, its original updated {stale.original}"
        )
    for path in report.undated:
        click.echo(
            f"  undated: {translated.articles[path].source} has no updated date, so whether "
            f"it is older than its original can't be told"
        )
    for path in report.only_here:
        click.echo(f"  only in {language}: {path}")
    return [str(problem) for problem in report.problems]


def _policy_problems(root: Path, library: Library) -> list[str]:
    """The return policy's problems, if the folder has one: the articles it offers customers
    must exist; and those of its texts in other languages (`de/returns-policy.yml`)."""
    if not (root / POLICY_FILE).exists():
        return []
    try:
        policy = load_policy(root)
    except PolicyError as error:
        return [_policy_problem(POLICY_FILE, error)]
    text = (root / POLICY_FILE).read_text(encoding="utf-8")
    missing = [
        f"{POLICY_FILE}:{line_of(text, path, first=1)}: reason {code}: article {path!r} not found"
        for code, path in missing_articles(policy, set(library.articles))
    ]
    return missing + [_policy_problem(file, error) for file, error in policy.text_problems]


def _policy_problem(file: str, error: PolicyError) -> str:
    if error.line is None:
        return f"{file}: {error}"
    # Each problem names its line already ("line 7: ..."): the first is said once.
    return f"{file}:{error.line}: {str(error).removeprefix(f'line {error.line}: ')}"


@content_cli.command("index")
@click.option("--changed", is_flag=True, help="Only index added, changed and deleted articles.")
def content_index(changed: bool) -> None:
    """Build the search index of each language from CONTENT_DIR (a new copy, swapped in
    when complete)."""
    found = services()
    for language in LANGUAGES:
        index_dir = found.index_dir_of(language)
        # Only the files whose time or size changed are read, when that is enough.
        report = update_changed(found.content_dir, index_dir, language) if changed else None
        if report is None:
            library = found.translated(language)
            if language != DEFAULT_LANGUAGE and not library.articles:
                continue  # its readers search the default language's articles
            report = (
                update_index(library, index_dir) if changed else build_index(library, index_dir)
            )
        name = "Search index" if language == DEFAULT_LANGUAGE else f"Search index ({language})"
        click.echo(f"{name}: {report}.")
    _close_answered_gaps()


def _close_answered_gaps() -> None:
    """Zero-result searches whose accepted synonym is now published where it works are
    answered."""
    found = services()
    groups = groups_in(found.content_dir, LANGUAGES)
    try:
        closed = close_landed(groups, utcnow(), lambda: sources_of(found))
    except SQLAlchemyError:  # a database not migrated yet: there are no gaps to close
        db.session.rollback()
        return
    for landed in closed:
        click.echo(f"Content gap “{landed.query}” done: its synonym is in {landed.file}.")


@orders_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def orders_import(file: Path) -> None:
    """Create or update orders from a CSV or JSON export; import nothing if any row is bad."""
    try:
        checked = importer.check(file)
        for problem in checked.problems:
            click.echo(problem)
        if checked.count > len(checked.problems):
            click.echo(f"… and {checked.count - len(checked.problems)} more")
        if checked.count:
            click.echo(f"{checked.count} problem(s); nothing imported.", err=True)
            raise SystemExit(1)
        report = importer.import_file(file)
    except importer.ImportFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Imported {report.created + report.updated} orders "
        f"({report.created} created, {report.updated} updated), {report.lines} lines."
    )


catalogue_cli = AppGroup("catalogue", help="The variants and stock that exchanges offer.")


@catalogue_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def catalogue_import(file: Path) -> None:
    """Create or update variants from a CSV file (sku, product, name, option, price, stock);
    import nothing if any row is bad."""
    try:
        report = catalogue.import_catalogue(file)
    except catalogue.CatalogueError as error:
        for problem in error.problems:
            click.echo(problem)
        click.echo(f"{len(error.problems)} problem(s); nothing imported.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Imported variants: {report.created} created, {report.updated} updated.")


@catalogue_cli.command("sync")
def catalogue_sync() -> None:
    """Create or update variants from the shop's Shopify products (ORDERS_SOURCE=shopify's
    settings), with their stock."""
    try:
        client = ShopifyClient.from_config(current_app.config)
        report, problems = catalogue.sync_from_shopify(client)
    except (ValueError, ShopifyError) as error:
        raise click.ClickException(str(error)) from None
    for problem in problems:
        click.echo(f"left out: {problem}")
    click.echo(f"Synced variants from Shopify: {report.created} created, {report.updated} updated.")


@orders_cli.command("sync")
@click.option(
    "--since",
    required=True,
    callback=lambda _ctx, _param, value: _since(value),
    help="Orders updated on or after this date (2026-11-01) or moment (ISO 8601, UTC if no zone).",
)
def orders_sync(since: datetime) -> None:
    """Create or update the orders Shopify has updated since a date (ORDERS_SOURCE=shopify):
    the webhooks' backfill; running it again changes nothing."""
    if current_app.config.get("ORDERS_SOURCE") != "shopify":
        raise click.ClickException("Orders come from Shopify only with ORDERS_SOURCE=shopify.")
    try:
        client = ShopifyClient.from_config(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    try:
        report = shopify_orders.sync(client, since)
    except ShopifyError as error:
        raise click.ClickException(str(error)) from None
    for problem in report.skipped:
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(
        f"Synced {report.created + report.updated} orders from Shopify ({report.created} "
        f"created, {report.updated} updated, {report.unchanged} already newer here, "
        f"{len(report.skipped)} skipped) in {report.pages} page(s)."
    )


def _since(value: str) -> datetime:
    try:
        return shopify_orders.since(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


demo_cli = AppGroup("demo", help="Demo data for trying the site.")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Create demo orders (once, on an empty database) and print how to look them up."""
    app = current_app
    found = services(app)
    try:
        made = seed_demo(found.returns_policy, found.carrier, found.payments)
    except NoPolicy as problem:
        raise click.ClickException(str(problem)) from None
    if made:
        added = seed_activity(found.library, found.search, found.returns_policy, utcnow())
        click.echo(f"Editors' insights: {added} demo searches, votes and views over four weeks.")
    shown = made or demo_orders()
    if not made:
        click.echo("The database already has orders; no demo data added.")
    if shown:
        click.echo("Demo orders (look them up at /returns/ with the order number and email):")
    for order in shown:
        click.echo(
            f"  {order.number}  {order.email}  (postal code {order.postal_code}): {order.shows}"
        )
    instance = Path(app.instance_path)
    seed_demo_users(instance)
    sign_ins = demo_sign_ins(instance)
    if sign_ins:
        click.echo("Staff sign-ins at /staff/sign-in:")
        click.echo(sign_ins, nl=False)


outbox_cli = AppGroup("outbox", help="Customer emails waiting to be sent.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Send at most this many.")
def outbox_send(limit: int) -> None:
    """Send the emails that are due; failed ones are retried on later runs, with growing pauses."""
    try:
        report = send_pending(current_app.config, limit=limit)
    except MailConfigError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sent {report.sent}, retrying {report.retrying}, failed {report.failed}.")


returns_cli = AppGroup("returns", help="Returns in progress.")


@returns_cli.command("expire")
def returns_expire() -> None:
    """Expire the returns whose label went unused for the policy's label_valid_days (run it
    daily): their items and replacements are released, the customers told."""
    policy = services().returns_policy
    if policy is None:
        raise click.ClickException("The return policy can't be loaded: `flask content check`.")
    expired = expire_unused(policy.label_valid_days, services().carrier, utcnow())
    click.echo(f"Expired {len(expired)} return(s){': ' if expired else '.'}{', '.join(expired)}")


carrier_cli = AppGroup("carrier", help="Return labels bought from the carrier.")


@carrier_cli.command("retry")
def carrier_retry() -> None:
    """Buy the labels the carrier could not sell when returns were approved, and ask again for
    the postage of canceled returns' unused labels (run it every few minutes)."""
    report = retry_pending(services().carrier)
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(
        f"Labels bought: {len(report.labels_bought)}; unused labels refunded: "
        f"{len(report.labels_refunded)}; still failing: {len(report.problems)}."
    )


users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--name", default="", help="The name shown on the timeline.")
def users_create(email: str, role: str, name: str) -> None:
    """Create a staff account: agents process returns, editors read insights, admins both.
    The password is asked for at a terminal, or read from the first line of piped input."""
    password = _read_password()
    try:
        user = create_user(email, password, role, name)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
def users_set_password(email: str) -> None:
    """Give a staff account a new password (asked for, or piped like `create`); every browser
    signed in with the old one is signed out."""
    try:
        user = set_password(email, _read_password())
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}; signed out everywhere.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")
