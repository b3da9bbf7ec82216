"""Real wheels for tests, installed by pip the way Lambda users build layers, and cached.

`pip install --target DIR --platform … --python-version … --only-binary=:all:` is the
documented recipe; the installed folder is cached under ~/.cache/lambdalint-tests so repeated
runs are offline-fast. Without network the tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("LAMBDALINT_TEST_CACHE",
                            Path.home() / ".cache" / "lambdalint-tests")) / "targets"


def pip_target(requirements: list[str], *, python: str, platform: str,
               deps: bool = True) -> Path:
    """A folder as `pip install --target` leaves it, for one Lambda target."""
    args = ["--platform", platform, "--implementation", "cp", "--python-version", python,
            "--only-binary=:all:", *([] if deps else ["--no-deps"]), *requirements]
    key = hashlib.sha256("\0".join(args).encode()).hexdigest()[:16]
    folder = CACHE / key
    if (folder / ".complete").exists():
        return folder
    scratch = CACHE / f"{key}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(scratch), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = f"pip could not fetch {requirements}: {result.stderr.strip()[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    (scratch / ".complete").write_text("")
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    return folder


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    """Zip a folder's contents under ``prefix`` as `cd folder && zip -r` would."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.name == ".complete":
                continue
            name = prefix + path.relative_to(folder).as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(name + "/", (1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o40755 << 16) | 0x10
                out.writestr(info, b"")
            else:
                out.write(path, name)
    return archive
