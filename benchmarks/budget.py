#!/usr/bin/env python3
"""Speed budget: lambdalint against its targets (issue 11, item 3), in one command.

    python3 benchmarks/budget.py [--runs N] [--output benchmarks/RESULTS.md] [--profile]

Budgets, each judged on medians of interleaved runs, with ratios measured in the same run:

1. a zip-only check of a small layer: at most 2x `python -c pass`;
2. the real-wheel stack (archives.py's function zip and five layers, every rule): at most
   1.5x the bare zipfile listing of the same zips, under 0.25 s, peak RSS under 60 MB;
3. a generated SAM monorepo of 50 functions sharing the same five layers: time per function
   reported, linear (the cost of each function past the first, at 100 functions against 25,
   within 25%), and each layer opened once per run (counted in-process, at
   lambdalint.model.archive.ZipTree.__init__).

lambdalint is installed as code.py installs it (a wheel of the current tree, in a venv
recreated under ~/.cache/lambdalint-bench, bytecode compiled); every command runs with that
venv's Python; peak RSS is measured apart, from a small launcher. The results go to
RESULTS.md (date, CPU, Python, lambdalint's commit) and stdout; for a missed budget, also
where the time goes (cProfile, or -X importtime for start-up; --profile: for every budget).
Exit code 0 when the budgets are only missed, 1 when a check fails or reports an internal
error. Needs the test extras (pip install -e '.[test]').
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

from timing import ENV, import_times

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNTIME = ["--runtime", "python3.12", "--architecture", "x86_64"]
SIZES = (25, 50, 100)  # the monorepo; 1 function is the floor its per-function cost is above
# The monorepo: where layer opens are counted and the profile is taken. Linearity is
# judged from 25 to 100 functions: smaller differences drown in start-up noise.
MONOREPO = 50
SMALL, MAX_RATIO_FLOOR, STACK_SECONDS, STACK_MB, LINEAR = 2.0, 1.5, 0.25, 60, 1.25
TOP = 15  # entries under "Where the time goes"
STDLIB_FLOOR = "python -c \"import argparse, json, pathlib, re, typing\" (scale, no budget)"


def load(name: str, path: Path) -> ModuleType:
    """A benchmark module by its path (code.py would otherwise be the stdlib's `code`)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = load("bench_code", HERE / "code.py")  # install_lambdalint, Command, warm_up, measure
Command = bench.Command
note, ms, mb = bench.note, bench.ms, bench.mb


# --- inputs -----------------------------------------------------------------------------

SMALL_LAYER = {
    "slugkit/__init__.py": '"""URL slugs."""\n\nfrom slugkit.slug import slugify\n\n'
                           '__all__ = ["slugify"]\n__version__ = "1.2.0"\n',
    "slugkit/slug.py": 'import re\nimport unicodedata\n\n_UNSAFE = re.compile(r"[^a-z0-9]+")\n\n\n'
                       'def slugify(text: str) -> str:\n'
                       '    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")'
                       '\n    return _UNSAFE.sub("-", text.decode().lower()).strip("-")\n',
    "slugkit/py.typed": "",
    "slugkit-1.2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: slugkit\n"
                                        "Version: 1.2.0\nSummary: URL slugs\n"
                                        "Requires-Python: >=3.9\n",
    "slugkit-1.2.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\n"
                                     "Root-Is-Purelib: true\nTag: py3-none-any\n",
    "slugkit-1.2.0.dist-info/top_level.txt": "slugkit\n",
    "slugkit-1.2.0.dist-info/INSTALLER": "pip\n",
}


def small_layer(path: Path) -> Path:
    """A layer as `pip install --target python/` leaves a tiny pure-Python package: files
    644, a RECORD with the right hashes; the same bytes on every run."""
    files = {name: text.encode() for name, text in SMALL_LAYER.items()}
    record = "".join(
        f"{name},sha256="
        f"{base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
        f"{len(data)}\n" for name, data in files.items())
    files["slugkit-1.2.0.dist-info/RECORD"] = (record + "slugkit-1.2.0.dist-info/RECORD,,\n"
                                               ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo("python/" + name, (2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


# What each generated function imports beside boto3 (two each, from the layers).
LAYER_IMPORTS = ["import numpy as np", "import pandas as pd", "from pydantic import BaseModel",
                 "import requests", "import yaml", "import orjson",
                 "from sqlalchemy import create_engine", "from PIL import Image",
                 "from lxml import etree", "from cryptography.fernet import Fernet"]

FUNCTION = '''\
"""Function {i} of the generated monorepo: writes each queued job to its table."""

import json
import os

import boto3
{imports}

TABLE_NAME = os.environ.get("TABLE_NAME", "jobs")
table = boto3.resource("dynamodb").Table(TABLE_NAME)


def handler(event, context):
    records = event["Records"]
    for record in records:
        job = json.loads(record["body"])
        table.put_item(Item={{"pk": record["messageId"], "function": {i}, "job": job}})
    return {{"function": {i}, "written": len(records)}}
'''


def mono_label(functions: int) -> str:
    return f"monorepo: {functions} function{'s' if functions > 1 else ''}"


def layer_id(name: str) -> str:
    return name.split("-")[0].capitalize() + "Layer"  # numpy-layer.zip: NumpyLayer


def monorepo(folder: Path, functions: int, layers: list[Path]) -> Path:
    """A SAM project: `functions` functions (src/fnNN/app.py, an SQS trigger each) sharing
    the five layers (layers/*.zip, hard links to archives.py's) through Globals; the same
    files on every run. Returns the template."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "layers").mkdir(parents=True)
    for layer in layers:
        try:
            os.link(layer, folder / "layers" / layer.name)
        except OSError:
            shutil.copy2(layer, folder / "layers" / layer.name)
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
             f"Description: {functions} functions sharing {len(layers)} layers "
             "(generated by benchmarks/budget.py)", "", "Globals:", "  Function:",
             "    Runtime: python3.12", "    Architectures: [x86_64]",
             "    Handler: app.handler", "    Timeout: 30", "    MemorySize: 512",
             "    Layers:", *(f"      - !Ref {layer_id(layer.name)}" for layer in layers),
             "", "Resources:"]
    for layer in layers:
        lines += [f"  {layer_id(layer.name)}:", "    Type: AWS::Serverless::LayerVersion",
                  "    Properties:", f"      ContentUri: layers/{layer.name}",
                  "      CompatibleRuntimes: [python3.12]",
                  "      CompatibleArchitectures: [x86_64]", ""]
    for i in range(functions):
        code = folder / "src" / f"fn{i:02d}"
        code.mkdir(parents=True)
        imports = "\n".join(sorted(random.Random(i).sample(LAYER_IMPORTS, 2)))
        (code / "app.py").write_text(FUNCTION.format(i=i, imports=imports))
        lines += [f"  Queue{i:02d}:", "    Type: AWS::SQS::Queue", "",
                  f"  Function{i:02d}:", "    Type: AWS::Serverless::Function",
                  "    Properties:", f"      CodeUri: src/fn{i:02d}/", "      Environment:",
                  "        Variables:", f"          TABLE_NAME: jobs-{i:02d}", "      Events:",
                  "        Jobs:", "          Type: SQS", "          Properties:",
                  f"            Queue: !GetAtt Queue{i:02d}.Arn", "            BatchSize: 10",
                  ""]
    template = folder / "template.yaml"
    template.write_text("\n".join(lines))
    return template


# --- running ----------------------------------------------------------------------------


def report_of(command: Command) -> tuple[dict, list[str]]:
    """One more run (a second warm-up) whose JSON report is read: targets, skipped rules."""
    result = subprocess.run(command.argv, cwd=command.cwd, capture_output=True, text=True,
                            env=ENV, check=False)
    try:
        return json.loads(result.stdout), []
    except ValueError:
        return {}, [f"{command.label}: no JSON report on stdout"]


def probe(python: Path, mode: str, args: list[str], cwd: Path) -> tuple[dict, list[str]]:
    """benchmarks/probe.py run by the venv's Python: the check in-process, observed."""
    with tempfile.TemporaryDirectory(prefix="lambdalint-probe-") as temporary:
        out = Path(temporary) / "probe.json"
        result = subprocess.run([str(python), str(HERE / "probe.py"), mode, str(out), "--",
                                 *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=ENV, check=False)
        if result.returncode != 0 or not out.is_file():
            return {}, [f"probe {mode} {' '.join(args[:3])}: exit code {result.returncode}\n"
                        f"{result.stderr.strip()[-3000:]}"]
        found = json.loads(out.read_text())
    problems = []
    if found["exit"] not in (0, 1):
        problems.append(f"probe {mode}: lambdalint exited with {found['exit']}")
    if "site-packages" not in found["module"]:
        problems.append(f"probe {mode}: lambdalint imported from {found['module']}, "
                        "not from the venv")
    return found, problems


# --- the report -------------------------------------------------------------------------


@dataclass
class Budget:
    name: str
    target: str
    measured: str
    ratio: str
    peak: str
    met: bool
    missed_by: str = ""  # how far over the target, when missed

    @property
    def verdict(self) -> str:
        return "met" if self.met else f"**MISSED** by {self.missed_by}"


def over(value: float, limit: float) -> str:
    return f"{value / limit - 1:.0%}"


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()} logical CPUs" + (f" ({usable} usable)" if usable and
                                                usable != os.cpu_count() else "")
    return [f"- CPU: {cpu}, {cores}; {platform.platform()}",
            f"- Python: {platform.python_implementation()} {platform.python_version()}"]


def commit() -> str:
    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), *args],
                                    capture_output=True, text=True, check=False)
        except OSError:  # no git
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    head = git("rev-parse", "--short", "HEAD")
    if head is None:
        return "commit unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--", "lambdalint", "pyproject.toml")
    return f"commit {head}" + (" + uncommitted changes (in lambdalint/ or pyproject.toml)"
                               if dirty else "")


