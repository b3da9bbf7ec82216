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
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

# Large enough for any real layer (pandas + numpy + scipy + pyarrow is ~20k entries), small
# enough that a hostile central directory cannot make us build millions of records.
DEFAULT_MAX_ENTRIES = 200_000
# Cap on one member's decompressed bytes when a rule asks for "all of it".
DEFAULT_MAX_MEMBER_BYTES = 16 * 1024 * 1024

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_LOCAL_HEADER_SIZE = 30
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class ArchiveError(Exception):
    """The input as a whole cannot be read; the message is one line for the user."""


class MemberError(Exception):
    """One member's bytes cannot be read (corrupt data, unsupported compression…)."""


@dataclass(frozen=True)
class Member:
    """One entry of a tree, as its central directory (or the file system) describes it."""

    name: str
    size: int
    compressed_size: int
    mode: Optional[int]  # Unix st_mode when the archiver recorded one
    is_dir: bool
    is_symlink: bool
    encrypted: bool = False
    crc: int = 0
    flags: int = 0
    header_offset: int = 0

    @property
    def basename(self) -> str:
        return self.name.rstrip("/").rsplit("/", 1)[-1]


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
        self._by_name: Optional[dict[str, Member]] = None

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

    def read(self, member: Member, limit: int) -> bytes:
        """At most ``limit`` bytes from the start of ``member``; raises MemberError."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the open file, if any."""


class ZipTree(Tree):
    format = "zip"

    def __init__(self, path: Path, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        super().__init__()
        self.path = path
        try:
            self.file_size = path.stat().st_size
            _check_entry_count(path, max_entries)
            self._zip = zipfile.ZipFile(path)
        except ArchiveError:
            raise
        except zipfile.BadZipFile as exc:
            raise ArchiveError(f"not a readable zip archive ({_reason(exc)})") from None
        except (OSError, ValueError, EOFError, struct.error, NotImplementedError) as exc:
            raise ArchiveError(f"cannot read zip archive ({_reason(exc)})") from None
        infos = self._zip.infolist()
        self.members = [_member(info) for info in infos]
        # Duplicate names are legal in a zip; the local header offset is unique once
        # overlapping entries have been rejected, so members are found by it.
        self._infos = {info.header_offset: info for info in infos}
        self.anomalies = list(_zip_anomalies(self.members))
        _check_overlaps(self.members, self.file_size)

    def read(self, member: Member, limit: int) -> bytes:
        if member.encrypted:
            raise MemberError("entry is encrypted")
        info = self._info_for(member)
        try:
            with self._zip.open(info) as stream:
                return stream.read(max(0, limit))
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
                NotImplementedError, RuntimeError, struct.error, LookupError) as exc:
            raise MemberError(_reason(exc)) from None

    def _info_for(self, member: Member) -> zipfile.ZipInfo:
        try:
            return self._infos[member.header_offset]
        except KeyError:
            raise MemberError("entry not found") from None

    def close(self) -> None:
        self._zip.close()


class FolderTree(Tree):
    """A folder of function source, walked without following symlinks."""

    format = "folder"
    # Never part of a deployment built from this folder, and expensive to walk.
    SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox",
                              "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                              ".aws-sam", "cdk.out"})

    def __init__(self, path: Path, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        super().__init__()
        self.path = path
        self.members = []
        self.anomalies = []
        root = str(path)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in self.SKIPPED_DIRS)
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            prefix = "" if rel_dir == "." else rel_dir + "/"
            for name in dirnames + sorted(filenames):
                self.members.append(self._member(os.path.join(dirpath, name), prefix + name))
                if len(self.members) > max_entries:
                    raise ArchiveError(f"more than {max_entries} files in the folder")
        self.file_size = self.unzipped_size
        for member in self.members:
            if member.is_symlink:
                target = os.readlink(path / member.name)
                problem = _link_escape(member.name, target)
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

    def read(self, member: Member, limit: int) -> bytes:
        if member.is_symlink or member.is_dir:
            raise MemberError("not a regular file")
        try:
            with open(self.path / member.name, "rb") as handle:
                return handle.read(max(0, limit))
        except OSError as exc:
            raise MemberError(_reason(exc)) from None


