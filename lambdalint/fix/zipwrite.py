"""Rewrite a zip archive entry by entry: the zip half of ``lambdalint check --fix``.

A fix to a deployment zip moves entries (a layer's packages into ``python/``), changes their
permission bits, drops some, or replaces the content of a few. Extracting the archive and
zipping it again would recompress every member (seconds for a big layer), lose what the
archiver recorded (timestamps, extra fields, ownership) and make the result depend on the
zlib and the clock of the machine that ran the fix. Instead the archive is copied record by
record:

- an entry whose content is unchanged keeps its compressed bytes, copied raw in bounded
  chunks (never decompressed, never held whole in memory), with its CRC, sizes, method,
  flags, DOS timestamp, extra fields, comment and data descriptor; only its name, offset
  and (when asked) Unix mode change;
- an entry given new content is deflated afresh, with the source's timestamp and extras;
- nothing depends on the clock or the order of a directory listing, so the same inputs give
  byte-identical output, and an identity rewrite of an archive Python's zipfile wrote is
  the very same bytes.

Only a plain archive is rewritten: one with nothing before its first entry, on one disk,
unencrypted, whose local headers agree with the central directory and whose entries neither
overlap nor run into the directory. Anything else (a self-extractor, an encrypted or crafted
archive) is left alone with a one-line reason (``NotPlainZip``, ``plain_zip_problem``),
because a faithful copy of it could not be promised.

The central directory is parsed here, with every field of each record: the reader in
``lambdalint.model.archive`` keeps only what rules need. Its own checks run first, so an
archive it cannot read is refused with the same message the check reported.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from lambdalint.model.archive import (
    _TAIL,
    DEFAULT_MAX_ENTRIES,
    ArchiveError,
    _check_overlaps,
    _decoded_name,
    _end_record_position,
    _read_central_directory,
)
from lambdalint.records import record

# Records of APPNOTE 4.3, with every field.
_LOCAL = struct.Struct("<4sHHHHHLLLHH")  # 4.3.7
_CENTRAL = struct.Struct("<4sHHHHHHLLLHHHHHLL")  # 4.3.12
_END = struct.Struct("<4sHHHHLLH")  # 4.3.16
_END64 = struct.Struct("<4sQHHLLQQQQ")  # 4.3.14, without its extensible data
_LOCATOR = struct.Struct("<4sLQL")  # 4.3.15
_EXTRA_HEADER = struct.Struct("<HH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_END_SIGNATURE = b"PK\x05\x06"
_END64_SIGNATURE = b"PK\x06\x06"
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
# The size of a ZIP64 end record counts the bytes after its first 12.
_END64_RECORD_SIZE = _END64.size - 12

_U16 = 0xFFFF
_U32 = 0xFFFFFFFF
_ZIP64_EXTRA = 0x0001
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP's copy of the name: stale once the name changes

_ENCRYPTED = 0x0001
_DESCRIPTOR = 0x0008
_STRONG_ENCRYPTION = 0x0040
_UTF8_NAME = 0x0800
_MASKED_HEADERS = 0x2000  # central directory encryption: local headers hold no real values
_AES = 99

_DEFLATED = 8
_DEFLATE_VERSION = 20
_ZIP64_VERSION = 45
_UNIX = 3
_MS_DOS_DIRECTORY = 0x10
_DEFLATE_LEVEL = 6
# Bytes per read when copying compressed data: memory stays bounded whatever the member.
_COPY_CHUNK = 1024 * 1024
# Longest name shown in a message.
_SHOWN_NAME = 120


class NotPlainZip(Exception):
    """The archive is not a plain regular zip; the message (one line) says why it is left alone."""


@record(frozen=True)
class Output:
    """One entry of the new archive, made from an entry of the source."""

    source: int  # index of the entry in the source archive, in central-directory order
    name: str  # the entry's name in the new archive (may differ: a move)
    mode: int | None = None  # new Unix permission bits (0o644); None: keep the attributes
    content: bytes | None = None  # new uncompressed content; None: copy the entry as is


class _Entry(NamedTuple):
    """One entry of the source: its central record (ZIP64 values resolved), what its local
    header holds, and where its data and data descriptor are."""

    made_by: int
    needed: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    compressed_size: int
    size: int
    name: bytes
    extra: bytes
    comment: bytes
    internal: int
    external: int
    offset: int
    # The local header's own extra field, CRC and sizes: with a data descriptor a writer
    # may leave the latter zero, and the copy keeps them as streaming readers saw them.
    local_extra: bytes = b""
    local_crc: int = 0
    local_compressed_size: int = 0
    local_size: int = 0
    data_start: int = 0
    descriptor: bytes = b""  # the data descriptor's bytes, as they are in the source


class _Archive(NamedTuple):
    entries: list[_Entry]
    comment: bytes


class _Planned(NamedTuple):
    """An output entry ready to write: its headers are built before the target exists."""

    local: bytes  # local header, name and extra field
    data: bytes | None  # new compressed content; None: copy the source entry's bytes
    entry: _Entry
    central: bytes  # central directory record, name, extra field and comment


def plain_zip_problem(path: Path) -> str | None:
    """Why the archive at path must not be rewritten (None: it may be)."""
    try:
        with _open_source(path) as handle:
            _read_archive(handle)
    except NotPlainZip as exc:
        return str(exc)
    return None


def rewrite(source: Path, target: Path, outputs: Sequence[Output]) -> None:
    """Write a new archive at target holding, in the order given, each output entry.

    Raises NotPlainZip (before writing anything) when plain_zip_problem says so, or when
    outputs are inconsistent (index out of range, two outputs with the same name, an empty
    name…). target must not exist (it is created exclusively, so it cannot be source); if
    writing fails midway, the partial target is removed.
    """
    with _open_source(source) as handle:
        archive = _read_archive(handle)
        plan = _plan(archive, outputs)
        created = False
        try:
            with open(target, "xb") as out:  # "x": never over an existing file
                created = True
                _write(handle, out, plan, archive.comment)
        except BaseException:
            if created:  # this call made the file: nothing of the user's is removed
                target.unlink(missing_ok=True)
            raise


# ---- reading the source --------------------------------------------------------------------


def _open_source(path: Path) -> BinaryIO:
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer; fstat then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise NotPlainZip(_unreadable(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotPlainZip("not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _unreadable(exc: OSError) -> str:
    return f"cannot read zip archive ({exc.strerror or type(exc).__name__})"


def _read_archive(handle: BinaryIO) -> _Archive:
    """Every entry of a plain archive, with its local header's data; NotPlainZip otherwise."""
    try:
        file_size = os.fstat(handle.fileno()).st_size
        try:
            # The checker's reader first: what it cannot read is refused with its message.
            members, nul_names = _read_central_directory(handle, file_size,
                                                         DEFAULT_MAX_ENTRIES)
            _check_overlaps(members, file_size)
        except ArchiveError as exc:
            raise NotPlainZip(str(exc)) from None
        if nul_names:
            # The checker names such an entry up to the NUL; a copy would keep the rest.
            raise NotPlainZip("an entry's name holds a NUL byte")
        directory_start, directory_size, declared, comment = _end_records(handle, file_size)
        handle.seek(directory_start)
        entries = _central_records(_read_exactly(handle, directory_size), declared)
        return _Archive(_with_local_headers(handle, entries, directory_start), comment)
    except ArchiveError as exc:
        raise NotPlainZip(str(exc)) from None
    except OSError as exc:
        raise NotPlainZip(_unreadable(exc)) from None


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise NotPlainZip("the archive is truncated")
    return data


