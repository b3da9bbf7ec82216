"""The zip half of ``--fix`` (lambdalint/fix/zipwrite.py): an archive rewritten entry by
entry, unchanged entries copied raw, reads back the same in zipfile and Info-ZIP, and only
plain archives are rewritten."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import stat
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from lambdalint.fix import zipwrite
from lambdalint.fix.zipwrite import NotPlainZip, Output, plain_zip_problem, rewrite
from lambdalint.model.archive import ZipTree

WHEN = (2021, 6, 15, 12, 30, 42)
UNICODE_PATH = 0x7075
TIMESTAMP = 0x5455
ZIP64 = 0x0001
needs_zip = pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip not installed")


class Unseekable(io.RawIOBase):
    """A file zipfile cannot seek in: it then writes data descriptors after each entry."""

    def __init__(self, handle: io.BufferedWriter) -> None:
        self._handle = handle

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._handle.write(data)


def _info(name: str, mode: int | None = None, *, system: int = 3,
          method: int = zipfile.ZIP_DEFLATED, extra: bytes = b"") -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, WHEN)
    info.compress_type = method
    info.create_system = system
    if mode is not None:
        info.external_attr = mode << 16 | (0x10 if stat.S_ISDIR(mode) else 0)
    info.extra = extra
    return info


def _timestamp_extra() -> bytes:
    return struct.pack("<HHBL", TIMESTAMP, 5, 1, 1623760242)


def _fill(archive: zipfile.ZipFile) -> None:
    archive.writestr(_info("pkg/", 0o40755), b"")
    archive.writestr(_info("pkg/mod.py", 0o100644), b"VALUE = 1\n" * 200)
    archive.writestr(_info("stored.txt", 0o100600, method=zipfile.ZIP_STORED), b"stored\n")
    archive.writestr(_info("secret.py", 0o100600), b"TOKEN = 'x'\n" * 50)
    archive.writestr(_info("stamped.txt", 0o100644, extra=_timestamp_extra()), b"stamped\n")
    archive.writestr(_info("données/été.py", 0o100644), "ÉTÉ = 'été'\n".encode())
    archive.writestr(_info("link", 0o120777, method=zipfile.ZIP_STORED), b"pkg/mod.py")
    archive.writestr(_info("dos.txt", system=0), b"made on DOS\n")
    archive.comment = b"built for the rewrite tests"


def _source(folder: Path, *, streamed: bool = False) -> Path:
    path = folder / ("streamed.zip" if streamed else "source.zip")
    with open(path, "wb") as handle:
        target: io.RawIOBase | io.BufferedWriter = Unseekable(handle) if streamed else handle
        with zipfile.ZipFile(target, "w") as archive:
            _fill(archive)
    return path


def _identity(path: Path) -> list[Output]:
    return [Output(index, member.name) for index, member in enumerate(ZipTree(path).members)]


def _index(path: Path) -> dict[str, int]:
    return {member.name: index for index, member in enumerate(ZipTree(path).members)}


def _contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _infos(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: info for info in archive.infolist()}


def _raw(path: Path) -> dict[str, bytes]:
    """Each entry's compressed bytes, sliced from the file after its local header."""
    data = path.read_bytes()
    raw = {}
    for name, info in _infos(path).items():
        name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
        start = info.header_offset + 30 + name_length + extra_length
        raw[name] = data[start:start + info.compress_size]
    return raw


def _local_header(path: Path, name: str) -> tuple[tuple[int, ...], bytes]:
    """(the local header's fields, its extra field) for the entry called ``name``."""
    data = path.read_bytes()
    offset = _infos(path)[name].header_offset
    fields = struct.unpack_from("<4sHHHHHLLLHH", data, offset)
    start = offset + 30 + fields[9]
    return fields[1:], data[start:start + fields[10]]


def _extra_kinds(extra: bytes) -> list[int]:
    kinds, position = [], 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        kinds.append(kind)
        position += 4 + length
    return kinds


