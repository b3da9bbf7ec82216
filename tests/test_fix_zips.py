"""`lambdalint check --fix / --diff / --fix-only` on deployment zips, as a user sees them: the
command's output and exit code, the JSON findings of a re-check, and the bytes of the zips
the fixes write (names, modes, and the raw compressed data of what the fix did not touch).

Every run is a subprocess (``python -m lambdalint check …``) in the test's folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

WHEN = (2021, 6, 15, 12, 30, 42)
LATER = (2022, 1, 2, 3, 4, 6)
RUNTIME = ("--runtime", "python3.12")
HANDLER = ("--handler", "app.handler")
HANDLER_SOURCE = "def handler(event, context):\n    return {'ok': True}\n"
# A pyc header: magic, \r\n, flags and the source's mtime and size, then a code object.
PYC_311 = struct.pack("<H", 3495) + b"\r\n" + bytes(12) + b"\xe3"
PYC_312 = struct.pack("<H", 3531) + b"\r\n" + bytes(12) + b"\xe3"
# Above LL605's 64 KiB reporting floor, and incompressible so it stays big in the zip.
BIG = hashlib.sha256(b"lambdalint").digest() * (70 * 1024 // 32)
STUB = b"#!/bin/sh\nexit 0\n"
UNZIP = shutil.which("unzip")


# ---- running the command line ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Cli:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def notes(self) -> list[str]:
        """The stderr lines lambdalint writes about fixes (``lambdalint: …``)."""
        return [line for line in self.stderr.splitlines() if line.startswith("lambdalint: ")]


def lambdalint(folder: Path, *argv: str) -> Cli:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "lambdalint", "check", *argv], cwd=folder,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=60, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return Cli(done.returncode, done.stdout, done.stderr)


def findings(folder: Path, *argv: str) -> list[dict[str, Any]]:
    run = lambdalint(folder, *argv, "--format", "json")
    assert run.code in (0, 1), run.stderr
    result: list[dict[str, Any]] = run.json["findings"]
    return result


# ---- building and reading zips -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Spec:
    """One entry to write: content, Unix permission bits, compression, timestamp."""

    name: str
    content: bytes | str = b""
    mode: int | None = None  # None: 0o755 for a folder, else 0o644
    method: int = zipfile.ZIP_DEFLATED
    when: tuple[int, int, int, int, int, int] = WHEN


def write_zip(path: Path, entries: Sequence[Spec]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names: wanted here
        with zipfile.ZipFile(path, "w") as archive:
            for spec in entries:
                folder = spec.name.endswith("/")
                info = zipfile.ZipInfo(spec.name, spec.when)
                info.compress_type = zipfile.ZIP_STORED if folder else spec.method
                info.create_system = 3
                mode = spec.mode if spec.mode is not None else 0o755 if folder else 0o644
                kind = stat.S_IFDIR if folder else stat.S_IFREG
                info.external_attr = (kind | mode) << 16 | (0x10 if folder else 0)
                content = spec.content.encode() if isinstance(spec.content, str) \
                    else spec.content
                archive.writestr(info, content)
    return path


@dataclasses.dataclass(frozen=True)
class Raw:
    """An entry as the archive holds it."""

    name: str
    mode: int  # permission bits
    date_time: tuple[int, ...]
    crc: int
    method: int
    data: bytes  # the compressed bytes, sliced from after the local header

    @property
    def listed(self) -> tuple[str, str]:
        return self.name, f"{self.mode:04o}"


def raw_entries(path: Path) -> list[Raw]:
    blob = path.read_bytes()
    entries = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            at = info.header_offset
            assert blob[at:at + 4] == b"PK\x03\x04"
            name_length, extra_length = struct.unpack_from("<HH", blob, at + 26)
            start = at + 30 + name_length + extra_length
            entries.append(Raw(info.filename, stat.S_IMODE(info.external_attr >> 16),
                               tuple(info.date_time), info.CRC, info.compress_type,
                               blob[start:start + info.compress_size]))
    return entries


def listing(path: Path) -> list[tuple[str, str]]:
    return [entry.listed for entry in raw_entries(path)]


def member_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*.zip"))
            if p.is_file()}


def assert_reads_back(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        for info in archive.infolist():
            archive.read(info)
    if UNZIP is not None:
        done = subprocess.run([UNZIP, "-t", str(path)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No errors detected" in done.stdout


def expected_listing(before: Path, after: Path, shown: str) -> str:
    """What ``--diff`` should print for a zip, worked out from the zip before and after
    ``--fix``: each original entry is found again by its compressed bytes (the cases give
    every entry its own content), in the original order; a move before a mode change."""
    old, new = raw_entries(before), raw_entries(after)
    by_data = {(e.crc, e.data): e for e in new}
    assert len(by_data) == len(new), "the case needs distinct contents"
    lines = [f"--- {shown}\n", f"+++ {shown}\n"]
    for entry in old:
        now = by_data.get((entry.crc, entry.data))
        if now is None:
            lines.append(f"  removed {entry.name}\n")
            continue
        if now.name != entry.name:
            lines.append(f"  moved {entry.name} → {now.name}\n")
        if now.mode != entry.mode:
            lines.append(f"  mode {now.name} {entry.mode:04o} → {now.mode:04o}\n")
    return "".join(lines)


# ---- one zip, one fix ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """A deployment needing one kind of fix, and what the fix must make of it."""

    id: str
    zip_name: str
    entries: tuple[Spec, ...]
    options: tuple[str, ...]
    diff: str  # what --diff prints
    after: tuple[tuple[str, str], ...]  # (name, mode) of each entry once fixed
    renamed: dict[str, str]  # entries whose content the fix keeps: old name → new name
    gone: tuple[tuple[str, str | None], ...]  # (rule, member or any) absent once fixed
    fixed_rules: str  # the stderr line's rule list
    exit_code: int  # a check of the fixed zip
    remains: tuple[tuple[str, str], ...] = ()  # (rule, member) still reported once fixed

    def build(self, folder: Path) -> Path:
        return write_zip(folder / self.zip_name, self.entries)

    @property
    def argv(self) -> tuple[str, ...]:
        return (*self.options, self.zip_name)


def _header(name: str) -> str:
    return f"--- {name}\n+++ {name}\n"


CASES = [
    Case(
        id="LL101-root",
        zip_name="requests-layer.zip",
        entries=(Spec("requests/__init__.py", "from .api import get\n" * 20),
                 Spec("requests/api.py", "def get(url):\n    return url\n"),
                 Spec("requests-2.32.3.dist-info/METADATA",
                      "Name: requests\nVersion: 2.32.3\n", method=zipfile.ZIP_STORED)),
        options=(),
        diff=_header("requests-layer.zip")
        + "  moved requests/__init__.py → python/requests/__init__.py\n"
          "  moved requests/api.py → python/requests/api.py\n"
          "  moved requests-2.32.3.dist-info/METADATA → "
          "python/requests-2.32.3.dist-info/METADATA\n",
        after=(("python/requests/__init__.py", "0644"), ("python/requests/api.py", "0644"),
               ("python/requests-2.32.3.dist-info/METADATA", "0644")),
        renamed={"requests/__init__.py": "python/requests/__init__.py",
                 "requests/api.py": "python/requests/api.py",
                 "requests-2.32.3.dist-info/METADATA":
                     "python/requests-2.32.3.dist-info/METADATA"},
        gone=(("LL101", None),),
        fixed_rules="LL101",
        exit_code=0,
    ),
    Case(
        id="LL101-site-packages",
        zip_name="deps-layer.zip",
        entries=(Spec("site-packages/six.py", "SIX = 6\n"),
                 Spec("site-packages/attr/__init__.py", "ATTR = 1\n")),
        options=(),
        diff=_header("deps-layer.zip")
        + "  moved site-packages/six.py → python/six.py\n"
          "  moved site-packages/attr/__init__.py → python/attr/__init__.py\n",
        after=(("python/six.py", "0644"), ("python/attr/__init__.py", "0644")),
        renamed={"site-packages/six.py": "python/six.py",
                 "site-packages/attr/__init__.py": "python/attr/__init__.py"},
        gone=(("LL101", None),),
        fixed_rules="LL101",
        exit_code=0,
    ),
    Case(
        id="LL101-build-python",
        zip_name="deps-layer.zip",
        entries=(Spec("build/python/six.py", "SIX = 6\n"),
                 Spec("build/python/attr/__init__.py", "ATTR = 1\n")),
        options=(),
        diff=_header("deps-layer.zip")
        + "  moved build/python/six.py → python/six.py\n"
          "  moved build/python/attr/__init__.py → python/attr/__init__.py\n",
        after=(("python/six.py", "0644"), ("python/attr/__init__.py", "0644")),
        renamed={"build/python/six.py": "python/six.py",
                 "build/python/attr/__init__.py": "python/attr/__init__.py"},
        gone=(("LL101", None),),
        fixed_rules="LL101",
        exit_code=0,
    ),
    Case(
        id="LL103",
        zip_name="function.zip",
        entries=(Spec("my_function/"),
                 Spec("my_function/app.py", "import helpers\n\n\n" + HANDLER_SOURCE),
                 Spec("my_function/helpers.py", "HELP = 'me'\n",
                      method=zipfile.ZIP_STORED)),
        options=(*RUNTIME, *HANDLER),
        diff=_header("function.zip")
        + "  removed my_function/\n"
          "  moved my_function/app.py → app.py\n"
          "  moved my_function/helpers.py → helpers.py\n",
        after=(("app.py", "0644"), ("helpers.py", "0644")),
        renamed={"my_function/app.py": "app.py", "my_function/helpers.py": "helpers.py"},
        gone=(("LL103", None), ("LL401", None)),
        fixed_rules="LL103",
        exit_code=0,
    ),
    Case(
        id="LL104",
        zip_name="function.zip",
        entries=(Spec("app.py", HANDLER_SOURCE),
                 Spec("secret.py", "SECRET = 'none'\n", mode=0o600),
                 Spec("bin/", mode=0o700),
                 Spec("bin/tool", "#!/bin/sh\necho tool\n", mode=0o700),
                 Spec("data.json", '{"a": 1}\n', mode=0o640, method=zipfile.ZIP_STORED)),
        options=(*RUNTIME, *HANDLER),
        diff=_header("function.zip")
        + "  mode secret.py 0600 → 0644\n"
          "  mode bin/ 0700 → 0755\n"
          "  mode bin/tool 0700 → 0755\n"
          "  mode data.json 0640 → 0644\n",
        after=(("app.py", "0644"), ("secret.py", "0644"), ("bin/", "0755"),
               ("bin/tool", "0755"), ("data.json", "0644")),
        renamed={"app.py": "app.py", "secret.py": "secret.py", "bin/tool": "bin/tool",
                 "data.json": "data.json"},
        gone=(("LL104", None),),
        fixed_rules="LL104",
        exit_code=0,
    ),
    Case(
        id="LL105-exact-duplicate",
        zip_name="function.zip",
        entries=(Spec("app.py", HANDLER_SOURCE),
                 Spec("util.py", "UTIL = 1\n"),
                 Spec("other.py", "OTHER = 1\n"),
                 Spec("util.py", "UTIL = 1\n")),
        options=(*RUNTIME, *HANDLER),
        diff=_header("function.zip") + "  removed util.py\n",
        after=(("app.py", "0644"), ("other.py", "0644"), ("util.py", "0644")),
        renamed={"app.py": "app.py", "other.py": "other.py", "util.py": "util.py"},
        gone=(("LL105", None),),
        fixed_rules="LL105",
        exit_code=0,
    ),
    Case(
        id="LL106",
        zip_name="function.zip",
        entries=(Spec("app.py", HANDLER_SOURCE),
                 Spec("helpers.py", "HELP = 1\n"),
                 Spec("__pycache__/helpers.cpython-311.pyc", PYC_311 + b"old" * 40),
                 Spec("__pycache__/helpers.cpython-312.pyc", PYC_312 + b"new" * 40),
                 Spec("mod.pyc", PYC_311 + b"sourceless")),
        options=(*RUNTIME, *HANDLER),
        diff=_header("function.zip") + "  removed __pycache__/helpers.cpython-311.pyc\n",
        after=(("app.py", "0644"), ("helpers.py", "0644"),
               ("__pycache__/helpers.cpython-312.pyc", "0644"), ("mod.pyc", "0644")),
        renamed={"app.py": "app.py", "helpers.py": "helpers.py", "mod.pyc": "mod.pyc",
                 "__pycache__/helpers.cpython-312.pyc": "__pycache__/helpers.cpython-312.pyc"},
        gone=(("LL106", "__pycache__/helpers.cpython-311.pyc"),),
        fixed_rules="LL106",
        exit_code=1,  # the sourceless mod.pyc is still a warning
        remains=(("LL106", "mod.pyc"),),
    ),
    Case(
        id="LL605",
        zip_name="function.zip",
        entries=(Spec("app.py", HANDLER_SOURCE),
                 Spec("__pycache__/app.cpython-312.pyc", PYC_312 + BIG),
                 Spec("tests/test_app.py", "def test():\n    assert True\n" * 3000)),
        options=(*RUNTIME, *HANDLER),
        diff=_header("function.zip") + "  removed __pycache__/app.cpython-312.pyc\n",
        after=(("app.py", "0644"), ("tests/test_app.py", "0644")),
        renamed={"app.py": "app.py", "tests/test_app.py": "tests/test_app.py"},
        gone=(("LL605", "__pycache__/app.cpython-312.pyc"),),
        fixed_rules="LL605",
        exit_code=0,  # the tests/ folder is still reported, as info
        remains=(("LL605", "tests/test_app.py"),),
    ),
]


def _case_ids(case: Case) -> str:
    return case.id


@pytest.fixture(params=CASES, ids=_case_ids)
def case(request: pytest.FixtureRequest) -> Case:
    chosen: Case = request.param
    return chosen


def test_each_case_is_reported_fixable_before(case: Case, tmp_path: Path) -> None:
    case.build(tmp_path)
    reported = findings(tmp_path, *case.argv)
    for rule, member in case.gone:
        assert any(f["rule"] == rule and member in (None, f["member"]) for f in reported), \
            reported
    fixed_rule = case.fixed_rules
    assert any(f["rule"] == fixed_rule and f["fix_applicability"] == "safe"
               for f in reported), reported


def test_diff_prints_the_listing_and_changes_nothing(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    before = sha256(path)
    run = lambdalint(tmp_path, *case.argv, "--diff")
    assert run.stdout == case.diff
    assert run.code == 1, run.stderr
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.zip_name]  # no temporary left


def test_fix_rewrites_the_zip(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    original = {e.name: e for e in raw_entries(path)}  # the last copy of a duplicate wins
    run = lambdalint(tmp_path, *case.argv, "--fix")
    assert f"lambdalint: fixed {case.zip_name}: {case.fixed_rules}" in run.notes(), run.stderr
    assert run.code == case.exit_code, run.stdout
    assert lambdalint(tmp_path, *case.argv).code == run.code

    assert_reads_back(path)
    assert tuple(listing(path)) == case.after
    fixed = {e.name: e for e in raw_entries(path)}
    for old, new in case.renamed.items():
        assert fixed[new].data == original[old].data, new
        assert fixed[new].date_time == original[old].date_time == WHEN
        assert (fixed[new].crc, fixed[new].method) == (original[old].crc,
                                                      original[old].method)
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.zip_name]

    remaining = findings(tmp_path, *case.argv)
    for rule, member in case.gone:
        assert not [f for f in remaining
                    if f["rule"] == rule and member in (None, f["member"])], remaining
    left = {(f["rule"], f["member"]): f["fix_applicability"] for f in remaining}
    for rule, kept in case.remains:
        assert left[rule, kept] is None  # advice only


def test_fix_is_idempotent(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    lambdalint(tmp_path, *case.argv, "--fix")
    once = path.read_bytes()
    again = lambdalint(tmp_path, *case.argv, "--fix")
    assert path.read_bytes() == once
    assert "lambdalint: 0 findings fixed" in again.notes()
    diff = lambdalint(tmp_path, *case.argv, "--diff")
    assert (diff.stdout, diff.code) == ("", 0)
    assert path.read_bytes() == once


def test_diff_shows_what_fix_does(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    shown = lambdalint(tmp_path, *case.argv, "--diff").stdout
    before = tmp_path.parent / f"{tmp_path.name}-before.zip"
    shutil.copyfile(path, before)
    lambdalint(tmp_path, *case.argv, "--fix")
    if case.id.startswith("LL105"):
        # two entries with the same bytes: found again by name instead
        assert [e.name for e in raw_entries(path)] == [n for n, _ in case.after]
        return
    assert shown == expected_listing(before, path, case.zip_name)


# ---- LL105: duplicates that differ are not touched -------------------------------------------


def test_differing_duplicates_are_left_alone(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE),
        Spec("conf.py", "SETTING = 1\n"),
        Spec("conf.py", "SETTING = 2\n")))
    before = sha256(path)
    argv = (*RUNTIME, *HANDLER, "function.zip")
    reported = [f for f in findings(tmp_path, *argv) if f["rule"] == "LL105"]
    assert [(f["member"], f["fix_applicability"]) for f in reported] == [("conf.py", None)]
    diff = lambdalint(tmp_path, *argv, "--diff")
    assert (diff.stdout, diff.code) == ("", 0)
    fixed = lambdalint(tmp_path, *argv, "--fix")
    assert fixed.code == 1
    assert "lambdalint: 0 findings fixed" in fixed.notes()
    assert sha256(path) == before


def test_exact_duplicate_fixed_beside_differing_duplicates(tmp_path: Path) -> None:
    """util.py is copied exactly (its fix is safe); conf.py's copies differ (advice only):
    the safe fix must still be made, the differing copies kept as they are."""
    path = write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE),
        Spec("util.py", "UTIL = 1\n"),
        Spec("util.py", "UTIL = 1\n"),
        Spec("conf.py", "SETTING = 1\n"),
        Spec("conf.py", "SETTING = 2\n")))
    argv = (*RUNTIME, *HANDLER, "function.zip")
    reported = {f["member"]: f["fix_applicability"] for f in findings(tmp_path, *argv)
                if f["rule"] == "LL105"}
    assert reported == {"util.py": "safe", "conf.py": None}
    diff = lambdalint(tmp_path, *argv, "--diff")
    assert diff.stdout == _header("function.zip") + "  removed util.py\n", diff.stderr
    assert diff.code == 1
    fixed = lambdalint(tmp_path, *argv, "--fix")
    assert "lambdalint: fixed function.zip: LL105" in fixed.notes(), fixed.stderr
    assert [e.name for e in raw_entries(path)] == ["app.py", "util.py", "conf.py", "conf.py"]
    assert [member_text(tmp_path / "function.zip", "util.py")] == ["UTIL = 1\n"]


def test_mode_fix_in_a_zip_with_differing_duplicates(tmp_path: Path) -> None:
    """A zip holding two different conf.py: LL104's mode fix on another entry is safe and
    must be made; both conf.py stay."""
    path = write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE),
        Spec("secret.py", "SECRET = 1\n", mode=0o600),
        Spec("conf.py", "SETTING = 1\n"),
        Spec("conf.py", "SETTING = 2\n")))
    argv = (*RUNTIME, *HANDLER, "function.zip")
    diff = lambdalint(tmp_path, *argv, "--diff")
    assert diff.stdout == _header("function.zip") + "  mode secret.py 0600 → 0644\n", \
        diff.stderr
    fixed = lambdalint(tmp_path, *argv, "--fix")
    assert "lambdalint: fixed function.zip: LL104" in fixed.notes(), fixed.stderr
    assert listing(path) == [("app.py", "0644"), ("secret.py", "0644"), ("conf.py", "0644"),
                             ("conf.py", "0644")]


# ---- several fixes at once ------------------------------------------------------------------


def _several(folder: Path) -> tuple[Path, Path]:
    layer = write_zip(folder / "dist" / "deps-layer.zip", (
        Spec("requests/__init__.py", "from .api import get\n"),
        Spec("requests/api.py", "def get(url):\n    return url\n", mode=0o600),
        Spec("requests/models.py", "class Response:\n    pass\n", mode=0o640,
             method=zipfile.ZIP_STORED),
        Spec("requests-2.32.3.dist-info/METADATA", "Name: requests\nVersion: 2.32.3\n")))
    function = write_zip(folder / "dist" / "function.zip", (
        Spec("my_function/"),
        Spec("my_function/app.py", "import helpers\n\n\n" + HANDLER_SOURCE),
        Spec("my_function/helpers.py", "HELP = 1\n", mode=0o600),
        Spec("my_function/__pycache__/helpers.cpython-311.pyc", PYC_311 + b"stale"),
        Spec("my_function/settings.json", '{"debug": false}\n', mode=0o400,
             method=zipfile.ZIP_STORED)))
    return layer, function


SEVERAL = (*RUNTIME, *HANDLER, "--function", "dist/function.zip",
           "--layer", "dist/deps-layer.zip")


def test_diff_matches_what_fix_does_with_several_fixes(tmp_path: Path) -> None:
    layer, function = _several(tmp_path)
    saved = tmp_path.parent / f"{tmp_path.name}-saved"
    saved.mkdir()
    shutil.copyfile(layer, saved / "layer.zip")
    shutil.copyfile(function, saved / "function.zip")

    diff = lambdalint(tmp_path, *SEVERAL, "--diff")
    assert diff.code == 1
    assert hashes(tmp_path) == hashes_of(saved, layer, function)

    fixed = lambdalint(tmp_path, *SEVERAL, "--fix")
    assert fixed.code == 0, fixed.stdout
    assert "lambdalint: fixed dist/deps-layer.zip: LL101, LL104" in fixed.notes()
    assert "lambdalint: fixed dist/function.zip: LL103, LL106, LL104" in fixed.notes()
    assert "lambdalint: 5 findings fixed in 2 files" in fixed.notes()
    for path in (layer, function):
        assert_reads_back(path)

    # one zip after the other, in the order of their names
    assert diff.stdout == (
        expected_listing(saved / "layer.zip", layer, "dist/deps-layer.zip")
        + expected_listing(saved / "function.zip", function, "dist/function.zip"))
    # and what that is, spelled out
    assert listing(layer) == [("python/requests/__init__.py", "0644"),
                              ("python/requests/api.py", "0644"),
                              ("python/requests/models.py", "0644"),
                              ("python/requests-2.32.3.dist-info/METADATA", "0644")]
    assert listing(function) == [("app.py", "0644"), ("helpers.py", "0644"),
                                 ("settings.json", "0644")]
    remaining = {f["rule"] for f in findings(tmp_path, *SEVERAL)}
    assert not remaining & {"LL101", "LL103", "LL104", "LL106", "LL401"}, remaining

    again = lambdalint(tmp_path, *SEVERAL, "--diff")
    assert (again.stdout, again.code) == ("", 0)


def hashes_of(saved: Path, layer: Path, function: Path) -> dict[str, str]:
    root = layer.parent.parent
    return {str(layer.relative_to(root)): sha256(saved / "layer.zip"),
            str(function.relative_to(root)): sha256(saved / "function.zip")}


def test_diff_format_json_prints_the_same_as_diff(tmp_path: Path) -> None:
    _several(tmp_path)
    plain = lambdalint(tmp_path, *SEVERAL, "--diff")
    for form in ("json", "sarif", "github", "text"):
        other = lambdalint(tmp_path, *SEVERAL, "--diff", "--format", form)
        assert (other.stdout, other.code) == (plain.stdout, plain.code), form
    assert plain.stdout.startswith("--- dist/deps-layer.zip\n+++ dist/deps-layer.zip\n")


def test_fix_only_prints_nothing_and_fixes(tmp_path: Path) -> None:
    layer, function = _several(tmp_path)
    run = lambdalint(tmp_path, *SEVERAL, "--fix-only")
    assert (run.stdout, run.code) == ("", 0)
    assert "lambdalint: 5 findings fixed in 2 files" in run.notes()
    assert [n for n, _ in listing(function)] == ["app.py", "helpers.py", "settings.json"]
    assert listing(layer)[0] == ("python/requests/__init__.py", "0644")
    assert lambdalint(tmp_path, *SEVERAL).code == 0


def test_fix_only_exits_0_with_findings_left(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE),
        Spec("secret.py", "S = 1\n", mode=0o600),
        Spec("mod.pyc", PYC_311 + b"sourceless")))
    argv = (*RUNTIME, *HANDLER, "function.zip")
    run = lambdalint(tmp_path, *argv, "--fix-only")
    assert (run.stdout, run.code) == ("", 0)
    assert listing(tmp_path / "function.zip")[1] == ("secret.py", "0644")
    assert lambdalint(tmp_path, *argv).code == 1  # mod.pyc is still there


def test_fix_only_exits_2_on_an_input_error(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE), Spec("secret.py", "S = 1\n", mode=0o600)))
    run = lambdalint(tmp_path, *RUNTIME, *HANDLER, "function.zip", "missing.zip",
                     "--fix-only")
    assert run.stdout == ""
    assert run.code == 2
    assert "missing.zip" in run.stderr
    assert listing(path)[1] == ("secret.py", "0644")


# ---- fixes that take more than one pass ---------------------------------------------------------


NESTED_BOTO3 = ('import boto3\n\n\ndef handler(event, context):\n    s3 = boto3.client("s3")\n'
                '    return s3.list_buckets()\n')
HOISTED = ('import boto3\n\ns3 = boto3.client("s3")\n\n\ndef handler(event, context):\n'
           '    return s3.list_buckets()\n')


def test_lifting_the_folder_uncovers_the_code_fix(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "function.zip", (
        Spec("my_function/"),
        Spec("my_function/app.py", NESTED_BOTO3),
        Spec("my_function/README.txt", "read me\n", when=LATER)))
    argv = ("--handler", "app.handler", "--runtime", "python3.12", "function.zip")
    original = {e.name: e for e in raw_entries(path)}

    diff = lambdalint(tmp_path, *argv, "--diff")
    assert diff.code == 1
    assert diff.stdout.startswith(_header("function.zip") + "  removed my_function/\n"
                                  "  moved my_function/app.py → app.py\n"
                                  "  moved my_function/README.txt → README.txt\n"
                                  "--- function.zip:my_function/app.py\n"
                                  "+++ function.zip:app.py\n")
    assert '-    s3 = boto3.client("s3")\n' in diff.stdout
    assert '+s3 = boto3.client("s3")\n' in diff.stdout

    run = lambdalint(tmp_path, *argv, "--fix")
    assert run.code == 0, run.stdout
    assert "lambdalint: fixed function.zip: LL103, LL505" in run.notes()
    assert_reads_back(path)
    assert [n for n, _ in listing(path)] == ["app.py", "README.txt"]
    assert member_text(path, "app.py") == HOISTED
    entries = {e.name: e for e in raw_entries(path)}
    assert entries["README.txt"].data == original["my_function/README.txt"].data
    assert entries["README.txt"].date_time == LATER
    assert entries["app.py"].date_time == WHEN  # rewritten content, same timestamp
    assert not {f["rule"] for f in findings(tmp_path, *argv)} & {"LL103", "LL401", "LL505"}

    once = path.read_bytes()
    second = lambdalint(tmp_path, *argv, "--fix")
    assert path.read_bytes() == once
    assert "lambdalint: 0 findings fixed" in second.notes()
    assert lambdalint(tmp_path, *argv, "--diff").stdout == ""


def test_a_duplicate_dropped_then_the_layer_moved(tmp_path: Path) -> None:
    """Two exact copies of requests/api.py cannot both move to python/requests/api.py: LL105
    drops one, and the next pass moves the layer under python/."""
    path = write_zip(tmp_path / "deps-layer.zip", (
        Spec("requests/__init__.py", "X = 1\n"),
        Spec("requests/api.py", "Y = 1\n"),
        Spec("requests/api.py", "Y = 1\n")))
    diff = lambdalint(tmp_path, "deps-layer.zip", "--diff")
    assert diff.stdout == (_header("deps-layer.zip")
                           + "  moved requests/__init__.py → python/requests/__init__.py\n"
                             "  removed requests/api.py\n"
                             "  moved requests/api.py → python/requests/api.py\n")
    run = lambdalint(tmp_path, "deps-layer.zip", "--fix")
    assert run.code == 0, run.stdout
    assert "lambdalint: fixed deps-layer.zip: LL105, LL101" in run.notes()
    assert listing(path) == [("python/requests/__init__.py", "0644"),
                             ("python/requests/api.py", "0644")]
    assert_reads_back(path)


def test_no_fix_when_a_new_name_is_taken(tmp_path: Path) -> None:
    """Moving would put two entries on one name: advice only, nothing changes."""
    write_zip(tmp_path / "function.zip", (
        Spec("my_function/app.py", HANDLER_SOURCE),
        Spec("my_function/helpers.py", "HELP = 1\n"),
        Spec("helpers.py", "HELP = 2\n")))
    write_zip(tmp_path / "six-layer.zip", (
        Spec("six.py", "SIX = 1\n"), Spec("python/six.py", "SIX = 2\n")))
    argv = (*RUNTIME, *HANDLER, "function.zip", "six-layer.zip")
    before = hashes(tmp_path)
    reported = {f["rule"]: f["fix_applicability"] for f in findings(tmp_path, *argv)}
    assert reported["LL103"] is None
    assert reported["LL101"] is None
    diff = lambdalint(tmp_path, *argv, "--diff")
    assert (diff.stdout, diff.code) == ("", 0)
    run = lambdalint(tmp_path, *argv, "--fix")
    assert run.code == 1
    assert "fixable" not in run.stdout
    assert hashes(tmp_path) == before


# ---- --unsafe-fixes -------------------------------------------------------------------------


def test_unsafe_fix_needs_unsafe_fixes(tmp_path: Path) -> None:
    source = "def handler(event, context):\n    return {1, 2}\n"
    path = write_zip(tmp_path / "function.zip", (Spec("app.py", source),))
    argv = (*RUNTIME, *HANDLER, "function.zip")
    before = sha256(path)

    reported = [f for f in findings(tmp_path, *argv) if f["rule"] == "LL405"]
    assert [f["fix_applicability"] for f in reported] == ["unsafe"]

    safe = lambdalint(tmp_path, *argv, "--fix")
    assert safe.code == 1
    assert sha256(path) == before
    assert "1 fixable with --unsafe-fixes" in safe.stdout.splitlines()
    assert " [--unsafe-fixes]" in safe.stdout
    assert "lambdalint: 0 findings fixed" in safe.notes()
    assert lambdalint(tmp_path, *argv, "--diff").stdout == ""

    diff = lambdalint(tmp_path, *argv, "--diff", "--unsafe-fixes")
    assert diff.stdout == (_header("function.zip")
                           + "--- function.zip:app.py\n+++ function.zip:app.py\n"
                             "@@ -1,2 +1,2 @@\n def handler(event, context):\n"
                             "-    return {1, 2}\n+    return sorted({1, 2})\n")
    assert sha256(path) == before

    unsafe = lambdalint(tmp_path, *argv, "--fix", "--unsafe-fixes")
    assert unsafe.code == 0, unsafe.stdout
    assert "lambdalint: fixed function.zip: LL405" in unsafe.notes()
    assert member_text(path, "app.py") == \
        "def handler(event, context):\n    return sorted({1, 2})\n"
    assert_reads_back(path)


# ---- what a fix must not touch --------------------------------------------------------------


def _layer_needing_fixes(path: Path) -> Path:
    return write_zip(path, (Spec("requests/__init__.py", "X = 1\n"),
                            Spec("requests/api.py", "Y = 2\n", mode=0o600)))


def _one_refusal(run: Cli, shown: str, why: str) -> None:
    about = [line for line in run.notes() if shown in line]
    assert about == [f"lambdalint: {shown}: left alone: {why}"], run.stderr


def test_a_zip_reached_through_a_symlink_is_left_alone(tmp_path: Path) -> None:
    real = _layer_needing_fixes(tmp_path / "real" / "layer.zip")
    (tmp_path / "layer.zip").symlink_to(Path("real") / "layer.zip")
    before = sha256(real)
    for flags in (("--fix",), ("--diff",), ("--fix-only",)):
        run = lambdalint(tmp_path, "layer.zip", *flags)
        _one_refusal(run, "layer.zip", "it is reached through a symlink")
        assert sha256(real) == before
        assert (tmp_path / "layer.zip").is_symlink()
    assert lambdalint(tmp_path, "layer.zip", "--diff").stdout == ""


def test_a_zip_in_a_symlinked_folder_is_left_alone(tmp_path: Path) -> None:
    """vendor/ is a symlink to a folder outside the project: the layer named through it is
    reached through a symlink, and the fix would write outside the project."""
    shared = _layer_needing_fixes(tmp_path / "shared" / "layer.zip")
    project = tmp_path / "project"
    project.mkdir()
    (project / "vendor").symlink_to(Path("..") / "shared")
    before = sha256(shared)
    run = lambdalint(project, "--layer", "vendor/layer.zip", "--fix")
    _one_refusal(run, "vendor/layer.zip", "it is reached through a symlink")
    assert sha256(shared) == before


def test_a_read_only_zip_is_left_alone(tmp_path: Path) -> None:
    path = _layer_needing_fixes(tmp_path / "layer.zip")
    path.chmod(0o444)
    before = sha256(path)
    run = lambdalint(tmp_path, "layer.zip", "--fix")
    _one_refusal(run, "layer.zip", "it is read-only")
    assert run.code == 1
    assert sha256(path) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    diff = lambdalint(tmp_path, "layer.zip", "--diff")
    assert (diff.stdout, diff.code) == ("", 0)


def test_a_zip_outside_the_folders_given_is_left_alone(tmp_path: Path) -> None:
    outside = _layer_needing_fixes(tmp_path / "outside-layer.zip")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "app.py").write_text(HANDLER_SOURCE)
    before = sha256(outside)
    run = lambdalint(tmp_path / "sub", *RUNTIME, *HANDLER, ".",
                     "--layer", "../outside-layer.zip", "--fix")
    _one_refusal(run, "../outside-layer.zip", "it is outside the folders given")
    assert sha256(outside) == before


def test_a_zip_with_a_stub_before_it_is_left_alone(tmp_path: Path) -> None:
    plain = _layer_needing_fixes(tmp_path / "plain-layer.zip")
    path = tmp_path / "layer.zip"
    path.write_bytes(STUB + plain.read_bytes())
    plain.unlink()
    before = sha256(path)
    # lambdalint still reads it (as unzip and zipfile do), and reports what it finds
    reported = {f["rule"] for f in findings(tmp_path, "layer.zip")}
    assert {"LL101", "LL104"} <= reported
    run = lambdalint(tmp_path, "layer.zip", "--fix")
    _one_refusal(run, "layer.zip",
                 "not a plain zip: data before the first entry (a self-extracting stub?)")
    assert run.code == 1
    assert sha256(path) == before
    diff = lambdalint(tmp_path, "layer.zip", "--diff")
    assert (diff.stdout, diff.code) == ("", 0)
    assert sha256(path) == before


def test_a_refused_zip_does_not_stop_the_others(tmp_path: Path) -> None:
    locked = _layer_needing_fixes(tmp_path / "locked-layer.zip")
    locked.chmod(0o444)
    free = _layer_needing_fixes(tmp_path / "free-layer.zip")
    before = sha256(locked)
    run = lambdalint(tmp_path, "locked-layer.zip", "free-layer.zip", "--fix")
    _one_refusal(run, "locked-layer.zip", "it is read-only")
    assert "lambdalint: fixed free-layer.zip: LL101, LL104" in run.notes()
    assert sha256(locked) == before
    assert listing(free) == [("python/requests/__init__.py", "0644"),
                             ("python/requests/api.py", "0644")]


# ---- the report ---------------------------------------------------------------------------


def test_text_report_counts_and_marks_the_fixes(tmp_path: Path) -> None:
    _several(tmp_path)
    run = lambdalint(tmp_path, *SEVERAL)
    lines = run.stdout.splitlines()
    assert "5 fixable with --fix" in lines, run.stdout
    fix_lines = [line for line in lines if line.startswith("  fix: ")]
    assert fix_lines
    # LL401 (the handler's module is in the folder) has advice only
    assert any(not line.endswith(" [--fix]") for line in fix_lines)
    marked = [i for i, line in enumerate(lines) if line.endswith(" [--fix]")]
    assert len(marked) == 5
    assert any("LL103" in lines[i - 1] for i in marked)


def test_text_report_counts_safe_and_unsafe(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", (
        Spec("app.py", "def handler(event, context):\n    return {1, 2}\n"),
        Spec("secret.py", "S = 1\n", mode=0o600)))
    run = lambdalint(tmp_path, *RUNTIME, *HANDLER, "function.zip")
    assert "1 fixable with --fix; 1 more with --unsafe-fixes" in run.stdout.splitlines(), \
        run.stdout


def test_json_fix_applicability(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", (
        Spec("app.py", HANDLER_SOURCE),
        Spec("secret.py", "S = 1\n", mode=0o600),
        Spec("mod.pyc", PYC_311 + b"sourceless")))
    reported = {f["rule"]: f for f in findings(tmp_path, *RUNTIME, *HANDLER, "function.zip")}
    assert reported["LL104"]["fix_applicability"] == "safe"
    assert reported["LL106"]["fix_applicability"] is None  # advice only: never removed
    assert reported["LL106"]["fix"]  # but it has advice
    assert reported["LL106"]["member"] == "mod.pyc"


def test_fix_report_is_the_check_of_the_fixed_files(tmp_path: Path) -> None:
    _several(tmp_path)
    fixed = lambdalint(tmp_path, *SEVERAL, "--fix", "--format", "json")
    after = lambdalint(tmp_path, *SEVERAL, "--format", "json")
    assert fixed.json["findings"] == after.json["findings"]
    assert (fixed.code, after.code) == (0, 0)


# ---- the rewritten file -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o755])
def test_fixed_zip_keeps_its_permissions(tmp_path: Path, mode: int) -> None:
    path = _layer_needing_fixes(tmp_path / "layer.zip")
    path.chmod(mode)
    inode = path.stat().st_ino
    run = lambdalint(tmp_path, "layer.zip", "--fix")
    assert "lambdalint: fixed layer.zip: LL101, LL104" in run.notes()
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.stat().st_ino != inode  # written next to it and renamed over it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer.zip"]

