#!/usr/bin/env python3
"""Code benchmark: what lambdalint's code rules cost, on an installed wheel.

    python3 benchmarks/code.py [--runs N]

1. `benchmarks/handler.py` checked with `--runtime python3.12 --handler handler.handler`,
   against `python -c pass` (the floor) and `pythaw check` on the same file.
2. Generated function folders of N = 25, 50, 100, 200 modules (package `app/`, each module
   importing three others, plus `handler.py`) against a one-module function: time per module,
   and whether it stays linear.
3. archives.py's function zip and five layers from real wheels: every rule against the
   archive rules alone (`--ignore LL209,LL301,LL4,LL5`: every rule but the code rules).

lambdalint is installed as a user installs it: a wheel of the current tree (built from a
snapshot copy, so the working tree gets no build/ or egg-info), in a venv recreated on each
run under ~/.cache/lambdalint-bench, bytecode compiled. pythaw is pip-installed there into
its own venv when it is missing. Every section runs its commands interleaved, round by
round in fresh processes after one warm-up round, and prints medians, ratios measured in
the same run and peak memory (max RSS) as a markdown table. Children run with
PYTHONDONTWRITEBYTECODE unset, as an installed tool does. Exit code 1 when a command fails
or lambdalint reports an internal error (the tracebacks are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from timing import ENV, peak_rss, timed

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path.home() / ".cache" / "lambdalint-bench"
PYTHAW = "pythaw"
SIZES = (25, 50, 100, 200)
HANDLER_TARGET = ["--runtime", "python3.12", "--handler", "handler.handler"]
# The code rules are those that read the function's own code: LL209 (syntax), LL301 (its
# imports), LL4xx and LL5xx. The other rules (layout, platform, dependencies, limits) are the
# archive rules they are measured against.
CODE_RULES = "LL209,LL301,LL4,LL5"


def note(message: str) -> None:
    """Progress goes to stderr: stdout is the markdown report."""
    print(message, file=sys.stderr, flush=True)


# --- installing -------------------------------------------------------------------------


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def run_pip(python: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-m", "pip", *args, "--quiet",
                           "--disable-pip-version-check"],
                          capture_output=True, text=True, env=ENV, check=False)


def fresh_venv(venv: Path) -> Path:
    """A new venv at `venv` (any old one is removed); returns its python."""
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=ENV)
    return bin_dir(venv) / "python"


def compile_site_packages(python: Path) -> None:
    """Bytecode for everything installed, as pip leaves it (a no-op where pip already did)."""
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True,
                          env=ENV).stdout.strip()
    subprocess.run([str(python), "-m", "compileall", "-q", site], check=True, env=ENV,
                   stdout=subprocess.DEVNULL)


def version_of(python: Path, distribution: str) -> str:
    return subprocess.run([str(python), "-c", "import importlib.metadata as m; "
                           f"print(m.version({distribution!r}))"], capture_output=True,
                          text=True, env=ENV, check=False).stdout.strip() or "?"


def install_lambdalint(scratch: Path) -> Path:
    """Build a wheel of the current tree and install it into a fresh venv; its console script.

    The wheel is built from a copy of the tree so that setuptools' build/ and egg-info land
    in the scratch folder, and so that the wheel is one consistent snapshot.
    """
    source = scratch / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"))
    built = run_pip(sys.executable, "wheel", "--no-deps", "-w", str(scratch / "dist"),
                    str(source))
    if built.returncode != 0:
        raise SystemExit(f"pip wheel failed:\n{built.stderr[-2000:]}")
    (wheel,) = (scratch / "dist").glob("lambdalint-*.whl")
    python = fresh_venv(BENCH / "venv-lambdalint")
    installed = run_pip(python, "install", str(wheel))
    if installed.returncode != 0:
        raise SystemExit(f"pip install {wheel.name} failed:\n{installed.stderr[-2000:]}")
    compile_site_packages(python)
    return bin_dir(BENCH / "venv-lambdalint") / "lambdalint"


def install_pythaw() -> tuple[Path | None, str]:
    """pythaw's console script (installed into its own venv when missing), or None and why."""
    venv = BENCH / "venv-pythaw"
    script = bin_dir(venv) / "pythaw"
    if not script.is_file():
        note(f"installing {PYTHAW} into {venv}")
        python = fresh_venv(venv)
        installed = run_pip(python, "install", PYTHAW)
        if installed.returncode != 0 or not script.is_file():
            return None, f"pip install {PYTHAW} failed: {installed.stderr.strip()[-500:]}"
        compile_site_packages(python)
    return script, version_of(bin_dir(venv) / "python", "pythaw")


