"""The value lattice: what an expression of the function's own code evidently evaluates to.

Every value the code model computes is one of these, and rules ask only the questions at
the bottom of this module. The lattice is flow-insensitive and conservative:

- ``UNKNOWN`` is the top: nothing is known, and every rule stays silent about it.
- ``OneOf`` joins the values of every binding of a name, every ``return`` of a helper,
  both arms of ``x if c else y`` and of ``a or b``. An empty ``OneOf`` (``NOTHING``) is the
  bottom: the elements of an empty list, the value of code that never runs.
- ``Const`` is a literal (str, bytes, int, float, bool, None); ``Text`` a string or path
  built from parts, of which the start and end are known (f-strings, ``+``, ``%``,
  ``.format``, ``os.path.join``, ``pathlib``'s ``/``).
- ``Container`` is a list, tuple, set or dict with the values of its items (a dict's items
  with their keys); ``element`` is what a comprehension or an ``append`` puts in it.
- ``Made`` is an object a known call made (a datetime, a UUID, a compressor's binary
  bytes, a DynamoDB read with its Decimal numbers…), named by a row of data/values.json.
- ``Sdk`` is an AWS SDK object: client, resource, DynamoDB Table, session, paginator.
- ``FromEvent`` is a part of the handler's event, by its path of keys (``*`` for any list
  index): the S3 bucket is ``("Records", "*", "s3", "bucket", "name")``.
- ``FromContext`` is an attribute of the context object (``function_name``…);
  ``FromEnvironment`` an environment variable's value.
- ``Reference`` is what a name refers to that is not data: an imported module or name (by
  qualified name), or a function or class of the function's own code.

A property holds "evidently" only when it holds for every alternative of a join, None
excepted where the rule says so (a client kept in a global that starts as None is a client
wherever it is used). When unsure, the answer is no.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from lambdalint.model.code.span import Span
from lambdalint.records import field, record

# More alternatives than this and a join is not worth following: it becomes UNKNOWN.
MAX_ALTERNATIVES = 8
# Items of a literal container that are kept (a 10,000-entry literal keeps its first ones).
MAX_ITEMS = 200


class Value:
    """Base of the lattice. Each value's ``origin`` is where it was made (for `related`);
    it takes no part in equality, so one value made in two places joins as one."""

    origin: Span | None


@record(frozen=True)
class Unknown(Value):
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class OneOf(Value):
    alternatives: tuple[Value, ...] = ()
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Const(Value):
    kind: str  # str | bytes | int | float | bool | none
    value: str | bytes | int | float | bool | None = None
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Text(Value):
    """A string (or a path) of which the start and the end are known: ``exact`` when it is
    known whole (then prefix == suffix == the text)."""

    kind: str  # str | path
    prefix: str = ""
    suffix: str = ""
    exact: bool = False
    # What it was built from (an f-string's fields, the parts of a join): where a
    # template's bucket or the event's key went into a string.
    parts: tuple[Value, ...] = ()
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Container(Value):
    kind: str  # list | tuple | set | frozenset | dict
    # (key, value) pairs; the key is None for sequences and sets.
    items: tuple[tuple[Value | None, Value], ...] = ()
    element: Value | None = None  # what a comprehension or append adds (any position)
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Made(Value):
    """An object a known call made: a row of data/values.json (datetime, uuid, binary…)."""

    kind: str
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Sdk(Value):
    kind: str  # client | resource | table | session | paginator
    service: str = ""  # s3, lambda, dynamodb …
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class FromEvent(Value):
    path: tuple[str, ...] = ()
    decoded: bool = False  # passed through urllib.parse.unquote_plus / unquote
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class FromContext(Value):
    attribute: str = ""  # "" for the context object itself
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class FromEnvironment(Value):
    name: str
    value: str | None = None  # what the template sets it to, when it says
    origin: Span | None = field(default=None, compare=False)


@record(frozen=True)
class Reference(Value):
    """A module, function or class: ``qualified`` for imported ones ("boto3.client"),
    ``own`` for the function's own ones ("app.handler")."""

    qualified: str = ""
    own: str = ""
    kind: str = "name"  # module | function | class | name
    origin: Span | None = field(default=None, compare=False)


V = TypeVar("V", bound=Value)

UNKNOWN = Unknown()
NOTHING = OneOf(())
NONE = Const("none", None)


