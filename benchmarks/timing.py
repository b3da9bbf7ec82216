"""What every benchmark here measures with: fresh child processes, timed and sized, in
interleaved rounds (rotated, so that no command always follows the same one) after one
warm-up round."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

# What an installed tool runs with: pip writes bytecode at install time, so the children may
# cache it (some environments set PYTHONDONTWRITEBYTECODE for everything).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """Wall time, peak RSS (KiB) and exit code of one run in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


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
        code = timed(argv, cwd)[2]
        if code not in ok:
            raise SystemExit(f"{label}: {argv[:4]} exited with {code}")
    for round_number in range(runs):
        shift = round_number % len(order)
        for label, argv in order[shift:] + order[:shift]:
            elapsed, rss, _ = timed(argv, cwd)
            samples[label].times.append(elapsed)
            samples[label].peak_kib = max(samples[label].peak_kib, rss)
    return samples
