"""The one pass after detection: selection, per-file ignores, severity overrides,
fingerprints, baseline and sorting. Rules never see any of this.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lambdalint.config import Config, ConfigProblem
from lambdalint.finding import COMMAND_LINE, Finding, ReportedFinding, Severity, one_line
from lambdalint.records import record, replace
from lambdalint.registry import entries, matches

BASELINE_FORMAT = 1


@record
class Selection:
    """ruff's semantics: the most specific selector wins; on a tie, ignore wins."""

    select: list[str]
    extend_select: list[str]
    ignore: list[str]

    def enabled(self, rule_id: str) -> bool:
        best_length, best = -1, False
        for selector in self.select + self.extend_select:
            if matches(selector, rule_id) and len(selector) > best_length:
                best_length, best = len(selector), True
        for selector in self.ignore:
            if matches(selector, rule_id) and len(selector) >= best_length:
                best_length, best = len(selector), False
        return best


def _most_specific(table: dict[str, Severity], rule_id: str) -> Severity | None:
    hits = [(len(k), v) for k, v in table.items() if matches(k, rule_id)]
    return max(hits, key=lambda hit: hit[0])[1] if hits else None


def _ignored_by_glob(finding: Finding, per_file: dict[str, list[str]]) -> bool:
    for pattern, ids in per_file.items():
        targets = [finding.path] + ([finding.member] if finding.member else [])
        if any(fnmatch.fnmatchcase(t, pattern) for t in targets) and \
                any(matches(i, finding.rule) for i in ids):
            return True
    return False


def _sha256(data: bytes) -> str:
    """SHA-256 without loading OpenSSL (hashlib's first choice, ~3.5 ms of start-up): the
    interpreter's built-in implementation gives the same digests."""
    for name in ("_sha2", "_sha256", "hashlib"):  # 3.12+, up to 3.11, any build
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    raise ImportError("no SHA-256 implementation")


def fingerprint_base(finding: Finding, line: str | None = None) -> str:
    """Stable across runs and line moves: rule, file, member, and the content of the line the
    finding is on (whitespace normalised), or the rule's key where there is no line; never a
    line number. Findings that share these are told apart by their order (`:2`, `:3`…)."""
    what = " ".join(line.split()) if line is not None else finding.key
    text = "\0".join((finding.rule, finding.path, finding.member or "", what))
    return _sha256(text.encode("utf-8", "surrogateescape"))[:16]


def apply_pass(findings: list[Finding], *, config: Config, baseline: set[str] | None,
               lines: Mapping[Finding, str] | None = None) -> list[ReportedFinding]:
    """Per-file ignores, severities, fingerprints and the baseline, in the report's order.
    ``lines`` holds the source line each finding with a line is on (for fingerprints)."""
    rules = entries()
    # Messages quote member names from untrusted zips: every output format needs one line.
    source_line = {}
    if lines is not None:
        source_line = {_one_line(f): text for f, text in lines.items()}
    findings = [_one_line(f) for f in findings]
    unique = list(dict.fromkeys(findings))  # a layer shared by two functions reports once
    unique.sort(key=lambda f: f.sort_key)
    kept: list[ReportedFinding] = []
    occurrences: Counter[str] = Counter()
    for finding in unique:
        meta = rules[finding.rule].meta
        if not meta and _ignored_by_glob(finding, config.per_file_ignores):
            continue
        severity = (_most_specific(config.severity, finding.rule)
                    or finding.severity or rules[finding.rule].severity)
        base = fingerprint_base(finding, source_line.get(finding))
        occurrences[base] += 1
        kept.append(ReportedFinding(finding=finding, name=rules[finding.rule].name,
                                    severity=severity,
                                    fingerprint=f"{base}:{occurrences[base]}"))
    if baseline is not None:
        kept = [f for f in kept if rules[f.finding.rule].meta or f.fingerprint not in baseline]
    return kept


def _one_line(finding: Finding) -> Finding:
    return replace(finding, message=one_line(finding.message),
                   related=tuple(replace(r, message=one_line(r.message))
                                 for r in finding.related))


