"""The Serverless Framework: a service's ``serverless.yml`` as deployment specs.

What the Framework would deploy, read without running it or any plugin:

* **Code.** ``serverless deploy`` zips the service folder (the file's folder), so that
  folder is each function's code, and the handler stays exactly as written: ``src/app.handler``
  is module ``src/app`` (``src.app``) at the root of the zip, as Lambda imports it. A
  function's ``package.artifact`` (or the service's, unless the function is packaged
  individually) is a zip instead. ``module: api`` with ``package.individually`` is a
  serverless-python-requirements setting: the plugin moves that folder to the zip's root, so
  the code is ``api/``. A folder is source, not a build, so ``from_source`` is set.
* **Package patterns** (``package.patterns``, the older ``include``/``exclude``, the
  Framework's default excludes, the layer folders) are applied to the handler's module only:
  a module they leave out of the zip is a problem at the pattern. A ``FunctionSpec``'s code is
  a plain folder, so other files they exclude are still checked (a note says so).
* **Requirements.** Without serverless-python-requirements in ``plugins``, nothing installs
  requirements.txt: ``requirements`` stays empty. With it, the plugin installs
  requirements.txt (its ``fileName``; a Poetry pyproject.toml or a Pipfile first, as the
  plugin does) into the function zip: ``requirements`` names that file. With
  ``custom.pythonRequirements.layer`` it builds a layer instead, ``PythonRequirementsLambdaLayer``
  (a ``LayerSpec`` with ``from_source`` and no path: its only content is the requirements);
  only the functions that attach it get ``requirements``.
* **Runtime.** The Framework's default runtime is Node.js: a function with no runtime
  anywhere whose handler module is a ``.py`` file fails on every invoke, a problem; its
  ``runtime`` stays None. Functions on another runtime are only counted.
* **Variables.** ``${self:…}``, ``${sls:stage}`` and the defaults of ``${opt:…, 'x'}`` and
  ``${env:…, 'x'}`` are resolved; the stage is ``provider.stage``, else ``dev``. Every other
  source (``ssm``, ``cf``, ``file(…)``, ``aws``, an option or variable without default…) is
  decided at deploy time: the value is unknown, never guessed. A reference cycle, a missing
  ``self`` value or too many references end in an unknown value, never in a loop.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lambdalint.discover import Project
from lambdalint.discover.decode import DecodeError, Map, Mark, Seq, Str, read
from lambdalint.model.spec import (
    DEFAULT,
    TEMPLATE,
    Discovery,
    Event,
    FunctionSpec,
    LayerSpec,
    Origin,
    PackageFilter,
    SpecProblem,
    Value,
    Variable,
)
from lambdalint.records import field, record, replace

KIND = "serverless"
PLUGIN = "serverless-python-requirements"
REQUIREMENTS_LAYER = "PythonRequirementsLambdaLayer"
DEFAULT_STAGE = "dev"
# What the Framework leaves out of every package (lib/plugins/package/lib/packageService.js).
DEFAULT_EXCLUDES = (".git/**", ".gitignore", ".DS_Store", "npm-debug.log", "yarn-*.log",
                    ".serverless/**", ".serverless_plugins/**")
# Variable resolution stops here: far beyond any real file, small enough to stay instant.
MAX_STEPS = 20_000  # variables evaluated in one file
MAX_DEPTH = 32  # references followed through one another
MAX_NESTING = 16  # ${…} written inside ${…}
MAX_TEXT = 64 * 1024  # characters in one resolved string
MAX_PARSED = 8 * 1024 * 1024  # characters parsed for variables in one file, repeats included
MAX_PYPROJECT = 1024 * 1024
MAX_PATTERN = 1024  # characters in one package pattern

# Event keys of serverless.yml and the spec's kinds.
_PUSH_KINDS = {"s3": "s3", "http": "api", "httpApi": "http-api", "schedule": "schedule",
               "alb": "alb", "eventBridge": "eventbridge", "cloudwatchEvent": "eventbridge",
               "sns": "sns"}
_MAPPING_KINDS = {"sqs": "sqs", "stream": "stream", "msk": "msk", "kafka": "msk",
                  "activemq": "mq", "rabbitmq": "mq"}
# API Gateway REST integrations that invoke the function with the proxy event.
_PROXY_INTEGRATIONS = frozenset({"lambda-proxy", "aws_proxy", "aws-proxy"})
_NOT_LAMBDA_INTEGRATIONS = frozenset({"http", "http-proxy", "http_proxy", "mock"})
_NAME_PROPERTY = {"AWS::S3::Bucket": "BucketName", "AWS::SQS::Queue": "QueueName",
                  "AWS::SNS::Topic": "TopicName", "AWS::Kinesis::Stream": "Name"}
_STREAM_TYPES = {"AWS::Kinesis::Stream": "kinesis", "AWS::DynamoDB::Table": "dynamodb",
                 "AWS::DynamoDB::GlobalTable": "dynamodb"}

_TRUE = frozenset({"true", "True", "TRUE"})
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_WORD = re.compile(r"[A-Za-z0-9.]*")
_TYPE = re.compile(r"[a-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_QUOTES = ("'", '"')
_JS_MODULE = re.compile(r"[\w.\-]+(?:/[\w.\-]+)*")
_BRACES = re.compile(r"\{([^{}]*,[^{}]*)\}")


def discover(path: Path, project: Project) -> Discovery:
    """What one serverless.yml deploys; problems instead of exceptions."""
    reader = _Reader(path, project)
    try:
        reader.run()
    except RecursionError:  # only a hostile file nests this deep
        reader.problem("nested too deeply to read", None)
    return reader.discovery


# --- variables ----------------------------------------------------------------------------


class Unknown:
    """A value decided at deploy time. ``text`` is as written, with what could be resolved
    resolved (an ARN keeps its ``${aws:region}``)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Unknown({self.text!r})"


_MISSING: Any = object()


class _Invalid(Exception):
    """Variable syntax the Serverless Framework rejects."""


@record
class _Source:
    kind: str  # self, opt, env, sls, ssm, file…; "" for a literal
    address: list[Any] | None = None  # text and _Var parts
    literal: str | None = None  # a literal's value; None for `null`


@record
class _Var:
    raw: str  # as written, `${…}` included
    sources: list[_Source] = field(default_factory=list)  # first choice, then fallbacks


