"""The README's workflow snippets work as pasted: the GitHub Action workflow uses the
action's real inputs and outputs, and the pre-commit snippet names real hooks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def block(heading: str) -> dict[str, Any]:
    """The first YAML block under a README heading."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found, f"no yaml block under {heading}"
    document: dict[str, Any] = yaml.safe_load(found.group(1))
    return document


def test_the_workflow_uses_the_actions_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    workflow = block("GitHub Action")
    steps = workflow["jobs"]["lambdalint"]["steps"]
    [ours] = [s for s in steps if str(s.get("uses", "")).startswith("OWNER/lambdalint@")]
    assert set(ours["with"]) <= set(action["inputs"])
    assert workflow["permissions"]["security-events"] == "write"
    [upload] = [s for s in steps if "upload-sarif" in str(s.get("uses", ""))]
    used = set(re.findall(r"steps\.lambdalint\.outputs\.([\w-]+)", str(upload)))
    assert used and used <= set(action["outputs"])
    assert "cancelled()" in upload["if"]  # uploads after a failing gate too


def test_the_pre_commit_snippet_names_the_hooks() -> None:
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = block("pre-commit")
    named = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert named and named <= hooks


def test_the_configuration_snippet_is_a_valid_config(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```toml\n(.*?)```", section, re.S)
    assert found
    (tmp_path / "pyproject.toml").write_text(found.group(1))
    result = subprocess.run([sys.executable, "-m", "lambdalint", "check", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    # every key is understood: no config error; the zips it names do not exist here
    assert [f for f in report["findings"] if f["rule"] == "LL003"] == []
    assert {f["path"] for f in report["findings"] if f["rule"] == "LL001"} == \
        {"dist/thumbnailer.zip", "dist/pillow-layer.zip", "dist/common-layer.zip"}
    assert [t["name"] for t in report["targets"]] == ["thumbnailer"]


def test_the_quick_start_commands_run(tmp_path: Path) -> None:
    import json
    import shlex
    import shutil
    import subprocess
    import sys
    import zipfile

    table = README.split("## Quick start, for each way in", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"\| `(lambdalint check[^`]*)`", table)
    assert len(commands) == 3

    def run(command: str, folder: Path) -> dict[str, Any]:
        argv = shlex.split(command)[1:]
        paths = [str(p.relative_to(folder)) for arg in argv if "*" in arg
                 for p in sorted(folder.glob(arg))]
        argv = [a for a in argv if "*" not in a] + paths
        result = subprocess.run([sys.executable, "-m", "lambdalint", *argv, "--format", "json"],
                                cwd=folder, capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1), result.stderr
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    zips = tmp_path / "zips"
    (zips / "dist").mkdir(parents=True)
    with zipfile.ZipFile(zips / "dist" / "fn.zip", "w") as archive:
        entry = zipfile.ZipInfo("app.py")
        entry.external_attr = 0o100644 << 16  # readable by the runtime's user
        archive.writestr(entry, "def handler(event, context):\n    return {1}\n")
    assert [f["rule"] for f in run(commands[0], zips)["findings"]] == ["LL405"]

    sam = tmp_path / "sam"
    shutil.copytree(ROOT / "tests" / "projects" / "sam", sam)
    assert run(commands[1], sam)["targets"]  # the template's functions

    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (configured / "pyproject.toml").write_text(
        '[[tool.lambdalint.function]]\nname = "api"\ncode = "."\nhandler = "app.handler"\n'
        'runtime = "python3.12"\n')
    assert [t["name"] for t in run(commands[2], configured)["targets"]] == ["api"]