def _end_records(handle: BinaryIO, file_size: int) -> tuple[int, int, int, bytes]:
    """(where the central directory starts, its size, its declared entry count, the archive
    comment), from the end record and the ZIP64 one."""
    tail_size = min(file_size, _TAIL)
    tail_start = file_size - tail_size
    handle.seek(tail_start)
    tail = _read_exactly(handle, tail_size)
    at = _end_record_position(tail)
    (_, disk, directory_disk, disk_entries, entries, size, offset,
     comment_length) = _END.unpack_from(tail, at)
    if at + _END.size + comment_length != len(tail):
        # Those bytes would be lost by a rewrite; whatever they are, the archive is not plain.
        raise NotPlainZip("data after the end of the archive")
    if disk or directory_disk or disk_entries != entries:
        raise NotPlainZip("spanned across several disks")
    directory_end = tail_start + at
    locator = at - _LOCATOR.size
    if locator >= 0 and tail[locator:locator + 4] == _LOCATOR_SIGNATURE:
        _, record_disk, record_offset, disks = _LOCATOR.unpack_from(tail, locator)
        if record_disk or disks > 1:
            raise NotPlainZip("spanned across several disks")
        # Where zipfile and Info-ZIP read it: right before its locator.
        at64 = locator - _END64.size
        if at64 < 0 or tail[at64:at64 + 4] != _END64_SIGNATURE:
            raise NotPlainZip("no ZIP64 end record before its locator")
        (_, record_size, _, _, disk, directory_disk, disk_entries64, entries64, size64,
         offset64) = _END64.unpack_from(tail, at64)
        if record_size != _END64_RECORD_SIZE:
            raise NotPlainZip("a ZIP64 end record with extensible data")
        if disk or directory_disk or disk_entries64 != entries64:
            raise NotPlainZip("spanned across several disks")
        # A 32-bit field is saturated when its value needs the ZIP64 record, else the same.
        for narrow, wide, saturated in ((entries, entries64, _U16), (size, size64, _U32),
                                        (offset, offset64, _U32)):
            if narrow not in (saturated, wide):
                raise NotPlainZip("the end record and the ZIP64 end record disagree")
        entries, size, offset = entries64, size64, offset64
        directory_end = tail_start + at64
        _check_position(record_offset, directory_end)
    directory_start = directory_end - size
    if directory_start < 0:
        raise NotPlainZip("bad offset for central directory")
    _check_position(offset, directory_start)
    return directory_start, size, entries, tail[at + _END.size:]


