#!/usr/bin/env python3
"""Template benchmark: `lambdalint check template.yaml` on a SAM app, against cfn-lint.

    python3 benchmarks/templates.py [--runs N]

The SAM app is the one the tests use (tests/projects/sam: three Python functions, a layer
built from requirements.txt, the Powertools layer by ARN, S3 and API triggers), checked
with every rule, code included. It is timed, interleaved with `python -c pass` (the floor)
and, when it is installed, `cfn-lint template.yaml` on the same file (the quality bar:
within a quarter of cfn-lint's time and half its memory). Prints medians, ratios and peak
memory. Children run with bytecode caching allowed, as an installed lambdalint does.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from timing import interleaved

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "tests" / "projects" / "sam"
# lambdalint: 0/1 (findings); cfn-lint: bit flags for error, warning and informational.
OK = (0, 1, 2, 4, 6, 8, 12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    script = Path(sys.executable).parent / "lambdalint"
    tool = [str(script)] if script.is_file() else [sys.executable, "-m", "lambdalint"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "lambdalint check template.yaml": [*tool, "check", "template.yaml", "--format",
                                           "json"],
    }
    cfn_lint = shutil.which("cfn-lint")
    if cfn_lint:
        commands["cfn-lint template.yaml"] = [cfn_lint, "template.yaml"]
    samples = interleaved(commands, runs, cwd=APP, ok=OK)
    medians = {label: sample.median for label, sample in samples.items()}
    floor = medians["python -c pass"]
    print(f"{APP.relative_to(ROOT)}/template.yaml; medians of {runs} interleaved runs")
    for label, median in medians.items():
        versus = (f"   {median / medians['cfn-lint template.yaml']:5.2f}x cfn-lint"
                  if cfn_lint else "")
        print(f"  {label:<32} {median * 1000:8.1f} ms   {median / floor:5.2f}x floor"
              f"{versus}   peak {samples[label].peak_kib / 1024:5.0f} MB")
    if not cfn_lint:
        print("  (cfn-lint is not installed: pip install cfn-lint to compare)")


if __name__ == "__main__":
    main()
