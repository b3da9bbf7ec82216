"""The code model on real code: a sample of the standard library's modules, each checked as
a function's code with a handler, must end without an internal error (an exception a rule
or the model let escape) and in good time. Real modules hold every construct the model
must survive: decorators, nested scopes, walruses, star-unpacking, match statements,
global/nonlocal, deep attribute chains, huge literals."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import sysconfig
from pathlib import Path

import pytest

from lambdalint.cli import main

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# Every third module (sorted, so the sample is the same on every run of one Python).
SAMPLE = sorted(p for p in STDLIB.rglob("*.py")
                if "site-packages" not in p.parts and "test" not in p.parts)[::3]


def first_function(path: Path) -> str | None:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, RecursionError):
        return None
    return next((node.name for node in tree.body if isinstance(node, ast.FunctionDef)), None)


@pytest.mark.parametrize("chunk", range(4))
def test_standard_library_modules_end_without_internal_errors(chunk: int) -> None:
    checked = 0
    for path in SAMPLE[chunk::4]:
        function = first_function(path)
        if function is None or not path.stem.isidentifier():
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", str(path), "--runtime", "python3.12", "--handler",
                         f"{path.stem}.{function}", "--format", "json"])
        report = json.loads(out.getvalue())
        errors = [n for n in report["notes"] if n.startswith("internal error")]
        assert errors == [], f"{path}: {errors}"
        assert code in (0, 1, 2), path
        checked += 1
    assert checked > 40
