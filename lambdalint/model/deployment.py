"""Inputs become artifacts; artifacts become deployments (function + ordered layers + target).

Every target value carries where it came from (the command line, the config, a template's
file and line, or inference), because a linter that guesses silently is worse than one that
says it could not tell.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lambdalint.data import Runtime, runtime
from lambdalint.model.archive import (
    ArchiveError,
    FolderTree,
    SingleFileTree,
    Tree,
    ZipTree,
    is_zip_file,
)
from lambdalint.model.spec import Event, ImageSpec, LayerSpec, Origin, Value, Variable
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.code.program import Code
    from lambdalint.model.importview import ImportView
    from lambdalint.model.inference import Evidence
    from lambdalint.model.public_layers import PublicLayer
    from lambdalint.model.resolution import Resolution

__all__ = ["FUNCTION", "LAYER", "Artifact", "AttachedLayer", "Deployment", "Value", "Views",
           "classify", "open_tree"]

FUNCTION = "function"
LAYER = "layer"

# Roots that Lambda gives meaning to when it extracts a layer into /opt.
LAYER_ROOTS = ("python/", "bin/", "lib/", "extensions/")


@record
class Artifact:
    """One input: a zip, a source folder or a Python file, and the role it plays."""

    path: str  # as shown to the user
    fs_path: Path
    role: str  # FUNCTION | LAYER
    classified_by: str  # flag | config | contents | file name | default
    tree: Tree | None = None  # None when unreadable
    error: str | None = None
    # What a layer declares when it is published (config or template); empty: nothing said.
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    # Views derived from the tree, built once however many deployments share the artifact.
    cache: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def readable(self) -> bool:
        return self.tree is not None

    def locate(self, member: str) -> tuple[str, str | None]:
        """Where a report places a member: a file on disk by its own path, as the user
        would type it (`src/app.py`, no member); a zip's member by the zip and the member."""
        relative = self.tree.file_of(member) if self.tree is not None else None
        if relative is None:
            return self.path, member
        return (posixpath.normpath(posixpath.join(self.path, relative)) if relative
                else self.path), None

    def where(self, member: str) -> str:
        """A member as a note names it: `src/app.py`, `fn.zip:app.py`."""
        path, inside = self.locate(member)
        return f"{path}:{inside}" if inside is not None else path

    @property
    def is_zip(self) -> bool:
        return isinstance(self.tree, ZipTree)

    @property
    def format(self) -> str:
        return self.tree.format if self.tree is not None else "unreadable"


@record(frozen=True)
class AttachedLayer:
    """One entry of the function's layer list: local content, or a layer known by ARN."""

    spec: LayerSpec
    artifact: Artifact | None = None  # the layer's zip or folder in the project
    public: PublicLayer | None = None  # a well-known public layer recognised by its ARN

    @property
    def label(self) -> str:
        if self.artifact is not None:
            return self.artifact.path
        return self.spec.arn or self.spec.name or "a layer"


@record
class Views:
    """What is worked out once per deployment and shared by its rules (typed, not keyed)."""

    import_view: ImportView | None = None  # sys.path as the runtime builds it
    resolution: Resolution | None = None  # how far the runtime gets with the handler
    code: Code | None = None  # the semantic model of the function's own code


@record
class Deployment:
    """What Lambda will run: function code, layers in attach order, and the target."""

    function: Artifact | None
    layers: list[Artifact]  # the layers whose content lambdalint can read, in attach order
    runtime: Value | None = None
    architecture: Value | None = None
    handler: Value | None = None
    events: tuple[Event, ...] = ()
    environment: dict[str, Variable] = field(default_factory=dict)  # the function's variables
    sdk_policy: str = "runtime"  # runtime | bundle: who provides boto3 (LL305)
    package_type: str = "zip"  # zip | image
    name: str | None = None  # logical id, function key or config name
    # Every attached layer in order, including those known only by ARN (None: `layers`).
    attached: list[AttachedLayer] | None = None
    function_name: Value | None = None  # the deployed name, when the template states it
    defined_at: Origin | None = None  # where the function is described
    environment_origin: Origin | None = None
    image: ImageSpec | None = None
    # Requirements files a build installs into the code (counted as provided, LL301).
    requirements: tuple[Path, ...] = ()
    # The code is a source folder that a build (sam build, a plugin, a Dockerfile) turns
    # into the package: what it declares is installed then, not missing now (LL306).
    from_source: bool = False
    # Target values the artifacts disagree on, with the evidence (reported by LL206).
    conflicts: dict[str, list[Evidence]] = field(default_factory=dict)
    views: Views = field(default_factory=Views, repr=False, compare=False)

    @property
    def artifacts(self) -> list[Artifact]:
        return ([self.function] if self.function else []) + self.layers

    def zips(self, *, layers_only: bool = False) -> Iterator[tuple[Artifact, Tree]]:
        """Readable zip artifacts with their trees: what gets uploaded, unlike source folders."""
        for artifact in self.layers if layers_only else self.artifacts:
            if artifact.tree is not None and artifact.is_zip:
                yield artifact, artifact.tree

    @property
    def attached_layers(self) -> list[AttachedLayer]:
        if self.attached is not None:
            return self.attached
        return [AttachedLayer(LayerSpec(Origin("flag")), artifact) for artifact in self.layers]

    @property
    def event_kinds(self) -> frozenset[str]:
        return frozenset(event.kind for event in self.events)

    def variable(self, name: str) -> Variable | None:
        return self.environment.get(name)

    @property
    def target_runtime(self) -> Runtime | None:
        return runtime(self.runtime.value) if self.runtime else None


# ---- reading inputs --------------------------------------------------------------------


def open_tree(fs_path: Path, *, max_entries: int, mount: str = "",
              include: Callable[[str], bool] | None = None) -> Tree:
    """Open an input for reading; ArchiveError says in one line why it cannot be read.

    ``mount`` places a folder's files under a prefix: a layer built from a source folder
    lands under python/; ``include`` keeps only the files a package holds."""
    if not fs_path.exists() and not fs_path.is_symlink():
        raise ArchiveError("no such file or folder")
    if fs_path.is_dir():
        return FolderTree(fs_path, max_entries=max_entries, mount=mount, include=include)
    if fs_path.suffix == ".py":
        return SingleFileTree(fs_path)
    if not fs_path.is_file():
        raise ArchiveError("not a regular file")
    if fs_path.suffix.lower() != ".zip" and not is_zip_file(fs_path):
        raise ArchiveError("not a zip archive, a folder or a Python file")
    return ZipTree(fs_path, max_entries=max_entries)


def classify(tree: Tree, display: str) -> tuple[str, str]:
    """Role of an input nobody declared: (role, why), as the README's "How zips are
    classified" says."""
    if tree.format != "zip":
        return FUNCTION, "default"
    names = [m.name for m in tree.members]
    if names and all(n.startswith(LAYER_ROOTS) for n in names):
        return LAYER, "contents"
    if "layer" in Path(display).name.lower():
        return LAYER, "file name"
    return FUNCTION, "default"
