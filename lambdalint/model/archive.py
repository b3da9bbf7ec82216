"""The file trees lambdalint reads: zip archives (never extracted) and source folders.

A zip's central directory is read once into ``Member`` records (names, sizes, CRC, Unix mode,
flags). Member bytes are decompressed only when a rule asks, and never past a cap. Everything
that can go wrong with an untrusted archive becomes an ``ArchiveError`` (the whole input is
unreadable: LL001) or an entry in ``Tree.anomalies`` (one bad entry: LL105), never a traceback.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, NoReturn, Protocol

from lambdalint import files
from lambdalint.records import record

if TYPE_CHECKING:
    import lzma

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
# The end of the file that holds the end record, whatever its comment, and the ZIP64 records.
_TAIL = _EOCD_SIZE + _MAX_COMMENT + _EOCD64_LOCATOR_SIZE + _EOCD64_SIZE
_ZIP64_SATURATED = 0xFFFFFFFF
# Bytes per entry a central directory may average before it is refused unread: 46 fixed
# bytes and names of ~270 characters; real layers average ~120.
_MAX_RECORD_AVERAGE = 320
_MULTI_DISK = "not a readable zip archive (split across several disks)"
_CHUNK = 64 * 1024
# Decompressed bytes per step: what one step may hold however much the input expands.
_OUT_CHUNK = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# What a member may be compressed with for lambdalint to read it. Anything else (deflate64,
# zstd, AES…) is refused the same way on every Python version, so reports do not depend on
# which codecs the interpreter happens to have.
_STORED, _DEFLATED, _BZIP2, _LZMA = 0, 8, 12, 14
_READABLE_METHODS = {_STORED: "stored", _DEFLATED: "deflate", _BZIP2: "bzip2", _LZMA: "lzma"}
_METHOD_NAMES = {9: "deflate64", 93: "zstd", 95: "xz", 96: "jpeg", 97: "wavpack", 98: "ppmd",
                 99: "AES encryption"}

# Corrupt member data, whatever the codec (bz2 raises OSError; lzma's own error is turned
# into MemberError where it is raised): the archive's fault, never a traceback.
_DATA_ERRORS = (OSError, ValueError, EOFError, OverflowError, struct.error, zlib.error,
                MemoryError)


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
    method: int = 0  # compression method


@record(frozen=True)
class Anomaly:
    """An entry Lambda's extraction would mishandle or that is unsafe to trust (LL105)."""

    member: str
    problem: str
    duplicate: bool = False  # several entries have this name


