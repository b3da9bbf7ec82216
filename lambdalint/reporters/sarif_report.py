"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

A finding inside a zip points at the zip itself, line 1: that is the only location GitHub can
attach an alert to (it ignores nested artifacts). The member is carried in the message text,
in ``result.properties`` and as a nested artifact (SARIF §3.14.15) for viewers that use it.
The output holds no timings, and absolute paths only where the user gave one outside the current
folder, so the same input gives the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from lambdalint.finding import Report, ReportedFinding, RuleInfo, Severity
from lambdalint.records import record

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# GitHub's limits: descriptions of at most 1024 characters; only 10 tags are shown.
MAX_TEXT = 1024
MAX_TAGS = 10
# GitHub keeps at most 5,000 results of a run (the most severe): the rest are left out here,
# with a note, rather than by GitHub without one.
MAX_RESULTS = 5000
BASE_TAG = "aws-lambda"

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning",
                    Severity.INFO: "recommendation"}
MIME_TYPES = {".zip": "application/zip", ".py": "text/x-python"}


@record(frozen=True)
class Place:
    """Where a finding is on disk: a file, and the archive member when the file is a zip.

    A source folder's members are real files, so they become ``folder/member`` with their own
    line numbers; a single Python file's only member is the file itself.
    """

    file: str
    member: str | None


def place(path: str, member: str | None, formats: dict[str, str]) -> Place:
    """Resolve a finding's (path, member) given the input formats (zip|folder|file|…)."""
    if member is None:
        return Place(path, None)
    fmt = formats.get(path)
    if fmt == "folder":
        folder = path.rstrip("/")
        return Place(member if folder in ("", ".") else f"{folder}/{member}", None)
    if fmt == "file" and member == PurePosixPath(path).name:
        return Place(path, None)
    return Place(path, member)


def input_formats(report: Report) -> dict[str, str]:
    return {item.path: item.format for item in report.inputs}


def is_pseudo_path(path: str) -> bool:
    """``<command line>`` and the like: findings that belong to no file."""
    return path.startswith("<") and path.endswith(">")


def artifact_uri(path: str) -> tuple[str, bool]:
    """A URI for an input path, and whether it is relative to %SRCROOT%.

    GitHub's server parses URIs strictly (a raw space or a colon in the first segment fails
    the whole upload), hence the percent-encoding. An absolute path under the current folder
    is made relative; any other absolute path can only be a file: URI.
    """
    posix = path.replace(os.sep, "/")
    if not is_pseudo_path(path) and Path(path).is_absolute():
        native = Path(path)
        try:
            posix = native.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return native.as_uri(), False
    return quote(posix, safe="/", errors="surrogateescape"), True


def member_uri(member: str) -> str:
    """The nested artifact URI (§3.24.2: a relative reference starting with ``/``).

    Leading slashes of the member name itself are encoded: ``//etc/passwd`` would otherwise
    read as a URI authority.
    """
    stripped = member.lstrip("/")
    leading = "%2F" * (len(member) - len(stripped))
    return "/" + leading + quote(stripped, safe="/", errors="surrogateescape")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    # GitHub rejects empty required texts, so each falls back to something non-empty.
    short = clip(info.summary or info.name or info.id)
    full = clip(info.description or short)
    help_markdown = info.help_markdown.strip() or short
    tags = list(dict.fromkeys((BASE_TAG, *info.tags)))[:MAX_TAGS]
    properties: dict[str, Any] = {"tags": tags, "precision": "high",
                                  "problem.severity": PROBLEM_SEVERITY[info.severity]}
    if info.security_severity is not None:
        properties["security-severity"] = info.security_severity
    return {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help_markdown, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": properties,
    }


def _region(line: int | None, column: int | None, end_line: int | None,
            end_column: int | None) -> dict[str, int]:
    if line is None or line < 1:
        return {"startLine": 1}
    region = {"startLine": line}
    for key, value in (("startColumn", column), ("endLine", end_line),
                       ("endColumn", end_column)):
        if value is not None and value >= 1:
            region[key] = value
    return region


class _Artifacts:
    """``run.artifacts``, indexed in order of first reference."""

    def __init__(self, inputs: set[str]) -> None:
        self.inputs = inputs
        self.entries: list[dict[str, Any]] = []
        self.index: dict[tuple[str, str | None], int] = {}

    def file(self, path: str, *, from_input: bool) -> int | None:
        if is_pseudo_path(path):
            return None
        key = (path, None)
        if key not in self.index:
            entry: dict[str, Any] = {"location": _artifact_location(path, None)}
            mime = MIME_TYPES.get(PurePosixPath(path).suffix.lower())
            if mime:
                entry["mimeType"] = mime
            self.index[key] = len(self.entries)
            self.entries.append(entry)
        at = self.index[key]
        if from_input:
            self.entries[at]["roles"] = ["analysisTarget"]
        return at

    def member(self, path: str, member: str, *, from_input: bool) -> tuple[int | None, int | None]:
        parent = self.file(path, from_input=from_input)
        if parent is None:
            return None, None
        key = (path, member)
        if key not in self.index:
            self.index[key] = len(self.entries)
            self.entries.append({"location": {"uri": member_uri(member)},
                                 "parentIndex": parent})
        return parent, self.index[key]


