"""Where a run reads an input file: the file itself, or the copy ``--fix`` has staged.

``--fix`` and ``--diff`` apply a pass of fixes to copies of the files they change, then
check the deployment again to find what the first pass uncovered (the handler module is
found once its folder is lifted to the zip root, and its code can be judged), until nothing
is left to fix. Those checks must see the staged copies, and nothing may be written over
the user's files before the end (``--diff`` never writes them). Every reader of a file a
fix may change — zips, source files, templates, the config — opens ``source(path)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

_P = TypeVar("_P", str, Path)

# The staged copy of each changed file, by its absolute, normalised path.
_staged: dict[str, Path] = {}


def source(path: _P) -> _P | Path:
    """The file to read for ``path``: its staged copy while fixes are being worked out."""
    if not _staged:
        return path
    return _staged.get(key(path), path)


def key(path: str | Path) -> str:
    return os.path.normpath(os.path.abspath(path))


def stage(original: Path, copy: Path) -> None:
    _staged[key(original)] = copy


def unstage(original: Path) -> None:
    _staged.pop(key(original), None)


def unstage_all() -> None:
    _staged.clear()
