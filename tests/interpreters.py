"""Real CPython interpreters on this machine, for tests that prove data against them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def interpreter(minor: int) -> str | None:
    """A working Python 3.minor: pyenv's builds, else one on PATH (pyenv shims may exist for
    versions that are not active, so each candidate must run and say its version)."""
    candidates = [str(p) for p in
                  sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python3"))]
    candidates += [found for found in [shutil.which(f"python3.{minor}")] if found]
    for candidate in candidates:
        check = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[1])"],
                               capture_output=True, text=True, check=False)
        if check.returncode == 0 and check.stdout.strip() == str(minor):
            return candidate
    return None
