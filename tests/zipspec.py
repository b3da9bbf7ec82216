"""Build the deployments written in rule documentation as real zips, and run lambdalint on them.

The notation (a ``deployment`` block: the command, then the zips and files) is parsed and
built by ``lambdalint.examples``, which also renders it in the rule pages; see its
documentation for the grammar. This module adds what the tests need on top: runs whose JSON
report they read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lambdalint import examples
from lambdalint.examples import (
    EPOCH,
    PYC_MAGIC,
    REFERENCE_DAY,
    ArtifactSpec,
    Entry,
    Spec,
    build,
    chdir,
    parse,
    write_zip,
)

__all__ = ["EPOCH", "PYC_MAGIC", "REFERENCE_DAY", "ArtifactSpec", "Entry", "Run", "Spec",
           "build", "chdir", "parse", "run_cli", "run_example", "write_zip"]


class Run(examples.Run):
    """A run whose report the test reads as JSON."""

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def rules(self) -> list[str]:
        return [f["rule"] for f in self.json["findings"]]


def run_cli(argv: Sequence[str], folder: Path) -> Run:
    run = examples.run_cli(argv, folder)
    return Run(run.exit_code, run.stdout, run.stderr)


def run_example(block: str, folder: Path, *extra: str) -> Run:
    spec = parse(block)
    build(spec, folder)
    argv = [*spec.argv, "--format", "json", "--today", REFERENCE_DAY, *extra]
    return run_cli(argv, folder)
