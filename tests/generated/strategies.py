"""Hypothesis strategies for whole lambdalint inputs: a folder of files and a command line.

Three kinds, each a ``Project`` that writes itself into a folder:

* ``archives()``: a function zip and layer zips built byte by byte (``hostile.make_corpus``'s
  ``build_zip``): random trees of modules, ``*.dist-info`` and ``*.egg-info`` metadata,
  ``.so`` files with ELF headers (random class, byte order, machine, interpreter, needed
  libraries, GLIBC_x.y version needs) or garbage, ``.pyc`` files with random magic, random Unix
  modes (symlinks, folders, devices), compression methods (stored, deflate, bzip2, lzma and
  ids nothing supports), ZIP64 extra fields and end records, lying sizes, CRCs and offsets,
  duplicate and undecodable names; or the same trees as a function folder, symlinks included.
* ``sources()``: a handler module (in a folder, a zip or on its own) that is a random token
  stream, a random but mostly valid program, or deep nesting, in odd encodings (BOM, coding
  cookies, UTF-16, invalid UTF-8, NUL bytes, lone surrogates, CR line ends).
* ``projects()``: SAM/CloudFormation templates (YAML with CloudFormation's short tags, or
  JSON) with intrinsics everywhere a value goes, Globals, Layers lists and CodeUri/ContentUri
  pointing at folders and zips that exist or not; serverless.yml files with ``${…}``
  variables; Dockerfiles; alias bombs and deep nesting.

Hypothesis draws the shape of each input (what kind, which layout, which flags, which
damage); the bulk (programs, member trees, metadata, templates) comes from a seeded
``random.Random`` that Hypothesis draws the seed of. A Hypothesis draw costs some 50 µs, and
an input is thousands of choices: this keeps generating a case far cheaper than checking it,
and every case is still reproducible (derandomized runs draw the same seeds) and printed in
full when it fails.

Every ``Project`` records what its zips hold (``ZipMember``: the raw name and the bytes before
compression), so a test can tell whether a finding's location exists in the input.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st

from hostile.make_corpus import (
    HANDLER,
    LINK_MODE,
    UTF8_FLAG,
    RawEntry,
    _as_zip64_end,
    build_zip,
)

T = TypeVar("T")
Draw = Callable[..., Any]

# ---- the generated input -----------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    name: bytes  # as written in the central directory
    content: bytes  # before compression (what a finding's line refers to)


@dataclass(frozen=True)
class Project:
    """Files (and symlinks) of a folder, and the ``check`` command line run in it."""

    kind: str
    argv: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    zips: tuple[tuple[str, tuple[ZipMember, ...]], ...] = ()

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # An empty config and a repository root: nothing above the folder is read.
        (folder / ".git").mkdir(exist_ok=True)
        if "lambdalint.toml" not in {name for name, _ in self.files}:
            (folder / "lambdalint.toml").write_bytes(b"")
        for name, data in self.files:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for name, target in self.links:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, path)

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def members(self, path: str) -> tuple[ZipMember, ...] | None:
        for name, members in self.zips:
            if name == path:
                return members
        return None


# ---- choosing ----------------------------------------------------------------------------

# Characters for random text: mostly ASCII, then controls, Latin-1, Greek, CJK, emoji, lone
# surrogates, bidirectional overrides and the BOM.
_CHARACTERS = [(24, 0x20, 0x7E), (3, 0x00, 0x1F), (3, 0xA0, 0xFF), (2, 0x370, 0x3FF),
               (2, 0x4E00, 0x4E80), (1, 0x1F600, 0x1F64F), (1, 0xD800, 0xDFFF),
               (1, 0x202A, 0x202E), (1, 0xFEFF, 0xFEFF)]


class Gen(random.Random):
    """A seeded source of the bulk of an input."""

    wild = True  # generate code Python may reject (python_module decides, per module)

    def pick(self, *choices: tuple[int, T]) -> T:
        """One of the values, by weight: ``pick((3, "often"), (1, "rarely"))``."""
        return self.choices([value for _, value in choices],
                            [weight for weight, _ in choices])[0]

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def text(self, max_size: int) -> str:
        ranges = self.choices([(lo, hi) for _, lo, hi in _CHARACTERS],
                              [w for w, _, _ in _CHARACTERS], k=self.randint(0, max_size))
        return "".join(chr(self.randint(lo, hi)) for lo, hi in ranges)

    def binary(self, max_size: int) -> bytes:
        return self.randbytes(self.randint(0, max_size))

    def some(self, items: list[T], max_size: int) -> list[T]:
        return [self.choice(items) for _ in range(self.randint(0, max_size))]


def _weighted(*choices: tuple[int, Any]) -> st.SearchStrategy[Any]:
    """``sampled_from`` with weights: each value repeated ``weight`` times."""
    return st.sampled_from([value for weight, value in choices for _ in range(weight)])


gens = st.integers(0, 2 ** 32 - 1).map(Gen)


def utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# ---- command lines -----------------------------------------------------------------------

RUNTIMES = ["python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
            "python3.14"]
ODD_RUNTIMES = ["python2.7", "nodejs20.x", "python3.15", "python", "", "Python3.12",
                "provided.al2023"]
HANDLERS = ["app.handler", "app.handler", "app.lambda_handler", "pkg.app.handler",
            "src/app.handler", "app", "app.py.handler", "app.Handler.handle", "", "..",
            "app.handler.", "lambda_function.lambda_handler", "app.ha ndler", "é.λ"]
ARCHITECTURES = ["x86_64", "arm64"]
REFERENCE_DAY = "2026-11-21"  # the output must not depend on the day the suite runs


@st.composite
def target_flags(draw: Draw, handler: bool = True) -> list[str]:
    argv: list[str] = []
    runtime = draw(_weighted((6, "valid"), (1, "odd"), (3, None)))
    if runtime == "valid":
        argv += ["--runtime", draw(st.sampled_from(RUNTIMES))]
    elif runtime == "odd":
        argv += ["--runtime", draw(st.sampled_from(ODD_RUNTIMES))]
    if handler and draw(_weighted((3, True), (1, False))):
        argv += ["--handler", draw(st.sampled_from(HANDLERS))]
    if draw(st.booleans()):
        argv += ["--architecture", draw(_weighted((4, "x86_64"), (4, "arm64"), (1, "aarch64")))]
    if draw(_weighted((9, False), (1, True))):
        argv += ["--report-unused-ignores"]
    return [*argv, "--today", REFERENCE_DAY]


# ---- member contents ---------------------------------------------------------------------

MACHINES = [3, 62, 62, 183, 183, 40, 8, 20, 21, 243, 0, 0xFFFF]
GLIBC_NEEDS = [b"GLIBC_2.2.5", b"GLIBC_2.17", b"GLIBC_2.26", b"GLIBC_2.28", b"GLIBC_2.34",
               b"GLIBC_2.38", b"GLIBC_2.99", b"GLIBC_3.0", b"GLIBC_PRIVATE", b"GLIBCXX_3.4.29",
               b"GLIBC_2.", b"GLIBC_99999999999999999999.1", b""]
NEEDED = [b"libc.so.6", b"libc.musl-x86_64.so.1", b"libpython3.12.so.1.0", b"libstdc++.so.6",
          b"libm.so.6", b"libgfortran-040039e1.so.5.0.0", b"\xff\xfe"]
INTERPRETERS = [b"/lib64/ld-linux-x86-64.so.2", b"/lib/ld-musl-x86_64.so.1",
                b"/lib/ld-linux-aarch64.so.1"]


def elf_file(r: Gen) -> bytes:
    """A shared object with a program header table, a dynamic segment, a string table and a
    version-needs table, from random fields; then, sometimes, lies and damage."""
    elf_class = r.pick((5, 2), (2, 1), (1, 0), (1, 7))
    big = r.chance(0.15)
    order = ">" if big else "<"
    wide = elf_class != 1
    machine = r.choice(MACHINES) if r.chance(0.9) else r.randint(0, 0xFFFF)
    interp = r.choice(INTERPRETERS) if r.chance(0.5) else None
    needed = r.some(NEEDED, 3)
    versions = r.some(GLIBC_NEEDS, 4)
    header_size, ph_size = (64, 56) if wide else (52, 32)
    phnum = 2 + (interp is not None)
    strings = b"\0" + b"".join(s + b"\0" for s in needed + versions)
    str_at = {s: strings.index(b"\0" + s + b"\0") + 1 for s in needed + versions}
    interp_at = header_size + ph_size * phnum
    strtab_at = interp_at + len(interp or b"") + 1
    verneed_at = strtab_at + len(strings)
    verneed = b""
    if versions:
        verneed = struct.pack(order + "HHIII", 1, len(versions),
                              str_at[needed[0]] if needed else 0, 16, 0)
        for index, version in enumerate(versions):
            last = index == len(versions) - 1
            verneed += struct.pack(order + "IHHII", 0, 0, index + 2, str_at[version],
                                   0 if last else 16)
    dynamic_at = verneed_at + len(verneed)
    entries = [(1, str_at[n]) for n in needed] + [(5, strtab_at), (10, len(strings))]
    if versions:
        entries += [(0x6FFFFFFE, verneed_at), (0x6FFFFFFF, 1)]
    lie = r.pick((6, None), (1, "phoff"), (1, "phentsize"), (1, "strsz"), (1, "verneednum"),
                 (1, "strtab"))
    lies = {"strsz": 10, "verneednum": 0x6FFFFFFF, "strtab": 5}
    if lie in lies:
        entries = [(tag, r.randint(0, 0xFFFFFFFF) if tag == lies[lie] else value)
                   for tag, value in entries]
    entries.append((0, 0))
    dynamic = b"".join(struct.pack(order + ("qQ" if wide else "iI"), tag, value)
                       for tag, value in entries)
    total = dynamic_at + len(dynamic)
    phoff = header_size if lie != "phoff" else r.randint(0, 0xFFFFFFFF)
    phentsize = ph_size if lie != "phentsize" else r.randint(0, 0xFFFF)
    ident = b"\x7fELF" + bytes([elf_class, 2 if big else 1, 1, 0]) + bytes(8)
    interp_size = len(interp or b"") + 1
    if wide:
        header = ident + struct.pack(order + "HHIQQQIHHHHHH", 3, machine, 1, 0, phoff, 0, 0,
                                     header_size, phentsize, phnum, 64, 0, 0)
        program = order + "IIQQQQQQ"
        tables = [struct.pack(program, 1, 5, 0, 0, 0, total, total, 0x1000),
                  struct.pack(program, 2, 6, dynamic_at, dynamic_at, 0, len(dynamic),
                              len(dynamic), 8),
                  struct.pack(program, 3, 4, interp_at, interp_at, 0, interp_size,
                              interp_size, 1)]
    else:
        header = ident + struct.pack(order + "HHIIIIIHHHHHH", 3, machine, 1, 0, phoff, 0, 0,
                                     header_size, phentsize, phnum, 40, 0, 0)
        program = order + "8I"
        tables = [struct.pack(program, 1, 0, 0, 0, total, total, 5, 0x1000),
                  struct.pack(program, 2, dynamic_at, dynamic_at, 0, len(dynamic),
                              len(dynamic), 6, 4),
                  struct.pack(program, 3, interp_at, interp_at, 0, interp_size, interp_size,
                              4, 1)]
    data = bytearray(header + b"".join(tables[:phnum]) + (interp or b"") + b"\0" + strings +
                     verneed + dynamic)
    if r.chance(0.15):
        for _ in range(r.randint(1, 4)):
            data[r.randrange(len(data))] ^= r.randint(1, 255)
    if r.chance(0.1):
        del data[r.randint(0, len(data)):]
    return bytes(data)


MAGIC_NUMBERS = [3413, 3425, 3439, 3495, 3531, 3571, 3627, 3379, 20121, 0]


def pyc_file(r: Gen) -> bytes:
    magic = r.choice(MAGIC_NUMBERS) if r.chance(0.8) else r.randint(0, 0xFFFF)
    tail = r.pick((6, b"\r\n"), (1, b"\n\r"), (1, b"\0\0"))
    data = struct.pack("<H", magic) + tail + bytes(12) + r.binary(24)
    return data[:r.randint(0, len(data))] if r.chance(0.15) else data


DISTS = ["requests", "urllib3", "numpy", "boto3", "botocore", "pydantic_core", "six",
         "typing_extensions", "My.Pkg", "charset_normalizer", "x"]
VERSIONS = ["1.0", "2.31.0", "1.26.18", "0.0.0.dev1", "1!2.0", "not-a-version", "3"]
REQUIREMENTS = ["urllib3<3,>=1.21.1", "idna (<4,>=2.5)", "charset-normalizer<4,>=2",
                "certifi>=2017.4.17", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
                'pywin32; sys_platform == "win32"', 'six; python_version < "3.8"',
                "botocore (>=1.34.0,<1.35.0)", "numpy>=99", "bad requirement ((", "",
                "x[y]>=1; os_name == 'posix' and platform_machine == 'aarch64'",
                "typing-extensions; python_version >= '4'", "requests==2.31.0", "-e .",
                "--index-url https://example.com", "git+https://example.com/x.git",
                "boto3", "urllib3==1.26.18", "name @ file:///tmp/x", "-r other.txt"]
TAGS = ["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", "cp39-cp39-macosx_11_0_arm64",
        "cp311-cp311-win_amd64", "py3-none-any", "cp312-abi3-musllinux_1_1_aarch64",
        "cp38-cp38-manylinux2014_aarch64", "cp312-cp312-linux_x86_64", "garbage",
        "cp312-cp312-manylinux_99_99_x86_64", "pp39-pypy39_pp73-manylinux_2_28_x86_64",
        "cp313-cp313t-manylinux_2_28_aarch64", "cp36-abi3-manylinux1_x86_64", "--", ""]
NOISE = ["", "\x00", "\xff", "[bold]red[/]", "%s%n", "\u202e", "é", "\t", ":", "\r", "\ud800"]
_LINES: dict[str, Callable[[Gen], str]] = {
    "metadata": lambda r: r.pick(
        (3, r.choice(["Metadata-Version: 2.1", "Metadata-Version: 9.9", "Summary: x", "",
                      "Requires-Python: >=3.8", "Provides-Extra: socks", "Description: multi",
                      "        continued"])),
        (2, f"Name: {r.choice(DISTS)}"), (2, f"Version: {r.choice(VERSIONS)}"),
        (4, f"Requires-Dist: {r.choice(REQUIREMENTS)}")),
    "record": lambda r: r.pick(
        (5, f"{r.choice(['', 'python/', '../../bin/', '/', 'a,b', 'pkg/../'])}"
            f"{r.choice(DISTS)}{r.choice(['/__init__.py', '.py', '', '/x.so', '/RECORD'])}"
            f",sha256=abc,{r.choice(['', '12', '-1', 'x'])}"),
        (1, f'"{r.choice(DISTS)}/a,b.py",,')),
    "wheel": lambda r: r.pick(
        (2, r.choice(["Wheel-Version: 1.0", "Generator: bdist_wheel (0.42.0)",
                      "Root-Is-Purelib: false", "Root-Is-Purelib: true"])),
        (3, f"Tag: {r.choice(TAGS)}")),
    "requirements": lambda r: r.choice(REQUIREMENTS),
    "top_level": lambda r: r.choice(DISTS),
}


def text_file(r: Gen, kind: str) -> bytes:
    """Lines of a metadata file of that kind, with noise between them."""
    make = _LINES[kind]
    lines = [make(r) if r.chance(0.85) else r.pick((2, r.choice(NOISE)), (1, r.text(12)))
             for _ in range(r.randint(0, 8))]
    return utf8(r.pick((4, "\n"), (1, "\r\n")).join(lines))


SECRETS = [b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
           b"aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
           b"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n",
           b"import os\nos.system('x')\n", b"../site-packages\n", b"import sys; sys.exit()\n"]


def contents(r: Gen, name: str) -> bytes:
    """What a member of that name may hold: mostly what such a file holds, sometimes not."""
    if r.chance(0.1):
        return r.binary(48)
    if name.endswith(".py"):
        return r.pick((2, lambda: HANDLER), (3, lambda: python_module(r, small=True)),
                      (1, lambda: token_stream(r)))()
    if ".so" in name or name.endswith((".pyd", ".dylib", ".dll")):
        if r.chance(0.8):
            return elf_file(r)
        return r.choice([b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ", b"\x7fELF"]) + \
            r.binary(48)
    if name.endswith(".pyc"):
        return pyc_file(r)
    for suffixes, kind in ((("METADATA", "PKG-INFO"), "metadata"),
                           (("RECORD", "installed-files.txt"), "record"),
                           (("WHEEL",), "wheel"),
                           (("requires.txt", "requirements.txt"), "requirements"),
                           (("top_level.txt",), "top_level")):
        if name.endswith(suffixes):
            return text_file(r, kind)
    return r.choice(SECRETS) if r.chance(0.5) else r.binary(48)


# ---- archives ----------------------------------------------------------------------------

FUNCTION_PREFIXES = ["", "", "", "", "my_function/", "src/", "site-packages/", "python/",
                     "../", "/", "./", "__MACOSX/", "build/python/", "lib/", ".git/"]
LAYER_PREFIXES = ["python/", "python/", "python/", "python/lib/python3.12/site-packages/",
                  "python/lib/python3.9/site-packages/", "python/lib/python3.13/site-packages/",
                  "", "site-packages/", "lib/python3.11/site-packages/", "build/python/",
                  "bin/", "lib/", "extensions/", "python/../../", "nodejs/"]
PARTS = ["app", "handler", "lambda_function", "util", "pkg", "core", "requests", "numpy",
         "boto3", "botocore", "six", "_cffi_backend", "__init__", "__pycache__", "tests",
         "docs", "json", "typing", "données", "x y", "[bold]", "..", ".", "awslambdaric",
         "test_app", ".env", "id_rsa"]
SUFFIXES = [".py", ".py", ".py", ".py", ".pyc", ".cpython-312.pyc", ".so",
            ".cpython-312-x86_64-linux-gnu.so", ".cpython-39-aarch64-linux-gnu.so",
            ".abi3.so", ".so.6", ".pyd", ".dylib", ".pth", ".txt", ".pem", "", "/"]
DIST_FILES = ["METADATA", "RECORD", "WHEEL", "top_level.txt", "INSTALLER", "METADATA",
              "RECORD"]
EGG_FILES = ["PKG-INFO", "requires.txt", "top_level.txt", "installed-files.txt"]
MODES = [0o100644] * 8 + [0o100755, 0o100600, 0o100000, 0o100444, LINK_MODE, LINK_MODE,
                          0o040755, 0o040700, 0o010644, 0o020644, 0o140755, 0, 0o644,
                          0o104755]
LINK_TARGETS = [b"app.py", b"../../etc/passwd", b"/etc/passwd", b"pkg", b"..", b"",
                b"python/../../x", b"\xff", b"a" * 300]
# Shrunk, imploded, deflate64, zstd, mp3, xz, AES, and ids nobody uses.
UNSUPPORTED_METHODS = [1, 6, 9, 93, 94, 95, 99, 0xFFFF, 0x1234]


def member_name(r: Gen, layer: bool) -> bytes:
    prefix = r.choice(LAYER_PREFIXES if layer else FUNCTION_PREFIXES)
    kind = r.pick((6, "module"), (3, "dist"), (1, "egg"), (1, "declared"), (1, "text"))
    if kind == "module":
        path = "/".join(r.choice(PARTS) for _ in range(r.randint(1, 3))) + r.choice(SUFFIXES)
    elif kind == "dist":
        path = f"{r.choice(DISTS)}-{r.choice(VERSIONS)}.dist-info/{r.choice(DIST_FILES)}"
    elif kind == "egg":
        path = f"{r.choice(DISTS)}-{r.choice(VERSIONS)}-py3.9.egg-info/{r.choice(EGG_FILES)}"
    elif kind == "declared":
        path = r.choice(["requirements.txt", "pyproject.toml", "Pipfile"])
    else:
        path = r.text(12)
    name = prefix + path
    encoding = r.pick((12, "utf-8"), (1, "cp437"), (1, "latin-1"), (1, "nul"), (1, "bytes"))
    if encoding == "bytes":
        return r.binary(16)
    raw = utf8(name) if encoding in ("utf-8", "nul") else name.encode(encoding, "replace")
    if encoding == "nul":
        at = r.randint(0, len(raw))
        raw = raw[:at] + b"\0" + raw[at:]
    return raw


def compressed(method: int, data: bytes) -> bytes:
    """``data`` as a member compressed with ``method`` holds it (unknown methods: as is)."""
    if method == zipfile.ZIP_DEFLATED:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush()
    if method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(zipfile.ZipInfo("x"), data, compress_type=method)
        raw = buffer.getvalue()
        name_size, extra_size = struct.unpack_from("<HH", raw, 26)
        start = 30 + name_size + extra_size
        size = struct.unpack_from("<L", raw, 18)[0]
        return raw[start:start + size]
    return data


def zip_entry(r: Gen, layer: bool) -> tuple[RawEntry, ZipMember]:
    name = member_name(r, layer)
    mode = r.choice(MODES) if r.chance(0.95) else r.randint(0, 0xFFFF)
    if mode >> 12 == LINK_MODE >> 12:
        content = r.choice(LINK_TARGETS)
    elif name.endswith(b"/") or mode >> 12 == 0o04:
        content = r.pick((5, b""), (1, b"x"))
    else:
        content = contents(r, name.decode("utf-8", "replace"))
    method = r.pick((6, zipfile.ZIP_STORED), (8, zipfile.ZIP_DEFLATED), (1, zipfile.ZIP_BZIP2),
                    (1, zipfile.ZIP_LZMA), (2, r.choice(UNSUPPORTED_METHODS)))
    data = compressed(method, content)
    entry = RawEntry(name, data, method=method, mode=mode, zip64=r.chance(0.15))
    if method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        entry.size, entry.crc = len(content), zlib.crc32(content)
    lie = r.pick((30, None), (1, "crc"), (1, "size"), (1, "huge"), (1, "cut"), (1, "flip"),
                 (1, "offset"), (1, "flags"))
    if lie == "crc":
        entry.crc = r.randint(0, 0xFFFFFFFF)
    elif lie == "size":
        entry.size = r.randint(0, 0xFFFFFFFF)
    elif lie == "huge":
        entry.size, entry.zip64 = r.randint(1 << 32, 1 << 40), True
    elif lie == "cut" and data:
        entry.data = data[:r.randrange(len(data))]
        entry.crc, entry.size = zlib.crc32(content), len(content)
    elif lie == "flip" and data:
        flipped = bytearray(data)
        flipped[r.randrange(len(data))] ^= r.randint(1, 255)
        entry.data, entry.crc, entry.size = bytes(flipped), zlib.crc32(content), len(content)
    elif lie == "offset":
        entry.offset = r.randint(0, 1 << 20) if r.chance(0.5) else r.randint(0, 0xFFFFFFFF)
    elif lie == "flags":
        entry.flags = r.choice([UTF8_FLAG, 0x1, 0x8, 0x41, 0x2000, r.randint(0, 0xFFFF)])
    return entry, ZipMember(name, content)


def handler_entry() -> tuple[RawEntry, ZipMember]:
    return RawEntry(b"app.py", HANDLER), ZipMember(b"app.py", HANDLER)


def zip_file(r: Gen, layer: bool) -> tuple[bytes, tuple[ZipMember, ...]]:
    """A zip's bytes and the members written into it."""
    pairs = [zip_entry(r, layer) for _ in range(r.randint(0, 10))]
    if not layer and r.chance(0.75):
        pairs.insert(r.randint(0, len(pairs)), handler_entry())
    if pairs and r.chance(0.1):  # the same name twice
        pairs.append(r.choice(pairs))
    data = build_zip([entry for entry, _ in pairs])
    members = tuple(member for _, member in pairs)
    whole = r.pick((20, None), (2, "zip64"), (1, "prefix"), (1, "suffix"), (1, "cut"),
                   (1, "comment"))
    if whole == "zip64":
        data = _as_zip64_end(data, entries=r.choice([None, None, r.randint(0, 1 << 33)]),
                             disks=r.pick((5, 1), (1, 0), (1, 2)))
    elif whole == "prefix":  # a self-extracting archive: the offsets count from the zip
        data = b"#!/bin/sh\nexit 0\n" + r.binary(32) + data
    elif whole == "suffix":
        data += r.binary(64) + b"x"
    elif whole == "cut":
        data = data[:r.randint(0, len(data))]
    elif whole == "comment":  # an end record declaring a comment longer than what follows
        data = data[:-2] + struct.pack("<H", r.randint(1, 0xFFFF)) + r.binary(16)
    return data, members


