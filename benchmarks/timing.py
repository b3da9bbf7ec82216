"""What every benchmark here measures with: fresh child processes, timed and sized, in
interleaved rounds (rotated, so that no command always follows the same one) after one
warm-up round."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

# What an installed tool runs with: pip writes bytecode at install time, so the children may
# cache it (some environments set PYTHONDONTWRITEBYTECODE for everything).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall time and exit code of one run in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=ENV)
    _, status, _ = os.wait4(process.pid, 0)
    return time.perf_counter() - started, os.waitstatus_to_exitcode(status)


# Peak RSS is measured apart from the timed runs: Linux keeps a process's high-water mark
# across exec, so a child's ru_maxrss is at least the RSS of the process that started it (a
# benchmark script, pytest and all). Started from this small launcher (python -S), the
# figure is the command's own.
LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        os.execv(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def peak_rss(argv: list[str], cwd: Path | None = None, runs: int = 3) -> int:
    """The largest peak RSS (KiB) of ``runs`` runs of the command, each from LAUNCHER."""
    peaks = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-S", "-c", LAUNCHER,
                                 shutil.which(argv[0]) or argv[0], *argv[1:]], cwd=cwd,
                                capture_output=True, text=True, env=ENV, check=True)
        peaks.append(int(result.stdout.split()[0]))
    return max(peaks)


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)
    peak_kib: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def interleaved(commands: dict[str, list[str]], runs: int, *, cwd: Path | None = None,
                ok: Collection[int] = (0, 1)) -> dict[str, Sample]:
    """Each command ``runs`` times, interleaved, after a warm-up round (bytecode and file
    system caches); a command that exits with a code not in ``ok`` stops the benchmark."""
    samples = {label: Sample() for label in commands}
    order = list(commands.items())
    for label, argv in order:
        code = timed(argv, cwd)[1]
        if code not in ok:
            raise SystemExit(f"{label}: {argv[:4]} exited with {code}")
    for round_number in range(runs):
        shift = round_number % len(order)
        for label, argv in order[shift:] + order[:shift]:
            samples[label].times.append(timed(argv, cwd)[0])
    for label, argv in order:
        samples[label].peak_kib = peak_rss(argv, cwd)
    return samples


def import_times(python: Path | str, args: list[str], cwd: Path) -> list[tuple[int, str, int, int]]:
    """`python -X importtime -m lambdalint ARGS`: (depth, module, self us, cumulative us) of
    the imports made after the interpreter's start-up (`python -c pass` pays those)."""
    result = subprocess.run([str(python), "-X", "importtime", "-m", "lambdalint", *args],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=ENV, check=False)
    entries = []
    for line in result.stderr.splitlines():
        fields = line[len("import time:"):].split("|") if line.startswith("import time:") \
            else []
        if len(fields) == 3 and fields[1].strip().isdigit():
            raw = fields[2].rstrip()
            depth = (len(raw) - len(raw.lstrip()) - 1) // 2
            entries.append((depth, raw.strip(), int(fields[0]), int(fields[1])))
    site = [i for i, (depth, name, _, _) in enumerate(entries) if depth == 0 and name == "site"]
    return entries[site[-1] + 1:] if site else entries
