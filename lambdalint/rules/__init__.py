"""Rules: each a small class whose docstring is its user documentation.

A rule declares its metadata next to its logic and yields ``Finding``s from a deployment.
It never opens a file (it asks the deployment's trees through ``Context``), never prints and
never knows the output format. The docstring uses fixed headings (What it does / Why is this
bad? / Example / Use instead / Fix / References); the ``deployment`` blocks under Example and
Use instead (see ``lambdalint.examples``) are run as tests, and ``rules/LLxxx.md`` is
generated from the same text, each block shown as ordinary Markdown with what it prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from lambdalint.finding import COMMAND_LINE, Applicability, Finding, Fix, Related, Severity
from lambdalint.model.code.span import Span
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.spec import CONFIG, FLAG, INFERRED, Origin

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix",
                "References")


class Rule:
    """Base class: subclasses set the metadata and implement ``check``."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    # Target values the rule cannot work without; the engine skips it (and says so) otherwise.
    needs: ClassVar[tuple[str, ...]] = ()
    # Checks the function's own code or package only: never run (nor imported) for a
    # deployment of layers alone, which has none. Not a "skip": no flag would make it apply.
    function_code: ClassVar[bool] = False
    tags: ClassVar[tuple[str, ...]] = ()
    # For security rules: GitHub code scanning's score, "0.1" to "10.0" (SARIF
    # `security-severity`; 7.0 to 8.9 is shown as high).
    security_severity: ClassVar[str | None] = None
    # LL0xx: reported by the engine itself, never deselected.
    meta: ClassVar[bool] = False
    # What ``--fix`` may do with a finding of this rule, from the least to the most
    # behaviour-changing; each finding's own fix says which applies to it.
    fixes: ClassVar[tuple[Applicability, ...]] = (Applicability.DISPLAY_ONLY,)

    def check(self, deployment: Deployment, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def once_per_artifact(self, artifact: Artifact, key: str,
                          findings: Callable[..., Iterable[Finding]], *args: Any) -> \
            list[Finding]:
        """``findings(artifact, *args)``, about one artifact and depending on nothing but it
        and ``key`` (the runtime…), computed once per run: a layer shared by fifty functions
        of a template is judged once, not fifty times."""
        cache_key = f"findings:{self.id}:{key}"
        cached = artifact.cache.get(cache_key)
        if not isinstance(cached, list):
            cached = artifact.cache[cache_key] = list(findings(artifact, *args))
        return cached

    def finding(self, artifact: Artifact, message: str, *, member: str | None = None,
                line: int | None = None, column: int | None = None,
                fix: str | Fix | None = None, related: tuple[Related, ...] = (),
                severity: Severity | None = None, key: str = "") -> Finding:
        return Finding(rule=self.id, path=artifact.path, message=message, member=member,
                       line=line, column=column, fix=advice(fix), related=related,
                       severity=severity, key=key)

    def at(self, origin: Origin | None, deployment: Deployment, message: str, *,
           fix: str | Fix | None = None, related: tuple[Related, ...] = (),
           severity: Severity | None = None, key: str = "") -> Finding:
        """A finding about a value: at the file and line it was read from (a template, a
        Dockerfile), else on the function's code (or its first layer)."""
        fix = advice(fix)
        if origin is not None and origin.file is not None and origin.line is not None and \
                origin.source not in (FLAG, CONFIG, INFERRED):
            return Finding(rule=self.id, path=origin.file, line=origin.line,
                           column=origin.column, message=message, fix=fix, related=related,
                           severity=severity, key=key or (deployment.name or ""))
        # Else on the function's code or its first layer, if they could be read (a CodeUri
        # that names nothing is not a place), else where the template defines the function.
        anchor = next((a for a in (deployment.function, *deployment.layers)
                       if a is not None and a.tree is not None), None)
        if anchor is not None:
            return Finding(rule=self.id, path=anchor.path, message=message, fix=fix,
                           related=related, severity=severity, key=key)
        defined = deployment.defined_at
        if defined is not None and defined.file is not None:
            return Finding(rule=self.id, path=defined.file, line=defined.line, message=message,
                           fix=fix, related=related, severity=severity,
                           key=key or (deployment.name or ""))
        return Finding(rule=self.id, path=COMMAND_LINE if origin is None or
                       origin.source == FLAG else "-", message=message, fix=fix,
                       related=related, severity=severity, key=key)

    def in_code(self, span: Span, message: str, *, fix: str | Fix | None = None,
                related: tuple[Related, ...] = (), key: str = "") -> Finding:
        """A finding at a place in the function's own code. A related place on the same
        line says nothing the finding does not: it is left out."""
        related = tuple(r for r in related if (r.path, r.member, r.line) !=
                        (span.path, span.member, span.line))
        return Finding(rule=self.id, path=span.path, member=span.member, line=span.line,
                       column=span.column, end_line=span.end_line,
                       end_column=span.end_column, message=message, fix=advice(fix),
                       related=related, key=key)

    @staticmethod
    def concerning(deployment: Deployment) -> str:
        """" on function X": the described function (a template's, a config table's) a
        finding is about, for its message."""
        return f" on function {deployment.name}" if deployment.name else ""

    # -- documentation --------------------------------------------------------------------

    @classmethod
    def documentation(cls) -> str:
        import inspect  # for documentation only; a check never needs it

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def fix_applicability(cls) -> str:
        """``safe``, ``safe or unsafe``, ``display-only``… as the rule's page shows it."""
        return " or ".join(a.value for a in cls.fixes)

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring split at its ``## Heading`` lines."""
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in cls.documentation().splitlines():
            heading = re.match(r"## (.+)", line)
            if heading:
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = heading.group(1).strip(), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def examples(cls, section: str) -> list[tuple[str, str]]:
        """Fenced blocks of one section as (info string, body)."""
        text = cls.sections().get(section, "")
        return [(m.group(1).strip(), m.group(2))
                for m in re.finditer(r"```([^\n]*)\n(.*?)```", text, re.S)]

    @classmethod
    def page(cls, *, outputs: bool = False) -> str:
        """The Markdown page for rules/LLxxx.md and ``lambdalint rule LLxxx``: the
        docstring, each ``deployment`` block rendered as ordinary Markdown (each zip's
        listing, each file's content, the command). With ``outputs``, every example is
        built and run in a temporary folder and its page shows what the command prints
        (the generated pages); without, only the command (fast: the SARIF help text)."""
        needs = f"  \n**Needs:** {', '.join(cls.needs)}" if cls.needs else ""
        return (f"# {cls.id} {cls.name}\n\n"
                f"**Severity:** {cls.severity.value}  \n"
                f"**Summary:** {cls.summary}{needs}  \n"
                f"**Fix:** {cls.fix_applicability()}\n\n"
                f"{rendered_examples(cls.documentation(), run=outputs)}\n")


def advice(fix: str | Fix | None) -> Fix | None:
    """A fix given as words only is advice: nothing for ``--fix`` to edit."""
    return Fix(advice=fix) if isinstance(fix, str) else fix


_DEPLOYMENT_BLOCK = re.compile(r"^```deployment[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def rendered_examples(text: str, *, run: bool = False) -> str:
    """Documentation text with each ``deployment`` block replaced by its Markdown."""
    from lambdalint import examples

    return _DEPLOYMENT_BLOCK.sub(lambda m: examples.markdown(m.group(1), run=run), text)
