"""The README's demo: the bundled broken deployment, its fixed twin, and how they are built."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
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
        "LL101": ("examples/broken/layer-requests.zip", "layer-missing-python-prefix", "error"),
        "LL103": ("examples/broken/function.zip", "function-code-nested", "error"),
        "LL104": ("examples/broken/function.zip", "unreadable-entry", "error"),
        "LL401": ("examples/broken/function.zip", "handler-module-not-found", "error"),
        "LL106": ("examples/broken/function.zip", "foreign-bytecode", "info"),
        "LL208": ("examples/broken/function.zip", "deprecated-runtime", "warning"),
    }
    assert sorted(by_rule) == sorted(expected)
    for rule, (path, name, severity) in expected.items():
        assert [(f["path"], f["name"], f["severity"]) for f in by_rule[rule]] == \
            [(path, name, severity)]
    assert by_rule["LL104"][0]["member"] == "my_function/config.json"
    assert "my_function/" in by_rule["LL103"][0]["message"]
    # Every problem of the broken twin has a fix; the deprecated runtime's is unsafe.
    assert {rule: f[0]["fix_applicability"] for rule, f in by_rule.items()} == {
        "LL101": "safe", "LL103": "safe", "LL104": "safe", "LL106": "safe",
        "LL208": "unsafe", "LL401": None}
    assert [(t["function"], len(t["layers"]), t["handler"]) for t in report["targets"]] == [
        ("examples/broken/function.zip", 5, "app.handler"),
        ("examples/fixed/function.zip", 5, "app.handler"),
    ]


def test_the_readmes_fixes_make_the_broken_twin_clean(tmp_path: Path) -> None:
    # The README's Fixes section, on a copy: --diff shows, --fix --unsafe-fixes repairs.
    demo = tmp_path / "lambdalint-demo"
    shutil.copytree(EXAMPLES, demo)
    config = ["--config", str(demo / "lambdalint.toml"), "--today", "2026-11-21"]
    before = {p.name: p.read_bytes() for p in (demo / "broken").iterdir()}

    diff = run_cli(["check", *config, "--diff", "--unsafe-fixes"], tmp_path)
    assert diff.exit_code == 1, diff.stderr
    assert "--- lambdalint-demo/broken/function.zip\n" in diff.stdout
    assert "  moved my_function/app.py → app.py\n" in diff.stdout
    assert "  mode config.json 0600 → 0644\n" in diff.stdout
    assert "-runtime = \"python3.9\"\n+runtime = \"python3.14\"\n" in diff.stdout
    assert {p.name: p.read_bytes() for p in (demo / "broken").iterdir()} == before

    fixed = run_cli(["check", *config, "--fix", "--unsafe-fixes", "--format", "json"],
                    tmp_path)
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert [f for f in fixed.json["findings"] if f["severity"] != "info"] == []
    assert "lambdalint: 6 findings fixed in 3 files" in fixed.stderr
    # The fixes make what the fixed twin holds, code included.
    with zipfile.ZipFile(demo / "broken" / "function.zip") as repaired, \
            zipfile.ZipFile(EXAMPLES / "fixed" / "function.zip") as twin:
        assert sorted(repaired.namelist()) == sorted(twin.namelist())
        for name in twin.namelist():
            assert repaired.read(name) == twin.read(name), name
            assert repaired.getinfo(name).external_attr >> 16 == \
                twin.getinfo(name).external_attr >> 16
    with zipfile.ZipFile(demo / "broken" / "layer-requests.zip") as repaired, \
            zipfile.ZipFile(EXAMPLES / "fixed" / "layer-requests.zip") as twin:
        files = sorted(n for n in twin.namelist() if not n.endswith("/"))
        assert sorted(n for n in repaired.namelist() if not n.endswith("/")) == files
    assert 'runtime = "python3.14"' in (demo / "lambdalint.toml").read_text("utf-8")

    again = run_cli(["check", *config, "--diff", "--unsafe-fixes"], tmp_path)
    assert (again.exit_code, again.stdout) == (0, "")


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
    assert len([name for name in built if name.startswith("broken/layer")]) == 5
    for name in built:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"examples/{name} is stale: run `python3 examples/build.py`")