def folder_tree(r: Gen) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """The members of a random function zip as a folder ``fn/``: files and symlinks (names
    made valid UTF-8 and relative; one path per name, no file where a folder goes)."""
    files: dict[str, bytes] = {}
    links: dict[str, str] = {}
    taken: set[str] = set()  # every file, link and folder
    for entry, member in [zip_entry(r, layer=False) for _ in range(r.randint(0, 10))] + \
            [handler_entry()]:
        parts = [p for p in member.name.decode("utf-8", "replace").replace("\0", "").split("/")
                 if p not in ("", ".", "..")]
        if not parts or entry.mode >> 12 == 0o04:
            continue
        path = "fn/" + "/".join(parts)
        folders = {"/".join(path.split("/")[:n]) for n in range(1, path.count("/") + 1)}
        if path in taken or any(f in files or f in links for f in folders):
            continue
        taken |= folders | {path}
        if entry.mode >> 12 == LINK_MODE >> 12:
            links[path] = member.content.decode("utf-8", "replace").replace("\0", "") or "."
        else:
            files[path] = member.content
    return list(files.items()), list(links.items())


@st.composite
def archives(draw: Draw) -> Project:
    """A function zip and/or layer zips, on the command line as a user would give them."""
    files: list[tuple[str, bytes]] = []
    zips: list[tuple[str, tuple[ZipMember, ...]]] = []
    argv: list[str] = ["check"]
    links: list[tuple[str, str]] = []
    shape = draw(_weighted((5, "function"), (3, "function+layers"), (2, "layers"),
                           (2, "folder+layers")))
    if shape == "folder+layers":
        folder_files, links = folder_tree(draw(gens))
        files += folder_files
        argv += ["fn"] if draw(st.booleans()) else ["--function", "fn"]
    elif shape != "layers":
        data, members = zip_file(draw(gens), layer=False)
        name = draw(_weighted((4, "function.zip"), (1, "dist/fn.zip")))
        files.append((name, data))
        zips.append((name, members))
        argv += [name] if draw(st.booleans()) else ["--function", name]
    if shape != "function":
        for number in range(draw(st.integers(1, 3))):
            data, members = zip_file(draw(gens), layer=True)
            name = f"deps-layer{number}.zip"
            files.append((name, data))
            zips.append((name, members))
            argv += [name] if draw(st.booleans()) else ["--layer", name]
    argv += draw(target_flags())
    return Project("archive", tuple(argv), tuple(files), tuple(links), tuple(zips))


