"""What must hold for every generated input, checked on in-process runs of the command line.

* no exception escapes ``main``: an exit code in {0, 1, 2}, no traceback, no internal error
  (the engine's "internal error" note or the command line's "lambdalint: internal error");
* the JSON report validates against report.schema.json and the SARIF log against the
  SARIF 2.1.0 schema, with one result per finding and the same exit code in every format
  (text and GitHub annotations too, on a quarter of the cases);
* the same input, written again from scratch, gives a byte-identical JSON report;
* every location a finding (or a related location) names exists in the input: the path on
  disk, the member in that zip or folder, the line (and column) within that file or member;
* each case (all its runs) ends within ``SECONDS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.validators import validator_for

from lambdalint.cli import main
from lambdalint.engine import COMMAND_LINE

from generated.strategies import Project, ZipMember

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = json.loads((ROOT / "lambdalint" / "reporters" / "report.schema.json")
                           .read_text("utf-8"))
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json")
                          .read_text("utf-8"))
REPORT_VALIDATOR = validator_for(REPORT_SCHEMA)(REPORT_SCHEMA)
SARIF_VALIDATOR = Draft4Validator(SARIF_SCHEMA)
# Per case (all its runs and checks; so per run too): the slowest take about a second.
SECONDS = 10.0
# The text and GitHub formats (which add nothing to check but that they do not fail) run on
# one case in TERMINAL_EVERY, picked by the input's digest.
TERMINAL_EVERY = 4
# `--fix --unsafe-fixes` runs on one case in FIX_EVERY, picked by the input's digest.
FIX_EVERY = 3


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float


def run(argv: list[str], folder: Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    started = time.monotonic()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(before)
    return Run(code, out.getvalue(), err.getvalue(), time.monotonic() - started)


def _survived(result: Run, argv: list[str]) -> None:
    where = f"lambdalint {' '.join(argv)}"
    assert result.exit_code in (0, 1, 2), (where, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr, (where, result.stderr)
    assert "internal error" not in result.stderr, (where, result.stderr)
    assert "Warning:" not in result.stderr, (where, result.stderr)  # Python's, about the input
    assert result.seconds < SECONDS, (where, f"{result.seconds:.1f} s")


def _errors(validator: Any, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


_VALID_DRIVERS: list[Any] = []


def _sarif_errors(document: Any) -> list[str]:
    """Schema errors of a SARIF log. The rule descriptors (90% of the log, the same in every
    run) are validated in full the first time they are seen, then left out."""
    try:
        [run_] = document["runs"]
        driver = run_["tool"]["driver"]
    except (KeyError, TypeError, ValueError):
        return _errors(SARIF_VALIDATOR, document)
    if driver not in _VALID_DRIVERS:
        errors = _errors(SARIF_VALIDATOR, document)
        if not errors:
            _VALID_DRIVERS.append(driver)
        return errors
    lighter = {**run_, "tool": {**run_["tool"], "driver": {**driver, "rules": []}}}
    return _errors(SARIF_VALIDATOR, {**document, "runs": [lighter]})


def check_case(project: Project, folder: Path) -> str:
    """Run every check on ``project`` written into ``folder``; the digest of its outputs."""
    started = time.monotonic()
    argv = list(project.argv)
    (folder.parent / "current-case.txt").write_text(
        f"{project.kind} in {folder}:\nlambdalint {' '.join(map(repr, argv))}\n", "utf-8",
        "backslashreplace")
    shutil.rmtree(folder, ignore_errors=True)
    project.write(folder)
    first = run([*argv, "--format", "json"], folder)
    _survived(first, argv)
    report = json.loads(first.stdout)
    assert not [n for n in report["notes"] if "internal error" in n], report["notes"]
    assert _errors(REPORT_VALIDATOR, report) == [], first.stdout
    check_locations(report, project, folder)

    sarif = run([*argv, "--format", "sarif"], folder)
    _survived(sarif, argv)
    log = json.loads(sarif.stdout)
    assert _sarif_errors(log) == []
    assert len(log["runs"][0]["results"]) == len(report["findings"])
    assert sarif.exit_code == first.exit_code
    if int(project.digest(), 16) % TERMINAL_EVERY == 0:
        for other in ("text", "github"):
            result = run([*argv, "--format", other, "--no-color"], folder)
            _survived(result, argv)
            assert result.exit_code == first.exit_code, (other, result.stdout, result.stderr)

    # The same input again, written from scratch: a byte-identical report. (The replay in
    # other processes compares the SARIF too, and under other hash seeds.)
    shutil.rmtree(folder)
    project.write(folder)
    again = run([*argv, "--format", "json"], folder)
    assert (again.exit_code, again.stdout, again.stderr) == \
        (first.exit_code, first.stdout, first.stderr)
    if int(project.digest(), 16) % FIX_EVERY == 0:
        check_fixes(argv, folder)
    took = time.monotonic() - started
    assert took < SECONDS, f"the case took {took:.1f} s (every run and check)"
    return _digest(first, sarif)


def _files(folder: Path) -> list[str]:
    return sorted(os.path.relpath(os.path.join(root, name), folder)
                  for root, dirs, names in os.walk(folder) for name in [*dirs, *names])


def check_fixes(argv: list[str], folder: Path) -> None:
    """`--fix --unsafe-fixes` survives the input, leaves a valid report with nothing it
    could still fix (but in files it says it left alone), creates and deletes no file, and
    a second run has nothing to change."""
    names = _files(folder)
    fixed = run([*argv, "--fix", "--unsafe-fixes", "--format", "json"], folder)
    _survived(fixed, argv)
    assert "please report" not in fixed.stderr, fixed.stderr
    report = json.loads(fixed.stdout)
    assert _errors(REPORT_VALIDATOR, report) == [], fixed.stdout
    assert _files(folder) == names
    # What is still fixable belongs to a file a line on stderr says was left alone.
    left = {f["path"] for f in report["findings"] if f["fix_applicability"] is not None}
    assert all(f"lambdalint: {path}" in fixed.stderr for path in left), (left, fixed.stderr)
    again = run([*argv, "--diff", "--unsafe-fixes"], folder)
    _survived(again, argv)
    assert again.stdout == "", again.stdout


def _digest(report: Run, sarif: Run) -> str:
    digest = hashlib.sha256()
    for text in (str(report.exit_code), report.stdout, report.stderr, sarif.stdout):
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()[:16]


def outputs_digest(project: Project, folder: Path) -> str:
    """The digest ``check_case`` returns, from only the runs it is made of (a replay)."""
    (folder.parent / "current-case.txt").write_text(
        f"{project.kind} (replayed) in {folder}:\nlambdalint "
        f"{' '.join(map(repr, project.argv))}\n", "utf-8", "backslashreplace")
    shutil.rmtree(folder, ignore_errors=True)
    project.write(folder)
    argv = list(project.argv)
    return _digest(run([*argv, "--format", "json"], folder),
                   run([*argv, "--format", "sarif"], folder))


# ---- locations ---------------------------------------------------------------------------


def line_count(data: bytes) -> int:
    """Lines in a file, as generously as any reader counts them (a last line without a line
    end counts; so does the empty line after a final line end)."""
    terminators = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    text = data.decode("utf-8", "replace")
    return max(terminators, len(text.splitlines())) + 1


def longest_line(data: bytes) -> int:
    return max((len(line) for line in data.replace(b"\r", b"\n").split(b"\n")), default=0)


def shown_names(raw: bytes) -> set[str]:
    """The names a zip entry's raw name may be shown as (UTF-8 or cp437, cut at a NUL)."""
    names = set()
    for encoding in ("utf-8", "cp437"):
        with contextlib.suppress(UnicodeDecodeError):
            text = raw.decode(encoding)
            names |= {text, text.split("\0", 1)[0]}
    return names


