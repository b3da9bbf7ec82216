"""What a check imports: the CLI run in a fresh interpreter, which reports the modules that
lambdalint's import and run added. Modules the interpreter's own start-up imported (site
hooks do) are not counted, except those named in ``forget``: they are dropped from
sys.modules first, so that an import of them by lambdalint shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import contextlib, io, json, os, sys
for name in os.environ["PROBE_FORGET"].split():
    sys.modules.pop(name, None)
before = set(sys.modules)
from lambdalint.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:  # argparse's --version action exits
        code = exit.code
print(json.dumps({"code": code, "stdout": out.getvalue(),
                  "modules": sorted(set(sys.modules) - before)}))
"""


def imported_by(argv: list[str], cwd: Path,
                forget: tuple[str, ...] = ()) -> tuple[int, str, set[str]]:
    """(exit code, stdout, modules imported) of `lambdalint ARGV` run in ``cwd``."""
    env = {**os.environ, "PROBE_FORGET": " ".join(forget)}
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, env=env,
                            capture_output=True, text=True, check=True)
    probe = json.loads(result.stdout.splitlines()[-1])
    return probe["code"], probe["stdout"], set(probe["modules"])
