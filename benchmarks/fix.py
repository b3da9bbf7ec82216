"""Fix benchmark: `--fix` on a big layer zipped without its python/ folder (LL101).

    python3 benchmarks/fix.py [--runs 7]

Takes the pandas layer of the archive benchmark (benchmarks/archives.py builds it from real
wheels, cached under ~/.cache/lambdalint-bench), strips `python/` from every entry name to
make the classic mistake, then times, interleaved and as separate processes: a plain check
of it; `--diff`; `--fix` (each run on a fresh copy: the copy is timed on its own and taken
off); and what a user would otherwise do in Python — the same move with the standard
library's zipfile, which decompresses and recompresses every entry. Prints medians.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

from archives import OUT, build

from timing import interleaved

LAYER = ["--runtime", "python3.12", "--architecture", "x86_64", "--layer"]
# The standard library's way: read every entry, write it again under python/.
REZIP = ("import sys, zipfile\n"
         "with zipfile.ZipFile(sys.argv[1]) as old, zipfile.ZipFile(sys.argv[2], 'w',\n"
         "        zipfile.ZIP_DEFLATED) as new:\n"
         "    for info in old.infolist():\n"
         "        new.writestr('python/' + info.filename, old.read(info))\n")


def broken_layer() -> Path:
    """The pandas layer with its entries at the zip root (built once)."""
    build()
    broken = OUT / "pandas-layer-at-root.zip"
    if not broken.exists():
        scratch = broken.with_suffix(".tmp")
        with zipfile.ZipFile(OUT / "pandas-layer.zip") as old, \
                zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                data = old.read(info)
                info.filename = info.filename.removeprefix("python/")
                new.writestr(info, data)
        scratch.rename(broken)
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    broken = broken_layer()
    # Run in the layer's folder: --fix writes only inside the folders given (or the
    # current one).
    work = OUT / "fix-work.zip"
    copy = ["cp", broken.name, work.name]
    lambdalint = [sys.executable, "-m", "lambdalint", "check", *LAYER, work.name]
    commands = {
        "copy the zip (taken off)": ["sh", "-c", " ".join(copy)],
        "check": ["sh", "-c", f"{' '.join(copy)} && {' '.join(lambdalint)} >/dev/null"],
        "--diff": ["sh", "-c", f"{' '.join(copy)} && {' '.join(lambdalint)} --diff "
                   ">/dev/null"],
        "--fix": ["sh", "-c", f"{' '.join(copy)} && {' '.join(lambdalint)} --fix -q "
                  ">/dev/null 2>&1"],
        "zipfile rewrite": [sys.executable, "-c", REZIP, str(broken), str(OUT / "rezip.zip")],
    }
    samples = interleaved(commands, runs, cwd=OUT)
    medians = {label: sample.median for label, sample in samples.items()}
    base = medians.pop("copy the zip (taken off)")
    entries = len(zipfile.ZipFile(broken).infolist())
    print(f"{broken.name}: {entries} entries, {broken.stat().st_size / 1e6:.0f} MB zipped; "
          f"medians of {runs} interleaved runs, the copy ({base * 1000:.0f} ms) taken off")
    for label, median in medians.items():
        cost = median - base if label != "zipfile rewrite" else median
        print(f"  {label:<16} {cost * 1000:8.1f} ms")
    # What was timed is the fix: the layer ends up under python/.
    subprocess.run(commands["--fix"], check=False, cwd=OUT)
    with zipfile.ZipFile(work) as fixed:
        outside = [n for n in fixed.namelist() if not n.startswith("python/")]
    print(f"  after --fix: {len(outside)} entries outside python/ {outside[:3]}")


if __name__ == "__main__":
    main()
