"""Machine-readable reports (SARIF, GitHub annotations, JSON) as users and CI systems see them.

Most tests run the real CLI on real zips. Rules are added all the time, so tests pick out the
findings they provoke (LL101, LL001) instead of counting all of them, and the documented bad
example of every rule, whatever rules exist, must give reports that validate.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from jsonschema.validators import validator_for

from lambdalint.finding import (
    Finding,
    Fix,
    InputReport,
    Related,
    Report,
    ReportedFinding,
    RuleInfo,
    Severity,
)
from lambdalint.registry import all_rules, rule_index
from lambdalint.reporters import github_report, sarif_report

from zipspec import Entry, Run, build, parse, run_cli, write_zip

DATA = Path(__file__).parent / "data"
BAD_EXAMPLES = [
    pytest.param(body, id=f"{rule_id}-{n}")
    for rule_id, cls in all_rules().items()
    for n, (info, body) in enumerate(cls.examples("Example"))
    if info == "deployment"
]
LAYER = "dist/my layer.zip"
# Two misplaced roots (the zip root and a virtualenv's site-packages/): two LL101 findings.
# The first member named has a space and a colon, which GitHub's URI parser rejects raw.
LAYER_ENTRIES = [Entry("my lib:x/mod.py"), Entry("requests/__init__.py"),
                 Entry("site-packages/six.py")]


def _layer(folder: Path, name: str = LAYER, entries: list[Entry] | None = None) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_zip(path, LAYER_ENTRIES if entries is None else entries)
    return name


def _check(folder: Path, *args: str) -> Run:
    return run_cli(["check", "--runtime", "python3.12", *args], folder)


def _sarif(folder: Path, *args: str) -> dict[str, Any]:
    run = _check(folder, *args, "--format", "sarif")
    document: dict[str, Any] = json.loads(run.stdout)
    # stderr carries one line per input that could not be read, and nothing else
    unreadable = [r for r in document["runs"][0]["results"] if r["ruleId"] == "LL001"]
    assert len(run.stderr.splitlines()) == len(unreadable)
    assert all(line.startswith("lambdalint: error: ") for line in run.stderr.splitlines())
    return document


def _results(document: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [r for r in document["runs"][0]["results"] if r["ruleId"] == rule]


def _uri(result: dict[str, Any]) -> str:
    uri: str = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    return uri


def _all_uris(document: dict[str, Any]) -> list[str]:
    run = document["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    for result in run["results"]:
        for location in result["locations"] + result.get("relatedLocations", []):
            uris.append(location["physicalLocation"]["artifactLocation"]["uri"])
    return uris


# ---- SARIF -------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    document = _sarif(tmp_path, "--layer", _layer(tmp_path), "broken.zip")
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator_class = validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator  # the schema declares draft-04
    validator_class.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in validator_class(schema).iter_errors(document)]
    assert errors == []
    assert _results(document, "LL101") and _results(document, "LL001")


def test_sarif_header_is_what_github_requires(tmp_path: Path) -> None:
    document = _sarif(tmp_path, "--layer", _layer(tmp_path))
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    [run] = document["runs"]
    assert run["tool"]["driver"]["name"] == "lambdalint"
    assert run["tool"]["driver"]["semanticVersion"]
    assert run["columnKind"] == "unicodeCodePoints"
    # The category is the upload action's business; a fixed one would collide in monorepos.
    assert "automationDetails" not in run
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]


def test_sarif_lists_every_rule_with_its_documentation(tmp_path: Path) -> None:
    rules = _sarif(tmp_path, "--layer", _layer(tmp_path))["runs"][0]["tool"]["driver"]["rules"]
    index = rule_index()
    assert [r["id"] for r in rules] == sorted(index)
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for descriptor in rules:
        info = index[descriptor["id"]]
        assert descriptor["name"] == info.name
        for key in ("shortDescription", "fullDescription"):
            assert 0 < len(descriptor[key]["text"].strip()) <= 1024, (info.id, key)
        assert descriptor["help"]["text"].strip()
        assert descriptor["help"]["markdown"].strip()
        assert descriptor["defaultConfiguration"]["level"] == levels[info.severity]
        properties = descriptor["properties"]
        assert "aws-lambda" in properties["tags"]
        assert len(properties["tags"]) <= 10
        assert properties["problem.severity"] in ("error", "warning", "recommendation")
        assert properties["precision"] == "high"
        assert "helpUri" not in descriptor


def test_sarif_rule_index_points_at_the_rule(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    document = _sarif(tmp_path, "--layer", _layer(tmp_path), "broken.zip")
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    results = document["runs"][0]["results"]
    assert {"LL001", "LL101"} <= {r["ruleId"] for r in results}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error" or result["ruleId"] not in ("LL001", "LL101")


def test_sarif_archive_finding_points_at_the_zip_and_names_the_member(tmp_path: Path) -> None:
    document = _sarif(tmp_path, "--layer", _layer(tmp_path))
    run = document["runs"][0]
    [result] = [r for r in _results(document, "LL101")
                if r["properties"]["archiveMember"] == "my lib:x/mod.py"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dist/my%20layer.zip"
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert location["region"] == {"startLine": 1}
    assert "my lib:x/mod.py" in result["message"]["text"]
    zip_artifact = run["artifacts"][location["artifactLocation"]["index"]]
    assert zip_artifact["location"]["uri"] == "dist/my%20layer.zip"
    assert zip_artifact["mimeType"] == "application/zip"
    assert zip_artifact["roles"] == ["analysisTarget"]
    member = run["artifacts"][result["properties"]["archiveMemberArtifactIndex"]]
    assert member["location"]["uri"] == "/my%20lib%3Ax/mod.py"
    assert "uriBaseId" not in member["location"]
    assert member["parentIndex"] == location["artifactLocation"]["index"]


def test_sarif_uris_are_relative_and_percent_encoded(tmp_path: Path) -> None:
    document = _sarif(tmp_path, "--layer", _layer(tmp_path))
    uris = _all_uris(document)
    assert "dist/my%20layer.zip" in uris
    for uri in uris:
        assert " " not in uri and ":" not in uri, uri
        assert "://" not in uri and not uri.startswith("file")
    for result in document["runs"][0]["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert not artifact["uri"].startswith("/")
        assert (tmp_path / unquote(artifact["uri"])).exists()
    assert str(tmp_path) not in json.dumps(document)


def test_sarif_absolute_input_under_the_current_folder_is_made_relative(tmp_path: Path) -> None:
    layer = tmp_path / _layer(tmp_path)
    run = _check(tmp_path, "--layer", str(layer), "--format", "sarif")
    document = json.loads(run.stdout)
    assert "dist/my%20layer.zip" in [_uri(r) for r in _results(document, "LL101")]
    assert str(tmp_path) not in run.stdout


def test_sarif_fingerprints_tell_two_findings_in_one_zip_apart(tmp_path: Path) -> None:
    document = _sarif(tmp_path, "--layer", _layer(tmp_path))
    in_zip = [r for r in _results(document, "LL101") if _uri(r) == "dist/my%20layer.zip"]
    assert len(in_zip) == 2
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in in_zip]
    assert len(set(hashes)) == 2
    baseline = {f["fingerprint"] for f in _check(
        tmp_path, "--layer", LAYER, "--format", "json").json["findings"]}
    assert set(hashes) <= baseline


def test_sarif_fingerprints_are_stable_across_runs_and_folders(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    hashes = []
    for folder in (first, second):
        document = _sarif(folder, "--layer", _layer(folder))
        hashes.append(sorted(r["partialFingerprints"]["primaryLocationLineHash"]
                             for r in _results(document, "LL101")))
    assert hashes[0] == hashes[1]


def test_sarif_unreadable_input_has_a_location_and_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    document = _sarif(tmp_path, "broken.zip")
    [result] = [r for r in _results(document, "LL001") if _uri(r) == "broken.zip"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert result["partialFingerprints"]["primaryLocationLineHash"]
    assert "broken.zip" in result["message"]["text"]


def test_sarif_regions_start_at_line_one_or_later(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    document = _sarif(tmp_path, "--layer", _layer(tmp_path), "broken.zip")
    results = document["runs"][0]["results"]
    assert results
    for result in results:
        assert result["locations"], result
        for location in result["locations"] + result.get("relatedLocations", []):
            region = location["physicalLocation"]["region"]
            assert region["startLine"] >= 1
            assert all(value >= 1 for value in region.values())


def test_sarif_output_is_byte_identical_on_two_runs(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    layer = _layer(tmp_path)
    runs = [_check(tmp_path, "--layer", layer, "broken.zip", "--format", "sarif")
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout.endswith("\n")


# Rules other than LL101 produce no line findings yet; these use the reporter directly.


def _finding(**kwargs: Any) -> ReportedFinding:
    finding = Finding(rule="LL101", message="something is wrong", **kwargs)
    return ReportedFinding(finding=finding, name="layer-missing-python-prefix",
                           severity=Severity.WARNING, fingerprint="0123456789abcdef:1")


def _report(findings: list[ReportedFinding], inputs: list[InputReport]) -> Report:
    return Report(findings=findings, targets=[], inputs=inputs, files=len(inputs))


def _input(path: str, fmt: str) -> InputReport:
    return InputReport(path=path, role="function", format=fmt, classified_by="flag",
                       entries=1, unzipped_bytes=1)


def _render_sarif(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sarif_report.render(report, rule_index(),
                                                              version="0.0.0"))
    return document


def test_sarif_line_finding_in_a_source_folder_points_at_the_file() -> None:
    report = _report([_finding(path="src", member="app/handler.py", line=12, column=5,
                               end_line=12, end_column=9,
                               related=(Related(path="fn.zip", member="app.py", line=3,
                                                message="the copy in the zip"),))],
                     [_input("src", "folder"), _input("fn.zip", "zip")])
    [result] = _render_sarif(report)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/app/handler.py"
    assert location["region"] == {"startLine": 12, "startColumn": 5, "endLine": 12,
                                  "endColumn": 9}
    assert "archiveMember" not in result.get("properties", {})
    # Every result carries lambdalint's own line-content fingerprint (the baseline's), so
    # GitHub tracks it across line moves wherever the SARIF is uploaded from.
    assert result["partialFingerprints"] == {
        "primaryLocationLineHash": result["fingerprints"]["lambdalint/v1"]}
    assert result["fingerprints"] == {"lambdalint/v1": "0123456789abcdef:1"}
    [related] = result["relatedLocations"]
    assert related["id"] == 1
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "fn.zip"
    assert related["physicalLocation"]["region"] == {"startLine": 1}
    assert "app.py" in related["message"]["text"]


def test_sarif_line_inside_a_zip_member_stays_out_of_the_zip_region() -> None:
    report = _report([_finding(path="fn.zip", member="app.py", line=7, column=2)],
                     [_input("fn.zip", "zip")])
    [result] = _render_sarif(report)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert result["properties"]["memberStartLine"] == 7
    assert result["properties"]["archiveMember"] == "app.py"
    assert result["partialFingerprints"]["primaryLocationLineHash"] == "0123456789abcdef:1"


def test_sarif_long_descriptions_are_cut_to_github_limits() -> None:
    info = RuleInfo(id="LL999", name="long", severity=Severity.INFO, summary="s " * 700,
                    description="word " * 500, help_markdown="help",
                    tags=tuple(f"t{i}" for i in range(15)))
    descriptor = sarif_report.rule_descriptor(info)
    assert len(descriptor["shortDescription"]["text"]) <= 1024
    assert len(descriptor["fullDescription"]["text"]) <= 1024
    assert descriptor["fullDescription"]["text"].endswith("…")
    assert descriptor["properties"]["tags"][0] == "aws-lambda"
    assert len(descriptor["properties"]["tags"]) == 10
    assert descriptor["defaultConfiguration"]["level"] == "note"
    assert descriptor["properties"]["problem.severity"] == "recommendation"


def test_sarif_member_uri_never_reads_as_an_authority() -> None:
    assert sarif_report.member_uri("/etc/passwd") == "/%2Fetc/passwd"
    assert sarif_report.member_uri("a b/c:d%.py") == "/a%20b/c%3Ad%25.py"


# ---- GitHub annotations ------------------------------------------------------------------


def test_github_prints_one_annotation_per_finding(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    layer = _layer(tmp_path)
    findings = _check(tmp_path, "--layer", layer, "broken.zip", "--format", "json") \
        .json["findings"]
    run = _check(tmp_path, "--layer", layer, "broken.zip", "--format", "github")
    lines = run.stdout.splitlines()
    assert len(lines) == len(findings)
    assert run.stdout.endswith("\n")
    words = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, findings):
        assert line.startswith(f"::{words[finding['severity']]} ")
        assert f"title={finding['rule']} {finding['name']}::" in line
    ll101 = [line for line in lines if "title=LL101 " in line]
    assert len(ll101) == 2
    for line in ll101:
        assert line.startswith("::error file=dist/my layer.zip,line=1,")
    assert any("::my lib:x/mod.py: layer content" in line for line in ll101)
    assert any(line.startswith("::error file=broken.zip,line=1,title=LL001 ")
               for line in lines)


def test_github_annotation_carries_the_fix(tmp_path: Path) -> None:
    run = _check(tmp_path, "--layer", _layer(tmp_path), "--format", "github")
    assert all(" Fix: " in line for line in run.stdout.splitlines() if "title=LL101 " in line)


def test_github_escapes_percent_and_newline_in_the_message(tmp_path: Path) -> None:
    layer = _layer(tmp_path, "odd-layer.zip", [Entry("100%\nsure/mod.py")])
    run = _check(tmp_path, "--layer", layer, "--format", "github")
    [line] = [line for line in run.stdout.splitlines() if "title=LL101 " in line]
    assert "::100%25%0Asure/mod.py: " in line
    assert "\r" not in run.stdout
    assert len(run.stdout.splitlines()) == len(
        _check(tmp_path, "--layer", layer, "--format", "json").json["findings"])


def test_github_shows_control_characters_of_a_name_escaped(tmp_path: Path) -> None:
    # An ESC byte in a member name would otherwise reach the CI log raw (found by the
    # generated inputs); the text report shows it the same way.
    layer = _layer(tmp_path, "odd-layer.zip", [Entry("col\x1b[31mour/mod.py")])
    run = _check(tmp_path, "--layer", layer, "--format", "github")
    [line] = [line for line in run.stdout.splitlines() if "title=LL101 " in line]
    assert "::col\\x1b[31mour/mod.py: " in line
    assert "\x1b" not in run.stdout


@pytest.mark.skipif(os.name == "nt", reason="':' cannot appear in a Windows file name")
def test_github_escapes_comma_and_colon_in_properties(tmp_path: Path) -> None:
    layer = _layer(tmp_path, "a,b:c%-layer.zip", [Entry("requests/__init__.py")])
    run = _check(tmp_path, "--layer", layer, "--format", "github")
    [line] = [line for line in run.stdout.splitlines() if "title=LL101 " in line]
    assert line.startswith("::error file=a%2Cb%3Ac%25-layer.zip,line=1,title=LL101 ")
    # In the message (data), only %, CR and LF are escaped.
    assert "::requests/__init__.py: layer content" in line


def test_github_line_finding_in_source() -> None:
    report = _report([_finding(path="src/app.py", line=3, column=5, end_line=3,
                               end_column=9, fix=Fix(advice="do, this: now"))],
                     [_input("src/app.py", "file")])
    out = github_report.render(report, rule_index(), version="0.0.0")
    assert out == ("::warning file=src/app.py,line=3,col=5,endLine=3,endColumn=9,"
                   "title=LL101 layer-missing-python-prefix::something is wrong. "
                   "Fix: do, this: now\n")


# ---- JSON report and its schema ----------------------------------------------------------


def _report_schema() -> dict[str, Any]:
    text = resources.files("lambdalint.reporters").joinpath("report.schema.json") \
        .read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _json_report(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    run = _check(tmp_path, "--layer", _layer(tmp_path), "broken.zip", "--format", "json")
    document: dict[str, Any] = run.json
    return document


def test_json_report_validates_against_the_shipped_schema(tmp_path: Path) -> None:
    schema = _report_schema()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    document = _json_report(tmp_path)
    assert {"LL101", "LL001"} <= {f["rule"] for f in document["findings"]}
    assert document["targets"]
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in validator_class(schema).iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("where", ["top", "tool", "target", "finding", "related", "summary"])
def test_json_schema_rejects_unknown_keys(tmp_path: Path, where: str) -> None:
    schema = _report_schema()
    document = _json_report(tmp_path)
    finding = document["findings"][0]
    finding["related"] = [{"path": "x.zip", "member": None, "line": None, "message": "m"}]
    jsonschema.validate(document, schema)
    target = {"top": document, "tool": document["tool"], "target": document["targets"][0],
              "finding": finding, "related": finding["related"][0],
              "summary": document["summary"]}[where]
    target["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


@pytest.mark.parametrize(("key", "value"), [("fingerprint", "not-a-fingerprint"),
                                            ("rule", "LL1"), ("severity", "fatal"),
                                            ("line", 0)])
def test_json_schema_rejects_bad_values(tmp_path: Path, key: str, value: object) -> None:
    schema = _report_schema()
    document = _json_report(tmp_path)
    document["findings"][0][key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


@pytest.mark.parametrize("body", BAD_EXAMPLES)
def test_every_documented_bad_example_gives_valid_reports(tmp_path: Path, body: str) -> None:
    spec = parse(body)
    build(spec, tmp_path)
    argv = [*spec.argv, "--today", "2026-11-21", "--format"]
    findings = run_cli([*argv, "json"], tmp_path).json
    jsonschema.validate(findings, _report_schema())
    sarif = json.loads(run_cli([*argv, "sarif"], tmp_path).stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(findings["findings"])
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    for uri in _all_uris(sarif):
        assert " " not in uri and not uri.startswith("file:")
    github = run_cli([*argv, "github"], tmp_path).stdout
    assert len(github.splitlines()) == len(findings["findings"])


# ---- output file and exit codes ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "json", "github"])
def test_output_file_gets_the_report_and_the_terminal_the_summary(tmp_path: Path,
                                                                  fmt: str) -> None:
    layer = _layer(tmp_path)
    on_stdout = _check(tmp_path, "--layer", layer, "--format", fmt)
    run = _check(tmp_path, "--layer", layer, "--format", fmt, "--output", "report.out")
    written = (tmp_path / "report.out").read_text("utf-8")
    assert written == on_stdout.stdout
    assert run.exit_code == on_stdout.exit_code == 1
    assert "LL101" in run.stdout
    assert "::error" not in run.stdout and not run.stdout.lstrip().startswith("{")


def test_exit_code_is_1_for_findings_at_the_threshold(tmp_path: Path) -> None:
    layer = _layer(tmp_path)
    for fmt in ("sarif", "github", "json"):
        assert _check(tmp_path, "--layer", layer, "--format", fmt).exit_code == 1
    assert _check(tmp_path, "--layer", layer, "--format", "sarif",
                  "--severity-threshold", "error").exit_code == 1


def test_exit_code_is_2_for_an_unreadable_input(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("this is not a zip")
    layer = _layer(tmp_path)
    for fmt in ("sarif", "github"):
        run = _check(tmp_path, "--layer", layer, "broken.zip", "--format", fmt)
        assert run.exit_code == 2
        assert "Traceback" not in run.stderr
