"""The return policy file (content/returns-policy.yml) as pydantic models: what each setting
may hold and its default, said once. A setting that breaks its rule is a PolicyError naming
the file's line and the setting (`line 52: refund_days: card must be two whole numbers, like
[3, 5]`), so whoever edits the file sees where; the returns pages then say the policy has a
problem instead of failing.

A list, mapping or label left empty (`category_windows:` with nothing under it) counts as not
given and takes its default. A setting the models don't name (a typo, `windw_days: 60`) is a
problem, not ignored: a new setting or section is a field on its model, nothing more.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

# pydantic's error types for a value that should have been a mapping.
NOT_A_MAPPING = {"dict_type", "model_type", "model_attributes_type"}
# The most any number may be: days (273 years) a date can still be counted from, and a
# refund window in business days counted one day at a time, never a number that overflows
# a date or keeps the returns pages counting for minutes.
MAX_WHOLE = 100_000
NOT_A_SETTING = "is not a setting of the return policy"
# A language's file holds texts only: a number or a rule there is a mistake.
NOT_A_TEXT = "is not a text of the return policy (numbers and rules are in the main file)"


class PolicyError(ValueError):
    """The policy file is missing or malformed; `line` is the file's line (1-based) of the
    first problem, when there is one to point at."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _in_words(words: str) -> WrapValidator:
    """Whatever the wrapped rule refuses is refused in these words (`must be ...`), so the
    message says what the setting should hold rather than how it failed; but a number too
    large (in a day range) says so."""

    def validate(value: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(value)
        except ValidationError as error:
            limits = [
                detail["msg"] for detail in error.errors() if detail["type"] == "policy_limit"
            ]
            raise PydanticCustomError("policy_setting", limits[0] if limits else words) from None

    return WrapValidator(validate)


def _none_is_empty(value: object) -> object:
    return () if value is None else value


def _not_above(value: int) -> int:
    if value > MAX_WHOLE:
        raise PydanticCustomError("policy_limit", f"must be {MAX_WHOLE} or less")
    return value


Whole = Annotated[
    int,
    Field(strict=True, ge=0),
    _in_words("must be a whole number of zero or more"),
    AfterValidator(_not_above),
]
Flag = Annotated[bool, _in_words("must be true or false")]
Words = Annotated[str, _in_words("must be text")]
Paths = Annotated[
    tuple[StrictStr, ...],
    BeforeValidator(_none_is_empty),
    _in_words("must be a list of article paths"),
]
DayRange = Annotated[tuple[Whole, Whole], _in_words("must be two whole numbers, like [3, 5]")]
# YAML reads `true:`, `yes:`, `1:` or `2026-01-01:` as other things than text; as a reason's
# code (in forms, links and the database) any of them would be a mistake.
ReasonCode = Annotated[StrictStr, _in_words("reason codes must be words, like too_small")]


class _Settings(BaseModel):
    """A mapping of settings, numbers read as text where text is wanted (a label `404`, a
    category `2024`). A list, mapping or label left empty is not given; a number or a yes/no
    left empty is a problem, as the file should say which (`auto_approve:` alone could be
    either). A name that is not a setting is a problem, empty or not."""

    model_config = ConfigDict(coerce_numbers_to_str=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_not_given(cls, values: object) -> object:
        if values is None:
            return {}
        if not isinstance(values, dict):
            return values  # pydantic says it isn't a mapping
        said = {name for name, field in cls.model_fields.items() if field.annotation in (int, bool)}
        return {
            key: value
            for key, value in values.items()
            if key in said or key not in cls.model_fields or value not in (None, "", [], {})
        }


class ReasonSettings(_Settings):
    label: Words = ""  # "": the reason's code
    free: Flag = False  # the shop pays the return shipping
    articles: Paths = ()
    articles_by_category: dict[str, Paths] = {}
    keep_offer: Flag = True
    photos: Flag = False


class Choice(_Settings):
    """A resolution or a return method the customer may pick."""

    label: Words = ""  # "": its code
    bonus_percent: Whole = 0  # store credit's extra, on top of the refund


class ExchangeSettings(_Settings):
    """Swapping an item for another size or colour (app/returns/exchanges.py)."""

    enabled: Flag = True
    free_shipping: Flag = True  # an exchanged item brings no return-shipping fee
    ship_first: Flag = False  # the replacement may leave before the old item arrives


class PolicyFile(_Settings):
    window_days: Whole = 30
    category_windows: dict[str, Whole] = {}
    non_returnable_categories: dict[str, Words] = {}
    reasons: dict[ReasonCode, ReasonSettings] = Field(default_factory=dict, validate_default=True)
    return_shipping_fee_cents: Whole = 0
    waive_shipping_with_free_reason: Flag = True
    restocking_fee_percent: Whole = 0
    resolutions: dict[str, Choice] = {"refund": Choice(label="Refund")}
    methods: dict[str, Choice] = {"label": Choice(label="Prepaid label")}
    auto_approve: Flag = True
    label_valid_days: Whole = 30  # an unused label expires after this many days (0: never)
    refund_days: dict[str, DayRange] = {}
    exchanges: ExchangeSettings = ExchangeSettings()

    @field_validator("reasons")
    @classmethod
    def _at_least_one(cls, reasons: dict[str, ReasonSettings]) -> dict[str, ReasonSettings]:
        if not reasons:
            raise PydanticCustomError("policy_setting", "must name at least one return reason")
        return reasons


class LabelText(_Settings):
    """A reason's, resolution's or method's wording in a language."""

    label: Words = ""


class PolicyTexts(_Settings):
    """A language's wording of the policy's texts (content/<lang>/returns-policy.yml): only
    the texts, under the keys of the main file, which holds the numbers and rules. A text
    left out (or empty) is shown in the main file's words."""

    non_returnable_categories: dict[str, Words] = {}
    reasons: dict[ReasonCode, LabelText] = {}
    resolutions: dict[str, LabelText] = {}
    methods: dict[str, LabelText] = {}
    # The product categories the policy names (a window, or why they can't come back), as
    # the help center's policy facts write them in this language.
    category_names: dict[str, Words] = {}


def read_policy_file(file: Path) -> PolicyFile:
    """The file's settings; raises PolicyError saying what is wrong, and on which line."""
    text, data = _read_yaml(file)
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as error:
        raise _policy_error(text, error.errors()) from None


def read_policy_texts(file: Path, policy: PolicyFile) -> PolicyTexts:
    """A language's texts of `policy`; raises PolicyError saying what is wrong (a setting
    that isn't a text, a reason or category the policy doesn't have), and on which line."""
    text, data = _read_yaml(file)
    try:
        texts = PolicyTexts.model_validate(data)
    except ValidationError as error:
        raise _policy_error(text, error.errors(), unknown=NOT_A_TEXT) from None
    known: dict[str, tuple[Mapping[str, object], str]] = {
        "non_returnable_categories": (policy.non_returnable_categories, "category"),
        "reasons": (policy.reasons, "reason"),
        "resolutions": (policy.resolutions, "resolution"),
        "methods": (policy.methods, "method"),
        "category_names": (
            {**policy.category_windows, **policy.non_returnable_categories},
            "product category",
        ),
    }
    line_of = _lines(text)
    problems = [
        (line_of((section, code)), f"{section}: {code} is not a {kind} of the return policy")
        for section, (codes, kind) in known.items()
        for code in getattr(texts, section)
        if code not in codes
    ]
    if problems:
        raise PolicyError(
            "; ".join(f"line {line}: {words}" if line else words for line, words in problems),
            problems[0][0],
        )
    return texts


def _read_yaml(file: Path) -> tuple[str, dict[str, Any]]:
    """The file's text and its mapping of settings; raises PolicyError."""
    try:
        text = file.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise PolicyError(f"{file} is missing") from None
    except OSError as error:  # a folder in its place, no permission to read it
        raise PolicyError(f"{file} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{file} is not UTF-8 text") from None
    except RecursionError:  # PyYAML builds nested lists and mappings recursively
        raise PolicyError(f"{file} is not valid YAML: nested too deeply") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PolicyError(f"{file} is not valid YAML: {error}", line) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{file} must be a mapping of settings", 1)
    return text, data


def _policy_error(
    text: str, details: list[ErrorDetails], unknown: str = NOT_A_SETTING
) -> PolicyError:
    """Every problem as `line N: setting must be ...`, one after another; `unknown`: what a
    name that isn't one of the file's is called."""
    line_of = _lines(text)
    problems = [(line_of(_path(detail)), _problem(detail, unknown)) for detail in details]
    return PolicyError(
        "; ".join(f"line {line}: {words}" if line else words for line, words in problems),
        problems[0][0],
    )


def _is_key_problem(detail: ErrorDetails) -> bool:
    """Whether a mapping's key is the problem (`true:` where a word was wanted), not its value."""
    return detail["loc"][-1:] == ("[key]",) or detail["type"] == "invalid_key"


def _path(detail: ErrorDetails) -> tuple[object, ...]:
    """The path of keys to the problem, a key that is itself the problem as YAML read it:
    pydantic spells `true` as 1."""
    loc = detail["loc"]
    if not _is_key_problem(detail):
        return loc
    mapping = loc[:-2] if loc[-1:] == ("[key]",) else loc[:-1]
    return (*mapping, detail["input"])


def _problem(detail: ErrorDetails, unknown: str = NOT_A_SETTING) -> str:
    """A pydantic error as the setting's path and what it must be."""
    loc = detail["loc"]
    if _is_key_problem(detail):
        # Pydantic's spelling of the key (1 for `true`) would mislead: name the mapping it is
        # in, and the line says which key.
        where = ": ".join(str(part) for part in _path(detail)[:-1])
        if detail["type"] == "policy_setting":
            words = detail["msg"]
        elif detail["type"] == "invalid_key":
            words = "setting names must be words"
        else:
            words = f"keys must be text ({detail['msg']})"
        return f"{where}: {words}" if where else words
    where = ": ".join(str(part) for part in loc)
    if detail["type"] in NOT_A_MAPPING:
        words = "must be a mapping"
    elif detail["type"] in ("policy_setting", "policy_limit"):
        words = detail["msg"]
    elif detail["type"] == "extra_forbidden":
        words = unknown
    else:
        words = f"is not valid ({detail['msg']})"
    return f"{where} {words}" if where else words


def _lines(text: str) -> Callable[[tuple[object, ...]], int | None]:
    """Finds the line of a setting (by its path of keys and list positions) in the file: the
    line of the deepest part of the path the file has, None for none."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    constructor = yaml.constructor.SafeConstructor()

    def is_key(node: yaml.Node, part: object) -> bool:
        """Whether the file's key is this part of the path: by its text, or for a key that
        isn't text (`true`, `1`), by what YAML reads it as."""
        if str(node.value) == str(part):
            return True
        if isinstance(part, str) or not isinstance(node, yaml.ScalarNode):
            return False
        value = constructor.construct_object(node)
        return type(value) is type(part) and value == part

    def line_of(path: tuple[object, ...]) -> int | None:
        node: Any = root
        line = None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                found = [pair for pair in node.value if is_key(pair[0], part)]
                if not found:
                    break
                key, node = found[-1]  # YAML keeps the last of a key given twice
                line = key.start_mark.line + 1
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and part < len(node.value)
            ):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    return line_of
