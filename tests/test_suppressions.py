"""In-code suppressions: `# lambdalint: ignore[...]`, `# noqa: ...`, unknown ids (LL003)."""

from __future__ import annotations

from pathlib import Path

from zipspec import run_cli

KEY = '"AKIAZ7QWERTYUIOPASDF"'


def check(tmp_path: Path, source: str, *argv: str) -> tuple[int, list[tuple[str, int]]]:
    (tmp_path / "app.py").write_text(source)
    run = run_cli(["check", "app.py", "--format", "json", *argv], tmp_path)
    assert "Traceback" not in run.stderr
    return run.exit_code, [(f["rule"], f["line"]) for f in run.json["findings"]]


def test_unsuppressed(tmp_path: Path) -> None:
    assert check(tmp_path, f"KEY = {KEY}\n") == (1, [("LL604", 1)])


def test_suppression_comments(tmp_path: Path) -> None:
    for comment in ("# lambdalint: ignore[LL604]", "# lambdalint: ignore", "# noqa: LL604",
                    "# noqa", "# noqa: E501, LL604", "#lambdalint:ignore[ll604, LL301]"):
        assert check(tmp_path, f"KEY = {KEY}  {comment}\n") == (0, []), comment


def test_suppression_for_another_rule_or_line_does_not_apply(tmp_path: Path) -> None:
    assert check(tmp_path, f"KEY = {KEY}  # lambdalint: ignore[LL301]\n") == \
        (1, [("LL604", 1)])
    assert check(tmp_path, f"# lambdalint: ignore\nKEY = {KEY}\n") == (1, [("LL604", 2)])
    # other tools' codes only: not a lambdalint suppression
    assert check(tmp_path, f"KEY = {KEY}  # noqa: E501\n") == (1, [("LL604", 1)])


def test_unknown_id_in_a_suppression_is_a_config_error(tmp_path: Path) -> None:
    code, found = check(tmp_path, f"KEY = {KEY}  # lambdalint: ignore[LL604, LL999]\n")
    assert (code, found) == (2, [("LL003", 1)])


def test_suppressing_an_import_finding(tmp_path: Path) -> None:
    source = "import requests  # lambdalint: ignore[LL301]\nimport yaml\n\n" \
             "def handler(e, c):\n    return {}\n"
    code, found = check(tmp_path, source, "--runtime", "python3.12", "--handler", "app.handler")
    assert (code, found) == (1, [("LL301", 2)])
