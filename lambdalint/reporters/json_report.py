"""`--format json`: the documented report (its schema, report.schema.json, ships beside this
file)."""

from __future__ import annotations

import json
from typing import Any

from lambdalint.finding import Report, RuleInfo, Severity


def document(report: Report, version: str) -> dict[str, Any]:
    return {
        "tool": {"name": "lambdalint", "version": version},
        "targets": [
            {"name": t.name, "source": t.source,
             "function": t.function, "layers": list(t.layers), "runtime": t.runtime,
             "architecture": t.architecture, "handler": t.handler, "inferred": t.inferred,
             "sources": dict(sorted(t.sources.items())),
             "origins": dict(sorted(t.origins.items())), "skipped": list(t.skipped)}
            for t in report.targets
        ],
        "findings": [
            {"rule": f.finding.rule, "name": f.name, "severity": f.severity.value,
             "message": f.finding.message, "path": f.finding.path, "member": f.finding.member,
             "line": f.finding.line, "column": f.finding.column,
             "end_line": f.finding.end_line, "end_column": f.finding.end_column,
             "fingerprint": f.fingerprint,
             "fix": f.finding.fix.advice if f.finding.fix is not None else None,
             "fix_applicability": f.fixable.value if f.fixable is not None else None,
             "related": [{"path": r.path, "member": r.member, "line": r.line,
                          "message": r.message} for r in f.finding.related]}
            for f in report.findings
        ],
        "sources": report.sources,
        "notes": report.notes,
        "summary": {"error": report.count(Severity.ERROR),
                    "warning": report.count(Severity.WARNING),
                    "info": report.count(Severity.INFO), "files": report.files},
    }


def render(report: Report, rules: dict[str, RuleInfo], *, version: str) -> str:
    return json.dumps(document(report, version), indent=2, ensure_ascii=False) + "\n"
