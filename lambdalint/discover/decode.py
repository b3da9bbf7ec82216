"""Templates decoded into plain values that remember their line (YAML and JSON).

CloudFormation, SAM and serverless.yml files are read from PyYAML's event stream (the C
parser when present), never through a constructor: nothing in the file can name a Python
object, and the tree is built with an explicit stack, so hostile nesting cannot exhaust the
interpreter's stack. Aliases are shared, not copied, and their expanded size is counted, so
an alias bomb stops at a cap instead of filling memory. CloudFormation's short tags become
the long form (`!Ref X` → `{"Ref": "X"}`), as CloudFormation itself reads them.

Every string, mapping and list carries a ``mark`` (1-based line and column); a mapping
also knows the mark of each key. Scalars stay text: `Runtime: 3.10` or `Enabled: yes` are
compared as the user wrote them, never as YAML 1.1 numbers or booleans.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from lambdalint.records import record

# CloudFormation takes templates up to 1 MB; far larger files are not templates worth the
# seconds and the memory a YAML parse of them costs.
MAX_BYTES = 4 * 1024 * 1024
# Expanded nodes (aliases counted at full size) and nesting: far beyond any real template.
MAX_NODES = 2_000_000
MAX_DEPTH = 200

# CloudFormation's short-form tags and their long form.
SHORT_TAGS = {
    "!Ref": "Ref", "!Condition": "Condition", "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt",
    "!Join": "Fn::Join", "!If": "Fn::If", "!Select": "Fn::Select", "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64", "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And",
    "!Or": "Fn::Or", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr",
    "!Transform": "Fn::Transform", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
}
_CORE = "tag:yaml.org,2002:"
CORE_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "map",
                                          "seq", "timestamp", "binary", "merge"))
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class Mark(NamedTuple):
    line: int
    column: int


class Str(str):
    """A scalar's text with its position."""

    mark: Mark

    def __new__(cls, text: str, mark: Mark) -> Str:
        value = super().__new__(cls, text)
        value.mark = mark
        return value


class Map(dict[str, Any]):
    """A mapping with its position and the position of each key."""

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}

    def mark_of(self, key: str) -> Mark:
        """Where ``key: …`` is written, else the mapping itself."""
        return self.key_marks.get(key, self.mark)


class Seq(list[Any]):
    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark


@record
class DecodeError(Exception):
    message: str
    mark: Mark | None = None


def mark_of(value: object) -> Mark | None:
    return getattr(value, "mark", None)