# --- timing -----------------------------------------------------------------------------


@dataclass
class Command:
    label: str
    argv: list[str]
    cwd: Path
    ok: frozenset[int] = frozenset({0, 1})  # lambdalint and pythaw: 1 means findings
    lambdalint_json: bool = False  # a JSON report whose notes may hold internal errors
    times: list[float] = field(default_factory=list)
    peak_kib: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def warm_up(command: Command) -> list[str]:
    """One run whose output is read: bytecode and file caches, and what went wrong."""
    result = subprocess.run(command.argv, cwd=command.cwd, capture_output=True, text=True,
                            env=ENV, check=False)
    problems = []
    if result.returncode not in command.ok:
        problems.append(f"{command.label}: exit code {result.returncode}\n"
                        f"{(result.stderr or result.stdout).strip()[-3000:]}")
    if command.lambdalint_json:
        try:
            notes = json.loads(result.stdout).get("notes", [])
        except ValueError:
            problems.append(f"{command.label}: no JSON report on stdout")
            notes = []
        problems += [f"{command.label}: {text}" for text in notes if "internal error" in text]
    return problems


def measure(commands: list[Command], runs: int) -> list[str]:
    """Interleaved rounds, rotated so that no command always follows the same one."""
    problems = [problem for command in commands for problem in warm_up(command)]
    for round_number in range(runs):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            command.times.append(timed(command.argv, command.cwd)[0])
    for command in commands:
        command.peak_kib = peak_rss(command.argv, command.cwd)
    return problems


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


# --- 1. one handler ---------------------------------------------------------------------


def one_handler(lambdalint: Path, runs: int) -> list[str]:
    python = str(lambdalint.parent / "python")
    commands = [
        Command("python -c pass", [python, "-c", "pass"], ROOT, frozenset({0})),
        Command("lambdalint check (python3.12, handler.handler) --format json",
                [str(lambdalint), "check", *HANDLER_TARGET, "benchmarks/handler.py",
                 "--format", "json"], ROOT, lambdalint_json=True),
    ]
    pythaw, pythaw_version = install_pythaw()
    if pythaw is not None:
        commands.append(Command(f"pythaw check --format json ({pythaw_version})",
                                [str(pythaw), "check", "--format", "json",
                                 "benchmarks/handler.py"], ROOT))
    note("1. one handler")
    problems = measure(commands, runs)
    floor = commands[0].median
    print("## 1. One handler: `benchmarks/handler.py`\n")
    print("| command | median | min | max | ratio to `python -c pass` | peak RSS |")
    print("|---|--:|--:|--:|--:|--:|")
    for command in commands:
        print(f"| {command.label} | {ms(command.median)} | {ms(min(command.times))} | "
              f"{ms(max(command.times))} | {command.median / floor:.2f}x | "
              f"{mb(command.peak_kib)} |")
    if pythaw is None:
        print(f"\npythaw row skipped: {pythaw_version}")
    else:
        print(f"\nlambdalint / pythaw: **{commands[1].median / commands[2].median:.2f}x** "
              "(medians)")
    print()
    return problems


# --- 2. generated functions -------------------------------------------------------------

