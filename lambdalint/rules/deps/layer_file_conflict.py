from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import LAYER, Artifact, Deployment
from lambdalint.model.importview import Copy, InstalledDistribution, import_view
from lambdalint.model.layout import site_root, top_level
from lambdalint.rules import Rule


class LayerFileConflict(Rule):
    """
    ## What it does
    Finds what several layers (or a layer and the function) provide twice, and says which
    copy wins: a file at the same path in two layers with different content (the later
    layer's copy wins, file by file), a package in both the function and a layer (the
    function's wins: `/var/task` comes first), and one distribution installed in two
    versions by two layers, which is an **error**: both are extracted into `/opt/python`,
    so the files of the two versions are mixed.

    ## Why is this bad?
    Which copy runs depends on the attach order, and what was tested is not what runs.
    Mixed files of two versions of a package break in ways that look like bugs in it.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip old-layer.zip new-layer.zip
    function.zip:
        app.py
    old-layer.zip:
        python/urllib3/__init__.py  text=__version__ = "1.26.20"
        python/urllib3-1.26.20.dist-info/RECORD  text=urllib3/__init__.py,,
    new-layer.zip:
        python/urllib3/__init__.py  text=__version__ = "2.2.3"
        python/urllib3-2.2.3.dist-info/RECORD  text=urllib3/__init__.py,,
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip new-layer.zip
    function.zip:
        app.py
    new-layer.zip:
        python/urllib3/__init__.py  text=__version__ = "2.2.3"
        python/urllib3-2.2.3.dist-info/RECORD  text=urllib3/__init__.py,,
    ```

    ## Fix
    Install each distribution in one place only: one layer for shared dependencies built from
    one resolved set of requirements, and the function without them.

    ## References
    - [Lambda layers: "the last extracted layer wins"](https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html)
    """

    id = "LL304"
    name = "layer-file-conflict"
    severity = Severity.WARNING
    summary = "Layers (or a layer and the function) provide the same files: says which wins"
    needs = ("runtime",)
    tags = ("dependencies", "layers")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        mixed: set[str] = set()
        for _, copies in sorted(view.installed.items()):
            in_layers = [c for c in copies if c.artifact is not None
                         and c.artifact.role == LAYER]
            if len({c.dist.version for c in in_layers}) > 1:
                mixed |= {c.dist.root + top for c in in_layers for top in c.dist.top_levels}
                yield self._two_versions(in_layers)
        yield from self._function_shadows_layers(deployment, view.copies)
        yield from self._same_files(deployment, mixed, ctx)

    def _two_versions(self, copies: list[InstalledDistribution]) -> Finding:
        winner = copies[0]  # the later layer: its files overwrite the earlier one's
        assert winner.artifact is not None
        versions = " and ".join(f"{c.dist.version} ({c.artifact.path})"
                                for c in reversed(copies) if c.artifact is not None)
        return self.finding(
            winner.artifact, member=winner.dist.dist_info, key=winner.dist.key,
            severity=Severity.ERROR,
            message=(f"{winner.dist.name} is installed in two versions by the layers, "
                     f"{versions}: both are extracted into /opt, so its files are a mix of "
                     f"the two; files of {winner.artifact.path} win where they overlap"),
            related=tuple(Related(path=c.artifact.path, member=c.dist.dist_info,
                                  message=f"{c.dist.name} {c.dist.version}")
                          for c in copies[1:] if c.artifact is not None),
            fix=f"install {winner.dist.name} in one layer only")

    def _function_shadows_layers(self, deployment: Deployment,
                                 copies: dict[str, list[Copy]]) -> Iterator[Finding]:
        function = deployment.function
        if function is None:
            return
        for name, found in sorted(copies.items()):
            if len(found) < 2 or found[0].artifact is not function:
                continue
            shadowed = [(c.artifact.path, c.member) for c in found[1:]
                        if c.artifact is not None and c.artifact.role == LAYER]
            if not shadowed:
                continue
            yield self.finding(
                function, member=found[0].member, key=f"shadow:{name}",
                message=(f"{name} is in the function and in {len(shadowed)} layer"
                         f"{'s' if len(shadowed) > 1 else ''} "
                         f"({', '.join(path for path, _ in shadowed)}): the function's "
                         "copy wins (/var/task comes first) and the layers' copies are "
                         "never used"),
                related=tuple(Related(path=path, member=member, message="shadowed")
                              for path, member in shadowed),
                fix=f"keep {name} in one place")

    def _same_files(self, deployment: Deployment, mixed: set[str],
                    ctx: Context) -> Iterator[Finding]:
        """Files at one path in several layers with different content, grouped per package."""
        conflicts: dict[tuple[str, str], list[str]] = defaultdict(list)
        for name, found in _differing_files(deployment, ctx):
            root = site_root(found[0][0], name) or ""
            top = root + top_level(name, root)
            if top in mixed:
                continue  # already reported as two versions of one distribution
            conflicts[(top, "\0".join(layer.path for layer, _ in found))].append(name)
        for (top, layers_key), names in sorted(conflicts.items()):
            layers = layers_key.split("\0")  # attach order: the last one wins
            yield self.finding(
                next(a for a in deployment.layers if a.path == layers[-1]),
                member=names[0], key=f"files:{top}:{layers_key}",
                message=(f"{len(names)} file{'s' if len(names) > 1 else ''} under {top} "
                         f"differ between layers {', '.join(layers)}: the copies of "
                         f"{layers[-1]} (attached last) win"),
                fix="build the layers so that each file comes from one layer")


def _differing_files(deployment: Deployment,
                     ctx: Context) -> list[tuple[str, list[tuple[Artifact, int]]]]:
    """Paths under python/ that several of the layers hold with different content, in
    attach order; computed once per list of layers (the functions of a template mostly
    share theirs)."""
    layers = list(deployment.zips(layers_only=True))
    cache = ctx.cache.setdefault("differing_layer_files", {})
    assert isinstance(cache, dict)
    key = tuple(id(layer) for layer, _ in layers)
    if key not in cache:
        places: dict[str, list[tuple[Artifact, int]]] = defaultdict(list)
        for layer, tree in layers:
            for member in tree.files():
                if member.name.startswith("python/") and "__pycache__" not in member.name:
                    places[member.name].append((layer, member.crc))
        cache[key] = [(name, found) for name, found in places.items()
                      if len(found) > 1 and len({crc for _, crc in found}) > 1]
    found: list[tuple[str, list[tuple[Artifact, int]]]] = cache[key]
    return found