def read_baseline(path: Path, problems: list[ConfigProblem]) -> set[str]:
    try:
        document = json.loads(path.read_text("utf-8"))
        if document.get("lambdalint_baseline") != BASELINE_FORMAT:
            raise ValueError("not a lambdalint baseline file")
        return set(document["fingerprints"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.append(ConfigProblem(f"--baseline {path}: cannot use it: {exc}",
                                      COMMAND_LINE))
        return set()


def baseline_document(findings: list[ReportedFinding]) -> str:
    rules = entries()
    fingerprints = sorted({f.fingerprint for f in findings if not rules[f.finding.rule].meta})
    return json.dumps({"lambdalint_baseline": BASELINE_FORMAT, "fingerprints": fingerprints},
                      indent=2) + "\n"


# `# lambdalint: ignore`, `# lambdalint: ignore[LL505, LL506]`, a bare noqa, noqa with LL ids
_COMMENT = re.compile(r"#\s*(?:lambdalint:\s*ignore(?:\[(?P<ids>[^\]]*)\])?"
                      r"|noqa(?::\s*(?P<noqa>[A-Za-z0-9, ]+))?)", re.IGNORECASE)


@record(frozen=True)
class Suppression:
    ids: frozenset[str] | None  # None: every rule


def comment_suppression(line: str) -> Suppression | None:
    """The suppression a source line's comment declares, if any."""
    match = _COMMENT.search(line)
    if match is None:
        return None
    listed = match.group("ids") if match.group("ids") is not None else match.group("noqa")
    if listed is None:
        return Suppression(None)
    ids = {part.strip().upper() for part in listed.split(",") if part.strip()}
    # other tools' codes in a shared noqa (E501, B006) are theirs, not ours
    ours = {i for i in ids if i.startswith("LL")}
    return Suppression(frozenset(ours)) if ours else None


def apply_comments(findings: list[Finding], line_of: Callable[[Finding], str | None],
                   used: set[tuple[str, str | None, int, str]] | None = None) -> \
        list[Finding]:
    """Drop findings suppressed on their own line; report unknown ids there (LL003).
    Each suppression that took effect is added to ``used``: (path, member, line, rule)."""
    known = entries()
    kept: list[Finding] = []
    reported: set[tuple[str, str | None, int]] = set()
    for finding in findings:
        line = line_of(finding) if finding.line is not None and \
            not known[finding.rule].meta else None
        suppression = comment_suppression(line) if line else None
        if suppression is None:
            kept.append(finding)
            continue
        unknown = sorted(i for i in suppression.ids or () if i not in known)
        where = (finding.path, finding.member, finding.line or 0)
        if unknown and where not in reported:
            reported.add(where)
            kept.append(Finding(rule="LL003", path=finding.path, member=finding.member,
                                line=finding.line, column=1,
                                message=f"unknown rule id {', '.join(unknown)} in a "
                                        "suppression comment (`lambdalint rules` lists them)"))
        if suppression.ids is not None and finding.rule not in suppression.ids:
            kept.append(finding)
        elif used is not None and finding.line is not None:
            used.add((finding.path, finding.member, finding.line, finding.rule))
    return kept


def unused_suppressions(sources: list[tuple[str, str, bytes, set[str]]],
                        used: set[tuple[str, str | None, int, str]]) -> list[Finding]:
    """LL004 for each `# lambdalint: ignore[…]` / `# noqa: LL…` comment in the function's
    own code that suppressed nothing, like ruff's RUF100. Only ids of rules that ran on
    that code are judged (a rule not selected, or without the target values it needs,
    could not have used it); a bare `# noqa` belongs to every tool and is left alone."""
    found: list[Finding] = []
    for path, member, source, ran in sources:
        lines_used: dict[int, set[str]] = {}
        for where_path, where_member, line, rule in used:
            if (where_path, where_member) == (path, member):
                lines_used.setdefault(line, set()).add(rule)
        for line, column, text in _comments(source):
            match = _COMMENT.search(text)
            if match is None:
                continue
            suppression = comment_suppression(text)
            hit = lines_used.get(line, set())
            if suppression is None or (suppression.ids is None and "noqa" in
                                       match.group(0).lower()):
                continue
            if suppression.ids is None:
                unused = [] if hit else ["every rule"]
            else:
                unused = sorted(i for i in suppression.ids if i in ran and i not in hit)
            if unused:
                found.append(Finding(
                    rule="LL004", path=path, member=member, line=line,
                    column=column + match.start(), key=",".join(unused),
                    message=f"unused suppression ({', '.join(unused)}): nothing on this line "
                            "was reported; remove it, or it will hide a future finding"))
    return found


def _comments(source: bytes) -> list[tuple[int, int, str]]:
    """(line, 1-based column, text) of each comment of a module."""
    import io
    import tokenize

    found: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1] + 1, token.string))
    except (SyntaxError, tokenize.TokenError, UnicodeDecodeError):
        pass  # an unreadable module is LL002's; its comments are not judged
    return found
