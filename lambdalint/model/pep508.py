"""Dependency specifiers (PEP 508): `name[extras] specifier; marker`, read as pip reads them.

Every check of a real layer reads the `Requires-Dist` lines of its distributions, and
``packaging.requirements`` costs about 30 ms to import (its marker grammar loads
dataclasses, inspect, logging, platform, subprocess and packaging.tags): more than the rest
of a check of five layers. The grammar the metadata of real wheels uses is small, so it is
read here: the name, the extras, the specifier (a ``packaging.specifiers.SpecifierSet``:
that module is cheap, and deciding which versions match stays packaging's job) and the
marker, evaluated the way ``packaging.markers`` evaluates it (version variables through
``Specifier``, ``extra`` names normalised, plain strings by equality and containment).
Whatever this reader does not know (a URL requirement, an escape in a string, a marker
variable or operator outside the common set) is handed to ``packaging.requirements`` as
before. A test compares both readers on every requirement of the real-wheel layers.
"""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_HEAD = re.compile(rf"[ \t]*({_NAME})[ \t]*(?:\[([^\]]*)\])?[ \t]*")
_EXTRA = re.compile(rf"[ \t]*({_NAME})[ \t]*")
_SPECIFIERS = re.compile(r"[\t\x20-\x28\x2a-\x3a\x3c-\x7e]*")
_TOKEN = re.compile(r"""[ \t]*(?:(?P<paren>[()])|(?P<string>'[^'\\]*'|"[^"\\]*")"""
                    r"""|(?P<op>===|==|~=|!=|<=|>=|<|>)|(?P<word>[A-Za-z_.]+))[ \t]*""")
_SEPARATORS = re.compile(r"[-_.]+")
# Marker variables by their written name (the legacy dotted ones too), as packaging reads
# them; `extras` and `dependency_groups` (lock files) are left to packaging.
_VARIABLES = {name: name for name in (
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
    "platform_system", "platform_version", "platform_machine", "implementation_name",
    "implementation_version", "platform_python_implementation", "extra")}
_VARIABLES.update({"os.name": "os_name", "sys.platform": "sys_platform",
                   "platform.version": "platform_version",
                   "platform.machine": "platform_machine",
                   "platform.python_implementation": "platform_python_implementation",
                   "python_implementation": "platform_python_implementation"})
_VERSION_VARIABLES = frozenset({"python_version", "python_full_version",
                                "implementation_version", "platform_release"})
_STRING_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "==": operator.eq, "!=": operator.ne, "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b}
MAX_NESTING = 50


class UndefinedMarker(Exception):
    """A marker whose value on the target cannot be decided (an undefined comparison)."""


class _Unsupported(Exception):
    """Syntax this reader leaves to packaging."""


class Variable(str):
    """A marker variable (as opposed to a quoted string)."""


class Marker:
    """Items alternating with "and"/"or": a comparison (left, operator, right) or a
    parenthesised group of items, as packaging's parser builds them."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def evaluate(self, environment: dict[str, str]) -> bool:
        try:
            return _evaluate(self._items, environment)
        except _Unsupported:
            # An ordering of plain strings (`platform_system >= "Linux"`): packaging's
            # versions disagree on what it means; the installed one decides, as before.
            from packaging.markers import Marker as PackagingMarker

            return _PackagingMarker(PackagingMarker(str(self))).evaluate(environment)

    def __str__(self) -> str:
        return _format(self._items, first=True)


class _PackagingMarker:
    """packaging's own marker, for what this reader leaves to it."""

    def __init__(self, marker: Any) -> None:
        self._marker = marker

    def evaluate(self, environment: dict[str, str]) -> bool:
        from packaging.markers import UndefinedComparison, UndefinedEnvironmentName

        try:
            return bool(self._marker.evaluate(environment))
        except (UndefinedComparison, UndefinedEnvironmentName) as exc:
            raise UndefinedMarker(str(exc)) from None

    def __str__(self) -> str:
        return str(self._marker)


class Requirement:
    """One dependency specifier; ``str()`` gives packaging's normal form of it."""

    __slots__ = ("extras", "marker", "name", "shown", "specifier")

    def __init__(self, name: str, extras: set[str], specifier: SpecifierSet,
                 marker: Marker | _PackagingMarker | None, shown: str | None = None) -> None:
        self.name = name
        self.extras = extras
        self.specifier = specifier
        self.marker = marker
        self.shown = shown  # packaging's own text, for what packaging read

    def __str__(self) -> str:
        if self.shown is not None:
            return self.shown
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        marker = f"; {self.marker}" if self.marker is not None else ""
        return f"{self.name}{extras}{self.specifier}{marker}"

    def __repr__(self) -> str:
        return f"<Requirement({str(self)!r})>"


def parse(text: str) -> Requirement | None:
    """The requirement, or None when it is not a valid one (as packaging would refuse it)."""
    try:
        return _parse(text)
    except _Unsupported:
        return _parse_with_packaging(text)