def _check_position(stated: int, actual: int) -> None:
    """A record is where the archive says; bytes before the archive shift it forward."""
    if stated < actual:
        raise NotPlainZip("data before the first entry (a self-extracting stub?)")
    if stated != actual:
        raise NotPlainZip("the end record does not point at the central directory")


def _central_records(directory: bytes, declared: int) -> list[_Entry]:
    entries: list[_Entry] = []
    position = 0
    while position < len(directory):
        if len(directory) - position < _CENTRAL.size:
            raise NotPlainZip("truncated central directory")
        (signature, made_by, needed, flags, method, time, date, crc, compressed_size, size,
         name_length, extra_length, comment_length, disk, internal, external,
         offset) = _CENTRAL.unpack_from(directory, position)
        if signature != _CENTRAL_SIGNATURE:
            raise NotPlainZip("bad central directory record")
        name_start = position + _CENTRAL.size
        extra_start = name_start + name_length
        comment_start = extra_start + extra_length
        position = comment_start + comment_length
        if position > len(directory):
            raise NotPlainZip("truncated central directory")
        name = directory[name_start:extra_start]
        extra = directory[extra_start:comment_start]
        if flags & (_ENCRYPTED | _STRONG_ENCRYPTION | _MASKED_HEADERS) or method == _AES:
            raise NotPlainZip(f"encrypted entry {_shown(name)}")
        size, compressed_size, offset, disk = _zip64_values(
            extra, (size, compressed_size, offset, disk), name)
        if disk:
            raise NotPlainZip("spanned across several disks")
        entries.append(_Entry(made_by, needed, flags, method, time, date, crc,
                              compressed_size, size, name, extra,
                              directory[comment_start:position], internal, external, offset))
    if len(entries) != declared:
        raise NotPlainZip(f"the central directory holds {len(entries)} entries, its end "
                          f"record says {declared}")
    return entries


