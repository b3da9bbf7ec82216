"""The file trees lambdalint reads: zip archives (never extracted) and source folders.

A zip's central directory is read once into ``Member`` records (names, sizes, CRC, Unix mode,
flags). Member bytes are decompressed only when a rule asks, and never past a cap. Everything
that can go wrong with an untrusted archive becomes an ``ArchiveError`` (the whole input is
unreadable: LL001) or an entry in ``Tree.anomalies`` (one bad entry: LL105), never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple, NoReturn, Protocol

# Large enough for any real layer (pandas + numpy + scipy + pyarrow is ~20k entries), small
# enough that a hostile central directory cannot make us build millions of records.
DEFAULT_MAX_ENTRIES = 200_000
# Cap on one member's decompressed bytes when a rule asks for "all of it".
DEFAULT_MAX_MEMBER_BYTES = 16 * 1024 * 1024

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64_LOCATOR_SIZE = 20
_EOCD64 = b"PK\x06\x06"
_EOCD64_SIZE = 56
_CENTRAL_HEADER = b"PK\x01\x02"
_CENTRAL_HEADER_SIZE = 46
_LOCAL_HEADER = b"PK\x03\x04"
_LOCAL_HEADER_SIZE = 30
_MAX_COMMENT = 0xFFFF
_UTF8_FLAG = 0x800
_CHUNK = 64 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# What a member may be compressed with for lambdalint to read it. Anything else (deflate64,
# zstd, AES…) is refused the same way on every Python version, so reports do not depend on
# which codecs the interpreter happens to have.
_READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
                     zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_METHOD_NAMES = {9: "deflate64", 93: "zstd", 95: "xz", 96: "jpeg", 97: "wavpack", 98: "ppmd",
                 99: "AES encryption"}

# What zipfile raises on malformed input differs across Python 3.9-3.14 (a seek to a negative
# or 2**64 offset alone gives OSError, ValueError or OverflowError); all of it is the
# archive's fault and none of it may reach the user as a traceback.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
               OverflowError, struct.error, NotImplementedError, RuntimeError, LookupError,
               zlib.error, MemoryError)


class ArchiveError(Exception):
    """The input as a whole cannot be read; the message is one line for the user."""


class MemberError(Exception):
    """One member's bytes cannot be read (corrupt data, unsupported compression…)."""


class Member(NamedTuple):
    """One entry of a tree, as its central directory (or the file system) describes it.

    A named tuple, not a dataclass: tens of thousands are built per run, and a tuple is
    several times cheaper to construct than a frozen dataclass.
    """

    name: str
    size: int
    compressed_size: int
    mode: int | None  # Unix st_mode when the archiver recorded one
    is_dir: bool
    is_symlink: bool
    encrypted: bool = False
    crc: int = 0
    flags: int = 0
    header_offset: int = 0


@dataclass(frozen=True)
class Anomaly:
    """An entry Lambda's extraction would mishandle or that is unsafe to trust (LL105)."""

    member: str
    problem: str


class Tree:
    """Common interface of a zip archive and a source folder."""

    path: Path
    members: list[Member]
    anomalies: list[Anomaly]
    file_size: int
    format: str

    def __init__(self) -> None:
        self._by_name: dict[str, Member] | None = None

    @property
    def by_name(self) -> dict[str, Member]:
        if self._by_name is None:
            self._by_name = {m.name: m for m in self.members}
        return self._by_name

    def files(self) -> Iterator[Member]:
        return (m for m in self.members if not m.is_dir)

    @property
    def unzipped_size(self) -> int:
        return sum(m.size for m in self.members if not m.is_dir)

    def read(self, member: Member, limit: int, offset: int = 0) -> bytes:
        """At most ``limit`` bytes of ``member`` from ``offset``; raises MemberError.

        Memory is bounded by ``limit`` whatever the offset: compressed data before it is
        decompressed and dropped as it goes.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release the open file, if any."""

    def file_of(self, name: str) -> str | None:
        """Where a member is on disk, relative to the input ("" for the input itself), or
        None when it is not a file of its own (a zip's member)."""
        return None


