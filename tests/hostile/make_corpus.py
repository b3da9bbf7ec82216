"""Write a corpus of hostile lambdalint inputs into a folder (at test time: no binaries in git).

Each ``Case`` names one input and what lambdalint must make of it: unreadable as a whole (one
LL001 naming it), or readable with LL105 findings and/or per-member LL001s. Zips that
``zipfile`` refuses to write (overlapping entries, lying sizes, broken end records…) are built
byte by byte with ``struct``.

    python tests/hostile/make_corpus.py OUTPUT_FOLDER
"""

from __future__ import annotations

import bz2
import io
import os
import random
import struct
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
LINK_MODE = 0o120777
UTF8_FLAG = 0x800
ZIP64_EXTRA = 0x0001
GIB = 1024 ** 3
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One corpus input and the outcome lambdalint must reach on it."""

    name: str  # file or folder name inside the corpus folder
    readable: bool  # False: exactly one LL001 for the whole input
    unsafe: tuple[str, ...] = ()  # substrings, each expected in one of its LL105 messages
    member_errors: tuple[str, ...] = ()  # members whose read must give a per-member LL001
    why: str = ""


@dataclass
class RawEntry:
    """A zip entry written exactly as given, lies included."""

    name: bytes
    data: bytes  # stored as is (already compressed when method != 0)
    method: int = zipfile.ZIP_STORED
    flags: int = 0
    crc: int | None = None  # default: CRC-32 of ``data``
    size: int | None = None  # uncompressed size; default len(data)
    mode: int = FILE_MODE
    zip64: bool = False  # sizes in a ZIP64 extra field (required above 4 GiB)
    offset: int | None = None  # central directory's local header offset; default: the real one


class _Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


def _compress_zeros(compressor: _Compressor, size: int) -> tuple[bytes, int]:
    """``size`` zero bytes compressed, and their CRC-32, without holding them in memory."""
    chunk = bytes(MIB)
    parts, crc, left = [], 0, size
    while left:
        piece = chunk[:min(left, MIB)]
        parts.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    parts.append(compressor.flush())
    return b"".join(parts), crc


def _deflate_zeros(size: int) -> tuple[bytes, int]:
    return _compress_zeros(zlib.compressobj(9, zlib.DEFLATED, -15), size)


def _bzip2_zeros(size: int) -> tuple[bytes, int]:
    return _compress_zeros(bz2.BZ2Compressor(9), size)


def build_zip(entries: list[RawEntry]) -> bytes:
    """Local headers, data, central directory and end record, with no sanity applied."""
    out = io.BytesIO()
    central = io.BytesIO()
    for entry in entries:
        offset = out.tell()
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.size is None else entry.size
        csize = len(entry.data)
        if entry.zip64:
            local_sizes = (0xFFFFFFFF, 0xFFFFFFFF)
            local_extra = struct.pack("<HHQQ", ZIP64_EXTRA, 16, size, csize)
        else:
            local_sizes = (csize, size)
            local_extra = b""
        version = 45 if entry.zip64 else 20
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", version, entry.flags, entry.method,
                              0, 0x21, crc, *local_sizes, len(entry.name), len(local_extra)))
        out.write(entry.name + local_extra + entry.data)
        header_offset = offset if entry.offset is None else entry.offset
        central_extra = local_extra
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", (3 << 8) | version, version,
                                  entry.flags, entry.method, 0, 0x21, crc, *local_sizes,
                                  len(entry.name), len(central_extra), 0, 0, 0,
                                  entry.mode << 16, header_offset))
        central.write(entry.name + central_extra)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(_end_record(len(entries), len(directory), start))
    return out.getvalue()


def _end_record(count: int, size: int, offset: int) -> bytes:
    return struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, offset, 0)


def _as_zip64_end(data: bytes, *, entries: int | None = None, record_signature: bytes =
                  b"PK\x06\x06", disks: int = 1) -> bytes:
    """Replace a plain end record by the ZIP64 trio (record, locator, saturated end record)."""
    end = data[-22:]
    assert end[:4] == b"PK\x05\x06"
    count, size, offset = struct.unpack("<2xHLL", end[8:20])
    entries = count if entries is None else entries
    body = data[:-22]
    record = struct.pack("<4sQ2H2L4Q", record_signature, 44, 45, 45, 0, 0, entries, entries,
                         size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(body), disks)
    saturated = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                            0xFFFFFFFF, 0)
    return body + record + locator + saturated


def _zipfile_bytes(files: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED,
                   force_zip64: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, EPOCH)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            info.compress_type = method
            with archive.open(info, "w", force_zip64=force_zip64) as stream:
                stream.write(content)
    return buffer.getvalue()


HANDLER = b"def handler(event, context):\n    return {'ok': True}\n"


def good_function() -> bytes:
    return _zipfile_bytes({"app.py": HANDLER, "util.py": b"VALUE = 1\n"})


# ---- the corpus ----------------------------------------------------------------------------

Builder = Callable[[Path], None]
CASES: list[Case] = []
_BUILDERS: dict[str, Builder] = {}


def case(name: str, *, readable: bool, unsafe: tuple[str, ...] = (),
         member_errors: tuple[str, ...] = (), why: str = "") -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        CASES.append(Case(name, readable, unsafe, member_errors, why))
        _BUILDERS[name] = builder
        return builder
    return register


@case("good_function.zip", readable=True, why="control: a normal function zip")
def _good(path: Path) -> None:
    path.write_bytes(good_function())


@case("deps-layer.zip", readable=True,
      why="a layer missing python/: proves the other inputs are still checked (LL101)")
def _layer(path: Path) -> None:
    path.write_bytes(_zipfile_bytes({"requests/__init__.py": b"", "requests/api.py": b""}))


@case("not_a_zip.zip", readable=False, why="plain text named .zip")
def _text(path: Path) -> None:
    path.write_text("this is not a zip archive\n")


@case("empty.zip", readable=False, why="zero bytes")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("truncated.zip", readable=False, why="a valid zip cut in half: no end record")
def _truncated(path: Path) -> None:
    data = _zipfile_bytes({f"pkg/m{i}.py": (b"x = %d\n" % i) * 50
                           for i in range(20)})
    path.write_bytes(data[:len(data) // 2])


@case("garbage_directory.zip", readable=False,
      why="intact end record over a central directory of random bytes")
def _garbage(path: Path) -> None:
    data = bytearray(good_function())
    size, offset = struct.unpack("<LL", data[-10:-2])
    data[offset:offset + size] = random.Random(1).randbytes(size)
    path.write_bytes(bytes(data))


@case("cd_past_eof.zip", readable=False,
      why="the central directory puts a member's header far past the end of the file")
def _past_eof(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"ghost.py", b"x = 1\n", offset=50 * MIB)]))


@case("zip64.zip", readable=True,
      why="valid ZIP64: ZIP64 extra fields and ZIP64 end record + locator")
def _zip64(path: Path) -> None:
    path.write_bytes(_as_zip64_end(_zipfile_bytes(
        {"app.py": HANDLER, "util.py": b"VALUE = 1\n"}, force_zip64=True)))


@case("zip64_bad_record.zip", readable=False,
      why="ZIP64 locator present, ZIP64 end record signature broken, end record saturated")
def _zip64_bad(path: Path) -> None:
    path.write_bytes(_as_zip64_end(good_function(), record_signature=b"PK\x00\x00"))


@case("zip64_multidisk.zip", readable=False, why="ZIP64 locator claiming a multi-disk archive")
def _zip64_disks(path: Path) -> None:
    path.write_bytes(_as_zip64_end(good_function(), disks=7))


@case("overlap_bomb.zip", readable=False,
      why="non-recursive zip bomb: 40 central entries sharing one local header and kernel")
def _overlap(path: Path) -> None:
    kernel, crc = _deflate_zeros(16 * MIB)
    data = build_zip([RawEntry(b"bomb.bin", kernel, method=zipfile.ZIP_DEFLATED, crc=crc,
                               size=16 * MIB)])
    # Re-emit the single central record 40 times, every copy pointing at offset 0.
    size, offset = struct.unpack("<LL", data[-10:-2])
    record = data[offset:offset + size]
    names = [b"bomb%02d.bin" % i for i in range(40)]
    central = b"".join(record[:28] + struct.pack("<H", len(n)) + record[30:46] + n
                       for n in names)
    path.write_bytes(data[:offset] + central + _end_record(len(names), len(central), offset))


@case("entry_count_bomb.zip", readable=False,
      why="ZIP64 end record declaring 10 million entries")
def _count_bomb(path: Path) -> None:
    path.write_bytes(_as_zip64_end(good_function(), entries=10_000_000))


@case("duplicate_names.zip", readable=True, unsafe=("duplicate entry name (3 entries)",),
      why="three entries named app.py")
def _duplicates(path: Path) -> None:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates it writes
        for body in (HANDLER, b"print('second')\n", b"print('third')\n"):
            archive.writestr("app.py", body)
    path.write_bytes(buffer.getvalue())


@case("traversal.zip", readable=True,
      unsafe=("'..' in the path", "absolute path"),
      why="zip slip: ../ components and an absolute path")
def _traversal(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"../../evil.py", b"x = 1\n"),
                                RawEntry(b"lib/../../escape.py", b"x = 1\n"),
                                RawEntry(b"/etc/cron.d/evil", b"* * * * * root sh\n")]))


@case("symlink_escape.zip", readable=True, unsafe=("../../etc/passwd",),
      why="a symlink entry whose target leaves the package")
def _symlink(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"config", b"../../etc/passwd", mode=LINK_MODE)]))


@case("encrypted.zip", readable=True, unsafe=("encrypted entry",),
      why="traditional-encryption flag on an entry: listed, never decrypted")
def _encrypted(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"secret.py", b"\x8f" * 40, flags=0x1,
                                         size=28)]))


@case("unsupported_method.zip", readable=True, member_errors=("app.py", "config"),
      why="members compressed with methods 99 (AES) and 93 (zstd)")
def _methods(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", b"\x00" * 64, method=99),
                                RawEntry(b"config", b"\x28\xb5\x2f\xfd" + b"\x00" * 16,
                                         method=93, mode=LINK_MODE)]))


@case("corrupt_deflate.zip", readable=True, member_errors=("app.py", "config"),
      why="deflate data that is not deflate, under valid headers")
def _corrupt(path: Path) -> None:
    # 0xFF opens a final block of reserved type 3: invalid from the first byte.
    noise = b"\xff" + random.Random(2).randbytes(200)
    path.write_bytes(build_zip([
        RawEntry(b"app.py", noise, method=zipfile.ZIP_DEFLATED, size=4000),
        RawEntry(b"config", noise, method=zipfile.ZIP_DEFLATED, size=4000, mode=LINK_MODE)]))


@case("non_utf8_names.zip", readable=True,
      why="a cp437 name, a UTF-8 name without the flag, and a name flagged UTF-8 that is not")
def _names(path: Path) -> None:
    path.write_bytes(build_zip([
        RawEntry(b"app.py", HANDLER),
        RawEntry(b"caf\xe9.py", b"x = 1\n"),
        RawEntry("données.py".encode(), b"x = 2\n"),
        RawEntry(b"na\xefve\xff.py", b"x = 3\n", flags=UTF8_FLAG)]))


@case("nul_name.zip", readable=True, unsafe=("NUL byte",), why="a NUL byte inside a name")
def _nul(path: Path) -> None:
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"util.py\x00.txt", b"x = 1\n")]))


@case("lying_100gb.zip", readable=True,
      why="a member declaring 100 GiB uncompressed (ZIP64 extra) over 64 MiB of real data")
def _lying(path: Path) -> None:
    kernel, crc = _deflate_zeros(64 * MIB)
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"blob.bin", kernel, method=zipfile.ZIP_DEFLATED,
                                         crc=crc, size=100 * GIB, zip64=True)]))


@case("bzip2_bomb.zip", readable=True,
      why="a few hundred bytes of bzip2 that expand to 64 MiB (read only up to the cap)")
def _bzip2_bomb(path: Path) -> None:
    kernel, crc = _bzip2_zeros(64 * MIB)
    path.write_bytes(build_zip([RawEntry(b"app.py", HANDLER),
                                RawEntry(b"blob.bin", kernel, method=zipfile.ZIP_BZIP2,
                                         crc=crc, size=64 * MIB)]))


def codecs_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER, compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("util.py", b"VALUE = 1\n" * 500, compress_type=zipfile.ZIP_LZMA)
    return buffer.getvalue()


@case("bzip2_lzma.zip", readable=True, why="members compressed with bzip2 and lzma")
def _codecs(path: Path) -> None:
    path.write_bytes(codecs_zip())


@case("one_line.py", readable=True, why="a 10 MB Python file on a single line")
def _one_line(path: Path) -> None:
    path.write_bytes(b"BLOB = '" + b"x" * (10 * 1000 * 1000) + b"'\n")


@case("symlink_folder", readable=True,
      unsafe=("symlink to absolute path", "points outside the package"),
      why="a source folder whose symlinks lead out of it (never followed)")
def _symlink_folder(path: Path) -> None:
    path.mkdir()
    (path / "app.py").write_bytes(HANDLER)
    if hasattr(os, "symlink"):
        os.symlink("/etc", path / "etc")
        os.symlink("../..", path / "up")


if sys.platform.startswith("linux"):  # other file systems refuse names that are not UTF-8
    @case("non_utf8_folder", readable=True, unsafe=("symlink to absolute path",),
          why="a source folder with a file name and a symlink target that are not UTF-8")
    def _non_utf8_folder(path: Path) -> None:
        path.mkdir()
        (path / "app.py").write_bytes(HANDLER)
        folder = os.fsencode(path)
        with open(os.path.join(folder, b"caf\xe9.py"), "wb") as handle:
            handle.write(b"x = 1\n")
        os.symlink(b"/etc/\xff", os.path.join(folder, b"l\xfe"))


if hasattr(os, "mkfifo"):
    @case("fifo_folder", readable=True, member_errors=("util.py",),
          why="a FIFO named like a module: opening it for reading would block forever")
    def _fifo_folder(path: Path) -> None:
        path.mkdir()
        (path / "app.py").write_bytes(HANDLER)
        os.mkfifo(path / "util.py")


def make_corpus(folder: Path) -> list[Case]:
    """Write every case into ``folder`` (created if needed); returns the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in CASES:
        _BUILDERS[item.name](folder / item.name)
    return list(CASES)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile/make_corpus.py OUTPUT_FOLDER")
    for written in make_corpus(Path(sys.argv[1])):
        print(f"{written.name}: {written.why}")
