from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import runtime_packages, stdlib_modules
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.distributions import owner_of
from lambdalint.model.importview import STDLIB, import_view
from lambdalint.rules import Rule


class ShadowsStdlib(Rule):
    """
    ## What it does
    Finds top-level modules and packages in the function or in a layer's importable folders
    that have the name of a standard-library module of the target Python, unless the runtime
    has imported that module before your code (`json`, `logging`, `os` …: those are already
    in `sys.modules`). Backport distributions such as `enum34` (installs `enum`) or `typing`
    (installs `typing.py`) are the usual cause; a function file named `email.py`,
    `secrets.py` or `calendar.py` is the other.

    ## Why is this bad?
    `/var/task` and `/opt/python` come before the standard library on `sys.path`, so every
    `import email` (also the ones inside boto3 or requests) gets your file instead:
    `AttributeError: module 'enum' has no attribute 'IntFlag'` and similar failures far from
    the cause.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/enum/__init__.py
        python/enum34-1.1.10.dist-info/RECORD  text=enum/__init__.py,,
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/aenum/__init__.py
        python/aenum-3.1.15.dist-info/RECORD  text=aenum/__init__.py,,
    ```

    ## Fix
    Remove backports of modules the runtime's Python already has (`pip uninstall enum34
    typing`; find who requires them with `pip show`), and rename your own modules that
    clash with the standard library.

    ## References
    - [The module search path](https://docs.python.org/3/tutorial/modules.html#the-module-search-path)
    - [Lambda layers: path order](https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html)
    """

    id = "LL108"
    name = "shadows-stdlib"
    severity = Severity.WARNING
    summary = "A module in the function or a layer has a standard-library module's name"
    needs = ("runtime",)
    tags = ("dependencies", "packaging")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        stdlib = stdlib_modules(view.runtime.python)
        already = runtime_packages().imported_before_handler
        for name, copies in sorted(view.copies.items()):
            if name not in stdlib or name in already or copies[0].entry.kind == STDLIB:
                continue
            for copy in copies:
                if copy.artifact is None or copy.member is None:
                    continue
                owner = owner_of(copy.artifact, ctx).get(copy.member.rstrip("/")
                                                         .removesuffix(".py"))
                installed = f" (installed by {owner.name} {owner.version})" if owner else ""
                yield self.finding(
                    copy.artifact, member=copy.member, key=name,
                    message=(f"{copy.member}{installed} shadows the standard library's "
                             f"{name} on {view.runtime.id}: every `import {name}`, also inside "
                             "libraries, gets this copy"),
                    fix=(f"remove {owner.name}: Python {view.runtime.python_version} has {name}"
                         if owner else f"rename your {name} module"))
