"""--report-unused-ignores: suppression comments that suppressed nothing become LL004."""

from __future__ import annotations

import textwrap
from pathlib import Path

from zipspec import run_cli

SOURCE = textwrap.dedent("""
    import boto3
    import os  # noqa

    s3 = boto3.client("s3")  # lambdalint: ignore[LL505]


    def handler(event, context):
        lam = boto3.client("lambda")  # lambdalint: ignore[LL505, LL501]
        sqs = boto3.client("sqs")  # noqa: LL505, E501
        x = 1  # lambdalint: ignore
        y = 2  # noqa: LL405
        return {}
    """).lstrip()


def findings(tmp_path: Path, *extra: str) -> list[tuple[str, int, str]]:
    (tmp_path / "app.py").write_text(SOURCE)
    run = run_cli(["check", "app.py", "--runtime", "python3.12", "--handler", "app.handler",
                   "--format", "json", *extra], tmp_path)
    assert "Traceback" not in run.stderr
    return [(f["rule"], f["line"], f["message"]) for f in run.json["findings"]]


def test_unused_comments_are_reported_with_the_ids_they_do_not_use(tmp_path: Path) -> None:
    reported = [(rule, line, message.split(":")[0]) for rule, line, message
                in findings(tmp_path, "--report-unused-ignores")]
    assert reported == [
        ("LL004", 4, "unused suppression (LL505)"),  # module level: nothing to suppress
        ("LL004", 8, "unused suppression (LL501)"),  # LL505 used, LL501 not
        ("LL004", 10, "unused suppression (every rule)"),
        ("LL004", 11, "unused suppression (LL405)"),
    ]  # the bare noqa (line 2) and the used noqa of LL505 (line 9) are fine


def test_nothing_without_the_flag(tmp_path: Path) -> None:
    assert findings(tmp_path) == []


def test_ids_of_rules_that_did_not_run_are_not_judged(tmp_path: Path) -> None:
    reported = {line for rule, line, _ in findings(tmp_path, "--report-unused-ignores",
                                                    "--select", "LL505")}
    assert reported == {4, 10}  # LL501 and LL405 did not run: their ids are not judged
