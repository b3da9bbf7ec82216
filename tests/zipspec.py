"""Build the deployments written in rule documentation as real zips, and run lambdalint on them.

A ``deployment`` block looks like::

    lambdalint check --runtime python3.12 layer.zip
    layer.zip:
        requests/__init__.py
        app.py  mode=0600
        big.bin  size=300M
        .env  text=AWS_SECRET_ACCESS_KEY=...
        escape  link=../../etc/passwd
        legacy.pyc  pyc=3.11
        data/
    broken.zip:  text=this is not a zip

A plain file (a template, a Dockerfile, a module beside a template) is written as it is:
``name:  text=…`` on one line, or ``name: |`` followed by its indented lines, in which
``<N chars of c>`` stands for the character ``c`` repeated N times (a 4 KB value in a page)::

    template.yaml: |
        Resources:
          Fn:
            Type: AWS::Serverless::Function

Attributes: ``mode=`` (octal Unix mode), ``size=`` (zero bytes, K/M suffix), ``stored``
(no compression), ``text=`` (the rest of the line is the content; ``\\n`` for newlines),
``link=`` (a symlink), ``pyc=X.Y`` (bytecode header of that Python), ``encrypted`` (flag bit).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import struct
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint.cli import main

EPOCH = (1980, 1, 1, 0, 0, 0)
PYC_MAGIC = {"3.8": 3413, "3.9": 3425, "3.10": 3439, "3.11": 3495, "3.12": 3531,
             "3.13": 3571, "3.14": 3627}


@dataclass
class Entry:
    name: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class ArtifactSpec:
    name: str
    entries: list[Entry] = field(default_factory=list)
    raw: str | None = None


@dataclass
class Spec:
    argv: list[str]
    artifacts: list[ArtifactSpec]


def parse(block: str) -> Spec:
    # A command may continue on the next line after a backslash, as in a shell.
    block = block.replace("\\\n", " ")
    lines = [line.rstrip() for line in block.strip("\n").splitlines() if line.strip()]
    command = shlex.split(lines[0])
    assert command[:1] == ["lambdalint"], f"example must start with a command: {lines[0]}"
    artifacts: list[ArtifactSpec] = []
    block: list[str] | None = None  # the lines of a `name: |` file
    for line in lines[1:]:
        if not line.startswith((" ", "\t")):
            if block is not None:
                artifacts[-1].raw = _block(block)
                block = None
            name, _, rest = line.partition(":")
            spec = ArtifactSpec(name.strip())
            rest = rest.strip()
            if rest.startswith("text="):
                spec.raw = rest[len("text="):].replace("\\n", "\n")
            elif rest == "|":
                block = []
            artifacts.append(spec)
            continue
        if block is not None:
            block.append(line)
            continue
        artifacts[-1].entries.append(_entry(line.strip()))
    if block is not None:
        artifacts[-1].raw = _block(block)
    return Spec(command[1:], artifacts)


def _block(lines: list[str]) -> str:
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    text = "\n".join(line[indent:] for line in lines) + "\n"
    return re.sub(r"<(\d+) chars of (.)>", lambda m: m.group(2) * int(m.group(1)), text)


def _entry(text: str) -> Entry:
    name, _, rest = text.partition("  ")
    attrs: dict[str, str] = {}
    rest = rest.strip()
    while rest:
        if rest.startswith("text="):
            attrs["text"] = rest[len("text="):].replace("\\n", "\n")
            break
        word, _, rest = rest.partition(" ")
        key, _, value = word.partition("=")
        attrs[key] = value
        rest = rest.strip()
    return Entry(name.strip(), attrs)


def _size(text: str) -> int:
    units = {"K": 1024, "M": 1024 * 1024}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def build(spec: Spec, folder: Path) -> None:
    for artifact in spec.artifacts:
        path = folder / artifact.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if artifact.raw is not None:
            path.write_text(artifact.raw)
            continue
        write_zip(path, artifact.entries)


def write_zip(path: Path, entries: list[Entry]) -> None:
    with zipfile.ZipFile(path, "w") as archive, warnings.catch_warnings():
        # Duplicate names are what some examples are about (LL105).
        warnings.simplefilter("ignore", UserWarning)
        for entry in entries:
            _add(archive, entry)
    encrypted = [e.name for e in entries if "encrypted" in e.attrs]
    if encrypted:
        _set_encrypted_flag(path, encrypted)


def _add(archive: zipfile.ZipFile, entry: Entry) -> None:
    attrs = entry.attrs
    info = zipfile.ZipInfo(entry.name, EPOCH)
    info.create_system = 3
    is_dir = entry.name.endswith("/")
    if "link" in attrs:
        mode = 0o120777
    else:
        mode = int(attrs.get("mode", "0755" if is_dir else "0644"), 8)
        mode |= 0o040000 if is_dir else 0o100000
    info.external_attr = (mode << 16) | (0x10 if is_dir else 0)
    info.compress_type = zipfile.ZIP_STORED if ("stored" in attrs or is_dir) \
        else zipfile.ZIP_DEFLATED
    if "size" in attrs:
        _add_zeros(archive, info, _size(attrs["size"]))
        return
    archive.writestr(info, _content(entry))


def _content(entry: Entry) -> bytes:
    attrs = entry.attrs
    if "link" in attrs:
        return attrs["link"].encode()
    if "text" in attrs:
        return attrs["text"].encode()
    if "pyc" in attrs:
        return struct.pack("<H", PYC_MAGIC[attrs["pyc"]]) + b"\r\n" + bytes(12) + b"\xe3"
    if entry.name.endswith(".py"):
        return b"# generated for a lambdalint example\n"
    return b"" if entry.name.endswith("/") else b"x"


def _add_zeros(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> None:
    chunk = bytes(1024 * 1024)
    with archive.open(info, "w", force_zip64=size > 0x7FFFFFFF) as stream:
        left = size
        while left:
            step = min(left, len(chunk))
            stream.write(chunk[:step])
            left -= step


def _set_encrypted_flag(path: Path, names: list[str]) -> None:
    """Set the 'encrypted' bit on entries (their data stay readable: enough for a flag test)."""
    data = bytearray(path.read_bytes())
    for signature, flag_offset, name_len_offset, header in ((b"PK\x03\x04", 6, 26, 30),
                                                            (b"PK\x01\x02", 8, 28, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_len_offset)[0]
            name = bytes(data[at + header:at + header + length]).decode()
            if name in names:
                flags = struct.unpack_from("<H", data, at + flag_offset)[0] | 0x1
                struct.pack_into("<H", data, at + flag_offset, flags)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


@contextlib.contextmanager
def chdir(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def rules(self) -> list[str]:
        return [f["rule"] for f in self.json["findings"]]


def run_cli(argv: list[str], folder: Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def run_example(block: str, folder: Path, *extra: str) -> Run:
    spec = parse(block)
    build(spec, folder)
    argv = [*spec.argv, "--format", "json", "--today", "2026-11-21", *extra]
    return run_cli(argv, folder)
