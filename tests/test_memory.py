"""Bounded memory: the CLI checks large inputs under an address-space cap (a child process
with RLIMIT_AS), and passes — it reads central directories and capped member bytes, never
whole archives, and never a source over max-source-size."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

# Room for the interpreter, lambdalint's imports and its working set, far below the inputs.
CAP = 512 * 1024 * 1024


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def check(folder: Path, *argv: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run([sys.executable, "-m", "lambdalint", "check", *argv,
                             "--runtime", "python3.12", "--format", "json"],
                            cwd=folder, capture_output=True, text=True, timeout=300,
                            env=env, preexec_fn=_capped)
    assert result.returncode >= 0, f"killed by signal {-result.returncode}"
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert not [n for n in report["notes"] if n.startswith("internal error")]
    return report


def test_a_250_mb_layer(tmp_path: Path) -> None:
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(tmp_path / "big-layer.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(5):
            with archive.open(f"python/blob{number}.bin", "w", force_zip64=True) as member:
                for _ in range(50):
                    member.write(chunk)
        archive.writestr("python/mod.py", "X = 1\n")
    report = check(tmp_path, "--layer", "big-layer.zip")
    rules = {f["rule"] for f in report["findings"]}
    assert "LL601" in rules  # over the unzipped quota: judged from the central directory


def test_a_100000_entry_zip(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "function.zip", "w") as archive:
        for number in range(100_000):
            entry = zipfile.ZipInfo(f"data/f{number}.txt")
            entry.external_attr = 0o100644 << 16
            archive.writestr(entry, b"")
        entry = zipfile.ZipInfo("app.py")
        entry.external_attr = 0o100644 << 16
        archive.writestr(entry, "def handler(event, context):\n    return {}\n")
    check(tmp_path, "function.zip", "--handler", "app.handler")


@pytest.mark.parametrize("size", [10 * 1024 * 1024])
def test_a_10_mb_source(tmp_path: Path, size: int) -> None:
    line = b'X = {' + b",".join(b'"k%d": %d' % (i, i) for i in range(size // 16)) + b"}\n"
    (tmp_path / "app.py").write_bytes(line + b"def handler(event, context):\n    return {}\n")
    report = check(tmp_path, "app.py", "--handler", "app.handler")
    assert any("max-source-size" in note for note in report["notes"])
