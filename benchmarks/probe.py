"""Run one lambdalint check in-process and write what was observed as JSON (for budget.py).

    PYTHON benchmarks/probe.py profile OUT.json -- check ARGS…
    PYTHON benchmarks/probe.py opens OUT.json -- check ARGS…

Run by the Python of the venv lambdalint is installed in (budget.py does), in the folder the
check should run in; lambdalint's own output goes to this process's stdout and stderr.

- ``profile``: the check, its imports included, under cProfile; the entries by cumulative
  time (importlib's, runpy's and this script's frames left out).
- ``opens``: how many times each zip is opened, counted at
  ``lambdalint.model.archive.ZipTree.__init__``, by resolved path.

Either way OUT.json also holds the check's exit code and where lambdalint was imported from.
"""

from __future__ import annotations

import cProfile
import functools
import importlib
import json
import os
import pstats
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SKIPPED_FILES = ("<frozen importlib", "runpy.py", "probe.py")
SKIPPED_NAMES = ("<built-in method builtins.exec>", "<built-in method builtins.__import__>")


def where(file: str, line: int, name: str) -> str:
    """A frame as file:line(function), the file relative to site-packages or the stdlib."""
    if file == "~":  # a built-in
        return name
    parts = Path(file).parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    else:  # the stdlib: from lib/python3.X/ on
        stdlib = [i for i, part in enumerate(parts) if part.startswith("python3")]
        parts = parts[stdlib[-1]:] if stdlib else parts[-2:]
    return f"{'/'.join(parts)}:{line}({name})"


def profile(args: list[str]) -> dict[str, Any]:
    profiler = cProfile.Profile()
    profiler.enable()
    cli = importlib.import_module("lambdalint.cli")
    code = cli.main(args)
    profiler.disable()
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in table.items():
        if file.startswith(SKIPPED_FILES) or os.path.basename(file) in SKIPPED_FILES or \
                name in SKIPPED_NAMES:
            continue
        rows.append({"where": where(file, line, name), "calls": calls, "own": own,
                     "cumulative": cumulative})
    rows.sort(key=lambda row: -row["cumulative"])
    return {"exit": code, "entries": rows[:40], "module": cli.__file__}


def opens(args: list[str]) -> dict[str, Any]:
    archive = importlib.import_module("lambdalint.model.archive")
    counts: Counter[str] = Counter()
    original = archive.ZipTree.__init__

    @functools.wraps(original)
    def counting(self: Any, *positional: Any, **keywords: Any) -> None:
        path = keywords.get("path", positional[0] if positional else None)
        counts[str(Path(path).resolve())] += 1
        original(self, *positional, **keywords)

    archive.ZipTree.__init__ = counting
    cli = importlib.import_module("lambdalint.cli")
    code = cli.main(args)
    return {"exit": code, "opens": dict(counts), "module": cli.__file__}


def main() -> None:
    mode, out, separator, *args = sys.argv[1:]
    if separator != "--" or mode not in ("profile", "opens"):
        raise SystemExit(__doc__)
    result = profile(args) if mode == "profile" else opens(args)
    Path(out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