# ---- sources -----------------------------------------------------------------------------

KEYWORDS = ["def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally",
            "with", "as", "import", "from", "return", "yield", "lambda", "async", "await",
            "match", "case", "type", "global", "nonlocal", "del", "pass", "raise", "assert",
            "not", "and", "or", "in", "is", "None", "True", "False", "break", "continue"]
NAMES = ["handler", "event", "context", "boto3", "os", "json", "datetime", "uuid", "Decimal",
         "requests", "CACHE", "x", "self", "open", "print", "set", "urllib", "sqlalchemy",
         "pymysql", "__name__", "awslambdaric", "bootstrap", "s3", "table", "λ", "résumé"]
ATTRS = ["client", "resource", "Session", "connect", "environ", "get", "put_object", "invoke",
         "send_message", "publish", "write", "dumps", "now", "uuid4", "append", "add",
         "update", "Records", "key", "create_engine", "unquote_plus", "parse", "loads",
         "create_event_source_mapping", "put_item"]
LITERALS = ['"s3"', "'/tmp/out.json'", "'/var/task/x'", '"my-bucket"', "b'x'", "0", "1",
            '"arn:aws:sqs:us-east-1:123456789012:queue"', "200", "None", "True", "'{}'",
            '"AWS_LAMBDA_FUNCTION_NAME"', '"statusCode"', '"body"', "[]", "{}", "()",
            "'LATEST'", "3.14", "1j", "1_000", '"""doc"""', "'w'", "...", "f'{x!r:>{w}}'",
            "rb'\\d'", "'\\N{BULLET}'", "Decimal('1.5')", "set()", "datetime.datetime.now()"]
