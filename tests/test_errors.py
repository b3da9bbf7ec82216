"""Errors reach the user: one line per problem on stderr, exit code 2, whatever the format
and wherever the report goes; the report still carries the LL001/LL003 finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FORMATS = ("text", "json", "sarif", "github")


def lambdalint(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lambdalint", *argv], cwd=folder,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("form", FORMATS)
def test_a_missing_input_is_one_line_on_stderr(tmp_path: Path, form: str) -> None:
    result = lambdalint(tmp_path, "check", "nosuch.zip", "--format", form)

    assert result.returncode == 2
    assert result.stderr == "lambdalint: error: nosuch.zip: no such file or folder\n"
    assert "LL001" in result.stdout


def test_the_error_shows_when_the_report_goes_to_a_file(tmp_path: Path) -> None:
    result = lambdalint(tmp_path, "check", "nosuch.zip", "--format", "json",
                        "--output", "report.json")

    assert result.returncode == 2
    assert result.stderr == "lambdalint: error: nosuch.zip: no such file or folder\n"
    report = json.loads((tmp_path / "report.json").read_text())
    assert [f["rule"] for f in report["findings"]] == ["LL001"]
    # nothing could be read, so there is no list of rules it would have skipped
    assert [t["skipped"] for t in report["targets"]] == [[]]
    assert "skipped" not in result.stdout


def test_an_unknown_rule_selector(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    result = lambdalint(tmp_path, "check", "app.py", "--select", "LL999", "--format", "json")

    assert result.returncode == 2
    assert result.stderr == ("lambdalint: error: --select: unknown rule id or prefix "
                             "'LL999' (`lambdalint rules` lists them)\n")
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["LL003"]


def test_each_config_problem_is_a_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lambdalint]\nruntime = 3\nfoo = 1\n")
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    result = lambdalint(tmp_path, "check", "app.py", "--format", "sarif")

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("lambdalint: error: pyproject.toml: tool.lambdalint.")
               for line in lines)
    assert any(line.endswith("tool.lambdalint.runtime: expected a string, got int")
               for line in lines)
    assert any("tool.lambdalint.foo: unknown key" in line for line in lines)


def test_a_readable_and_an_unreadable_input(tmp_path: Path) -> None:
    # other inputs are still checked
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {1}\n")
    result = lambdalint(tmp_path, "check", "app.py", "nosuch.zip", "--runtime", "python3.12",
                        "--handler", "app.handler", "--format", "json")

    assert result.returncode == 2
    assert result.stderr == "lambdalint: error: nosuch.zip: no such file or folder\n"
    rules = sorted(f["rule"] for f in json.loads(result.stdout)["findings"])
    assert rules == ["LL001", "LL405"]


def test_a_usage_error_is_one_line(tmp_path: Path) -> None:
    result = lambdalint(tmp_path, "check", "--no-such-flag")

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("lambdalint: error: ")


def test_a_report_path_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    result = lambdalint(tmp_path, "check", "app.py", "--format", "json",
                        "--output", "no/such/folder/report.json")

    assert result.returncode == 2
    assert result.stderr == ("lambdalint: error: cannot write no/such/folder/report.json: "
                             "No such file or directory\n")
