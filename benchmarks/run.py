#!/usr/bin/env python3
"""Startup benchmark: what a pre-commit hook pays on every commit.

    python3 benchmarks/run.py [--runs N]

Times each command in a fresh process, interleaved round by round in one session (so that a
busy machine slows every command alike), and prints the median of N runs (default 11) and
its ratio to `python -c pass`. Then it checks which heavy modules `lambdalint --version` and
a zip-only `--format json` check import: libcst, pip_api and jsonschema must not be imported
(exit code 1 if they are); whether rich is gets reported.

`lambdalint` is the console script installed beside this Python, or `python -m lambdalint`
when there is none. Run from anywhere; the commands run in the repository root.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

from timing import import_times, timed

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MUST_NOT_IMPORT = ("libcst", "pip_api", "jsonschema")
REPORTED = ("rich", "yaml", "packaging")


def lambdalint_command() -> list[str]:
    script = Path(PYTHON).parent / ("lambdalint.exe" if os.name == "nt" else "lambdalint")
    return [str(script)] if script.is_file() else [PYTHON, "-m", "lambdalint"]


def commands() -> list[tuple[str, list[str], set[int]]]:
    """(label, argv, acceptable exit codes)."""
    tool = lambdalint_command()
    return [
        ("python -c pass", [PYTHON, "-c", "pass"], {0}),
        ("lambdalint --version", [*tool, "--version"], {0}),
        ('python -c "import lambdalint.cli"', [PYTHON, "-c", "import lambdalint.cli"], {0}),
        ("lambdalint check --config examples/lambdalint.toml --format json",
         [*tool, "check", "--config", "examples/lambdalint.toml", "--format", "json"], {1}),
        ("lambdalint check examples/broken/function.zip",
         [*tool, "check", "examples/broken/function.zip"], {1}),
        # A one-file handler: its code rules read it with the stdlib ast (no libcst).
        ("lambdalint check benchmarks/handler.py (python3.12, handler given)",
         [*tool, "check", "benchmarks/handler.py", "--runtime", "python3.12", "--handler",
          "handler.handler", "--format", "json"], {0}),
    ]


def run_once(argv: list[str]) -> tuple[float, int]:
    return timed(argv, ROOT)


def measure(runs: int) -> tuple[dict[str, list[float]], list[str]]:
    todo = commands()
    times: dict[str, list[float]] = {label: [] for label, _, _ in todo}
    problems: list[str] = []
    for label, argv, ok in todo:  # warm-up: bytecode caches, file system caches
        _, code = run_once(argv)
        if code not in ok:
            problems.append(f"{label}: exit code {code}, expected {sorted(ok)}")
    for round_number in range(runs):
        # Rotate the order each round so that no command always follows the same one.
        shift = round_number % len(todo)
        for label, argv, _ in todo[shift:] + todo[:shift]:
            times[label].append(run_once(argv)[0])
    return times, problems


def imported_modules(args: list[str]) -> dict[str, int]:
    """Top-level packages `python -X importtime -m lambdalint ARGS` imports, with their cost.

    The cost (microseconds) of a package is the cumulative import time of its outermost
    imports: its own modules plus whatever they pulled in that was not loaded yet. What
    `site` imports at interpreter startup is left out: `python -c pass` pays it too.
    """
    # (depth, top-level package, cumulative us), children before parents
    entries = [(depth, module.split(".")[0], cumulative)
               for depth, module, _, cumulative in import_times(PYTHON, args, ROOT)]
    cost: dict[str, int] = {}
    ancestors: list[tuple[int, str]] = []
    for depth, package, cumulative in reversed(entries):  # parents first
        while ancestors and ancestors[-1][0] >= depth:
            ancestors.pop()
        if package not in {outer for _, outer in ancestors}:
            cost[package] = cost.get(package, 0) + cumulative
        ancestors.append((depth, package))
    return cost


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (minimum 7)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 7)

    print(f"Python {platform.python_version()} ({PYTHON}) on {platform.platform()}")
    print(f"lambdalint: {' '.join(lambdalint_command())}; {runs} runs per command, "
          "interleaved; cwd: repository root\n")
    times, problems = measure(runs)
    baseline = statistics.median(times["python -c pass"])
    width = max(len(label) for label in times)
    print(f"{'command':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  {'ratio':>6}")
    for label, samples in times.items():
        median = statistics.median(samples)
        print(f"{label:<{width}}  {ms(median):>9}  {ms(min(samples)):>9}  "
              f"{ms(max(samples)):>9}  {median / baseline:>5.2f}x")

    failed = bool(problems)
    for problem in problems:
        print(f"\nproblem: {problem}")
    print("\nHeavy imports (python -X importtime -m lambdalint …):")
    for label, cli_args in (("--version", ["--version"]),
                            ("check --format json examples/broken/function.zip",
                             ["check", "--format", "json", "examples/broken/function.zip"])):
        cost = imported_modules(cli_args)
        forbidden = [name for name in MUST_NOT_IMPORT if name in cost]
        reported = [f"{name} ({cost[name] / 1000:.1f} ms)" for name in REPORTED if name in cost]
        verdict = f"FAIL: imports {', '.join(forbidden)}" if forbidden else \
            f"ok: none of {', '.join(MUST_NOT_IMPORT)}"
        print(f"  lambdalint {label}\n    {verdict}\n"
              f"    also imports: {', '.join(reported) or 'none of ' + ', '.join(REPORTED)}")
        failed = failed or bool(forbidden)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