# Tokens Python rejects, or only some versions accept.
WILD_LITERALS = ["0x_1", '"\\d+"', "1if x else 2", 'f"{"nested"}"', "'\\N{nope}'", "u'x' b'y'"]
PUNCTUATION = ["(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "->", "**", "*", "@",
               "+", "-", "/", "//", "%", ";", ":=", "...", "|", "&", "~", "<", "!=", "\\\n",
               "`", "$", "?", "!", "'", '"', '"""', "f'{", "}", "#", "\x00", "\ufeff"]
LAYOUT = ["\n", "\n", "\n", "    ", "\t", " ", "\r\n", "\r", "\x0c", "# comment",
          "# lambdalint: ignore", "# lambdalint: ignore[LL505]", "# noqa: LL401",
          "# type: ignore", "  # lambdalint: ignore[LL9999, LL]"]
TOKENS = KEYWORDS + NAMES + ATTRS + LITERALS + WILD_LITERALS + PUNCTUATION + LAYOUT
MODULES = ["boto3", "os", "json", "datetime", "uuid", "decimal", "requests", "util",
           "pkg.app", "numpy", "awslambdaric.bootstrap", "__future__", "tomllib",
           "distutils", "imp", "missing_module", "urllib.parse", "functools", ".sibling"]
BINARY_OPERATORS = ["+", "-", "*", "/", "%", "==", "<", "and", "or", "in", "is not", "|",
                    "@", "**", "//"]


def token_stream(r: Gen) -> bytes:
    return utf8("".join(r.choice(TOKENS) + r.pick((4, " "), (2, ""), (1, "\n"))
                        for _ in range(r.randint(0, 60))))


def expression(r: Gen, depth: int = 3) -> str:
    """An expression: valid Python unless ``r.wild`` (then anything goes, newer syntax too)."""
    if depth <= 0 or r.chance(0.35):
        if r.wild and r.chance(0.1):
            return r.choice(WILD_LITERALS)
        return r.choice(NAMES) if r.chance(0.6) else r.choice(LITERALS)

    def inner() -> str:
        return expression(r, depth - 1)

    form = r.randrange(12)
    if form == 0:
        target = inner()
        return f"({target}).{r.choice(ATTRS)}" if target[:1].isdigit() else \
            f"{target}.{r.choice(ATTRS)}"
    if form == 1:
        arguments = [r.choice([inner, lambda: f"*{inner()}"])() for _ in range(r.randint(0, 2))]
        arguments += [f"{r.choice(['default', 'key', 'Bucket'])}={inner()}"
                      for _ in range(r.randint(0, 2))]
        return f"{inner()}({', '.join(arguments)})"
    return [lambda: f"{inner()}[{inner()}]",
            lambda: f"({inner()} {r.choice(BINARY_OPERATORS)} {inner()})",
            lambda: f"[{inner()} for x in {inner()}]",
            lambda: f"{{{inner()}: {inner()}}}",
            lambda: f"{{{inner()}}}",
            lambda: f"(lambda x: {inner()})",
            # Nested f-strings reusing the quote need Python 3.12.
            lambda: f'f"{{{inner()}}}"' if r.wild else f"f'{{{r.choice(NAMES)}!r}}'",
            lambda: f"(await {inner()})",
            lambda: f"({inner()} if {inner()} else {inner()})",
            lambda: f"({r.choice(['x', 'y', 'CACHE'])} := {inner()})"][form - 2]()


TARGETS = ["x", "CACHE", "self.x", "event['k']", "x, y", "x, *rest", "os.environ['X']"]
# What Lambda handlers do, right and wrong: what the behaviour and handler rules look for.
IDIOMS = [
    's3 = boto3.client("s3")', 'table = boto3.resource("dynamodb").Table(os.environ["TABLE"])',
    'key = event["Records"][0]["s3"]["object"]["key"]',
    'bucket = event["Records"][0]["s3"]["bucket"]["name"]',
    "s3.get_object(Bucket=bucket, Key=key)", "s3.put_object(Bucket=bucket, Key=key, Body=b'')",
    "key = urllib.parse.unquote_plus(key)", 'open("/tmp/out.json", "w").write("x")',
    'open("/var/task/cache.json", "w")', 'return {"statusCode": 200, "body": {"a": 1}}',
    'return {"statusCode": "200", "headers": {"X": 1}, "body": "ok"}',
    'return {"at": datetime.datetime.now()}', "return set()", "return uuid.uuid4()",
    'json.dumps({"price": Decimal("1.5")})', "json.dumps(item, default=str)",
    'boto3.client("lambda").invoke(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"])',
    "boto3.client('lambda').invoke(FunctionName=context.function_name)",
    "CACHE.append(event)", "SEEN.add(event['id'])", 'conn = pymysql.connect(host="db")',
    'sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody="x")',
    'boto3.client("lambda").create_event_source_mapping(EventSourceArn="arn:aws:sns:us-east-1'
    ':123456789012:topic", FunctionName="f", StartingPosition="LATEST")',
    'requests.Session()', 'engine = sqlalchemy.create_engine("sqlite://")',
    "from awslambdaric import bootstrap", 'os.environ["PYTHONPATH"] = "/opt"',
    "global CACHE", 'CACHE = {}', 'SEEN = set()', "import boto3", "import json, os, uuid",
    "import datetime", "from decimal import Decimal", "import urllib.parse", "import requests",
]
ODD_STATEMENTS = ["type Alias = int", "match event:\n    case {'x': y}:\n        pass",
                  "def f[T](x: T) -> T: return x", "nonlocal x", "break", "del x",
                  "print('x', file=sys.stderr)", "exec('x')", "from __future__ import braces",
                  "*rest = x", "x, y: int = 1", "else:", "except* ValueError:", "elif x:"]


