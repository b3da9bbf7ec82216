"""The pipeline, end to end.

config → discovery (paths, config, the project's templates) → deployments (assemble.py) →
target inference → enabled rules yield findings → one pass (selection, per-file ignores,
severity overrides, fingerprints, baseline, sorting) → a Report → (the CLI picks a
reporter) → exit code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Callable

from lambdalint import config as config_module
from lambdalint.assemble import Inputs
from lambdalint.config import Config, ConfigProblem
from lambdalint.data import ARCHITECTURES, runtimes
from lambdalint.discover import display
from lambdalint.finding import (
    COMMAND_LINE,
    Finding,
    Report,
    ReportedFinding,
    Severity,
    TargetReport,
)
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.inference import infer
from lambdalint.records import field, record, replace
from lambdalint.registry import entries, is_known_selector, load
from lambdalint.rules import Rule
from lambdalint.suppress import (
    Selection,
    apply_comments,
    apply_pass,
    read_baseline,
    unused_suppressions,
)

# Findings that mean "lambdalint could not do its job": exit code 2 whatever the threshold.
INPUT_ERRORS = frozenset({"LL001", "LL003"})


@record
class Options:
    """What the user asked for on the command line (config is read by the engine)."""

    paths: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    runtime: str | None = None
    architecture: str | None = None
    handler: str | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity_threshold: Severity | None = None
    config: str | None = None
    baseline: str | None = None
    today: dt.date | None = None
    report_unused_ignores: bool = False  # LL004
    cwd: Path = field(default_factory=Path.cwd)
    # Called with (steps done, steps in all, what is being checked) as rules run.
    progress: Callable[[int, int, str], None] | None = None


@record
class Result:
    report: Report
    exit_code: int
    threshold: Severity


def run(options: Options) -> Result:
    problems: list[ConfigProblem] = []
    config = _load_config(options, problems)
    _validate_options(options, config, problems)
    selection = Selection(
        select=options.select if options.select is not None else (config.select or ["LL"]),
        extend_select=config.extend_select + options.extend_select,
        ignore=config.ignore + options.ignore,
    )
    baseline = (read_baseline(options.cwd / options.baseline, problems)
                if options.baseline is not None else None)
    inputs = Inputs(options, config)
    deployments = inputs.deployments()
    ctx = Context(max_member_size=config.max_member_size,
                  max_source_size=config.max_source_size,
                  today=options.today or dt.date.today())
    raw: list[Finding] = list(inputs.findings)
    raw += [Finding(rule="LL003", path=p.path, message=p.message) for p in problems]
    notes: list[str] = []
    targets: list[TargetReport] = []
    selected = [e for e in entries().values() if not e.meta and selection.enabled(e.id)]
    rules: dict[str, Rule] = {}  # a rule's module is imported when it first runs
    ran: dict[int, set[str]] = {}  # the rules that ran on each deployment (for LL004)
    steps, done = len(deployments) * len(selected), 0
    for deployment in deployments:
        if deployment.defined_at is None and deployment.artifacts and \
                not any(a.readable for a in deployment.artifacts):
            # Nothing to check (LL001 says why): no list of rules it would have skipped.
            targets.append(_target_report(deployment, []))
            continue
        infer(deployment, ctx)
        skipped: list[str] = []
        for entry in selected:
            done += 1
            if options.progress is not None:
                where = deployment.function.path if deployment.function else "layers"
                options.progress(done, steps, f"{entry.id} on {where}")
            if entry.function_code and deployment.function is None:
                continue
            missing = [need for need in entry.needs if getattr(deployment, need) is None]
            if missing:
                skipped.append(entry.id)
                continue
            rule = rules.get(entry.id) or rules.setdefault(entry.id, load(entry.id)())
            ran.setdefault(id(deployment), set()).add(entry.id)
            raw.extend(f for f in _run_rule(rule, deployment, ctx, notes)
                       if inputs.in_scope(deployment, f))
        targets.append(_target_report(deployment, skipped))
    raw.extend(ctx.meta_findings)
    notes[:0] = inputs.notes
    notes.extend(dict.fromkeys(ctx.notes))
    line_of = _source_line_reader(inputs.artifacts.values(), ctx)
    used: set[tuple[str, str | None, int, str]] = set()
    raw = apply_comments(raw, line_of, used)
    if options.report_unused_ignores:
        raw += unused_suppressions(_own_sources(deployments, ran), used)
    artifacts = list(inputs.artifacts.values())
    lines: dict[Finding, str] = {}
    located = []
    for finding in raw:
        text = line_of(finding) if finding.line is not None else None
        finding = _located(finding, artifacts)
        if text is not None:
            lines[finding] = text
        located.append(finding)
    reported = apply_pass(located, config=config, baseline=baseline, lines=lines)
    for artifact in inputs.artifacts.values():
        if artifact.tree is not None:
            artifact.tree.close()
    threshold = options.severity_threshold or config.severity_threshold or Severity.WARNING
    report = Report(findings=reported, targets=targets, inputs=inputs.input_reports(),
                    files=len(inputs.artifacts), notes=list(dict.fromkeys(notes)),
                    sources=inputs.source_lines())
    return Result(report=report, exit_code=_exit_code(reported, threshold, notes),
                  threshold=threshold)


def _run_rule(rule: Rule, deployment: Deployment, ctx: Context, notes: list[str]) -> \
        list[Finding]:
    try:
        return list(rule.check(deployment, ctx))
    except Exception as exc:  # a bug in one rule must not hide the others' findings
        where = deployment.function.path if deployment.function else "the layers"
        notes.append(f"internal error: {rule.id} failed on {where}: "
                     f"{type(exc).__name__}: {exc}; please report this at the lambdalint "
                     "issue tracker")
        return []


def _exit_code(findings: list[ReportedFinding], threshold: Severity, notes: list[str]) -> int:
    if any(f.finding.rule in INPUT_ERRORS for f in findings):
        return 2
    if any(n.startswith("internal error") for n in notes):
        return 2
    if any(f.severity.rank >= threshold.rank for f in findings):
        return 1
    return 0


def _target_report(deployment: Deployment, skipped: list[str]) -> TargetReport:
    values = [(name, value) for name, value in (("runtime", deployment.runtime),
                                                ("architecture", deployment.architecture),
                                                ("handler", deployment.handler))
              if value is not None]
    return TargetReport(
        name=deployment.name,
        source=deployment.defined_at.describe() if deployment.defined_at else None,
        origins={name: value.origin.describe() for name, value in values},
        function=deployment.function.path if deployment.function else None,
        layers=tuple(layer.label for layer in deployment.attached_layers),
        runtime=deployment.runtime.value if deployment.runtime else None,
        architecture=deployment.architecture.value if deployment.architecture else None,
        handler=deployment.handler.value if deployment.handler else None,
        sources={name: value.source for name, value in values},
        skipped=tuple(skipped),
    )


# ---- configuration ---------------------------------------------------------------------


def _load_config(options: Options, problems: list[ConfigProblem]) -> Config:
    if options.config is not None:
        # Absolute from here on: config-relative paths are compared with the inputs' paths.
        path = options.cwd / options.config
        if not path.is_file():
            problems.append(ConfigProblem(f"config file {options.config} not found",
                                          COMMAND_LINE))
            return Config()
    else:
        found = config_module.discover(options.cwd)
        if found is None:
            return Config()
        path = found
    config = config_module.load(path, display(path, options.cwd))
    problems.extend(config.problems)
    return config


def _validate_options(options: Options, config: Config, problems: list[ConfigProblem]) -> None:
    if options.runtime is not None and options.runtime not in runtimes():
        problems.append(ConfigProblem(
            f"--runtime: unknown runtime {options.runtime!r} (known: {', '.join(runtimes())})",
            COMMAND_LINE))
        options.runtime = None
    if options.architecture is not None and options.architecture not in ARCHITECTURES:
        problems.append(ConfigProblem(
            f"--architecture: unknown architecture {options.architecture!r} "
            "(expected x86_64 or arm64)", COMMAND_LINE))
        options.architecture = None
    where = display(config.source, options.cwd) if config.source else COMMAND_LINE
    checks = [("--select", options.select or [], COMMAND_LINE),
              ("--ignore", options.ignore, COMMAND_LINE),
              ("--extend-select", options.extend_select, COMMAND_LINE),
              ("select", config.select or [], where),
              ("ignore", config.ignore, where),
              ("extend-select", config.extend_select, where),
              ("severity", list(config.severity), where)]
    checks += [(f"per-file-ignores.{glob}", ids, where)
               for glob, ids in config.per_file_ignores.items()]
    for label, selectors, source in checks:
        for selector in selectors:
            if not is_known_selector(selector):
                problems.append(ConfigProblem(
                    f"{label}: unknown rule id or prefix {selector!r} "
                    "(`lambdalint rules` lists them)", source))


def _located(finding: Finding, artifacts: Iterable[Artifact]) -> Finding:
    """A file on disk is named by its own path, as the user would type it
    (`src/app.py:7:10`); a zip's member stays the zip and the member."""

    def place(path: str, member: str | None) -> tuple[str, str | None]:
        # One folder may be read twice (as code, and mounted under python/ as a layer):
        # the tree that holds the member says where it is.
        holder = next((a for a in artifacts if a.path == path and a.tree is not None and
                       member is not None and member in a.tree.by_name), None)
        return holder.locate(member) if holder is not None and member is not None \
            else (path, member)

    path, member = place(finding.path, finding.member)
    related = tuple(replace(r, path=where[0], member=where[1])
                    for r in finding.related for where in [place(r.path, r.member)])
    return replace(finding, path=path, member=member, related=related)


