"""The deployments written in rule documentation: parsed, built as real files, run, rendered.

Each rule's docstring shows what it catches as a ``deployment`` block: the command, then
the files it reads. The same text is built into real zips and files by the tests (the bad
example must fire the rule, the good one must not) and rendered by ``Rule.page`` as ordinary
Markdown (a listing of each zip, each file's content, the command and what it prints), so
the documentation cannot drift from the behaviour. A block looks like::

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

The first line is the command (it may continue on the next line after a backslash, as in
a shell). A name followed by indented lines is a zip and those lines its entries, in order
(a name may repeat, or climb out with ``..``: some rules are about such archives). A plain
file (a template, a Dockerfile, a module beside a template) is written as it is:
``name:  text=…`` on one line, or ``name: |`` followed by its indented lines, in which
``<N chars of c>`` stands for the character ``c`` repeated N times (a 4 KB value in a page)::

    template.yaml: |
        Resources:
          Fn:
            Type: AWS::Serverless::Function

Entry attributes: ``mode=`` (octal Unix mode), ``size=`` (that many zero bytes, K/M
suffix), ``stored`` (no compression), ``text=`` (the rest of the line is the content;
``\\n`` for newlines), ``link=`` (a symlink to that target), ``pyc=X.Y`` (the bytecode
header of that Python), ``encrypted`` (the entry's encryption flag bit).

Building writes only inside the folder it is given: a plain file's name may not be
absolute, climb out with ``..`` or go through a symbolic link. Zip entry names are not
files on disk and are written as given.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from lambdalint.records import field, record

EPOCH = (1980, 1, 1, 0, 0, 0)
PYC_MAGIC = {"3.8": 3413, "3.9": 3425, "3.10": 3439, "3.11": 3495, "3.12": 3531,
             "3.13": 3571, "3.14": 3627}
# The date examples are judged against when their output depends on the date (a
# deprecated runtime): the tests pass it too, and a page that needs it shows it.
REFERENCE_DAY = "2026-11-21"
_EARLIEST_DAY = "0001-01-01"
# The folder an example is run in, as it appears in findings about a folder's deployment.
EXAMPLE_FOLDER = "my-function"
_PLACEHOLDER = re.compile(r"<(\d+) chars of (.)>")


@record
class Entry:
    """One zip entry: its name and attributes (``mode``, ``size``, ``text``, …)."""

    name: str
    attrs: dict[str, str] = field(default_factory=dict)


@record
class ArtifactSpec:
    """A file of the example: a zip of ``entries``, or a plain file whose content is ``raw``
    (``shown`` is that content as a page shows it, placeholders not expanded)."""

    name: str
    entries: list[Entry] = field(default_factory=list)
    raw: str | None = None
    shown: str | None = None


@record
class Spec:
    """A parsed ``deployment`` block: the command's words after ``lambdalint``, and the
    files."""

    argv: list[str]
    artifacts: list[ArtifactSpec]


# -- parsing -------------------------------------------------------------------------------


def parse(block: str) -> Spec:
    """The block's command and files (see the module's documentation for the notation)."""
    # A command may continue on the next line after a backslash, as in a shell.
    block = block.replace("\\\n", " ")
    lines = [line.rstrip() for line in block.strip("\n").splitlines() if line.strip()]
    if not lines:
        raise ValueError("empty deployment block")
    command = shlex.split(lines[0])
    if command[:1] != ["lambdalint"]:
        raise ValueError(f"a deployment block must start with a lambdalint command: {lines[0]}")
    artifacts: list[ArtifactSpec] = []
    literal: list[str] | None = None  # the lines of a `name: |` file
    for line in lines[1:]:
        if not line.startswith((" ", "\t")):
            if literal is not None:
                _set_literal(artifacts[-1], literal)
                literal = None
            name, _, rest = line.partition(":")
            spec = ArtifactSpec(name.strip())
            rest = rest.strip()
            if rest.startswith("text="):
                spec.raw = spec.shown = rest[len("text="):].replace("\\n", "\n")
            elif rest == "|":
                literal = []
            artifacts.append(spec)
            continue
        if not artifacts:
            raise ValueError(f"an indented line before any file: {line.strip()}")
        if literal is not None:
            literal.append(line)
            continue
        artifacts[-1].entries.append(_entry(line.strip()))
    if literal is not None:
        _set_literal(artifacts[-1], literal)
    return Spec(command[1:], artifacts)


def _set_literal(artifact: ArtifactSpec, lines: list[str]) -> None:
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    text = "\n".join(line[indent:] for line in lines) + "\n"
    artifact.shown = text
    artifact.raw = _PLACEHOLDER.sub(lambda m: m.group(2) * int(m.group(1)), text)


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


# -- building ------------------------------------------------------------------------------


def build(spec: Spec, folder: Path) -> None:
    """Write the block's zips and files into ``folder`` (and nowhere else)."""
    for artifact in spec.artifacts:
        path = inside(folder, artifact.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if artifact.raw is not None:
            path.write_bytes(artifact.raw.encode())
        else:
            write_zip(path, artifact.entries)


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refused unless it stays in ``folder``: no absolute name, no
    ``..``, no symbolic link on the way."""
    parts = PurePosixPath(name).parts
    if not name or "\\" in name or PurePosixPath(name).is_absolute() or \
            PureWindowsPath(name).drive or ".." in parts:
        raise ValueError(f"an example's file must stay in its folder: {name!r}")
    root = folder.resolve()
    path = root.joinpath(*parts)
    step = root
    for part in parts:
        step = step / part
        if step.is_symlink():
            raise ValueError(f"an example's file must not go through a link: {name!r}")
    if not path.resolve().is_relative_to(root):
        raise ValueError(f"an example's file must stay in its folder: {name!r}")
    return path


def write_zip(path: Path, entries: Sequence[Entry]) -> None:
    """A zip of these entries, in this order (a repeated name is written twice)."""
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


# -- running -------------------------------------------------------------------------------


@contextlib.contextmanager
def chdir(folder: Path) -> Iterator[None]:
    """Run with ``folder`` as the working directory (contextlib.chdir is Python 3.11+)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@record
class Run:
    """One in-process run of the command line."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def terminal(self) -> str:
        """What a terminal shows: lines on stderr (inputs lambdalint could not read) are
        written before the report."""
        return self.stderr + self.stdout


def run_cli(argv: Sequence[str], folder: Path) -> Run:
    """``lambdalint ARGV`` in ``folder``, its output captured (never a terminal, so never
    coloured)."""
    from lambdalint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


@record
class Shown:
    """An example's command as its page shows it, and what it prints (``None``: not run)."""

    argv: list[str]
    output: str | None = None


def run_shown(spec: Spec, folder: Path) -> Shown:
    """Build the example in ``folder`` and run it as its page shows it: with ``--quiet``
    (only the finding lines: the full report ends with a timing), and with
    ``--today REFERENCE_DAY`` only when the output depends on the date."""
    build(spec, folder)
    argv = list(spec.argv)
    if not {"-q", "--quiet"} & set(argv):
        argv.insert(1, "--quiet")
    with _no_color():
        if any(word == "--today" or word.startswith("--today=") for word in argv):
            return Shown(argv, _output(run_cli(argv, folder), folder))
        at = 2 if argv[1:2] in (["--quiet"], ["-q"]) else 1
        dated = [*argv[:at], "--today", REFERENCE_DAY, *argv[at:]]
        late = _output(run_cli(dated, folder), folder)
        early = _output(run_cli([*argv, "--today", _EARLIEST_DAY], folder), folder)
    # The same on the earliest day and on the reference day: the same on every day up to it
    # (a runtime's deprecation only ever adds findings).
    return Shown(argv, late) if late == early else Shown(dated, late)


def shown_output(block: str) -> Shown:
    """Run one ``deployment`` block in a temporary folder, as its page shows it. The folder
    is called ``EXAMPLE_FOLDER`` (a function defined by a Dockerfile is named after its
    folder), and the output must not name the temporary folder around it."""
    with tempfile.TemporaryDirectory(prefix="lambdalint-example-") as temp:
        folder = Path(temp) / EXAMPLE_FOLDER
        folder.mkdir()
        shown = run_shown(parse(block), folder)
    if shown.output and Path(temp).name in shown.output:
        raise RuntimeError(f"an example's output names its temporary folder: {shown.output}")
    return shown


@contextlib.contextmanager
def _no_color() -> Iterator[None]:
    before = os.environ.get("NO_COLOR")
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["NO_COLOR"]
        else:
            os.environ["NO_COLOR"] = before


def _output(run: Run, folder: Path) -> str:
    text = run.terminal
    for where in {str(folder), str(folder.resolve())}:
        if where in text:
            raise RuntimeError(f"an example's output names its temporary folder: {text}")
    return text


# -- rendering -----------------------------------------------------------------------------

_LANGUAGES = {".py": "python", ".pyi": "python", ".yaml": "yaml", ".yml": "yaml",
              ".toml": "toml", ".json": "json", ".cfg": "ini", ".ini": "ini", ".sh": "shell",
              ".md": "markdown"}
COMMAND_WIDTH = 88


def markdown(block: str, *, run: bool = False) -> str:
    """A ``deployment`` block as ordinary Markdown: a listing of each zip, each file with
    content under its name (a code block in its language), and the command as a console
    block; with ``run``, built and run in a temporary folder and followed by what it
    prints."""
    spec = parse(block)
    shown = shown_output(block) if run else Shown(list(spec.argv))
    return render(spec, shown)


def render(spec: Spec, shown: Shown) -> str:
    """The Markdown of a parsed block, with the command (and output) given."""
    parts: list[str] = []
    for artifact in spec.artifacts:
        if artifact.raw is not None:
            text = artifact.shown if artifact.shown is not None else artifact.raw
            parts.append(f"`{artifact.name}`:")
            parts.append(fenced(language(artifact.name), text))
            continue
        parts.append(fenced("text", listing(artifact)))
        for entry in artifact.entries:
            if "text" in entry.attrs:
                parts.append(f"`{entry.name}` in `{artifact.name}`:")
                parts.append(fenced(language(entry.name), entry.attrs["text"]))
    console = "$ " + command_line(["lambdalint", *shown.argv])
    if shown.output:
        console += "\n" + shown.output
    parts.append(fenced("console", console))
    if shown.output == "":
        parts.append("It prints nothing: no findings.")
    return "\n\n".join(parts)


def language(name: str) -> str:
    """The code-block language of a file, by its name."""
    base = PurePosixPath(name).name
    if base == "Dockerfile" or base.startswith("Dockerfile.") or base.endswith(".dockerfile"):
        return "dockerfile"
    return _LANGUAGES.get(PurePosixPath(base).suffix.lower(), "text")


def fenced(lang: str, text: str) -> str:
    """A fenced code block, its fence longer than any run of backticks in ``text``."""
    lines = [line.rstrip() for line in text.rstrip("\n").split("\n")]
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n" + "\n".join(lines) + f"\n{fence}"


def command_line(words: Sequence[str], width: int = COMMAND_WIDTH) -> str:
    """A command as a shell shows it, continued with a backslash past ``width``."""
    lines: list[str] = []
    line = ""
    for word in (shlex.quote(w) for w in words):
        if line and len(line) + 1 + len(word) > width - 2:
            lines.append(line + " \\")
            line = "    " + word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


@record
class _Node:
    label: str
    words: str = ""
    children: list[_Node] = field(default_factory=list)
    is_dir: bool = False


def listing(artifact: ArtifactSpec) -> str:
    """A zip's entries as a tree under its name, in order, a repeated entry shown each time,
    with the attributes that matter in words (``mode 0600``, ``300 MB``, ``symlink → …``).
    A name that climbs out (``../x``) or is absolute is shown whole, at the top."""
    root = _Node(artifact.name, is_dir=True)
    for entry in artifact.entries:
        words = attribute_words(entry.attrs)
        name = entry.name
        parts = [p for p in name.split("/") if p]
        if not parts or name.startswith("/") or "\\" in name or ".." in parts or \
                "." in parts:
            root.children.append(_Node(name, words, is_dir=name.endswith("/")))
            continue
        node = root
        for part in parts[:-1]:
            node = _directory(node, part)
        if name.endswith("/"):
            _directory(node, parts[-1]).words = words
        else:
            node.children.append(_Node(parts[-1], words))
    rows: list[tuple[str, str]] = [(root.label, "")]
    _rows(root, "", rows)
    width = max(len(text) for text, words in rows if words) if any(w for _, w in rows) else 0
    return "\n".join(f"{text:<{width}}  {words}" if words else text for text, words in rows)


def _directory(node: _Node, name: str) -> _Node:
    for child in node.children:
        if child.is_dir and child.label == name + "/":
            return child
    child = _Node(name + "/", is_dir=True)
    node.children.append(child)
    return child


def _rows(node: _Node, prefix: str, rows: list[tuple[str, str]]) -> None:
    for n, child in enumerate(node.children):
        last = n == len(node.children) - 1
        rows.append((f"{prefix}{'└── ' if last else '├── '}{child.label}", child.words))
        _rows(child, prefix + ("    " if last else "│   "), rows)


def attribute_words(attrs: dict[str, str]) -> str:
    """An entry's attributes as a listing says them: ``mode 0600``, ``300 MB``,
    ``symlink → ../../etc/passwd``, ``bytecode for Python 3.11``, ``encrypted``. Its text is
    shown apart, under its name."""
    words: list[str] = []
    if "link" in attrs:
        words.append(f"symlink → {attrs['link']}")
    if "mode" in attrs:
        words.append(f"mode {int(attrs['mode'], 8):04o}")
    if "size" in attrs:
        words.append(_size_words(attrs["size"]))
    if "stored" in attrs:
        words.append("not compressed")
    if "pyc" in attrs:
        words.append(f"bytecode for Python {attrs['pyc']}")
    if "encrypted" in attrs:
        words.append("encrypted")
    known = {"link", "mode", "size", "stored", "pyc", "encrypted", "text"}
    words += [f"{key} {value}".strip() for key, value in attrs.items() if key not in known]
    return ", ".join(words)


def _size_words(text: str) -> str:
    unit = text[-1].upper()
    if unit in ("K", "M"):
        return f"{text[:-1]} {unit}B"
    size = int(text)
    return f"{size} byte{'s' if size != 1 else ''}"