def read(path: Path, *, max_bytes: int = MAX_BYTES) -> Any:
    """The first document of a YAML or JSON file as marked values; DecodeError says why not."""
    data = read_regular(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text (byte {exc.start})") from None
    if path.suffix.lower() == ".json":
        text = _JSON_SURROGATES.sub(_astral, text)
    return loads(text)


def read_regular(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, up to the cap: a device, a FIFO or a directory is refused
    before anything is read (its size says nothing; /dev/zero never ends)."""
    import os
    import stat

    from lambdalint import files

    try:
        descriptor = os.open(files.source(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise DecodeError(f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise DecodeError("not a regular file: not read")
        if status.st_size > max_bytes:
            raise DecodeError(f"larger than {max_bytes // (1024 * 1024)} MiB: not read")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DecodeError(f"larger than {max_bytes // (1024 * 1024)} MiB: not read")
    return data


# JSON writers escape characters beyond the BMP as surrogate pairs ("\ud83d\uddbc"), which
# YAML does not accept; its own escape for them is \U0001f5bc.
_JSON_SURROGATES = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})"
                              r"\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _astral(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return f"{match.group(1)}\\U{code:08x}"


def loads(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    builder = _Builder()
    try:
        for event in yaml.parse(text, Loader=loader):
            if builder.add(event):
                break
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own cap, which newer versions enforce
            raise DecodeError(f"nested more than {MAX_DEPTH} levels deep",
                              Mark(mark.line + 1, mark.column + 1) if mark else None) from None
        raise DecodeError(f"not valid YAML or JSON: {problem}",
                          Mark(mark.line + 1, mark.column + 1) if mark else None) from None
    return builder.root


class _Builder:
    """Builds marked values from parser events with an explicit stack."""

    def __init__(self) -> None:
        self.root: Any = None
        self.anchors: dict[str, tuple[Any, int]] = {}
        # Open collections: (value, pending key, size so far, anchor, long-form tag wrapper)
        self.stack: list[list[Any]] = []
        self.nodes = 0

    def add(self, event: Any) -> bool:
        """Take one event; True once the first document is complete."""
        import yaml

        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
            return False
        if isinstance(event, (yaml.DocumentEndEvent, yaml.StreamEndEvent)):
            return True
        mark = Mark(event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise DecodeError(f"unknown alias *{event.anchor}", mark)
            shared, size = self.anchors[event.anchor]
            self._count(size, mark)
            self._place(shared, size, mark)
            return False
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            closed, _, size, anchor, intrinsic = self.stack.pop()
            wrapped = self._wrap(closed, intrinsic)
            if anchor:
                self.anchors[anchor] = (wrapped, size)
            self._place(wrapped, size, closed.mark)
            return False
        intrinsic = self._tag(event.tag, mark)
        if isinstance(event, yaml.ScalarEvent):
            plain = event.style in (None, "")
            value: Any = None if plain and event.value in _NULLS and not intrinsic \
                else Str(event.value, mark)
            wrapped = self._wrap(value, intrinsic, mark)
            if event.anchor:
                self.anchors[event.anchor] = (wrapped, 1)
            self._count(1, mark)
            self._place(wrapped, 1, mark)
            return False
        if len(self.stack) >= MAX_DEPTH:
            raise DecodeError(f"nested more than {MAX_DEPTH} levels deep", mark)
        self._count(1, mark)
        opened: Any = Map(mark) if isinstance(event, yaml.MappingStartEvent) else Seq(mark)
        self.stack.append([opened, None, 1, event.anchor, intrinsic])
        return False

    def _tag(self, tag: str | None, mark: Mark) -> str | None:
        """The long-form intrinsic a tag stands for; DecodeError for tags nobody should use."""
        if tag is None or tag == "!" or tag in CORE_TAGS:
            return None
        if tag in SHORT_TAGS:
            return SHORT_TAGS[tag]
        shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
        raise DecodeError(f"unsupported tag {shown} (only CloudFormation's short forms such as "
                          "!Ref and !Sub are read)", mark)

    @staticmethod
    def _wrap(value: Any, intrinsic: str | None, mark: Mark | None = None) -> Any:
        if intrinsic is None:
            return value
        where = mark or value.mark
        if intrinsic == "Fn::GetAtt" and isinstance(value, str):
            # `!GetAtt Bucket.Arn` is the short form of ["Bucket", "Arn"].
            resource, _, attribute = value.partition(".")
            parts = Seq(where)
            parts.extend([Str(resource, where), Str(attribute, where)])
            value = parts
        wrapped = Map(where)
        wrapped[intrinsic] = value if value is not None else Str("", where)
        wrapped.key_marks[intrinsic] = where
        return wrapped

    def _count(self, size: int, mark: Mark) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise DecodeError(f"more than {MAX_NODES:,} values once aliases are expanded "
                              "(an alias bomb?)", mark)

    def _place(self, value: Any, size: int, mark: Mark) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top[2] += size
        container = top[0]
        if isinstance(container, Seq):
            container.append(value)
            return
        if top[1] is None:
            if isinstance(value, (Map, Seq)) or value is None:
                key = "" if value is None else None
                if key is None:
                    raise DecodeError("a mapping key must be a plain value", mark)
                value = Str(key, mark)
            top[1] = value
            return
        key = top[1]
        top[1] = None
        if key == "<<" and (isinstance(value, Map) or
                            (isinstance(value, Seq) and all(isinstance(v, Map) for v in value))):
            # A YAML merge key: the aliased mappings' keys (the first one listed wins),
            # unless written here too.
            for source in ([value] if isinstance(value, Map) else value):
                for merged_key, merged in source.items():
                    if merged_key not in container:
                        container[merged_key] = merged
                        container.key_marks[merged_key] = source.mark_of(merged_key)
            return
        container[str(key)] = value
        container.key_marks[str(key)] = key.mark
