"""SARIF that GitHub code scanning tracks: fingerprints that survive line moves on every
result, a category per run, security severities, and GitHub's result limit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from jsonschema.validators import validator_for

from lambdalint.finding import Finding, InputReport, Report, ReportedFinding, Severity
from lambdalint.registry import rule_index
from lambdalint.reporters import sarif_report

from zipspec import Entry, write_zip

DATA = Path(__file__).parent / "data"
HANDLER = ("import datetime\n\n\ndef handler(event, context):\n"
           "    return {'at': datetime.datetime.now()}\n")


def sarif(folder: Path, *argv: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "lambdalint", "check", *argv, "--runtime", "python3.12",
         "--format", "sarif"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def valid(document: dict[str, Any]) -> list[str]:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_fingerprints_survive_lines_added_above(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    before = sarif(tmp_path, "app.py", "--handler", "app.handler")["runs"][0]["results"]
    (tmp_path / "app.py").write_text("# a comment\nimport os\nimport sys\n" + HANDLER)
    after = sarif(tmp_path, "app.py", "--handler", "app.handler")["runs"][0]["results"]

    def key(results: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["primaryLocationLineHash"]) for r in results]

    [(rule, line, hash_before)] = key(before)
    assert (rule, line) == ("LL405", 5)
    assert key(after) == [("LL405", 8, hash_before)]  # moved three lines, same fingerprint


def test_a_changed_line_gets_a_new_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    before = sarif(tmp_path, "app.py", "--handler", "app.handler")["runs"][0]["results"]
    (tmp_path / "app.py").write_text(HANDLER.replace("'at'", "'when'"))
    after = sarif(tmp_path, "app.py", "--handler", "app.handler")["runs"][0]["results"]
    assert before[0]["partialFingerprints"] != after[0]["partialFingerprints"]


def test_every_result_has_a_fingerprint_and_the_log_is_valid(tmp_path: Path) -> None:
    write_zip(tmp_path / "layer.zip", [
        Entry("mypkg/__init__.py", {"text": "x = 1\n"}),
        Entry("mypkg/.env", {"text": "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY\n"})])
    (tmp_path / "app.py").write_text(HANDLER)
    document = sarif(tmp_path, "app.py", "--layer", "layer.zip", "--handler", "app.handler")
    results = document["runs"][0]["results"]
    assert {"LL101", "LL405"} <= {r["ruleId"] for r in results}
    assert all(r["partialFingerprints"]["primaryLocationLineHash"] for r in results)
    assert valid(document) == []
    assert "automationDetails" not in document["runs"][0]


def test_the_category_is_set_per_run(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    document = sarif(tmp_path, "app.py", "--handler", "app.handler",
                     "--sarif-category", "functions/thumbnailer")
    assert document["runs"][0]["automationDetails"] == {"id": "functions/thumbnailer/"}
    assert valid(document) == []


def test_security_rules_carry_a_security_severity(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    rules = {r["id"]: r for r in sarif(tmp_path, "app.py")["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["LL604"]["properties"]["security-severity"] == "8.0"
    assert rules["LL105"]["properties"]["security-severity"] == "7.5"
    assert "external/cwe/cwe-22" in rules["LL105"]["properties"]["tags"]
    assert "security-severity" not in rules["LL405"]["properties"]


def test_results_beyond_githubs_limit_are_left_out_with_a_note() -> None:
    def reported(number: int, severity: Severity) -> ReportedFinding:
        finding = Finding(rule="LL101", message=f"finding {number}", path="fn.zip",
                          member=f"m{number}.py")
        return ReportedFinding(finding=finding, name="layer-missing-python-prefix",
                               severity=severity, fingerprint=f"{number:016x}:1")

    findings = [reported(n, Severity.INFO) for n in range(5_000)]
    findings += [reported(n, Severity.ERROR) for n in range(5_000, 5_003)]
    report = Report(findings=findings, targets=[], files=1,
                    inputs=[InputReport(path="fn.zip", role="function", format="zip",
                                        classified_by="flag", entries=1, unzipped_bytes=1)])
    document = json.loads(sarif_report.render(report, rule_index(), version="0.0.0"))
    run = document["runs"][0]
    assert len(run["results"]) == 5_000
    assert sum(r["level"] == "error" for r in run["results"]) == 3  # the most severe stay
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(note.startswith("3 results left out: GitHub code scanning keeps at most 5,000")
               for note in notes)
