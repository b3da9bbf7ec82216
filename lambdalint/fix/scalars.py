"""One scalar value edited in place: the rest of the file stays byte for byte as it was.

``lambdalint check --fix`` repairs a runtime (``python3.8`` → ``python3.13``) or a handler
(``app.handlr`` → ``app.handler``) where the user wrote it: a SAM or CloudFormation template
(YAML or JSON), a serverless.yml, a pyproject.toml or a lambdalint.toml. Only the characters
of the value change; quotes keep their style, comments and line endings stay.

YAML and JSON values are found by the position lambdalint's decoder gave them
(:mod:`lambdalint.discover.decode`: PyYAML's start mark of the scalar, 1-based; JSON is read
as YAML, so a JSON string's mark is its opening quote). TOML gives no positions: a value is
found by its key path from the document's root, scanning the file's table headers and keys.

Anything unusual (a block scalar, a tag, an alias or anchor, a value spanning lines, escapes,
an inline table, a value that is not ``old``) is left alone: the answer is None, never a
guess. Every edit is checked before it is returned: the new text is decoded again, the value
must now read ``new`` and everything else must decode exactly as before.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from pathlib import PurePath
from typing import Any, Callable, NamedTuple

from lambdalint.discover import decode

_BOM = "\ufeff"
# Line breaks as PyYAML (and libyaml) count them for marks.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_STR_TAG = "tag:yaml.org,2002:str"
# A plain scalar lambdalint writes without quotes (runtimes, handlers, paths); anything else,
# or anything YAML 1.1 would read as a number, a boolean, a null or a date, is double-quoted.
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./@+=~%:-]*")
# Characters a quoted YAML or JSON string must escape: controls, YAML's extra line breaks,
# the BOM and lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_TOML_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


class _Unsupported(Exception):
    """The file holds something this module does not edit."""


def kind_of_file(path: str, text: str) -> str | None:
    """"yaml", "json" or "toml" by the file's suffix; a CloudFormation ``.template`` is JSON
    when its first non-blank character is ``{``, else YAML. None for anything else."""
    suffix = PurePath(path).suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".template":
        return "json" if text.lstrip(_BOM + " \t\r\n").startswith("{") else "yaml"
    return None


def replace_scalar(text: str, kind: str, old: str, new: str, *, line: int | None = None,
                   column: int | None = None,
                   key: tuple[str | int, ...] | None = None) -> str | None:
    """``text`` with the one value ``old`` replaced by ``new``, else None.

    yaml and json: ``line`` and ``column`` (1-based, characters) are where the scalar
    starts, as lambdalint's decoder marks it. toml: ``key`` is the value's path from the
    document root; an int indexes an array of tables (0-based). A leading BOM is kept and
    not counted in columns, as the decoder strips it.
    """
    try:
        if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
            return None
        bom = _BOM if text.startswith(_BOM) else ""
        body = text[len(bom):]
        result: str | None
        if kind in ("yaml", "json"):
            if not (_positive(line) and _positive(column)):
                return None
            assert line is not None and column is not None
            result = _replace_yaml(body, kind == "json", old, new, line, column)
        elif kind == "toml":
            if not _valid_key(key):
                return None
            assert key is not None
            result = _replace_toml(body, old, new, key)
        else:
            return None
    except Exception:  # odd input of any kind: no edit rather than an error
        return None
    return None if result is None else bom + result


def _positive(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool) and number >= 1


def _valid_key(key: object) -> bool:
    if not isinstance(key, tuple) or not key or not isinstance(key[-1], str):
        return False
    return all(isinstance(part, str) or (type(part) is int and part >= 0) for part in key)


# --- YAML and JSON -------------------------------------------------------------------------


class _View:
    """The text the decoder reads and the way back to the file's own indexes.

    For JSON the decoder first rewrites escaped surrogate pairs (12 characters) as YAML's
    ``\\U…`` escape (10 characters), which moves every later column on that line."""

    def __init__(self, text: str, is_json: bool) -> None:
        self.text = text
        self.ends: list[int] = []
        if is_json:
            matches = list(decode._JSON_SURROGATES.finditer(text))
            if matches:
                self.text = decode._JSON_SURROGATES.sub(decode._astral, text)
                self.ends = [m.end() - 2 * (k + 1) for k, m in enumerate(matches)]

    def original(self, index: int) -> int:
        return index + 2 * bisect_right(self.ends, index)


def _offset(text: str, line: int, column: int) -> int | None:
    """The index of a 1-based (line, column), counting lines as PyYAML does."""
    start, seen = 0, 1
    if line > 1:
        for match in _BREAKS.finditer(text):
            seen += 1
            if seen == line:
                start = match.end()
                break
        else:
            return None
    after = _BREAKS.search(text, start)
    end = after.start() if after else len(text)
    index = start + column - 1
    return index if index < end else None


class _Scalar(NamedTuple):
    """A scalar as the parser saw it; ``start`` and ``end`` index the parsed text."""

    value: str
    style: str  # "" (plain), "'", '"', "|" or ">"
    bare: bool  # no tag and no anchor
    start: int
    end: int
    one_line: bool


def _scalar_at(text: str, line: int, column: int) -> _Scalar | None:
    """The scalar whose event starts at (line, column); None for an alias or nothing."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    want = (line - 1, column - 1)
    event: Any
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            begin: Any = event.start_mark
            finish: Any = event.end_mark
            where = (begin.line, begin.column)
            if where > want:
                return None
            if where == want:
                if not isinstance(event, yaml.ScalarEvent):
                    return None
                return _Scalar(event.value, event.style or "",
                               event.tag is None and event.anchor is None,
                               begin.index, finish.index, begin.line == finish.line)
    return None


def _replace_yaml(text: str, is_json: bool, old: str, new: str, line: int,
                  column: int) -> str | None:
    view = _View(text, is_json)
    start = _offset(view.text, line, column)
    scalar = _scalar_at(view.text, line, column)
    if start is None or scalar is None:
        return None  # nothing there, or an alias
    style = scalar.style
    if (scalar.start != start or not scalar.bare or style not in ("", "'", '"')
            or not scalar.one_line or scalar.value != old):
        return None  # a tag, an anchor, a block scalar, several lines, or not `old`
    end = scalar.end
    raw = view.text[start:end]
    if raw != style + old + style:
        return None  # escapes in the quoted text
    begin, finish = view.original(start), view.original(end)
    if text[begin:finish] != raw:
        return None
    old_doc = decode.loads(view.text)
    check = _Check(old_doc, (line, column), old, new, is_json, text)
    for fragment in _fragments(new, style):
        edited = text[:begin] + fragment + text[finish:]
        if check.accepts(edited, begin, fragment):
            return edited
    return None


def _fragments(new: str, style: str) -> list[str]:
    """How ``new`` may be written in place of a scalar of this style, best first."""
    quoted = '"' + _UNPRINTABLE.sub(_escape, new.replace("\\", "\\\\").replace('"', '\\"')) + '"'
    if style == "'":
        return ["'" + new.replace("'", "''") + "'"]
    if style == '"':
        return [quoted]
    return [new, quoted] if _plain(new) else [quoted]


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _plain(value: str) -> bool:
    """Whether ``value`` reads back as the same string when written without quotes."""
    import yaml

    if not _PLAIN.fullmatch(value) or value.endswith(":"):
        return False
    resolver: Any = yaml.resolver.Resolver()
    return bool(resolver.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG)


class _Check:
    """Decodes an edited text and compares it with the original document."""

    def __init__(self, old_doc: Any, mark: tuple[int, int], old: str, new: str,
                 is_json: bool, text: str) -> None:
        self.old_doc, self.mark, self.old, self.new = old_doc, mark, old, new
        self.is_json, self.text = is_json, text
        targets = _values_at(old_doc, mark)
        if len(targets) != 1 or targets[0] != old:
            raise _Unsupported("the decoded document has no single value there")
        self.target = targets[0]

    def accepts(self, edited: str, begin: int, fragment: str) -> bool:
        import yaml

        line, column = self.mark
        view = _View(edited, self.is_json)
        try:
            new_doc = decode.loads(view.text)
            scalar = _scalar_at(view.text, line, column)
        except (decode.DecodeError, yaml.YAMLError):
            return False
        if scalar is None or scalar.value != self.new or not scalar.bare:
            return False
        style = scalar.style
        if (style != (fragment[0] if fragment[:1] in ("'", '"') else "")
                or view.original(scalar.start) != begin
                or view.original(scalar.end) != begin + len(fragment)):
            return False
        if not style and not _plain(self.new):
            return False
        targets = _values_at(new_doc, self.mark)
        if len(targets) != 1 or targets[0] != self.new:
            return False
        if _substitute(self.old_doc, self.target, self.new, {}) != new_doc:
            return False
        if self.is_json:
            return self._json_accepts(edited)
        return True

    def _json_accepts(self, edited: str) -> bool:
        path = _path_to(self.old_doc, self.target)
        try:
            before, after = json.loads(self.text), json.loads(edited)
        except ValueError:
            return False
        if path is None:
            return False
        return bool(_assign(before, path, self.new) == after)


def _values_at(doc: Any, mark: tuple[int, int]) -> list[Any]:
    """The distinct decoded values (never keys) whose mark is ``mark``."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [doc]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, decode.Str) and tuple(value.mark) == mark:
            found.append(value)
    return found


def _substitute(value: Any, target: Any, new: str, memo: dict[int, Any]) -> Any:
    """A plain copy of ``value`` with the object ``target`` replaced wherever it occurs."""
    if value is target:
        return new
    if id(value) in memo:
        return memo[id(value)]
    copy: Any
    if isinstance(value, dict):
        copy = {k: _substitute(v, target, new, memo) for k, v in value.items()}
    elif isinstance(value, list):
        copy = [_substitute(v, target, new, memo) for v in value]
    else:
        return value
    memo[id(value)] = copy
    return copy


def _path_to(doc: Any, target: Any) -> list[str | int] | None:
    stack: list[tuple[Any, list[str | int]]] = [(doc, [])]
    while stack:
        value, path = stack.pop()
        if value is target:
            return path
        if isinstance(value, dict):
            stack.extend((v, [*path, k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(value))
    return None


def _assign(doc: Any, path: list[str | int] | tuple[str | int, ...], new: Any) -> Any:
    """``doc`` with the value at ``path`` set to ``new`` (``doc`` is changed in place)."""
    if not path:
        return new
    container = doc
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = new
    return doc


# --- TOML -----------------------------------------------------------------------------------


def _toml_loads() -> Callable[[str], dict[str, Any]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    return tomllib.loads


def _lookup(doc: Any, key: tuple[str | int, ...]) -> Any:
    value = doc
    for part in key:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                raise _Unsupported("no such array element")
        elif not isinstance(value, dict) or part not in value:
            raise _Unsupported("no such key")
        value = value[part]
    return value


def _replace_toml(text: str, old: str, new: str, key: tuple[str | int, ...]) -> str | None:
    loads = _toml_loads()
    old_doc = loads(text)
    if _lookup(old_doc, key) != old or not isinstance(_lookup(old_doc, key), str):
        return None
    spans = _TomlScanner(text, loads).find(key)
    if len(spans) != 1:
        return None
    start, end = spans[0]
    raw = text[start:end]
    if raw.startswith(('"""', "'''")) or raw[:1] not in ('"', "'") or len(raw) < 2:
        return None
    if loads("v = " + raw)["v"] != old:
        return None
    if raw[0] == '"':
        inner = _TOML_CONTROL.sub(_escape, new.replace("\\", "\\\\").replace('"', '\\"'))
    elif "'" in new or _TOML_CONTROL.search(new):
        return None  # a literal string cannot hold it
    else:
        inner = new
    edited = text[:start + 1] + inner + text[end - 1:]
    new_doc = loads(edited)
    if _lookup(new_doc, key) != new or _assign(old_doc, key, new) != new_doc:
        return None
    return edited


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ATOM = re.compile(r"[A-Za-z0-9_:.+-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_AFTER_SPACE = re.compile(r" \d{2}:\d{2}[0-9:.+Zz-]*")


class _TomlScanner:
    """Walks a (valid) TOML document's headers and keys, skipping values' insides."""

    def __init__(self, text: str, loads: Callable[[str], dict[str, Any]]) -> None:
        self.text, self.loads = text, loads
        self.i = 0

    def find(self, target: tuple[str | int, ...]) -> list[tuple[int, int]]:
        """Where the values with this key path are written; none if inside an inline value."""
        text = self.text
        table: tuple[str | int, ...] = ()
        counts: dict[tuple[str | int, ...], int] = {}
        spans: list[tuple[int, int]] = []
        while True:
            self._blank()
            if self.i >= len(text):
                return spans
            if text[self.i] == "[":
                array = text.startswith("[[", self.i)
                self.i += 2 if array else 1
                names = self._key()
                close = "]]" if array else "]"
                if not text.startswith(close, self.i):
                    raise _Unsupported("a table header")
                self.i += len(close)
                path: tuple[str | int, ...] = ()
                for number, name in enumerate(names):
                    path += (name,)
                    if path in counts and number < len(names) - 1:
                        path += (counts[path] - 1,)
                if array:
                    counts[path] = counts.get(path, 0) + 1
                    table = (*path, counts[path] - 1)
                else:
                    table = path
            else:
                full = table + tuple(self._key())
                if not text.startswith("=", self.i):
                    raise _Unsupported("a key without a value")
                self.i += 1
                self._spaces()
                start = self.i
                self._value()
                if full == target:
                    spans.append((start, self.i))
                elif full == target[:len(full)]:
                    return []  # inside an inline table or an array: not edited
            self._line_end()

    def _spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def _blank(self) -> None:
        """Spaces, line breaks and comments."""
        text = self.text
        while self.i < len(text):
            if text[self.i] in " \t\r\n":
                self.i += 1
            elif text[self.i] == "#":
                newline = text.find("\n", self.i)
                self.i = len(text) if newline < 0 else newline
            else:
                return

    def _line_end(self) -> None:
        self._spaces()
        text = self.text
        if text.startswith("#", self.i):
            newline = text.find("\n", self.i)
            self.i = len(text) if newline < 0 else newline
        if self.i < len(text) and not text.startswith(("\n", "\r\n"), self.i):
            raise _Unsupported("more on the line")

    def _key(self) -> list[str]:
        text = self.text
        names: list[str] = []
        while True:
            self._spaces()
            if text.startswith('"', self.i):
                end = self._basic_end(self.i)
                decoded = self.loads(text[self.i:end] + " = 0")
                names.append(next(iter(decoded)))
                self.i = end
            elif text.startswith("'", self.i):
                end = self._literal_end(self.i)
                names.append(text[self.i + 1:end - 1])
                self.i = end
            else:
                bare = _BARE_KEY.match(text, self.i)
                if not bare:
                    raise _Unsupported("a key")
                names.append(bare.group())
                self.i = bare.end()
            self._spaces()
            if not text.startswith(".", self.i):
                return names
            self.i += 1

    def _basic_end(self, start: int) -> int:
        text, i = self.text, start + 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text[i] == '"':
                return i + 1
            elif text[i] == "\n":
                break
            else:
                i += 1
        raise _Unsupported("an unterminated string")

    def _literal_end(self, start: int) -> int:
        end = self.text.find("'", start + 1)
        if end < 0 or "\n" in self.text[start:end]:
            raise _Unsupported("an unterminated string")
        return end + 1

    def _multiline_end(self, start: int, quote: str) -> int:
        text, i = self.text, start + 3
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
            elif text.startswith(quote * 3, i):
                i += 3
                extra = 0
                while extra < 2 and text.startswith(quote, i):
                    i, extra = i + 1, extra + 1
                return i
            else:
                i += 1
        raise _Unsupported("an unterminated string")

    def _value(self) -> None:
        text, i = self.text, self.i
        if text.startswith(('"""', "'''"), i):
            self.i = self._multiline_end(i, text[i])
        elif text.startswith('"', i):
            self.i = self._basic_end(i)
        elif text.startswith("'", i):
            self.i = self._literal_end(i)
        elif text.startswith("[", i):
            self.i += 1
            while True:
                self._blank()
                if text.startswith("]", self.i):
                    self.i += 1
                    return
                self._value()
                self._blank()
                if text.startswith(",", self.i):
                    self.i += 1
                elif not text.startswith("]", self.i):
                    raise _Unsupported("an array")
        elif text.startswith("{", i):
            self.i += 1
            while True:
                self._blank()
                if text.startswith("}", self.i):
                    self.i += 1
                    return
                self._key()
                if not text.startswith("=", self.i):
                    raise _Unsupported("an inline table")
                self.i += 1
                self._blank()
                self._value()
                self._blank()
                if text.startswith(",", self.i):
                    self.i += 1
                elif not text.startswith("}", self.i):
                    raise _Unsupported("an inline table")
        else:
            atom = _TOML_ATOM.match(text, i)
            if not atom:
                raise _Unsupported("a value")
            self.i = atom.end()
            if _DATE.fullmatch(atom.group()):
                time = _TIME_AFTER_SPACE.match(text, self.i)
                if time:
                    self.i = time.end()