def _readers_agree(path: Path) -> None:
    """zipfile, ``python -m zipfile -t`` and (when installed) Info-ZIP read every entry."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    run = subprocess.run([sys.executable, "-m", "zipfile", "-t", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "corrupted" not in run.stdout
    if shutil.which("unzip"):
        tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stdout + tested.stderr
        listed = subprocess.run(["unzip", "-Z", str(path)], capture_output=True, text=True)
        assert listed.returncode == 0, listed.stdout + listed.stderr


def _real_name(info: zipfile.ZipInfo) -> str:
    """The name as lambdalint (and Info-ZIP on Linux) reads it: UTF-8 names without the
    UTF-8 flag, as Info-ZIP writes them, are read by zipfile as code page 437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _same_entries(before: Path, after: Path, names: Callable[[str], str] = str) -> None:
    """Every entry of ``before`` is in ``after`` (under ``names(name)``) with the same
    content, compressed bytes, method, CRC, timestamp and comment."""
    old, new = _infos(before), _infos(after)
    old_raw, new_raw = _raw(before), _raw(after)
    old_content, new_content = _contents(before), _contents(after)
    assert sorted(names(_real_name(info)) for info in old.values()) == sorted(new)
    for name, info in old.items():
        moved = new[names(_real_name(info))]
        if not moved.filename.isascii():  # the name is written UTF-8 and flagged so
            assert moved.flag_bits & 0x800
        assert new_content[moved.filename] == old_content[name]
        assert new_raw[moved.filename] == old_raw[name]
        assert (moved.date_time, moved.CRC, moved.compress_type, moved.file_size,
                moved.compress_size, moved.comment) == \
            (info.date_time, info.CRC, info.compress_type, info.file_size,
             info.compress_size, info.comment)


# ---- identity ------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["seekable", "data-descriptors"])
def test_an_identity_rewrite_of_a_zipfile_archive_is_byte_identical(
        tmp_path: Path, streamed: bool) -> None:
    source = _source(tmp_path, streamed=streamed)
    target = tmp_path / "out.zip"
    rewrite(source, target, _identity(source))
    assert target.read_bytes() == source.read_bytes()
    _readers_agree(target)


def test_an_identity_rewrite_keeps_every_field(tmp_path: Path) -> None:
    source = _source(tmp_path, streamed=True)
    target = tmp_path / "out.zip"
    rewrite(source, target, _identity(source))
    _same_entries(source, target)
    for name, info in _infos(source).items():
        copy = _infos(target)[name]
        assert (copy.external_attr, copy.create_system, copy.flag_bits, copy.extra) == \
            (info.external_attr, info.create_system, info.flag_bits, info.extra)
    with zipfile.ZipFile(target) as archive:
        assert archive.comment == b"built for the rewrite tests"
    # The data descriptors are still there, after each entry's data.
    assert all(info.flag_bits & 0x08 for info in _infos(target).values())


def test_data_descriptors_are_copied(tmp_path: Path) -> None:
    source = _source(tmp_path, streamed=True)
    target = tmp_path / "out.zip"
    index = _index(source)
    rewrite(source, target, [Output(index["secret.py"], "python/secret.py")])
    data = target.read_bytes()
    info = _infos(target)["python/secret.py"]
    fields, _ = _local_header(target, "python/secret.py")
    assert fields[1] & 0x08 and fields[5:8] == (0, 0, 0)  # CRC and sizes as zipfile left them
    end = info.header_offset + 30 + fields[8] + fields[9] + info.compress_size
    assert data[end:end + 16] == struct.pack("<4sLLL", b"PK\x07\x08", info.CRC,
                                             info.compress_size, info.file_size)
    _readers_agree(target)


# ---- moves, modes, removals, new content ---------------------------------------------------