def join(values: list[Value] | tuple[Value, ...], origin: Span | None = None) -> Value:
    """The least value that is each of ``values``: nested joins flattened, duplicates
    dropped, UNKNOWN absorbing."""
    flat: list[Value] = []
    for value in values:
        for alternative in alternatives(value):
            if isinstance(alternative, Unknown):
                return UNKNOWN
            if alternative not in flat:
                flat.append(alternative)
    if len(flat) == 1:
        return flat[0]
    if len(flat) > MAX_ALTERNATIVES:
        return UNKNOWN
    return OneOf(tuple(flat), origin=origin)


def alternatives(value: Value) -> tuple[Value, ...]:
    return value.alternatives if isinstance(value, OneOf) else (value,)


def definite(value: Value, *, without_none: bool = True) -> tuple[Value, ...] | None:
    """The alternatives a value may be, or None when any of them is unknown or there are
    none: the caller then knows nothing. None and the empty string are dropped unless
    asked: they are what `.get(key)` / `.get(key, "")` give when a key is missing, and a
    call given them fails anyway (a client kept in a global that starts as None is a
    client wherever it is used)."""
    found = tuple(a for a in alternatives(value)
                  if not (without_none and isinstance(a, Const) and
                          (a.kind == "none" or a.value == "")))
    if not found or any(isinstance(a, Unknown) for a in found):
        return None
    return found


def the(value: Value, kind: type[V], *, without_none: bool = True) -> V | None:
    """The single value of class ``kind`` a value evidently is (all alternatives equal)."""
    found = definite(value, without_none=without_none)
    if found is None or len(found) != 1 or not isinstance(found[0], kind):
        return None
    return found[0]


def text_of(value: Value) -> str | None:
    """The string a value evidently is, whole (a literal, or parts all known)."""
    found = definite(value, without_none=False)
    if found is None:
        return None
    texts = set()
    for alternative in found:
        if isinstance(alternative, Const) and isinstance(alternative.value, str):
            texts.add(alternative.value)
        elif isinstance(alternative, Text) and alternative.exact:
            texts.add(alternative.prefix)
        elif isinstance(alternative, FromEnvironment) and alternative.value is not None:
            texts.add(alternative.value)
        else:
            return None
    return texts.pop() if len(texts) == 1 else None


def affixes(value: Value) -> tuple[str | None, str | None]:
    """The known start and end of a string value (None: not known)."""
    found = definite(value, without_none=False)
    if found is None or len(found) != 1:
        return None, None
    only = found[0]
    if isinstance(only, Const) and isinstance(only.value, str):
        return only.value, only.value
    if isinstance(only, Text):
        return only.prefix, only.suffix
    if isinstance(only, FromEnvironment) and only.value is not None:
        return only.value, only.value
    return None, None


def kind_of(value: Value) -> str | None:
    """The kind of one alternative, in the words of data/values.json: str, bytes, int,
    float, bool, none, list, tuple, set, frozenset, dict, a made object's kind (datetime,
    uuid, binary, ddb-item…), or None when it is none of these."""
    if isinstance(value, Const):
        return value.kind
    if isinstance(value, Text):
        return "str"
    if isinstance(value, (Container, Made)):
        return value.kind
    return None


def why_all(value: Value, why: Callable[[Value], str | None]) -> tuple[str, Value] | None:
    """When ``why`` has a reason for every alternative (None excepted), the first reason
    and its alternative; else None."""
    found = definite(value)
    if found is None:
        return None
    reasons = [why(a) for a in found]
    if any(r is None for r in reasons):
        return None
    first = reasons[0]
    assert first is not None
    return first, found[0]


# How many values `walk` visits at most: shared containers (a list of the same list eight
# times, eight levels deep) would otherwise be visited millions of times.
MAX_WALK = 10_000


def walk(value: Value) -> Iterator[tuple[Value, str]]:
    """A value and everything inside it, each with its role: "top", "item" (inside a
    container) or "key" (a dict's key). It goes inside a value only when that value is
    evidently one container: inside a join of several, which of them holds is not known.
    Each container is visited once, and at most MAX_WALK values."""
    seen: set[int] = set()
    stack: list[tuple[Value, str]] = [(value, "top")]
    while stack and len(seen) < MAX_WALK:
        current, role = stack.pop()
        yield current, role
        found = definite(current)
        container = found[0] if found is not None and len(found) == 1 else None
        if not isinstance(container, Container) or id(container) in seen:
            continue
        seen.add(id(container))
        inside: list[tuple[Value, str]] = []
        for key, item in container.items:
            if key is not None:
                inside.append((key, "key"))
            inside.append((item, "item"))
        if container.element is not None:
            inside.append((container.element, "item"))
        stack.extend(reversed(inside))
