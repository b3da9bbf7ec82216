from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lambdalint.advice import pip_install
from lambdalint.data import Runtime
from lambdalint.finding import Finding, Severity
from lambdalint.model.archive import Tree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.layout import VERSIONED_SITE_PACKAGES, is_importable, package_names
from lambdalint.rules import Rule


class LayerSitePackagesVersion(Rule):
    """
    ## What it does
    Checks that a layer which installs into `python/lib/python3.X/site-packages/` does so for
    the function's Python version. A layer that carries folders for several versions (one of
    them the function's) is fine.

    ## Why is this bad?
    Lambda puts only `/opt/python/lib/python3.X/site-packages` for the runtime's own `3.X` on
    `sys.path`. A layer built into `python/lib/python3.11/site-packages` is invisible to a
    `python3.12` function: `Runtime.ImportModuleError: No module named 'requests'`.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/lib/python3.11/site-packages/requests/__init__.py
        python/lib/python3.11/site-packages/requests-2.32.3.dist-info/METADATA
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/lib/python3.12/site-packages/requests/__init__.py
        python/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA
    ```

    ## Fix
    Rebuild the layer for the runtime's Python (the finding shows the pip command), or install
    into the version-independent `python/` folder when the packages are pure Python.

    ## References
    - [Layer paths for each Lambda runtime](https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths)
    """

    id = "LL102"
    name = "layer-site-packages-version"
    severity = Severity.ERROR
    summary = "Layer installs into python/lib/python3.X/site-packages for another Python version"
    needs = ("runtime",)
    tags = ("packaging", "layers")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None
        arch = deployment.architecture.value if deployment.architecture else None
        for layer, tree in deployment.zips(layers_only=True):
            yield from self.once_per_artifact(layer, f"{runtime.id}:{arch}", self._in, tree,
                                              runtime, arch)

    def _in(self, layer: Artifact, tree: Tree, runtime: Runtime,
            arch: str | None) -> Iterator[Finding]:
        by_version: dict[str, list[str]] = defaultdict(list)
        for member in tree.files():
            match = VERSIONED_SITE_PACKAGES.match(member.name)
            if match and is_importable(member.name):
                by_version[match.group(1)].append(member.name)
        if not by_version or runtime.python_version in by_version:
            return
        for version, names in sorted(by_version.items()):
            folder = f"python/lib/python{version}/site-packages/"
            yield self.finding(
                layer, member=folder, key=version,
                message=(f"{folder} is not on sys.path for {runtime.id}: Lambda adds only "
                         f"{runtime.site_packages} and python/, so "
                         f"{package_names(names, folder)} cannot be imported; rebuild the "
                         f"layer for Python {runtime.python_version}"),
                fix=pip_install(runtime, arch, runtime.site_packages.rstrip("/")))
