"""Loading CONTENT_DIR into an in-memory library of articles and categories.

An article's identity is its *path*: the file path relative to CONTENT_DIR without the
extension (``returns-refunds/how-to-return-an-item``). Another language's articles are in
its folder, the same tree translated (``de/returns-refunds/how-to-return-an-item.md``), or
anywhere under CONTENT_DIR with their language in their front matter, as other generators
lay them out (``lang: de``); either way ``translation_of`` may name the article a
translation translates, which gives it that path whatever its file is called.

A file with a problem that stops it from being shown (malformed front matter, no title, a
clashing path) is skipped and reported; the rest of the library loads.

The library holds each article's front matter and the hash of its file. The rendered body
(HTML, plain text, table of contents) is rendered from the file when first asked for and kept
in a bounded cache of the most recently used articles (`Bodies`), so a large help center
costs memory for the articles being read, not for all of them.
"""

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from app.config import BODY_CACHE_SIZE, DEFAULT_LANGUAGE, LANGUAGES, site_language
from app.content.frontmatter import (
    LANGUAGE_KEYS,
    FrontMatterError,
    Meta,
    Split,
    body_of,
    line_of,
    line_of_key,
    may_declare_language,
    normalise,
    split,
)
from app.content.render import Heading, Rendered, render

if TYPE_CHECKING:
    from functools import _CacheInfo

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = (".md", ".markdown")
UNREADABLE = Rendered(html="", toc=(), text="")
SLUG_BREAK = re.compile(r"[^\w.]+", re.UNICODE)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Bodies:
    """Rendered article bodies: an article's file is rendered when its body is first asked
    for, and the `capacity` most recently used bodies are kept."""

    def __init__(self, root: Path, capacity: int = BODY_CACHE_SIZE):
        self.root = root
        self._rendered = lru_cache(maxsize=capacity)(self._render)

    def get(self, article: "Article") -> Rendered:
        """The article's body; an empty one (logged) when its file can no longer be read."""
        try:
            return self._rendered(article.path, article.source, article.source_hash)
        except (OSError, UnicodeDecodeError, FrontMatterError) as error:
            log.error(
                "article %s can no longer be read from %s: %s", article.path, article.source, error
            )
            return UNREADABLE

    def cache_info(self) -> "_CacheInfo":
        return self._rendered.cache_info()

    def _render(self, path: str, source: str, source_hash: str) -> Rendered:
        raw = (self.root / source).read_bytes()
        body = body_of(raw.decode("utf-8"))
        if hashlib.sha256(raw).hexdigest() != source_hash:
            log.warning("article %s changed since the library was loaded", path)
        return render(body)


@dataclass(slots=True)
class Article:
    path: str
    title: str
    summary: str
    type: str
    category: str
    sub_category: str | None
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    updated: date | None
    order: int
    nav_title: str
    embed: str | None
    source: str  # the file, relative to CONTENT_DIR
    source_hash: str
    stat: tuple[int, int]  # the file's modification time (ns) and size when it was read
    bodies: Bodies = field(repr=False, compare=False)
    language: str = DEFAULT_LANGUAGE  # the language it is written in
    translation_of: str | None = None  # the path its front matter says it translates

    @property
    def html(self) -> str:
        return self.bodies.get(self).html

    @property
    def toc(self) -> tuple[Heading, ...]:
        return self.bodies.get(self).toc

    @property
    def text(self) -> str:
        return self.bodies.get(self).text


@dataclass
class Category:
    slug: str
    title: str
    description: str = ""
    articles: list[Article] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE  # of its title and description
    named: bool = True  # its title is written in categories.yml (not made from its slug)

    @property
    def faqs(self) -> list[Article]:
        return [a for a in self.articles if a.type == "faq"]

    @property
    def tutorials(self) -> list[Article]:
        return [a for a in self.articles if a.type == "tutorial"]


