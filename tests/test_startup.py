"""Startup cost: a pre-commit hook pays it on every commit, so heavy modules load lazily.

Each command runs in a fresh interpreter, which then reports the modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("libcst", "pip_api", "jsonschema", "rich")

PROBE = """
import contextlib, io, json, sys
from lambdalint.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:  # argparse's --version action exits
        code = exit.code
print(json.dumps({"code": code, "stdout": out.getvalue(),
                  "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _probe(*argv: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    probe: dict = json.loads(result.stdout.splitlines()[-1])
    probe["heavy"] = [name for name in HEAVY if name in probe["modules"]]
    return probe


def test_version_imports_no_heavy_module() -> None:
    probe = _probe("--version")

    assert probe["code"] == 0
    assert probe["stdout"].startswith("lambdalint ")
    assert probe["heavy"] == []


def test_zip_only_json_check_imports_no_heavy_module() -> None:
    probe = _probe("check", "--format", "json", "examples/broken/function.zip")

    assert probe["code"] == 1
    findings = json.loads(probe["stdout"])["findings"]
    assert ("LL104", "my_function/config.json") in {(f["rule"], f["member"]) for f in findings}
    # machine formats do not need rich either: only the terminal report uses it
    assert probe["heavy"] == []


def test_syntax_check_of_clean_code_does_not_parse_with_libcst() -> None:
    # python3.12 with a handler: LL209 reads the modules, finds nothing that 3.12 could not
    # parse (and the interpreter's own parser accepts them), so it never imports libcst.
    # (Import rules such as LL301 do parse the function's code: they need its imports.)
    probe = _probe("check", "--format", "json", "--config", "examples/lambdalint.toml",
                   "--select", "LL209")
    assert probe["code"] == 0
    assert "libcst" not in probe["modules"]