def _parse(text: str) -> Requirement | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    head = _HEAD.match(text)
    if head is None:
        return None
    name, extras_text = head.group(1), head.group(2)
    extras: set[str] = set()
    if extras_text is not None and extras_text.strip():
        for part in extras_text.split(","):
            extra = _EXTRA.fullmatch(part)
            if extra is None:
                return None
            extras.add(extra.group(1))
    rest = text[head.end():]
    if rest.startswith("@"):
        raise _Unsupported("a URL requirement")
    specifier_text, semicolon, marker_text = rest.partition(";")
    specifier_text = specifier_text.strip()
    if specifier_text.startswith("("):
        if not specifier_text.endswith(")"):
            return None
        specifier_text = specifier_text[1:-1].strip()
    if not _SPECIFIERS.fullmatch(specifier_text):
        return None
    try:
        specifier = SpecifierSet(specifier_text)
    except InvalidSpecifier:
        return None
    marker = None
    if semicolon:
        items = _parse_marker(marker_text)
        if items is None:
            return None
        marker = Marker(items)
    return Requirement(name, extras, specifier, marker)


def _parse_with_packaging(text: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PackagingRequirement

    try:
        found = PackagingRequirement(text)
    except InvalidRequirement:
        return None
    marker = _PackagingMarker(found.marker) if found.marker is not None else None
    return Requirement(found.name, set(found.extras), found.specifier, marker, str(found))


# ---- markers ---------------------------------------------------------------------------


def _parse_marker(text: str) -> list[Any] | None:
    """Items of the marker (None: not a marker packaging would accept either)."""
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip(" \t")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if "\\" in text[position:] or not text[position:].isprintable():
                raise _Unsupported("escapes or unprintable text in the marker")
            return None
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    parser = _MarkerParser(tokens)
    items = parser.expression(0)
    if parser.position != len(tokens):
        return None
    return items


class _MarkerParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _Unsupported("a marker that ends early")  # packaging says why
        self.position += 1
        return token

    def expression(self, depth: int) -> list[Any]:
        items: list[Any] = [self.atom(depth)]
        while self.peek() in (("word", "and"), ("word", "or")):
            items += [self.take()[1], self.atom(depth)]
        return items

    def atom(self, depth: int) -> Any:
        if self.peek() == ("paren", "("):
            if depth >= MAX_NESTING:
                raise _Unsupported("a marker nested too deeply")
            self.position += 1
            inner = self.expression(depth + 1)
            if self.take() != ("paren", ")"):
                raise _Unsupported("unbalanced parentheses")
            return inner
        left = self.value()
        kind, text = self.take()
        if kind == "op":
            operator = text
        elif (kind, text) == ("word", "in"):
            operator = "in"
        elif (kind, text) == ("word", "not") and self.take() == ("word", "in"):
            operator = "not in"
        else:
            raise _Unsupported("an unknown marker operator")
        right = self.value()
        # Extra names are compared normalised (PEP 685), and packaging shows them so.
        if left == "extra" and isinstance(left, Variable) and not isinstance(right, Variable):
            right = _canonical(right)
        elif right == "extra" and isinstance(right, Variable) and \
                not isinstance(left, Variable):
            left = _canonical(left)
        return (left, operator, right)

    def value(self) -> str:
        kind, text = self.take()
        if kind == "string":
            if not text.isprintable():
                raise _Unsupported("unprintable text in a marker string")
            return text[1:-1]
        if kind == "word" and text in _VARIABLES:
            return Variable(_VARIABLES[text])
        raise _Unsupported(f"marker variable {text!r}")


def _evaluate(items: list[Any], environment: dict[str, str]) -> bool:
    # "and" binds tighter than "or": groups of and-ed items, or-ed together.
    groups: list[list[bool]] = [[]]
    for item in items:
        if item == "or":
            groups.append([])
        elif item == "and":
            continue
        elif isinstance(item, list):
            groups[-1].append(_evaluate(item, environment))
        else:
            groups[-1].append(_compare(item, environment))
    return any(all(group) for group in groups)


def _compare(item: tuple[str, str, str], environment: dict[str, str]) -> bool:
    left, op, right = item
    if isinstance(left, Variable):
        key, left_value, right_value = str(left), _lookup(environment, left), str(right)
    elif isinstance(right, Variable):
        key, left_value, right_value = str(right), str(left), _lookup(environment, right)
    else:
        raise UndefinedMarker(f"{left!r} {op} {right!r} compares no variable")
    if key == "extra":
        if op not in ("==", "!="):
            raise _Unsupported(f"{op!r} on extra")
        same = _canonical(left_value) == _canonical(right_value)
        return same if op == "==" else not same
    if key in _VERSION_VARIABLES:
        from packaging.specifiers import InvalidSpecifier, Specifier

        try:
            return Specifier(f"{op}{right_value}").contains(left_value, prereleases=True)
        except InvalidSpecifier:
            pass
    compare = _STRING_OPERATORS.get(op)
    if compare is None:
        raise _Unsupported(f"{op!r} on {left_value!r} and {right_value!r}")
    return compare(left_value, right_value)


def _lookup(environment: dict[str, str], key: str) -> str:
    try:
        return environment[key]
    except KeyError:
        raise UndefinedMarker(f"no value for {key}") from None


def _canonical(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def _format(items: Any, *, first: bool) -> str:
    if isinstance(items, tuple):
        left, operator, right = items
        return f"{_shown(left)} {operator} {_shown(right)}"
    if isinstance(items, str):
        return items
    if len(items) == 1 and isinstance(items[0], (list, tuple)):
        return _format(items[0], first=first)
    inner = " ".join(_format(item, first=False) for item in items)
    return inner if first else f"({inner})"


def _shown(value: str) -> str:
    return str(value) if isinstance(value, Variable) else f'"{value}"'
