"""Platform facts as data: loaded once, checked for their invariants on load.

Rules ask these tables; no rule spells a runtime's glibc or a quota in an ``if``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

from lambdalint.records import record

ARCHITECTURES = ("x86_64", "arm64")  # Lambda's own names; checked against architectures.json


class DataError(Exception):
    """A shipped data table breaks its own invariants (a packaging bug, not user input)."""


@record(frozen=True)
class Runtime:
    id: str
    python: tuple[int, int]
    os: str
    glibc: tuple[int, int]
    architectures: tuple[str, ...]
    deprecated: dt.date | None
    block_create: dt.date | None
    block_update: dt.date | None
    pyc_magic_first: int
    pyc_magic_final: int | None
    preview: bool

    @property
    def python_version(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"

    @property
    def site_packages(self) -> str:
        """The versioned layer folder Lambda puts on sys.path for this runtime."""
        return f"python/lib/python{self.python_version}/site-packages/"

    def accepts_pyc_magic(self, magic: int) -> bool:
        if self.pyc_magic_final is not None:
            return magic == self.pyc_magic_final
        return magic >= self.pyc_magic_first


@record(frozen=True)
class Quotas:
    max_layers: int
    zipped_direct_upload_bytes: int
    unzipped_total_bytes: int
    handler_max_chars: int
    environment_total_bytes: int


def _load(name: str) -> Any:
    # A plain path beside this module: importlib.resources would cost more at startup than
    # the whole check of a small zip.
    return json.loads((Path(__file__).parent / name).read_text("utf-8"))


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@functools.cache
def runtimes() -> dict[str, Runtime]:
    table: dict[str, Runtime] = {}
    for row in _load("runtimes.json")["runtimes"]:
        runtime = Runtime(
            id=row["id"],
            python=_version(row["python"]),
            os=row["os"],
            glibc=_version(row["glibc"]),
            architectures=tuple(row["architectures"]),
            deprecated=_date(row["deprecated"]),
            block_create=_date(row["block_create"]),
            block_update=_date(row["block_update"]),
            pyc_magic_first=row["pyc_magic"]["first"],
            pyc_magic_final=row["pyc_magic"]["final"],
            preview=bool(row.get("preview", False)),
        )
        _check_runtime(runtime, table)
        table[runtime.id] = runtime
    return table


def _check_runtime(rt: Runtime, seen: dict[str, Runtime]) -> None:
    problems = []
    if rt.id in seen:
        problems.append("duplicate id")
    if rt.id != f"python{rt.python_version}":
        problems.append("id does not name its Python version")
    if not rt.architectures or not set(rt.architectures) <= set(ARCHITECTURES):
        problems.append(f"architectures must be a non-empty subset of {ARCHITECTURES}")
    dates = [d for d in (rt.deprecated, rt.block_create, rt.block_update) if d is not None]
    if dates != sorted(dates):
        problems.append("dates must run deprecated <= block_create <= block_update")
    if rt.pyc_magic_final is not None and rt.pyc_magic_final < rt.pyc_magic_first:
        problems.append("pyc magic range is reversed")
    previous = list(seen.values())[-1] if seen else None
    if previous is not None:
        if rt.python <= previous.python:
            problems.append("runtimes must be listed in increasing Python version")
        if rt.pyc_magic_first <= (previous.pyc_magic_final or previous.pyc_magic_first):
            problems.append("pyc magic ranges must increase with the version")
    if problems:
        raise DataError(f"runtimes.json: {rt.id}: " + "; ".join(problems))


@record(frozen=True)
class Architecture:
    id: str  # Lambda's name: x86_64 | arm64
    elf_machine: int
    cpu: str  # as in wheel tags and extension suffixes: x86_64 | aarch64

    @property
    def manylinux2014(self) -> str:
        return f"manylinux2014_{self.cpu}"


@functools.cache
def architectures() -> dict[str, Architecture]:
    table = {row["id"]: Architecture(**row) for row in _load("architectures.json")["architectures"]}
    if tuple(table) != ARCHITECTURES:
        raise DataError("architectures.json must list exactly " + ", ".join(ARCHITECTURES))
    return table


@functools.cache
def elf_machine_name(machine: int) -> str:
    names: dict[str, str] = _load("architectures.json")["elf_machine_names"]
    return names.get(str(machine), f"ELF machine {machine}")


def architecture_for_cpu(cpu: str) -> Architecture | None:
    return next((a for a in architectures().values() if a.cpu == cpu), None)


@record(frozen=True)
class SyntaxFeature:
    id: str
    python: tuple[int, int]  # the first version whose parser accepts it
    description: str
    hint: re.Pattern[bytes]  # matches every use of the feature (and some non-uses)


@functools.cache
def syntax_features() -> dict[str, SyntaxFeature]:
    table: dict[str, SyntaxFeature] = {}
    for row in _load("syntax.json")["features"]:
        feature = SyntaxFeature(row["id"], _version(row["python"]), row["description"],
                                re.compile(row["hint"].encode()))
        if feature.id in table or not feature.description:
            raise DataError(f"syntax.json: {feature.id}: duplicate id or empty description")
        table[feature.id] = feature
    return table


@record(frozen=True)
class RuntimePackages:
    # (import name, distribution, the first Python whose runtime bundles it)
    _bundled: tuple[tuple[str, str, tuple[int, int]], ...]
    imported_before_handler: frozenset[str]
    _locations: tuple[tuple[tuple[int, int], tuple[int, int] | None, str], ...]

    def bundled(self, runtime: Runtime) -> dict[str, str]:
        """Import name -> distribution, for what this runtime bundles."""
        return {module: distribution for module, distribution, since in self._bundled
                if runtime.python >= since}

    def location(self, runtime: Runtime) -> str:
        for first, last, path in self._locations:
            if first <= runtime.python and (last is None or runtime.python <= last):
                return path.format(version=runtime.python_version)
        raise DataError(f"runtime_packages.json: no location for {runtime.id}")


@functools.cache
def runtime_packages() -> RuntimePackages:
    raw = _load("runtime_packages.json")
    bundled = tuple((module, row["distribution"], _version(row.get("since", "3.0")))
                    for row in raw["bundled"] for module in row["modules"])
    locations = tuple((_version(row["from"]), _version(row["to"]) if row["to"] else None,
                       row["path"]) for row in raw["bundled_location"])
    packages = RuntimePackages(bundled, frozenset(raw["imported_before_handler"]), locations)
    for rt in runtimes().values():
        packages.location(rt)  # every runtime must have one
    return packages


@functools.cache
def distribution_for_import(name: str) -> str:
    """What `pip install` needs for a top-level import name (yaml -> PyYAML)."""
    table: dict[str, str] = _load("import_names.json")["distributions"]
    return table.get(name, name.replace("_", "-"))


@functools.cache
def stdlib_modules(python: tuple[int, int]) -> frozenset[str]:
    """Top-level standard-library module names of one Python version (stdlib-list, less the
    test and build helpers its lists carry inconsistently from version to version)."""
    quirks = set(_load("stdlib.json")["not_removed"])
    names = _listed(python)
    # A module never leaves the standard library for one version and comes back: what both
    # neighbouring versions have, this one has too (stdlib-list's 3.9 list lacks pyexpat).
    names |= _listed((python[0], python[1] - 1)) & _listed((python[0], python[1] + 1))
    return frozenset(names - quirks)


@functools.cache
def _listed(python: tuple[int, int]) -> frozenset[str]:
    from stdlib_list import long_versions, stdlib_list

    version = f"{python[0]}.{python[1]}"
    if version not in long_versions:
        return frozenset()
    return frozenset(name.split(".", 1)[0] for name in stdlib_list(version))


@functools.cache
def removed_stdlib(python: tuple[int, int]) -> dict[str, str]:
    """Stdlib modules of earlier Pythons that this one no longer has: name -> removed in."""
    removed: dict[str, str] = {}
    previous: frozenset[str] | None = None
    for minor in range(8, python[1] + 1):
        current = stdlib_modules((3, minor))
        if previous is not None:
            for name in previous - current:
                if not name.startswith("_"):
                    removed[name] = f"3.{minor}"
        previous = current
    return {name: version for name, version in removed.items()
            if name not in stdlib_modules(python)}


@functools.cache
def client_factories() -> dict[str, str]:
    """Qualified call name -> what it creates (an SDK client, a DB connection…)."""
    table: dict[str, str] = _load("clients.json")["factories"]
    return table


@functools.cache
def private_runtime_modules() -> frozenset[str]:
    return frozenset(_load("clients.json")["private_runtime_modules"])


@functools.cache
def value_tables() -> tuple[dict[str, str], frozenset[str]]:
    """What known calls return (qualified name -> kind), and methods returning binary bytes."""
    raw = _load("values.json")
    return dict(raw["calls"]), frozenset(raw["binary_methods"])


@functools.cache
def unserializable_kinds() -> dict[str, str]:
    """Value kinds the runtime's marshaller rejects -> how to name them in a message."""
    table: dict[str, str] = _load("values.json")["unserializable"]
    return table