class _Parser:
    """The Framework's variable syntax (lib/configuration/variables/parse.js), read once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def parts(self, depth: int, stops: str) -> list[Any]:
        """Text up to one of ``stops`` (not consumed) as literal text and ``_Var`` parts."""
        text = self.text
        parts: list[Any] = []
        buffer: list[str] = []
        while self.at < len(text):
            char = text[self.at]
            if char in stops:
                break
            if char == "\\" and self.at + 1 < len(text):
                buffer.append(text[self.at + 1])
                self.at += 2
                continue
            # `${AWS::Region}` (a Fn::Sub placeholder) is not a variable: a source starts with
            # a lower-case letter.
            if char == "$" and text.startswith("${", self.at) and \
                    text[self.at + 2:self.at + 3] in _LOWER:
                if buffer:
                    parts.append("".join(buffer))
                    buffer = []
                parts.append(self.variable(depth + 1))
                continue
            buffer.append(char)
            self.at += 1
        if buffer:
            parts.append("".join(buffer))
        return parts

    def variable(self, depth: int) -> _Var:
        if depth > MAX_NESTING:
            raise _Invalid("variables nested too deeply")
        start = self.at
        self.at += 2
        var = _Var("")
        while True:
            var.sources.append(self.source(depth))
            self.spaces()
            char = self.peek()
            self.at += 1
            if char == "}":
                var.raw = self.text[start:self.at]
                return var
            if char != ",":
                raise _Invalid("a variable without its closing }" if not char
                               else f"unexpected {char!r} in a variable")

    def source(self, depth: int) -> _Source:
        self.spaces()
        if self.peek() in _QUOTES:
            return _Source("", literal=self.quoted())
        match = _WORD.match(self.text, self.at)
        assert match is not None  # the pattern matches the empty string
        word = match.group()
        self.at = match.end()
        char = self.peek()
        if word and char in (":", "("):
            if not _TYPE.fullmatch(word):
                raise _Invalid(f"invalid variable source {word!r}")
            source = _Source(word)
            if char == "(":
                self.at += 1
                self.params(depth)
                char = self.peek()
            if char == ":":
                self.at += 1
                self.spaces()
                source.address = [self.quoted()] if self.peek() in _QUOTES \
                    else self.parts(depth, ",}")
            return source
        if word == "null":
            return _Source("", literal=None)
        if word in ("true", "false") or _NUMBER.fullmatch(word):
            return _Source("", literal=word)
        raise _Invalid(f"invalid variable source {word!r}" if word
                       else f"a variable source cannot start with {char!r}")

    def params(self, depth: int) -> None:
        """``file(…)``'s parameters: read past, never used."""
        while True:
            self.spaces()
            if self.peek() in _QUOTES:
                self.quoted()
            else:
                self.parts(depth, ",)")
            self.spaces()
            char = self.peek()
            self.at += 1
            if char == ")":
                return
            if char != ",":
                raise _Invalid("unterminated parameters")

    def quoted(self) -> str:
        text = self.text
        quote = text[self.at]
        end = self.at + 1
        while end < len(text) and text[end] != quote:
            end += 2 if quote == '"' and text[end] == "\\" else 1
        if end >= len(text):
            raise _Invalid("unterminated string")
        raw = text[self.at + 1:end]
        self.at = end + 1
        if quote == "'":
            return raw
        try:
            value = json.loads(f'"{raw}"')
        except ValueError:
            raise _Invalid("invalid string") from None
        return str(value)

    def peek(self) -> str:
        return self.text[self.at:self.at + 1]

    def spaces(self) -> None:
        while self.peek() == " ":
            self.at += 1


def parse(text: str) -> list[Any] | None:
    """``text`` as literal text and ``_Var`` parts; None without variables.

    Raises _Invalid for syntax the Framework rejects.
    """
    if "${" not in text:
        return None
    parts = _Parser(text).parts(0, "")
    return parts if any(isinstance(part, _Var) for part in parts) else None


class _Variables:
    """Resolves variables on demand, each string once, every walk bounded."""

    def __init__(self, root: Any, problem: Callable[[str, Mark | None], None],
                 note: Callable[[str], None]) -> None:
        self.root = root
        self.problem = problem
        self.note = note
        self.memo: dict[int, tuple[Str, Any]] = {}  # id(Str) → (the Str, its value)
        self.active: set[int] = set()  # strings being resolved: a repeat is a cycle
        self.steps = 0
        self.cut = 0  # results cut short by MAX_DEPTH: not remembered, a shorter walk may do
        self.exhausted = False
        # Each string's parts, parsed once even when its value is not remembered; and what
        # parsing cost in all, so that long strings referred to many times cannot stall.
        self.parsed: dict[int, list[Any] | _Invalid | None] = {}
        self.parsed_size = 0

    def value(self, node: Any, depth: int = 0) -> Any:
        """A node with its variables resolved: Str, Map, Seq, None or Unknown."""
        if isinstance(node, Str):
            return self.string(node, depth)
        return node

    def string(self, text: Str, depth: int) -> Any:
        if "${" not in text:
            return text
        key = id(text)
        done = self.memo.get(key)
        if done is not None:
            return done[1]
        if key in self.active:
            self.problem(f"circular variable reference: {text!r} depends on itself; the "
                         "Serverless Framework stops with 'Circular reference'", text.mark)
            return Unknown(str(text))
        if depth > MAX_DEPTH:
            self.cut += 1
            self.stop(f"more than {MAX_DEPTH} variables referring to one another")
            return Unknown(str(text))
        cut = self.cut
        try:
            parts = self.parse(text)
        except _Invalid as exc:
            self.note(f"line {text.mark.line}: {text!r} is not a valid variable ({exc}): "
                      "its value is not known")
            parts = None
            result: Any = Unknown(str(text))
        else:
            result = text
        if parts is not None:
            self.active.add(key)
            try:
                result = self.expand(parts, text, depth)
            finally:
                self.active.discard(key)
        if self.cut == cut:
            self.memo[key] = (text, result)
        return result

    def expand(self, parts: list[Any], text: Str, depth: int) -> Any:
        if len(parts) == 1:
            # The whole value is one variable: it may be a mapping, a list or null.
            found = self.evaluate(parts[0], text, depth)
            return Str(found, text.mark) if isinstance(found, Str) else found
        pieces: list[str] = []
        known = True
        size = 0
        for part in parts:
            if isinstance(part, _Var):
                found = self.evaluate(part, text, depth)
                if isinstance(found, Str):
                    part = str(found)
                elif isinstance(found, Unknown):
                    part = found.text
                    known = False
                else:  # a mapping, list or null inside a string: the Framework refuses it
                    part = part.raw
                    known = False
            pieces.append(part)
            size += len(part)
            if size > MAX_TEXT:
                self.stop(f"a resolved value longer than {MAX_TEXT:,} characters")
                return Unknown(str(text))
        joined = "".join(pieces)
        return Str(joined, text.mark) if known else Unknown(joined)

    def evaluate(self, var: _Var, where: Str, depth: int) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.stop(f"more than {MAX_STEPS:,} variables")
            return Unknown(var.raw)
        last = len(var.sources) - 1
        for index, source in enumerate(var.sources):
            if not source.kind:
                return None if source.literal is None else Str(source.literal, where.mark)
            if source.kind in ("opt", "env"):
                # Given on the command line or by the environment at deploy time, if at all:
                # the fallback is what the file says.
                if index == last:
                    return Unknown(var.raw)
                continue
            address = self.render(source.address, where, depth)
            if isinstance(address, Unknown):
                return Unknown(var.raw)
            if source.kind == "sls" and address == "stage":
                return self.stage(where, depth + 1)
            if source.kind != "self":
                return Unknown(var.raw)  # ssm, cf, s3, file(…), aws, param…: deploy time
            found = self.lookup(address, depth + 1)
            if isinstance(found, Unknown):
                return Unknown(var.raw)
            if found is _MISSING or found is None:
                if index == last:
                    self.problem(f"{var.raw} names no value in this file: the Serverless "
                                 "Framework stops with 'Value not found at \"self\" source'",
                                 where.mark)
                    return Unknown(var.raw)
                continue
            return found
        return Unknown(var.raw)

    def render(self, parts: list[Any] | None, where: Str, depth: int) -> str | Unknown:
        pieces: list[str] = []
        for part in parts or ():
            if isinstance(part, _Var):
                found = self.evaluate(part, where, depth)
                if not isinstance(found, Str):
                    return Unknown(part.raw)
                part = str(found)
            pieces.append(part)
        return "".join(pieces).strip()

    def lookup(self, address: str, depth: int) -> Any:
        """The value at a ``self:`` address; _MISSING when the file has none."""
        node = self.root
        for key in address.split(".") if address else ():
            node = self.value(node, depth)
            if isinstance(node, Unknown):
                return node
            if isinstance(node, Map):
                node = _get(node, key)
                if node is _MISSING:
                    return _MISSING
            elif isinstance(node, Seq) and key.isdecimal() and len(key) < 10 and \
                    int(key) < len(node):
                node = node[int(key)]
            else:
                return _MISSING
        return self.value(node, depth)

    def stage(self, where: Str, depth: int) -> Any:
        """``${sls:stage}``: ``provider.stage``, else the Framework's default."""
        stage = self.lookup("provider.stage", depth)
        if stage is _MISSING or stage is None:
            return Str(DEFAULT_STAGE, where.mark)
        return stage if isinstance(stage, (Str, Unknown)) else Unknown("${sls:stage}")

    def parse(self, text: Str) -> list[Any] | None:
        if id(text) not in self.parsed:
            self.parsed_size += len(text)
            if self.parsed_size > MAX_PARSED:
                self.stop(f"more than {MAX_PARSED:,} characters of variables")
                raise _Invalid("too much to resolve")
            try:
                self.parsed[id(text)] = parse(text)
            except _Invalid as exc:
                self.parsed[id(text)] = exc
        known = self.parsed[id(text)]
        if isinstance(known, _Invalid):
            raise known
        return known

    def stop(self, why: str) -> None:
        if not self.exhausted:
            self.exhausted = True
            self.note(f"variable resolution stopped at {why}: the values behind them are "
                      "not known")