@dataclass
class Library:
    root: Path
    articles: dict[str, Article]
    categories: list[Category]
    problems: list[Problem]
    bodies: Bodies
    categories_hash: str = ""  # of categories.yml as read (see categories_fingerprint)
    language: str = DEFAULT_LANGUAGE
    # The files read and found to be another language's: each one's modification time (ns)
    # and size, so an index update reads them again only when they change.
    elsewhere: dict[str, tuple[int, int]] = field(default_factory=dict)

    def get(self, path: str) -> Article | None:
        return self.articles.get(path)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def category_of(self, article: Article) -> Category:
        found = self.category(article.category)
        assert found is not None, "every loaded article belongs to a loaded category"
        return found

    def related_to(self, article: Article) -> list[Article]:
        return [self.articles[p] for p in article.related if p in self.articles]

    def recently_updated(self, limit: int) -> list[Article]:
        dated = [a for a in self.articles.values() if a.updated]
        dated.sort(key=lambda a: (a.updated, a.path), reverse=True)
        return dated[:limit]


def _slug(name: str) -> str:
    """A file or folder name as a URL segment: lower case, each run of spaces and
    punctuation one hyphen ("Store Support" -> "store-support", "CTC GO!" -> "ctc-go"); never
    "." or ".." or empty."""
    return SLUG_BREAK.sub("-", name.lower()).strip("-.") or "untitled"


def article_path(relative: str) -> str:
    """An article's path from its file's path under CONTENT_DIR: the extension dropped and
    each part made a URL segment (`Store Support/Track-your-order.md` ->
    `store-support/track-your-order`), so help-center exports get clean addresses."""
    file = PurePosixPath(relative)
    if file.suffix in MARKDOWN_SUFFIXES:
        file = file.with_suffix("")
    return "/".join(_slug(part) for part in file.parts)


def _slug_title(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").strip().capitalize()


def _normalise_related(value: str) -> str:
    value = value.strip().strip("/")
    return article_path(value.removeprefix("articles/"))


def categories_fingerprint(raw: bytes | None) -> str:
    """What the index remembers of categories.yml (a front-matter category may name a
    category by its title there): its hash, "" when there is none."""
    return "" if raw is None else hashlib.sha256(raw).hexdigest()


def read_categories_file(root: Path) -> bytes | None:
    try:
        return (root / "categories.yml").read_bytes()
    except FileNotFoundError:
        return None


def load_categories(
    raw: bytes | None, problems: list[Problem], language: str = DEFAULT_LANGUAGE
) -> list[Category]:
    """The categories listed in categories.yml (`raw`, None when there is none), named in
    `language`."""
    if raw is None:
        return []
    file = language_file(language, "categories.yml")
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(file, mark.line + 1 if mark else 1, "malformed YAML"))
        return []
    if isinstance(data, dict):  # also accept a mapping of slug -> {title, description}
        data = [{"slug": slug, **(value or {})} for slug, value in data.items()]
    categories = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not entry.get("slug"):
            problems.append(Problem(file, 1, f"entry {number} needs a slug"))
            continue
        slug = str(entry["slug"]).strip().lower()
        categories.append(
            Category(
                slug=slug,
                title=str(entry.get("title") or _slug_title(slug)),
                description=str(entry.get("description") or ""),
                language=language,
                named=bool(entry.get("title")),
            )
        )
    return categories


def _match_category(declared: str | None, folder: str, categories: list[Category]) -> str:
    """A front-matter category may name a slug or a title; the folder is the fallback."""
    if declared:
        wanted = declared.strip().lower()
        for category in categories:
            if wanted in (category.slug, category.title.lower()):
                return category.slug
    return folder


