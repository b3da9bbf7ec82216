"""Configuration: `[tool.lambdalint]` in pyproject.toml or a standalone lambdalint.toml.

Layering is defaults < config file < command line. A bad key or value never stops the run:
it becomes a config problem (LL003, exit 2) naming the key and the file, and the rest of the
configuration still applies.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from lambdalint import files
from lambdalint.data import ARCHITECTURES, runtimes
from lambdalint.finding import Severity
from lambdalint.model.archive import DEFAULT_MAX_ENTRIES, DEFAULT_MAX_MEMBER_BYTES
from lambdalint.model.guard import DEFAULT_MAX_SOURCE_BYTES
from lambdalint.records import field, record

EVENT_SOURCES = ("s3", "api", "sqs", "sns", "kinesis", "dynamodb", "schedule", "url", "alb")


@record
class ConfigProblem:
    message: str
    path: str  # the config file as shown to the user, or "<command line>"


@record
class FunctionConfig:
    """One `[[function]]` table: a deployment described in config."""

    code: Path
    name: str | None = None
    handler: str | None = None
    runtime: str | None = None
    architecture: str | None = None
    layers: list[Path] = field(default_factory=list)
    events: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    package_type: str = "zip"  # zip | image (the code is what the image copies to /var/task)
    index: int = 0  # its place in the file's array of [[function]] tables


@record
class LayerConfig:
    """One `[[layer]]` table: what a layer version declares when it is published."""

    path: Path
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()


@record
class Config:
    source: Path | None = None  # the file the values came from
    runtime: str | None = None
    architecture: str | None = None
    handler: str | None = None
    events: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    sdk: str = "runtime"  # runtime: use the runtime's boto3 | bundle: ship your own (LL305)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    severity_threshold: Severity | None = None
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    functions: list[FunctionConfig] = field(default_factory=list)
    layers: list[LayerConfig] = field(default_factory=list)
    max_member_size: int = DEFAULT_MAX_MEMBER_BYTES
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_source_size: int = DEFAULT_MAX_SOURCE_BYTES
    problems: list[ConfigProblem] = field(default_factory=list)

    def key(self, *parts: str | int) -> tuple[str | int, ...]:
        """Where a value is in the file: under [tool.lambdalint] in pyproject.toml."""
        inside = ("tool", "lambdalint") if self.source is not None and \
            self.source.name == "pyproject.toml" else ()
        return (*inside, *parts)


def discover(start: Path) -> Path | None:
    """The nearest lambdalint.toml, or pyproject.toml with a [tool.lambdalint] table."""
    for folder in (start, *start.parents):
        candidate = folder / "lambdalint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
        if (folder / ".git").exists():
            break
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return b"[tool.lambdalint" in path.read_bytes()
    except OSError:
        return False


def load(path: Path, display: str) -> Config:
    """Read one config file; problems are collected, never raised."""
    config = Config(source=path)
    # Imported here: most runs have no config file to parse.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(files.source(path), "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        config.problems.append(ConfigProblem(f"cannot read config: {exc}", display))
        return config
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("lambdalint", {})
        prefix = "tool.lambdalint."
    else:
        table, prefix = document, ""
    if not isinstance(table, dict):
        config.problems.append(ConfigProblem(f"{prefix.rstrip('.')} must be a table", display))
        return config
    _Reader(config, display, prefix, path.parent).read(table)
    return config


class _Reader:
    """Validates one table key by key, so one bad value costs only itself."""

    def __init__(self, config: Config, display: str, prefix: str, base: Path) -> None:
        self.config = config
        self.display = display
        self.prefix = prefix
        self.base = base

    def problem(self, key: str, message: str) -> None:
        self.config.problems.append(
            ConfigProblem(f"{self.prefix}{key}: {message}", self.display))

    def read(self, table: dict[str, Any]) -> None:
        setters: dict[str, Callable[[str, Any], None]] = {
            "runtime": self._runtime,
            "architecture": self._architecture,
            "handler": self._handler,
            "events": self._events,
            "environment": self._environment,
            "sdk": self._sdk,
            "select": self._select,
            "ignore": self._ignore,
            "extend-select": self._extend_select,
            "severity": self._severity,
            "severity-threshold": self._threshold,
            "per-file-ignores": self._per_file_ignores,
            "function": self._functions,
            "layer": self._layers,
            "max-member-size": self._max_member_size,
            "max-entries": self._max_entries,
            "max-source-size": self._max_source_size,
        }
        for key, value in table.items():
            setter = setters.get(key)
            if setter is None:
                self.problem(key, f"unknown key (known keys: {', '.join(sorted(setters))})")
            else:
                setter(key, value)

    # -- typed readers: each returns None after reporting a problem -----------------------

    def _str(self, key: str, value: Any) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(key, f"expected a string, got {type(value).__name__}")
        return None

    def _str_list(self, key: str, value: Any) -> list[str] | None:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.problem(key, "expected a list of strings")
        return None

    def _positive_int(self, key: str, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        self.problem(key, "expected a positive integer")
        return None

    def checked_runtime(self, key: str, value: Any) -> str | None:
        text = self._str(key, value)
        if text is not None and text not in runtimes():
            self.problem(key, f"unknown runtime {text!r} (known: {', '.join(runtimes())})")
            return None
        return text

    def checked_architecture(self, key: str, value: Any) -> str | None:
        text = self._str(key, value)
        if text is not None and text not in ARCHITECTURES:
            self.problem(key, f"unknown architecture {text!r} (expected x86_64 or arm64)")
            return None
        return text

    def checked_events(self, key: str, value: Any) -> tuple[str, ...]:
        events = self._str_list(key, value) or []
        bad = [e for e in events if e not in EVENT_SOURCES]
        if bad:
            self.problem(key, f"unknown event source {bad[0]!r} "
                              f"(expected one of {', '.join(EVENT_SOURCES)})")
        return tuple(e for e in events if e in EVENT_SOURCES)

    def _runtime(self, key: str, value: Any) -> None:
        self.config.runtime = self.checked_runtime(key, value)

    def _architecture(self, key: str, value: Any) -> None:
        self.config.architecture = self.checked_architecture(key, value)

    def _handler(self, key: str, value: Any) -> None:
        self.config.handler = self._str(key, value)

    def _events(self, key: str, value: Any) -> None:
        self.config.events = self.checked_events(key, value)

    def checked_environment(self, key: str, value: Any) -> dict[str, str]:
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items()):
            return dict(value)
        self.problem(key, 'expected a table of strings such as { PYTHONPATH = "/var/task" }')
        return {}

    def _environment(self, key: str, value: Any) -> None:
        self.config.environment = self.checked_environment(key, value)

    def _sdk(self, key: str, value: Any) -> None:
        text = self._str(key, value)
        if text is not None and text not in ("runtime", "bundle"):
            self.problem(key, f"expected \"runtime\" or \"bundle\", got {text!r}")
        elif text is not None:
            self.config.sdk = text

    def _select(self, key: str, value: Any) -> None:
        self.config.select = self._str_list(key, value)

    def _ignore(self, key: str, value: Any) -> None:
        self.config.ignore = self._str_list(key, value) or []

    def _extend_select(self, key: str, value: Any) -> None:
        self.config.extend_select = self._str_list(key, value) or []

    def _severity(self, key: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.problem(key, "expected a table such as { LL602 = \"error\" }")
            return
        for rule, level in value.items():
            try:
                self.config.severity[rule] = Severity.parse(str(level))
            except ValueError as exc:
                self.problem(f"{key}.{rule}", str(exc))

    def _threshold(self, key: str, value: Any) -> None:
        text = self._str(key, value)
        if text is not None:
            try:
                self.config.severity_threshold = Severity.parse(text)
            except ValueError as exc:
                self.problem(key, str(exc))

    def _per_file_ignores(self, key: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.problem(key, "expected a table of glob = [rule ids]")
            return
        for pattern, ids in value.items():
            checked = self._str_list(f"{key}.{pattern}", ids)
            if checked is not None:
                self.config.per_file_ignores[pattern] = checked

    def _max_member_size(self, key: str, value: Any) -> None:
        self.config.max_member_size = self._positive_int(key, value) or DEFAULT_MAX_MEMBER_BYTES

    def _max_entries(self, key: str, value: Any) -> None:
        self.config.max_entries = self._positive_int(key, value) or DEFAULT_MAX_ENTRIES

    def _max_source_size(self, key: str, value: Any) -> None:
        self.config.max_source_size = self._positive_int(key, value) or \
            DEFAULT_MAX_SOURCE_BYTES

    def _functions(self, key: str, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self.problem(key, "expected an array of tables ([[function]])")
            return
        for number, table in enumerate(value, 1):
            function = self._function(f"{key}[{number}]", table)
            if function is not None:
                function.index = number - 1
                self.config.functions.append(function)

    def _layers(self, key: str, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self.problem(key, "expected an array of tables ([[layer]])")
            return
        known = {"path", "compatible-runtimes", "compatible-architectures"}
        for number, table in enumerate(value, 1):
            where = f"{key}[{number}]"
            for unknown in sorted(set(table) - known):
                self.problem(f"{where}.{unknown}",
                             f"unknown key (known keys: {', '.join(sorted(known))})")
            path = table.get("path")
            if not isinstance(path, str):
                self.problem(f"{where}.path", "required: the layer zip")
                continue
            runtimes_ = [self.checked_runtime(f"{where}.compatible-runtimes", r)
                         for r in self._str_list(f"{where}.compatible-runtimes",
                                                 table.get("compatible-runtimes", [])) or []]
            archs = [self.checked_architecture(f"{where}.compatible-architectures", a)
                     for a in self._str_list(f"{where}.compatible-architectures",
                                             table.get("compatible-architectures", [])) or []]
            self.config.layers.append(LayerConfig(
                path=self.base / path,
                compatible_runtimes=tuple(r for r in runtimes_ if r),
                compatible_architectures=tuple(a for a in archs if a)))

    def _function(self, where: str, table: dict[str, Any]) -> FunctionConfig | None:
        known = {"name", "code", "handler", "runtime", "architecture", "layers", "events",
                 "environment", "package-type"}
        for key in table:
            if key not in known:
                self.problem(f"{where}.{key}",
                             f"unknown key (known keys: {', '.join(sorted(known))})")
        code = table.get("code")
        if not isinstance(code, str):
            self.problem(f"{where}.code", "required: the function's zip or source folder")
            return None
        layers = self._str_list(f"{where}.layers", table.get("layers", [])) or []
        name = table.get("name")
        package_type = table.get("package-type", "zip")
        if package_type not in ("zip", "image"):
            self.problem(f"{where}.package-type", 'expected "zip" or "image"')
            package_type = "zip"
        if package_type == "image" and layers:
            self.problem(f"{where}.layers", "a container image function has no layers: copy "
                                            "their content into the image instead")
            layers = []
        return FunctionConfig(
            code=self.base / code,
            name=self._str(f"{where}.name", name) if name is not None else None,
            handler=self._str(f"{where}.handler", table["handler"])
            if "handler" in table else None,
            runtime=self.checked_runtime(f"{where}.runtime", table["runtime"])
            if "runtime" in table else None,
            architecture=self.checked_architecture(f"{where}.architecture",
                                                   table["architecture"])
            if "architecture" in table else None,
            layers=[self.base / layer for layer in layers],
            events=self.checked_events(f"{where}.events", table.get("events", [])),
            environment=self.checked_environment(f"{where}.environment",
                                                 table.get("environment", {})),
            package_type=package_type,
        )
