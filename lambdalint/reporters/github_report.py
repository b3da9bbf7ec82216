"""`--format github`: one GitHub Actions workflow command per finding (an annotation).

``::error file=…,line=…,title=…::message``. Escaping follows the Actions toolkit
(``@actions/core`` ``escapeData`` / ``escapeProperty``). A finding inside a zip is annotated on
the zip, line 1 (GitHub has no way to point inside an archive), with the member named at the
start of the message.
"""

from __future__ import annotations

from lambdalint.finding import Report, ReportedFinding, RuleInfo, Severity
from lambdalint.reporters.sarif_report import input_formats, place

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# Other control characters (a zip member named with an ESC byte) would reach the CI log
# raw: shown as Python escapes, as the text report shows them.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F) if code not in (10, 13)}


def escape_data(text: str) -> str:
    text = text.translate(_CONTROLS)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(reported: ReportedFinding, formats: dict[str, str]) -> str:
    finding = reported.finding
    where = place(finding.path, finding.member, formats)
    properties: list[tuple[str, object]] = [("file", where.file)]
    message = finding.message
    if where.member is not None:
        # The line numbers belong to the member, not to the zip the annotation sits on.
        inside = [where.member]
        if finding.line is not None:
            inside += [str(finding.line), str(finding.column or 1)]
        message = f"{':'.join(inside)}: {message}"
        properties.append(("line", 1))
    else:
        line = finding.line if finding.line is not None and finding.line >= 1 else None
        properties.append(("line", line if line is not None else 1))
        end_line = (finding.end_line if line is not None and finding.end_line is not None
                    and finding.end_line >= line else None)
        # GitHub drops columns of an annotation that spans several lines.
        columns = line is not None and end_line in (None, line)
        if columns and finding.column is not None and finding.column >= 1:
            properties.append(("col", finding.column))
        if end_line is not None:
            properties.append(("endLine", end_line))
        if columns and finding.end_column is not None and finding.end_column >= 1:
            properties.append(("endColumn", finding.end_column))
    properties.append(("title", f"{finding.rule} {reported.name}"))
    if finding.fix is not None:
        stop = "" if message.rstrip().endswith((".", "!", "?")) else "."
        message = f"{message.rstrip()}{stop} Fix: {finding.fix.advice}"
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{COMMAND[reported.severity]} {props}::{escape_data(message)}"


def render(report: Report, rules: dict[str, RuleInfo], *, version: str) -> str:
    formats = input_formats(report)
    return "".join(annotation(f, formats) + "\n" for f in report.findings)
