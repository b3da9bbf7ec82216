from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.importview import RUNTIME, import_view
from lambdalint.rules import Rule
from lambdalint.units import human_bytes

SDK = ("boto3", "botocore", "s3transfer")


class ShadowsRuntimeSdk(Rule):
    """
    ## What it does
    With the default policy (`sdk = "runtime"`), reports a package that bundles boto3,
    botocore or s3transfer: its size, and that it shadows the runtime's copy. With
    `sdk = "bundle"` in the config (the team pins its own SDK, as AWS recommends for
    production), it reports the opposite: function code that imports boto3 or botocore
    while nothing in the package provides it, so the runtime's copy is used.

    ## Why is this bad?
    A bundled SDK adds tens of megabytes to every cold start and to the 250 MB quota. Relying
    on the runtime's SDK means its version changes under you with runtime updates. Either is
    a choice: this rule makes it explicit.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
        botocore/data/s3/2006-03-01/service-2.json  size=200K
        botocore-1.35.60.dist-info/RECORD  text=botocore/data/s3/2006-03-01/service-2.json,,
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
    ```

    ## Fix
    Leave boto3 out of the package (`pip install … && rm -rf boto3* botocore* s3transfer*`
    in the build), or set `sdk = "bundle"` in the config when shipping it is deliberate.

    ## References
    - [Runtime-included SDK versions](https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html)
    - [Working with .zip archives for Python](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html)
    """

    id = "LL305"
    name = "shadows-runtime-sdk"
    severity = Severity.INFO
    summary = "The package bundles boto3/botocore (or, with sdk = bundle, relies on the runtime's)"
    needs = ("runtime",)
    tags = ("dependencies", "size")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        if deployment.sdk_policy == "bundle":
            yield from self._relies_on_runtime(deployment, ctx)
            return
        for key in SDK:
            copy = view.distribution(key)
            if copy is None or copy.artifact is None or copy.artifact.tree is None:
                continue
            by_name = copy.artifact.tree.by_name
            size = sum(by_name[name].size for name in copy.dist.files if name in by_name)
            yield self.finding(
                copy.artifact, member=copy.dist.dist_info, key=key,
                message=(f"the package bundles {copy.dist.name} {copy.dist.version} "
                         f"({human_bytes(size)}), which shadows the {view.runtime.id} "
                         "runtime's own copy; set sdk = \"bundle\" in the config if that is "
                         "deliberate"),
                fix=f"leave {copy.dist.name} out of the package to use the runtime's copy")

    def _relies_on_runtime(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        # Imported here: only this half of the rule reads code (layers alone never do).
        from lambdalint.model.code.program import code_of

        view = import_view(deployment, ctx)
        assert view is not None
        for module in code_of(deployment, ctx).modules:
            for record in module.facts.imports:
                top = record.name.split(".", 1)[0]
                provider = view.provider(top)
                if top in SDK and provider is not None and provider.entry.kind == RUNTIME:
                    line, column = record.span.line, record.span.column
                    yield self.finding(
                        module.artifact, member=module.member.name, line=line, column=column,
                        key=top,
                        message=(f"{top} comes from the {view.runtime.id} runtime (its "
                                 "version changes with runtime updates), but the config says "
                                 "sdk = \"bundle\""),
                        fix=f"install {top} into the package or a layer")
                    return