MODULE = Template('''\
"""Orders pipeline, stage $i: turns queue records into table items."""

import json
import logging
import os
from datetime import datetime, timezone

import boto3

$imports

logger = logging.getLogger(__name__)
TABLE_NAME = os.environ.get("ORDERS_TABLE", "orders")
AUDIT_BUCKET = os.environ["AUDIT_BUCKET"]
dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")
table = dynamodb.Table(TABLE_NAME)


def build_item_$i(record):
    body = json.loads(record["body"])
    item = {
        "pk": f"ORDER#{body['id']}",
        "sk": "STAGE#$i",
        "amount": body.get("amount", 0),
        "created": datetime.now(timezone.utc).isoformat(),
        "source": record.get("eventSource", "aws:sqs"),
    }
    return m$a.enrich_$a(item)


def enrich_$i(item):
    item["region"] = os.environ.get("AWS_REGION", "us-east-1")
    item["valid"] = m$b.validate_$b(item)
    return item


def validate_$i(item):
    return bool(item.get("pk")) and item.get("amount", 0) >= 0


def process_$i(event):
    written = 0
    for record in event["Records"]:
        table.put_item(Item=build_item_$i(record))
        written += 1
    body = json.dumps({"stage": $i, "written": written})
    s3.put_object(Bucket=AUDIT_BUCKET, Key="audit/stage-$i.json", Body=body)
    logger.info("stage %d wrote %d items", $i, written)
    return m$c.summary_$c(written)


def summary_$i(count):
    return {"stage": $i, "count": count}
''')

HANDLER = Template('''\
"""Entry point: runs every batch through a few pipeline stages."""

import json
import os

import boto3
$imports

sqs = boto3.client("sqs")
DEAD_LETTERS = os.environ.get("DEAD_LETTER_QUEUE_URL", "")


def handler(event, context):
    results = [$calls]
    empty = [result for result in results if not result["count"]]
    if empty and DEAD_LETTERS:
        sqs.send_message(QueueUrl=DEAD_LETTERS, MessageBody=json.dumps(empty))
    return {"statusCode": 200, "body": json.dumps(results)}
''')


