"""Record classes: the part of ``dataclasses`` lambdalint uses, at a fraction of its start-up.

A pre-commit hook pays lambdalint's start-up on every commit, and most of it was building
classes: on CPython 3.11 ``@dataclass(frozen=True)`` costs about 330 µs per class (each of
its six generated methods is compiled by its own ``exec``), ``import dataclasses`` another
~4 ms (it imports ``inspect``), and lambdalint has about a hundred records: some 35 ms of a
one-handler check whose work takes 4 ms (``benchmarks/RESULTS.md``). ``record`` compiles all
of a class's methods with one ``exec``, about a tenth of the cost, and keeps the semantics
lambdalint relies on:

- ``__init__`` from the annotated fields in order (``ClassVar`` ones excluded), defaults,
  ``field(default_factory=…, init=False, compare=False, repr=False, hash=False)``, and
  ``__post_init__``; fields of record base classes come first, as in dataclasses;
- ``eq=True`` (the default): ``__eq__`` between instances of the same class only, on the
  compared fields; ``frozen=True`` adds ``__hash__`` on them and refuses assignment; a
  mutable record with ``eq`` is unhashable; ``eq=False`` keeps identity;
- ``__repr__`` like dataclasses', and ``replace(record, **changes)``.

Type checkers treat it as dataclasses through ``dataclass_transform`` (PEP 681).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**kwargs: Any) -> Callable[[Any], Any]:
        return lambda function: function

T = TypeVar("T")
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "MISSING"})()
_FACTORY: Any = type("_Factory", (), {"__repr__": lambda self: "<factory>"})()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING,
                 init: bool = True, repr: bool = True, compare: bool = True,
                 hash: bool | None = None) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.hash = compare if hash is None else hash


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING,
          init: bool = True, repr: bool = True, compare: bool = True,
          hash: bool | None = None) -> Any:
    return Field(default, default_factory, init, repr, compare, hash)


@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type[T] | None = None, /, *, frozen: bool = False,
           eq: bool = True) -> Any:
    """``@record``, ``@record(frozen=True)`` or ``@record(eq=False)`` on a class."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen, eq)

    return wrap if cls is None else wrap(cls)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of a record with some fields changed (as ``dataclasses.replace``)."""
    for item in obj.__record_fields__:  # type: ignore[attr-defined]
        if not item.init:
            if item.name in changes:
                raise ValueError(f"field {item.name} is not an __init__ argument")
        elif item.name not in changes:
            changes[item.name] = getattr(obj, item.name)
    return obj.__class__(**changes)


def fields(obj: Any) -> tuple[Field, ...]:
    found: tuple[Field, ...] = obj.__record_fields__
    return found


def _build(cls: type[T], frozen: bool, eq: bool) -> type[T]:
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for item in getattr(base, "__record_fields__", ()):
            inherited[item.name] = item
    own: dict[str, Field] = {}
    # The class's own annotations (inspect.get_annotations would import inspect). Python
    # 3.14 may keep them behind __annotate__, evaluated on first access.
    annotations = cls.__dict__.get("__annotations__")  # noqa: RUF063
    if annotations is None:
        annotations = cls.__annotations__ if "__annotate__" in cls.__dict__ else {}
    for name, annotation in annotations.items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        item = value if isinstance(value, Field) else Field(default=value)
        item.name = name
        own[name] = item
        if isinstance(value, Field):
            if item.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, item.default)
    all_fields = {**inherited, **own}
    cls.__record_fields__ = tuple(all_fields.values())  # type: ignore[attr-defined]

    namespace: dict[str, Any] = {"FACTORY": _FACTORY, "set_attribute": object.__setattr__}
    # Only __init__ is compiled (its parameters are the fields); the other methods are
    # shared functions reading the fields through one C-level attrgetter per class.
    exec(_init(all_fields.values(), frozen, namespace,
               post_init=hasattr(cls, "__post_init__")), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    methods: dict[str, Any] = {"__init__": init, "__repr__": _repr, "__record_repr__": tuple(
        f.name for f in all_fields.values() if f.repr)}
    if eq:
        methods["__eq__"] = _eq
        methods["__record_key__"] = _getter([f.name for f in all_fields.values()
                                             if f.compare])
        # A mutable record that compares by value is unhashable; a frozen one hashes.
        methods["__hash__"] = None
    if frozen:
        methods["__setattr__"] = _frozen_setattr
        methods["__delattr__"] = _frozen_delattr
    if eq and frozen:
        methods["__hash__"] = _hash
        methods["__record_hash__"] = _getter([f.name for f in all_fields.values() if f.hash])
    for name, value in methods.items():
        setattr(cls, name, value)
    return cls


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _init(all_fields: Any, frozen: bool, namespace: dict[str, Any], *,
          post_init: bool) -> str:
    parameters, body = ["self"], []
    assign = "set_attribute(self, {name!r}, {value})" if frozen else "self.{name} = {value}"
    for item in all_fields:
        if item.default_factory is not _MISSING:
            namespace[f"factory_{item.name}"] = item.default_factory
            if item.init:
                parameters.append(f"{item.name}=FACTORY")
                value = f"factory_{item.name}() if {item.name} is FACTORY else {item.name}"
            else:
                value = f"factory_{item.name}()"
        elif not item.init:
            if item.default is _MISSING:
                continue
            namespace[f"default_{item.name}"] = item.default
            value = f"default_{item.name}"
        else:
            if item.default is not _MISSING:
                namespace[f"default_{item.name}"] = item.default
                parameters.append(f"{item.name}=default_{item.name}")
            else:
                parameters.append(item.name)
            value = item.name
        body.append("    " + assign.format(name=item.name, value=value))
    if post_init:
        body.append("    self.__post_init__()")
    return f"def __init__({', '.join(parameters)}):\n" + ("\n".join(body) or "    pass")


def _getter(names: list[str]) -> staticmethod[[Any], Any]:
    """The compared (or hashed) fields of an instance as a tuple (a class attribute: a
    static method, so that a function is not bound to the instance)."""
    if len(names) == 1:  # attrgetter of one name gives the value, not a 1-tuple
        single = operator.attrgetter(names[0])
        return staticmethod(lambda obj: (single(obj),))
    return staticmethod(operator.attrgetter(*names) if names else lambda obj: ())


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_hash__(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_repr_running: set[int] = set()


def _repr(self: Any) -> str:
    if id(self) in _repr_running:  # a record that holds itself, through others
        return "..."
    _repr_running.add(id(self))
    try:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
        return f"{self.__class__.__qualname__}({shown})"
    finally:
        _repr_running.discard(id(self))
