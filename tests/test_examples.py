"""The README's demo: the bundled broken deployment, its fixed twin, and how they are built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from zipspec import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
COMMON = ["--format", "json", "--today", "2026-11-21"]
FIXED_LAYERS = ["layer-requests.zip", "layer-urllib3.zip", "layer-idna-certifi.zip",
                "layer-charset-normalizer.zip", "layer-common.zip"]


def _by_rule(findings: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for finding in findings:
        grouped.setdefault(finding["rule"], []).append(finding)
    return grouped


def test_readme_command_reports_the_broken_twin_and_exits_1() -> None:
    run = run_cli(["check", "--config", "examples/lambdalint.toml", *COMMON], ROOT)

    assert run.exit_code == 1, run.stderr
    report = run.json
    by_rule = _by_rule(report["findings"])
    expected = {
        "LL101": ("examples/broken/layer-requests.zip", "layer-missing-python-prefix"),
        "LL103": ("examples/broken/function.zip", "function-code-nested"),
        "LL104": ("examples/broken/function.zip", "unreadable-entry"),
        "LL603": ("examples/broken/function.zip", "too-many-layers"),
    }
    for rule, (path, name) in expected.items():
        assert rule in by_rule, f"{rule} missing; got {sorted(by_rule)}"
        assert [(f["path"], f["name"], f["severity"]) for f in by_rule[rule]] == \
            [(path, name, "error")]
    assert by_rule["LL104"][0]["member"] == "my_function/config.json"
    assert "my_function/" in by_rule["LL103"][0]["message"]
    # Nothing at warning or above comes from the fixed twin.
    assert [f for f in report["findings"] if f["path"].startswith("examples/fixed/")
            and f["severity"] != "info"] == []
    assert [(t["function"], len(t["layers"]), t["handler"]) for t in report["targets"]] == [
        ("examples/broken/function.zip", 6, "app.handler"),
        ("examples/fixed/function.zip", 5, "app.handler"),
    ]


def test_fixed_twin_alone_passes() -> None:
    argv = ["check", "--runtime", "python3.12", "--architecture", "x86_64",
            "--handler", "app.handler", "--function", "function.zip"]
    for layer in FIXED_LAYERS:
        argv += ["--layer", layer]
    run = run_cli([*argv, *COMMON], EXAMPLES / "fixed")

    assert run.exit_code == 0, run.stdout + run.stderr
    report = run.json
    assert [f for f in report["findings"] if f["severity"] != "info"] == []
    assert report["summary"]["error"] == report["summary"]["warning"] == 0
    assert report["targets"][0]["layers"] == FIXED_LAYERS


def test_fixed_twin_passes_with_zip_classification_by_name() -> None:
    # The README's second command: plain `*.zip`, roles decided by lambdalint.
    zips = sorted(p.name for p in (EXAMPLES / "fixed").glob("*.zip"))
    run = run_cli(["check", "--runtime", "python3.12", "--architecture", "x86_64",
                   "--handler", "app.handler", *zips, *COMMON], EXAMPLES / "fixed")

    assert run.exit_code == 0, run.stdout + run.stderr
    assert [(t["function"], len(t["layers"])) for t in run.json["targets"]] == \
        [("function.zip", 5)]


def test_build_script_reproduces_the_committed_zips(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "build.py"), str(tmp_path)], check=True,
                   capture_output=True)

    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.zip"))
    committed = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.zip"))
    assert built == committed
    assert len([name for name in built if name.startswith("broken/layer")]) == 6
    for name in built:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"examples/{name} is stale: run `python3 examples/build.py`")
