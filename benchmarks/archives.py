"""Archive benchmark: a function plus five layers (~250 MB unzipped) from real wheels.

    python3 benchmarks/archives.py [--runs 7]

Builds (once, cached under ~/.cache/lambdalint-tests) layers the way users do — pip install
--platform manylinux2014_x86_64 --only-binary=:all: --target python/ — then times, interleaved
in one session and as separate processes: lambdalint checking them; the floor for any Python
tool (a bare script that only lists the same zips' central directories with zipfile); and
`unzip -l`. Prints medians, the ratios, and lambdalint's peak memory (max RSS).
Needs the test extras (`pip install -e '.[test]'`) and a package index.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import interleaved  # noqa: E402
from wheels import pip_target  # noqa: E402  (the tests' cached pip helper)

OUT = Path.home() / ".cache" / "lambdalint-bench"
LAYERS = {
    "numpy-layer.zip": ["numpy==2.1.3"],
    "pandas-layer.zip": ["pandas==2.2.3", "python-dateutil", "pytz", "tzdata"],
    "pydantic-layer.zip": ["pydantic==2.9.2", "sqlalchemy==2.0.36", "psycopg2-binary==2.9.10",
                           "pyyaml==6.0.2", "orjson==3.10.11"],
    "crypto-layer.zip": ["cryptography==43.0.3", "cffi", "pillow==11.0.0", "lxml==5.3.0"],
    "aws-layer.zip": ["boto3==1.35.60", "requests==2.32.3"],
}
TARGET = ["--runtime", "python3.12", "--architecture", "x86_64", "--handler", "app.handler"]
FLOOR = ("import sys, zipfile\n"
         "for path in sys.argv[1:]:\n"
         "    with zipfile.ZipFile(path) as z:\n"
         "        z.infolist()\n")


def build() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    zips = []
    function = OUT / "function.zip"
    if not function.exists():
        with zipfile.ZipFile(function, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("app.py", "import numpy, pandas, pydantic, boto3, requests\n\n"
                                       "def handler(event, context):\n    return {}\n")
    zips.append(function)
    for name, requirements in LAYERS.items():
        path = OUT / name
        if not path.exists():
            # pandas' own numpy lives in the numpy layer, as a user would split them
            deps = name != "pandas-layer.zip"
            folder = pip_target(requirements, python="3.12", platform="manylinux2014_x86_64",
                                deps=deps)
            scratch = OUT / (name + ".tmp")
            with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(folder.rglob("*")):
                    if file.is_file() and file.name != ".complete":
                        archive.write(file, "python/" + file.relative_to(folder).as_posix())
            scratch.rename(path)
        zips.append(path)
    return zips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    zips = build()
    names = [str(z) for z in zips]
    unzipped = sum(i.file_size for z in zips for i in zipfile.ZipFile(z).infolist())
    entries = sum(len(zipfile.ZipFile(z).infolist()) for z in zips)
    commands = {
        "lambdalint check (json)": [sys.executable, "-m", "lambdalint", "check", *TARGET,
                                    "--format", "json", *names],
        # The archive work alone: every rule but the code rules reading the function's
        # app.py (benchmarks/code.py measures them on their own).
        "lambdalint, archive rules": [sys.executable, "-m", "lambdalint", "check", *TARGET,
                                      "--format", "json", "--ignore", "LL209,LL301,LL4,LL5",
                                      *names],
        "zipfile listing (floor)": [sys.executable, "-c", FLOOR, *names],
    }
    if shutil.which("unzip"):
        commands["unzip -l"] = ["sh", "-c", 'for z in "$@"; do unzip -l "$z"; done', "sh",
                                *names]
    samples = interleaved(commands, runs)
    peak = max(sample.peak_kib for label, sample in samples.items()
               if label.startswith("lambdalint"))
    medians = {label: sample.median for label, sample in samples.items()}
    print(f"{len(zips)} zips ({len(zips) - 1} layers), {entries} entries, "
          f"{unzipped / 1e6:.0f} MB unzipped, "
          f"{sum(z.stat().st_size for z in zips) / 1e6:.0f} MB zipped; "
          f"medians of {runs} interleaved runs")
    floor = medians["zipfile listing (floor)"]
    for label, median in medians.items():
        print(f"  {label:<26} {median * 1000:8.1f} ms   {median / floor:5.2f}x floor"
              + (f"   {median / medians['unzip -l']:5.2f}x unzip -l"
                 if "unzip -l" in medians else ""))
    print(f"  lambdalint peak memory (max RSS): {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
