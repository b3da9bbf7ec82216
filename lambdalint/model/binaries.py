"""What a shared object is, read from its bytes: ELF, Mach-O or PE, and for ELF the class,
byte order, CPU, the glibc symbol versions it needs and whether it wants musl.

Reads are bounded: the 64-byte header always; with ``deep`` also the program headers, the
dynamic segment, the dynamic string table and the version-needs table, each read at its own
offset (``Tree.read`` decompresses and drops what lies before it), each capped.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

from lambdalint.records import record

# Names Python or the dynamic loader will open: extension modules and vendored libraries.
BINARY_NAME = re.compile(r"\.(?:so(?:\.\d+)*|pyd|dylib|dll)$")
MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf",
                b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca"}
ELF_MAGIC = b"\x7fELF"
PT_DYNAMIC, PT_INTERP, PT_LOAD = 2, 3, 1
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ = 0, 1, 5, 10
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
GLIBC_VERSION = re.compile(r"GLIBC_(\d+)\.(\d+)")
# Caps on each structure read: far above any real library, far below harm.
MAX_TABLE = 64 * 1024
MAX_STRINGS = 8 * 1024 * 1024

Reader = Callable[[int, int], bytes]  # (offset, size) -> at most size bytes


@record(frozen=True)
class Binary:
    format: str  # elf | mach-o | pe
    bits: int | None = None
    big_endian: bool = False
    machine: int | None = None
    glibc: tuple[int, int] | None = None  # the newest GLIBC_x.y it needs
    musl: bool = False
    needed: tuple[str, ...] = ()


def identify(read: Reader, *, deep: bool) -> Binary | None:
    head = read(0, 64)
    if head[:4] in MACHO_MAGICS:
        return Binary("mach-o")
    if head[:2] == b"MZ":
        return Binary("pe")
    if head[:4] != ELF_MAGIC or len(head) < 52:
        return None
    bits = {1: 32, 2: 64}.get(head[4])
    big_endian = head[5] == 2
    order = ">" if big_endian else "<"
    machine = struct.unpack_from(order + "H", head, 18)[0]
    if bits is None:
        return Binary("elf", machine=machine, big_endian=big_endian)
    binary = Binary("elf", bits=bits, big_endian=big_endian, machine=machine)
    if not deep:
        return binary
    try:
        return _dynamic(read, binary, head, order)
    except struct.error:  # truncated or inconsistent tables: what the header said stands
        return binary


def _dynamic(read: Reader, binary: Binary, head: bytes, order: str) -> Binary:
    wide = binary.bits == 64
    if wide:
        phoff = struct.unpack_from(order + "Q", head, 32)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", head, 54)
    else:
        phoff = struct.unpack_from(order + "I", head, 28)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", head, 42)
    if not phnum or phentsize < (56 if wide else 32) or phentsize * phnum > MAX_TABLE:
        return binary  # no table, or entries too small to hold a program header
    table = read(phoff, phentsize * phnum)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, size)
    dynamic: tuple[int, int] | None = None
    musl = False
    for index in range(len(table) // phentsize):
        at = index * phentsize
        if wide:
            kind, _, offset, vaddr, _, filesz = struct.unpack_from(order + "IIQQQQ", table, at)
        else:
            kind, offset, vaddr, _, filesz = struct.unpack_from(order + "IIIII", table, at)
        if kind == PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == PT_DYNAMIC:
            dynamic = (offset, filesz)
        elif kind == PT_INTERP:
            musl = b"musl" in read(offset, min(filesz, 256))
    if dynamic is None:
        return Binary(binary.format, binary.bits, binary.big_endian, binary.machine, musl=musl)
    entries = _dynamic_entries(read(dynamic[0], min(dynamic[1], MAX_TABLE)), order, wide)

    def file_offset(vaddr: int) -> int | None:
        for start, offset, size in loads:
            if start <= vaddr < start + size:
                return vaddr - start + offset
        return None

    strtab_at = file_offset(entries.get(DT_STRTAB, [0])[0]) if DT_STRTAB in entries else None
    strings = b""
    if strtab_at is not None:
        strings = read(strtab_at, min(entries.get(DT_STRSZ, [MAX_STRINGS])[0], MAX_STRINGS))
    needed = tuple(_cstring(strings, at) for at in entries.get(DT_NEEDED, []))
    versions: list[str] = []
    verneed_at = file_offset(entries[DT_VERNEED][0]) if DT_VERNEED in entries else None
    if verneed_at is not None and strings:
        count = entries.get(DT_VERNEEDNUM, [0])[0]
        versions = _version_needs(read(verneed_at, MAX_TABLE), order, count, strings)
    glibc = max((tuple(map(int, m.groups())) for v in versions
                 if (m := GLIBC_VERSION.fullmatch(v))), default=None)
    return Binary(binary.format, binary.bits, binary.big_endian, binary.machine,
                  glibc=glibc,  # type: ignore[arg-type]
                  musl=musl or any(n.startswith("libc.musl") for n in needed), needed=needed)


def _dynamic_entries(data: bytes, order: str, wide: bool) -> dict[int, list[int]]:
    fmt = order + ("qQ" if wide else "iI")
    size = struct.calcsize(fmt)
    entries: dict[int, list[int]] = {}
    for at in range(0, len(data) - size + 1, size):
        tag, value = struct.unpack_from(fmt, data, at)
        if tag == DT_NULL:
            break
        entries.setdefault(tag, []).append(value)
    return entries


def _version_needs(data: bytes, order: str, count: int, strings: bytes) -> list[str]:
    """Names in the version-needs table (Elf_Verneed/Elf_Vernaux: the same in 32 and 64 bit)."""
    names: list[str] = []
    at = 0
    for _ in range(min(count, 1024)):
        if at + 16 > len(data):
            break
        _, aux_count, _, aux, next_entry = struct.unpack_from(order + "HHIII", data, at)
        aux_at = at + aux
        for _ in range(min(aux_count, 1024)):
            if aux_at + 16 > len(data):
                break
            name, aux_next = struct.unpack_from(order + "II", data, aux_at + 8)
            names.append(_cstring(strings, name))
            if not aux_next:
                break
            aux_at += aux_next
        if not next_entry:
            break
        at += next_entry
    return names


def _cstring(data: bytes, at: int) -> str:
    end = data.find(b"\0", at)
    return data[at:end if end >= 0 else len(data)].decode("ascii", "replace")
