"""sys.path as the Lambda Python runtime builds it, and where every top-level module comes from.

Container image functions have no layers: /var/task (what the image copies there), the
runtime's packages, the stdlib. Zip functions, PYTHONPATH unset (AWS Lambda docs, "Layer
paths for each Lambda runtime", and the runtime's own sys.path): /var/task
(the function), then each layer's
python/lib/python3.X/site-packages and python/ merged in attach order (a later layer wins per
file), then the runtime's bundled packages (/var/lang/lib/python3.X/site-packages on 3.11+,
/var/runtime before that), then the target Python's standard library. With PYTHONPATH set
the layer folders are not on sys.path at all (LL107).

This is the one place the rest of lambdalint asks "where does module X come from here?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdalint.data import Runtime, runtime_packages, stdlib_modules
from lambdalint.model.distributions import Distribution, distributions, read_metadata
from lambdalint.model.layout import VERSIONED_SITE_PACKAGES
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact, Deployment
    from lambdalint.model.requirements import Needed

FUNCTION_ROOT, LAYERS, RUNTIME, STDLIB = "function", "layer", "runtime", "stdlib"
_EXTENSION_TAIL = (".so", ".pyd")


@record(frozen=True)
class PathEntry:
    path: str  # as on Lambda: /var/task, /opt/python, …
    kind: str  # function | layer | runtime | stdlib
    prefix: str = ""  # the member prefix inside each artifact that lands at this path


@record(frozen=True)
class Copy:
    """One place a top-level module is found; the first copy in sys.path order wins."""

    module: str
    entry: PathEntry
    artifact: Artifact | None = None  # None for the runtime's own packages and the stdlib
    member: str | None = None  # the file or folder in the artifact
    layer: str | None = None  # a public layer known by its ARN, not by its content

    @property
    def where(self) -> str:
        if self.layer is not None:
            return f"{self.layer} ({self.entry.path})"
        if self.artifact is None:
            return f"{self.entry.path} ({self.entry.kind})"
        return f"{self.artifact.path}:{self.member} ({self.entry.path})"


@record
class InstalledDistribution:
    dist: Distribution
    artifact: Artifact | None  # None: bundled with the runtime (version unknown)
    entry: PathEntry

    @property
    def version(self) -> str | None:
        return self.dist.version if self.artifact is not None else None


@record
class ImportView:
    runtime: Runtime
    entries: list[PathEntry]
    layers_on_path: bool
    copies: dict[str, list[Copy]] = field(default_factory=dict)
    installed: dict[str, list[InstalledDistribution]] = field(default_factory=dict)
    searched: str = ""  # "function fn.zip, layers a.zip, b.zip, runtime python3.12 …"
    # Layers on sys.path whose full content lambdalint cannot see (an ARN it does not know,
    # a public layer that also carries its dependencies): a module may come from them.
    opaque_layers: list[str] = field(default_factory=list)
    needed: list[Needed] | None = None  # filled by model.requirements.needed

    def provider(self, module: str) -> Copy | None:
        """Where ``import module`` is served from (first dotted part), or None."""
        found = self.copies.get(module.split(".", 1)[0])
        return found[0] if found else None

    def distribution(self, key: str) -> InstalledDistribution | None:
        """The copy of a distribution that wins, by normalized name."""
        found = self.installed.get(key)
        return found[0] if found else None


def import_view(deployment: Deployment, ctx: Context) -> ImportView | None:
    """The deployment's import view; None without a runtime (sys.path depends on it)."""
    runtime = deployment.target_runtime
    if runtime is None:
        return None
    if deployment.views.import_view is not None:
        return deployment.views.import_view
    pythonpath = deployment.variable("PYTHONPATH")
    # Images have no layers; for zips the bootstrap adds /opt only without PYTHONPATH.
    image = deployment.package_type == "image"
    layers_on_path = (pythonpath is None or lists_layers(pythonpath.value)) and not image
    bundled_path = runtime_packages().location(runtime)
    entries = [PathEntry("/var/task", FUNCTION_ROOT)]
    if layers_on_path:
        versioned = f"python/lib/python{runtime.python_version}/site-packages/"
        entries += [PathEntry(f"/opt/{versioned.rstrip('/')}", LAYERS, versioned),
                    PathEntry("/opt/python", LAYERS, "python/")]
    # On 3.8-3.10 the bundled SDK lives in /var/runtime, which is on sys.path through the
    # runtime's own PYTHONPATH: a PYTHONPATH the function sets without it loses the SDK too.
    if layers_on_path or image or bundled_path != "/var/runtime" or \
            "/var/runtime" in (pythonpath.value or "" if pythonpath else ""):
        entries.append(PathEntry(bundled_path, RUNTIME))
    entries.append(PathEntry(f"python{runtime.python_version} standard library", STDLIB))
    view = ImportView(runtime=runtime, entries=entries, layers_on_path=layers_on_path)
    for entry in entries:
        _add_entry(view, entry, deployment, ctx)
    if layers_on_path:
        # A layer built from the requirements (serverless-python-requirements) holds what
        # they declare, which counts as provided: it is not unknown.
        view.opaque_layers = [a.label for a in deployment.attached_layers
                              if a.artifact is None and not a.spec.from_source
                              and (a.public is None or not a.public.complete)]
    layer_names = ", ".join(a.label for a in deployment.attached_layers) or "none"
    layers = ("no layers (container image)" if image else
              f"layers ({layer_names}"
              f"{'' if layers_on_path else ': not on sys.path, PYTHONPATH is set'})")
    view.searched = (f"the function ({deployment.function.path if deployment.function else '-'})"
                     f", {layers}, "
                     f"the {runtime.id} runtime's bundled packages and its standard library")
    deployment.views.import_view = view
    return view


