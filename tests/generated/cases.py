"""The generated cases, run in one process: ``tests/test_generated_inputs.py`` starts this
module in child processes (with an address-space cap, so that a crash or a runaway
allocation fails that test instead of killing the suite). Not collected by a plain
``pytest`` run (the file name does not start with ``test_``); to run it directly:

    LAMBDALINT_GENERATED_CASES=300 python -m pytest -p no:cacheprovider tests/generated/cases.py

Environment:

* ``LAMBDALINT_GENERATED_CASES``: how many cases this process runs, shared among the kinds;
* ``LAMBDALINT_GENERATED_SEED``: the Hypothesis seed (each shard of a run has its own; by
  default the run is derandomized);
* ``LAMBDALINT_GENERATED_WORK``: the folder cases are written in (default: a temporary one),
  where ``digests.txt`` gets a line per case and ``current-case.txt`` names the case running;
* ``LAMBDALINT_GENERATED_SAMPLE``: keep every n-th case (and the digest of its outputs) in
  ``sample.pickle``;
* ``LAMBDALINT_GENERATED_REPLAY``: instead of generating, run the cases kept in these
  ``sample.pickle`` files (``os.pathsep``-separated) and require the same outputs: another
  process, another ``PYTHONHASHSEED``, another folder.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from generated.invariants import check_case, outputs_digest
from generated.strategies import KINDS, Project

COUNT = int(os.environ.get("LAMBDALINT_GENERATED_CASES", "300"))
SEED = os.environ.get("LAMBDALINT_GENERATED_SEED")
WORK = Path(os.environ.get("LAMBDALINT_GENERATED_WORK") or tempfile.mkdtemp())
SAMPLE = int(os.environ.get("LAMBDALINT_GENERATED_SAMPLE", "0"))
REPLAY = [Path(p) for p in os.environ.get("LAMBDALINT_GENERATED_REPLAY", "").split(os.pathsep)
          if p]
SHARES = {"archives": 0.4, "sources": 0.35, "projects": 0.25}
# A case that hangs (in native code too) ends the process with every thread's traceback.
WATCHDOG_SECONDS = 120
_done = [0]  # cases run by this process, all kinds


def _run(project: Project, check: Callable[[Project, Path], str] = check_case) -> str:
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=sys.stderr)
    try:
        return check(project, WORK / "case")
    finally:
        faulthandler.cancel_dump_traceback_later()


def share(kind: str) -> int:
    """This kind's part of COUNT (the parts add up to COUNT)."""
    parts = {k: int(COUNT * part) for k, part in SHARES.items()}
    first = next(iter(SHARES))
    parts[first] += COUNT - sum(parts.values())
    return parts[kind]


@pytest.mark.skipif(bool(REPLAY), reason="replaying kept cases")
@pytest.mark.parametrize("kind", list(SHARES))
def test_generated(kind: str) -> None:
    count = share(kind)
    if not count:
        pytest.skip("no case of this kind in so few")

    # No "explain" phase: tracing every line of lambdalint while shrinking is slow.
    @settings(max_examples=count, derandomize=SEED is None, database=None, deadline=None,
              print_blob=False, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(KINDS[kind])
    def cases(project: Project) -> None:
        digest = _run(project)
        _done[0] += 1
        with open(WORK / "digests.txt", "a", encoding="utf-8") as log:
            log.write(f"{kind} {project.digest()} {digest}\n")
        if SAMPLE and _done[0] % SAMPLE == 0:
            with open(WORK / "sample.pickle", "ab") as kept:
                pickle.dump((project, digest), kept)

    if SEED is not None:
        cases = seed(int(SEED) * 100 + list(SHARES).index(kind))(cases)
    cases()


def _kept(path: Path) -> list[tuple[Project, str]]:
    found = []
    with open(path, "rb") as kept:
        while True:
            try:
                found.append(pickle.load(kept))
            except EOFError:
                return found


@pytest.mark.skipif(not REPLAY, reason="no kept cases to replay")
def test_replayed() -> None:
    kept = [item for path in REPLAY if path.exists() for item in _kept(path)]
    differ = []
    for project, digest in kept:
        if _run(project, outputs_digest) != digest:
            differ.append(project)
        with open(WORK / "digests.txt", "a", encoding="utf-8") as log:
            log.write(f"replay {project.digest()} {digest}\n")
    assert not differ, f"{len(differ)} of {len(kept)} cases gave other outputs in another " \
        f"process; the first: {differ[0]!r:.4000}"