def _artifact_location(path: str, index: int | None) -> dict[str, Any]:
    uri, relative = artifact_uri(path)
    location: dict[str, Any] = {"uri": uri}
    if relative:
        location["uriBaseId"] = SRCROOT
    if index is not None:
        location["index"] = index
    return location


def _in_member(message: str, member: str | None) -> str:
    """GitHub shows only the message, so it must name the member (once is enough)."""
    return f"{message} (in {member})" if member and member not in message else message


def _result(reported: ReportedFinding, rule_index: dict[str, int], artifacts: _Artifacts,
            formats: dict[str, str]) -> dict[str, Any]:
    finding = reported.finding
    where = place(finding.path, finding.member, formats)
    from_input = finding.path in artifacts.inputs
    properties: dict[str, Any] = {}
    if where.member is not None:
        file_index, member_index = artifacts.member(where.file, where.member,
                                                    from_input=from_input)
        region = {"startLine": 1}
        properties["archiveMember"] = where.member
        if member_index is not None:
            properties["archiveMemberArtifactIndex"] = member_index
        if finding.line is not None and finding.line >= 1:
            # The region belongs to the zip; the member's own line goes here instead.
            properties["memberStartLine"] = finding.line
    else:
        file_index = artifacts.file(where.file, from_input=from_input)
        region = _region(finding.line, finding.column, finding.end_line, finding.end_column)
    if finding.fix is not None:
        properties["fix"] = finding.fix.advice
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVEL[reported.severity],
        "message": {"text": _in_member(finding.message, where.member)},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact_location(where.file, file_index),
            "region": region}}],
        # The engine's fingerprint (rule, artifact, member, key) is what the baseline uses.
        "fingerprints": {"lambdalint/v1": reported.fingerprint},
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    # The engine's fingerprint hashes the line's content, not its number, like GitHub's own
    # (upload-sarif would hash "line 1" of a zip: the same for every member of it).
    result["partialFingerprints"] = {"primaryLocationLineHash": reported.fingerprint}
    related = [_related_location(number, r.path, r.member, r.line, r.message, artifacts,
                                 formats)
               for number, r in enumerate(finding.related, start=1)]
    if related:
        result["relatedLocations"] = related
    if properties:
        result["properties"] = properties
    return result


def _related_location(number: int, path: str, member: str | None, line: int | None,
                      message: str, artifacts: _Artifacts,
                      formats: dict[str, str]) -> dict[str, Any]:
    where = place(path, member, formats)
    from_input = path in artifacts.inputs
    location: dict[str, Any] = {"id": number, "message": {"text": _in_member(message,
                                                                             where.member)}}
    if where.member is not None:
        index, _ = artifacts.member(where.file, where.member, from_input=from_input)
        region = {"startLine": 1}
        properties: dict[str, Any] = {"archiveMember": where.member}
        if line is not None and line >= 1:
            properties["memberStartLine"] = line
        location["properties"] = properties
    else:
        index = artifacts.file(where.file, from_input=from_input)
        region = _region(line, None, None, None)
    location["physicalLocation"] = {"artifactLocation": _artifact_location(where.file, index),
                                    "region": region}
    return location


def _invocation(notes: list[str]) -> dict[str, Any]:
    notifications = [{"level": "error" if note.startswith("internal error") else "note",
                      "message": {"text": note}} for note in notes]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(n["level"] == "error" for n in notifications)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def document(report: Report, rules: dict[str, RuleInfo], version: str,
             category: str | None = None) -> dict[str, Any]:
    ordered = [rules[rule_id] for rule_id in sorted(rules)]
    rule_index = {info.id: number for number, info in enumerate(ordered)}
    formats = input_formats(report)
    artifacts = _Artifacts(set(formats))
    findings = report.findings
    notes = list(report.notes)
    if len(findings) > MAX_RESULTS:
        kept = set(map(id, sorted(findings, key=lambda f: -f.severity.rank)[:MAX_RESULTS]))
        notes.append(f"{len(findings) - MAX_RESULTS:,} results left out: GitHub code scanning "
                     f"keeps at most {MAX_RESULTS:,} per run (the most severe are kept; the "
                     "JSON report has them all)")
        findings = [f for f in findings if id(f) in kept]
    results = [_result(f, rule_index, artifacts, formats) for f in findings]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "lambdalint",
            "version": version,
            "semanticVersion": version,
            "rules": [rule_descriptor(info) for info in ordered],
        }},
        # No "uri": an absolute root would make the log machine-dependent (§3.14.14 allows it).
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The folder lambdalint was run from (normally the repository root); "
                    "every relative artifact URI in this run is relative to it."}}},
        "artifacts": artifacts.entries,
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(notes)],
        "results": results,
    }
    if category:
        # GitHub reads the category up to the last "/": one per lambdalint run of a repository.
        run["automationDetails"] = {"id": f"{category.rstrip('/')}/"}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, rules: dict[str, RuleInfo], *, version: str,
           category: str | None = None) -> str:
    # ASCII-only output: SARIF files get piped through consoles whose encoding is not UTF-8.
    return json.dumps(document(report, rules, version, category), indent=2, sort_keys=True,
                      ensure_ascii=True) + "\n"
