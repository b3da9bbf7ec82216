from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules.platform import WheelVerdictRule


class WheelTagIncompatible(WheelVerdictRule):
    """
    ## What it does
    The catch-all of the platform checks: an installed distribution whose `WHEEL` tags have
    no overlap with the tags the target supports (computed with `packaging.tags` from the
    runtime's Python, the function's CPU and the OS's glibc) when no more specific rule
    (LL201 to LL205) explains why, for example a PyPy build. Also reports a deployment whose
    artifacts were built for different targets (cp311 and cp312 builds, x86_64 and aarch64
    extensions side by side) when no runtime or architecture was given: lambdalint then
    does not guess.

    ## Why is this bad?
    pip itself would never install such a build for the target, so it will not import on
    Lambda. Mixed builds mean at least one part of the deployment was made for another
    target than the one it will run on.

    ## Example
    ```deployment
    lambdalint check --runtime python3.10 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: pp310-pypy310_pp73-manylinux_2_17_x86_64
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.10 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp310-cp310-manylinux_2_17_x86_64
    ```

    ## Fix
    Install every distribution for the one target the function runs on, with pip's platform
    options (see the finding's fix line), and pass `--runtime`/`--architecture` (or set them
    in config) so that lambdalint checks against it.

    ## References
    - [Platform compatibility tags](https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
    - [Working with .zip archives and native libraries](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries)
    """

    id = "LL206"
    name = "wheel-tag-incompatible"
    severity = Severity.ERROR
    summary = "Wheel tags match nothing the target supports, or the artifacts mix targets"
    tags = ("platform", "binaries")
    symptom = "pip would never install this build for the target, and it will not import"
    needs = ()

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for field_name, evidence in sorted(deployment.conflicts.items()):
            first = evidence[0]
            anchor = next(a for a in deployment.artifacts if a.path == first.artifact)
            values = sorted({e.value for e in evidence})
            yield self.finding(
                anchor, member=first.member, key=f"mixed-{field_name}",
                message=(f"mixed targets: the artifacts were built for different "
                         f"{field_name}s ({', '.join(values)}); lambdalint does not guess "
                         f"which one the function runs on"),
                related=tuple(Related(path=e.artifact, member=e.member,
                                      message=f"built for {e.value}") for e in evidence),
                fix=f"rebuild everything for one {field_name} and pass --{field_name}")
        if deployment.runtime is not None and deployment.architecture is not None:
            yield from super().check(deployment, ctx)