def simple_statement(r: Gen) -> str:
    e = expression
    return [lambda: f"{r.choice(TARGETS)} = {e(r)}",
            lambda: f"return {e(r)}",
            lambda: f"import {r.choice(MODULES).lstrip('.')}",
            lambda: f"from {r.choice(MODULES)} import {r.choice([*NAMES, '*', '(a, b)'])}",
            lambda: f"global {r.choice(NAMES)}",
            lambda: "pass",
            lambda: e(r),
            lambda: f"yield {e(r)}",
            lambda: f"{r.choice(NAMES)}.append({e(r)})",
            lambda: f"raise {e(r)}",
            lambda: f"{r.choice(NAMES)} += {e(r)}",
            lambda: f"assert {e(r)}, {e(r)}",
            lambda: f"{r.choice(NAMES)}: {e(r)} = {e(r)}",
            lambda: f"with open({e(r)}, {r.choice(['mode', 'w', 'a', 'r', 'wb'])!r}) as f: "
                    f"f.write({e(r)})",
            lambda: r.choice(IDIOMS),
            lambda: r.choice(IDIOMS),
            lambda: r.choice(IDIOMS),
            lambda: r.choice(ODD_STATEMENTS) if r.wild else "pass"][r.randrange(18)]()


HEADERS = ["if {}:", "for x in {}:", "while {}:", "with {} as f:",
           "def helper(event, context):", "async def helper():", "class Thing({}):",
           "@{}\ndef wrapped(*args, **kwargs):", "@functools.lru_cache(maxsize=None)\ndef f():",
           "try:\n    pass\nexcept {} as exc:", "for record in event['Records']:"]
WILD_HEADERS = ["else:", "elif {}:", "except* {}:", "async for x in {}:", "class C[T]:",
                "if {}"]


def statements(r: Gen, depth: int = 3) -> list[str]:
    """Lines of a statement; compound ones hold more statements, indented."""
    if depth <= 0 or r.chance(0.6):
        return simple_statement(r).split("\n")
    headers = WILD_HEADERS if r.wild and r.chance(0.2) else HEADERS
    header = r.choice(headers).replace("{}", expression(r))
    body = [line for _ in range(r.randint(1, 3)) for line in statements(r, depth - 1)]
    lines = header.split("\n") + ["    " + line for line in body]
    if header.startswith("if ") and r.chance(0.3):
        lines += ["else:"] + ["    " + line for line in statements(r, depth - 1)]
    return lines


IMPORTS = ["import boto3", "import json", "import os", "import datetime", "import uuid",
           "from decimal import Decimal", "import urllib.parse", "import functools",
           "import requests", "import pymysql"]
HANDLER_HEADERS = ["def handler(event, context):"] * 6 + [
    "async def handler(event, context):", "def handler(event):", "def handler(*args):",
    "def handler(event, context, extra):", "def handler(event, context=None, /):",
    "def lambda_handler(event, context):", "class handler:", "def handler(self, event, ctx):"]


def python_module(r: Gen, small: bool = False) -> bytes:
    """A random program with a handler: valid Python for three in four (the others may use
    newer syntax, or none that Python knows)."""
    r.wild = r.chance(0.25)
    size = 3 if small else 6
    lines = [line for line in IMPORTS if r.chance(0.4)]
    lines += [line for _ in range(r.randint(0, size)) for line in statements(r)]
    body = [line for _ in range(r.randint(1, size)) for line in statements(r)]
    lines += [r.choice(HANDLER_HEADERS)] + ["    " + line for line in body]
    lines += [line for _ in range(r.randint(0, 2)) for line in statements(r)]
    return utf8("\n".join(lines) + "\n")


NESTINGS = [("(", ")"), ("[", "]"), ("{", "}"), ("not ", ""), ("-", ""), ("lambda: ", ""),
            ("1 if x else ", ""), ('f"{', '}"'), ("x[", "]"), ("await ", ""), ("*", ""),
            ("(yield ", ")")]


def deep_nesting(r: Gen) -> bytes:
    depth = r.pick((4, r.randint(1, 80)), (2, r.randint(80, 400)), (1, r.randint(400, 3000)))
    shape = r.pick((6, "brackets"), (1, "indent"), (1, "sum"), (1, "strings"))
    if shape == "brackets":
        opening, closing = r.choice(NESTINGS)
        body = "X = " + opening * depth + "1" + closing * depth
    elif shape == "indent":
        depth = min(depth, 300)
        body = "".join(" " * i + "if X:\n" for i in range(depth)) + " " * depth + "pass"
    elif shape == "sum":
        body = "X = " + "+".join(["a"] * depth)
    else:
        body = "X = " + "'a' " * depth
    return body.encode() + b"\n" + HANDLER


ENCODINGS = ["utf-8"] * 24 + ["bom", "latin-1", "utf-16", "utf-16-cookie", "unknown-cookie",
                              "ascii-cookie", "bom-latin-1", "shebang-cookie", "invalid-utf-8",
                              "nul", "surrogate", "cr", "crlf", "no-newline", "cp1252"]


def encode(text: bytes, how: str, at: int) -> bytes:
    """``text`` (UTF-8) as a file in an odd encoding; ``at`` picks where damage goes."""
    where = at % (len(text) + 1)
    decoded = text.decode("utf-8", "surrogatepass")
    if how == "bom":
        return b"\xef\xbb\xbf" + text
    if how in ("latin-1", "cp1252"):
        return f"# -*- coding: {how} -*-\n".encode() + decoded.encode(how, "replace")
    if how == "utf-16":
        return decoded.encode("utf-16", "surrogatepass")
    if how == "utf-16-cookie":
        return "# coding: utf-16\n".encode("utf-16-le") + decoded.encode("utf-16-le",
                                                                          "surrogatepass")
    if how == "unknown-cookie":
        return b"# vim: set fileencoding=klingon :\n" + text
    if how == "ascii-cookie":
        return b"# coding: ascii\nNAME = '\xc3\xa9'\n" + text
    if how == "bom-latin-1":
        return b"\xef\xbb\xbf# coding: latin-1\n" + text
    if how == "shebang-cookie":
        return b"#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n" + text
    if how == "invalid-utf-8":
        return text[:where] + b"\xff\xfe\xc3" + text[where:]
    if how == "nul":
        return text[:where] + b"\0" + text[where:]
    if how == "surrogate":
        return text[:where] + utf8("'\ud800'") + text[where:]
    if how == "cr":
        return text.replace(b"\n", b"\r")
    if how == "crlf":
        return text.replace(b"\n", b"\r\n")
    if how == "no-newline":
        return text.rstrip(b"\n")
    return text


def source_file(r: Gen) -> bytes:
    text = r.pick((8, lambda: python_module(r)), (2, lambda: token_stream(r)),
                  (2, lambda: deep_nesting(r)),
                  (1, lambda: python_module(r) + token_stream(r)))()
    return encode(text, r.choice(ENCODINGS), r.randrange(1 << 16))


def good_zip(files: dict[str, bytes]) -> tuple[bytes, tuple[ZipMember, ...]]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (0o40755 if name.endswith("/") else 0o100644) << 16
            archive.writestr(info, data)
    members = tuple(ZipMember(name.encode(), data) for name, data in files.items())
    return buffer.getvalue(), members


DEPS_LAYER = {"python/requests/__init__.py": b"", "python/util.py": b"X = 1\n",
              "python/boto3/__init__.py": b"",
              "python/requests-2.31.0.dist-info/METADATA":
              b"Name: requests\nVersion: 2.31.0\nRequires-Dist: urllib3<3\n"}