class Tree:
    """Common interface of a zip archive and a source folder."""

    path: Path
    members: list[Member]
    anomalies: list[Anomaly]
    file_size: int
    format: str
    # A prefix every member name gets (a folder read as a layer's python/), and which files
    # the package leaves out: then member names are not the input's own.
    mount: str = ""
    include: Callable[[str], bool] | None = None

    def __init__(self) -> None:
        self._by_name: dict[str, Member] | None = None
        self._unzipped_size: int | None = None

    @property
    def by_name(self) -> dict[str, Member]:
        if self._by_name is None:
            self._by_name = {m.name: m for m in self.members}
        return self._by_name

    def files(self) -> Iterator[Member]:
        return (m for m in self.members if not m.is_dir)

    @property
    def unzipped_size(self) -> int:
        if self._unzipped_size is None:  # asked per function, of layers many functions share
            self._unzipped_size = sum(m.size for m in self.members if not m.is_dir)
        return self._unzipped_size

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
    """A zip archive read from its own central directory, never extracted.

    zipfile is not used: opening a ``ZipFile`` builds a ``ZipInfo`` object per entry (about
    five times the cost of the record kept here) and gives each Python version its own idea
    of which malformed archives are readable. Reading the end record and the central
    directory with one read each, and member data straight from its local header, makes the
    cost that of the bytes read and the verdict on a hostile archive the same everywhere.
    """

    format = "zip"

    def __init__(self, path: Path, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 mount: str = "", include: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.path = path
        # A prefix every member name gets: a layer built from this folder puts it in python/.
        self.mount = mount
        # Files the package leaves out (the Serverless Framework's patterns) are not members.
        self.include = include
        try:
            with open(files.source(path), "rb") as handle:
                self.file_size = os.fstat(handle.fileno()).st_size
                members, nul_names = _read_central_directory(handle, self.file_size,
                                                              max_entries)
        except OSError as exc:
            raise ArchiveError(f"cannot read zip archive ({_reason(exc)})") from None
        self.members = members
        self.anomalies = list(_zip_anomalies(members, nul_names))
        _check_overlaps(members, self.file_size)

    def read(self, member: Member, limit: int, offset: int = 0) -> bytes:
        if member.encrypted:
            raise MemberError("entry is encrypted")
        if member.method not in _READABLE_METHODS:
            label = _METHOD_NAMES.get(member.method, "unknown")
            raise MemberError(f"compression method {member.method} ({label}) is not supported")
        try:
            with open(files.source(self.path), "rb") as handle:
                _seek_to_data(handle, member)
                return _inflated(handle, member, max(0, offset), max(0, limit))
        except MemberError:
            raise
        except _DATA_ERRORS as exc:
            raise MemberError(_reason(exc)) from None


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
        fd = os.open(files.source(path), flags)
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


def _zip_anomalies(members: list[Member], nul_names: dict[int, str]) -> Iterator[Anomaly]:
    copies = Counter(m.name for m in members)
    duplicated = {name: count for name, count in copies.items() if count > 1}
    for index, m in enumerate(members):
        name = m.name
        if name in duplicated:
            count = duplicated.pop(name)  # reported once, at its first entry
            yield Anomaly(name, f"duplicate entry name ({count} entries): which copy "
                                "Lambda extracts is undefined", duplicate=True)
        if name[:1] in ("/", "\\") or name[1:2] == ":":
            yield Anomaly(name, "absolute path: extraction would write outside the package")
        elif ".." in name and ".." in name.replace("\\", "/").split("/"):
            yield Anomaly(name, "'..' in the path: extraction would write outside the package")
        if index in nul_names:
            yield Anomaly(name, f"NUL byte in the entry name {nul_names[index]!r}: extractors "
                                "disagree on where the name ends")
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


# ---- the central directory ----------------------------------------------------------------

# The fixed part of a central directory record (APPNOTE 4.3.12).
# Only the fields read are unpacked ("x" skips a byte): signature, creating system, flags,
# method, CRC, compressed and uncompressed sizes, name/extra/comment lengths, external
# attributes and the local header's offset.
_CENTRAL = struct.Struct("<4sxB2xHH4xLLLHHH4xLL")
_S_IFMT, _S_IFDIR, _S_IFLNK = 0o170000, stat.S_IFDIR, stat.S_IFLNK
_LOCAL = struct.Struct("<4sHHHHHLLLHH")
_ZIP64_EXTRA = 0x0001


def _read_central_directory(handle: BinaryIO, file_size: int,
                            max_entries: int) -> tuple[list[Member], dict[int, str]]:
    """Every entry of the archive, and the full names of those cut at a NUL byte (by index).

    The end of the file is read once to find the end record (and the ZIP64 one); the
    central directory is read once more, unless it already came with the end of the file.
    """
    tail_size = min(file_size, _TAIL)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    at, entries, size = _end_record(tail)
    tail_start = file_size - tail_size
    # The directory ends where its end record begins. Where the end record says it starts
    # is not trusted: the difference is data prepended to the archive (a self-extractor's
    # stub), and member offsets move by the same amount, as every extractor reads them.
    end_record = tail_start + at
    directory_end = end_record - (_EOCD64_SIZE + _EOCD64_LOCATOR_SIZE if entries.zip64 else 0)
    start = directory_end - size
    if start < 0:
        raise ArchiveError("not a readable zip archive (bad offset for central directory)")
    if entries.declared > max_entries:
        raise ArchiveError(_too_many(entries.declared, max_entries, "declares"))
    # Records are at least 46 bytes and real names short: a directory this large cannot be
    # an archive of max_entries real files, and reading it would cost its size in memory.
    if size > max_entries * _MAX_RECORD_AVERAGE:
        raise ArchiveError(f"the central directory is {size} bytes, over the limit for "
                           f"{max_entries} entries (zip bomb guard; raise max-entries in "
                           "config if this is real)")
    if start >= tail_start:
        directory = tail[start - tail_start:directory_end - tail_start]
    else:
        handle.seek(start)
        directory = handle.read(size)
    return _parse_records(directory, start - entries.offset, max_entries)


class _Entries(NamedTuple):
    declared: int
    offset: int  # where the end record says the directory starts
    zip64: bool


def _end_record(tail: bytes) -> tuple[int, _Entries, int]:
    """(position of the end record in ``tail``, its entry count and offset, directory size)."""
    at = _end_record_position(tail)
    disk, directory_disk, _, count, size, offset = struct.unpack_from("<HHHHLL", tail, at + 4)
    if disk or directory_disk:
        raise ArchiveError(_MULTI_DISK)
    locator = at - _EOCD64_LOCATOR_SIZE
    if locator < 0 or tail[locator:locator + 4] != _EOCD64_LOCATOR:
        return at, _Entries(count, offset, zip64=False), size
    locator_disk, _, disks = struct.unpack_from("<LQL", tail, locator + 4)
    if locator_disk or disks > 1:
        raise ArchiveError(_MULTI_DISK)
    # The ZIP64 record is read where it must be, right before its locator (as zipfile and
    # Info-ZIP read it); the locator's own offset is not followed.
    record = locator - _EOCD64_SIZE
    if record < 0 or tail[record:record + 4] != _EOCD64:
        return at, _Entries(count, offset, zip64=False), size
    count64, size64, offset64 = struct.unpack_from("<QQQ", tail, record + 32)
    return at, _Entries(count64, offset64, zip64=True), size64


def _end_record_position(tail: bytes) -> int:
    """Where the end record is: the last signature whose comment ends the file exactly.

    An archive comment may itself contain the signature; a candidate whose stated comment
    would run past the end of the file is not the record (as Go's archive/zip decides).
    """
    fallback = -1
    end = len(tail) - _EOCD_SIZE + 4
    while end > 0:
        at = tail.rfind(_EOCD, 0, end)
        if at < 0:
            break
        comment = struct.unpack_from("<H", tail, at + 20)[0]
        if at + _EOCD_SIZE + comment == len(tail):
            return at
        if fallback < 0 and at + _EOCD_SIZE + comment < len(tail):
            fallback = at  # trailing bytes after the comment: still the archive's record
        end = at + 3
    if fallback < 0:
        raise ArchiveError("not a readable zip archive (no end of central directory "
                           "record: not a zip, or truncated)")
    return fallback


def _parse_records(directory: bytes, prepended: int,
                   max_entries: int) -> tuple[list[Member], dict[int, str]]:
    # The hot loop of a zip-only check (one pass per entry, ~10,000 in a big layer): struct
    # fields are unpacked at once, names decoded inline and the record built positionally.
    members: list[Member] = []
    append = members.append
    nul_names: dict[int, str] = {}
    position, end = 0, len(directory)
    unpack = _CENTRAL.unpack_from
    while position < end:
        if end - position < _CENTRAL_HEADER_SIZE:
            raise ArchiveError("not a readable zip archive (truncated central directory)")
        (signature, system, flags, method, crc, compressed_size, size, name_length,
         extra_length, comment_length, attributes, offset) = unpack(directory, position)
        if signature != _CENTRAL_HEADER:
            raise ArchiveError("not a readable zip archive (bad central directory record)")
        if len(members) == max_entries:
            raise ArchiveError(_too_many(max_entries + 1, max_entries, "holds over"))
        name_start = position + _CENTRAL_HEADER_SIZE
        extra_start = name_start + name_length
        position = extra_start + extra_length + comment_length
        if position > end:
            raise ArchiveError("not a readable zip archive (truncated central directory)")
        raw = directory[name_start:extra_start]
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = _decoded_name(raw)
        if "\x00" in name:
            # An extractor writing C strings creates the name up to the NUL.
            nul_names[len(members)] = name
            name = name.split("\x00", 1)[0]
        if size == _ZIP64_SATURATED or compressed_size == _ZIP64_SATURATED \
                or offset == _ZIP64_SATURATED:
            size, compressed_size, offset = _zip64_fields(
                directory[extra_start:extra_start + extra_length], size, compressed_size,
                offset, name)
        # Unix archivers keep st_mode in the high 16 bits of the external attributes.
        mode = attributes >> 16 if system == 3 else 0
        kind = mode & _S_IFMT
        append(Member(name, size, compressed_size, mode or None,
                      name[-1:] == "/" or kind == _S_IFDIR, kind == _S_IFLNK, bool(flags & 1),
                      crc, flags, offset + prepended, method))
    return members, nul_names


def _decoded_name(raw: bytes) -> str:
    """UTF-8 if the bytes are UTF-8, else cp437, whatever the "name is UTF-8" flag says.

    Archivers on Linux (Info-ZIP among them) store UTF-8 names without setting the flag, and
    extracting on Linux keeps the bytes, so the file on disk has the UTF-8 name; others set
    the flag on names in their local code page, which only cp437 reads without failing.
    """
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437")


def _zip64_fields(extra: bytes, size: int, compressed_size: int, offset: int,
                  name: str) -> tuple[int, int, int]:
    """The 64-bit values of the fields saturated in the record, from its ZIP64 extra field."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        data = extra[position + 4:position + 4 + length]
        position += 4 + length
        if kind != _ZIP64_EXTRA:
            continue
        values = [size, compressed_size, offset]
        taken = 0
        for index, value in enumerate(values):
            if value == _ZIP64_SATURATED:
                if taken + 8 > len(data):
                    break
                values[index] = struct.unpack_from("<Q", data, taken)[0]
                taken += 8
        else:
            return values[0], values[1], values[2]
        break
    raise ArchiveError(f"not a readable zip archive (entry {name!r} lacks its ZIP64 sizes)")


def _too_many(count: int, max_entries: int, verb: str) -> str:
    return (f"the central directory {verb} {count} entries, over the limit of {max_entries} "
            "(zip bomb guard; raise max-entries in config if this is real)")


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


# ---- member data ------------------------------------------------------------------------------


def _seek_to_data(handle: BinaryIO, member: Member) -> None:
    """Position ``handle`` on the member's compressed bytes, past its local header."""
    handle.seek(member.header_offset)
    header = handle.read(_LOCAL_HEADER_SIZE)
    if len(header) != _LOCAL_HEADER_SIZE or header[:4] != _LOCAL_HEADER:
        raise MemberError("bad local file header")
    name_length, extra_length = _LOCAL.unpack(header)[9:]
    name = _decoded_name(handle.read(name_length)).split("\x00", 1)[0]
    if name != member.name:
        # Extractors that trust local headers would create another file than the one listed.
        raise MemberError(f"the local header names another file ({name!r})")
    handle.seek(extra_length, os.SEEK_CUR)


def _inflated(handle: BinaryIO, member: Member, offset: int, limit: int) -> bytes:
    """At most ``limit`` bytes of the member's content from ``offset``, in bounded memory.

    Output is produced in chunks, whatever the codec, so a few kilobytes that expand to
    gigabytes cost at most the cap; the bytes before ``offset`` are decompressed and dropped
    as they come. The CRC is checked when the whole content was read.
    """
    compressed = _Budget(handle, member.compressed_size)
    wanted = offset + limit
    decompressor = _decompressor(member.method, compressed, wanted)
    chunks: list[bytes] = []
    produced = 0
    crc = 0
    while produced < wanted and not decompressor.eof:
        data = compressed.take(_CHUNK) if decompressor.needs_input else b""
        out = decompressor.decompress(data, min(wanted - produced, _OUT_CHUNK))
        if not out:
            if not data:
                break  # neither input nor output: a stream that cannot progress
            continue
        crc = zlib.crc32(out, crc)
        if produced + len(out) > offset:
            chunks.append(out[max(0, offset - produced):])
        produced += len(out)
    complete = decompressor.eof or (compressed.left == 0 and decompressor.needs_input)
    if complete and produced < wanted and crc != member.crc:
        raise MemberError("bad CRC-32")
    return b"".join(chunks)


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


class _Stored:
    """Stored data through the decompressors' interface: the bytes as they are."""

    def __init__(self, compressed: _Budget) -> None:
        self._compressed = compressed
        self._pending = b""

    @property
    def eof(self) -> bool:
        return not self._pending and self._compressed.left == 0

    @property
    def needs_input(self) -> bool:
        return not self._pending

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        data = self._pending + data
        cut = len(data) if max_length < 0 else max_length
        self._pending = data[cut:]
        return data[:cut]


class _Inflate:
    """zlib's raw deflate with the needs_input/eof interface of bz2 and lzma."""

    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)

    @property
    def eof(self) -> bool:
        return self._zlib.eof

    @property
    def needs_input(self) -> bool:
        # Input zlib could not take because the output was full comes back first.
        return not self._zlib.unconsumed_tail

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        return self._zlib.decompress(self._zlib.unconsumed_tail + data, max(0, max_length))


def _decompressor(method: int, compressed: _Budget, limit: int) -> _Decompressor:
    if method == _STORED:
        return _Stored(compressed)
    if method == _DEFLATED:
        return _Inflate()
    if method == _BZIP2:
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
    try:
        return _Lzma(lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[
            {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}]))
    except lzma.LZMAError as exc:
        raise MemberError(_reason(exc)) from None


class _Lzma:
    """An LZMA decompressor whose errors are MemberErrors (lzma is imported only here)."""

    def __init__(self, decompressor: lzma.LZMADecompressor) -> None:
        self._lzma = decompressor

    @property
    def eof(self) -> bool:
        return self._lzma.eof

    @property
    def needs_input(self) -> bool:
        return self._lzma.needs_input

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        import lzma

        try:
            return self._lzma.decompress(data, max_length)
        except lzma.LZMAError as exc:
            raise MemberError(_reason(exc)) from None
