"""The config's `[[function]]` tables, as function specs like any other source's.

The config file's values carry its name as their origin (TOML gives no line numbers). Its
top-level values (`runtime = …` for every function) are not specs: they override every
source's values when the engine merges them.
"""

from __future__ import annotations

from lambdalint.config import Config, FunctionConfig
from lambdalint.model.spec import CONFIG, Event, FunctionSpec, LayerSpec, Origin, Value, Variable


def function_specs(config: Config, shown: str | None) -> list[FunctionSpec]:
    return [_spec(config, table, shown) for table in config.functions]


def _spec(config: Config, table: FunctionConfig, shown: str | None) -> FunctionSpec:
    origin = Origin(CONFIG, shown, path=config.source)

    def value(text: str | None, key: str = "") -> Value | None:
        where = Origin(CONFIG, shown, path=config.source,
                       key=config.key("function", table.index, key)) if key else origin
        return Value(text, where) if text is not None else None

    return FunctionSpec(
        name=table.name,
        origin=origin,
        code=table.code,
        runtime=value(table.runtime, "runtime"),
        architecture=value(table.architecture, "architecture"),
        handler=value(table.handler, "handler"),
        layers=[LayerSpec(origin, name=path.name, path=path) for path in table.layers],
        environment={name: Variable(name, text, origin)
                     for name, text in table.environment.items()},
        events=[Event(kind, origin) for kind in table.events],
        # The name a [[function]] table gives is the deployed function's name (LL501).
        function_name=value(table.name),
        package_type=table.package_type,
    )