def load_article(
    bodies: Bodies, relative: str, categories: list[Category], language: str = DEFAULT_LANGUAGE
) -> tuple[Article, list[Problem], str] | None:
    """Load the front matter of the file at `relative` (a path under CONTENT_DIR, with
    slashes) as an article in `language`: the article, its soft problems and its raw front
    matter text; None when the file is another language's (see `_written_in`). The body is
    rendered when it is first read (see `Bodies`).

    Raises FrontMatterError when the file cannot be shown at all (for a file in the default
    language's tree, only to that language: its library reports it, once).
    """
    with open(bodies.root / relative, "rb") as handle:
        status = os.fstat(handle.fileno())  # before reading: a later edit changes it again
        raw = handle.read()
    folder = folder_language(relative)
    try:
        read = _front_matter(raw, relative, folder, language)
    except FrontMatterError:
        if folder is None and language != DEFAULT_LANGUAGE:
            return None
        raise
    if read is None:
        return None
    parts, meta, problems = read
    path, translation_of = _path_of(relative, language, meta, parts.meta_text, problems)
    section = path.split("/")[0] if "/" in path else "general"
    article = Article(
        path=path,
        title=meta.title,
        summary=meta.summary,
        type=meta.type,
        category=_match_category(meta.category, section, categories),
        sub_category=meta.sub_category,
        tags=tuple(meta.tags),
        aliases=tuple(meta.aliases),
        related=tuple(_normalise_related(r) for r in meta.related),
        updated=meta.updated,
        order=meta.order,
        nav_title=meta.nav_title or meta.title,
        embed=meta.embed,
        source=relative,
        source_hash=hashlib.sha256(raw).hexdigest(),
        stat=(status.st_mtime_ns, status.st_size),
        bodies=bodies,
        language=language,
        translation_of=translation_of,
    )
    return article, problems, parts.meta_text


def _front_matter(
    raw: bytes, relative: str, folder: str | None, language: str
) -> tuple[Split, Meta, list[Problem]] | None:
    """The file's front matter, read and normalised, with its soft problems; None when the
    file is another language's than `language`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FrontMatterError("file is not UTF-8 text", 1) from None
    # The same test for every language, so each file is exactly one language's.
    declares = folder is None and may_declare_language(text)
    if folder is None and not declares and language != DEFAULT_LANGUAGE:
        return None  # the default language's, known without reading its YAML
    parts = split(text)
    meta = normalise(parts.meta, parts.meta_text)
    problems = [Problem(relative, line, message) for line, message in meta.warnings]
    written_in = folder or (_written_in(meta) if declares else DEFAULT_LANGUAGE)
    if written_in is None and language == DEFAULT_LANGUAGE:  # its tree holds the file
        codes = ", ".join(LANGUAGES)
        message = f"lang {meta.language!r} is not one of the site's: {codes}"
        raise FrontMatterError(message, _language_line(parts.meta_text))
    if written_in != language:
        return None
    if folder is not None and meta.language and site_language(meta.language) != folder:
        message = f"lang {meta.language!r} in the {folder}/ folder: read as {folder}"
        problems.append(Problem(relative, _language_line(parts.meta_text), message))
    return parts, meta, problems


def _written_in(meta: Meta) -> str | None:
    """The language a file of the default language's tree is written in: the one its front
    matter gives (`lang: de`, or `locale`), else the default language; None for a language
    the site doesn't have."""
    return site_language(meta.language) if meta.language else DEFAULT_LANGUAGE


def _path_of(
    relative: str, language: str, meta: Meta, meta_text: str, problems: list[Problem]
) -> tuple[str, str | None]:
    """The path of the article the file at `relative` is in `language`, and the article it
    translates: the one `translation_of` names (a translation's only; a problem is added
    for one that can't be), else its file's."""
    folder = folder_language(relative)
    own = article_path(relative.removeprefix(f"{folder}/") if folder else relative)
    if not meta.translation_of:
        return own, None
    line = line_of_key(meta_text, "translation_of")
    target = _normalise_related(meta.translation_of)
    if language == DEFAULT_LANGUAGE:
        message = "translation_of is for a translation into another language: ignored"
    elif not target:
        message = f"translation_of {meta.translation_of!r} names no article: shown at {own!r}"
    else:
        return target, target
    problems.append(Problem(relative, line, message))
    return own, None


def folder_language(relative: str) -> str | None:
    """The language whose folder holds the file at `relative` under CONTENT_DIR
    (`de/returns/x.md` is German); None in the default language's tree."""
    top = relative.split("/", 1)[0]
    return top if "/" in relative and top != DEFAULT_LANGUAGE and top in LANGUAGES else None