# --- mappings with YAML merge lists --------------------------------------------------------


def _get(mapping: Map, key: str) -> Any:
    """``mapping[key]``, looking into `<<: [*a, *b]` merge lists; _MISSING when absent."""
    if key in mapping and key != "<<":
        return mapping[key]
    merged = mapping.get("<<")
    if isinstance(merged, Seq):
        for item in merged:
            if isinstance(item, Map) and key in item:
                return item[key]
    return _MISSING


def _keys(mapping: Map) -> list[str]:
    keys = [key for key in mapping if key != "<<"]
    merged = mapping.get("<<")
    if isinstance(merged, Seq):
        for item in merged:
            if isinstance(item, Map):
                keys.extend(key for key in item if key not in keys and key != "<<")
    return keys


def _mark(mapping: Map, key: str) -> Mark:
    if key in mapping.key_marks:
        return mapping.key_marks[key]
    merged = mapping.get("<<")
    if isinstance(merged, Seq):
        for item in merged:
            if isinstance(item, Map) and key in item:
                return item.mark_of(key)
    return mapping.mark


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _truthy(value: Any) -> bool:
    return isinstance(value, Map) or (isinstance(value, Str) and value in _TRUE)


def _false(value: Any) -> bool:
    return isinstance(value, Str) and value in ("false", "False", "FALSE")


def layer_logical_id(name: str) -> str:
    """The logical id the Framework gives layer ``name`` (naming.getLambdaLayerLogicalId):
    `my-deps` → `MyDashdepsLambdaLayer`."""
    name = name.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:] + "LambdaLayer"


def _alphanumeric_id(name: str) -> str:
    name = re.sub(r"[^0-9A-Za-z]", "", name)
    return name[:1].upper() + name[1:]


# --- package patterns ----------------------------------------------------------------------


def _expand_braces(pattern: str, limit: int = 64) -> list[str]:
    """`{a,b}` alternatives spelled out (at most ``limit``, in order)."""
    pending = [pattern]
    out: list[str] = []
    while pending and len(out) < limit and len(pending) < 16 * limit:
        current = pending.pop(0)
        match = _BRACES.search(current)
        if match is None:
            out.append(current)
            continue
        pending[:0] = [current[:match.start()] + choice + current[match.end():]
                       for choice in match.group(1).split(",")]
    return out or [pattern]


