from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lambdalint.advice import entry_fix, moved, rezip_folder_as
from lambdalint.finding import Applicability, Finding, Severity
from lambdalint.model.archive import Tree, ZipTree
from lambdalint.model.context import Context
from lambdalint.model.deployment import LAYER_ROOTS, Artifact, Deployment
from lambdalint.model.layout import is_importable, misplaced_root, package_names
from lambdalint.rules import Rule


class LayerMissingPythonPrefix(Rule):
    """
    ## What it does
    Checks that a layer's importable content (packages, modules, extension modules,
    `*.dist-info`) sits under `python/` or `python/lib/python3.X/site-packages/`. Also
    catches a virtualenv's `site-packages/…` or `lib/python3.X/site-packages/…` zipped at the
    root, and a layer zipped from the folder *holding* `python/` (`build/python/…`).

    ## Why is this bad?
    Lambda extracts every layer into `/opt`, and for Python only `/opt/python` and
    `/opt/python/lib/python3.X/site-packages` are on `sys.path`. Anything else in the layer is
    on disk but not importable: the function fails at cold start with
    `Runtime.ImportModuleError: No module named 'requests'`.

    ## Example
    A layer zipped from inside the folder pip installed into:
    ```deployment
    lambdalint check requests-layer.zip
    requests-layer.zip:
        requests/__init__.py
        requests/api.py
        requests-2.32.3.dist-info/METADATA
    ```

    ## Use instead
    ```deployment
    lambdalint check requests-layer.zip
    requests-layer.zip:
        python/requests/__init__.py
        python/requests/api.py
        python/requests-2.32.3.dist-info/METADATA
    ```

    ## Fix
    Install into a `python/` folder and zip that folder, not its contents:
    `pip install -r requirements.txt --target build/python`, then
    `cd build && zip -r ../layer.zip python`.
    The finding's fix line repackages the existing zip in place; `lambdalint check --fix`
    moves the entries under `python/` in the zip itself (each entry's compressed bytes and
    timestamp kept), unless a moved entry's new name is already taken.

    ## References
    - [Packaging your layer content: layer paths for Python](https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html)
    - [Working with layers for Python Lambda functions](https://docs.aws.amazon.com/lambda/latest/dg/python-layers.html)
    """

    id = "LL101"
    name = "layer-missing-python-prefix"
    severity = Severity.ERROR
    summary = "Layer content is not under python/, so nothing in it is importable from /opt"
    tags = ("packaging", "layers")
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for layer, tree in deployment.zips(layers_only=True):
            yield from self.once_per_artifact(layer, "", self._in, tree)

    def _in(self, layer: Artifact, tree: Tree) -> Iterator[Finding]:
        misplaced: dict[str, list[str]] = defaultdict(list)
        for member in tree.files():
            if not member.name.startswith("python/") and is_importable(member.name):
                misplaced[misplaced_root(member.name)].append(member.name)
        if not misplaced:
            return
        everything_misplaced = not any(m.name.startswith("python/") for m in tree.files())
        moves = self._moves(tree, set(misplaced))
        for root, names in sorted(misplaced.items()):
            shown = package_names(names, root)
            where = f"under {root}" if root else "at the zip root"
            advice = (rezip_folder_as(layer.path, root, "python") if everything_misplaced
                      and len(misplaced) == 1 else
                      f"move {root or 'the top-level packages'} into python/ and re-zip")
            # point at a module rather than at dist-info metadata
            first = min(names, key=lambda n: (".dist-info/" in n or ".egg-info/" in n, n))
            fix = entry_fix(layer, advice, moved(tree, moves[root]) or []
                            if isinstance(tree, ZipTree) and root in moves else (),
                            f"moved {root or 'the top-level packages'} under python/")
            yield self.finding(
                layer, member=first, key=root,
                message=(f"layer content ({shown}) is {where}, not under python/: Lambda "
                         f"extracts layers to /opt and only /opt/python and "
                         f"/opt/python/lib/python3.X/site-packages are on sys.path, so "
                         f"nothing here is importable; put {root or 'it'} under python/"),
                fix=fix)

    @staticmethod
    def _moves(tree: Tree, roots: set[str]) -> dict[str, list[tuple[int, str]]]:
        """For each misplaced root, its entries and their names under python/: every entry
        under the root (for the zip root: every entry under no layer root nor another
        misplaced folder). One pass over the entries, whatever the number of roots."""
        found: dict[str, list[tuple[int, str]]] = defaultdict(list)
        if not isinstance(tree, ZipTree):
            return found
        for index, member in enumerate(tree.members):
            name = member.name
            if name.startswith("python/"):
                continue
            root = misplaced_root(name)  # the same folder the finding names
            if root and root in roots:
                found[root].append((index, "python/" + name[len(root):]))
            elif "" in roots and not name.startswith(LAYER_ROOTS):
                found[""].append((index, "python/" + name))
        return found