def _language_line(meta_text: str) -> int:
    return max(line_of_key(meta_text, key) for key in LANGUAGE_KEYS)


def language_root(content_dir: str | Path, language: str) -> Path:
    """A language's own folder, holding its categories.yml and synonyms.yml: CONTENT_DIR
    for the default language, `CONTENT_DIR/<code>` for another (whose articles are there, in
    the same tree translated, or anywhere with their language in their front matter)."""
    root = Path(content_dir)
    return root if language == DEFAULT_LANGUAGE else root / language


def language_file(language: str, name: str) -> str:
    """A file of a language's own folder, named as under CONTENT_DIR (`de/synonyms.yml`)."""
    return (language_root(".", language) / name).as_posix()


def markdown_entries(
    content_dir: Path, language: str = DEFAULT_LANGUAGE
) -> list[tuple[str, os.DirEntry[str]]]:
    """The Markdown files that may be a language's, each one's path relative to CONTENT_DIR
    and its directory entry (which has its stat at hand), in path order, folder by folder:
    the default language's tree without the other languages' folders, and for another
    language its folder as well (the default tree's files may say they are in it)."""
    found, folders = [], [(str(content_dir), "")]
    others = set(LANGUAGES) - {DEFAULT_LANGUAGE, language}
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and not (prefix == "" and entry.name in others):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.endswith(MARKDOWN_SUFFIXES) and entry.is_file():
                    found.append((prefix + entry.name, entry))
    # A language's folder first: its file keeps a path a translation elsewhere also claims.
    return sorted(found, key=lambda pair: (folder_language(pair[0]) is None, pair[0].split("/")))


def load_library(
    content_dir: str | Path, cache_size: int = BODY_CACHE_SIZE, language: str = DEFAULT_LANGUAGE
) -> Library:
    """Load every article of `language` under `content_dir` (see `markdown_entries`),
    skipping (and reporting) the broken ones; `cache_size` rendered bodies are kept."""
    root = language_root(content_dir, language)
    bodies = Bodies(Path(content_dir), cache_size)
    problems: list[Problem] = []
    categories_raw = read_categories_file(root) if root.is_dir() else None
    categories = load_categories(categories_raw, problems, language)
    articles: dict[str, Article] = {}
    elsewhere: dict[str, tuple[int, int]] = {}
    meta_texts: dict[str, tuple[str, str]] = {}
    entries = markdown_entries(bodies.root, language) if bodies.root.is_dir() else []
    for relative, entry in entries:
        status = entry.stat()  # before reading, as load_article's own
        try:
            loaded = load_article(bodies, relative, categories, language)
        except FrontMatterError as error:
            problems.append(Problem(relative, error.line, str(error)))
            continue
        if loaded is None:
            elsewhere[relative] = (status.st_mtime_ns, status.st_size)
            continue
        article, warnings, meta_text = loaded
        problems.extend(warnings)
        if article.path in articles:
            first = meta_texts[article.path][0]
            problems.append(Problem(relative, 1, f"duplicate path {article.path!r} (also {first})"))
            continue
        meta_texts[article.path] = (relative, meta_text)
        articles[article.path] = article

    # A translation's related articles may be the default language's (see translations.py).
    for path, article in articles.items() if language == DEFAULT_LANGUAGE else ():
        relative, meta_text = meta_texts[path]
        for target in article.related:
            if target not in articles:
                line = line_of(meta_text, target.split("/")[-1])
                problems.append(Problem(relative, line, f"related article {target!r} not found"))

    known = {c.slug for c in categories}
    for article in sorted(articles.values(), key=lambda a: (a.order, a.title.lower())):
        if article.category not in known:
            title = _slug_title(article.category)
            categories.append(Category(article.category, title, language=language, named=False))
            known.add(article.category)
        next(c for c in categories if c.slug == article.category).articles.append(article)

    for problem in problems:
        log.warning("content problem: %s", problem)
    return Library(
        root=root,
        articles=articles,
        categories=categories,
        problems=problems,
        bodies=bodies,
        categories_hash=categories_fingerprint(categories_raw),
        language=language,
        elsewhere=elsewhere,
    )
