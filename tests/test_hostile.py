"""Untrusted inputs: every hostile archive or folder gives findings or LL001, never a traceback,
a hang or unbounded memory, and never stops the other inputs from being checked.

The corpus is generated at test time by ``hostile/make_corpus.py``.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalint.model.archive import (
    DEFAULT_MAX_MEMBER_BYTES,
    ArchiveError,
    FolderTree,
    MemberError,
    ZipTree,
)

from hostile.make_corpus import (
    CASES,
    HANDLER,
    LINK_MODE,
    Case,
    RawEntry,
    build_zip,
    codecs_zip,
    good_function,
    make_corpus,
)
from zipspec import Run, run_cli

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
# Generous for a slow CI machine; a hang is what this catches, not a slowdown.
RUN_SECONDS = 30
ZIP_CASES = [c for c in CASES if c.name.endswith(".zip")]
UNREADABLE = [c for c in CASES if not c.readable]
READABLE = [c for c in CASES if c.readable]
UNSAFE = [c for c in CASES if c.unsafe]
CHECK_CORPUS = ["check", *[c.name for c in CASES]]


def _isolate(folder: Path) -> None:
    # An empty config file stops discovery from picking up one from a parent folder.
    (folder / "lambdalint.toml").write_text("")


def bounded(call: Callable[[], Any], seconds: float = 5) -> Any:
    """``call()`` in a thread: a hang fails the test instead of freezing the suite."""
    outcome: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still running after {seconds} s")
    if errors:
        raise errors[0]
    return outcome[0]


def run_bounded(argv: list[str], folder: Path, seconds: float = RUN_SECONDS) -> Run:
    run: Run = bounded(lambda: run_cli(argv, folder), seconds)
    return run


def findings(run: Run, path: str, rule: str) -> list[dict[str, Any]]:
    """One input's findings of one rule: on the input itself, on a member of a zip (the zip
    and the member), or on a file inside a folder (its own path, no member)."""
    return [f for f in run.json["findings"] if f["rule"] == rule and (
        f["path"] == path or (f["member"] is None and f["path"].startswith(path + "/")))]


def inside(finding: dict[str, Any], path: str) -> str | None:
    """Where in the input ``path`` a finding is: the member of a zip, or the file's path
    inside a folder; None for the input as a whole."""
    if finding["path"] == path:
        member: str | None = finding["member"]
        return member
    return str(finding["path"])[len(path) + 1:]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder)
    _isolate(folder)
    return folder


@pytest.fixture(scope="module")
def report(corpus: Path) -> Run:
    return run_bounded([*CHECK_CORPUS, "--format", "json"], corpus)


# ---- the whole corpus in one run -----------------------------------------------------------


def test_corpus_run_exits_2_without_traceback(report: Run) -> None:
    assert report.exit_code == 2, report.stderr
    assert "Traceback" not in report.stderr
    assert "internal error" not in report.stderr


@pytest.mark.parametrize("case", UNREADABLE, ids=lambda c: c.name)
def test_unreadable_input_gets_one_single_line_ll001_naming_it(report: Run, case: Case) -> None:
    errors = findings(report, case.name, "LL001")
    assert len(errors) == 1, errors
    message = errors[0]["message"]
    assert errors[0]["member"] is None
    assert message.startswith(f"{case.name}: ")
    assert "\n" not in message and "\r" not in message


@pytest.mark.parametrize("case", READABLE, ids=lambda c: c.name)
def test_readable_input_gets_ll001_only_for_members_that_cannot_be_read(report: Run,
                                                                       case: Case) -> None:
    errors = findings(report, case.name, "LL001")
    assert sorted(inside(f, case.name) or "<whole input>" for f in errors) == \
        sorted(case.member_errors)
    for error in errors:
        assert "\n" not in error["message"]
        assert inside(error, case.name) in error["message"]


@pytest.mark.parametrize("case", READABLE, ids=lambda c: c.name)
def test_unsafe_entries_get_ll105_and_safe_inputs_do_not(report: Run, case: Case) -> None:
    messages = [f["message"] for f in findings(report, case.name, "LL105")]
    for expected in case.unsafe:
        assert any(expected in m for m in messages), (expected, messages)
    unexplained = [m for m in messages if not any(e in m for e in case.unsafe)]
    assert unexplained == []


def test_duplicate_names_are_reported_once_per_name(report: Run) -> None:
    duplicates = [f for f in findings(report, "duplicate_names.zip", "LL105")
                  if "duplicate" in f["message"]]
    assert len(duplicates) == 1
    assert duplicates[0]["member"] == "app.py"


def test_other_inputs_are_still_checked(report: Run) -> None:
    assert findings(report, "deps-layer.zip", "LL101")
    # The 100 GB the lying header declares still counts against Lambda's unzipped limit.
    assert findings(report, "lying_100gb.zip", "LL601")


def test_corpus_as_a_subprocess_prints_no_traceback_and_the_same_report(corpus: Path,
                                                                      report: Run) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # The timeout turns a hang into a failure (TimeoutExpired); strict UTF-8 decoding fails
    # on any undecodable byte in the report.
    done = subprocess.run([sys.executable, "-m", "lambdalint", *CHECK_CORPUS,
                           "--format", "json"], cwd=corpus, env=env, capture_output=True,
                          encoding="utf-8", timeout=RUN_SECONDS)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == report.stdout  # deterministic, and the same in or out of process


def test_corpus_text_report_notes_no_internal_error(corpus: Path) -> None:
    # Rules that crash are turned into a note (and exit 2), which only the text report shows.
    run = run_bounded([*CHECK_CORPUS, "--format", "text", "--no-color"], corpus)
    assert run.exit_code == 2
    assert "internal error" not in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


# ---- archive.py on the corpus, case by case ---------------------------------------------------


@pytest.mark.parametrize("case", [c for c in ZIP_CASES if not c.readable], ids=lambda c: c.name)
def test_unreadable_zip_raises_archive_error(corpus: Path, case: Case) -> None:
    with pytest.raises(ArchiveError) as raised:
        ZipTree(corpus / case.name)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("case", [c for c in ZIP_CASES if c.member_errors],
                         ids=lambda c: c.name)
def test_member_that_cannot_be_read_raises_member_error(corpus: Path, case: Case) -> None:
    tree = ZipTree(corpus / case.name)
    try:
        for name in case.member_errors:
            with pytest.raises(MemberError):
                tree.read(tree.by_name[name], 1000)
    finally:
        tree.close()


@pytest.mark.parametrize(("name", "method"), [("app.py", 99), ("config", 93)])
def test_unsupported_compression_method_is_a_member_error(corpus: Path, name: str,
                                                          method: int) -> None:
    tree = ZipTree(corpus / "unsupported_method.zip")
    try:
        with pytest.raises(MemberError, match=f"compression method {method}"):
            tree.read(tree.by_name[name], 100)
    finally:
        tree.close()


def test_failed_open_closes_the_file(corpus: Path) -> None:
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc to count open files")
    before = len(list(fds.iterdir()))
    # pytest.raises keeps the traceback, and with it the half-built tree, alive.
    with pytest.raises(ArchiveError, match="zip bomb guard") as raised:
        ZipTree(corpus / "overlap_bomb.zip")
    assert len(list(fds.iterdir())) == before, raised.traceback


def test_valid_zip64_reads_like_any_zip(corpus: Path) -> None:
    tree = ZipTree(corpus / "zip64.zip")
    try:
        assert [m.name for m in tree.members] == ["app.py", "util.py"]
        assert tree.read(tree.by_name["app.py"], 10_000) == HANDLER
    finally:
        tree.close()


def test_non_utf8_names_fall_back_to_cp437_and_stay_readable(corpus: Path) -> None:
    tree = ZipTree(corpus / "non_utf8_names.zip")
    try:
        names = [m.name for m in tree.members]
        # b"caf\xe9" in cp437; UTF-8 bytes without the flag; invalid UTF-8 despite the flag.
        assert names == ["app.py", "caf\u0398.py", "donn\u00e9es.py", "na\u2229ve\u00a0.py"]
        assert [tree.read(m, 100) for m in tree.members[1:]] == [b"x = 1\n", b"x = 2\n",
                                                                 b"x = 3\n"]
    finally:
        tree.close()


def test_nul_in_a_name_is_cut_like_an_extractor_and_reported(corpus: Path) -> None:
    tree = ZipTree(corpus / "nul_name.zip")
    try:
        assert [m.name for m in tree.members] == ["app.py", "util.py"]
        assert [a.member for a in tree.anomalies if "NUL" in a.problem] == ["util.py"]
        assert tree.read(tree.by_name["util.py"], 100) == b"x = 1\n"
    finally:
        tree.close()


def test_bzip2_and_lzma_members_are_readable(corpus: Path) -> None:
    tree = ZipTree(corpus / "bzip2_lzma.zip")
    try:
        assert tree.read(tree.by_name["app.py"], 10_000) == HANDLER
        assert tree.read(tree.by_name["util.py"], 10_000) == b"VALUE = 1\n" * 500
        assert tree.read(tree.by_name["util.py"], 25) == b"VALUE = 1\nVALUE = 1\nVALUE"
    finally:
        tree.close()


@pytest.mark.parametrize("name", ["bzip2_bomb.zip", "lying_100gb.zip"])
def test_reading_a_bomb_stops_at_the_cap_in_bounded_memory(corpus: Path, name: str) -> None:
    tree = ZipTree(corpus / name)
    try:
        member = tree.by_name["blob.bin"]
        tracemalloc.start()
        try:
            data = tree.read(member, DEFAULT_MAX_MEMBER_BYTES)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(data) == DEFAULT_MAX_MEMBER_BYTES
        assert data.count(0) == len(data)
        # The member expands to 64 MiB (and claims 100 GiB): only the cap may be held.
        assert peak < 50 * MIB
    finally:
        tree.close()


def test_checking_a_member_that_declares_100_gb_allocates_little(corpus: Path) -> None:
    tracemalloc.start()
    try:
        run = run_bounded(["check", "lying_100gb.zip", "--format", "json"], corpus)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert run.exit_code in (0, 1), run.stderr
    assert not findings(run, "lying_100gb.zip", "LL001")
    assert peak < 50 * MIB


@pytest.mark.parametrize(("method", "data"), [
    (zipfile.ZIP_BZIP2, b"BZh9" + b"\x00" * 60),
    # Zip's LZMA header (version, properties length, lc/lp/pb byte, dictionary size), then
    # a stream whose first byte must be 0.
    (zipfile.ZIP_LZMA, b"\x09\x14\x05\x00\x5d\x00\x00\x10\x00" + b"\xff" * 60),
    (zipfile.ZIP_LZMA, b"\x09\x14\x05\x00\xff\x00\x00\x10\x00" + b"\x00" * 60),
    (zipfile.ZIP_LZMA, b"\x09\x14"),
], ids=["bzip2", "lzma-data", "lzma-properties", "lzma-truncated"])
def test_corrupt_bzip2_or_lzma_is_a_member_error(tmp_path: Path, method: int,
                                                 data: bytes) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(build_zip([RawEntry(b"app.py", data, method=method, size=500)]))
    tree = ZipTree(path)
    try:
        with pytest.raises(MemberError):
            tree.read(tree.members[0], 1000)
    finally:
        tree.close()


# ---- the entry-count guard (max-entries is configurable) -----------------------------------


def _many_entries(count: int, *, declared: int) -> bytes:
    data = bytearray(build_zip([RawEntry(b"m%03d.py" % i, b"") for i in range(count)]))
    struct.pack_into("<HH", data, len(data) - 22 + 8, declared, declared)
    return bytes(data)


def test_a_lying_entry_count_is_caught_by_counting_the_records(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(_many_entries(50, declared=1))
    with pytest.raises(ArchiveError, match="holds over 11 entries, over the limit of 10"):
        ZipTree(path, max_entries=10)


def test_max_entries_from_config_turns_a_big_directory_into_ll001(tmp_path: Path) -> None:
    (tmp_path / "lying.zip").write_bytes(_many_entries(50, declared=1))
    (tmp_path / "honest.zip").write_bytes(_many_entries(50, declared=50))
    (tmp_path / "small.zip").write_bytes(_many_entries(5, declared=5))
    (tmp_path / "lambdalint.toml").write_text("max-entries = 10\n")
    run = run_bounded(["check", "lying.zip", "honest.zip", "small.zip", "--format", "json"],
                      tmp_path)
    assert run.exit_code == 2
    for name in ("lying.zip", "honest.zip"):
        [error] = findings(run, name, "LL001")
        assert "over the limit of 10" in error["message"]
        assert "max-entries" in error["message"]
    assert not findings(run, "small.zip", "LL001")


# ---- folders --------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_a_folder_is_never_opened_for_reading(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(HANDLER)
    os.mkfifo(tmp_path / "pipe.py")
    tree = FolderTree(tmp_path)
    with pytest.raises(MemberError, match="not a regular file"):
        bounded(lambda: tree.read(tree.by_name["pipe.py"], 100))
    assert tree.read(tree.by_name["app.py"], 10_000) == HANDLER


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs byte file names")
def test_folder_names_that_are_not_utf8_are_shown_escaped_and_stay_readable(
        corpus: Path, report: Run) -> None:
    tree = FolderTree(corpus / "non_utf8_folder")
    assert sorted(m.name for m in tree.members) == ["app.py", "caf\\xe9.py", "l\\xfe"]
    assert tree.read(tree.by_name["caf\\xe9.py"], 100) == b"x = 1\n"
    assert [a.member for a in tree.anomalies] == ["l\\xfe"]
    report.stdout.encode("utf-8")  # lone surrogates would make the JSON unencodable


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_out_of_a_folder_are_reported_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not read")
    function = tmp_path / "function"
    function.mkdir()
    (function / "app.py").write_bytes(HANDLER)
    os.symlink(outside, function / "data")
    os.symlink("../outside/secret.txt", function / "secret.txt")
    os.symlink("app.py", function / "alias.py")
    tree = FolderTree(function)
    assert sorted(m.name for m in tree.members) == ["alias.py", "app.py", "data", "secret.txt"]
    assert sorted(a.member for a in tree.anomalies) == ["data", "secret.txt"]
    for name in ("data", "secret.txt", "alias.py"):
        with pytest.raises(MemberError):
            tree.read(tree.by_name[name], 100)


def _unreadable_by_permission(folder: Path, monkeypatch: Any) -> None:
    if sys.platform == "win32" or os.geteuid() == 0:
        pytest.skip("permissions do not stop root (or Windows) from reading")
    folder.chmod(0)  # restored by the test


def _unreadable_by_simulation(folder: Path, monkeypatch: Any) -> None:
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


@pytest.mark.parametrize("make_unreadable", [_unreadable_by_permission,
                                             _unreadable_by_simulation],
                         ids=["chmod", "simulated"])
def test_an_unreadable_folder_is_ll001_and_the_rest_is_checked(
        tmp_path: Path, monkeypatch: Any, make_unreadable: Callable[..., None]) -> None:
    function = tmp_path / "function"
    private = function / "lib" / "private"
    private.mkdir(parents=True)
    (function / "app.py").write_bytes(HANDLER)
    (private / "key.py").write_text("x = 1\n")
    (tmp_path / "good.zip").write_bytes(good_function())
    (tmp_path / "deps-layer.zip").write_bytes(build_zip([RawEntry(b"requests/__init__.py",
                                                                  b"")]))
    _isolate(tmp_path)
    make_unreadable(private, monkeypatch)
    try:
        run = run_bounded(["check", "function", "good.zip", "deps-layer.zip",
                           "--format", "json"], tmp_path)
    finally:
        private.chmod(0o755)
    assert run.exit_code == 2, run.stderr
    [error] = findings(run, "function", "LL001")
    assert error["message"] == "function: cannot read lib/private: Permission denied"
    assert not findings(run, "good.zip", "LL001")
    assert findings(run, "deps-layer.zip", "LL101")


# ---- properties -------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
VALID = good_function()


def _check_survives(folder: Path, data: bytes) -> None:
    (folder / "fuzz.zip").write_bytes(data)
    _isolate(folder)
    started = time.monotonic()
    run = run_bounded(["check", "fuzz.zip", "--format", "text", "--no-color"], folder, 5)
    assert time.monotonic() - started < 5
    assert run.exit_code in (0, 1, 2)
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stdout + run.stderr


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    _check_survives(tmp_path, data)


@FUZZ
@given(seed=st.sampled_from([VALID, codecs_zip()]),
       flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(1, 255)), max_size=12),
       cut=st.integers(0, 1 << 16))
def test_mutated_zip_never_crashes(tmp_path: Path, seed: bytes, flips: list[tuple[int, int]],
                                   cut: int) -> None:
    data = bytearray(seed)
    for at, mask in flips:
        data[at % len(data)] ^= mask
    cut %= len(data) + 1
    _check_survives(tmp_path, bytes(data[:cut]) if cut else bytes(data))


_entries = st.lists(st.builds(
    RawEntry,
    name=st.binary(max_size=24),
    data=st.binary(max_size=64),
    method=st.sampled_from([0, 8, 12, 14, 9, 93, 99]),
    flags=st.integers(0, 0xFFFF),
    crc=st.none() | st.integers(0, 0xFFFFFFFF),
    size=st.none() | st.integers(0, 0xFFFFFFFF),
    mode=st.sampled_from([0o100644, 0o100000, LINK_MODE, 0o040755, 0o010644, 0]),
    zip64=st.booleans(),
    offset=st.none() | st.integers(0, 0xFFFFFFFF)), max_size=6)


@FUZZ
@given(entries=_entries)
def test_generated_archives_never_crash(tmp_path: Path, entries: list[RawEntry]) -> None:
    _check_survives(tmp_path, build_zip(entries))


def test_fuzz_seed_is_a_valid_zip() -> None:
    # The mutation test is only meaningful if what it mutates is a zip lambdalint accepts.
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        assert archive.namelist() == ["app.py", "util.py"]