@st.composite
def sources(draw: Draw) -> Project:
    """A handler module (and a sibling it may import) as a folder, a zip or a single file."""
    r = draw(gens)
    module = {"app.py": source_file(r)}
    if draw(st.booleans()):
        module["util.py"] = source_file(r)
    if draw(_weighted((4, False), (1, True))):
        module["requirements.txt"] = text_file(r, "requirements")
    layout = draw(_weighted((3, "folder"), (2, "zip"), (1, "file")))
    files: list[tuple[str, bytes]] = []
    zips: list[tuple[str, tuple[ZipMember, ...]]] = []
    if layout == "folder":
        files += [(f"fn/{name}", data) for name, data in module.items()]
        argv = ["check", "fn"]
    elif layout == "zip":
        data, members = good_zip(module)
        files.append(("function.zip", data))
        zips.append(("function.zip", members))
        argv = ["check", "function.zip"]
    else:
        files.append(("app.py", module["app.py"]))
        argv = ["check", "app.py"]
    if draw(_weighted((4, False), (1, True))):
        data, members = good_zip(DEPS_LAYER)
        files.append(("deps-layer.zip", data))
        zips.append(("deps-layer.zip", members))
        argv += ["--layer", "deps-layer.zip"]
    argv += draw(target_flags())
    return Project("source", tuple(argv), tuple(files), zips=tuple(zips))


# ---- templates ---------------------------------------------------------------------------
# Random CloudFormation shapes as Hypothesis strategies (test_templates_generated.py).

KEYS = ["Resources", "Type", "Properties", "Runtime", "Handler", "CodeUri", "Code", "Layers",
        "Events", "Environment", "Variables", "Globals", "Function", "Conditions",
        "Parameters", "Default", "Mappings", "Metadata", "BuildMethod", "Architectures",
        "PackageType", "ImageConfig", "Command", "Filter", "S3Key", "Rules", "Name", "Value",
        "Bucket", "FunctionName", "EventSourceArn", "StartingPosition", "ContentUri",
        "CompatibleRuntimes", "Dockerfile", "DockerContext", "Transform", "X"]
SCALARS = ["AWS::Serverless::Function", "AWS::Lambda::Function",
           "AWS::Serverless::LayerVersion", "AWS::Lambda::EventSourceMapping",
           "AWS::S3::Bucket", "AWS::Serverless-2016-10-31", "python3.12", "python3.9",
           "nodejs20.x", "app.handler", "run.sh", "Image", "S3", "Api", "SQS", "prefix",
           ".", "src", "../..", "/etc", "s3://bucket/key", "arm64", "x86_64", "LATEST",
           "Fn", "Cond", "Param", "PYTHONPATH", "${Fn}", "${AWS::Region}", "${!Literal}",
           "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312"
           "-arm64:3", "", "0", "1", "true"]
FUNCTIONS = ["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "Fn::Select",
             "Fn::Split", "Fn::FindInMap", "Fn::Base64", "Fn::Equals", "Fn::Not", "Fn::And",
             "Fn::Or", "Condition", "Fn::ImportValue", "Fn::Unknown"]

values = st.recursive(
    st.sampled_from(SCALARS) | st.integers(-3, 3) | st.none() | st.booleans(),
    lambda inner: (st.lists(inner, max_size=4)
                   | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
                   | st.builds(lambda f, v: {f: v}, st.sampled_from(FUNCTIONS), inner)),
    max_leaves=40)

templates = st.fixed_dictionaries(
    {"Resources": st.dictionaries(st.sampled_from(["Fn", "Layer", "Bucket", "Cond", "Map"]),
                                  st.fixed_dictionaries({"Type": st.sampled_from(SCALARS),
                                                         "Properties": values}),
                                  max_size=4)},
    optional={"Globals": st.fixed_dictionaries({"Function": values}),
              "Conditions": st.dictionaries(st.sampled_from(["Cond", "Other"]), values,
                                            max_size=2),
              "Parameters": st.dictionaries(st.sampled_from(["Param", "Fn"]), values,
                                            max_size=2),
              "Mappings": values, "Transform": values})

# The same from a seed, and realistic SAM/CloudFormation: the properties discovery reads,
# each a plain value or an intrinsic (sometimes a broken one) that resolves, or not, to one.


def random_value(r: Gen, depth: int = 3) -> Any:
    if depth <= 0 or r.chance(0.4):
        return r.pick((6, r.choice(SCALARS)), (1, r.randint(-3, 3)), (1, None),
                      (1, r.chance(0.5)), (1, r.text(8)))
    form = r.pick((2, "list"), (2, "dict"), (2, "intrinsic"))
    if form == "list":
        return [random_value(r, depth - 1) for _ in range(r.randint(0, 4))]
    if form == "dict":
        return {r.choice(KEYS): random_value(r, depth - 1) for _ in range(r.randint(0, 5))}
    return {r.choice(FUNCTIONS): random_value(r, depth - 1)}


LOGICAL_IDS = ["Fn", "Other", "DepsLayer", "Layer2", "Bucket", "Queue", "Stage", "Runtime",
               "IsProd", "Map", "AWS::Region", "Missing"]
CODE_PATHS = ["src", "src/", "./src", "src/app.py", "dist/fn.zip", "dist/broken.zip",
              "layer", "layer/", "layers/deps", "missing", "missing.zip", "../outside",
              "/etc", ".", "", "s3://bucket/key.zip", "src/../src", "link-out", "ф"]
LAYER_ARNS = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-"
              "python312-x86_64:7", "arn:aws:lambda:eu-west-1:770693421928:layer:Klayers-"
              "p312-arm64-pillow:1", "arn:aws:lambda:us-east-1:123456789012:layer:mine:1",
              "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38",
              "not-an-arn", "arn:aws:lambda:::layer::"]
SUB_STRINGS = ["${Stage}", "${AWS::Region}", "app-${Stage}", "${Fn.Arn}", "${!Literal}",
               "${", "${Missing}", "arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:"
               "layer:AWSLambdaPowertoolsPythonV3-python312-arm64:${Version}", "python3.${Minor}"]


def intrinsic(r: Gen, inner: Callable[[], Any]) -> Any:
    """An intrinsic function call whose arguments may be ``inner()``."""
    ids = LOGICAL_IDS
    return [
        lambda: {"Ref": r.choice(ids)},
        lambda: {"Fn::GetAtt": [r.choice(ids), r.choice(["Arn", "Name", "LayerVersionArn"])]},
        lambda: {"Fn::GetAtt": r.choice(ids) + ".Arn"},
        lambda: {"Fn::Sub": r.choice(SUB_STRINGS)},
        lambda: {"Fn::Sub": [r.choice(SUB_STRINGS),
                             {r.choice(["Stage", "Version", "Minor"]): inner()
                              for _ in range(r.randint(0, 2))}]},
        lambda: {"Fn::If": [r.choice(["IsProd", "Missing"]), inner(),
                            inner() if r.chance(0.7) else {"Ref": "AWS::NoValue"}]},
        lambda: {"Fn::Join": [r.choice(["", ":", "/"]), [inner()
                                                          for _ in range(r.randint(0, 3))]]},
        lambda: {"Fn::Select": [r.randint(-1, 3), [inner() for _ in range(r.randint(0, 3))]
                                if r.chance(0.7) else inner()]},
        lambda: {"Fn::Split": [r.choice([",", ""]), inner()]},
        lambda: {"Fn::FindInMap": ["Map", "us-east-1", r.choice(["Runtime", "Handler", "X"])]},
        lambda: {r.choice(FUNCTIONS): inner()},
        lambda: {"Ref": "AWS::NoValue"},
    ][r.randrange(12)]()


def plain_or_intrinsic(r: Gen, plain: Callable[[], Any]) -> Any:
    return r.pick((6, plain), (2, lambda: intrinsic(r, plain)),
                  (1, lambda: random_value(r)))()


