"""Function code given as a source folder or a single Python file."""

from __future__ import annotations

import os
from pathlib import Path

from zipspec import run_cli


def findings(folder: Path, *argv: str) -> list[dict]:  # type: ignore[type-arg]
    run = run_cli(["check", *argv, "--format", "json"], folder)
    assert "Traceback" not in run.stderr
    return run.json["findings"]


def test_single_file_with_an_access_key(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('import boto3\n\nKEY = "AKIAZ7QWERTYUIOPASDF"\n')
    (finding,) = findings(tmp_path, "app.py")
    assert finding["rule"] == "LL604" and finding["path"] == "app.py"
    assert finding["line"] == 3
    assert "AKIAZ7QWERTYUIOPASDF" not in finding["message"]  # never print the secret


def test_documentation_example_key_is_not_a_secret(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'KEY = "AKIAIOSFODNN7EXAMPLE"\n'
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n')
    assert findings(tmp_path, "app.py") == []


def test_source_folder_is_function_code(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "__pycache__").mkdir(parents=True)
    (src / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (src / "__pycache__" / "app.cpython-39.pyc").write_bytes(b"\x61\x0d\x0d\x0a" + bytes(12))
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text("aws_secret_access_key = " + "A" * 40 + "\n")
    os.symlink("/etc/passwd", src / "passwd")
    run = run_cli(["check", "src", "--runtime", "python3.12", "--format", "json"], tmp_path)
    report = run.json
    assert report["targets"][0]["function"] == "src"
    # .git is never part of a deployment; local bytecode caches are not judged
    assert [(f["rule"], f["path"], f["member"]) for f in report["findings"]] == \
        [("LL105", "src/passwd", None)]


def test_no_path_checks_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text("def handler(e, c):\n    return {}\n")
    run = run_cli(["check", "--format", "json"], tmp_path)
    assert run.exit_code == 0
    assert run.json["targets"][0]["function"] == "."
