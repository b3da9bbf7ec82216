from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import entry_fix, moved, rezip_folder_as
from lambdalint.finding import Applicability, EntryEdit, Finding, Severity
from lambdalint.model.archive import Tree, ZipTree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.handler import module_candidates
from lambdalint.rules import Rule

# The console's default handler module: code in a folder that holds it was surely meant to be
# at the root.
DEFAULT_HANDLER_MODULE = "lambda_function"


def nested_folder(tree: Tree, module: str) -> str | None:
    """The single top folder the handler module sits under, if it is not at the root."""
    if any(name in tree.by_name for name in module_candidates(module)):
        return None
    for member in tree.files():
        for suffix in module_candidates(module):
            if member.name.endswith("/" + suffix):
                folder = member.name[: -len(suffix)]
                if folder.count("/") == 1:  # exactly one folder too deep: zipped the folder
                    return folder
    return None


class FunctionCodeNested(Rule):
    """
    ## What it does
    Checks that a function zip has its code at the root, not inside one top folder. With a
    handler configured it looks for the handler's module. Without one it stays silent unless
    the evidence is plain: the zip's only top-level entry is a folder (not a package) that
    holds `lambda_function.py`, or that has the zip's own name (`zip -r my_function.zip
    my_function`).

    ## Why is this bad?
    Lambda extracts the zip into `/var/task` and imports the handler module from there. When
    the zip was made from the folder (`zip -r function.zip my_function/`) instead of its
    contents, the module is at `/var/task/my_function/app.py` and the function fails with
    `Runtime.ImportModuleError: Unable to import module 'app'`.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        my_function/app.py
        my_function/helpers.py
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py
        helpers.py
    ```

    ## Fix
    Zip the folder's contents from inside it: `cd my_function && zip -r ../function.zip .`.
    The finding's fix line repackages the existing zip in place; `lambdalint check --fix`
    moves the folder's entries to the root of the zip itself, unless one of them would land
    on a name the root already holds.

    ## References
    - [Deploying Python Lambda functions with .zip file archives](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html)
    """

    id = "LL103"
    name = "function-code-nested"
    severity = Severity.ERROR
    function_code = True
    summary = "Function zip holds its code under one top folder instead of at the root"
    tags = ("packaging",)
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        function = deployment.function
        if function is None or function.tree is None or not function.is_zip:
            return
        tree = function.tree
        if deployment.handler is not None:
            module = deployment.handler.value.rsplit(".", 1)[0].replace("/", ".")
            folder = nested_folder(tree, module)
            what = f"the handler module {module}"
        else:
            folder = self._zipped_folder(tree, function.fs_path.stem)
            what = "all of the function's code"
        if folder is None:
            return
        yield self.finding(
            function, member=folder,
            message=(f"{what} is inside the folder {folder} instead of at the zip root: "
                     f"Lambda imports the handler from /var/task, so it fails with "
                     f"Runtime.ImportModuleError; zip the folder's contents, not the folder"),
            fix=entry_fix(function, rezip_folder_as(function.path, folder, "."),
                          self._lifted(tree, folder), f"lifted {folder} to the zip root"))

    @staticmethod
    def _lifted(tree: Tree, folder: str) -> list[EntryEdit]:
        """Every entry under the folder moved to the root (the folder's own entry goes);
        none when that would put two entries on one name."""
        if not isinstance(tree, ZipTree):
            return []
        pairs = [(index, member.name[len(folder):]) for index, member in
                 enumerate(tree.members) if member.name.startswith(folder)]
        return moved(tree, pairs) or []

    @staticmethod
    def _zipped_folder(tree: Tree, zip_stem: str) -> str | None:
        tops = {m.name.split("/", 1)[0] for m in tree.members}
        if len(tops) != 1 or any("/" not in m.name for m in tree.files()):
            return None
        folder = tops.pop() + "/"
        if folder + "__init__.py" in tree.by_name:
            return None  # a package at the root is a valid layout (handler pkg.module.fn)
        has_modules = any(m.name.count("/") == 1 and m.name.endswith(".py")
                          for m in tree.files())
        plain = (folder + DEFAULT_HANDLER_MODULE + ".py" in tree.by_name
                 or folder.rstrip("/") == zip_stem)
        return folder if has_modules and plain else None