def _with_local_headers(handle: BinaryIO, entries: list[_Entry],
                        directory_start: int) -> list[_Entry]:
    """The entries with what their local headers and data descriptors hold, once each is
    checked against its central record and known to end before the next one begins."""
    order = sorted(range(len(entries)), key=lambda index: entries[index].offset)
    if (entries[order[0]].offset if entries else directory_start) != 0:
        raise NotPlainZip("data before the first entry (a self-extracting stub?)")
    completed = list(entries)
    for rank, index in enumerate(order):
        entry = entries[index]
        following = order[rank + 1] if rank + 1 < len(order) else None
        limit = entries[following].offset if following is not None else directory_start
        completed[index] = entry = _local_header(handle, entry, directory_start)
        end = entry.data_start + entry.compressed_size + len(entry.descriptor)
        if end > limit:
            if following is None:
                raise NotPlainZip(f"entry {_shown(entry.name)} runs into the central "
                                  "directory")
            raise NotPlainZip(f"entries {_shown(entry.name)} and "
                              f"{_shown(entries[following].name)} overlap")
    return completed


def _local_header(handle: BinaryIO, entry: _Entry, directory_start: int) -> _Entry:
    if entry.offset + _LOCAL.size > directory_start:
        raise NotPlainZip(f"entry {_shown(entry.name)} runs into the central directory")
    handle.seek(entry.offset)
    (signature, _, flags, method, _, _, crc, compressed_size, size, name_length,
     extra_length) = _LOCAL.unpack(_read_exactly(handle, _LOCAL.size))
    if signature != _LOCAL_SIGNATURE:
        raise NotPlainZip(f"no local header for entry {_shown(entry.name)}")
    data_start = entry.offset + _LOCAL.size + name_length + extra_length
    if data_start > directory_start:
        raise NotPlainZip(f"entry {_shown(entry.name)} runs into the central directory")
    variable = _read_exactly(handle, name_length + extra_length)
    name, extra = variable[:name_length], variable[name_length:]
    # Extractors that trust local headers would create another file than the one listed,
    # or decode it another way: the copy must not change what either kind of reader sees.
    if name != entry.name:
        raise NotPlainZip(f"the local header of {_shown(entry.name)} names another file")
    if flags & (_ENCRYPTED | _STRONG_ENCRYPTION):
        raise NotPlainZip(f"encrypted entry {_shown(entry.name)}")
    if method != entry.method:
        raise NotPlainZip(f"the local header of {_shown(entry.name)} has another "
                          "compression method")
    size, compressed_size = _zip64_values(extra, (size, compressed_size), name)
    descriptor = b""
    if entry.flags & _DESCRIPTOR:
        handle.seek(data_start + entry.compressed_size)
        # At most 24 bytes (signature, CRC, 64-bit sizes), never past the directory.
        room = max(0, min(24, directory_start - data_start - entry.compressed_size))
        found = _descriptor(handle.read(room), entry,
                            wide_first=_find_extra(extra, _ZIP64_EXTRA) is not None)
        if found is None:
            raise NotPlainZip(f"the data descriptor of {_shown(entry.name)} does not match "
                              "its central record")
        descriptor = found
    return entry._replace(local_extra=extra, local_crc=crc,
                          local_compressed_size=compressed_size, local_size=size,
                          data_start=data_start, descriptor=descriptor)


def _descriptor(raw: bytes, entry: _Entry, *, wide_first: bool) -> bytes | None:
    """The data descriptor at the start of ``raw``: with or without its optional signature,
    with 32- or 64-bit sizes (64 when the local header has a ZIP64 field, APPNOTE 4.3.9),
    recognised by holding the central record's CRC and sizes."""
    expected = (entry.crc, entry.compressed_size, entry.size)
    widths = ("<LQQ", "<LLL") if wide_first else ("<LLL", "<LQQ")
    for start in (4, 0):
        if start and raw[:4] != _DESCRIPTOR_SIGNATURE:
            continue
        for layout in widths:
            end = start + struct.calcsize(layout)
            if end <= len(raw) and struct.unpack_from(layout, raw, start) == expected:
                return raw[:end]
    return None


