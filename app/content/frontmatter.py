"""Splitting a Markdown file into YAML front matter and body, and normalising the keys that
different help-center generators use into ours."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml

ARTICLE_TYPES = ("faq", "tutorial")
# PyYAML's safe loader on libyaml's parser when the wheel has it (as PyYAML's documentation
# suggests for speed): the same values, much faster, which a help center of
# thousands of articles feels at every start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The keys that give the language an article is written in (`locale` in help-center exports).
LANGUAGE_KEYS = ("lang", "locale")
LANGUAGE_KEY = re.compile(rf"\b(?:{'|'.join(LANGUAGE_KEYS)})\b")


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@dataclass
class Split:
    meta: dict[str, object]  # as YAML read it
    body: str
    body_line: int  # 1-based line number of the body's first line
    meta_text: str


def _closing_fence(lines: list[str]) -> int | None:
    """The 1-based line number of the `---` closing the front matter; None without any."""
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return number
    raise FrontMatterError("front matter opened with --- but never closed", 1)


def _fenced(text: str) -> tuple[list[str], int | None]:
    """The file's lines and the line number closing its front matter (see _closing_fence)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    return lines, _closing_fence(lines)


def front_matter_of(text: str) -> str:
    """The front matter's text, without reading its YAML ("" when there is none)."""
    lines, closing = _fenced(text)
    return "" if closing is None else "".join(lines[1 : closing - 1])


def may_declare_language(text: str) -> bool:
    """Whether a file's front matter may give its language (`lang` or `locale`), found
    without reading its YAML; False means it certainly doesn't."""
    return LANGUAGE_KEY.search(front_matter_of(text)) is not None


def body_of(text: str) -> str:
    """The Markdown body alone, without reading the front matter's YAML."""
    lines, closing = _fenced(text)
    return "".join(lines if closing is None else lines[closing:])


def split(text: str) -> Split:
    """Separate `---`-fenced YAML front matter from the Markdown body.

    A file without front matter is all body and has no metadata.
    """
    lines, number = _fenced(text)
    if number is None:
        return Split({}, text.lstrip("\ufeff"), 1, "")
    meta_text = "".join(lines[1 : number - 1])
    body = "".join(lines[number:])
    try:
        meta = yaml.load(meta_text, Loader=SAFE_LOADER) if meta_text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line_no = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise FrontMatterError(f"malformed YAML front matter: {problem}", line_no) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be a mapping of keys to values", 2)
    return Split(meta, body, number + 1, meta_text)


def line_of(meta_text: str, needle: str, first: int = 2) -> int:
    """The file line on which `needle` first appears in the front matter (best effort):
    `first` is the line number of its first line, 2 after the opening `---` (1 for a whole
    YAML file)."""
    for number, line in enumerate(meta_text.splitlines(), start=first):
        if needle in line:
            return number
    return 1


def line_of_key(meta_text: str, key: str) -> int:
    """The file line on which the front matter sets `key`, or 1 when it does not."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(meta_text.splitlines(), start=2):
        if pattern.match(line):
            return number
    return 1


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]


def _as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


@dataclass
class Meta:
    """Front matter after mapping other generators' keys onto ours."""

    title: str
    summary: str = ""
    type: str = "faq"
    category: str | None = None
    sub_category: str | None = None
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    updated: date | None = None
    order: int = 0
    nav_title: str | None = None
    embed: str | None = None  # a live block the page shows under the body (e.g. return-policy)
    language: str | None = None  # the language tag it gives ("de", "fr-FR"), if any
    translation_of: str | None = None  # the article it translates (its path or file)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def normalise(meta: dict[str, object], meta_text: str) -> Meta:
    """Map front matter onto `Meta`. Raises FrontMatterError for a missing title; softer
    problems (bad date, unknown type) become warnings and a sensible default."""
    title = meta.get("title")
    if not isinstance(title, str | int | float) or not str(title).strip():
        raise FrontMatterError("missing required key: title", line_of_key(meta_text, "title"))
    warnings: list[tuple[int, str]] = []

    kind = str(meta.get("type") or "faq").strip().lower()
    if kind not in ARTICLE_TYPES:
        warnings.append(
            (line_of_key(meta_text, "type"), f"type must be faq or tutorial, not {kind!r}")
        )
        kind = "faq"

    try:
        updated = _as_date(meta.get("updated", meta.get("date")))
    except ValueError:
        warnings.append(
            (line_of_key(meta_text, "updated"), "updated must be a date like 2026-05-31")
        )
        updated = None

    raw_order = meta.get("order", meta.get("weight", 0)) or 0
    try:
        order = int(raw_order) if isinstance(raw_order, int | float | str) else None
    except ValueError:
        order = None
    if order is None:
        warnings.append((line_of_key(meta_text, "order"), "order must be a whole number"))
        order = 0

    summary = meta.get("summary") or meta.get("description") or meta.get("intro") or ""
    category = meta.get("category")
    sub_category = meta.get("sub_category")
    nav_title = meta.get("nav_title")
    language = next((meta[key] for key in LANGUAGE_KEYS if meta.get(key)), None)
    translation_of = meta.get("translation_of")
    return Meta(
        title=str(title).strip(),
        summary=str(summary).strip(),
        type=kind,
        category=str(category).strip() if category else None,
        sub_category=str(sub_category).strip() if sub_category else None,
        tags=_as_list(meta.get("tags")) + _as_list(meta.get("keywords")),
        aliases=_as_list(meta.get("aliases")),
        related=_as_list(meta.get("related")),
        updated=updated,
        order=order,
        nav_title=str(nav_title).strip() if nav_title else None,
        embed=str(meta["embed"]).strip() if meta.get("embed") else None,
        language=str(language).strip() if language else None,
        translation_of=str(translation_of).strip() if translation_of else None,
        warnings=warnings,
    )