class ZipTree(Tree):
    format = "zip"

    def __init__(self, path: Path, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 mount: str = "", include: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.path = path
        # A prefix every member name gets: a layer built from this folder puts it in python/.
        self.mount = mount
        # Files the package leaves out (the Serverless Framework's patterns) are not members.
        self.include = include
        self._zip: zipfile.ZipFile | None = None
        self._view: _PatchedView | None = None
        try:
            self._load(max_entries)
        except BaseException:
            self.close()
            raise

    def _load(self, max_entries: int) -> None:
        try:
            self.file_size = self.path.stat().st_size
            with open(self.path, "rb") as handle:
                directory = _find_central_directory(handle, self.file_size)
                if directory is not None:
                    _check_entry_count(handle, directory, max_entries)
            self._zip = self._open_zip(directory)
            infos = self._zip.infolist()
        except ArchiveError:
            raise
        except zipfile.BadZipFile as exc:
            raise ArchiveError(f"not a readable zip archive ({_reason(exc)})") from None
        except _ZIP_ERRORS as exc:
            raise ArchiveError(f"cannot read zip archive ({_reason(exc)})") from None
        # The declared count can lie and newer zipfile versions may find the directory where
        # _check_entry_count did not look: the parsed count is what really costs memory.
        if len(infos) > max_entries:
            raise ArchiveError(_too_many(len(infos), max_entries, "holds"))
        names = [_entry_name(info) for info in infos]
        self.members = [_member(info, name) for info, name in zip(infos, names)]
        # Duplicate names are legal in a zip; the local header offset is unique once
        # overlapping entries have been rejected, so members are found by it.
        self._infos = {info.header_offset: info for info in infos}
        self.anomalies = list(_zip_anomalies(self.members, [raw for _, raw in names]))
        _check_overlaps(self.members, self.file_size)

    def _open_zip(self, directory: list[_Directory] | None) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(self.path)
        except UnicodeDecodeError:
            if directory is None:
                raise
        # An entry flagged "name is UTF-8" whose name is not: zipfile refuses the whole
        # archive, but the archivers that write these meant their local code page. Reading
        # through a view where those flags are cleared (the file is never modified) makes
        # zipfile decode them as cp437, as it does every unflagged name.
        handle = open(self.path, "rb")  # noqa: SIM115 - the view owns it until close()
        try:
            patches = _utf8_flag_patches(handle, directory)
            self._view = _PatchedView(handle, patches)
        except BaseException:
            handle.close()
            raise
        return zipfile.ZipFile(self._view)

    def read(self, member: Member, limit: int, offset: int = 0) -> bytes:
        if member.encrypted:
            raise MemberError("entry is encrypted")
        info = self._info_for(member)
        method = info.compress_type
        if method not in _READABLE_METHODS:
            label = _METHOD_NAMES.get(method, "unknown")
            raise MemberError(f"compression method {method} ({label}) is not supported")
        limit = max(0, limit)
        try:
            if method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                return self._read_capped_codec(info, offset + limit)[offset:]
            assert self._zip is not None
            with self._zip.open(info) as stream:
                if offset:
                    # A forward seek decompresses and drops the data in between, in chunks.
                    stream.seek(min(offset, info.file_size))
                return stream.read(limit)
        except MemberError:
            raise
        except _ZIP_ERRORS as exc:
            raise MemberError(_reason(exc)) from None

    def _read_capped_codec(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """bzip2 and lzma decompressed with a cap on the output.

        zipfile hands these decompressors whole reads without an output limit, and a few
        kilobytes of bzip2 expand to gigabytes: the cap must be applied inside the codec.
        """
        import lzma  # zipfile has imported it already, when the interpreter has it

        try:
            return self._decompress_capped(info, limit)
        except lzma.LZMAError as exc:
            raise MemberError(_reason(exc)) from None

    def _decompress_capped(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(info.header_offset)
            header = handle.read(_LOCAL_HEADER_SIZE)
            if len(header) != _LOCAL_HEADER_SIZE or header[:4] != _LOCAL_HEADER:
                raise MemberError("bad local file header")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + _LOCAL_HEADER_SIZE + name_length + extra_length)
            compressed = _Budget(handle, info.compress_size)
            decompressor = _decompressor(info.compress_type, compressed, limit)
            chunks: list[bytes] = []
            produced = 0
            while produced < limit and not decompressor.eof:
                data = b""
                if decompressor.needs_input:
                    data = compressed.take(_CHUNK)
                    if not data:
                        break
                out = decompressor.decompress(data, limit - produced)
                if not out and not data:
                    break  # neither input nor output: a stream that cannot progress
                chunks.append(out)
                produced += len(out)
        content = b"".join(chunks)
        complete = decompressor.eof or (compressed.left == 0 and decompressor.needs_input)
        if complete and produced < limit and zlib.crc32(content) != info.CRC:
            raise MemberError("bad CRC-32")
        return content

    def _info_for(self, member: Member) -> zipfile.ZipInfo:
        try:
            return self._infos[member.header_offset]
        except KeyError:
            raise MemberError("entry not found") from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._view is not None:
            self._view.close()


class FolderTree(Tree):
    """A folder of function source, walked without following symlinks."""

    format = "folder"
    # Never part of a deployment built from this folder, and expensive to walk.
    SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox",
                              "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                              ".aws-sam", "cdk.out", ".serverless"})

    def __init__(self, path: Path, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 mount: str = "", include: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.path = path
        # A prefix every member name gets: a layer built from this folder puts it in python/.
        self.mount = mount
        # Files the package leaves out (the Serverless Framework's patterns) are not members.
        self.include = include
        self.members = []
        self.anomalies = []
        # Member names are shown in reports, so they must be valid Unicode; a file name whose
        # bytes are not UTF-8 is shown escaped and read through its real name.
        self._fs_names: dict[str, str] = {}
        try:
            self._walk(max_entries)
        except OSError as exc:
            where = _relative(exc.filename, path)
            raise ArchiveError(f"cannot read {where}: {exc.strerror or _reason(exc)}") \
                from None
        except RecursionError:
            # os.walk recurses on Python < 3.12; only a hostile tree nests this deep.
            raise ArchiveError("folders nested too deeply to walk") from None
        self.file_size = self.unzipped_size

    def _walk(self, max_entries: int) -> None:
        root = str(self.path)
        for dirpath, dirnames, filenames in os.walk(root, onerror=_raise, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in self.SKIPPED_DIRS)
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            prefix = "" if rel_dir == "." else rel_dir + "/"
            if self.include is not None:
                filenames = [f for f in filenames if self.include(prefix + f)]
            for name in dirnames + sorted(filenames):
                fs_name = prefix + name
                shown = self.mount + _printable(fs_name)
                if shown != fs_name:
                    self._fs_names[shown] = fs_name
                self.members.append(self._member(os.path.join(dirpath, name), shown))
                if len(self.members) > max_entries:
                    raise ArchiveError(f"more than {max_entries} files in the folder")
        for member in self.members:
            if member.is_symlink:
                target = _printable(os.readlink(os.path.join(root, self._fs_name(member))))
                problem = _link_escape(member.name[len(self.mount):], target)
                if problem:
                    self.anomalies.append(Anomaly(member.name, problem))

    @staticmethod
    def _member(full: str, rel: str) -> Member:
        st = os.lstat(full)
        is_link = stat.S_ISLNK(st.st_mode)
        is_dir = stat.S_ISDIR(st.st_mode)
        return Member(name=rel + ("/" if is_dir else ""), size=0 if is_dir else st.st_size,
                      compressed_size=st.st_size, mode=st.st_mode, is_dir=is_dir,
                      is_symlink=is_link)

    def read(self, member: Member, limit: int, offset: int = 0) -> bytes:
        if member.is_symlink or member.is_dir:
            raise MemberError("not a regular file")
        # Never follow a link swapped in since the walk: it could lead out of the folder.
        return _read_regular_file(self.path / self._fs_name(member), limit, follow=False,
                                  offset=offset)

    def _fs_name(self, member: Member) -> str:
        return self._fs_names.get(member.name.rstrip("/"), member.name)

    def file_of(self, name: str) -> str | None:
        return name[len(self.mount):] if name.startswith(self.mount) else name


class SingleFileTree(Tree):
    """One Python file given on its own: a function whose code is that module."""

    format = "file"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        try:
            st = path.stat()
        except OSError as exc:
            raise ArchiveError(f"cannot read: {exc.strerror or _reason(exc)}") from None
        if not stat.S_ISREG(st.st_mode):
            raise ArchiveError("not a regular file")
        self.members = [Member(name=path.name, size=st.st_size, compressed_size=st.st_size,
                               mode=st.st_mode, is_dir=False, is_symlink=False)]
        self.anomalies = []
        self.file_size = st.st_size

    def file_of(self, name: str) -> str | None:
        return ""

    def read(self, member: Member, limit: int, offset: int = 0) -> bytes:
        # The user named this file, so a symlink to it is followed.
        return _read_regular_file(self.path, limit, follow=True, offset=offset)


def is_zip_file(path: Path) -> bool:
    try:
        return _read_regular_file(path, 4, follow=True) in ZIP_MAGIC
    except MemberError:
        return False


def link_target_anomaly(member: Member, target: str) -> Anomaly | None:
    problem = _link_escape(member.name, target)
    return Anomaly(member.name, problem) if problem else None


# ---- helpers -----------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _raise(exc: OSError) -> NoReturn:
    raise exc


def _printable(name: str) -> str:
    """``name`` if it is valid Unicode, else its bytes with the undecodable ones escaped."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:  # bytes os.fsdecode could not decode come back as lone surrogates
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def _relative(filename: object, root: Path) -> str:
    """A path inside the folder as the report shows it: never absolute (reports must not
    depend on where the folder lives)."""
    if not isinstance(filename, str):
        return "the folder"
    rel = _printable(os.path.relpath(filename, str(root)).replace(os.sep, "/"))
    return "the folder" if rel == "." else rel


def _read_regular_file(path: Path, limit: int, *, follow: bool, offset: int = 0) -> bytes:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever;
    # the fstat below then refuses it (and devices, sockets) before any read.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise MemberError(exc.strerror or _reason(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MemberError("not a regular file")
        with open(fd, "rb", closefd=False) as handle:
            handle.seek(max(0, offset))
            return _read_at_most(handle, max(0, limit))
    except OSError as exc:
        raise MemberError(exc.strerror or _reason(exc)) from None
    finally:
        os.close(fd)


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    # read(n) allocates n bytes up front: with a 16 MiB cap every small file would cost that.
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = handle.read(min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _entry_name(info: zipfile.ZipInfo) -> tuple[str, str]:
    """(name, raw name): UTF-8 if the bytes are UTF-8, else cp437; cut at a NUL byte.

    Archivers on Linux (Info-ZIP among them) store UTF-8 names without setting the UTF-8
    flag, and extracting on Linux keeps the bytes, so the file on disk has the UTF-8 name:
    bytes that decode as UTF-8 are read as UTF-8 whatever the flag says.
    zipfile cuts ``filename`` at a NUL but keeps ``orig_filename`` whole: the raw name is what
    LL105 inspects, the cut one is what an extractor writing C strings would create.
    """
    raw = info.orig_filename
    if not info.flag_bits & _UTF8_FLAG and not raw.isascii():
        with contextlib.suppress(UnicodeError):
            raw = raw.encode("cp437").decode("utf-8")
    return raw.split("\x00", 1)[0], raw


def _member(info: zipfile.ZipInfo, names: tuple[str, str]) -> Member:
    name = names[0]
    mode: int | None = None
    if info.create_system == 3:  # Unix: the high 16 bits of external_attr are st_mode
        mode = (info.external_attr >> 16) & 0xFFFF or None
    is_symlink = mode is not None and stat.S_ISLNK(mode)
    is_dir = name.endswith("/") or (mode is not None and stat.S_ISDIR(mode))
    return Member(name=name, size=info.file_size, compressed_size=info.compress_size,
                  mode=mode, is_dir=is_dir, is_symlink=is_symlink,
                  encrypted=bool(info.flag_bits & 0x1), crc=info.CRC, flags=info.flag_bits,
                  header_offset=info.header_offset)


def _zip_anomalies(members: list[Member], raw_names: list[str]) -> Iterator[Anomaly]:
    copies = Counter(m.name for m in members)
    reported: set[str] = set()
    for m, raw in zip(members, raw_names):
        name = m.name
        if copies[name] > 1 and name not in reported:
            reported.add(name)
            yield Anomaly(name, f"duplicate entry name ({copies[name]} entries): which copy "
                                "Lambda extracts is undefined")
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            yield Anomaly(name, "absolute path: extraction would write outside the package")
        elif ".." in parts:
            yield Anomaly(name, "'..' in the path: extraction would write outside the package")
        if "\x00" in raw:
            yield Anomaly(name, f"NUL byte in the entry name {raw!r}: extractors disagree on "
                                "where the name ends")
        if m.encrypted:
            yield Anomaly(name, "encrypted entry: Lambda cannot extract it")


def _link_escape(name: str, target: str) -> str | None:
    if target.startswith("/"):
        return f"symlink to absolute path {target!r} outside the package"
    depth = len(name.rstrip("/").split("/")) - 1
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return f"symlink to {target!r} points outside the package"
        elif part not in ("", "."):
            depth += 1
    return None


# ---- central directory guards --------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    """Where a central directory is and what its end record declares."""

    start: int  # file offset of the first record, as zipfile computes it
    size: int
    offset: int  # the offset the end record states (start - offset = bytes prepended)
    entries: int


def _find_central_directory(handle: BinaryIO, file_size: int) -> list[_Directory] | None:
    """The central directories zipfile may read, found the way zipfile finds them.

    Usually one; two when a ZIP64 locator points elsewhere than the record right before it
    (zipfile up to 3.13 reads the latter, later versions may follow the locator). None when
    there is no end record: zipfile then says why in its own words.
    """
    if file_size < _EOCD_SIZE:
        return None
    handle.seek(file_size - _EOCD_SIZE)
    record = handle.read(_EOCD_SIZE)
    if record[:4] == _EOCD and record[-2:] == b"\x00\x00":
        at = file_size - _EOCD_SIZE
    else:
        tail_start = max(0, file_size - _MAX_COMMENT - _EOCD_SIZE)
        handle.seek(tail_start)
        tail = handle.read()
        found = tail.rfind(_EOCD)
        if found < 0 or len(tail) - found < _EOCD_SIZE:
            return None
        record = tail[found:found + _EOCD_SIZE]
        at = tail_start + found
    entries, size, offset = struct.unpack("<2xHLL", record[8:20])
    found_dirs = [_Directory(start=at - size, size=size, offset=offset, entries=entries)]
    if at < _EOCD64_LOCATOR_SIZE:
        return found_dirs
    handle.seek(at - _EOCD64_LOCATOR_SIZE)
    locator = handle.read(_EOCD64_LOCATOR_SIZE)
    if locator[:4] != _EOCD64_LOCATOR:
        return found_dirs
    located = struct.unpack("<Q", locator[8:16])[0]
    found_dirs = []
    for where in dict.fromkeys((at - _EOCD64_LOCATOR_SIZE - _EOCD64_SIZE, located)):
        if not 0 <= where <= file_size - _EOCD64_SIZE:
            continue
        handle.seek(where)
        record64 = handle.read(_EOCD64_SIZE)
        if record64[:4] != _EOCD64:
            continue
        entries64, size64, offset64 = struct.unpack("<QQQ", record64[32:56])
        found_dirs.append(_Directory(start=where - size64, size=size64, offset=offset64,
                                     entries=entries64))
    return found_dirs or [_Directory(start=at - size, size=size, offset=offset,
                                     entries=entries)]


def _check_entry_count(handle: BinaryIO, directories: list[_Directory],
                       max_entries: int) -> None:
    """Refuse a central directory with absurdly many entries before zipfile parses it.

    The declared count is checked first; it can lie, so a directory big enough to hold more
    than ``max_entries`` records (each is at least 46 bytes) is also walked, record by
    record, in bounded memory. Smaller ones cannot exceed the limit and cost nothing here.
    """
    for directory in directories:
        if directory.entries > max_entries:
            raise ArchiveError(_too_many(directory.entries, max_entries, "declares"))
        if directory.size > max_entries * _CENTRAL_HEADER_SIZE and directory.start >= 0:
            count = sum(1 for _ in _central_records(handle, directory, max_entries + 1))
            if count > max_entries:
                raise ArchiveError(_too_many(count, max_entries, "holds over"))


def _too_many(count: int, max_entries: int, verb: str) -> str:
    return (f"the central directory {verb} {count} entries, over the limit of {max_entries} "
            "(zip bomb guard; raise max-entries in config if this is real)")


def _central_records(handle: BinaryIO, directory: _Directory,
                     limit: int) -> Iterator[tuple[int, bytes, bytes]]:
    """(record offset, fixed 46-byte header, name) of up to ``limit`` central records."""
    position, end = directory.start, directory.start + directory.size
    count = 0
    while position < end and count < limit:
        handle.seek(position)
        header = handle.read(_CENTRAL_HEADER_SIZE)
        if len(header) != _CENTRAL_HEADER_SIZE:
            raise ArchiveError("not a readable zip archive (truncated central directory)")
        if header[:4] != _CENTRAL_HEADER:
            raise ArchiveError("not a readable zip archive (bad central directory record)")
        name_length, extra_length, comment_length = struct.unpack("<HHH", header[28:34])
        yield position, header, handle.read(name_length)
        position += _CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length
        count += 1


def _utf8_flag_patches(handle: BinaryIO, directories: list[_Directory]) -> dict[int, bytes]:
    """Flag fields to rewrite so that names flagged UTF-8 but not UTF-8 read as cp437."""
    patches: dict[int, bytes] = {}
    for directory in directories:
        if directory.start < 0:
            continue
        prepended = directory.start - directory.offset
        for position, header, name in _central_records(handle, directory, 1 << 62):
            flags = struct.unpack("<H", header[8:10])[0]
            if not flags & _UTF8_FLAG:
                continue
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                patches[position + 8] = struct.pack("<H", flags & ~_UTF8_FLAG)
                local = struct.unpack("<L", header[42:46])[0] + prepended
                handle.seek(local)
                local_header = handle.read(_LOCAL_HEADER_SIZE)
                # Python < 3.12 decodes the local name by the local header's flag.
                if len(local_header) == _LOCAL_HEADER_SIZE and local_header[:4] == _LOCAL_HEADER:
                    local_flags = struct.unpack("<H", local_header[6:8])[0]
                    patches[local + 6] = struct.pack("<H", local_flags & ~_UTF8_FLAG)
    return patches


class _PatchedView:
    """A read-only file object over the archive with a few bytes replaced in what it reads."""

    def __init__(self, handle: BinaryIO, patches: dict[int, bytes]) -> None:
        self._handle = handle
        self._patches = sorted(patches.items())

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def seekable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        start = self._handle.tell()
        data = self._handle.read(n)
        end = start + len(data)
        touched = [(at, patch) for at, patch in self._patches
                   if at < end and at + len(patch) > start]
        if not touched:
            return data
        buffer = bytearray(data)
        for at, patch in touched:
            for index, byte in enumerate(patch):
                if start <= at + index < end:
                    buffer[at + index - start] = byte
        return bytes(buffer)

    def close(self) -> None:
        self._handle.close()


def _check_overlaps(members: list[Member], file_size: int) -> None:
    """Reject entries whose data overlap: the construction of non-recursive zip bombs."""
    ordered = sorted(members, key=lambda m: m.header_offset)
    if ordered and ordered[0].header_offset < 0:
        raise ArchiveError(f"entry {ordered[0].name!r} starts before the beginning of the file "
                           "(corrupt central directory)")
    for before, after in zip(ordered, ordered[1:]):
        if before.header_offset + _LOCAL_HEADER_SIZE + before.compressed_size > after.header_offset:
            raise ArchiveError(
                f"entries {before.name!r} and {after.name!r} overlap in the file "
                "(zip bomb guard)")
    if ordered:
        last = ordered[-1]
        if last.header_offset + _LOCAL_HEADER_SIZE + last.compressed_size > file_size:
            raise ArchiveError(f"entry {last.name!r} runs past the end of the file (truncated)")


# ---- capped bzip2 / lzma -------------------------------------------------------------------


class _Budget:
    """The compressed bytes of one member: never more than the central directory states."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self._handle = handle
        self.left = size

    def take(self, n: int) -> bytes:
        data = self._handle.read(min(n, self.left)) if self.left > 0 else b""
        if self.left > 0 and not data:
            raise MemberError("compressed data truncated")
        self.left -= len(data)
        return data


class _Decompressor(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def needs_input(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


def _decompressor(method: int, compressed: _Budget, limit: int) -> _Decompressor:
    if method == zipfile.ZIP_BZIP2:
        import bz2

        return bz2.BZ2Decompressor()
    import lzma

    # Zip's LZMA: 2 version bytes, the properties' length, then the 5-byte LZMA1 properties.
    head = compressed.take(4)
    if len(head) != 4:
        raise MemberError("truncated LZMA header")
    props = compressed.take(struct.unpack("<H", head[2:4])[0])
    if len(props) != 5 or props[0] >= 9 * 5 * 5:
        raise MemberError("unsupported LZMA properties")
    lc, lp, pb = props[0] % 9, props[0] // 9 % 5, props[0] // 45
    # The dictionary is allocated at the declared size (up to 4 GiB, attacker's choice); a
    # match can only reach back as far as the output decoded so far, so a dictionary as
    # large as the cap decodes the first ``limit`` bytes the same way.
    declared = struct.unpack("<L", props[1:5])[0]
    dict_size = max(4096, min(declared, limit))
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[
        {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}])