def generate(folder: Path, modules: int) -> None:
    """A function code folder: handler.py and app/m0 … m{modules-1}, deterministically.

    Each module imports three others chosen by a seeded generator (import cycles included,
    as in real code: the names are only used inside functions), alternately as
    `from app import mN` and `from . import mN`. With 0 modules, handler.py stands alone.
    """
    folder.mkdir()
    if modules:
        (folder / "app").mkdir()
        (folder / "app" / "__init__.py").write_text('"""The orders pipeline."""\n')
    for i in range(modules):
        a, b, c = random.Random(i).sample([j for j in range(modules) if j != i], 3)
        imports = "\n".join(f"from app import m{j}" if (i + k) % 2 else f"from . import m{j}"
                            for k, j in enumerate((a, b, c)))
        (folder / "app" / f"m{i}.py").write_text(MODULE.substitute(i=i, a=a, b=b, c=c,
                                                                   imports=imports))
    entries = sorted({0, modules // 4, modules // 2, 3 * modules // 4}) if modules else []
    imports = "".join(f"\nfrom app import m{j}" for j in entries)
    calls = ", ".join(f"m{j}.process_{j}(event)" for j in entries)
    (folder / "handler.py").write_text(HANDLER.substitute(imports=imports, calls=calls))


def generated_functions(lambdalint: Path, runs: int, scratch: Path) -> list[str]:
    commands = []
    for modules in (0, *SIZES):
        folder = scratch / f"function-{modules}"
        generate(folder, modules)
        label = f"{modules} modules" if modules else "floor: handler.py alone"
        commands.append(Command(label, [str(lambdalint), "check", *HANDLER_TARGET,
                                        folder.name, "--format", "json"], scratch,
                                lambdalint_json=True))
    note(f"2. generated functions ({', '.join(map(str, SIZES))} modules)")
    problems = measure(commands, runs)
    floor = commands[0].median
    per_module = {modules: (command.median - floor) / modules
                  for modules, command in zip(SIZES, commands[1:])}
    lines = sum(len(path.read_text().splitlines())
                for path in (scratch / f"function-{SIZES[-1]}").rglob("*.py"))
    print(f"## 2. Generated function folders (`app/` modules + `handler.py`; "
          f"{lines} lines at {SIZES[-1]} modules)\n")
    print("| function | median | minus floor | per module | peak RSS |")
    print("|---|--:|--:|--:|--:|")
    print(f"| {commands[0].label} | {ms(floor)} | - | - | {mb(commands[0].peak_kib)} |")
    for modules, command in zip(SIZES, commands[1:]):
        print(f"| {command.label} | {ms(command.median)} | {ms(command.median - floor)} | "
              f"{ms(per_module[modules])} | {mb(command.peak_kib)} |")
    small, large = per_module[50], per_module[200]
    ratio = large / small if small > 0 else float("inf")
    verdict = ("linear (within 25%)" if 0.8 <= ratio <= 1.25 else
               "super-linear: each module costs more in a bigger function" if ratio > 1.25
               else "sub-linear: each module costs less in a bigger function")
    print(f"\nPer-module cost at 200 vs 50 modules: {ms(large)} / {ms(small)} = "
          f"**{ratio:.2f}x**, {verdict}.\n")
    return problems


# --- 3. the real-wheel stack ------------------------------------------------------------


def wheel_stack(lambdalint: Path, runs: int) -> list[str]:
    try:
        import archives  # the layers' builder; it needs the test extras (pytest)
        import pytest
    except ImportError as error:
        print(f"## 3. Function zip + 5 layers\n\nskipped: {error} (pip install -e '.[test]')\n")
        return []
    note("3. function zip + 5 layers (the first run downloads the wheels)")
    try:
        zips = [str(path) for path in archives.build()]
    except pytest.skip.Exception as error:  # how tests/wheels.py reports a pip failure
        print(f"## 3. Function zip + 5 layers\n\nskipped: {error}\n")
        return []
    check = [str(lambdalint), "check", *archives.TARGET, "--format", "json"]
    commands = [
        Command("all rules", [*check, *zips], ROOT, lambdalint_json=True),
        Command(f"archive rules (`--ignore {CODE_RULES}`)",
                [*check, "--ignore", CODE_RULES, *zips], ROOT, lambdalint_json=True),
    ]
    problems = measure(commands, runs)
    whole, archive = commands[0].median, commands[1].median
    print(f"## 3. Function zip + {len(zips) - 1} layers from real wheels "
          f"(`{' '.join(archives.TARGET)}`)\n")
    print("| lambdalint check --format json | median | min | max | peak RSS |")
    print("|---|--:|--:|--:|--:|")
    for command in commands:
        print(f"| {command.label} | {ms(command.median)} | {ms(min(command.times))} | "
              f"{ms(max(command.times))} | {mb(command.peak_kib)} |")
    print(f"\nThe code rules add {ms(whole - archive)}: "
          f"**{(whole - archive) / archive:+.0%}** of the archive rules' time.\n")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    runs = max(parser.parse_args(argv).runs, 1)
    BENCH.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lambdalint-code-") as temporary:
        scratch = Path(temporary)
        note("building and installing the lambdalint wheel")
        lambdalint = install_lambdalint(scratch / "wheel")
        version = version_of(lambdalint.parent / "python", "lambdalint")
        print(f"Python {platform.python_version()} on {platform.platform()}; lambdalint "
              f"{version} (wheel of the current tree, in {lambdalint.parent.parent}); "
              f"medians of {runs} interleaved runs after a warm-up\n")
        problems = one_handler(lambdalint, runs)
        functions = scratch / "functions"
        functions.mkdir()
        problems += generated_functions(lambdalint, runs, functions)
        problems += wheel_stack(lambdalint, runs)
    for problem in problems:
        print(f"problem: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
