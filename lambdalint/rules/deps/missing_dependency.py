from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import pip_install
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.importview import import_view
from lambdalint.model.requirements import needed
from lambdalint.rules import Rule


class MissingDependency(Rule):
    """
    ## What it does
    Checks every `Requires-Dist` of every installed distribution that wins on the import view
    (markers evaluated for the target: Python version, CPU, `sys_platform == "linux"`;
    extras only when something requests them) against what the view provides: the function,
    the layers and the runtime's bundled packages (so `urllib3` counts as present: the
    runtime bundles it with boto3).

    ## Why is this bad?
    A dependency of a dependency left out of the package fails at import time, often on the
    first code path that uses it: `No module named 'idna'` from inside `requests`.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/requests/__init__.py
        python/requests-2.32.3.dist-info/RECORD  text=requests/__init__.py,,
        python/requests-2.32.3.dist-info/METADATA  text=Requires-Dist: idna<4,>=2.5\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 deps-layer.zip
    deps-layer.zip:
        python/requests/__init__.py
        python/requests-2.32.3.dist-info/RECORD  text=requests/__init__.py,,
        python/requests-2.32.3.dist-info/METADATA  text=Requires-Dist: idna<4,>=2.5\\n
        python/idna/__init__.py
        python/idna-3.10.dist-info/RECORD  text=idna/__init__.py,,
    ```

    ## Fix
    Install with dependencies (no `--no-deps`): `pip install -r requirements.txt --target
    python/ …`, or add the missing distribution the message names.

    ## References
    - [Core metadata: Requires-Dist](https://packaging.python.org/en/latest/specifications/core-metadata/#requires-dist-multiple-use)
    - [Dependency specifiers and environment markers](https://packaging.python.org/en/latest/specifications/dependency-specifiers/)
    """

    id = "LL302"
    name = "missing-dependency"
    severity = Severity.ERROR
    summary = "A dependency of an installed distribution is on nothing the function can import"
    needs = ("runtime",)
    tags = ("dependencies",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        for need in needed(view, deployment):
            if view.distribution(need.key) is not None:
                continue
            artifact, member, key = need.place
            arch = deployment.architecture.value if deployment.architecture else None
            yield self.finding(
                artifact, member=member, key=key,
                message=(f"{need.describe()}, which nothing provides (looked in "
                         f"{view.searched})"),
                fix=pip_install(view.runtime, arch,
                                need.required_by.dist.root.rstrip("/") or ".",
                                f"'{need.requirement}'"))