def _segment(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            while index + 1 < len(segment) and segment[index + 1] == "*":
                index += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in segment[index + 2:]:
            end = segment.index("]", index + 2)
            body = segment[index + 1:end]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A micromatch glob (`**`, `*`, `?`, `[…]`, `{a,b}`; dot files included) as a regex;
    a pattern that is not a glob matches itself only."""
    if len(pattern) > MAX_PATTERN:
        return re.compile(re.escape(pattern) + r"\Z")
    alternatives = []
    for expanded in _expand_braces(pattern):
        if expanded.startswith("./"):
            expanded = expanded[2:]
        segments = expanded.split("/")
        out: list[str] = []
        for index, segment in enumerate(segments):
            last = index == len(segments) - 1
            if segment == "**":
                out.append(".*" if last else "(?:[^/]*/)*")
                continue
            out.append(_segment(segment))
            if not last:
                out.append("/")
        alternatives.append("".join(out))
    try:
        return re.compile("(?:" + "|".join(alternatives) + r")\Z")
    except re.error:  # a character class Python reads otherwise
        return re.compile(re.escape(pattern) + r"\Z")


@record
class Patterns:
    """The Framework's package filter: every file, then each pattern in order (`!` excludes)."""

    rules: list[tuple[bool, re.Pattern[str], str, Origin | None]] = field(default_factory=list)
    user: bool = False  # a pattern the file itself states

    def add(self, pattern: str, include: bool, origin: Origin | None) -> None:
        if pattern.startswith("!"):
            include, pattern = not include, pattern[1:]
        if pattern:
            self.rules.append((include, glob_regex(pattern), pattern, origin))

    def decide(self, name: str) -> tuple[bool, str | None, Origin | None]:
        """Whether ``name`` (relative to the service folder) is packaged, and which pattern
        decided it."""
        included, pattern, origin = True, None, None
        for include, regex, text, where in self.rules:
            if regex.match(name):
                included, pattern, origin = include, text, where
        return included, pattern, origin


# --- the reader ----------------------------------------------------------------------------


@record
class _Requirements:
    """What serverless-python-requirements does for this service."""

    active: bool = False  # the plugin is listed in `plugins`
    layer: bool = False  # custom.pythonRequirements.layer
    options: Map | None = None


class _Reader:
    def __init__(self, path: Path, project: Project) -> None:
        if not path.is_absolute():
            path = project.cwd / path
        self.path = Path(os.path.normpath(path))
        self.project = project
        self.file = project.display(self.path)
        self.discovery = Discovery(source=self.file, kind=KIND)
        self.service_dir: Path | None = self.path.parent
        self.vars = _Variables(None, self.problem, self.note)
        self.root = Map(Mark(1, 1))
        self.provider = Map(Mark(1, 1))
        self.requirements = _Requirements()
        self.layer_specs: dict[str, LayerSpec | None] = {}  # logical id → spec
        self.layer_paths: list[str] = []  # layer folders, relative to the service folder
        self.resources = Map(Mark(1, 1))
        self.service: str | None = None
        self.stage: str | None = None
        self.limitations: set[str] = set()
        self._problems: set[tuple[str, int | None, int | None]] = set()

    # reporting

    def origin(self, mark: Mark | None, source: str = TEMPLATE) -> Origin:
        if mark is None:
            return Origin(source, self.file, path=self.path)
        return Origin(source, self.file, mark.line, mark.column, path=self.path)

    def problem(self, message: str, mark: Mark | Origin | None) -> None:
        origin = mark if isinstance(mark, Origin) else self.origin(mark)
        key = (message, origin.line, origin.column)
        if key not in self._problems:
            self._problems.add(key)
            self.discovery.problems.append(SpecProblem(message, origin))

    def note(self, message: str) -> None:
        message = f"{self.file}: {message}"
        if message not in self.discovery.notes:
            self.discovery.notes.append(message)

    # values

    def value(self, node: Any) -> Any:
        return self.vars.value(node)

    def field(self, mapping: Any, key: str) -> Any:
        """``mapping[key]`` resolved; _MISSING when absent or not a mapping."""
        if not isinstance(mapping, Map):
            return _MISSING
        found = _get(mapping, key)
        return _MISSING if found is _MISSING else self.value(found)

    def text(self, mapping: Any, key: str, where: str) -> Value | None:
        """A scalar setting as a Value; None when absent or decided at deploy time."""
        found = self.field(mapping, key)
        if found is _MISSING or found is None:
            return None
        if isinstance(found, Str):
            return Value(str(found), self.origin(found.mark))
        if isinstance(found, Unknown):
            self.note(f"line {_mark(mapping, key).line}: {_join(where, key)} is decided at deploy "
                      f"time ({found.text}): not known")
            return None
        self.problem(f"{_join(where, key)} must be a string, not a "
                     f"{'list' if isinstance(found, Seq) else 'mapping'}", _mark(mapping, key))
        return None

    def mapping(self, parent: Map, key: str, where: str) -> Map | None:
        found = self.field(parent, key)
        if found is _MISSING or found is None:
            return None
        if isinstance(found, Map):
            return found
        if isinstance(found, Unknown):
            self.note(f"line {_mark(parent, key).line}: {_join(where, key)} is decided at deploy "
                      f"time ({found.text}): its settings are not known")
            return None
        self.problem(f"{_join(where, key)} must be a mapping", _mark(parent, key))
        return None

    def strings(self, parent: Map, key: str, where: str) -> list[Str]:
        """A list of strings; unknown items are left out (with a note)."""
        found = self.field(parent, key)
        if found is _MISSING or found is None:
            return []
        if isinstance(found, Str):
            found = [found]
        if isinstance(found, Unknown):
            self.note(f"line {_mark(parent, key).line}: {_join(where, key)} is decided at deploy "
                      "time: not known")
            return []
        if not isinstance(found, Seq):
            self.problem(f"{_join(where, key)} must be a list", _mark(parent, key))
            return []
        out = []
        for item in found:
            item = self.value(item)
            if isinstance(item, Str):
                out.append(item)
            elif isinstance(item, Unknown):
                self.note(f"line {_mark(parent, key).line}: an entry of {_join(where, key)} is "
                          f"decided at deploy time ({item.text}): left out")
            else:
                self.problem(f"{_join(where, key)} must list strings", _mark(parent, key))
        return out

    def local(self, text: str, base: Path, mark: Mark | None, what: str) -> Path | None:
        found = self.project.local(text, base, self.origin(mark), what)
        if isinstance(found, SpecProblem):
            self.problem(found.message, found.origin)
            return None
        return found

    # the file

    def run(self) -> None:
        try:
            root = read(self.path)
        except DecodeError as exc:
            self.problem(exc.message, exc.mark)
            return
        if not isinstance(root, Map):
            self.problem("not a serverless.yml: the top level must be a mapping",
                         getattr(root, "mark", None))
            return
        self.root = root
        self.vars.root = root
        self.problem_if_outside()
        provider = self.mapping(root, "provider", "")
        self.provider = provider if provider is not None else Map(root.mark)
        name = self.field(self.provider, "name")
        if isinstance(name, Str) and name != "aws":
            self.note(f"provider {name!r} is not AWS: nothing to check")
            return
        self.read_service()
        self.read_plugins()
        resources = self.mapping(root, "resources", "")
        found = self.mapping(resources, "Resources", "resources") if resources else None
        self.resources = found if found is not None else Map(root.mark)
        self.read_layers()
        for key, node, mark in self.functions():
            self.read_function(key, node, mark)
        for limitation in sorted(self.limitations):
            self.note(limitation)

    def problem_if_outside(self) -> None:
        assert self.service_dir is not None
        if self.local(".", self.service_dir, None, "the service folder") is None:
            self.service_dir = None

    def read_service(self) -> None:
        service = self.field(self.root, "service")
        if isinstance(service, Map):  # the older `service: {name: …}`
            service = self.field(service, "name")
        if isinstance(service, Str):
            self.service = str(service)
        stage = self.field(self.provider, "stage")
        if stage is _MISSING or stage is None:
            self.stage = DEFAULT_STAGE
        elif isinstance(stage, Str):
            self.stage = str(stage)

    def read_plugins(self) -> None:
        plugins = self.field(self.root, "plugins")
        if isinstance(plugins, Map):
            plugins = self.field(plugins, "modules")
        names = {str(self.value(item)) for item in plugins
                 if isinstance(self.value(item), Str)} if isinstance(plugins, Seq) else set()
        custom = self.mapping(self.root, "custom", "")
        options = self.mapping(custom, "pythonRequirements", "custom") if custom else None
        self.requirements = _Requirements(active=PLUGIN in names, options=options)
        if options is None:
            return
        if not self.requirements.active:
            self.note(f"custom.pythonRequirements is set but {PLUGIN} is not in plugins: "
                      "nothing installs the requirements")
            return
        layer = self.field(options, "layer")
        if isinstance(layer, Unknown):
            self.note("custom.pythonRequirements.layer is decided at deploy time: the "
                      "requirements are taken as installed into the function package")
        self.requirements.layer = _truthy(layer)
        if _truthy(self.field(options, "zip")):
            self.note("custom.pythonRequirements.zip: the requirements are zipped into "
                      ".requirements.zip and importable only after `import unzip_requirements`")
        no_deploy = self.field(options, "noDeploy")
        if isinstance(no_deploy, Seq) and no_deploy:
            self.note("custom.pythonRequirements.noDeploy leaves distributions out of the "
                      "package: they count as installed here")

    # layers

    def read_layers(self) -> None:
        layers = self.mapping(self.root, "layers", "")
        for key in _keys(layers) if layers is not None else ():
            assert layers is not None
            self.layer_specs[layer_logical_id(key)] = self.read_layer(
                key, self.value(_get(layers, key)), _mark(layers, key), f"layers.{key}")
        if self.requirements.layer:
            options = self.requirements.options
            settings = self.field(options, "layer")
            runtimes = self.strings(settings, "compatibleRuntimes",
                                    "custom.pythonRequirements.layer") \
                if isinstance(settings, Map) else []
            architectures = self.strings(settings, "compatibleArchitectures",
                                         "custom.pythonRequirements.layer") \
                if isinstance(settings, Map) else []
            declared = self.origin(_mark(settings, "compatibleRuntimes")) if runtimes else None
            if not runtimes:
                # The plugin declares the provider's runtime.
                runtime = self.field(self.provider, "runtime")
                if isinstance(runtime, Str):
                    runtimes, declared = [runtime], self.origin(runtime.mark)
            assert options is not None
            self.layer_specs[REQUIREMENTS_LAYER] = LayerSpec(
                origin=self.origin(_mark(options, "layer")), name=REQUIREMENTS_LAYER,
                from_source=True, compatible_runtimes=tuple(str(r) for r in runtimes),
                compatible_architectures=tuple(str(a) for a in architectures),
                declared_at=declared)

    def read_layer(self, key: str, layer: Any, mark: Mark, where: str) -> LayerSpec | None:
        if not isinstance(layer, Map):
            if isinstance(layer, Unknown):
                self.note(f"line {mark.line}: {where} is decided at deploy time: not checked")
            else:
                self.problem(f"{where} must be a mapping with a path", mark)
            return None
        spec = LayerSpec(origin=self.origin(mark), name=layer_logical_id(key))
        package = self.mapping(layer, "package", where)
        artifact = self.text(package, "artifact", f"{where}.package") if package else None
        path_value = self.text(layer, "path", where)
        if path_value is not None and self.service_dir is not None:
            self.layer_paths.append(posixpath.normpath(path_value.value))
        if artifact is not None:
            if _is_s3(artifact.value):
                self.note(f"line {artifact.origin.line}: layer {spec.name} is "
                          f"{artifact.value}: not in the project, not checked")
                return spec
            spec = replace(spec, path=self.local_value(artifact, f"{where}.package.artifact"))
        elif path_value is not None:
            spec = replace(spec, path=self.local_value(path_value, f"{where}.path"))
        elif _get(layer, "path") is _MISSING:
            self.problem(f"{where} has no path: the Serverless Framework has nothing to "
                         "package", mark)
        runtimes = self.strings(layer, "compatibleRuntimes", where)
        architectures = self.strings(layer, "compatibleArchitectures", where)
        declared = _get(layer, "compatibleRuntimes") is not _MISSING
        return replace(spec, compatible_runtimes=tuple(str(r) for r in runtimes),
                       compatible_architectures=tuple(str(a) for a in architectures),
                       declared_at=self.origin(_mark(layer, "compatibleRuntimes"))
                       if declared else None)

    def local_value(self, value: Value, what: str) -> Path | None:
        if self.service_dir is None:
            return None
        mark = Mark(value.origin.line or 1, value.origin.column or 1)
        return self.local(value.value, self.service_dir, mark, what)

    def function_layers(self, spec: FunctionSpec, function: Map, where: str) -> bool:
        """The function's layers, else the provider's; True when the plugin's requirements
        layer is among them."""
        owner, key_where = function, where
        layers = self.field(function, "layers")
        if layers is _MISSING or layers is None:  # `layers: []` overrides, null does not
            owner, key_where = self.provider, "provider"
            layers = self.field(owner, "layers")
        if layers is _MISSING or layers is None:
            return False
        if isinstance(layers, Unknown):
            self.note(f"line {_mark(owner, 'layers').line}: {key_where}.layers is decided "
                      "at deploy time: not known")
            return False
        if not isinstance(layers, Seq):
            self.problem(f"{key_where}.layers must be a list", _mark(owner, "layers"))
            return False
        requirements = False
        for index, item in enumerate(layers):
            mark = getattr(item, "mark", None) or layers.mark
            found = self.value(item)
            layer = self.attached_layer(found, self.origin(mark),
                                        f"{key_where}.layers[{index}]")
            if layer is not None:
                spec.layers.append(layer)
                requirements |= layer.name == REQUIREMENTS_LAYER and layer.from_source
        return requirements

    def attached_layer(self, found: Any, origin: Origin, where: str) -> LayerSpec | None:
        if isinstance(found, Str):
            if not found.startswith("arn:"):
                self.problem(f"{where} must be a layer version ARN or {{Ref: …LambdaLayer}}, "
                             f"not {str(found)!r}", origin)
                return None
            return LayerSpec(origin=origin, arn=str(found))
        if isinstance(found, Unknown):
            return LayerSpec(origin=origin, arn=found.text)
        if isinstance(found, Map) and len(found) == 1:
            function, argument = next(iter(found.items()))
            argument = self.value(argument)
            if function == "Ref" and isinstance(argument, Str):
                return self.referenced_layer(str(argument), origin, where)
            if function == "Fn::Sub" and isinstance(argument, Str):
                return LayerSpec(origin=origin, arn=str(argument))
            self.note(f"line {origin.line}: {where} is {function}: decided at deploy time, "
                      "not checked")
            return LayerSpec(origin=origin)
        self.problem(f"{where} must be a layer version ARN or {{Ref: …LambdaLayer}}", origin)
        return None

    def referenced_layer(self, name: str, origin: Origin, where: str) -> LayerSpec | None:
        if name in self.layer_specs:
            spec = self.layer_specs[name]
            return replace(spec, origin=origin) if spec is not None else LayerSpec(origin, name)
        resource = self.field(self.resources, name)
        if isinstance(resource, Map):
            self.note(f"line {origin.line}: layer {name} is defined in resources: its "
                      "content is not checked")
            return LayerSpec(origin=origin, name=name)
        if isinstance(self.field(self.root, "resources"), Unknown):
            return LayerSpec(origin=origin, name=name)
        hint = ""
        if name == REQUIREMENTS_LAYER:
            hint = (f" ({PLUGIN} is not in plugins)" if not self.requirements.active
                    else " (custom.pythonRequirements.layer is not true)")
        self.problem(f"{where}: Ref {name} names no layer of this service{hint}; "
                     "CloudFormation stops with 'Unresolved resource dependencies'", origin)
        return None

    # functions

    def functions(self) -> Iterator[tuple[str, Any, Mark]]:
        functions = self.field(self.root, "functions")
        if functions is _MISSING or functions is None:
            return
        if isinstance(functions, Unknown):
            self.note("functions are decided at deploy time: not known")
            return
        parts = [functions] if isinstance(functions, Map) else []
        if isinstance(functions, Seq):  # a list of mappings, merged
            for item in functions:
                item = self.value(item)
                if isinstance(item, Map):
                    parts.append(item)
                elif isinstance(item, Unknown):
                    self.note(f"functions entry {item.text} is decided at deploy time: "
                              "not known")
                else:
                    self.problem("functions must list mappings of functions",
                                 _mark(self.root, "functions"))
        elif not isinstance(functions, Map):
            self.problem("functions must be a mapping of function names to settings",
                         _mark(self.root, "functions"))
        seen: set[str] = set()
        for part in parts:
            for key in _keys(part):
                if key not in seen:
                    seen.add(key)
                    yield key, _get(part, key), _mark(part, key)

    def read_function(self, key: str, node: Any, mark: Mark) -> None:
        where = f"functions.{key}"
        function = self.value(node)
        if isinstance(function, Unknown):
            self.note(f"line {mark.line}: {where} is decided at deploy time: not checked")
            return
        if not isinstance(function, Map):
            self.problem(f"{where} must be a mapping (handler, events…)", mark)
            return
        spec = FunctionSpec(name=key, origin=self.origin(mark))
        image = self.field(function, "image")
        has_handler = _get(function, "handler") is not _MISSING
        has_image = image is not _MISSING and image is not None
        if has_handler and has_image:
            self.problem(f"{where} has both handler and image: the Serverless Framework "
                         "takes one of them", mark)
        elif not has_handler and not has_image:
            self.problem(f"{where} has no handler", mark)
        spec.handler = self.text(function, "handler", where) if has_handler else None

        runtime = self.runtime(function, where)
        # The Framework ignores `runtime` for an image function: its image says it.
        if runtime is not None and not runtime.value.lower().startswith("python") and \
                not (has_image and not has_handler):
            self.discovery.other_functions.append(key)
            return
        spec.runtime = runtime
        spec.architecture = self.text(function, "architecture", where) \
            if _get(function, "architecture") is not _MISSING \
            else self.text(self.provider, "architecture", "provider")
        if spec.architecture is None and _get(function, "architecture") is _MISSING and \
                _get(self.provider, "architecture") is _MISSING:
            # Lambda's default: a function that names no architecture runs on x86_64.
            spec.architecture = Value("x86_64", self.origin(mark, DEFAULT))

        if has_image and not has_handler:
            self.image(spec, image, function, where)
        else:
            self.code(spec, function, where)
        no_runtime = runtime is None and not has_image and \
            _get(function, "runtime") is _MISSING and _get(self.provider, "runtime") is _MISSING
        if no_runtime and self.no_runtime(spec, where, mark):
            return  # a Node.js function: counted

        requirements = self.function_layers(spec, function, where)
        if self.requirements.layer and spec.package_type == "zip":
            file = self.requirements_file(self.service_dir)
            if requirements and file is not None:
                spec.requirements = (file,)
            elif not requirements and file is not None:
                self.note(f"line {mark.line}: {where} does not attach {REQUIREMENTS_LAYER}: "
                          f"the requirements in {self.project.display(file)} are not "
                          "installed for it")
        self.environment(spec, function, where)
        self.function_name(spec, function, key, mark, where)
        spec.events = list(self.events(function, where))
        url = self.field(function, "url")
        if _truthy(url):
            spec.events.append(Event("url", self.origin(_mark(function, "url"))))
        self.discovery.functions.append(spec)

    def runtime(self, function: Map, where: str) -> Value | None:
        if _get(function, "runtime") is not _MISSING:
            return self.text(function, "runtime", where)
        return self.text(self.provider, "runtime", "provider")

    def no_runtime(self, spec: FunctionSpec, where: str, mark: Mark) -> bool:
        """A function without a runtime: the Framework deploys it on Node.js. True when it
        is a Node.js function (counted, not checked)."""
        found = self.handler_file(spec)
        if found == "python":
            self.problem(f"{where} has no runtime and provider.runtime is not set: the "
                         "Serverless Framework deploys it on its default Node.js runtime, "
                         "where its Python handler fails on every invoke; set "
                         "provider.runtime (python3.x)", mark)
        elif found == "node":
            self.discovery.other_functions.append(spec.name or where)
            return True
        else:
            self.note(f"line {mark.line}: {where} has no runtime (the Serverless Framework's "
                      "default is Node.js): runtime not known")
        return False

    def handler_file(self, spec: FunctionSpec) -> str | None:
        """Whether the handler's module is a Python or a JavaScript file in the code."""
        if spec.handler is None or spec.code is None or not spec.code.is_dir():
            return None
        if any((spec.code / name).is_file() for name in _python_files(spec.handler.value)):
            return "python"
        module = spec.handler.value.rpartition(".")[0]
        if _JS_MODULE.fullmatch(module) and ".." not in module.split("/") and \
                any((spec.code / (module + ext)).is_file()
                    for ext in (".js", ".mjs", ".cjs", ".ts")):
            return "node"
        return None

    def image(self, spec: FunctionSpec, image: Any, function: Map, where: str) -> None:
        spec.package_type = "image"
        if isinstance(image, Map):
            command = self.strings(image, "command", f"{where}.image")
            if command:
                spec.handler = Value(str(command[0]), self.origin(command[0].mark))
            name = self.field(image, "name")
            uri = self.field(image, "uri")
            image = name if isinstance(name, Str) else uri
        built = None
        if isinstance(image, Str) and not _looks_like_uri(image):
            ecr = self.mapping(self.provider, "ecr", "provider")
            images = self.mapping(ecr, "images", "provider.ecr") if ecr else None
            built = self.mapping(images, str(image), "provider.ecr.images") if images else None
        if built is not None and self.service_dir is not None:
            context = self.text(built, "path", f"provider.ecr.images.{image}")
            file = self.text(built, "file", f"provider.ecr.images.{image}")
            folder = self.local_value(context, f"provider.ecr.images.{image}.path") \
                if context is not None else None
            dockerfile = folder / (file.value if file else "Dockerfile") if folder else None
            arguments = self.field(built, "buildArgs")
            build_args = {str(name): str(value) for name, value in arguments.items()
                          if isinstance(value, str)} if isinstance(arguments, Map) else {}
            if dockerfile is not None and folder is not None and dockerfile.is_file():
                self.read_image(spec, dockerfile, folder, build_args)
            else:
                shown = self.project.display(dockerfile) if dockerfile else "its Dockerfile"
                spec.code_note = f"image function: its code is in the image built from {shown}"
        elif isinstance(image, Str):
            spec.code_note = f"image function: its code is in the image {image}"
        else:
            spec.code_note = "image function: its code is in a container image"

    def read_image(self, spec: FunctionSpec, dockerfile: Path, context: Path,
                   build_args: dict[str, str]) -> None:
        """The image the Framework builds (provider.ecr.images), read through its Dockerfile;
        `image.command` in the file overrides the Dockerfile's CMD, as it does on Lambda."""
        from lambdalint.discover.dockerfile import apply_image, read_image

        found = self.project.local(dockerfile.name, dockerfile.parent,
                                   Origin(TEMPLATE, self.file), "Dockerfile")
        if isinstance(found, SpecProblem):
            self.discovery.problems.append(found)
            return
        image, facts, problems = read_image(found, self.project, context,
                                            build_args=build_args or None,
                                            referenced_at=Origin(TEMPLATE, self.file))
        self.discovery.problems.extend(problems)
        self.discovery.notes.extend(facts.notes)
        apply_image(spec, image, facts)

    def code(self, spec: FunctionSpec, function: Map, where: str) -> None:
        package = self.mapping(function, "package", where)
        service_package = self.mapping(self.root, "package", "")
        individually = _truthy(self.field(package, "individually")) or \
            _truthy(self.field(service_package, "individually"))
        artifact = self.text(package, "artifact", f"{where}.package") if package else None
        if artifact is None and not _truthy(self.field(package, "individually")) and \
                service_package is not None:
            artifact = self.text(service_package, "artifact", "package")
        if artifact is not None:
            if _is_s3(artifact.value):
                spec.code_note = f"the package is {artifact.value}: not in the project"
            else:
                spec.code = self.local_value(artifact, f"{where}.package.artifact")
            return
        if self.service_dir is None:
            spec.code_note = "the service folder is outside the project"
            return
        root = self.service_dir
        module = None
        if self.requirements.active and _truthy(self.field(service_package, "individually")):
            module_value = self.text(function, "module", where)
            relative = posixpath.normpath(module_value.value) if module_value else "."
            if module_value is not None and relative != ".":
                module = relative
                folder = self.local_value(module_value, f"{where}.module")
                if folder is None:
                    spec.code_note = "the module folder is not in the project"
                    return
                root = folder
        elif _get(function, "module") is not _MISSING:
            self.note(f"line {_mark(function, 'module').line}: {where}.module takes effect "
                      f"only with {PLUGIN} and package.individually: ignored")
        spec.code = root
        spec.from_source = True
        if self.requirements.active and not self.requirements.layer:
            file = self.requirements_file(root)
            if file is not None:
                spec.requirements = (file,)
        self.check_patterns(spec, function, package, service_package, individually, module,
                            where)

    def requirements_file(self, folder: Path | None) -> Path | None:
        """The file serverless-python-requirements installs from, if any (pip.js)."""
        if self.service_dir is None or folder is None:
            return None
        options = self.requirements.options
        if not _false(self.field(options, "usePoetry")):
            pyproject = self.existing("pyproject.toml", self.service_dir)
            if pyproject is not None and _is_poetry(pyproject):
                return pyproject
        if not _false(self.field(options, "usePipenv")):
            pipfile = self.existing("Pipfile", self.service_dir)
            if pipfile is not None:
                return pipfile
        name = self.field(options, "fileName")
        if isinstance(name, Str):
            found = self.local(str(name), folder, name.mark,
                               "custom.pythonRequirements.fileName")
            return found if found is not None and found.is_file() else None
        return self.existing("requirements.txt", folder)

    def existing(self, name: str, folder: Path) -> Path | None:
        if not (folder / name).exists() and not (folder / name).is_symlink():
            return None
        found = self.local(name, folder, None, name)
        return found if found is not None and found.is_file() else None

    def check_patterns(self, spec: FunctionSpec, function: Map, package: Map | None,
                       service_package: Map | None, individually: bool, module: str | None,
                       where: str) -> None:
        patterns = self.patterns(package, service_package, individually, where)
        if spec.code is not None and spec.code.is_dir() and not module:
            # The files the package leaves out are not the function's code.
            spec.package_filter = PackageFilter(tuple((include, regex.pattern)
                                                      for include, regex, _, _ in patterns.rules))
        if spec.handler is None or spec.code is None:
            return
        for candidate in _python_files(spec.handler.value):
            if not (spec.code / candidate).is_file():
                continue
            name = f"{module}/{candidate}" if module else candidate
            included, pattern, origin = patterns.decide(name)
            if not included:
                self.problem(f"{where}: the handler's module {name} is excluded from the "
                             f"package by {pattern!r}: Lambda cannot import it",
                             origin or spec.handler.origin)
            return

    def patterns(self, package: Map | None, service_package: Map | None,
                 individually: bool, where: str) -> Patterns:
        """The Framework's filter (packageService.js): its excludes, then the includes."""
        patterns = Patterns()
        for pattern in (*DEFAULT_EXCLUDES, self.path.name):
            patterns.add(pattern, False, None)
        local_path = self.field(self.field(self.root, "plugins"), "localPath")
        if isinstance(local_path, Str):
            patterns.add(str(local_path), False, None)
        scopes: list[tuple[Map, str]] = []
        if service_package is not None:
            scopes.append((service_package, "package"))
        own = package is not None and individually
        if package is not None and own:
            scopes.append((package, f"{where}.package"))
        elif package is not None and any(_get(package, key) is not _MISSING
                                         for key in ("patterns", "include", "exclude")):
            self.note(f"line {package.mark.line}: {where}.package patterns apply only with "
                      "package.individually: ignored, as the Serverless Framework does")
        for owner, name in scopes:
            if owner is package:  # the layer folders and .env files come first
                self.exclude_layers_and_dotenv(patterns)
            for item in self.strings(owner, "exclude", name):
                patterns.add(str(item), False, self.origin(item.mark))
        if not own:
            self.exclude_layers_and_dotenv(patterns)
        for owner, name in scopes:
            for key in ("include", "patterns"):
                for item in self.strings(owner, key, name):
                    patterns.add(str(item), True, self.origin(item.mark))
        patterns.user = any(_get(owner, key) is not _MISSING for owner, _ in scopes
                            for key in ("patterns", "include", "exclude"))
        return patterns

    def exclude_layers_and_dotenv(self, patterns: Patterns) -> None:
        for layer_path in self.layer_paths:  # layer folders are packaged on their own
            patterns.add(f"{layer_path}/**", False, None)
        if _truthy(self.field(self.root, "useDotenv")):
            patterns.add(".env*", False, None)

    def environment(self, spec: FunctionSpec, function: Map, where: str) -> None:
        for owner, name in ((self.provider, "provider"), (function, where)):
            if _get(owner, "environment") is _MISSING:
                continue
            spec.environment_origin = self.origin(_mark(owner, "environment"))
            variables = self.mapping(owner, "environment", name)
            if variables is None:
                continue
            for key in _keys(variables):
                raw = _get(variables, key)
                origin = self.origin(_mark(variables, key))
                if raw is None:
                    continue  # the Framework drops null variables
                found = self.value(raw)
                if isinstance(found, Str):
                    spec.environment[key] = Variable(key, str(found), origin)
                elif isinstance(found, Map):
                    spec.environment[key] = Variable(key, None, origin, _refers_to(found))
                elif isinstance(found, Seq):
                    self.problem(f"{name}.environment.{key} must be a string, not a list",
                                 origin)
                else:  # Unknown, or a variable resolving to null
                    spec.environment[key] = Variable(key, None, origin)

    def function_name(self, spec: FunctionSpec, function: Map, key: str, mark: Mark,
                      where: str) -> None:
        if _get(function, "name") is not _MISSING:
            spec.function_name = self.text(function, "name", where)
        elif self.service is not None and self.stage is not None:
            spec.function_name = Value(f"{self.service}-{self.stage}-{key}", self.origin(mark))

    # events

    def events(self, function: Map, where: str) -> Iterator[Event]:
        events = self.field(function, "events")
        if events is _MISSING or events is None:
            return
        if isinstance(events, Unknown):
            self.note(f"line {_mark(function, 'events').line}: {where}.events are decided at "
                      "deploy time: not known")
            return
        if not isinstance(events, Seq):
            self.problem(f"{where}.events must be a list", _mark(function, "events"))
            return
        skipped: list[str] = []
        for index, item in enumerate(events):
            mark = getattr(item, "mark", None) or events.mark
            item = self.value(item)
            label = f"{where}.events[{index}]"
            if isinstance(item, Unknown):
                self.note(f"line {mark.line}: {label} is decided at deploy time: not known")
                continue
            if not isinstance(item, Map) or len(_keys(item)) != 1:
                self.problem(f"{label} must be a mapping with one event type (s3, http, sqs…)",
                             mark)
                continue
            kind = _keys(item)[0]
            origin = self.origin(_mark(item, kind))
            body = self.field(item, kind)
            if kind in _PUSH_KINDS or kind in _MAPPING_KINDS:
                event = self.event(kind, body, origin, f"{label}.{kind}")
                if event is not None:
                    yield event
            else:
                skipped.append(kind)
        if skipped:
            self.note(f"line {_mark(function, 'events').line}: {where} events not modelled: "
                      f"{', '.join(sorted(set(skipped)))}")

    def event(self, kind: str, body: Any, origin: Origin, where: str) -> Event | None:
        if isinstance(body, Unknown):
            body = None
        if kind == "s3":
            return self.s3_event(body, origin, where)
        if kind == "http":
            integration = self.field(body, "integration")
            if isinstance(integration, Str):
                if integration.lower() in _NOT_LAMBDA_INTEGRATIONS:
                    return None
                if integration.lower() not in _PROXY_INTEGRATIONS:
                    self.note(f"line {origin.line}: {where}: integration {integration} is not "
                              "the Lambda proxy integration: not modelled")
                    return None
            return Event("api", origin)
        if kind == "sns":
            return self.sns_event(body, origin)
        if kind in _PUSH_KINDS:
            return Event(_PUSH_KINDS[kind], origin)
        arn = body if isinstance(body, Str) else self.field(body, "arn")
        if kind == "stream":
            return self.stream_event(body, arn, origin, where)
        resource, name = self.source_of(arn)
        if kind != "sqs":
            name = None  # a cluster or broker ARN, not a name
        position = self.text(body, "startingPosition", where) \
            if kind in ("msk", "kafka") and isinstance(body, Map) else None
        return Event(_MAPPING_KINDS[kind], origin, resource=resource, name=name, mapping=True,
                     starting_position=position)

    def s3_event(self, body: Any, origin: Origin, where: str) -> Event | None:
        bucket: Any = body
        prefix = suffix = None
        existing = False
        if isinstance(body, Map):
            bucket = self.field(body, "bucket")
            existing = _truthy(self.field(body, "existing"))
            rules = self.field(body, "rules")
            for rule in rules if isinstance(rules, Seq) else ():
                rule = self.value(rule)
                found = self.field(rule, "prefix")
                prefix = str(found) if isinstance(found, Str) else prefix
                found = self.field(rule, "suffix")
                suffix = str(found) if isinstance(found, Str) else suffix
        if bucket is _MISSING or bucket is None:
            self.problem(f"{where} has no bucket", origin)
            return None
        if isinstance(bucket, Map):  # `bucket: !Ref Uploads`, a bucket of the stack
            return Event("s3", origin, resource=_refers_to(bucket), prefix=prefix,
                         suffix=suffix)
        name = str(bucket) if isinstance(bucket, Str) else None
        resource = None
        if name is not None and not existing:
            # The Framework creates the bucket: S3Bucket<Name> in the stack.
            resource = "S3Bucket" + _alphanumeric_id(name)
            self.bucket_twice(name, resource, origin, where)
        return Event("s3", origin, resource=resource, name=name, prefix=prefix, suffix=suffix)

    def bucket_twice(self, name: str, resource: str, origin: Origin, where: str) -> None:
        for key in _keys(self.resources):
            if key == resource:
                continue  # the documented way to configure the bucket the Framework creates
            found = self.field(self.resources, key)
            if self.field(found, "Type") != "AWS::S3::Bucket":
                continue
            if self.field(self.field(found, "Properties"), "BucketName") == name:
                self.problem(f"{where}: the Serverless Framework creates bucket {name} for "
                             f"this event and resources.Resources.{key} creates it too: the "
                             "deploy fails (already exists); add `existing: true`", origin)

    def sns_event(self, body: Any, origin: Origin) -> Event:
        arn = self.field(body, "arn") if isinstance(body, Map) else _MISSING
        topic = self.field(body, "topicName") if isinstance(body, Map) else body
        if isinstance(topic, Str) and topic.startswith("arn:"):
            arn, topic = topic, _MISSING
        if arn is not _MISSING and arn is not None:
            resource, name = self.source_of(arn)
            return Event("sns", origin, resource=resource, name=name)
        if isinstance(topic, Str):  # the Framework creates the topic
            return Event("sns", origin, resource="SNSTopic" + _alphanumeric_id(str(topic)),
                         name=str(topic))
        return Event("sns", origin)

    def stream_event(self, body: Any, arn: Any, origin: Origin, where: str) -> Event | None:
        kind = self.field(body, "type") if isinstance(body, Map) else None
        resource, name = self.source_of(arn)
        if not isinstance(kind, Str) or kind not in ("kinesis", "dynamodb"):
            kind = None
            if isinstance(arn, Str) and arn.startswith("arn:"):
                service = arn.split(":")[2] if arn.count(":") >= 2 else ""
                kind = service if service in ("kinesis", "dynamodb") else None
            elif isinstance(arn, Map):
                attribute = _getatt(arn)[1]
                if attribute == "StreamArn":
                    kind = "dynamodb"
                elif resource is not None:
                    kind = _STREAM_TYPES.get(str(self.field(self.field(self.resources,
                                                                        resource), "Type")))
        if kind is None:
            self.note(f"line {origin.line}: {where}: neither kinesis nor dynamodb (no type): "
                      "not modelled")
            return None
        position = self.text(body, "startingPosition", where) \
            if isinstance(body, Map) else None
        if position is None:
            # The Framework's default (package/compile/events/stream.js).
            position = Value("TRIM_HORIZON", replace(origin, source=DEFAULT))
        return Event(str(kind), origin, resource=resource, name=_short(name), mapping=True,
                     starting_position=position)

    def source_of(self, arn: Any) -> tuple[str | None, str | None]:
        """The logical id and the physical name an event source's ARN names."""
        if isinstance(arn, Str):
            # arn:partition:service:region:account:resource (the resource may hold colons)
            parts = str(arn).split(":", 5)
            return None, (parts[5] or None) if len(parts) == 6 else None
        if isinstance(arn, Map):
            resource = _refers_to(arn)
            if resource is None:
                return None, None
            found = self.field(self.resources, resource)
            kind = self.field(found, "Type")
            name = self.field(self.field(found, "Properties"),
                              _NAME_PROPERTY.get(str(kind), "")) if isinstance(kind, Str) \
                else None
            return resource, str(name) if isinstance(name, Str) else None
        return None, None


def _python_files(handler: str) -> tuple[str, ...]:
    """Where the handler's module is, relative to the code: `src/app.handler` (module
    src.app) → src/app.py or src/app/__init__.py; nothing for a malformed handler."""
    module = handler.rpartition(".")[0].replace("/", ".")
    parts = module.split(".")
    if not module or not all(part.isidentifier() for part in parts):
        return ()
    path = "/".join(parts)
    return path + ".py", path + "/__init__.py"


def _short(name: str | None) -> str | None:
    """A stream ARN's resource as a name: `stream/orders` → `orders`,
    `table/Orders/stream/2024-01-01T00:00:00.000` → `Orders`."""
    if not name:
        return None
    return name.split("/stream/")[0].rpartition("/")[2] or None


def _getatt(value: Map) -> tuple[str | None, str | None]:
    target = value.get("Fn::GetAtt")
    if isinstance(target, Seq) and len(target) == 2 and all(isinstance(t, Str) for t in target):
        return str(target[0]), str(target[1])
    if isinstance(target, Str) and "." in target:
        resource, _, attribute = target.partition(".")
        return resource, attribute
    return None, None


def _refers_to(value: Map) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` names."""
    target = value.get("Ref")
    if isinstance(target, Str):
        return None if target.startswith("AWS::") else str(target)
    return _getatt(value)[0]


def _is_s3(text: str) -> bool:
    return text.startswith("s3://") or bool(re.match(r"https?://[^/]*s3[.-]", text))


def _looks_like_uri(text: str) -> bool:
    return "/" in text or "@" in text or ":" in text


def _is_poetry(pyproject: Path) -> bool:
    try:
        if not pyproject.is_file():  # a FIFO would block the open
            return False
        with open(pyproject, "rb") as handle:
            head = handle.read(MAX_PYPROJECT)
    except OSError:
        return False
    return re.search(rb"^\s*\[tool\.poetry[\].]", head, re.MULTILINE) is not None
