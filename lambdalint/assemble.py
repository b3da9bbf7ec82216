"""Inputs become deployments: what the user named, merged with what their files describe.

Where a deployment comes from, in order: the paths and flags on the command line; else the
config's ``[[function]]`` tables; else the project's own description (a SAM/CloudFormation
template, a CDK cloud assembly, serverless.yml, a Dockerfile); else the current folder.
A path on the command line that lies inside a described function's code is checked as part
of that function — with its runtime, handler and layers — and only findings about that
path are kept. Values merge as flag > config > template > Lambda's default > inference.

Every input is opened once, however many deployments share it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lambdalint import discover
from lambdalint.config import Config
from lambdalint.discover.config import function_specs as config_specs
from lambdalint.discover.flags import function_specs as flag_specs
from lambdalint.finding import Finding, InputReport
from lambdalint.model.archive import ArchiveError
from lambdalint.model.deployment import (
    FUNCTION,
    LAYER,
    Artifact,
    AttachedLayer,
    Deployment,
    classify,
    open_tree,
)
from lambdalint.model.spec import (
    CONFIG,
    FLAG,
    Discovery,
    Event,
    FunctionSpec,
    LayerSpec,
    Origin,
    PackageFilter,
    Value,
    Variable,
)
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.engine import Options

PYTHON_LAYER_ROOT = "python/"


@record(frozen=True)
class Scope:
    """Findings kept for a path given inside a described function: that file or folder."""

    artifact: str  # the function's artifact as shown
    member: str  # the path inside it ("" for the whole artifact)

    def covers(self, finding: Finding) -> bool:
        if finding.path != self.artifact:
            return False
        if not self.member:
            return True
        member = finding.member or ""
        return member == self.member or member.startswith(self.member.rstrip("/") + "/")


@record
class Inputs:
    options: Options
    config: Config
    # By path, and by how a folder is read (mounted under python/, filtered by a package).
    artifacts: dict[tuple[Path, str, PackageFilter | None], Artifact] = \
        field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    discoveries: list[Discovery] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Paths attributed to a described function: only findings inside them are reported
    # for that function's deployment (by id).
    scopes: dict[int, list[Scope]] = field(default_factory=dict)
    project: discover.Project = field(init=False)
    # Each described function's deployment, made once (by id of its spec or config table).
    made: dict[int, Deployment] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.project = discover.Project(root=discover.project_root(self.options.cwd),
                                        cwd=self.options.cwd)
        self.config_display = self.project.display(self.config.source) \
            if self.config.source else None
        self.configured = config_specs(self.config, self.config_display)

    # -- artifacts -------------------------------------------------------------------------

    def artifact(self, given: str | Path, role: str | None, by: str, *,
                 mount: str = "", package: PackageFilter | None = None) -> Artifact:
        fs_path = Path(given) if Path(given).is_absolute() else self.options.cwd / given
        key = Path(os.path.normpath(fs_path))
        existing = self.artifacts.get((key, mount, package))
        if existing is not None:
            return existing
        display = (self.project.display(key) if isinstance(given, Path)
                   else _normalise(given))
        artifact = Artifact(path=display, fs_path=key, role=role or FUNCTION, classified_by=by)
        try:
            artifact.tree = open_tree(key, max_entries=self.config.max_entries, mount=mount,
                                      include=package.includes if package else None)
        except ArchiveError as exc:
            artifact.error = str(exc)
        except OSError as exc:
            artifact.error = f"cannot read: {exc.strerror or exc}"
        if artifact.tree is None:
            self.findings.append(Finding(rule="LL001", path=display,
                                         message=f"{display}: {artifact.error}"))
        elif role is None:
            artifact.role, artifact.classified_by = classify(artifact.tree, display)
        for declared in self.config.layers:
            if Path(os.path.normpath(declared.path)) == key:
                artifact.compatible_runtimes = declared.compatible_runtimes
                artifact.compatible_architectures = declared.compatible_architectures
        self.artifacts[(key, mount, package)] = artifact
        return artifact

    # -- deployments -----------------------------------------------------------------------

    def deployments(self) -> list[Deployment]:
        opts = self.options
        sources: list[tuple[str, Path]] = []
        code_paths: list[str] = []
        for given in opts.paths:
            path = self._absolute(given)
            kind = discover.kind_of(path)
            if kind == discover.CDK and not discover.is_dir(path):
                path = path.parent  # cdk.out/manifest.json: the cloud assembly
            # A folder that holds its own description (`lambdalint check .` in a SAM
            # project) is that project, as `lambdalint check` there would be.
            found = (kind, path) if kind is not None else \
                discover.source_in(path) if discover.is_dir(path) and not opts.functions else None
            if found is not None:
                sources.append(found)
            else:
                code_paths.append(given)
        described: list[FunctionSpec] = []
        for kind, path in sources:
            described += self._read(kind, path)
        if not opts.paths and not opts.functions and not opts.layers:
            return self._described_project()
        deployments = [self._from_spec(spec) for spec in described]
        if code_paths and not opts.functions and not opts.layers:
            code_paths = self._attribute(code_paths, deployments)
        if code_paths or opts.functions or opts.layers:
            deployments += self._explicit(code_paths)
        return deployments

    def _absolute(self, path: str) -> Path:
        return Path(path) if Path(path).is_absolute() else self.options.cwd / path

    def _read(self, kind: str, path: Path) -> list[FunctionSpec]:
        # What a template may name is bounded by its own project: the repository holding
        # it (or its folder), wherever lambdalint runs from.
        root = discover.project_root(path if discover.is_dir(path) else path.parent)
        project = discover.Project(root=root, cwd=self.options.cwd)
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            real = path
        if not discover.inside(real, root.resolve()):
            shown = project.display(path)
            self.findings.append(Finding(rule="LL003", path=shown, message=(
                f"{shown} is a symlink out of its project: not read")))
            return []
        try:
            discovery = discover.read_source(kind, path, project)
        except OSError as exc:  # a path the file system refuses (a name too long…)
            shown = project.display(path)
            self.findings.append(Finding(rule="LL003", path=shown, message=(
                f"{shown}: a path it names cannot be read: {exc.strerror or exc}")))
            return []
        self.discoveries.append(discovery)
        for problem in discovery.problems:
            self.findings.append(Finding(rule="LL003", path=problem.origin.file or
                                         discovery.source, line=problem.origin.line,
                                         column=problem.origin.column,
                                         message=problem.message))
        self.notes.extend(discovery.notes)
        return discovery.functions

    def _described_project(self) -> list[Deployment]:
        """`lambdalint check` with no PATH: the config's functions, else the project's own
        description, else the current folder."""
        if self.configured:
            return [self._from_spec(spec) for spec in self.configured]
        specs = self._project_specs()
        if specs is not None:
            return [self._from_spec(spec) for spec in specs]
        if discover.cdk_app_without_output(self.options.cwd):
            # The app's own source is not a function: nothing to check until it is synthesized.
            self.notes.append("this is a CDK app without a cloud assembly: run `cdk synth` "
                              "first, then lambdalint reads cdk.out")
            return []
        return [self._deployment(self.artifact(".", FUNCTION, "default"), [], None)]

    def _project_specs(self) -> list[FunctionSpec] | None:
        found = discover.find_source(self.options.cwd)
        if found is None:
            return None
        return self._read(*found)

    def _attribute(self, paths: list[str], deployments: list[Deployment]) -> list[str]:
        """Attach each code path lying inside a described function's code, or a described
        layer's content, to the functions it belongs to (only its findings are shown, as a
        per-file pre-commit hook needs); the paths no function claims are returned. A
        Python file outside every function of a described project (a test, a script) is
        not function code: it is left out with a note."""
        if self.configured:
            specs = self.configured
        elif self.discoveries:
            specs = [spec for discovery in self.discoveries for spec in discovery.functions]
        else:
            specs = self._specs_for(paths)
        # (where the content is, the spec, the layer it is — None for the function's code)
        candidates: list[tuple[Path, FunctionSpec, LayerSpec | None]] = []
        for spec in specs:
            if spec.code is not None:
                candidates.append((Path(os.path.normpath(spec.code)), spec, None))
            candidates += [(Path(os.path.normpath(layer.path)), spec, layer)
                           for layer in spec.layers if layer.path is not None]
        # Deployments whose whole code was named, or whose template was: no scope.
        whole: set[int] = {id(d) for d in deployments}
        built: list[Deployment] = []
        left: list[str] = []
        for given in paths:
            target = Path(os.path.normpath(self._absolute(given)))
            claimed = False
            for content, spec, layer in candidates:
                if target != content and content not in target.parents:
                    continue
                claimed = True
                deployment = self._from_spec(spec)
                if deployment not in deployments:
                    deployments.append(deployment)
                    built.append(deployment)
                artifact = deployment.function if layer is None else next(
                    (a.artifact for a in deployment.attached_layers if a.spec is layer), None)
                if artifact is None:
                    continue
                if target == content and layer is None:
                    whole.add(id(deployment))
                    continue
                member = "" if target == content else \
                    getattr(artifact.tree, "mount", "") + \
                    target.relative_to(content).as_posix() + \
                    ("/" if discover.is_dir(target) else "")
                self.scopes.setdefault(id(deployment), []).append(
                    Scope(artifact.path, member))
            if not claimed:
                left.append(given)
        for key in whole:
            self.scopes.pop(key, None)
        if specs:
            outside = [p for p in left if p.endswith(".py") and not discover.is_dir(
                self._absolute(p))]
            for given in outside:
                self.notes.append(f"{given} is not in the code of any function the project "
                                  "describes: not checked (a test or a script is not "
                                  "function code)")
            left = [p for p in left if p not in outside]
        if built and not any(self.artifact(p, None, "").role == FUNCTION for p in left):
            return []  # leftover layers belong to the functions found
        return left

    def _specs_for(self, paths: list[str]) -> list[FunctionSpec]:
        """The functions the project descriptions nearest to the paths describe (each
        path's folder and its parents up to the git root; then the current folder's)."""
        starts = [self._absolute(p) for p in paths]
        starts = [p if discover.is_dir(p) else p.parent for p in starts]
        read: set[Path] = set()
        specs: list[FunctionSpec] = []
        for start in [*starts, self.options.cwd]:
            found = discover.find_source(start)
            if found is None or found[1] in read:
                continue
            read.add(found[1])
            specs += self._read(*found)
        return specs

    def _explicit(self, paths: list[str]) -> list[Deployment]:
        """The command line's deployments; PATHs are sorted into functions and layers by
        their contents or file name (opened once here, as the user named them)."""
        opts = self.options
        explicit_layers = [self.artifact(p, LAYER, "flag") for p in opts.layers]
        functions = [self.artifact(p, FUNCTION, "flag") for p in opts.functions]
        positional = [self.artifact(p, None, "") for p in paths]
        functions += [a for a in positional if a.role == FUNCTION]
        layers = explicit_layers + [a for a in positional if a.role == LAYER]
        specs = flag_specs([a.fs_path for a in functions], [a.fs_path for a in layers],
                           self._configured)
        return [self._from_spec(spec) for spec in specs]

    def _configured(self, code: Path) -> FunctionSpec | None:
        """The [[function]] table describing this code, if any."""
        for spec in self.configured:
            if spec.code is not None and Path(os.path.normpath(spec.code)) == code:
                return spec
        return None

    def _from_spec(self, spec: FunctionSpec) -> Deployment:
        """A described function, made once. One whose code is not in the project (S3,
        inline) is still a deployment: its runtime, layers, environment and triggers are
        checked."""
        if id(spec) in self.made:
            return self.made[id(spec)]
        function = None
        if spec.code is not None:
            function = self.artifact(spec.code, FUNCTION, _by(spec.origin),
                                     package=spec.package_filter)
        elif spec.origin.source != FLAG:  # from the command line: layers on their own
            self.notes.append(f"{spec.origin.describe()}: {spec.name}: "
                              f"{spec.code_note or 'the code is not in the project'}; "
                              "its code was not checked")
        attached = [self._attach(layer) for layer in spec.layers]
        deployment = self._deployment(
            function, [a.artifact for a in attached if a.artifact is not None], spec)
        deployment.attached = attached
        self.made[id(spec)] = deployment
        return deployment

    def _attach(self, layer: LayerSpec) -> AttachedLayer:
        if layer.path is not None:
            mount = PYTHON_LAYER_ROOT if layer.from_source and discover.is_dir(layer.path) \
                and not discover.is_dir(layer.path / "python") else ""
            artifact = self.artifact(layer.path, LAYER, _by(layer.origin), mount=mount)
            if layer.compatible_runtimes or layer.compatible_architectures:
                artifact.compatible_runtimes = layer.compatible_runtimes
                artifact.compatible_architectures = layer.compatible_architectures
            return AttachedLayer(layer, artifact)
        public = None
        if layer.arn is not None:
            from lambdalint.model.public_layers import identify

            public = identify(layer.arn)
        if public is None and not layer.from_source:
            what = layer.arn or layer.name or "decided at deploy time"
            self.notes.append(f"{layer.origin.describe()}: layer {what}: contents unknown "
                              "(not a layer in the project, nor a public layer lambdalint "
                              "knows)")
        return AttachedLayer(layer, public=public)

    def _deployment(self, function: Artifact | None, layers: list[Artifact],
                    spec: FunctionSpec | None = None) -> Deployment:
        """Merge a function's values: command line > config > template > default >
        inference (the last is the engine's, for what is still unknown)."""
        opts, config = self.options, self.config
        at_config = Origin(CONFIG, self.config_display)
        own = spec is not None and spec.origin.source == CONFIG  # a [[function]] table

        def pick(flag: str | None, shared: str | None, described: Value | None,
                 key: str) -> Value | None:
            if flag is not None:
                return Value(flag, Origin(FLAG))
            if own and described is not None:
                return described
            if shared is not None:
                return Value(shared, Origin(CONFIG, self.config_display, path=config.source,
                                            key=config.key(key)))
            return described

        shared_environment = {name: Variable(name, text, at_config)
                              for name, text in config.environment.items()}
        described_environment = dict(spec.environment) if spec else {}
        environment = ({**shared_environment, **described_environment} if own
                       else {**described_environment, **shared_environment})
        if spec is not None:
            self._check_known(spec)
        events = tuple(spec.events) if spec and (own or not config.events) and spec.events \
            else tuple(Event(kind, at_config) for kind in config.events)
        return Deployment(
            function=function, layers=layers,
            runtime=pick(opts.runtime, config.runtime, spec.runtime if spec else None,
                         "runtime"),
            architecture=pick(opts.architecture, config.architecture,
                              spec.architecture if spec else None, "architecture"),
            handler=pick(opts.handler, config.handler, spec.handler if spec else None,
                         "handler"),
            events=events,
            environment=environment,
            sdk_policy=config.sdk,
            package_type=spec.package_type if spec else "zip",
            name=spec.name if spec else None,
            function_name=spec.function_name if spec else None,
            defined_at=spec.origin if spec and spec.origin.source not in (CONFIG, FLAG)
            else None,
            environment_origin=spec.environment_origin if spec else None,
            image=spec.image if spec else None,
            requirements=spec.requirements if spec else (),
            from_source=spec.from_source if spec else False,
        )

    def _check_known(self, spec: FunctionSpec) -> None:
        """A runtime or architecture a source names that Lambda does not have is LL003 at
        its line, and unknown from then on (the rules' data tables have no row for it)."""
        from lambdalint.data import ARCHITECTURES, runtimes

        for label, value, known in (("runtime", spec.runtime, runtimes()),
                                    ("architecture", spec.architecture, ARCHITECTURES)):
            if value is None or value.value in known:
                continue
            origin = value.origin
            self.findings.append(Finding(
                rule="LL003", path=origin.file or "-", line=origin.line, column=origin.column,
                message=(f"{spec.name or 'the function'}: unknown {label} {value.value!r} "
                         f"(known: {', '.join(known)})")))
            setattr(spec, label, None)

    # -- the report ------------------------------------------------------------------------

    def input_reports(self) -> list[InputReport]:
        return [InputReport(path=a.path, role=a.role if a.readable else "unreadable",
                            format=a.format, classified_by=a.classified_by,
                            entries=len(a.tree.members) if a.tree else 0,
                            unzipped_bytes=a.tree.unzipped_size if a.tree else 0)
                for a in self.artifacts.values()]

    def source_lines(self) -> list[str]:
        """What each project description contributed, for the text report."""
        lines = []
        for discovery in self.discoveries:
            count = len(discovery.functions)
            others = len(discovery.other_functions)
            other = (f"; {others} function{'s' if others != 1 else ''} in another language "
                     f"not checked ({', '.join(discovery.other_functions)})" if others else "")
            lines.append(f"{discovery.source} ({_KIND_WORDS.get(discovery.kind, discovery.kind)})"
                         f": {count} Python function{'s' if count != 1 else ''}{other}")
        return lines

    def in_scope(self, deployment: Deployment, finding: Finding) -> bool:
        """For a function reached through a path inside its code, only what concerns that
        path (what a per-file pre-commit hook passes) is kept."""
        scopes = self.scopes.get(id(deployment))
        return scopes is None or any(scope.covers(finding) for scope in scopes)


_KIND_WORDS = {"sam": "SAM template", "cloudformation": "CloudFormation template",
               "cdk": "CDK cloud assembly", "serverless": "Serverless Framework",
               "dockerfile": "container image"}


def _by(origin: Origin) -> str:
    """How an input was classified, for the report: by a flag, the config or a template."""
    return {CONFIG: "config", FLAG: "flag"}.get(origin.source, "template")


def _normalise(given: str) -> str:
    text = given.replace(os.sep, "/")
    while text.startswith("./"):
        text = text[2:]
    return text or "."