def _own_sources(deployments: list[Deployment], ran: dict[int, set[str]]) -> \
        list[tuple[str, str, bytes, set[str]]]:
    """The function's own modules each deployment's code rules read, with the rules that
    ran on it: where suppression comments can be judged (path, member, source, rules)."""
    found: dict[tuple[str, str], tuple[str, str, bytes, set[str]]] = {}
    for deployment in deployments:
        code = deployment.views.code
        for module in code.modules if code is not None else ():
            key = (module.artifact.path, module.member.name)
            rules = ran.get(id(deployment), set())
            if key in found:
                found[key][3].update(rules)  # a module shared by several deployments
            else:
                found[key] = (*key, module.parsed.source, set(rules))
    return list(found.values())


def _source_line_reader(artifacts: Iterable[Artifact], ctx: Context) -> \
        Callable[[Finding], str | None]:
    """The source line a finding points at, read once per file (for suppressions): from
    the code model when it has read the module already, else from the artifact."""
    by_path = {a.path: a for a in artifacts}
    texts: dict[tuple[str, str | None], list[str]] = {}

    def line_of(finding: Finding) -> str | None:
        # (imported here: a run whose findings have no lines needs no code model)
        from lambdalint.model.code.modules import loaded

        key = (finding.path, finding.member)
        if key not in texts:
            texts[key] = []
            artifact = by_path.get(finding.path)
            tree = artifact.tree if artifact is not None else None
            member = tree.by_name.get(finding.member or "") if tree is not None else None
            module = loaded(artifact, member.name, ctx) \
                if artifact is not None and member is not None else None
            if module is not None:
                texts[key] = [line.decode("utf-8", "replace") for line in module.lines]
            elif artifact is not None and member is not None:
                data = ctx.read(artifact, member)
                texts[key] = data.decode("utf-8", "replace").splitlines() if data else []
        lines = texts[key]
        number = finding.line or 0
        return lines[number - 1] if 0 < number <= len(lines) else None

    return line_of