def _zip64_values(extra: bytes, values: tuple[int, ...], name: bytes) -> tuple[int, ...]:
    """The values with those saturated replaced from the ZIP64 extra field (APPNOTE 4.5.3:
    in the order size, compressed size, offset, disk, and only those saturated)."""
    saturated = (_U32, _U32, _U32, _U16)
    if all(value != saturated[index] for index, value in enumerate(values)):
        return values
    data = _find_extra(extra, _ZIP64_EXTRA)
    if data is None:
        raise NotPlainZip(f"entry {_shown(name)} lacks its ZIP64 extra field")
    resolved = list(values)
    taken = 0
    for index, value in enumerate(values):
        if value == saturated[index]:
            width = 4 if index == 3 else 8
            if taken + width > len(data):
                raise NotPlainZip(f"entry {_shown(name)} lacks its ZIP64 values")
            resolved[index] = int.from_bytes(data[taken:taken + width], "little")
            taken += width
    return tuple(resolved)


def _extra_blocks(extra: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The (kind, data) fields of an extra field, and any bytes after the last whole one
    (padding some writers leave: kept as they are)."""
    blocks: list[tuple[int, bytes]] = []
    position = 0
    while position + _EXTRA_HEADER.size <= len(extra):
        kind, length = _EXTRA_HEADER.unpack_from(extra, position)
        end = position + _EXTRA_HEADER.size + length
        if end > len(extra):
            break
        blocks.append((kind, extra[position + _EXTRA_HEADER.size:end]))
        position = end
    return blocks, extra[position:]


def _find_extra(extra: bytes, wanted: int) -> bytes | None:
    for kind, data in _extra_blocks(extra)[0]:
        if kind == wanted:
            return data
    return None


def _shown(name: bytes) -> str:
    text = _decoded_name(name)
    return repr(text if len(text) <= _SHOWN_NAME else text[:_SHOWN_NAME] + "…")


# ---- planning the output ---------------------------------------------------------------------


def _plan(archive: _Archive, outputs: Sequence[Output]) -> list[_Planned]:
    """Every output's headers, and the new content compressed: everything that can fail
    fails here, before the target is created."""
    seen: set[str] = set()
    planned: list[_Planned] = []
    offset = 0
    for output in outputs:
        entry = _checked(archive, output, seen)
        if output.content is None:
            item = _copied(entry, output, offset)
            data_size = entry.compressed_size + len(entry.descriptor)
        else:
            item = _replaced(entry, output, output.content, offset)
            data_size = len(item.data or b"")
        planned.append(item)
        offset += len(item.local) + data_size
    return planned


def _checked(archive: _Archive, output: Output, seen: set[str]) -> _Entry:
    name = output.name
    if not name:
        raise NotPlainZip("an output has an empty name")
    if not 0 <= output.source < len(archive.entries):
        raise NotPlainZip(f"output {name!r} comes from entry {output.source}, but the "
                          f"archive has {len(archive.entries)}")
    # Entries the source already holds twice under one name keep it (a fix must not fail
    # for them); a name given to two outputs by a move is a mistake.
    kept = _decoded_name(archive.entries[output.source].name) == name
    if name in seen and not kept:
        raise NotPlainZip(f"two outputs named {name!r}")
    seen.add(name)
    if "\x00" in name:
        raise NotPlainZip(f"output {name!r} has a NUL byte in its name")
    if output.mode is not None and not 0 <= output.mode <= 0o7777:
        raise NotPlainZip(f"output {name!r}: mode {output.mode:#o} is not permission bits")
    if output.content is not None and name.endswith("/"):
        raise NotPlainZip(f"output {name!r} is a directory given content")
    return archive.entries[output.source]


def _copied(entry: _Entry, output: Output, offset: int) -> _Planned:
    name, flags, renamed = _name(output.name, entry, entry.flags)
    values = (entry.crc, entry.compressed_size, entry.size)
    # With a data descriptor, streaming readers take the CRC and sizes from it: the local
    # header keeps them as the writer left them (often zero).
    local_values = (entry.local_crc, entry.local_compressed_size, entry.local_size) \
        if entry.flags & _DESCRIPTOR else values
    # A local ZIP64 field stays when the source had one: it also says the data descriptor
    # has 64-bit sizes (APPNOTE 4.3.9.2), and that is what the copied descriptor holds.
    local_zip64 = _find_extra(entry.local_extra, _ZIP64_EXTRA) is not None \
        or max(local_values[1:]) >= _U32
    return _records(entry, output, name=name, flags=flags, method=entry.method,
                    needed=entry.needed, values=values, local_values=local_values,
                    local_zip64=local_zip64,
                    dropped={_UNICODE_PATH_EXTRA} if renamed else set(), offset=offset,
                    data=None)


def _replaced(entry: _Entry, output: Output, content: bytes, offset: int) -> _Planned:
    name, flags, _ = _name(output.name, entry, 0)
    compressor = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(content) + compressor.flush()
    values = (zlib.crc32(content), len(data), len(content))
    return _records(entry, output, name=name, flags=flags, method=_DEFLATED,
                    needed=_DEFLATE_VERSION, values=values, local_values=values,
                    local_zip64=max(values[1:]) >= _U32, dropped={_UNICODE_PATH_EXTRA},
                    offset=offset, data=data)


def _records(entry: _Entry, output: Output, *, name: bytes, flags: int, method: int,
             needed: int, values: tuple[int, int, int], local_values: tuple[int, int, int],
             local_zip64: bool, dropped: set[int], offset: int,
             data: bytes | None) -> _Planned:
    """The local header and central record of one output entry: ``values`` (CRC, compressed
    and uncompressed sizes) for the central record, ``local_values`` for the local header,
    the source's extra fields without the ``dropped`` kinds and with ZIP64 fields rebuilt
    for the new sizes and offset."""
    crc, compressed_size, size = values
    local_crc, local_compressed, local_size = local_values
    local_fields: bytes | None = None
    if local_zip64:  # APPNOTE 4.5.3: a local ZIP64 field holds both sizes, and only them
        local_fields = struct.pack("<QQ", local_size, local_compressed)
        local_size = local_compressed = _U32
    # The central ZIP64 field holds, in this order, the values too large for their field.
    central_values: list[int] = []
    narrow: list[int] = []
    for value in (size, compressed_size, offset):
        if value >= _U32:
            central_values.append(value)
        narrow.append(min(value, _U32))
    central_fields = struct.pack(f"<{len(central_values)}Q", *central_values) \
        if central_values else None
    if local_zip64 or central_values:
        needed = max(needed, _ZIP64_VERSION)
    local_extra = _rebuilt_extra(entry.local_extra, dropped, local_fields)
    central_extra = _rebuilt_extra(entry.extra, dropped, central_fields)
    made_by, external = _attributes(entry, output)
    for label, length in (("name", len(name)), ("extra field", len(local_extra)),
                          ("extra field", len(central_extra))):
        if length > _U16:
            raise NotPlainZip(f"output {output.name[:_SHOWN_NAME]!r}: {label} too long")
    local = _LOCAL.pack(_LOCAL_SIGNATURE, needed, flags, method, entry.time, entry.date,
                        local_crc, local_compressed, local_size, len(name),
                        len(local_extra)) + name + local_extra
    central = _CENTRAL.pack(_CENTRAL_SIGNATURE, made_by, needed, flags, method, entry.time,
                            entry.date, crc, narrow[1], narrow[0], len(name),
                            len(central_extra), len(entry.comment), 0, entry.internal,
                            external, narrow[2]) + name + central_extra + entry.comment
    return _Planned(local, data, entry, central)


def _name(name: str, entry: _Entry, flags: int) -> tuple[bytes, int, bool]:
    """(the name's bytes, the flags with the UTF-8 bit right, whether the name changed)."""
    if name == _decoded_name(entry.name):
        # Unchanged: the bytes as they were, even in a legacy code page.
        raw, renamed = entry.name, False
    else:
        try:
            raw, renamed = name.encode("utf-8"), True
        except UnicodeEncodeError:
            raise NotPlainZip(f"output {name!r} is not valid Unicode") from None
    if not raw.isascii() and _is_utf8(raw):
        flags |= _UTF8_NAME
    return raw, flags, renamed


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _attributes(entry: _Entry, output: Output) -> tuple[int, int]:
    """(version made by, external attributes) with the output's mode, if it has one."""
    if output.mode is None:
        return entry.made_by, entry.external
    # Unix archivers keep st_mode in the high 16 bits; other hosts' bits there mean nothing.
    old = entry.external >> 16 if entry.made_by >> 8 == _UNIX else 0
    kind = stat.S_IFMT(old)
    is_directory = output.name.endswith("/")
    if kind not in (stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK):
        kind = stat.S_IFDIR if is_directory else stat.S_IFREG
    low = entry.external & _U16
    if kind == stat.S_IFDIR or is_directory:
        low |= _MS_DOS_DIRECTORY
    else:
        low &= ~_MS_DOS_DIRECTORY
    return _UNIX << 8 | entry.made_by & 0xFF, (kind | output.mode) << 16 | low


def _rebuilt_extra(extra: bytes, dropped: set[int], zip64: bytes | None) -> bytes:
    """The extra field without the dropped kinds, its ZIP64 field replaced by ``zip64`` (in
    place, or first if it had none) or removed: the old one may hold stale offsets."""
    blocks, rest = _extra_blocks(extra)
    parts: list[bytes] = []
    placed = zip64 is None
    for kind, data in blocks:
        if kind == _ZIP64_EXTRA:
            if zip64 is not None and not placed:
                parts.append(_EXTRA_HEADER.pack(_ZIP64_EXTRA, len(zip64)) + zip64)
                placed = True
        elif kind not in dropped:
            parts.append(_EXTRA_HEADER.pack(kind, len(data)) + data)
    if zip64 is not None and not placed:
        parts.insert(0, _EXTRA_HEADER.pack(_ZIP64_EXTRA, len(zip64)) + zip64)
    return b"".join(parts) + rest


# ---- writing ---------------------------------------------------------------------------------


def _write(handle: BinaryIO, out: BinaryIO, plan: list[_Planned], comment: bytes) -> None:
    for item in plan:
        out.write(item.local)
        if item.data is not None:
            out.write(item.data)
        else:
            _copy(handle, out, item.entry.data_start, item.entry.compressed_size)
            out.write(item.entry.descriptor)
    directory_start = out.tell()
    for item in plan:
        out.write(item.central)
    directory_size = out.tell() - directory_start
    count = len(plan)
    if count >= _U16 or directory_size >= _U32 or directory_start >= _U32:
        end64 = out.tell()
        out.write(_END64.pack(_END64_SIGNATURE, _END64_RECORD_SIZE, _ZIP64_VERSION,
                              _ZIP64_VERSION, 0, 0, count, count, directory_size,
                              directory_start))
        out.write(_LOCATOR.pack(_LOCATOR_SIGNATURE, 0, end64, 1))
    # Saturated 32-bit fields send readers to the ZIP64 record (APPNOTE 4.4.1.4).
    out.write(_END.pack(_END_SIGNATURE, 0, 0, min(count, _U16), min(count, _U16),
                        min(directory_size, _U32), min(directory_start, _U32), len(comment)))
    out.write(comment)


def _copy(handle: BinaryIO, out: BinaryIO, start: int, size: int) -> None:
    """Copy ``size`` bytes from ``start``, a chunk at a time."""
    handle.seek(start)
    left = size
    while left > 0:
        chunk = handle.read(min(left, _COPY_CHUNK))
        if not chunk:
            raise NotPlainZip("the archive was truncated while it was rewritten")
        out.write(chunk)
        left -= len(chunk)
