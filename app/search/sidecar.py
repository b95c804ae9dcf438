"""Files kept beside a Whoosh commit, named after the commit they describe
(``<PREFIX><Whoosh generation>.json``): one left behind by a writer that stopped between its
commit and the file no longer matches the index's generation and is never read."""

import json
import os
from pathlib import Path

KEEP = 2  # this commit's file and the one before, which a reader may still be opening


def _file(folder: Path, prefix: str, commit: int) -> Path:
    return folder / f"{prefix}{commit}.json"


def read(folder: Path, prefix: str, commit: int | None) -> object:
    """The data written for `commit`, or None when there is none (or it is damaged)."""
    if commit is None:
        return None
    try:
        return json.loads(_file(folder, prefix, commit).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(folder: Path, prefix: str, commit: int, data: object) -> None:
    """Write `data` for `commit` (atomically) and remove the files of older commits."""
    target = _file(folder, prefix, commit)
    temporary = folder / f".{target.name}.{os.getpid()}"
    temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, target)
    for old in folder.glob(f"{prefix}*.json"):
        number = old.name[len(prefix) : -len(".json")]
        if number.isdigit() and int(number) <= commit - KEEP:
            old.unlink(missing_ok=True)