def function_properties(r: Gen) -> dict[str, Any]:
    def maybe(probability: float, plain: Callable[[], Any]) -> Any:
        return plain_or_intrinsic(r, plain) if r.chance(probability) else _ABSENT

    properties = {
        "CodeUri": maybe(0.8, lambda: r.choice(CODE_PATHS) if r.chance(0.9) else
                         {"Bucket": "b", "Key": r.choice(["k.zip", "src"])}),
        "Handler": maybe(0.8, lambda: r.choice(HANDLERS)),
        "Runtime": maybe(0.7, lambda: r.choice(RUNTIMES + ODD_RUNTIMES + ["3.10"])),
        "Layers": maybe(0.5, lambda: [plain_or_intrinsic(r, lambda: r.choice(LAYER_ARNS) if
                                                         r.chance(0.5) else
                                                         {"Ref": r.choice(LOGICAL_IDS)})
                                      for _ in range(r.randint(0, 7))]),
        "Architectures": maybe(0.3, lambda: r.some(["x86_64", "arm64", "aarch64"], 2)),
        "Environment": maybe(0.3, lambda: {"Variables": {
            r.choice(["PYTHONPATH", "STAGE", "AWS_LAMBDA_EXEC_WRAPPER", "BIG", "BUCKET"]):
            plain_or_intrinsic(r, lambda: r.choice(["/opt/python", "x", "", "x" * 5000]))
            for _ in range(r.randint(0, 4))}}),
        "Events": maybe(0.3, lambda: {r.choice(["Upload", "Queue", "Api"]): {
            "Type": r.choice(["S3", "SQS", "Api", "Schedule", "X"]),
            "Properties": {"Bucket": plain_or_intrinsic(r, lambda: "my-bucket"),
                           "Queue": intrinsic(r, lambda: "Queue"),
                           "Events": "s3:ObjectCreated:*"}} for _ in range(r.randint(0, 2))}),
        "PackageType": maybe(0.1, lambda: r.choice(["Zip", "Image", "zip"])),
        "ImageConfig": maybe(0.1, lambda: {"Command": r.some(HANDLERS, 2)}),
        "FunctionName": maybe(0.2, lambda: r.choice(["fn", "my-fn"])),
        "Code": maybe(0.2, lambda: r.choice(CODE_PATHS) if r.chance(0.5) else
                      {"ZipFile": "def handler(e, c): pass", "S3Bucket": "b", "S3Key": "k"}),
    }
    return {key: value for key, value in properties.items() if value is not _ABSENT}


_ABSENT = object()


def layer_properties(r: Gen) -> dict[str, Any]:
    properties = {
        "ContentUri": plain_or_intrinsic(r, lambda: r.choice(CODE_PATHS)),
        "Content": plain_or_intrinsic(r, lambda: r.choice(CODE_PATHS)),
        "CompatibleRuntimes": plain_or_intrinsic(r, lambda: r.some(RUNTIMES + ODD_RUNTIMES,
                                                                   3)),
        "CompatibleArchitectures": plain_or_intrinsic(r, lambda: r.some(ARCHITECTURES, 2)),
        "LayerName": "deps"}
    return {key: value for key, value in properties.items() if r.chance(0.6)}


def metadata(r: Gen) -> dict[str, Any]:
    return {key: value for key, value in {
        "BuildMethod": r.choice(["python3.12", "python3.9", "makefile", "esbuild", ""]),
        "Dockerfile": r.choice(["Dockerfile", "missing/Dockerfile", "../Dockerfile"]),
        "DockerContext": r.choice([".", "src", "missing"]),
        "BuildProperties": random_value(r)}.items() if r.chance(0.4)}


def resource(r: Gen) -> Any:
    kind = r.pick((6, "function"), (3, "layer"), (1, "other"), (1, "random"))
    if kind == "function":
        value = {"Type": r.choice(["AWS::Serverless::Function", "AWS::Lambda::Function"]),
                 "Properties": function_properties(r)}
    elif kind == "layer":
        value = {"Type": r.choice(["AWS::Serverless::LayerVersion",
                                   "AWS::Lambda::LayerVersion"]),
                 "Properties": layer_properties(r)}
    elif kind == "other":
        value = {"Type": r.choice(["AWS::S3::Bucket", "AWS::SQS::Queue",
                                   "AWS::Lambda::EventSourceMapping",
                                   "AWS::Serverless::Application"]),
                 "Properties": random_value(r)}
    else:
        return random_value(r)
    if r.chance(0.3):
        value["Metadata"] = metadata(r)
    if r.chance(0.1):
        value["Condition"] = r.choice(["IsProd", "Missing"])
    return value


def sam_template(r: Gen) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if r.chance(0.5):
        document["AWSTemplateFormatVersion"] = r.choice(["2010-09-09", "2099-01-01"])
    if r.chance(0.7):
        document["Transform"] = r.pick(
            (6, "AWS::Serverless-2016-10-31"),
            (1, ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]),
            (1, random_value(r)))
    if r.chance(0.3):
        document["Parameters"] = {name: {"Type": "String", "Default": random_value(r, 1)}
                                  for name in r.some(["Stage", "Runtime", "Version"], 3)}
    if r.chance(0.2):
        document["Conditions"] = {name: intrinsic(r, lambda: random_value(r, 1))
                                  for name in r.some(["IsProd", "Other"], 2)}
    if r.chance(0.2):
        document["Mappings"] = {"Map": {"us-east-1": {"Runtime": "python3.12",
                                                      "Handler": "app.handler"}}}
    if r.chance(0.4):
        document["Globals"] = {"Function": function_properties(r)}
        if r.chance(0.2):
            document["Globals"]["LayerVersion"] = layer_properties(r)
    document["Resources"] = {r.choice(LOGICAL_IDS[:6]): resource(r)
                             for _ in range(r.randint(0, 5))}
    return document


SHORT_TAGS = {"Ref": "!Ref", "Condition": "!Condition"} | {
    f"Fn::{name}": f"!{name}" for name in ("Sub", "GetAtt", "Join", "If", "Select", "Split",
                                          "FindInMap", "ImportValue", "Base64", "Equals",
                                          "Not", "And", "Or", "GetAZs", "Cidr", "Unknown")}


def _flow(value: Any, short: bool) -> str:
    if isinstance(value, dict):
        if short and len(value) == 1:
            [(key, argument)] = value.items()
            if key in SHORT_TAGS:
                if key == "Fn::GetAtt" and isinstance(argument, list) and \
                        all(isinstance(a, str) for a in argument):
                    return f"{SHORT_TAGS[key]} {'.'.join(argument)}"
                return f"{SHORT_TAGS[key]} {_flow(argument, short)}"
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_flow(v, short)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, short) for v in value) + "]"
    return json.dumps(value)


def _is_tag(value: Any, short: bool) -> bool:
    return short and isinstance(value, dict) and len(value) == 1 and \
        next(iter(value)) in SHORT_TAGS


def to_yaml(value: Any, short: bool, indent: int = 0) -> str:
    """Block mappings down to intrinsics and lists, flow style below (short tags optional)."""
    pad = "  " * indent
    if not isinstance(value, dict) or not value or _is_tag(value, short):
        return pad + _flow(value, short)
    lines = []
    for key, item in value.items():
        if isinstance(item, dict) and item and indent < 6 and not _is_tag(item, short):
            lines.append(f"{pad}{json.dumps(str(key))}:\n{to_yaml(item, short, indent + 1)}")
        elif isinstance(item, list) and item and indent < 6:
            lines.append(f"{pad}{json.dumps(str(key))}:")
            lines += [f"{pad}  - {_flow(element, short)}" for element in item]
        else:
            lines.append(f"{pad}{json.dumps(str(key))}: {_flow(item, short)}")
    return "\n".join(lines)