def _add_entry(view: ImportView, entry: PathEntry, deployment: Deployment,
               ctx: Context) -> None:
    if entry.kind == STDLIB:
        for name in stdlib_modules(view.runtime.python):
            view.copies.setdefault(name, []).append(Copy(name, entry))
        return
    if entry.kind == RUNTIME:
        for name, dist_name in runtime_packages().bundled(view.runtime).items():
            view.copies.setdefault(name, []).append(Copy(name, entry))
            bundled = Distribution(name=dist_name, version="", dist_info="", root="")
            view.installed.setdefault(bundled.key, []).append(
                InstalledDistribution(bundled, None, entry))
        return
    if entry.kind == LAYERS:
        _add_public_layers(view, entry, deployment)
    artifacts = ([deployment.function] if entry.kind == FUNCTION_ROOT and deployment.function
                 else [] if entry.kind == FUNCTION_ROOT
                 else list(reversed(deployment.layers)))  # the last layer wins per file
    for artifact in artifacts:
        if artifact.tree is None:
            continue
        for name, member in _top_levels(artifact, entry).items():
            view.copies.setdefault(name, []).append(Copy(name, entry, artifact, member))
        for dist in distributions(artifact, ctx):
            if (dist.root or "") == entry.prefix:
                read_metadata(artifact, dist, ctx)
                view.installed.setdefault(dist.key, []).append(
                    InstalledDistribution(dist, artifact, entry))


def lists_layers(pythonpath: str | None) -> bool:
    """A PYTHONPATH that names /opt/python puts the layers back on sys.path itself."""
    return pythonpath is not None and "/opt/python" in \
        [entry.rstrip("/") for entry in pythonpath.split(":")]


def _add_public_layers(view: ImportView, entry: PathEntry, deployment: Deployment) -> None:
    """What well-known public layers attached by ARN put at this entry, from the data table
    (their zips are not in the project)."""
    versioned = entry.prefix != "python/"
    for attached in reversed(deployment.attached_layers):
        public = attached.public
        if public is None or public.kind != "python":
            continue
        if (public.install == "site-packages") != versioned:
            continue
        if versioned and public.runtimes and view.runtime.id not in public.runtimes:
            continue  # python/lib/python3.X/site-packages is seen by that minor only
        label = f"{public.publisher} layer {public.name}"
        for name in sorted(public.modules):
            view.copies.setdefault(name, []).append(Copy(name, entry, layer=label))


def _top_levels(artifact: Artifact, entry: PathEntry) -> dict[str, str]:
    """Top-level importable names an artifact puts at one sys.path entry → a member."""
    cache_key = f"top_levels:{entry.prefix}"
    cached = artifact.cache.get(cache_key)
    if isinstance(cached, dict):
        return cached
    assert artifact.tree is not None
    found: dict[str, str] = {}
    folders: dict[str, str] = {}
    with_code: set[str] = set()  # folders holding Python code: data folders import nothing
    prefix = entry.prefix
    for member in artifact.tree.members:
        name = member.name
        if not name.startswith(prefix):
            continue
        if entry.kind == LAYERS and prefix == "python/" and VERSIONED_SITE_PACKAGES.match(name):
            continue  # python/lib/python3.X/site-packages is its own entry
        rest = name[len(prefix):]
        head, slash, _ = rest.partition("/")
        if not head or head.endswith((".dist-info", ".egg-info", ".data")) or \
                head == "__pycache__":
            continue
        if slash:  # a folder: a package, or a namespace package portion
            folders.setdefault(head, prefix + head + "/")
            if rest.endswith((".py", ".pyc", *_EXTENSION_TAIL)):
                with_code.add(head)
        elif head.endswith((".py", ".pyc")):
            found.setdefault(head.rsplit(".", 1)[0], name)
        elif head.endswith(_EXTENSION_TAIL):
            found.setdefault(head.split(".", 1)[0], name)
    for head, folder in folders.items():
        if head in with_code:
            found.setdefault(head, folder)
    artifact.cache[cache_key] = found
    return found
