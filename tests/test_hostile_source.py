"""Hostile source code: the parsers never see what would crash or stall them.

Each case runs lambdalint in a child process, as a user would: libcst's native parser dies
with SIGSEGV on some of these inputs and runs for minutes on others (it reads only what
the host's `ast` cannot), and a test must see that as a failure, not die with it. Every
case ends in time, without a signal or a traceback, with one note (or LL002 where the
runtime itself would fail to import it).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HANDLER = b"\n\ndef handler(event, context):\n    return {}\n"
# The child's address space is capped: a case that needed more memory would die, and fail.
MEMORY_CAP = 1024 * 1024 * 1024


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
CASES = {
    "10 MB one-line dict literal": (
        b"X = {" + b",".join(b'"k%d": %d' % (i, i) for i in range(600_000)) + b"}" + HANDLER,
        "larger than max-source-size"),
    "5,000 nested parentheses": (b"X = " + b"(" * 5000 + b"1" + b")" * 5000 + HANDLER,
                                 "too many nested parentheses"),
    "60,000 nested conditional expressions": (
        b"X = " + b"1 if X else " * 60_000 + b"1" + HANDLER, "nested too deeply"),
    "20,000 nots": (b"X = " + b"not " * 20_000 + b"1" + HANDLER, "nested too deeply"),
    "20,000 unary minuses": (b"X = " + b"-" * 20_000 + b"1" + HANDLER, "nested too deeply"),
    "5,000 lambdas": (b"X = " + b"lambda: " * 5_000 + b"1" + HANDLER, "nested too deeply"),
    "a 100,000-term sum": (b"X = " + b"+".join([b"a"] * 100_000) + HANDLER,
                           "nested too deeply"),
    "a 2,500-term sum, which Python accepts": (
        b"X = " + b"+".join([b"a"] * 2_500) + HANDLER, "nested too deeply for lambdalint"),
    # 1,000 levels are half a megabyte of indentation (100,000 would be 5 GB, refused by
    # the size cap); CPython's tokenizer stops at 100.
    "1,000 nested ifs": (
        b"".join(b" " * i + b"if X:\n" for i in range(1_000)) + b" " * 1_000 + b"pass\n"
        + HANDLER, "too many levels of indentation"),
    "NUL bytes": (b"X = 1\x00\n" + HANDLER, "NUL bytes"),
    "invalid UTF-8": (b"X = '\xff\xfe'\n" + HANDLER, "cannot be parsed"),
    "a lone surrogate": ("X = '\ud800'\n".encode("utf-8", "surrogatepass") + HANDLER,
                         "cannot be parsed"),
    "newer syntax with 5,000 nested brackets": (
        b"type Alias = int\nX = " + b"[" * 5000 + b"]" * 5000 + HANDLER,
        "too many nested parentheses"),
}


@pytest.mark.parametrize("name", CASES)
def test_hostile_source_ends_in_one_clear_result(name: str, tmp_path: Path) -> None:
    source, says = CASES[name]
    (tmp_path / "app.py").write_bytes(source)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, "-m", "lambdalint", "check", "app.py", "--runtime", "python3.12",
         "--handler", "app.handler", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
        preexec_fn=_capped)

    assert result.returncode >= 0, f"killed by signal {-result.returncode}"
    assert "Traceback" not in result.stderr and "internal error" not in result.stdout
    report = json.loads(result.stdout)
    said = report["notes"] + [f["message"] for f in report["findings"] if f["rule"] == "LL002"]
    assert any(says in text for text in said), said
    assert result.returncode in (0, 1, 2)


def test_the_source_size_cap_is_configurable(tmp_path: Path) -> None:
    from zipspec import run_cli

    (tmp_path / "app.py").write_bytes(b"import datetime\n\n\ndef handler(event, context):\n"
                                      b"    return {'at': datetime.datetime.now()}\n")
    argv = ["check", "app.py", "--runtime", "python3.12", "--handler", "app.handler",
            "--format", "json"]
    assert [f["rule"] for f in run_cli(argv, tmp_path).json["findings"]] == ["LL405"]

    (tmp_path / "lambdalint.toml").write_text("max-source-size = 64\n")
    report = run_cli(argv, tmp_path).json
    assert report["findings"] == []
    assert report["notes"] == ["app.py is larger than max-source-size (64 bytes): "
                               "code checks skip it"]

    (tmp_path / "lambdalint.toml").write_text('max-source-size = "big"\n')
    assert sorted(f["rule"] for f in run_cli(argv, tmp_path).json["findings"]) == \
        ["LL003", "LL405"]  # the bad value is reported; the default cap applies


# Shapes that are flat in ast but deep chains in libcst: the ast model reads them whole,
# in good time, and still finds the handler's defect.
FLAT_IN_AST = [
    ("a 10,000-term and", b"X = " + b" and ".join(b"a%d" % i for i in range(10_000))),
    ("a 10,000-term comparison", b"X = " + b" < ".join(b"a%d" % i for i in range(10_000))),
    ("a 6,000-part dotted import", b"import " + b".".join(b"a%d" % i for i in range(6_000))),
    ("a 5,000-part dotted from-import",
     b"from " + b".".join(b"a%d" % i for i in range(5_000)) + b" import x"),
    ("a 20,000-entry dict", b"X = {" + b",".join(b'"k%d": %d' % (i, i)
                                                 for i in range(20_000)) + b"}"),
]
DEFECT = b"\n\ndef handler(event, context):\n    return {1, 2}\n"


@pytest.mark.parametrize(("name", "source"), FLAT_IN_AST,
                         ids=[name for name, _ in FLAT_IN_AST])
def test_shapes_flat_in_ast_are_analysed(name: str, source: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(source + DEFECT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, "-m", "lambdalint", "check", "app.py", "--runtime", "python3.12",
         "--handler", "app.handler", "--format", "json", "--select", "LL4"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env,
        preexec_fn=_capped)
    assert result.returncode == 1, f"{name}: exit {result.returncode}: {result.stderr}"
    report = json.loads(result.stdout)
    assert not any("analyse" in note for note in report["notes"]), report["notes"]
    assert [(f["rule"], f["line"]) for f in report["findings"]] == \
        [("LL405", source.count(b"\n") + 4)]


def test_the_verdict_on_deep_nesting_does_not_depend_on_the_callers_stack(
        tmp_path: Path) -> None:
    # Where a RecursionError comes from (the parser, the code model) depends on the stack
    # left: lambdalint's entry point gives itself the same headroom wherever it is called.
    import contextlib
    import io

    from lambdalint.cli import main

    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_bytes(b"X = " + b"-" * 2946 + b"1" + HANDLER)
    argv = ["check", "fn", "--runtime", "python3.12", "--handler", "app.handler",
            "--format", "json"]

    def run(depth: int) -> str:
        if depth:
            return run(depth - 1)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(argv)
        return out.getvalue()

    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        shallow, deep = run(0), run(400)
    finally:
        os.chdir(before)
    assert json.loads(shallow)["notes"] == [
        "fn/app.py is nested too deeply for lambdalint to analyse: code checks skip it"]
    assert deep == shallow
