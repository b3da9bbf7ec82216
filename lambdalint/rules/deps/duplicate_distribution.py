from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.distributions import Distribution, distributions
from lambdalint.rules import Rule


class DuplicateDistribution(Rule):
    """
    ## What it does
    Reports two `*.dist-info` (or `*.egg-info`) folders of the same distribution in one
    archive and site folder, as `pip install --target` leaves them when it installs over an
    older copy without removing it.

    ## Why is this bad?
    The files of both versions are mixed in one folder: modules the new version removed are
    still there, `importlib.metadata` reports either version, and pip-based tools disagree
    about what is installed. Import errors follow from the mix.

    ## Example
    ```deployment
    lambdalint check deps-layer.zip
    deps-layer.zip:
        python/urllib3/__init__.py
        python/urllib3-1.26.20.dist-info/RECORD  text=urllib3/__init__.py,,
        python/urllib3-2.2.3.dist-info/RECORD  text=urllib3/__init__.py,,
    ```

    ## Use instead
    ```deployment
    lambdalint check deps-layer.zip
    deps-layer.zip:
        python/urllib3/__init__.py
        python/urllib3-2.2.3.dist-info/RECORD  text=urllib3/__init__.py,,
    ```

    ## Fix
    Build the package from an empty folder every time (`rm -rf build && pip install -r
    requirements.txt --target build/python …`).

    ## References
    - [Recording installed projects (RECORD, dist-info)](https://packaging.python.org/en/latest/specifications/recording-installed-packages/)
    """

    id = "LL307"
    name = "duplicate-distribution"
    severity = Severity.ERROR
    summary = "Two *.dist-info of the same distribution inside one archive"
    tags = ("dependencies", "packaging")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for artifact, _ in deployment.zips():
            groups: dict[tuple[str, str], list[Distribution]] = defaultdict(list)
            for dist in distributions(artifact, ctx):
                groups[(dist.root, dist.key)].append(dist)
            for (_, _), copies in sorted(groups.items()):
                if len(copies) < 2:
                    continue
                versions = ", ".join(c.version for c in copies)
                yield self.finding(
                    artifact, member=copies[1].dist_info, key=copies[0].key,
                    message=(f"{len(copies)} installed copies of {copies[0].name} ({versions}) "
                             f"in {copies[0].root or 'the zip root'}: the files of both "
                             "versions are mixed"),
                    related=tuple(Related(path=artifact.path, member=c.dist_info,
                                          message=f"{c.name} {c.version}") for c in copies),
                    fix="rebuild the package from an empty folder")