@functools.cache
def builtin_modules() -> frozenset[str]:
    """Modules compiled into CPython: a handler module named after one cannot be imported."""
    return frozenset(_load("builtins.json")["builtin_modules"])


@functools.cache
def quotas() -> Quotas:
    raw = _load("quotas.json")
    values = {k: v for k, v in raw.items() if not k.startswith("_")}
    if not all(isinstance(v, int) and v > 0 for v in values.values()):
        raise DataError("quotas.json: every quota must be a positive integer")
    return Quotas(**values)


def runtime(identifier: str) -> Runtime:
    """The runtime for an identifier such as ``python3.12``; KeyError names the known ones."""
    try:
        return runtimes()[identifier]
    except KeyError:
        known = ", ".join(runtimes())
        raise KeyError(f"unknown runtime {identifier!r} (known: {known})") from None


def recommended_runtime() -> Runtime:
    """The newest generally available runtime: what a deprecation message suggests."""
    return [rt for rt in runtimes().values() if not rt.preview][-1]


def runtime_for_python(version: tuple[int, int]) -> Runtime | None:
    return runtimes().get(f"python{version[0]}.{version[1]}")


def python_for_pyc_magic(magic: int) -> str | None:
    """Which Python version wrote bytecode with this magic number, if it is a Lambda one."""
    for rt in runtimes().values():
        last = rt.pyc_magic_final if rt.pyc_magic_final is not None else rt.pyc_magic_first + 99
        if rt.pyc_magic_first <= magic <= last:
            return rt.python_version
    return None
