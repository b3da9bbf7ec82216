"""`--format text`: ruff-like finding lines, then inputs, targets and a summary table (rich).

Colour only on a terminal and never with NO_COLOR (the CLI decides and passes ``color``).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdalint.finding import (
    Applicability,
    ReportedFinding,
    Severity,
    TargetReport,
    one_line,
)
from lambdalint.units import human_bytes

if TYPE_CHECKING:
    from lambdalint.engine import Result

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def location(f: ReportedFinding) -> str:
    parts = [one_line(f.finding.path)]
    if f.finding.member:
        parts.append(one_line(f.finding.member))
    if f.finding.line is not None:
        parts.append(str(f.finding.line))
        parts.append(str(f.finding.column or 1))
    return ":".join(parts)


def write(result: Result, stream: TextIO, *, color: bool, quiet: bool, verbose: bool,
          elapsed: float, summary_only: bool = False) -> None:
    console = Console(file=stream, force_terminal=color, no_color=not color,
                      highlight=False, soft_wrap=True, emoji=False)
    report = result.report
    if not summary_only:
        for f in report.findings:
            line = Text()
            line.append(location(f), style="bold")
            line.append(": ")
            line.append(f.finding.rule, style=STYLE[f.severity])
            line.append(f" [{f.severity.value}] ", style=STYLE[f.severity])
            line.append(f.finding.message)
            console.print(line)
            for related in f.finding.related:
                where = ":".join(part for part in (related.path, related.member,
                                                   str(related.line) if related.line else None)
                                 if part)
                console.print(Text(f"  note: {where}: {related.message}", style="dim"))
            fix = f.finding.fix
            if fix is not None and not quiet:
                applied_by = {Applicability.SAFE: " [--fix]",
                              Applicability.UNSAFE: " [--unsafe-fixes]"}.get(
                    f.fixable or Applicability.DISPLAY_ONLY, "")
                console.print(Text("  fix: ", style="green") + Text(fix.advice) +
                              Text(applied_by, style="green"))
    if quiet and not summary_only:
        return
    if report.findings and not summary_only:
        console.print()
    for source in report.sources:
        console.print(Text(f"project: {source}"))
    _inputs(console, result, verbose)
    _targets(console, report.targets)
    for note in report.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    _summary(console, result, elapsed)


def _inputs(console: Console, result: Result, verbose: bool) -> None:
    table = Table(title="Inputs", title_justify="left", box=None, pad_edge=False)
    for column in ("input", "role", "format", "classified by"):
        table.add_column(column)
    if verbose:
        table.add_column("entries", justify="right")
        table.add_column("unzipped", justify="right")
    for item in result.report.inputs:
        row = [item.path, item.role, item.format, item.classified_by or "-"]
        if verbose:
            row += [str(item.entries), human_bytes(item.unzipped_bytes)]
        table.add_row(*row)
    console.print(table)


def _targets(console: Console, targets: list[TargetReport]) -> None:
    skipped: dict[str, set[str]] = {}
    for target in targets:
        head = target.function or ("(code not in the project)" if target.source
                                   else "(layers only)")
        if target.name:
            head = f"{target.name} ({target.source}): {head}" if target.source else \
                f"{target.name}: {head}"
        layers = f" + {len(target.layers)} layer{'s' if len(target.layers) != 1 else ''}"
        values = []
        for name in ("runtime", "architecture", "handler"):
            value = getattr(target, name)
            if value is None:
                values.append(f"{name} unknown")
                if target.skipped:
                    skipped.setdefault(name, set())
            else:
                values.append(f"{name} {value} ({_origin_words(target, name)})")
        console.print(Text(f"target: {head}{layers}: " + ", ".join(values)))
    ids = sorted({rule for t in targets for rule in t.skipped})
    if ids:
        console.print(Text(
            f"skipped: {', '.join(ids)}: they need a target value that was neither given nor "
            "inferable (pass --runtime / --architecture / --handler, or set them in config)",
            style="yellow"))


def _origin_words(target: TargetReport, name: str) -> str:
    source, origin = target.sources[name], target.origins.get(name, "")
    if source == "flag":
        return "from the command line"
    if source == "inferred":
        return "inferred from the artifacts"
    if source == "default":
        return f"Lambda's default; {origin} sets none"
    return f"from {origin}" if origin else f"from {source}"


def _summary(console: Console, result: Result, elapsed: float) -> None:
    report = result.report
    if report.findings:
        counts = Counter((f.finding.rule, f.name, f.severity) for f in report.findings)
        table = Table(title="Summary", title_justify="left", box=None, pad_edge=False)
        for column in ("rule", "name", "severity", "count"):
            table.add_column(column, justify="right" if column == "count" else "left")
        for (rule, name, severity), count in sorted(counts.items(),
                                                    key=lambda kv: kv[0][0]):
            table.add_row(rule, name, Text(severity.value, style=STYLE[severity]), str(count))
        console.print(table)
    totals = ", ".join(f"{report.count(s)} {s.value}" for s in
                       (Severity.ERROR, Severity.WARNING, Severity.INFO))
    fixable = fix_counts(report.findings)
    if fixable:
        console.print(Text(fixable))
    verdict = {0: "passed", 1: "failed", 2: "could not check everything"}[result.exit_code]
    console.print(Text(f"{verdict}: {totals} in {report.files} input"
                       f"{'s' if report.files != 1 else ''} ({elapsed:.2f}s; fails at "
                       f"{result.threshold.value} and above)",
                       style="bold green" if result.exit_code == 0 else "bold red"))


def render(result: Result, *, elapsed: float) -> str:
    buffer = io.StringIO()
    write(result, buffer, color=False, quiet=False, verbose=False, elapsed=elapsed)
    return buffer.getvalue()



def fix_counts(findings: list[ReportedFinding]) -> str:
    """"3 fixable with --fix; 1 more with --unsafe-fixes" (ruff's words), or ""."""
    safe = sum(1 for f in findings if f.fixable is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fixable is Applicability.UNSAFE)
    if safe and unsafe:
        return f"{safe} fixable with --fix; {unsafe} more with --unsafe-fixes"
    if safe:
        return f"{safe} fixable with --fix"
    return f"{unsafe} fixable with --unsafe-fixes" if unsafe else ""
