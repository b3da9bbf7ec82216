"""What a rule reports, and what the engine turns it into."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.code.span import Span as _Span

_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}


def one_line(text: str) -> str:
    """Control characters (a zip entry name may hold newlines) escaped: one line, always."""
    return text.translate(_CONTROL)


class Severity(enum.Enum):
    """Ordered from least to most severe; values are what users write in config."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


# The path of a finding about a command-line value (there is no file to point at).
COMMAND_LINE = "<command line>"


@record(frozen=True)
class Related:
    """Another place that explains a finding (the copy that wins, the other duplicate…)."""

    path: str
    message: str
    member: str | None = None
    line: int | None = None

    @classmethod
    def to(cls, span: _Span | None, message: str) -> tuple[Related, ...]:
        """A related place in the function's code (none when it is not known)."""
        if span is None:
            return ()
        return (cls(path=span.path, member=span.member, line=span.line, message=message),)


class Applicability(enum.Enum):
    """What applying a fix may do to the function (ruff's words, and its flags)."""

    SAFE = "safe"  # cannot change what the function does: applied by --fix
    UNSAFE = "unsafe"  # changes a type or behaviour a caller may see: --unsafe-fixes too
    DISPLAY_ONLY = "display-only"  # advice: nothing is edited


@record(frozen=True)
class EntryEdit:
    """One entry of a zip, changed by a fix: moved, given other permissions, or removed.

    ``index`` is the entry's place in the central directory, which tells apart two entries
    of one name (LL105's duplicates)."""

    member: str
    index: int
    move_to: str | None = None
    mode: int | None = None  # permission bits (0o644)
    remove: bool = False


@record(frozen=True)
class Fix:
    """How to repair a finding: the advice the report shows, and the edits ``--fix`` makes.

    The edits change one file on disk, ``file``: a zip's entries (``entries``), or a text —
    a template, a config, a module of the function's own code (in a zip: ``member``) — that
    ``rewrite`` turns into its fixed text (None: it is no longer what the finding saw). A
    rewrite is a function run only when fixing, so that a check never pays for the code
    rewriting library."""

    advice: str
    applicability: Applicability = Applicability.DISPLAY_ONLY
    file: Path | None = None
    member: str | None = None
    entries: tuple[EntryEdit, ...] = ()
    rewrite: Callable[[str], str | None] | None = field(default=None, compare=False)
    # What the edit does, for notes ("moved under python/").
    title: str = ""

    @property
    def edits(self) -> bool:
        return self.applicability is not Applicability.DISPLAY_ONLY and self.file is not None \
            and (bool(self.entries) or self.rewrite is not None)


@record(frozen=True)
class Finding:
    """One problem, as a rule yields it.

    ``path`` is the input as the user named it; ``member`` the path inside a zip (or inside a
    source folder). ``key`` distinguishes several findings of one rule on one member for the
    fingerprint, so that it can stay stable when a message's numbers change.
    ``severity`` is set only by rules whose findings vary in severity (LL106, LL208); the
    engine otherwise applies the rule's default and the user's overrides.
    """

    rule: str
    message: str
    path: str
    member: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    severity: Severity | None = None
    key: str = ""

    @property
    def sort_key(self) -> tuple[str, str, int, str, int, str]:
        """The report's order: path, member, line, rule (deterministic byte for byte)."""
        return (self.path, self.member or "", self.line or 0, self.rule, self.column or 0,
                self.message)


@record(frozen=True)
class ReportedFinding:
    """A finding after the engine's pass: named, with its final severity and fingerprint."""

    finding: Finding
    name: str
    severity: Severity
    fingerprint: str

    @property
    def fixable(self) -> Applicability | None:
        """The applicability of the edits ``--fix`` would make (None: advice only)."""
        fix = self.finding.fix
        return fix.applicability if fix is not None and fix.edits else None


@record
class Report:
    """Everything a reporter needs; reporters know nothing about rules beyond this."""

    findings: list[ReportedFinding]
    targets: list[TargetReport]
    inputs: list[InputReport]
    files: int
    notes: list[str] = field(default_factory=list)
    # The project descriptions read (template, cdk.out…) and what each contributed.
    sources: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


@record(frozen=True)
class InputReport:
    """How one input was classified, for the text report's input table."""

    path: str
    role: str  # function | layer | unreadable
    format: str  # zip | folder | file
    classified_by: str  # flag | config | contents | file name | default
    entries: int
    unzipped_bytes: int


@record(frozen=True)
class TargetReport:
    """One deployment as checked: JSON ``targets`` entry."""

    name: str | None  # the logical id, function key or config name
    source: str | None  # where the function is described (template.yaml:12)
    # Per value, where it was read: "template.yaml:8", "command line", "config …".
    origins: dict[str, str]
    function: str | None
    layers: tuple[str, ...]
    runtime: str | None
    architecture: str | None
    handler: str | None
    sources: dict[str, str]
    skipped: tuple[str, ...]

    @property
    def inferred(self) -> list[str]:
        return [name for name, source in self.sources.items() if source == "inferred"]


@record(frozen=True)
class RuleInfo:
    """Rule metadata as reporters see it (built from the registry, never from rule code)."""

    id: str
    name: str
    severity: Severity
    summary: str
    description: str  # the "What it does" section, Markdown
    help_markdown: str  # the whole documentation page
    tags: tuple[str, ...]
    security_severity: str | None = None  # GitHub's score, for security rules
