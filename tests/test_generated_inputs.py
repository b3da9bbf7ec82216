"""Generated hostile inputs: archives, sources and project descriptions built by Hypothesis
(``generated/strategies.py``), each checked in every output format (``generated/invariants.py``:
no exception escapes, valid JSON and SARIF, byte-identical output for the same input, every
finding's location in the input, bounded time).

The cases run in child processes under an address-space cap: a segfault, a runaway
allocation or a hang (the child's watchdog) fails this test with the child's output, the
falsifying example and the case left on disk, instead of taking the suite down. Two children
share the cases (two cores; each has its own fixed Hypothesis seed, so a run is reproducible);
then a sample of their cases is run again in two other processes with other hash seeds, and
must give byte-identical outputs.

``LAMBDALINT_GENERATED_CASES`` sets the number of cases (default 300):

    LAMBDALINT_GENERATED_CASES=10000 python3 -m pytest -p no:cacheprovider -m generated
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generated.invariants import check_case, run
from generated.strategies import REFERENCE_DAY, Project
from hostile.make_corpus import HANDLER

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "generated" / "cases.py"
TOTAL = int(os.environ.get("LAMBDALINT_GENERATED_CASES", "300"))
SHARDS = 2  # fixed, so that the same cases run on any machine
# Every SAMPLE-th case is run again in another process: 1 in 10, at least 30 in all.
SAMPLE = max(1, min(10, TOTAL // 30))
# Room for the interpreter, pytest, Hypothesis, jsonschema, libcst and lambdalint.
MEMORY_CAP = 1024 * 1024 * 1024
# Far above the 30-60 ms a case takes: a slow case fails in the child (10 s per case).
SECONDS_PER_CASE = 0.5


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _start(work: Path, **variables: str) -> subprocess.Popen[str]:
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDALINT_GENERATED")}
    env.update({"LAMBDALINT_GENERATED_WORK": str(work), **variables})
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", "--tb=short",
         "--no-header", str(CASES)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=_capped)


def _finish_all(children: list[tuple[subprocess.Popen[str], Path]], timeout: float) -> int:
    """Wait for the children (each for up to ``timeout``); the cases they ran. A failure
    ends the others."""
    try:
        return sum(len(_finish(child, work, timeout)) for child, work in children)
    finally:
        for child, _ in children:
            if child.poll() is None:
                child.kill()
                child.communicate()


def _finish(child: subprocess.Popen[str], work: Path, timeout: float) -> list[str]:
    """Wait for a child; its digest lines (one per case) if it passed."""
    try:
        output, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        output, _ = child.communicate()
        output += f"\n(killed after {timeout:.0f} s)"
    (work / "output.txt").write_text(output, "utf-8")
    current = work / "current-case.txt"
    where = current.read_text("utf-8") if current.exists() else "(no case started)\n"
    errors = [line for line in output.splitlines() if "Error:" in line][:3]
    report = "\n".join([*errors, "--- the last case run (left on disk):", where +
                         f"--- the end of the output (all of it in {work / 'output.txt'}):",
                         output[-8000:]])
    assert child.returncode >= 0, f"killed by signal {-child.returncode}\n{report}"
    assert child.returncode == 0, report
    digests = work / "digests.txt"
    return digests.read_text("utf-8").splitlines() if digests.exists() else []


@pytest.mark.generated
def test_generated_inputs(tmp_path: Path, capsys: Any) -> None:
    started = time.monotonic()
    counts = [TOTAL // SHARDS + (shard < TOTAL % SHARDS) for shard in range(SHARDS)]
    timeout = 120 + max(counts) * SECONDS_PER_CASE
    children = [(_start(tmp_path / f"shard{shard}", LAMBDALINT_GENERATED_CASES=str(count),
                        LAMBDALINT_GENERATED_SEED=str(shard),
                        LAMBDALINT_GENERATED_SAMPLE=str(SAMPLE),
                        PYTHONHASHSEED=str(shard + 1)), tmp_path / f"shard{shard}")
                for shard, count in enumerate(counts)]
    ran = _finish_all(children, timeout)
    assert ran == TOTAL
    generated = time.monotonic() - started

    # The same inputs in other processes, other folders, other hash seeds: the same bytes out.
    replays = [(_start(tmp_path / f"replay{shard}",
                       LAMBDALINT_GENERATED_REPLAY=str(work / "sample.pickle"),
                       PYTHONHASHSEED=str(SHARDS + shard + 1)), tmp_path / f"replay{shard}")
               for shard, (_, work) in enumerate(children)]
    replayed = _finish_all(replays, timeout)
    assert replayed == sum(count // SAMPLE for count in counts) > 0
    with capsys.disabled():
        print(f"\ngenerated inputs: {ran} cases in {generated:.0f} s ({SHARDS} processes), "
              f"{replayed} run again in other processes "
              f"({time.monotonic() - started:.0f} s in all)")


# ---- what the generated inputs found, each as its smallest input --------------------------
# Each case passes every invariant (check_case), and the finding is where the user would look.

_FUNCTION = (b"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n")
FOUND = {
    # LL107's related places named layer ARNs as if they were files (SARIF then listed the
    # ARN as an artifact under %SRCROOT%): an ARN's place is the template line attaching it.
    "LL107-related-location-is-the-template-line-of-an-arn": (Project(
        "project", ("check", "template.yaml", "--today", REFERENCE_DAY),
        (("src/app.py", HANDLER),
         ("template.yaml", _FUNCTION + b"      CodeUri: src\n      Handler: app.handler\n"
          b"      Runtime: python3.12\n      Layers:\n"
          b"        - arn:aws:lambda:us-east-1:123456789012:layer:mine:1\n"
          b"      Environment:\n        Variables:\n          PYTHONPATH: /var/task/src\n"))),
        "LL107", ("template.yaml", 12), [("template.yaml", 9)]),
    # The runtime comes from --runtime and the function's code does not exist (LL001 says
    # so): LL208 was located at the missing CodeUri; now at the function in the template.
    "LL208-located-at-the-function-when-its-code-uri-is-missing": (Project(
        "project", ("check", "template.yaml", "--runtime", "python3.9", "--today",
                    REFERENCE_DAY),
        (("template.yaml", _FUNCTION + b"      CodeUri: missing\n"
          b"      Handler: app.handler\n"),)),
        "LL208", ("template.yaml", 3), []),
    # A missing Dockerfile was located at itself (src/Dockerfile): now at the template line
    # naming it.
    "LL003-located-at-the-template-line-naming-a-missing-dockerfile": (Project(
        "project", ("check", "--today", REFERENCE_DAY),
        (("src/app.py", HANDLER),
         ("template.yaml", _FUNCTION + b"      PackageType: Image\n    Metadata:\n"
          b"      Dockerfile: Dockerfile\n      DockerContext: src\n"))),
        "LL003", ("template.yaml", 7), []),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_what_generated_inputs_found(name: str, tmp_path: Path) -> None:
    project, rule, place, related = FOUND[name]
    check_case(project, tmp_path / "case")
    report = json.loads(run([*project.argv, "--format", "json"], tmp_path / "case").stdout)
    [finding] = [f for f in report["findings"] if f["rule"] == rule]
    assert (finding["path"], finding["line"]) == place, finding
    assert [(r["path"], r["line"]) for r in finding["related"]] == related, finding


@pytest.mark.skipif(sys.version_info < (3, 11), reason="before 3.11 Python's parser only "
                    "emits DeprecationWarnings, which are not shown")
def test_syntax_warnings_about_the_checked_code_stay_off_stderr(tmp_path: Path) -> None:
    # Found by the generated sources: `1if` gave "SyntaxWarning: invalid decimal literal" on
    # lambdalint's stderr (and on 3.12+ every non-raw regex like "\d" would).
    (tmp_path / "lambdalint.toml").write_text("")
    (tmp_path / "app.py").write_text('PATTERN = "\\d+"\nX = 1if PATTERN else 2\n\n\n'
                                     "def handler(event, context):\n    return {}\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    result = subprocess.run([sys.executable, "-m", "lambdalint", "check", "app.py", "--runtime",
                             "python3.12", "--handler", "app.handler", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout
    assert result.stderr == ""
