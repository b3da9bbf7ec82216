"""The standard-library data behind LL301 and LL108, proven against real interpreters."""

from __future__ import annotations

import json
import subprocess

import pytest

from lambdalint.data import removed_stdlib, stdlib_modules

from interpreters import interpreter

PROBE = ("import importlib.util, json, sys\n"
         "names = json.load(sys.stdin)\n"
         "print(json.dumps({n: importlib.util.find_spec(n) is not None for n in names}))\n")


def importable(minor: int, names: list[str]) -> dict[str, bool]:
    python = interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    result = subprocess.run([python, "-c", PROBE], input=json.dumps(names),
                            capture_output=True, text=True, check=True, timeout=60)
    found: dict[str, bool] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize("minor", range(9, 14))
def test_modules_removed_in_a_version_are_gone_there_and_present_before(minor: int) -> None:
    removed_here = sorted(name for name, version in removed_stdlib((3, minor)).items()
                          if version == f"3.{minor}")
    # modules whose C extension a build may leave out (nis, spwd, ossaudiodev…) are only
    # checked where the older interpreter has them
    before = importable(minor - 1, removed_here)
    after = importable(minor, removed_here)
    assert not any(after.values()), {n for n, ok in after.items() if ok}
    assert sum(before.values()) >= len(removed_here) * 0.7, before


def test_imported_before_handler_modules_are_stdlib() -> None:
    from lambdalint.data import runtime_packages

    stdlib = stdlib_modules((3, 12))
    assert runtime_packages().imported_before_handler - stdlib <= {"simplejson"}