def _zip_contents(members: tuple[ZipMember, ...], member: str) -> list[bytes] | None:
    """The contents of the entries shown as ``member`` ([] for a folder that only exists as
    the prefix of entries); None if no entry is."""
    wanted = member.rstrip("/")
    contents: list[bytes] = []
    found = False
    for entry in members:
        for name in shown_names(entry.name):
            if name.rstrip("/") == wanted:
                contents.append(entry.content)
                found = True
            elif name.startswith(wanted + "/") or name.lstrip("/").startswith(wanted + "/"):
                found = True
    return contents if found else None


def _lines_of(path: Path) -> list[bytes]:
    """A regular file's bytes ([] for a folder, a symlink — never followed — or a FIFO)."""
    return [path.read_bytes()] if stat.S_ISREG(os.lstat(path).st_mode) else []


def _folder_contents(base: Path, member: str) -> list[bytes] | None:
    for candidate in (member, member[len("python/"):] if member.startswith("python/") else None):
        if candidate is None:
            continue
        path = base / candidate.rstrip("/")
        if os.path.lexists(path):
            return _lines_of(path)
    return None


def locate(where: dict[str, Any], project: Project, folder: Path) -> None:
    path, member, line = where["path"], where["member"], where["line"]
    if path == COMMAND_LINE:  # a flag's value (LL003)
        assert member is None and line is None, where
        return
    if not os.path.lexists(folder / path):
        # Only an input that is not there may be missing: an LL001 that says so (a path on
        # the command line, or a template's CodeUri).
        assert where.get("rule") == "LL001" and member is None and line is None and \
            where.get("message") == f"{path}: no such file or folder", \
            f"{path!r} is not in the input"
        return
    target = folder / path
    if member is None:
        contents = _lines_of(target)
    elif project.members(path) is not None:
        contents = _zip_contents(project.members(path) or (), member)
        assert contents is not None, f"{member!r} is not a member of {path!r}"
    elif stat.S_ISDIR(os.lstat(target).st_mode):
        contents = _folder_contents(target, member)
        assert contents is not None, f"{member!r} is not in the folder {path!r}"
    else:
        assert member == target.name, f"{path!r} is a file: member {member!r}"
        contents = [target.read_bytes()]
    if line is None:
        return
    assert contents, f"line {line} of {path!r} {member!r}, which has no lines"
    lines = max(line_count(data) for data in contents)
    assert line <= lines, f"line {line} of {path!r} {member!r}, which has {lines}"
    end_line = where.get("end_line")
    assert end_line is None or line <= end_line <= lines, (line, end_line, lines)
    width = max(longest_line(data) for data in contents) + 1
    for key in ("column", "end_column"):
        assert where.get(key) is None or where[key] <= width, (key, where[key], width)


def check_locations(report: dict[str, Any], project: Project, folder: Path) -> None:
    for finding in report["findings"]:
        for where in [finding, *finding["related"]]:
            try:
                locate(where, project, folder)
            except AssertionError as exc:
                raise AssertionError(f"{finding['rule']} at {where['path']!r} "
                                     f"{where['member']!r} line {where['line']}: {exc}; "
                                     f"{finding['message']!r}") from None