def profile_table(found: dict) -> list[str]:
    lines = ["| function | calls | own | cumulative |", "|---|--:|--:|--:|"]
    lines += [f"| `{row['where']}` | {row['calls']} | {ms(row['own'])} | "
              f"{ms(row['cumulative'])} |" for row in found.get("entries", [])[:TOP]]
    return lines


def importtime_table(entries: list[tuple[int, str, int, int]]) -> list[str]:
    total = sum(cumulative for depth, _, _, cumulative in entries if depth == 0)
    lines = [f"Imports after start-up: {total / 1000:.1f} ms in all "
             f"({len(entries)} modules); the {TOP} largest by cumulative time (a module's "
             "includes the imports it made):", "",
             "| module | depth | self | cumulative |", "|---|--:|--:|--:|"]
    for depth, name, own, cumulative in sorted(entries, key=lambda e: -e[3])[:TOP]:
        lines.append(f"| `{name}` | {depth} | {own / 1000:.1f} ms | {cumulative / 1000:.1f} ms |")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="timed runs per command")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md",
                        help="where the markdown report goes (default: benchmarks/RESULTS.md)")
    parser.add_argument("--profile", action="store_true",
                        help="where the time goes for every budget, not only the missed ones")
    args = parser.parse_args(argv)
    runs = max(args.runs, 1)
    try:
        import archives  # the real-wheel stack; it needs the test extras (pytest)
        import pytest
    except ImportError as error:
        raise SystemExit(f"{error}: pip install -e '.[test]'") from None
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    bench.BENCH.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="lambdalint-budget-") as temporary:
        note("building and installing the lambdalint wheel")
        lambdalint = bench.install_lambdalint(Path(temporary) / "wheel")
    python = lambdalint.parent / "python"
    version = bench.version_of(python, "lambdalint")
    note("building the inputs (the first run downloads the wheels)")
    try:
        stack = archives.build()
    except pytest.skip.Exception as error:  # how tests/wheels.py reports a pip failure
        raise SystemExit(f"the real-wheel stack could not be built: {error}") from None
    layer = small_layer(bench.BENCH / "small-layer.zip")
    templates = {n: monorepo(bench.BENCH / f"monorepo-{n}", n, stack[1:]) for n in (1, *SIZES)}

    tool = str(lambdalint)
    small_args = ["check", *RUNTIME, "--layer", str(layer), "--format", "json"]
    stack_args = ["check", *archives.TARGET, "--format", "json", *map(str, stack)]
    mono_args = ["check", "template.yaml", "--format", "json"]
    commands = [
        Command("python -c pass", [str(python), "-c", "pass"], bench.BENCH, frozenset({0})),
        # Not a budget: what the standard modules any argparse CLI that reads paths, JSON and
        # regular expressions imports cost on their own, for scale.
        Command(STDLIB_FLOOR, [str(python), "-c", "import argparse, json, pathlib, re, typing"],
                bench.BENCH, frozenset({0})),
        Command("small layer: lambdalint check (zip only)", [tool, *small_args], bench.BENCH,
                lambdalint_json=True),
        Command("stack: zipfile listing (floor)",
                [str(python), "-c", archives.FLOOR, *map(str, stack)], bench.BENCH,
                frozenset({0})),
        Command("stack: lambdalint check, all rules", [tool, *stack_args], bench.BENCH,
                lambdalint_json=True),
        *(Command(mono_label(n), [tool, *mono_args],
                  template.parent, lambdalint_json=True) for n, template in templates.items()),
    ]
    by_label = {command.label: command for command in commands}

    note("warm-up: every command once, its exit code and report read")
    problems = [problem for command in commands for problem in bench.warm_up(command)]
    reports = {}
    for command in commands:
        if command.lambdalint_json and not problems:
            reports[command.label], found = report_of(command)
            problems += found
    for n, template in templates.items():
        report = reports.get(mono_label(n), {})
        checked = len(report.get("targets", []))
        if report and checked != n:
            problems.append(f"{template}: {checked} functions checked, not {n}: "
                            f"{report.get('notes')}")
    if problems:
        for problem in problems:
            print(f"problem: {problem}\n")
        return 1
    note(f"layer opens, counted in-process (ZipTree.__init__): {mono_label(MONOREPO)}")
    opened, problems = probe(python, "opens", mono_args, templates[MONOREPO].parent)
    if opened and not opened["opens"]:
        problems.append("probe opens: no ZipTree was made (does lambdalint still open zips "
                        "with lambdalint.model.archive.ZipTree?)")
    note(f"timing: {len(commands)} commands, {runs} interleaved rounds after a warm-up")
    note("then peak RSS: each command 3 times from timing.py's small launcher")
    problems += bench.measure(commands, runs)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    # -- the budgets
    floor = by_label["python -c pass"].median
    small = by_label["small layer: lambdalint check (zip only)"]
    listing = by_label["stack: zipfile listing (floor)"]
    check = by_label["stack: lambdalint check, all rules"]
    mono = {n: by_label[mono_label(n)] for n in templates}
    per_function = {n: (mono[n].median - mono[1].median) / (n - 1) for n in SIZES}
    small_ratio, stack_ratio = small.median / floor, check.median / listing.median
    linear = per_function[SIZES[-1]] / per_function[SIZES[0]] \
        if per_function[SIZES[0]] > 0 else float("inf")
    counts = {path.name: opened.get("opens", {}).get(str(path.resolve()), 0)
              for path in (templates[MONOREPO].parent / "layers" / z.name for z in stack[1:])}
    budgets = [
        Budget("zip-only check of a small layer", f"≤ {SMALL:g}x `python -c pass`",
               ms(small.median), f"{small_ratio:.2f}x", mb(small.peak_kib),
               small_ratio <= SMALL, over(small_ratio, SMALL)),
        Budget("real-wheel stack, all rules: against the zipfile listing",
               f"≤ {MAX_RATIO_FLOOR:g}x the listing", ms(check.median), f"{stack_ratio:.2f}x",
               mb(check.peak_kib), stack_ratio <= MAX_RATIO_FLOOR,
               over(stack_ratio, MAX_RATIO_FLOOR)),
        Budget("real-wheel stack, all rules: time", f"< {STACK_SECONDS * 1000:.0f} ms",
               ms(check.median), f"{check.median / STACK_SECONDS:.2f}x the target",
               mb(check.peak_kib), check.median < STACK_SECONDS,
               over(check.median, STACK_SECONDS)),
        Budget("real-wheel stack, all rules: memory", f"peak RSS < {STACK_MB} MB",
               mb(check.peak_kib), f"{check.peak_kib / 1024 / STACK_MB:.2f}x the target",
               mb(check.peak_kib), check.peak_kib < STACK_MB * 1024,
               over(check.peak_kib / 1024, STACK_MB)),
        Budget(f"monorepo: time per function, linear ({SIZES[0]} to {SIZES[-1]} functions)",
               f"per-function cost at {SIZES[-1]} ≤ {LINEAR:g}x at {SIZES[0]}",
               f"{ms(per_function[SIZES[-1]])} at {SIZES[-1]}, "
               f"{ms(per_function[SIZES[0]])} at {SIZES[0]}", f"{linear:.2f}x",
               mb(mono[SIZES[-1]].peak_kib), linear <= LINEAR, over(linear, LINEAR)),
        Budget(f"monorepo: each layer read once ({MONOREPO} functions)",
               "each layer zip opened once per run",
               ", ".join(f"{name} {count}x" for name, count in counts.items()), "-", "-",
               bool(counts) and all(count == 1 for count in counts.values()),
               f"{max(counts.values(), default=0)} opens of a layer"),
    ]

    # -- the report
    entries = sum(len(zipfile.ZipFile(z).infolist()) for z in stack)
    unzipped = sum(i.file_size for z in stack for i in zipfile.ZipFile(z).infolist())
    lines = ["# Speed budget", "",
             f"Written by `python3 benchmarks/budget.py --runs {runs}"
             f"{' --profile' if args.profile else ''}` (see README.md, "
             "*Budget*); do not edit by hand.", "",
             f"- Date: {started:%Y-%m-%d %H:%M} UTC",
             *machine(),
             f"- lambdalint {version}, {commit()}: a wheel of the working tree, installed in "
             f"`{python.parent.parent}`",
             f"- Medians of {runs} interleaved runs after a warm-up round; ratios from the "
             "same run"
             + (f"; load average {load_before:.2f} at the start, {load_after:.2f} at the end"
                if load_before is not None and load_after is not None else ""),
             "- Peak RSS: the largest of 3 runs, each started from a small launcher (a "
             "child's figure would otherwise include this script's own memory)",
             "", "## Budgets", "",
             "| budget | target | measured | ratio | peak RSS | verdict |",
             "|---|---|--:|--:|--:|---|"]
    lines += [f"| {b.name} | {b.target} | {b.measured} | {b.ratio} | {b.peak} | {b.verdict} |"
              for b in budgets]
    lines += ["", "## Measurements", "",
              f"The small layer: {len(SMALL_LAYER) + 1} files under `python/` (a pure-Python "
              f"package and its dist-info), checked with `{' '.join(RUNTIME)} --layer`; the "
              f"rules it skips need a function (the handler): "
              f"{', '.join(skipped(reports[small.label])) or 'none'}.",
              f"The stack: {len(stack)} zips ({len(stack) - 1} layers), {entries:,} entries, "
              f"{unzipped / 1e6:.0f} MB unzipped, checked with `{' '.join(archives.TARGET)}`.",
              "", "| command | median | min | max | ratio to `python -c pass` | peak RSS |",
              "|---|--:|--:|--:|--:|--:|"]
    lines += [f"| {c.label} | {ms(c.median)} | {ms(min(c.times))} | {ms(max(c.times))} | "
              f"{c.median / floor:.2f}x | {mb(c.peak_kib)} |" for c in commands]
    lines += ["", "## Monorepo (`lambdalint check template.yaml --format json`)", "",
              "A generated SAM project: N functions (`src/fnNN/app.py`, a handler importing "
              "boto3 and two packages of the layers, an SQS trigger each) sharing the stack's "
              f"{len(stack) - 1} layers (`AWS::Serverless::LayerVersion`, `ContentUri: "
              "layers/….zip`) through `Globals.Function.Layers`. The per-function cost is "
              "the time above the 1-function project, divided by the functions past the "
              "first.", "",
              "| functions | median | above 1 function | per function past the first | "
              "median / functions | peak RSS |", "|--:|--:|--:|--:|--:|--:|"]
    for n, command in mono.items():
        above = f"{ms(command.median - mono[1].median)} | {ms(per_function[n])}" \
            if n > 1 else "- | -"
        lines.append(f"| {n} | {ms(command.median)} | {above} | {ms(command.median / n)} | "
                     f"{mb(command.peak_kib)} |")
    lines += ["", f"Layer zips opened in one run of the {MONOREPO}-function check (counted "
              "in-process at `ZipTree.__init__`): "
              + (", ".join(f"`{name}` {count} time{'s' if count != 1 else ''}"
                           for name, count in counts.items()) or "not counted")
              + f"; {sum(opened.get('opens', {}).values())} zip opens in all."]

    # -- where the time goes
    missed = {b.name for b in budgets if not b.met}
    sections = []
    if args.profile or budgets[0].name in missed:
        sections.append((f"{small.label}: `python -X importtime`",
                         importtime_table(import_times(python, small_args, bench.BENCH))))
    if args.profile or missed & {b.name for b in budgets[1:4]}:
        found, trouble = probe(python, "profile", stack_args, bench.BENCH)
        problems += trouble
        sections.append((f"{check.label}: cProfile", profile_table(found)))
    if args.profile or budgets[4].name in missed:
        found, trouble = probe(python, "profile", mono_args, templates[MONOREPO].parent)
        problems += trouble
        sections.append((f"monorepo: {MONOREPO} functions: cProfile", profile_table(found)))
    if sections:
        lines += ["", "## Where the time goes", "",
                  f"One run in-process in the venv; the {TOP} entries with the most cumulative "
                  "time (cProfile's overhead inflates the figures: compare them with each "
                  "other, not with the medians above)."]
        for title, table in sections:
            lines += ["", f"### {title}", "", *table]
    text = "\n".join(lines) + "\n"
    print(text)
    if problems:
        for problem in problems:
            print(f"problem: {problem}\n")
        return 1
    args.output.write_text(text)
    note(f"written to {args.output}")
    return 0


def skipped(report: dict) -> list[str]:
    return sorted({rule for target in report.get("targets", [])
                   for rule in target.get("skipped", [])})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