def alias_bomb(depth: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, depth + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + (
        "\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        f"      Layers: *a{depth}\n      Environment: {{Variables: {{X: *a{depth}}}}}\n")


RECURSIVE_ALIASES = ("Resources: &r\n  Fn:\n    Type: AWS::Serverless::Function\n"
                     "    Properties: &p\n      CodeUri: src\n      Layers: &l [*l]\n"
                     "      Environment: *p\n      Events: *r\n")


def template_file(r: Gen) -> tuple[str, bytes]:
    """A template's name and text."""
    shape = r.pick((8, "sam"), (2, "random"), (1, "bomb"), (1, "deep"), (1, "recursive"))
    syntax = r.pick((4, "yaml-short"), (2, "yaml-long"), (3, "json"))
    if shape in ("sam", "random"):
        document = sam_template(r) if shape == "sam" else \
            {"Resources": {r.choice(["Fn", "Layer", "Bucket"]): {
                "Type": r.choice(SCALARS), "Properties": random_value(r)}
                for _ in range(r.randint(0, 4))},
             "Globals": {"Function": random_value(r)}}
        if syntax == "json":
            text = json.dumps(document, indent=r.choice([None, 2]))
        else:
            text = to_yaml(document, short=syntax == "yaml-short") + "\n"
    elif shape == "bomb":
        text, syntax = alias_bomb(r.randint(1, 12), r.randint(1, 12)), "yaml"
    elif shape == "deep":
        depth = r.randint(1, 100) if r.chance(0.5) else r.randint(100, 20000)
        text = ('{"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": '
                '{"Handler": ' + "[" * depth + "]" * depth + "}}}}")
        syntax = "json"
    else:
        text, syntax = RECURSIVE_ALIASES, "yaml"
    data = utf8(text)
    if r.chance(0.15):
        for _ in range(r.randint(1, 3)):
            where = r.randint(0, len(data))
            replacement = r.binary(3)
            data = data[:where] + replacement + data[where + len(replacement):]
    if syntax == "json":
        return r.pick((3, "template.json"), (1, "stack.template")), data
    return r.pick((3, "template.yaml"), (1, "template.yml"), (1, "stack.yaml")), data


# ---- serverless.yml and Dockerfiles ------------------------------------------------------

SLS_VARIABLES = ["${opt:stage, 'dev'}", "${self:custom.runtime}", "${env:RUNTIME}",
                 "${file(./config.yml):runtime}", "${sls:stage}", "${ssm:/x}", "${self:}",
                 "${self:custom.${opt:stage}}", "${", "${cf:stack.Output}", "${aws:region}",
                 "${self:provider.runtime, 'python3.12'}", "${self:custom.loop}"]


def sls_value(r: Gen, depth: int = 2) -> Any:
    if depth <= 0 or r.chance(0.5):
        return r.choice(SCALARS + SLS_VARIABLES + RUNTIMES + HANDLERS)
    if r.chance(0.5):
        return [sls_value(r, depth - 1) for _ in range(r.randint(0, 3))]
    return {r.choice(["handler", "runtime", "layers", "path", "artifact", "patterns", "Ref",
                      "Fn::GetAtt", "image", "name", "package", "x"]): sls_value(r, depth - 1)
            for _ in range(r.randint(0, 4))}


def sls_function(r: Gen) -> dict[str, Any]:
    properties = {
        "handler": r.choice([*HANDLERS, "src/app.handler", "src/app.lambda_handler",
                             "${self:custom.handler}"]),
        "runtime": r.choice(RUNTIMES + ODD_RUNTIMES + SLS_VARIABLES),
        "architecture": r.choice([*ARCHITECTURES, "${opt:arch}"]),
        "layers": r.some([*LAYER_ARNS, {"Ref": "DepsLambdaLayer"}, "${self:custom.layer}"], 3),
        "package": {key: value for key, value in {
            "artifact": r.choice(["dist/fn.zip", "missing.zip", "../x.zip"]),
            "patterns": r.some(["!**", "src/**", "!tests/**", "[", "**/*.py"], 3),
            "individually": r.chance(0.5)}.items() if r.chance(0.5)},
        "image": sls_value(r),
        "environment": {r.choice(["PYTHONPATH", "X"]): r.choice(["/opt", "${env:X}"])
                        for _ in range(r.randint(0, 2))},
        "events": sls_value(r)}
    return {key: value for key, value in properties.items() if r.chance(0.5)}


def serverless_document(r: Gen) -> dict[str, Any]:
    document: dict[str, Any] = {
        "service": r.choice(["svc", "${self:custom.name}", ""]),
        "provider": {"name": r.choice(["aws", "aws", "azure"])} | {
            key: value for key, value in {
                "runtime": r.choice(RUNTIMES + SLS_VARIABLES),
                "architecture": r.choice(ARCHITECTURES),
                "layers": r.some(LAYER_ARNS, 2),
                "environment": {r.choice(["PYTHONPATH", "STAGE"]): r.choice(["/opt", "${x}"])}
            }.items() if r.chance(0.5)},
        "functions": {r.choice(["api", "worker", "${x}"]): sls_function(r)
                      for _ in range(r.randint(0, 3))} if r.chance(0.9) else sls_value(r)}
    if r.chance(0.5):
        document["custom"] = {"runtime": "python3.12", "handler": "src/app.handler",
                              "loop": "${self:custom.loop}", "name": "svc"} \
            if r.chance(0.7) else sls_value(r)
    if r.chance(0.3):
        document["package"] = {"patterns": r.some(["!**", "src/**", "!node_modules/**"], 3),
                               "artifact": r.choice(["dist/fn.zip", "missing.zip"])}
    if r.chance(0.3):
        document["layers"] = {r.choice(["deps", "x"]): {
            "path": r.choice(CODE_PATHS), "compatibleRuntimes": r.some(RUNTIMES, 2)}}
    if r.chance(0.3):
        document["plugins"] = r.some(["serverless-python-requirements", "x"], 2)
    if r.chance(0.2):
        document["resources"] = random_value(r)
    return document


DOCKER_BASES = ["public.ecr.aws/lambda/python:3.12", "public.ecr.aws/lambda/python:3.9-arm64",
                "public.ecr.aws/lambda/python:${PYTHON_VERSION}",
                "--platform=linux/arm64 public.ecr.aws/lambda/python:3.13",
                "python:3.12-alpine", "python:3.11-slim AS build", "build", "scratch",
                "amazonlinux:2023", "${BASE}", ""]
DOCKER_LINES = ["ARG PYTHON_VERSION=3.12", "ARG BASE", "ENV PYTHONPATH=/opt",
                "WORKDIR ${LAMBDA_TASK_ROOT}", "COPY src/ ${LAMBDA_TASK_ROOT}/",
                "COPY requirements.txt .", "COPY --from=build /x /y", "COPY . .",
                "ADD dist/fn.zip /var/task", "COPY missing/ ./",
                "RUN pip install -r requirements.txt --target \"${LAMBDA_TASK_ROOT}\"",
                "RUN pip install \\\n    requests", "# syntax=docker/dockerfile:1",
                "# escape=`", "COPY <<EOF app.py\nx = 1\nEOF",
                'ENTRYPOINT ["/lambda-entrypoint.sh"]', "USER nobody", "\\", "",
                "ONBUILD COPY . ."]
DOCKER_COMMANDS = ['["app.handler"]', "app.handler", '["src.app.handler"]', '["', "[]",
                   '["app.handler", "x"]']


def dockerfile(r: Gen) -> bytes:
    lines = [r.pick((2, lambda: f"FROM {r.choice(DOCKER_BASES)}"),
                    (4, lambda: r.choice(DOCKER_LINES)),
                    (1, lambda: f"CMD {r.choice(DOCKER_COMMANDS)}"),
                    (1, lambda: f"{r.choice(['RUN', 'COPY', 'FROM', 'ARG', 'ENV', 'CMD'])} "
                                f"{r.text(20)}"))()
             for _ in range(r.randint(1, 10))]
    return utf8("\n".join(lines))


@st.composite
def projects(draw: Draw) -> Project:
    """A project folder described by a template, serverless.yml or Dockerfile, with the
    code folders and zips it may point at (or not)."""
    r = draw(gens)
    files: list[tuple[str, bytes]] = []
    links: list[tuple[str, str]] = []
    zips: list[tuple[str, tuple[ZipMember, ...]]] = []
    if draw(_weighted((4, True), (1, False))):
        files.append(("src/app.py", HANDLER if r.chance(0.5) else python_module(r)))
        if r.chance(0.5):
            files.append(("src/requirements.txt", text_file(r, "requirements")))
    if draw(st.booleans()):
        files += [("layer/python/helpers.py", b"X = 1\n"),
                  ("layers/deps/requests/__init__.py", b"")]
    if draw(st.booleans()):
        data, members = good_zip({"app.py": HANDLER, "requests/__init__.py": b""})
        files.append(("dist/fn.zip", data))
        zips.append(("dist/fn.zip", members))
    if draw(_weighted((3, False), (1, True))):
        data, members = zip_file(r, layer=False)
        files.append(("dist/broken.zip", data))
        zips.append(("dist/broken.zip", members))
    if draw(_weighted((4, False), (1, True))):
        links.append(("link-out", "/etc"))
    described = draw(_weighted((6, "template"), (2, "serverless"), (1, "dockerfile"),
                               (1, "template+dockerfile")))
    argv = ["check"]
    if described.startswith("template"):
        name, data = template_file(r)
        files.append((name, data))
        if draw(_weighted((3, True), (1, False))):
            argv.append(name)
    if described == "serverless":
        document = serverless_document(r)
        text = to_yaml(document, short=True) + "\n" if r.chance(0.75) else \
            json.dumps(document)
        files.append((r.pick((4, "serverless.yml"), (1, "serverless.yaml")), utf8(text)))
    if described.endswith("dockerfile"):
        files.append(("Dockerfile", dockerfile(r)))
    argv += draw(target_flags(handler=False)) if draw(st.booleans()) else \
        ["--today", REFERENCE_DAY]
    return Project("project", tuple(argv), tuple(files), tuple(links), tuple(zips))


KINDS: dict[str, st.SearchStrategy[Project]] = {
    "archives": archives(), "sources": sources(), "projects": projects()}