def test_a_move_keeps_every_entry_s_bytes_and_timestamp(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    rewrite(source, target, [Output(index, "python/" + member.name)
                             for index, member in enumerate(ZipTree(source).members)])
    _same_entries(source, target, lambda name: "python/" + name)
    infos = _infos(target)
    assert infos["python/données/été.py"].flag_bits & 0x800
    assert infos["python/pkg/mod.py"].flag_bits & 0x800 == 0
    assert infos["python/stamped.txt"].extra == _timestamp_extra()
    assert _local_header(target, "python/stamped.txt")[1] == _timestamp_extra()
    _readers_agree(target)


def test_a_moved_name_drops_the_unicode_path_field_that_names_the_old_path(
        tmp_path: Path) -> None:
    old_name = "été.py".encode()
    unicode_path = struct.pack("<HHB", UNICODE_PATH, 5 + len(old_name), 1) + \
        struct.pack("<L", zlib.crc32(old_name)) + old_name
    source = tmp_path / "source.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr(_info("été.py", extra=_timestamp_extra() + unicode_path), b"x = 1\n")
        archive.writestr(_info("kept.py", extra=unicode_path), b"y = 2\n")
    target = tmp_path / "out.zip"
    rewrite(source, target, [Output(0, "python/été.py"), Output(1, "kept.py")])
    infos = _infos(target)
    assert _extra_kinds(infos["python/été.py"].extra) == [TIMESTAMP]
    assert _extra_kinds(_local_header(target, "python/été.py")[1]) == [TIMESTAMP]
    # An entry keeping its name keeps the field.
    assert _extra_kinds(infos["kept.py"].extra) == [UNICODE_PATH]
    _readers_agree(target)


def test_mode_changes_keep_the_file_type(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    index = _index(source)
    rewrite(source, target, [
        Output(index["secret.py"], "secret.py", mode=0o644),
        Output(index["pkg/"], "pkg/", mode=0o700),
        Output(index["link"], "link", mode=0o755),
        Output(index["dos.txt"], "dos.txt", mode=0o640),
        Output(index["stored.txt"], "stored.txt"),
    ])
    infos = _infos(target)
    modes = {name: info.external_attr >> 16 for name, info in infos.items()}
    assert modes == {"secret.py": 0o100644, "pkg/": 0o40700, "link": 0o120755,
                     "dos.txt": 0o100640, "stored.txt": 0o100600}
    assert infos["pkg/"].external_attr & 0x10
    assert not infos["secret.py"].external_attr & 0x10
    assert infos["dos.txt"].create_system == 3  # the mode is a Unix one now
    assert _raw(target)["secret.py"] == _raw(source)["secret.py"]
    _readers_agree(target)
    if shutil.which("zipinfo"):
        listing = subprocess.run(["zipinfo", str(target)], capture_output=True, text=True)
        assert any(line.startswith("-rw-r--r--") and line.endswith("secret.py")
                   for line in listing.stdout.splitlines())


def test_removed_and_reordered_entries(tmp_path: Path) -> None:
    source = _source(tmp_path, streamed=True)
    target = tmp_path / "out.zip"
    index = _index(source)
    order = ["stamped.txt", "pkg/mod.py", "pkg/", "link"]
    rewrite(source, target, [Output(index[name], name) for name in order])
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == order
    old_raw, new_raw = _raw(source), _raw(target)
    assert all(new_raw[name] == old_raw[name] for name in order)
    _readers_agree(target)


def test_the_same_entry_may_be_written_under_two_names(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    index = _index(source)["pkg/mod.py"]
    rewrite(source, target, [Output(index, "pkg/mod.py"), Output(index, "python/pkg/mod.py")])
    contents = _contents(target)
    assert contents["pkg/mod.py"] == contents["python/pkg/mod.py"] == b"VALUE = 1\n" * 200
    _readers_agree(target)


@pytest.mark.parametrize("streamed", [False, True], ids=["seekable", "data-descriptors"])
def test_new_content_is_deflated_and_the_rest_copied(tmp_path: Path, streamed: bool) -> None:
    source = _source(tmp_path, streamed=streamed)
    target = tmp_path / "out.zip"
    index = _index(source)
    content = b"def handler(event, context):\n    return event\n" * 20
    outputs = _identity(source)
    outputs[index["stamped.txt"]] = Output(index["stamped.txt"], "stamped.txt", content=content)
    outputs[index["stored.txt"]] = Output(index["stored.txt"], "python/stored.txt",
                                          mode=0o644, content=b"new")
    rewrite(source, target, outputs)
    infos = _infos(target)
    stamped = infos["stamped.txt"]
    assert _contents(target)["stamped.txt"] == content
    assert (stamped.compress_type, stamped.flag_bits, stamped.CRC, stamped.file_size) == \
        (zipfile.ZIP_DEFLATED, 0, zlib.crc32(content), len(content))
    assert stamped.date_time == WHEN
    assert stamped.extra == _timestamp_extra()
    moved = infos["python/stored.txt"]
    assert _contents(target)["python/stored.txt"] == b"new"
    assert moved.compress_type == zipfile.ZIP_DEFLATED
    assert moved.external_attr >> 16 == 0o100644
    old_raw, new_raw = _raw(source), _raw(target)
    for name in ("pkg/mod.py", "secret.py", "données/été.py", "link"):
        assert new_raw[name] == old_raw[name]
    _readers_agree(target)


def test_a_non_ascii_new_name_is_utf8_flagged_and_a_legacy_name_kept_as_it_was(
        tmp_path: Path) -> None:
    source = tmp_path / "source.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr(_info("cafX.txt"), b"legacy\n")
    # A name in code page 437 (0x82 is "é"), not valid UTF-8, as old Windows archivers wrote.
    source.write_bytes(source.read_bytes().replace(b"cafX.txt", b"caf\x82.txt"))
    assert ZipTree(source).members[0].name == "café.txt"
    same = tmp_path / "same.zip"
    rewrite(source, same, [Output(0, "café.txt")])
    assert same.read_bytes() == source.read_bytes()
    moved = tmp_path / "moved.zip"
    rewrite(source, moved, [Output(0, "python/café.txt")])
    info = _infos(moved)["python/café.txt"]
    assert info.flag_bits & 0x800
    assert b"python/caf\xc3\xa9.txt" in moved.read_bytes()
    _readers_agree(moved)


# ---- determinism, target, outputs ---------------------------------------------------------


def test_two_rewrites_give_identical_bytes(tmp_path: Path) -> None:
    source = _source(tmp_path, streamed=True)
    outputs = [Output(index, "python/" + member.name, mode=0o644 if index % 2 else None,
                      content=b"changed" * 100 if index == 1 else None)
               for index, member in enumerate(ZipTree(source).members)]
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    rewrite(source, first, outputs)
    rewrite(source, second, outputs)
    assert first.read_bytes() == second.read_bytes()


def test_an_existing_target_is_never_overwritten(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        rewrite(source, target, _identity(source))
    assert target.read_bytes() == b"precious"
    with pytest.raises(FileExistsError):
        rewrite(source, source, _identity(source))
    assert plain_zip_problem(source) is None


@pytest.mark.parametrize(("outputs", "reason"), [
    ([Output(99, "a.py")], "comes from entry 99"),
    ([Output(-1, "a.py")], "comes from entry -1"),
    ([Output(0, "a.py"), Output(1, "a.py")], "two outputs named 'a.py'"),
    ([Output(0, "")], "empty name"),
    ([Output(0, "a\x00.py")], "NUL"),
    ([Output(0, "a.py", mode=0o100644)], "not permission bits"),
    ([Output(0, "dir/", content=b"x")], "directory given content"),
    ([Output(0, "\udcff.py")], "not valid Unicode"),
])
def test_inconsistent_outputs_are_refused_before_writing(
        tmp_path: Path, outputs: Sequence[Output], reason: str) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    with pytest.raises(NotPlainZip, match=reason):
        rewrite(source, target, outputs)
    assert not target.exists()


def test_no_outputs_make_an_empty_archive(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "out.zip"
    rewrite(source, target, [])
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == []
        assert archive.comment == b"built for the rewrite tests"
    assert plain_zip_problem(target) is None


# ---- archives left alone -------------------------------------------------------------------


def _patched(source: Path, folder: Path, patch: Callable[[bytearray, Path], None]) -> Path:
    data = bytearray(source.read_bytes())
    patch(data, source)
    path = folder / "patched.zip"
    path.write_bytes(bytes(data))
    return path


def _central(data: bytearray, name: bytes) -> int:
    """Where the central record of the entry called ``name`` is."""
    return next(at for at in _all(data, b"PK\x01\x02")
                if data[at + 46:at + 46 + len(name)] == name)


def _all(data: bytearray, signature: bytes) -> list[int]:
    found, at = [], data.find(signature)
    while at >= 0:
        found.append(at)
        at = data.find(signature, at + 1)
    return found


def _encrypt(data: bytearray, source: Path) -> None:
    local = _infos(source)["secret.py"].header_offset
    central = _central(data, b"secret.py")
    data[local + 6] |= 1
    data[central + 8] |= 1


def _strongly_encrypt_central(data: bytearray, source: Path) -> None:
    data[_central(data, b"secret.py") + 8] |= 0x40


def _rename_local(data: bytearray, source: Path) -> None:
    local = _infos(source)["secret.py"].header_offset
    data[local + 30:local + 39] = b"public.py"


def _other_method(data: bytearray, source: Path) -> None:
    local = _infos(source)["secret.py"].header_offset
    struct.pack_into("<H", data, local + 8, 0)


def _overlap(data: bytearray, source: Path) -> None:
    offset = _infos(source)["secret.py"].header_offset
    struct.pack_into("<L", data, _central(data, b"stored.txt") + 42, offset)


def _grow(data: bytearray, source: Path) -> None:
    # The entry's data now runs over the next entry's local header (the checker's own
    # overlap guard, counting no name, does not see it).
    info = _infos(source)["pkg/mod.py"]
    grown = info.compress_size + 40
    struct.pack_into("<L", data, _central(data, b"pkg/mod.py") + 20, grown)


def _count(data: bytearray, source: Path) -> None:
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 7, 7)


def _spanned(data: bytearray, source: Path) -> None:
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<H", data, end + 4, 1)


def _descriptor(data: bytearray, source: Path) -> None:
    info = _infos(source)["secret.py"]
    end = info.header_offset + 30 + len(b"secret.py") + info.compress_size
    assert data[end:end + 4] == b"PK\x07\x08"
    data[end + 4] ^= 0xFF  # the descriptor's CRC


@pytest.mark.parametrize(("streamed", "patch", "reason"), [
    (False, _encrypt, "encrypted entry 'secret.py'"),
    (False, _strongly_encrypt_central, "encrypted entry 'secret.py'"),
    (False, _rename_local, "the local header of 'secret.py' names another file"),
    (False, _other_method, "another compression method"),
    (False, _overlap, "overlap"),
    (False, _grow, "entries 'pkg/mod.py' and 'stored.txt' overlap"),
    (False, _count, "holds 8 entries, its end record says 7"),
    (False, _spanned, "several disks"),
    (True, _descriptor, "the data descriptor of 'secret.py' does not match"),
], ids=["encrypted", "strong-encryption", "local-name", "local-method", "overlap",
        "overlap-past-header", "count", "spanned", "descriptor"])
def test_archives_that_are_not_plain_are_left_alone(
        tmp_path: Path, streamed: bool, patch: Callable[[bytearray, Path], None],
        reason: str) -> None:
    path = _patched(_source(tmp_path, streamed=streamed), tmp_path, patch)
    _refused(path, tmp_path, reason)


def _refused(path: Path, folder: Path, reason: str) -> None:
    problem = plain_zip_problem(path)
    assert problem is not None and reason in problem
    assert "\n" not in problem
    target = folder / "refused.zip"
    with pytest.raises(NotPlainZip) as raised:
        rewrite(path, target, [Output(0, "a.py")])
    assert str(raised.value) == problem
    assert not target.exists()


def test_a_zip_after_a_stub_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "prefixed.zip"
    path.write_bytes(b"#!stub\n" + _source(tmp_path).read_bytes())
    _refused(path, tmp_path, "data before the first entry (a self-extracting stub?)")


def test_a_zip_whose_offsets_count_the_stub_is_left_alone(tmp_path: Path) -> None:
    # `zip -A` fixes the offsets of a self-extractor: the directory is where it says, and
    # the first entry is not at the start of the file.
    path = tmp_path / "adjusted.zip"
    with open(path, "wb") as handle:
        handle.write(b"#!stub\n")
        with zipfile.ZipFile(handle, "w") as archive:
            _fill(archive)
    _refused(path, tmp_path, "data before the first entry")


def test_bytes_after_the_end_record_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "trailing.zip"
    path.write_bytes(_source(tmp_path).read_bytes() + b"trailer")
    _refused(path, tmp_path, "data after the end of the archive")


def _with_zip64_end(data: bytes, *, count_delta: int = 0) -> bytes:
    """The archive with ZIP64 end records (which it does not need) before its end record,
    as Info-ZIP writes them for input from stdin."""
    at = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack_from("<HLL", data, at + 10)
    record = struct.pack("<4sQHHLLQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count + count_delta,
                         count + count_delta, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    return data[:at] + record + locator + data[at:]


def test_zip64_end_records_are_read_and_dropped_when_not_needed(tmp_path: Path) -> None:
    source = tmp_path / "zip64-end.zip"
    source.write_bytes(_with_zip64_end(_source(tmp_path).read_bytes()))
    with zipfile.ZipFile(source) as archive:
        assert archive.testzip() is None
    assert plain_zip_problem(source) is None
    target = tmp_path / "out.zip"
    rewrite(source, target, _identity(source))
    assert target.read_bytes() == _source(tmp_path).read_bytes()


def test_a_zip64_archive_after_a_stub_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "prefixed.zip"
    path.write_bytes(b"#!stub\n" + _with_zip64_end(_source(tmp_path).read_bytes()))
    _refused(path, tmp_path, "data before the first entry (a self-extracting stub?)")


def test_end_records_that_disagree_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "disagree.zip"
    path.write_bytes(_with_zip64_end(_source(tmp_path).read_bytes(), count_delta=1))
    _refused(path, tmp_path, "the end record and the ZIP64 end record disagree")


def test_a_file_that_is_not_a_zip_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text("def handler(event, context):\n    return 1\n")
    _refused(path, tmp_path, "not a readable zip archive")


def test_a_truncated_zip_is_left_alone(tmp_path: Path) -> None:
    data = _source(tmp_path).read_bytes()
    path = tmp_path / "truncated.zip"
    path.write_bytes(data[:len(data) // 2])
    _refused(path, tmp_path, "not a readable zip archive")


def test_a_missing_file_or_a_folder_is_left_alone(tmp_path: Path) -> None:
    assert "cannot read zip archive" in (plain_zip_problem(tmp_path / "absent.zip") or "")
    assert plain_zip_problem(tmp_path) == "not a regular file"


def test_a_plain_zip_may_be_rewritten(tmp_path: Path) -> None:
    assert plain_zip_problem(_source(tmp_path)) is None
    assert plain_zip_problem(_source(tmp_path, streamed=True)) is None


# ---- hand-built archives: data descriptors without their signature ------------------------


def _hand_built(entries: Sequence[tuple[bytes, bytes, bytes]]) -> bytes:
    """A stored archive whose entries (name, data, descriptor layout: b"", b"<LLL" or
    b"<4sLLL") are written as given: a descriptor without its signature is legal."""
    body, directory = bytearray(), bytearray()
    for name, data, layout in entries:
        crc, offset = zlib.crc32(data), len(body)
        flags = 0x08 if layout else 0
        known = (0, 0, 0) if layout else (crc, len(data), len(data))
        body += struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 10, flags, 0, 0, 0x5221, *known,
                            len(name), 0) + name + data
        if layout == b"<LLL":
            body += struct.pack("<LLL", crc, len(data), len(data))
        elif layout:
            body += struct.pack("<4sLLL", b"PK\x07\x08", crc, len(data), len(data))
        directory += struct.pack("<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 0x31E, 10, flags, 0,
                                 0, 0x5221, crc, len(data), len(data), len(name), 0, 0, 0,
                                 0, 0o100644 << 16, offset) + name
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(directory), len(body), 0)
    return bytes(body + directory + end)


def test_descriptors_with_and_without_signature_are_copied(tmp_path: Path) -> None:
    source = tmp_path / "source.zip"
    source.write_bytes(_hand_built([(b"bare.py", b"a = 1\n", b"<LLL"),
                                    (b"signed.py", b"b = 2\n", b"<4sLLL"),
                                    (b"plain.py", b"c = 3\n", b"")]))
    assert plain_zip_problem(source) is None
    target = tmp_path / "out.zip"
    rewrite(source, target, [Output(2, "python/plain.py"), Output(0, "python/bare.py"),
                             Output(1, "python/signed.py")])
    data = target.read_bytes()
    assert struct.pack("<LLL", zlib.crc32(b"a = 1\n"), 6, 6) in data
    assert data.count(b"PK\x07\x08") == 1
    assert _contents(target) == {"python/plain.py": b"c = 3\n", "python/bare.py": b"a = 1\n",
                                 "python/signed.py": b"b = 2\n"}
    _readers_agree(target)
    identity = tmp_path / "identity.zip"
    rewrite(source, identity, _identity(source))
    assert identity.read_bytes() == source.read_bytes()


# ---- ZIP64 -------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["seekable", "data-descriptors"])
def test_a_source_with_zip64_fields_is_rewritten_readable(tmp_path: Path,
                                                          streamed: bool) -> None:
    source = tmp_path / "zip64.zip"
    with open(source, "wb") as handle:
        target_file: io.RawIOBase | io.BufferedWriter = \
            Unseekable(handle) if streamed else handle
        with zipfile.ZipFile(target_file, "w", zipfile.ZIP_DEFLATED,
                             allowZip64=True) as archive:
            archive.writestr(_info("small.py", 0o100644), b"x = 1\n")
            with archive.open(_info("forced.bin", 0o100644), "w", force_zip64=True) as member:
                member.write(bytes(range(256)) * 64)
            with archive.open(_info("also.bin", 0o100600, method=zipfile.ZIP_STORED), "w",
                              force_zip64=True) as member:
                member.write(b"stored" * 100)
    source_fields, source_extra = _local_header(source, "forced.bin")
    assert ZIP64 in _extra_kinds(source_extra)
    assert plain_zip_problem(source) is None
    same = tmp_path / "same.zip"
    rewrite(source, same, _identity(source))
    _same_entries(source, same)
    _readers_agree(same)
    if source_fields[6:8] == (0xFFFFFFFF, 0xFFFFFFFF):
        # Python 3.9's zipfile leaves the local sizes unsaturated beside its ZIP64 field (and
        # version 2.0): the copy writes that header as APPNOTE says; later ones already do.
        assert same.read_bytes() == source.read_bytes()
    target = tmp_path / "out.zip"
    index = _index(source)
    rewrite(source, target, [Output(index["also.bin"], "python/also.bin", mode=0o644),
                             Output(index["forced.bin"], "python/forced.bin"),
                             Output(index["small.py"], "python/small.py", content=b"y = 2\n")])
    fields, extra = _local_header(target, "python/forced.bin")
    # The local ZIP64 field is rebuilt (both sizes), so the 64-bit descriptor stays right.
    assert fields[0] == 45 and fields[6:8] == (0xFFFFFFFF, 0xFFFFFFFF)
    assert _extra_kinds(extra) == [ZIP64]
    assert _contents(target) == {"python/also.bin": b"stored" * 100,
                                 "python/forced.bin": bytes(range(256)) * 64,
                                 "python/small.py": b"y = 2\n"}
    assert _infos(target)["python/also.bin"].external_attr >> 16 == 0o100644
    _readers_agree(target)


def test_over_65535_entries_get_zip64_end_records(tmp_path: Path) -> None:
    source = tmp_path / "one.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr(_info("a.py", 0o100644), b"x = 1\n")
    count = 0x10000 + 5
    target = tmp_path / "many.zip"
    rewrite(source, target, [Output(0, f"m/{n}.py") for n in range(count)])
    data = target.read_bytes()
    assert b"PK\x06\x06" in data[-200:] and b"PK\x06\x07" in data[-200:]
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
        assert len(infos) == count
        assert archive.read(infos[-1]) == b"x = 1\n"
    assert len(ZipTree(target).members) == count
    assert plain_zip_problem(target) is None
    if shutil.which("unzip"):
        tested = subprocess.run(["unzip", "-tq", str(target)], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stdout[-500:]


def test_offsets_past_4_gib_get_zip64_central_fields() -> None:
    # No test writes a 4 GiB file: the records for an entry that would start past 4 GiB.
    entry = zipwrite._Entry(0x031E, 20, 0, 8, 0, 0x5221, 1234, 10, 20, b"far.py",
                            _timestamp_extra(), b"", 0, 0o100644 << 16, 0,
                            local_extra=_timestamp_extra(), local_crc=1234,
                            local_compressed_size=10, local_size=20)
    planned = zipwrite._copied(entry, Output(0, "far.py"), 5 << 30)
    fields = struct.unpack_from("<4sHHHHHHLLLHHHHHLL", planned.central)
    assert fields[2] == 45 and fields[8:10] == (10, 20) and fields[16] == 0xFFFFFFFF
    extra = planned.central[46 + 6:46 + 6 + fields[11]]
    assert extra[:12] == struct.pack("<HHQ", ZIP64, 8, 5 << 30)
    assert extra[12:] == _timestamp_extra()
    # The local header needs no ZIP64 field: it holds no offset.
    assert planned.local[30 + 6:] == _timestamp_extra()


# ---- large members ------------------------------------------------------------------------


def test_a_large_stored_entry_is_copied_raw_and_fast(tmp_path: Path) -> None:
    generator = random.Random(7)
    content = generator.randbytes(20 * 1024 * 1024)
    source = tmp_path / "large.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr(_info("small.py", 0o100644), b"x = 1\n")
        archive.writestr(_info("big.bin", 0o100644, method=zipfile.ZIP_STORED), content)
    target = tmp_path / "out.zip"
    started = time.perf_counter()
    rewrite(source, target, [Output(1, "python/big.bin"), Output(0, "python/small.py")])
    assert time.perf_counter() - started < 5
    assert hashlib.sha256(_raw(target)["python/big.bin"]).digest() == \
        hashlib.sha256(content).digest()
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None


# ---- Info-ZIP archives ----------------------------------------------------------------------


@needs_zip
def test_info_zip_archives_are_rewritten_readable(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "mod.py").write_text("VALUE = 1\n" * 100)
    (tree / "secret.py").write_text("TOKEN = 'x'\n")
    (tree / "secret.py").chmod(0o600)
    (tree / "run.sh").write_text("#!/bin/sh\n")
    (tree / "run.sh").chmod(0o755)
    (tree / "été.py").write_text("x = 1\n")
    (tree / "link.py").symlink_to("pkg/mod.py")
    archives = []
    plain = tmp_path / "plain.zip"
    subprocess.run(["zip", "-q", "-r", "-y", str(plain), "."], cwd=tree, check=True)
    archives.append(plain)
    # Written to a pipe: data descriptors (Info-ZIP stores symlinks, which it cannot do on a
    # pipe: the link is left out); from stdin: a ZIP64 local field and ZIP64 end records.
    streamed = tmp_path / "streamed.zip"
    piped = subprocess.run(["zip", "-q", "-r", "-", "pkg", "secret.py", "run.sh", "été.py"],
                           cwd=tree, check=True, stdout=subprocess.PIPE)
    streamed.write_bytes(piped.stdout)
    assert any(info.flag_bits & 0x08 for info in _infos(streamed).values())
    archives.append(streamed)
    stdin = tmp_path / "stdin.zip"
    subprocess.run(["zip", "-q", str(stdin), "-"], input=b"from stdin\n", check=True)
    archives.append(stdin)
    # Both: a data descriptor with 64-bit sizes.
    piped_stdin = tmp_path / "piped-stdin.zip"
    piped = subprocess.run(["zip", "-q", "-", "-"], input=b"piped\n", check=True,
                           stdout=subprocess.PIPE)
    piped_stdin.write_bytes(piped.stdout)
    assert _infos(piped_stdin)["-"].flag_bits & 0x08
    archives.append(piped_stdin)
    for number, source in enumerate(archives):
        assert plain_zip_problem(source) is None, source.name
        same = tmp_path / f"same{number}.zip"
        rewrite(source, same, _identity(source))
        _same_entries(source, same)
        _readers_agree(same)
        moved = tmp_path / f"moved{number}.zip"
        rewrite(source, moved, [Output(index, "python/" + member.name, mode=0o644)
                                for index, member in enumerate(ZipTree(source).members)])
        _same_entries(source, moved, lambda name: "python/" + name)
        _readers_agree(moved)
        listed = subprocess.run(["unzip", "-Z1", str(moved)], capture_output=True, text=True)
        assert all(line.startswith("python/") for line in listed.stdout.splitlines())
        modes = {name: info.external_attr >> 16 for name, info in _infos(moved).items()}
        for name, mode in modes.items():
            assert mode & 0o7777 == 0o644, name
            assert stat.S_IFMT(mode) == (stat.S_IFLNK if name.endswith("link.py") else
                                         stat.S_IFDIR if name.endswith("/") else stat.S_IFREG)
    with zipfile.ZipFile(tmp_path / "moved0.zip") as archive:
        assert archive.read("python/link.py") == b"pkg/mod.py"
