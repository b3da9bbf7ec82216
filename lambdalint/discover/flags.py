"""The command line's own deployments: `--function`, `--layer` and the zips, folders and
files given as PATHs (sorted into functions and layers before they get here).

Each function is checked with every layer given, in the order given. A function that a
config `[[function]]` table describes keeps that table's handler, runtime and events, with
the command line's layers. Target flags (`--runtime` …) are not specs: they override every
source's values when the engine merges them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lambdalint.model.spec import COMMAND_LINE, FunctionSpec, LayerSpec
from lambdalint.records import replace


def function_specs(functions: list[Path], layers: list[Path],
                   configured: Callable[[Path], FunctionSpec | None]) -> list[FunctionSpec]:
    attached = [LayerSpec(COMMAND_LINE, name=path.name, path=path) for path in layers]
    if not functions:
        # Layers on their own: checked as layers, with no function code.
        return [FunctionSpec(name=None, origin=COMMAND_LINE, layers=attached)] if layers \
            else []
    specs = []
    for code in functions:
        table = configured(code)
        specs.append(replace(table, layers=list(attached)) if table is not None else
                     FunctionSpec(name=None, origin=COMMAND_LINE, code=code,
                                  layers=list(attached)))
    return specs
