"""A Dockerfile of a Lambda container-image function: base image, platform, handler, code.

The file is read as BuildKit reads it (parser directives, line continuations with the
``escape`` character, comment lines inside continuations, heredocs, ``ARG``/``ENV``
substitution with ``${VAR:-word}`` and its kin) by a small lexer written for this job:
every step is linear in the size of the file, nothing is run, nothing is written, and a
variable's value is stored already expanded, so ``ARG A=${A}`` or doubling chains cannot
recurse or grow without bound. A value that depends on the build (an ``ARG`` without a
default, ``$TARGETPLATFORM``, a variable the base image may set) is unknown, never guessed.

What the image is: the last stage (or the stage a template names), followed through
``FROM <earlier stage>`` to the image it is built on. From that base image come the runtime
(``public.ecr.aws/lambda/python:3.12`` → python3.12) and the architecture (a ``-arm64`` tag
or ``FROM --platform=linux/arm64``); from ``CMD`` the handler. The function's code is what
``COPY``/``ADD`` put into the task root (``$LAMBDA_TASK_ROOT``, ``/var/task``; for an image
that runs ``awslambdaric`` itself, its working folder), traced back to the project —
through ``COPY --from=<stage>`` too. A ``pip install -r requirements.txt`` into the task
root or the image's own site-packages makes the requirements count as provided.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path

from lambdalint.data import runtimes
from lambdalint.discover import Project, inside
from lambdalint.model.handler import module_candidates
from lambdalint.model.spec import (
    TEMPLATE,
    Discovery,
    FunctionSpec,
    ImageSpec,
    Origin,
    PackageFilter,
    SpecProblem,
    Value,
)
from lambdalint.records import field, record

MAX_BYTES = 1024 * 1024  # real Dockerfiles are a few KiB
MAX_INSTRUCTIONS = 5000
MAX_STAGES = 200
MAX_MOUNTS = 500  # COPY/ADD results followed per stage
MAX_WORD = 64 * 1024  # an expanded word or variable value; longer is unknown
MAX_NESTING = 8  # ${A:-${B:-…}}

TASK_ROOT = "/var/task"
SITE_PACKAGES = ""  # where a pip install without --target lands: the image's sys.path
# What the AWS base images set (aws-lambda-base-images, Dockerfile.python3.x).
LAMBDA_ENV = {"LAMBDA_TASK_ROOT": TASK_ROOT, "LAMBDA_RUNTIME_DIR": "/var/runtime"}
LAMBDA_ENTRYPOINT = "/lambda-entrypoint.sh"
# BuildKit's automatic platform arguments: known only when the image is built.
PLATFORM_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                 "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT")
INSTRUCTIONS = frozenset({"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV",
                          "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG",
                          "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"})
BUILD_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "awslambdaric"})  # not the app's
_CPU = {"amd64": "x86_64", "x86_64": "x86_64", "x86-64": "x86_64", "arm64": "arm64",
        "aarch64": "arm64"}

_SPACE = " \t\r\n\f\v"
_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$")
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_FIRST_WORD = re.compile(r"[^ \t\r\n\f\v]+")
_NAME = re.compile(r"[A-Za-z0-9_]*")
_OPERATOR = re.compile(r":[-+?]|[-+?]|##|#|%%|%|//|/")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z0-9_.-]+)\2")
_SEPARATORS = re.compile(r"&&|\|\||[;|&\n()]")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_LAMBDA_TAG = re.compile(r"(\d+)\.(\d+)(?:\.[0-9.]*)?(?:-(arm64|x86_64))?")
_LATEST_TAG = re.compile(r"latest(?:-(arm64|x86_64))?")
_PYTHON_TAG = re.compile(r"(\d+)\.(\d+)(?![0-9])")
_PIP = re.compile(r"pip(?:\d+(?:\.\d+)?)?")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?")


# ---- the image a FROM names ----------------------------------------------------------


@record(frozen=True)
class BaseImage:
    """What an image reference says by itself."""

    kind: str  # lambda (an AWS Python base image) | python (another Python image) | scratch
    # | other
    python: tuple[int, int] | None = None
    architecture: str | None = None  # x86_64 | arm64, from the tag or the repository
    note: str | None = None  # why the Python version could not be read

    @property
    def runtime(self) -> str | None:
        return f"python{self.python[0]}.{self.python[1]}" if self.python else None


def base_image(reference: str) -> BaseImage:
    """``public.ecr.aws/lambda/python:3.12-arm64`` → lambda, (3, 12), arm64."""
    name, _, digest = reference.strip().partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    repository, tag = (name[:colon], name[colon + 1:]) if colon > slash else (name, "")
    repository = repository.lower()
    if repository == "scratch":
        return BaseImage("scratch")
    parts = repository.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, parts = parts[0], parts[1:]
    hub = registry in (None, "docker.io", "index.docker.io", "registry-1.docker.io")
    if hub and parts[0] == "library":
        parts = parts[1:]
    path = "/".join(parts)
    if (registry == "public.ecr.aws" and path == "lambda/python") or \
            path.endswith("ecr-public/lambda/python") or path == "amazon/aws-lambda-python" \
            or path.endswith("/amazon/aws-lambda-python"):
        return _lambda_tag(tag, digest)
    if parts and parts[-1] == "python":
        architecture = {"arm64v8": "arm64", "amd64": "x86_64"}.get(parts[0]) \
            if len(parts) == 2 else None
        match = _PYTHON_TAG.match(tag)
        if match:
            return BaseImage("python", (int(match.group(1)), int(match.group(2))),
                             architecture)
        return BaseImage("python", None, architecture,
                         f"the tag {tag or '(none: latest)'} names no Python version")
    return BaseImage("other")


def _lambda_tag(tag: str, digest: str) -> BaseImage:
    match = _LAMBDA_TAG.fullmatch(tag)
    if match:
        return BaseImage("lambda", (int(match.group(1)), int(match.group(2))), match.group(3))
    latest = _LATEST_TAG.fullmatch(tag) if tag else None
    if latest or not tag:
        why = "pinned by digest only" if digest and not tag else \
            f"the tag {tag or 'latest'} moves to each new Python runtime"
        return BaseImage("lambda", None, latest.group(1) if latest else None, why)
    return BaseImage("lambda", None, None, f"the tag {tag} names no Python version")


def python_of(reference: str) -> str | None:
    """The Python a base image runs (``python3.12``), Lambda base or not; None: unknown."""
    return base_image(reference).runtime


def _platform_architecture(text: str) -> str:
    """``linux/arm64/v8`` → arm64; ``linux/arm/v7`` → ``!linux/arm/v7`` (not Lambda's)."""
    parts = text.strip().lower().split("/")
    if len(parts) == 1:
        parts = ["linux", *parts]
    if parts[0] == "linux" and len(parts) in (2, 3) and parts[1] in _CPU:
        return _CPU[parts[1]]
    return "!" + text


# ---- reading the file into instructions ----------------------------------------------


@record
class _Instruction:
    keyword: str  # upper-case
    args: str  # continuation lines joined, comment lines dropped
    line: int  # 1-based, of the keyword
    column: int  # 1-based, of the keyword
    args_column: int  # where ``args`` starts on the keyword's line
    first_length: int  # how much of ``args`` is on that line
    heredocs: list[str] = field(default_factory=list)

    def column_at(self, offset: int) -> int:
        """The column of ``args[offset]``, when it is on the keyword's line."""
        return self.args_column + offset if offset < self.first_length else self.column


def _instructions(text: str) -> tuple[list[_Instruction], str, list[tuple[str, int]]]:
    """The instructions, the escape character and the unknown keywords (with their line)."""
    lines = text.split("\n")
    escape = "\\"
    index = 0
    while index < len(lines):  # parser directives: only before anything else
        directive = _DIRECTIVE.match(lines[index].rstrip("\r"))
        if directive is None:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in ("\\", "`"):
            escape = directive.group(2)
        index += 1
    found: list[_Instruction] = []
    unknown: list[tuple[str, int]] = []
    current: _Instruction | None = None
    parts: list[str] = []
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        index += 1
        stripped = raw.lstrip(_SPACE)
        if not stripped or stripped.startswith("#"):
            continue  # blank and comment lines, also inside a continuation
        if current is None:
            indent = len(raw) - len(stripped)
            keyword = _KEYWORD.match(stripped)
            first = _FIRST_WORD.match(stripped)
            assert first is not None  # stripped starts with a character outside _SPACE
            word_end = keyword.end() if keyword else first.end()
            args_start = indent + word_end
            while args_start < len(raw) and raw[args_start] in _SPACE:
                args_start += 1
            rest = raw[args_start:]
            current = _Instruction(stripped[:word_end].upper(), "", index, indent + 1,
                                   args_start + 1, 0)
            if keyword is None or keyword.end() != word_end:
                current.keyword = "?" + stripped[:min(word_end, 40)]
        else:
            rest = raw
        trimmed = rest.rstrip(" \t")
        continued = trimmed.endswith(escape)
        if continued:
            rest = trimmed[:-1]
        if not parts:
            current.first_length = len(rest)
        parts.append(rest)
        if continued and index < len(lines):
            continue
        current.args = "".join(parts)
        parts = []
        if current.keyword in ("RUN", "COPY", "ADD"):
            index = _heredocs(current, lines, index, escape)
        if current.keyword in INSTRUCTIONS:
            found.append(current)
        else:
            unknown.append((current.keyword.lstrip("?"), current.line))
        current = None
    return found, escape, unknown


def _heredocs(instruction: _Instruction, lines: list[str], index: int, escape: str) -> int:
    """Consume the bodies of ``<<EOF`` words that follow the instruction's line."""
    for word in _Lexer(instruction.args, escape, None).words():
        marker = _HEREDOC.fullmatch(word.raw)
        if marker is None:
            continue
        strip_tabs, end = marker.group(1) == "-", marker.group(3)
        body: list[str] = []
        while index < len(lines):
            line = lines[index].rstrip("\r")
            index += 1
            if (line.lstrip("\t") if strip_tabs else line) == end:
                break
            body.append(line)
        instruction.heredocs.append("\n".join(body))
    return index


# ---- words: quotes, escapes and variables, as BuildKit's shell lexer treats them ------


@record
class _Word:
    start: int  # offset in the lexed text
    raw: str  # as written
    value: str | None  # quotes removed, variables substituted; None: unknown


class _Lexer:
    """Splits text into words; ``variables`` None leaves ``$…`` as written.

    A variable that is not in ``variables`` is unknown, unless ``complete``: then it is
    empty, as Docker makes it (a FROM line sees the global ARGs and nothing else)."""

    def __init__(self, text: str, escape: str, variables: Mapping[str, str | None] | None,
                 *, complete: bool = False) -> None:
        self.text = text
        self.escape = escape
        self.variables = variables
        self.complete = complete
        esc = re.escape(escape)
        self.plain = re.compile(r"[^\s'\"$}" + esc + "]+")
        self.plain_quoted = re.compile(r"[^\"$" + esc + "]+")
        self.space = re.compile(r"\s+")

    def words(self) -> list[_Word]:
        return self._scan(0, split=True, depth=0)[0]

    def single(self) -> str | None:
        """The whole text as one word (WORKDIR, ENV's legacy form)."""
        words, _, _ = self._scan(0, split=False, depth=0, stop_at_brace=False)
        return words[0].value if words else ""

    def _scan(self, pos: int, *, split: bool, depth: int,
              stop_at_brace: bool = True) -> tuple[list[_Word], int, bool]:
        """Words from ``pos``; unsplit, up to a closing ``}`` (then the flag is True)."""
        text, escape, n = self.text, self.escape, len(self.text)
        words: list[_Word] = []
        buffer: list[str] = []
        size, known, start = 0, True, -1

        def add(piece: str) -> None:
            nonlocal size, known
            size += len(piece)
            if size > MAX_WORD:
                known = False
            elif known:
                buffer.append(piece)

        def flush(end: int) -> None:
            nonlocal buffer, size, known, start
            if start >= 0:
                words.append(_Word(start, text[start:end], "".join(buffer) if known else None))
            buffer, size, known, start = [], 0, True, -1

        while pos < n:
            ch = text[pos]
            if split and ch in _SPACE:
                flush(pos)
                pos = self.space.match(text, pos).end()  # type: ignore[union-attr]
                continue
            if ch == "}" and not split and stop_at_brace:
                start = pos if start < 0 else start
                flush(pos)
                return words, pos + 1, True
            if start < 0:
                start = pos
            if ch == "'":
                end = text.find("'", pos + 1)
                if end < 0:
                    known, pos = False, n
                else:
                    add(text[pos + 1:end])
                    pos = end + 1
            elif ch == '"':
                pos += 1
                while True:
                    if pos >= n:
                        known = False
                        break
                    ch = text[pos]
                    if ch == '"':
                        pos += 1
                        break
                    if ch == escape:
                        following = text[pos + 1:pos + 2]
                        if following in ('"', "$", escape):
                            add(following)
                            pos += 2
                        else:
                            add(escape)
                            pos += 1
                    elif ch == "$":
                        value, pos = self._dollar(pos, depth)
                        if value is None:
                            known = False
                        else:
                            add(value)
                    else:
                        run = self.plain_quoted.match(text, pos)
                        assert run is not None
                        add(run.group())
                        pos = run.end()
            elif ch == escape:
                add(text[pos + 1:pos + 2] or escape)
                pos += 2
            elif ch == "$":
                value, pos = self._dollar(pos, depth)
                if value is None:
                    known = False
                else:
                    add(value)
            elif ch == "}":
                add("}")
                pos += 1
            else:
                run = self.plain.match(text, pos)
                if run is None:  # a whitespace character outside _SPACE
                    add(ch)
                    pos += 1
                else:
                    add(run.group())
                    pos = run.end()
        if start < 0 and not split:
            start = n
        flush(n)
        return words, n, False

    def _dollar(self, pos: int, depth: int) -> tuple[str | None, int]:
        """``$NAME``, ``${NAME}``, ``${NAME:-word}``… at ``pos``: (value, position after)."""
        text, n = self.text, len(self.text)
        if self.variables is None:
            return "$", pos + 1
        if text[pos + 1:pos + 2] != "{":
            name = _NAME.match(text, pos + 1)
            assert name is not None
            if not name.group():
                return "$", pos + 1
            return self._lookup(name.group()), name.end()
        name = _NAME.match(text, pos + 2)
        assert name is not None
        at = name.end()
        if at >= n:
            return None, n
        if text[at] == "}":
            return (self._lookup(name.group()) if name.group() else None), at + 1
        operator = _OPERATOR.match(text, at)
        if not name.group() or operator is None or depth >= MAX_NESTING:
            end = text.find("}", at)
            return None, (end + 1 if end >= 0 else n)
        words, after, closed = self._scan(operator.end(), split=False, depth=depth + 1)
        if not closed:
            return None, after
        word = words[0].value if words else ""
        value = self._lookup(name.group())
        if value is None:
            return None, after
        op = operator.group()
        if op in (":-", "-"):
            return (value if value or op == "-" else word), after
        if op in (":+", "+"):
            return (word if value or op == "+" else ""), after
        if op in (":?", "?"):
            return (value if value or op == "?" else None), after
        return None, after  # pattern removal and replacement: not evaluated

    def _lookup(self, name: str) -> str | None:
        assert self.variables is not None
        if self.complete and name not in self.variables:
            return ""
        return self.variables.get(name)


def _json_list(args: str) -> list[str] | None:
    """The exec form (a JSON array of strings), or None for the shell form."""
    text = args.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    return None


# ---- the image, stage by stage -------------------------------------------------------


@record
class _Mount:
    """Project content that a COPY/ADD put into an image."""

    image_path: str  # absolute, normalised
    source: Path | None  # the project file or folder; None: not in the project
    is_dir: bool  # a folder whose content lands at image_path
    text: str  # the source as written
    line: int
    glob: bool = False  # a wildcard: some files of the folder


@record
class _Deps:
    """A pip install: where it went and what it installed."""

    image_path: str  # absolute, or SITE_PACKAGES
    requirements: tuple[Path, ...]
    unresolved: tuple[str, ...]  # -r files not traced back to the project
    packages: tuple[str, ...]  # distributions named on the command line
    line: int


@record
class _Command:
    words: list[str]
    exec_form: bool
    line: int
    column: int
    args: str  # as written


@record
class _Stage:
    index: int
    name: str | None
    line: int
    column: int
    written: str  # the image as written
    image: str | None  # with variables substituted; None: unknown
    image_column: int
    platform: str | None = None  # substituted; None: not given or unknown
    platform_written: str | None = None
    platform_column: int | None = None
    parent: _Stage | None = None
    base: BaseImage = field(default_factory=lambda: BaseImage("other"))
    env: dict[str, str | None] = field(default_factory=dict)
    args: dict[str, str | None] = field(default_factory=dict)
    workdir: str | None = None
    dirs: set[str] = field(default_factory=lambda: {"/", "/tmp", "/opt"})
    mounts: list[_Mount] = field(default_factory=list)
    deps: list[_Deps] = field(default_factory=list)
    cmd: _Command | None = None
    cmd_inherited: bool = False  # from the stage it is built on (ENTRYPOINT resets it)
    entrypoint: _Command | None = None
    needs: set[int] = field(default_factory=set)
    problems: list[SpecProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def root(self) -> _Stage:
        stage = self
        while stage.parent is not None:
            stage = stage.parent
        return stage

    def variables(self) -> Mapping[str, str | None]:
        # ENV wins over an ARG of the same name.
        return ChainMap(self.env, self.args)


@record(frozen=True)
class ImageFacts:
    """What a Dockerfile says about the function besides its ImageSpec: its code.

    ``code`` is one project path (a folder, or a single .py file) whose content is what the
    image's task root holds; ``requirements`` the project's requirements files that a
    ``pip install -r`` installs where the handler can import them (then ``from_source``).
    """

    code: Path | None = None
    code_note: str | None = None
    from_source: bool = False
    requirements: tuple[Path, ...] = ()
    origin: Origin | None = None  # the image's FROM line: where the function is defined
    notes: tuple[str, ...] = ()
    readable: bool = True  # False: the file could not be read (see the problems)
    # When ``code`` is a folder only parts of which are copied (`COPY src/ …/src/` makes the
    # project root the task root): the parts that are, and nothing else, are the code.
    package_filter: PackageFilter | None = None


class _Reader:
    def __init__(self, path: Path, project: Project, context: Path,
                 build_args: Mapping[str, str], target: str | None,
                 referenced_at: Origin | None = None) -> None:
        self.path = path
        # Where a template names this Dockerfile: a file that cannot be read is reported
        # there (there is no line of it to point at).
        self.referenced_at = referenced_at
        self.project = project
        self.context = context
        self.shown = project.display(path)
        self.build_args = dict(build_args)
        self.target = target.lower() if target else None
        self.problems: list[SpecProblem] = []
        self.notes: list[str] = []
        self.stages: list[_Stage] = []
        self.global_args: dict[str, str | None] = dict.fromkeys(PLATFORM_ARGS)
        self.escape = "\\"

    # -- helpers ---------------------------------------------------------------------------

    def origin(self, line: int | None, column: int | None = None) -> Origin:
        return Origin(TEMPLATE, self.shown, line, column)

    def problem(self, message: str, line: int | None, column: int | None = None,
                stage: _Stage | None = None) -> None:
        found = SpecProblem(f"{self.shown}: {message}", self.origin(line, column))
        (stage.problems if stage is not None else self.problems).append(found)

    def note(self, message: str, line: int | None, stage: _Stage | None = None) -> None:
        text = f"{self.shown}:{line}: {message}" if line else f"{self.shown}: {message}"
        (stage.notes if stage is not None else self.notes).append(text)

    def lex(self, text: str, variables: Mapping[str, str | None] | None, *,
            complete: bool = False) -> list[_Word]:
        return _Lexer(text, self.escape, variables, complete=complete).words()

    @staticmethod
    def flags(words: list[_Word]) -> tuple[dict[str, tuple[_Word, str | None]], list[_Word]]:
        """Leading ``--name=value`` words, and the words after them."""
        flags: dict[str, tuple[_Word, str | None]] = {}
        index = 0
        while index < len(words) and words[index].raw.startswith("--"):
            word = words[index]
            name, _, _ = word.raw[2:].partition("=")
            value = word.value.partition("=")[2] if word.value is not None else None
            flags.setdefault(name.lower(), (word, value))
            index += 1
        return flags, words[index:]

    def stage_named(self, name: str, *, by_index: bool = True) -> _Stage | None:
        lowered = name.lower()
        for stage in self.stages:
            if stage.name == lowered:
                return stage
        if by_index and lowered.isdigit() and int(lowered) < len(self.stages):
            return self.stages[int(lowered)]
        return None

    # -- reading ---------------------------------------------------------------------------

    def unreadable(self, message: str) -> None:
        where = self.referenced_at if self.referenced_at is not None and \
            self.referenced_at.file is not None else self.origin(None)
        self.problems.append(SpecProblem(f"{self.shown}: {message}", where))

    def read(self) -> bool:
        try:
            if not self.path.is_file():
                self.unreadable("no such file" if not self.path.exists() else "not a file")
                return False
            size = self.path.stat().st_size
            if size > MAX_BYTES:
                self.problem(f"larger than {MAX_BYTES // 1024} KiB: not read as a Dockerfile",
                             None)
                return False
            data = self.path.read_bytes()
        except OSError as exc:
            self.unreadable(f"cannot read: {exc.strerror or exc}")
            return False
        nul = data.find(b"\x00")
        if nul >= 0:
            self.problem("contains NUL bytes: not a Dockerfile", data.count(b"\n", 0, nul) + 1)
            return False
        text = data.decode("utf-8-sig", errors="replace")
        instructions, self.escape, unknown = _instructions(text)
        if unknown:
            keyword, line = unknown[0]
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            self.problem(f"unknown instruction {keyword[:40]!r}{more}: docker build fails "
                         "here", line)
        if len(instructions) > MAX_INSTRUCTIONS:
            self.problem(f"more than {MAX_INSTRUCTIONS:,} instructions: not read", None)
            return False
        for instruction in instructions:
            if not self.instruction(instruction):
                return False
        if not self.stages:
            if not unknown:
                self.problem("no FROM instruction: not a Dockerfile", None)
            return False
        return True

    def instruction(self, ins: _Instruction) -> bool:
        keyword = ins.keyword
        if keyword == "FROM":
            if len(self.stages) >= MAX_STAGES:
                self.problem(f"more than {MAX_STAGES} build stages: not read", ins.line)
                return False
            self.from_(ins)
            return True
        if not self.stages:
            if keyword == "ARG":
                self.arg(ins, self.global_args, None)
            return True
        stage = self.stages[-1]
        if keyword == "ARG":
            self.arg(ins, stage.args, stage)
        elif keyword == "ENV":
            self.env(ins, stage)
        elif keyword == "WORKDIR":
            value = _Lexer(ins.args.strip(), self.escape, stage.variables()).single()
            stage.workdir = _join(stage.workdir, value) if value else None
            if stage.workdir is not None:
                stage.dirs.add(stage.workdir)
        elif keyword in ("COPY", "ADD"):
            self.copy(ins, stage)
        elif keyword == "RUN":
            self.run(ins, stage)
        elif keyword in ("CMD", "ENTRYPOINT"):
            exec_words = _json_list(ins.args)
            if exec_words is None and ins.args.lstrip().startswith("["):
                self.problem(f"{keyword} {ins.args.strip()[:60]} is not a JSON array of "
                             "strings: Docker runs it as a shell command", ins.line,
                             ins.column, stage)
            command = _Command(exec_words if exec_words is not None else [ins.args.strip()],
                               exec_words is not None, ins.line,
                               ins.column_at(len(ins.args) - len(ins.args.lstrip())),
                               ins.args.strip())
            if keyword == "CMD":
                stage.cmd, stage.cmd_inherited = command, False
            else:
                stage.entrypoint = command
                if stage.cmd_inherited:
                    stage.cmd = None  # ENTRYPOINT resets the CMD the base image set
        return True

    def from_(self, ins: _Instruction) -> None:
        words = self.lex(ins.args, self.global_args, complete=True)
        flags, rest = self.flags(words)
        if not rest:
            self.problem("FROM names no image", ins.line, ins.column)
            rest = [_Word(0, "", None)]
        image = rest[0]
        name = rest[2].value.lower() if len(rest) >= 3 and rest[1].raw.lower() == "as" and \
            rest[2].value else None
        stage = _Stage(len(self.stages), name, ins.line, ins.column, image.raw, image.value,
                       ins.column_at(image.start))
        if "platform" in flags:
            word, value = flags["platform"]
            stage.platform, stage.platform_written = value, word.raw.partition("=")[2]
            stage.platform_column = ins.column_at(word.start)
        parent = self.stage_named(image.value, by_index=False) if image.value else None
        if parent is not None:
            stage.parent = parent
            stage.needs = {parent.index} | parent.needs
            stage.base = parent.base
            stage.env, stage.workdir = dict(parent.env), parent.workdir
            stage.dirs = set(parent.dirs)
            stage.mounts, stage.deps = list(parent.mounts), list(parent.deps)
            stage.cmd, stage.entrypoint = parent.cmd, parent.entrypoint
            stage.cmd_inherited = True
        elif image.value is not None:
            stage.base = base_image(image.value)
            if stage.base.kind == "lambda":
                stage.env = dict(LAMBDA_ENV)
                stage.workdir = TASK_ROOT
                stage.dirs |= {TASK_ROOT, "/var/runtime"}
                stage.entrypoint = _Command([LAMBDA_ENTRYPOINT], True, 0, 0, "")
            elif stage.base.kind == "scratch":
                stage.workdir = "/"
        self.stages.append(stage)

    def arg(self, ins: _Instruction, scope: dict[str, str | None], stage: _Stage | None) -> None:
        variables = stage.variables() if stage is not None else self.global_args
        for word in self.lex(ins.args, variables, complete=stage is None):
            name, equals, _ = word.raw.partition("=")
            if not name:
                continue
            if name in self.build_args:
                scope[name] = self.build_args[name]
            elif equals:
                value = word.value.partition("=")[2] if word.value is not None else None
                scope[name] = value
            elif stage is not None and name in self.global_args:
                scope[name] = self.global_args[name]  # a global ARG brought into the stage
            else:
                scope[name] = None  # set at build time, if at all

    def env(self, ins: _Instruction, stage: _Stage) -> None:
        words = self.lex(ins.args, stage.variables())
        if not words:
            return
        if "=" not in words[0].raw:  # the legacy form: ENV NAME the rest of the line
            rest = ins.args[words[1].start:] if len(words) > 1 else ""
            stage.env[words[0].raw] = _Lexer(rest.strip(), self.escape,
                                             stage.variables()).single()
            return
        assigned: dict[str, str | None] = {}
        for word in words:  # every value is substituted with the variables before the line
            name, _, _ = word.raw.partition("=")
            assigned[name] = word.value.partition("=")[2] if word.value is not None else None
        stage.env.update(assigned)

    # -- COPY / ADD ------------------------------------------------------------------------

    def copy(self, ins: _Instruction, stage: _Stage) -> None:
        variables = stage.variables()
        words = self.lex(ins.args, variables)
        flags, rest = self.flags(words)
        exec_form = _json_list(ins.args[rest[0].start:]) if rest else None
        items: list[tuple[str, str | None]]
        if exec_form is not None:
            items = [(item, _Lexer(item, self.escape, variables).single())
                     for item in exec_form]
        else:
            items = [(word.raw, word.value) for word in rest]
        if len(items) < 2 or ins.heredocs:
            return  # nothing to copy, or files written inline
        (dest_raw, dest_value), sources = items[-1], items[:-1]
        if dest_value is None:
            self.note(f"{ins.keyword} to {dest_raw}: the destination is decided at build "
                      "time; what it copies is not followed", ins.line, stage)
            return
        dest = _join(stage.workdir, dest_value)
        if dest is None:
            self.note(f"{ins.keyword} to {dest_raw}: relative to a working folder lambdalint "
                      "cannot tell; what it copies is not followed", ins.line, stage)
            return
        into_dir = dest_value.endswith("/") or len(sources) > 1 or dest in stage.dirs
        origin = flags.get("from")
        if origin is not None:
            self.copy_from(ins, stage, origin[1], sources, dest, into_dir)
            return
        if len(stage.mounts) >= MAX_MOUNTS:
            return
        for raw, value in sources:
            stage.mounts.append(self.mount(ins, stage, raw, value, dest, into_dir))
        stage.dirs.add(dest if into_dir else posixpath.dirname(dest))
        for mount in stage.mounts[-len(sources):]:
            if mount.is_dir:
                stage.dirs.add(mount.image_path)

    def mount(self, ins: _Instruction, stage: _Stage, raw: str, value: str | None, dest: str,
              into_dir: bool) -> _Mount:
        def elsewhere(why: str) -> _Mount:
            self.note(f"{ins.keyword} {raw}: {why}", ins.line, stage)
            return _Mount(dest, None, True, raw, ins.line)

        if value is None:
            return elsewhere("the source is decided at build time; not followed")
        if ins.keyword == "ADD" and re.match(r"[a-z][a-z0-9+.-]*://|git@", value):
            return elsewhere("downloaded at build time, not project content")
        relative = value.lstrip("/") or "."  # sources are relative to the build context
        glob = any(c in relative for c in "*?[")
        folder_text = posixpath.dirname(relative) if glob else relative
        if glob and any(c in folder_text for c in "*?["):
            return elsewhere("a wildcard across folders; not followed")
        found = self.project.local(folder_text or ".", self.context,
                                   self.origin(ins.line, ins.column), f"{ins.keyword} source")
        if isinstance(found, SpecProblem):
            stage.problems.append(SpecProblem(f"{self.shown}: {found.message}", found.origin))
            return _Mount(dest, None, True, raw, ins.line)
        if not inside(found, self.context):
            self.problem(f"{ins.keyword} {raw}: outside the build context "
                         f"({self.project.display(self.context)}): docker build fails",
                         ins.line, ins.column, stage)
            return _Mount(dest, None, True, raw, ins.line)
        if glob:
            return _Mount(dest, found, True, raw, ins.line, glob=True)
        if found.is_dir():
            return _Mount(dest, found, True, raw, ins.line)
        if not found.exists():
            return elsewhere(f"no such file or folder in the build context "
                             f"({self.project.display(self.context)}); made before the "
                             "image is built?")
        if ins.keyword == "ADD" and re.search(r"\.(tar|tgz|tar\.\w+|tbz2?|txz)$", value):
            return elsewhere("an archive ADD unpacks: its content is not followed")
        image_path = posixpath.join(dest, found.name) if into_dir else dest
        return _Mount(image_path, found, False, raw, ins.line)

    def copy_from(self, ins: _Instruction, stage: _Stage, source_stage: str | None,
                  sources: list[tuple[str, str | None]], dest: str, into_dir: bool) -> None:
        other = self.stage_named(source_stage) if source_stage else None
        if other is None or other is stage:
            return  # another image's files: not project content
        stage.needs |= {other.index} | other.needs
        for _, value in sources:
            if value is None or len(stage.mounts) >= MAX_MOUNTS:
                continue
            path = posixpath.normpath("/" + value.lstrip("/"))  # relative to the stage's root
            a_file = any(m.image_path == path and not m.is_dir for m in other.mounts)
            target = posixpath.join(dest, posixpath.basename(path)) if a_file and into_dir \
                else dest
            for mount in other.mounts:
                moved = _moved(mount.image_path, path, target)
                if moved is not None:
                    stage.mounts.append(_Mount(moved, mount.source, mount.is_dir, mount.text,
                                               mount.line, mount.glob))
                elif mount.is_dir and mount.source is not None and \
                        path.startswith(mount.image_path.rstrip("/") + "/"):
                    inner = mount.source / path[len(mount.image_path.rstrip("/")) + 1:]
                    if self.within(inner) and not mount.glob:
                        image_path = posixpath.join(dest, inner.name) if \
                            (into_dir and not inner.is_dir()) else dest
                        stage.mounts.append(_Mount(image_path, inner, inner.is_dir(),
                                                   mount.text, mount.line))
            for deps in other.deps:
                if deps.image_path == SITE_PACKAGES:
                    continue
                moved = _moved(deps.image_path, path, target)
                if moved is not None:
                    stage.deps.append(_Deps(moved, deps.requirements, deps.unresolved,
                                            deps.packages, deps.line))
            stage.dirs.add(target)

    # -- RUN -------------------------------------------------------------------------------

    def run(self, ins: _Instruction, stage: _Stage) -> None:
        variables = stage.variables()
        words = self.lex(ins.args, variables)
        _, rest = self.flags(words)
        binds = self.bind_mounts(ins, stage, words)
        exec_form = _json_list(ins.args[rest[0].start:]) if rest else None
        script = " ".join(exec_form) if exec_form is not None else \
            (ins.args[rest[0].start:] if rest else "")
        for text in (script, *ins.heredocs):
            for segment in _SEPARATORS.split(text):
                command = [w.value for w in _Lexer(segment, "\\", variables).words()]
                if command[:1] == ["mkdir"]:
                    for folder in command[1:]:
                        if folder and not folder.startswith("-"):
                            joined = _join(stage.workdir, folder)
                            if joined:
                                stage.dirs.add(joined)
                    continue
                self.pip(ins, stage, command, binds)

    def bind_mounts(self, ins: _Instruction, stage: _Stage,
                    words: list[_Word]) -> list[_Mount]:
        """``RUN --mount=type=bind,source=…,target=…``: project files seen by this RUN."""
        binds: list[_Mount] = []
        for word in words:
            if not word.raw.startswith("--"):
                break
            if not word.raw.lower().startswith("--mount=") or word.value is None:
                continue
            options = dict(part.partition("=")[::2]
                           for part in word.value.partition("=")[2].split(","))
            kind = options.get("type", "bind")
            target = options.get("target") or options.get("dst") or options.get("destination")
            if kind != "bind" or not target or options.get("from"):
                continue
            source = options.get("source") or options.get("src") or "."
            found = self.project.local(source.lstrip("/") or ".", self.context,
                                       self.origin(ins.line), "RUN --mount source")
            image_path = _join(stage.workdir, target)
            if isinstance(found, Path) and image_path is not None:
                binds.append(_Mount(image_path, found, found.is_dir(), source, ins.line))
        return binds

    def pip(self, ins: _Instruction, stage: _Stage, command: list[str | None],
            binds: list[_Mount]) -> None:
        index = 0
        while index < len(command) and (command[index] is None or
                                        _ASSIGNMENT.match(command[index] or "") or
                                        command[index] in ("sudo", "env", "exec", "time")):
            index += 1
        words = command[index:]
        if not words or words[0] is None:
            return
        program = posixpath.basename(words[0])
        if _PIP.fullmatch(program):
            at = 1
        elif _PYTHON.fullmatch(program):
            at = 1
            while at < len(words) and words[at] != "-m" and (words[at] or "").startswith("-"):
                at += 1
            if words[at:at + 2] not in (["-m", "pip"], ["-m", "pip3"]):
                return
            at += 2
        elif program == "uv" and words[1:2] == ["pip"]:
            at = 2
        else:
            return
        if words[at:at + 1] != ["install"]:
            return
        requirements: list[str | None] = []
        packages: list[str] = []
        target: str | None = SITE_PACKAGES
        elsewhere = False
        with_value = {"-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f",
                      "--find-links", "--platform", "--python-version", "--implementation",
                      "--abi", "--only-binary", "--no-binary", "--progress-bar", "--cache-dir",
                      "--src", "--upgrade-strategy", "--trusted-host", "-e", "--editable",
                      "--python", "--prefix", "--root", "--index-strategy"}
        words = words[at + 1:]
        position = 0
        while position < len(words):
            word = words[position]
            following = words[position + 1] if position + 1 < len(words) else None
            position += 1
            if word is None:
                continue
            name, equals, inline = word.partition("=") if word.startswith("--") else \
                (word[:2], "", word[2:]) if word.startswith("-") and len(word) > 2 else \
                (word, "", "")
            value: str | None = inline if (equals or inline) else following
            takes = name in ("-r", "--requirement", "-t", "--target") or name in with_value
            if takes and not (equals or inline):
                position += 1
            if name in ("-r", "--requirement"):
                requirements.append(value)
            elif name in ("-t", "--target"):
                target = _join(stage.workdir, value) if value else None
            elif name in ("--prefix", "--root", "--user"):
                elsewhere = True
            elif not word.startswith("-") and not takes:
                packages.append(word)
        if elsewhere:
            self.note("pip install --prefix/--root/--user: installed outside the image's "
                      "sys.path as lambdalint knows it; not counted", ins.line, stage)
            return
        if target is None:
            self.note("pip install --target: a folder decided at build time; not counted",
                      ins.line, stage)
            return
        found: list[Path] = []
        unresolved: list[str] = []
        for requirement in requirements:
            file = self.project_file(stage, requirement, binds)
            if file is None:
                unresolved.append(requirement or "(decided at build time)")
            else:
                found.append(file)
        stage.deps.append(_Deps(target, tuple(found), tuple(unresolved), tuple(packages),
                                ins.line))

    def within(self, path: Path) -> bool:
        """A path below a copied folder that exists and stays in the project once symlinks
        are followed (a link inside the folder may lead anywhere)."""
        try:
            return path.exists() and inside(path.resolve(), self.project.root.resolve())
        except (OSError, RuntimeError):  # a name too long, a symlink loop
            return False

    def project_file(self, stage: _Stage, text: str | None,
                     binds: list[_Mount]) -> Path | None:
        """The project file that sits at ``text`` in the image (via COPY or a bind mount)."""
        path = _join(stage.workdir, text) if text else None
        if path is None:
            return None
        for mount in (*binds, *reversed(stage.mounts)):
            if mount.source is None:
                continue
            if mount.image_path == path and not mount.is_dir:
                return mount.source
            prefix = mount.image_path.rstrip("/") + "/"
            if mount.is_dir and path.startswith(prefix):
                candidate = mount.source / path[len(prefix):]
                if self.within(candidate) and candidate.is_file() and \
                        (not mount.glob or _matches_glob(mount, candidate)):
                    return candidate
        return None


def _matches_glob(mount: _Mount, candidate: Path) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(candidate.name, posixpath.basename(mount.text))


def _join(base: str | None, text: str | None) -> str | None:
    """An image path: absolute as written, else relative to ``base`` (None: unknown)."""
    if text is None:
        return None
    if text.startswith("/"):
        joined = text
    elif base is None:
        return None
    else:
        joined = base.rstrip("/") + "/" + text
    normal = posixpath.normpath(joined)
    return "/" + normal.lstrip("/")


def _moved(path: str, source: str, target: str) -> str | None:
    """Where ``path`` lands when ``source`` (a folder or the file itself) is copied to
    ``target``; None when ``path`` is not under ``source``."""
    if path == source:
        return target
    prefix = source.rstrip("/") + "/"
    if path.startswith(prefix):
        return posixpath.join(target, path[len(prefix):])
    return None


# ---- what the final image says ---------------------------------------------------------


def _final_stage(reader: _Reader) -> _Stage | None:
    if reader.target is not None:
        for stage in reader.stages:
            if stage.name == reader.target:
                return stage
        reader.problem(f"no build stage named {reader.target!r} (the template's "
                       "DockerBuildTarget)", None)
        return None
    return reader.stages[-1] if reader.stages else None


def _architecture(reader: _Reader, root: _Stage) -> Value | None:
    tag = root.base.architecture
    if root.platform_written is not None and root.platform is None:
        return None  # $TARGETPLATFORM, $BUILDPLATFORM: decided by the build
    if root.platform is not None:
        platform = _platform_architecture(root.platform)
        if platform is not None and platform.startswith("!"):
            reader.problem(f"--platform={root.platform} is not a platform Lambda runs "
                           "(linux/amd64 or linux/arm64)", root.line, root.platform_column)
            return None
        if tag is not None and platform != tag:
            reader.problem(f"--platform={root.platform} asks for {platform}, but the image "
                           f"{root.image} is the {tag} image: docker build finds no match",
                           root.line, root.platform_column)
            return None
        return Value(platform, reader.origin(root.line, root.platform_column))
    if tag is not None:
        return Value(tag, reader.origin(root.line, root.image_column))
    return None


def _runtime(reader: _Reader, root: _Stage) -> Value | None:
    base = root.base
    if base.kind == "lambda" and base.runtime is not None:
        if base.runtime not in runtimes():
            known = list(runtimes())
            reader.problem(f"{root.image}: {base.runtime} is not a Lambda runtime lambdalint "
                           f"knows ({known[0]} … {known[-1]})", root.line, root.image_column)
            return None
        return Value(base.runtime, reader.origin(root.line, root.image_column))
    if base.kind == "lambda":
        reader.note(f"{root.image}: {base.note}: the runtime is not set", root.line)
    elif base.kind == "python" and base.runtime is not None:
        reader.note(f"{root.image} is not a Lambda base image (Python "
                    f"{base.runtime[len('python'):]}): the runtime is not set, as Lambda's "
                    "runtime tables (glibc, bundled packages, deprecation) do not describe "
                    f"it; --runtime {base.runtime} checks its packages for that Python",
                    root.line)
    elif base.kind == "python":
        reader.note(f"{root.image} is not a Lambda base image, and {base.note}: the "
                    "runtime is not set", root.line)
    elif root.image is None:
        reader.note(f"FROM {root.written}: the image is decided at build time; the runtime "
                    "is not set", root.line)
    else:
        reader.note(f"{root.image} is not a Python base image lambdalint knows: the runtime "
                    "is not set", root.line)
    return None


def _handler(reader: _Reader, stage: _Stage, lambda_base: bool) -> tuple[Value | None, bool]:
    """The handler CMD (or the ENTRYPOINT) gives, and whether awslambdaric is the entrypoint."""
    entry, cmd = stage.entrypoint, stage.cmd
    entry_words = entry.words if entry is not None and entry.exec_form else \
        [w.value or "" for w in _Lexer(entry.args, "\\", None).words()] if entry else []
    ric_at = next((i for i, word in enumerate(entry_words)
                   if word == "awslambdaric" or word.endswith("/awslambdaric")), None)
    ric = ric_at is not None
    if entry is not None and not entry.exec_form:
        # A shell-form ENTRYPOINT ignores CMD.
        if ric_at is not None and ric_at + 1 < len(entry_words):
            return Value(entry_words[ric_at + 1], reader.origin(entry.line, entry.column)), ric
        return None, ric
    if ric_at is not None and ric_at + 1 < len(entry_words):
        assert entry is not None
        return Value(entry_words[ric_at + 1], reader.origin(entry.line, entry.column)), ric
    if cmd is None:
        if lambda_base or ric:
            reader.note("no CMD: the handler must come from the function's ImageConfig "
                        "(Command)", stage.line)
        return None, ric
    if not cmd.exec_form:
        if cmd.args.startswith("["):
            return None, ric  # a broken JSON array: reported where it was read
        text = cmd.args.split()[0] if cmd.args.split() else None
        if entry is not None and text is not None:
            shown = cmd.args if len(cmd.args) <= 60 else cmd.args[:57] + "..."
            if entry.words == [LAMBDA_ENTRYPOINT]:
                fails = ("the base image's entrypoint receives `/bin/sh -c …` instead of the "
                         "handler and exits: 'entrypoint requires the handler name to be the "
                         "first argument'")
            elif ric:
                fails = "awslambdaric receives `/bin/sh` as the handler and fails to import it"
            else:
                fails = "the ENTRYPOINT receives `/bin/sh -c …` instead of the handler"
            reader.problem(f"CMD {shown} is in shell form: {fails}; write CMD "
                           f"[{json.dumps(text)}]", cmd.line, cmd.column)
        return (Value(text, reader.origin(cmd.line, cmd.column)) if text else None), ric
    if not cmd.words:
        return None, ric
    if lambda_base and entry is not None and entry.words == [LAMBDA_ENTRYPOINT] and \
            len(cmd.words) != 1:
        reader.problem(f"CMD gives {len(cmd.words)} arguments: the base image's entrypoint "
                       "takes exactly one, the handler, and exits with 'entrypoint requires "
                       "the handler name to be the first argument'", cmd.line, cmd.column)
    return Value(cmd.words[0], reader.origin(cmd.line, cmd.column)), ric


def _task_root(stage: _Stage, lambda_base: bool, ric: bool) -> str | None:
    if lambda_base:
        root = stage.env.get("LAMBDA_TASK_ROOT", TASK_ROOT)
        return _join("/", root) if root else None
    if ric:
        return stage.workdir  # python -m awslambdaric imports from its working folder
    return None


def _code(reader: _Reader, stage: _Stage, task_root: str | None,
          requirements: tuple[Path, ...],
          handler: Value | None) -> tuple[Path | None, str | None]:
    """The project path whose content is the image's task root, or None and why not.

    When several sources land in the task root, the one holding the handler's module is
    chosen (else the one copied to the task root itself), and a note says so."""
    if task_root is None:
        return None, ("the image's task root is unknown: neither a Lambda base image nor "
                      "awslambdaric run from a WORKDIR lambdalint can tell")
    prefix = task_root.rstrip("/") + "/"
    inside = [m for m in stage.mounts
              if (m.image_path == task_root or m.image_path.startswith(prefix))]
    code = [m for m in inside if m.source not in requirements or m.is_dir]
    if not code:
        return None, f"the Dockerfile copies nothing from the project into {task_root}"
    # The project folder that corresponds to the task root, for each mount.
    roots: list[tuple[Path | None, _Mount]] = []
    for mount in code:
        relative = mount.image_path[len(prefix):] if mount.image_path != task_root else ""
        roots.append((_aligned_root(mount, relative), mount))
    known = [(root, mount) for root, mount in roots if root is not None]
    if not known:
        shown = ", ".join(sorted({m.text for m in code}))
        if all(m.source is None for m in code):
            return None, (f"what the Dockerfile copies into {task_root} ({shown}) is not in "
                          "the project")
        return None, (f"what the Dockerfile copies into {task_root} ({shown}) is renamed or "
                      "moved on the way: no project folder holds it as the image does")
    distinct = list(dict.fromkeys(root for root, _ in known))
    if len(code) == 1:
        mount = code[0]
        root = known[0][0]
        if not mount.is_dir and mount.source is not None and \
                mount.image_path == posixpath.join(task_root, mount.source.name):
            return mount.source, None
        return root, None
    chosen = distinct[0]
    if len(distinct) > 1:
        module = handler.value.rpartition(".")[0].replace("/", ".") if handler else ""
        holding = [root for root in distinct if module and root is not None and any(
            (root / candidate).is_file() for candidate in module_candidates(module))]
        exact = [root for root, mount in known if mount.image_path == task_root]
        chosen = (holding or exact or distinct)[0]
    assert chosen is not None
    sources = ", ".join(dict.fromkeys(reader.project.display(m.source) if m.source else m.text
                                      for m in code))
    others = [reader.project.display(r) for r in distinct if r is not None and r != chosen]
    why = (f"lambdalint checks {reader.project.display(chosen)} as the function's code"
           + (f"; {', '.join(others)} not as code (imports of its modules may be reported "
              "as unresolved)" if others else ", the folder they come from"))
    line = next(m.line for root, m in known if root == chosen)
    reader.note(f"several sources are copied into {task_root} ({sources}): {why}", line)
    return chosen, None


def _copied_only(code: Path | None, stage: _Stage, task_root: str | None) -> \
        PackageFilter | None:
    """What of the code folder the image holds, when that is not the whole folder: a
    `.env` beside the copied `src/` never reaches the image."""
    if code is None or task_root is None or not code.is_dir():
        return None
    copied: list[str] = []
    prefix = task_root.rstrip("/") + "/"
    for mount in stage.mounts:
        if mount.source is None or mount.glob or not (
                mount.image_path == task_root or mount.image_path.startswith(prefix)):
            continue
        try:
            relative = mount.source.relative_to(code).as_posix()
        except ValueError:
            continue
        if relative in ("", "."):
            return None  # the whole folder is copied
        copied.append(relative)
    if not copied:
        return None
    rules = [(False, ".*")] + [(True, re.escape(path) + r"(/.*)?$") for path in copied]
    return PackageFilter(tuple(rules))


def _aligned_root(mount: _Mount, relative: str) -> Path | None:
    """The project folder whose content the task root mirrors, judging by one mount."""
    if mount.source is None:
        return None
    parts = [p for p in relative.split("/") if p]
    if mount.is_dir:
        path = mount.source
    else:
        if not parts or parts[-1] != mount.source.name:
            return None
        parts = parts[:-1]
        path = mount.source.parent
    for part in reversed(parts):
        if path.name != part:
            return None
        path = path.parent
    return path


def read_image(path: Path, project: Project, context: Path | None = None, *,
               build_args: Mapping[str, str] | None = None, target: str | None = None,
               referenced_at: Origin | None = None) -> \
        tuple[ImageSpec, ImageFacts, list[SpecProblem]]:
    """What the Dockerfile at ``path`` builds.

    ``context`` is the build context its COPY sources are relative to (the Dockerfile's
    folder unless a template names another: SAM ``Metadata.DockerContext``); ``build_args``
    the values a template passes (``DockerBuildArgs``), which override ARG defaults;
    ``target`` the stage to build (``DockerBuildTarget``), else the last one;
    ``referenced_at`` where a template names the file (a missing one is reported there).
    Never raises on the file's content: what cannot be read is a SpecProblem or an unknown
    (None) value.
    """
    context = context if context is not None else path.parent
    reader = _Reader(path, project, context, build_args or {}, target, referenced_at)
    shown = reader.shown
    if not reader.read():
        return (ImageSpec(dockerfile=shown), ImageFacts(notes=tuple(reader.notes),
                                                        readable=False), reader.problems)
    stage = _final_stage(reader)
    if stage is None:
        return ImageSpec(dockerfile=shown), ImageFacts(notes=tuple(reader.notes)), \
            reader.problems
    for other in reader.stages:  # what the built stages say; unused stages are skipped
        if other is stage or other.index in stage.needs:
            reader.problems.extend(other.problems)
            reader.notes.extend(other.notes)
    root = stage.root
    lambda_base = root.base.kind == "lambda"
    runtime = _runtime(reader, root)
    architecture = _architecture(reader, root)
    handler, ric = _handler(reader, stage, lambda_base)
    task_root = _task_root(stage, lambda_base, ric)
    paths = [task_root] if task_root else []
    python_path = stage.env.get("PYTHONPATH")
    if python_path:
        paths += [p for p in python_path.split(":") if p.startswith("/")]
    provided = [d for d in stage.deps if d.image_path == SITE_PACKAGES or any(
        d.image_path == p or d.image_path.startswith(p.rstrip("/") + "/") for p in paths)]
    requirements = tuple(dict.fromkeys(r for d in provided for r in d.requirements))
    for deps in provided:
        for text in deps.unresolved:
            reader.note(f"pip install -r {text}: the file is not traced back to the project "
                        "(not copied from the build context); its distributions are not "
                        "counted", deps.line)
        named = [p for p in deps.packages if p.lower() not in BUILD_TOOLS]
        if named:
            reader.note(f"pip install {' '.join(named[:5])}: distributions named on the "
                        "command line are not counted as provided", deps.line)
    from_source = any(d.requirements or d.unresolved for d in provided)
    code, code_note = _code(reader, stage, task_root, requirements, handler)
    base_value = root.image if root.image is not None else root.written
    image = ImageSpec(dockerfile=shown,
                      base=Value(base_value, reader.origin(root.line, root.image_column)),
                      runtime=runtime, architecture=architecture, handler=handler,
                      runtime_interface_client=ric)
    facts = ImageFacts(code=code, code_note=code_note, from_source=from_source,
                       requirements=requirements,
                       origin=reader.origin(stage.line, stage.column),
                       notes=tuple(reader.notes),
                       package_filter=_copied_only(code, stage, task_root))
    return image, facts, reader.problems


def apply_image(spec: FunctionSpec, image: ImageSpec, facts: ImageFacts) -> None:
    """What the image says about a function: its code, requirements, runtime, and the
    handler when the function's own configuration (ImageConfig.Command, image.command)
    names none."""
    spec.package_type = "image"
    spec.image = image
    spec.code, spec.code_note = facts.code, facts.code_note
    spec.from_source, spec.requirements = facts.from_source, facts.requirements
    spec.package_filter = facts.package_filter
    spec.runtime = image.runtime
    spec.handler = spec.handler or image.handler


def function_name(path: Path) -> str:
    """An image function is named after its Dockerfile's folder (``svc/Dockerfile.worker``
    when the file has a variant name)."""
    folder = path.resolve().parent.name or "image"
    return folder if path.name == "Dockerfile" else f"{folder}/{path.name}"


def discover(path: Path, project: Project) -> Discovery:
    image, facts, problems = read_image(path, project)
    discovery = Discovery(source=image.dockerfile, kind="dockerfile", problems=problems,
                          notes=list(facts.notes))
    if not facts.readable:
        return discovery
    spec = FunctionSpec(name=function_name(path),
                        origin=facts.origin or Origin(TEMPLATE, image.dockerfile),
                        architecture=image.architecture)
    apply_image(spec, image, facts)
    discovery.functions.append(spec)
    return discovery
