from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import pip_install
from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.importview import import_view
from lambdalint.model.requirements import needed
from lambdalint.rules import Rule


class DependencyVersionConflict(Rule):
    """
    ## What it does
    Checks that each requirement is met by the copy of the distribution that wins on the
    import view: the function's copy over the layers', a later layer's over an earlier one.
    The runtime's bundled packages are not judged: their versions change with runtime updates
    and are not published.

    ## Why is this bad?
    Two parts of the deployment were installed separately (boto3 in one layer, an older
    botocore in the function), so the code runs against a version its dependency never
    supported: import errors or subtle misbehaviour at run time.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip aws-layer.zip
    function.zip:
        app.py
        botocore/__init__.py
        botocore-1.34.0.dist-info/RECORD  text=botocore/__init__.py,,
    aws-layer.zip:
        python/boto3/__init__.py
        python/boto3-1.35.60.dist-info/RECORD  text=boto3/__init__.py,,
        python/boto3-1.35.60.dist-info/METADATA  text=Requires-Dist: botocore<1.36.0,>=1.35.60\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip aws-layer.zip
    function.zip:
        app.py
    aws-layer.zip:
        python/boto3/__init__.py
        python/boto3-1.35.60.dist-info/RECORD  text=boto3/__init__.py,,
        python/boto3-1.35.60.dist-info/METADATA  text=Requires-Dist: botocore<1.36.0,>=1.35.60\\n
        python/botocore/__init__.py
        python/botocore-1.35.60.dist-info/RECORD  text=botocore/__init__.py,,
    ```

    ## Fix
    Install the function and its layers from one resolved set of requirements (one
    `pip install -r requirements.txt`, or a lock file), or pin the distribution the message
    names to a version inside the range.

    ## References
    - [Version specifiers](https://packaging.python.org/en/latest/specifications/version-specifiers/)
    - [Lambda layers: path order](https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html)
    """

    id = "LL303"
    name = "dependency-version-conflict"
    severity = Severity.ERROR
    summary = "A requirement is met by a copy (the one that wins on sys.path) outside its range"
    needs = ("runtime",)
    tags = ("dependencies",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        needs = needed(view, deployment)
        if not needs:
            return
        from packaging.version import InvalidVersion, Version  # with requirements to judge

        for need in needs:
            winner = view.distribution(need.key)
            if winner is None or winner.artifact is None or not need.requirement.specifier:
                continue
            try:
                version = Version(winner.dist.version)
            except InvalidVersion:
                continue
            if need.requirement.specifier.contains(version, prereleases=True):
                continue
            artifact, member, key = need.place
            arch = deployment.architecture.value if deployment.architecture else None
            yield self.finding(
                artifact, member=member, key=key,
                message=(f"{need.describe()}, but the copy that wins on sys.path is "
                         f"{winner.dist.name} "
                         f"{winner.dist.version} from {winner.artifact.path} "
                         f"({winner.entry.path})"),
                related=(Related(path=winner.artifact.path, member=winner.dist.dist_info,
                                 message=f"{winner.dist.name} {winner.dist.version} wins here"),),
                fix=pip_install(view.runtime, arch,
                                winner.dist.root.rstrip("/") or ".",
                                f"'{need.requirement}'"))