class SingleFileTree(Tree):
    """One Python file given on its own: a function whose code is that module."""

    format = "file"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        st = path.stat()
        self.members = [Member(name=path.name, size=st.st_size, compressed_size=st.st_size,
                               mode=st.st_mode, is_dir=False, is_symlink=False)]
        self.anomalies = []
        self.file_size = st.st_size

    def read(self, member: Member, limit: int) -> bytes:
        try:
            with open(self.path, "rb") as handle:
                return handle.read(max(0, limit))
        except OSError as exc:
            raise MemberError(_reason(exc)) from None


def is_zip_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in ZIP_MAGIC
    except OSError:
        return False


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _member(info: zipfile.ZipInfo) -> Member:
    mode: Optional[int] = None
    if info.create_system == 3:  # Unix: the high 16 bits of external_attr are st_mode
        mode = (info.external_attr >> 16) & 0xFFFF or None
    is_symlink = mode is not None and stat.S_ISLNK(mode)
    is_dir = info.filename.endswith("/") or (mode is not None and stat.S_ISDIR(mode))
    return Member(name=info.filename, size=info.file_size, compressed_size=info.compress_size,
                  mode=mode, is_dir=is_dir, is_symlink=is_symlink,
                  encrypted=bool(info.flag_bits & 0x1), crc=info.CRC, flags=info.flag_bits,
                  header_offset=info.header_offset)


def _zip_anomalies(members: list[Member]) -> Iterator[Anomaly]:
    seen: set[str] = set()
    for m in members:
        name = m.name
        if name in seen:
            yield Anomaly(name, "duplicate entry name: which copy Lambda extracts is undefined")
        seen.add(name)
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            yield Anomaly(name, "absolute path: extraction would write outside the package")
        elif ".." in parts:
            yield Anomaly(name, "'..' in the path: extraction would write outside the package")
        if "\x00" in name:
            yield Anomaly(name, "NUL byte in the entry name")
        if m.encrypted:
            yield Anomaly(name, "encrypted entry: Lambda cannot extract it")


def link_target_anomaly(member: Member, target: str) -> Optional[Anomaly]:
    problem = _link_escape(member.name, target)
    return Anomaly(member.name, problem) if problem else None


def _link_escape(name: str, target: str) -> Optional[str]:
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


def _check_entry_count(path: Path, max_entries: int) -> None:
    """Refuse a central directory that declares absurdly many entries before parsing it."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # let zipfile produce its own precise error
    entries = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if entries == 0xFFFF:  # ZIP64: the real count is in the ZIP64 end record
        loc = tail.rfind(_EOCD64_LOCATOR, 0, at)
        if loc >= 0 and len(tail) - loc >= 20:
            offset = struct.unpack("<Q", tail[loc + 8:loc + 16])[0]
            if offset + 56 <= size:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    record = handle.read(56)
                if record[:4] == b"PK\x06\x06":
                    entries = struct.unpack("<Q", record[32:40])[0]
    if entries > max_entries:
        raise ArchiveError(
            f"the central directory declares {entries} entries, over the limit of "
            f"{max_entries} (zip bomb guard; raise max-entries in config if this is real)")


def _check_overlaps(members: list[Member], file_size: int) -> None:
    """Reject entries whose data overlap: the construction of non-recursive zip bombs."""
    ordered = sorted(members, key=lambda m: m.header_offset)
    for before, after in zip(ordered, ordered[1:]):
        if before.header_offset + _LOCAL_HEADER_SIZE + before.compressed_size > after.header_offset:
            raise ArchiveError(
                f"entries {before.name!r} and {after.name!r} overlap in the file "
                "(zip bomb guard)")
    if ordered:
        last = ordered[-1]
        if last.header_offset + _LOCAL_HEADER_SIZE + last.compressed_size > file_size:
            raise ArchiveError(f"entry {last.name!r} runs past the end of the file (truncated)")
