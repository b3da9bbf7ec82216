from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lambdalint.data import quotas
from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.distributions import distributions, owner_of
from lambdalint.model.layout import site_root, top_level
from lambdalint.rules import Rule
from lambdalint.units import human_bytes

LARGEST_SHOWN = 10


def sizes_by_distribution(artifact: Artifact, ctx: Context) -> Counter[str]:
    """Unzipped bytes per installed distribution (from RECORD), else per top-level folder."""
    assert artifact.tree is not None
    owner: dict[str, str] = {}
    for dist in distributions(artifact, ctx):
        for name in dist.files:
            owner[name] = dist.size_key
    folders = owner_of(artifact, ctx)
    sizes: Counter[str] = Counter()
    for member in artifact.tree.files():
        label = owner.get(member.name)
        if label is None:  # not in any RECORD: count it for whoever owns its folder
            root = site_root(artifact, member.name) or ""
            top = top_level(member.name, root)
            owner_dist = folders.get(root + (top[:-3] if top.endswith(".py") else top))
            label = owner_dist.size_key if owner_dist else top
        sizes[label] += member.size
    return sizes


class UnzippedSizeLimit(Rule):
    """
    ## What it does
    Adds up the unzipped size of the function and all its layers, from the zips' central
    directories (nothing is extracted), and compares it with Lambda's quota of 250 MB
    (262,144,000 bytes). The finding lists the ten largest distributions.

    ## Why is this bad?
    Lambda refuses to create or update the function: `Unzipped size must be smaller than
    262144000 bytes`. The quota counts the function and every layer together.

    ## Example
    ```deployment
    lambdalint check function.zip science-layer.zip
    function.zip:
        app.py
    science-layer.zip:
        python/numpy/core/_multiarray_umath.so  size=140M
        python/scipy/linalg/_flapack.so  size=120M
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip science-layer.zip
    function.zip:
        app.py
    science-layer.zip:
        python/numpy/core/_multiarray_umath.so  size=40M
        python/scipy/linalg/_flapack.so  size=60M
    ```

    ## Fix
    Drop what the function does not import (tests, docs, boto3 which the runtime already
    has, see LL605), strip debug symbols from shared libraries (`strip --strip-unneeded`), or
    move to a container image function (10 GB).

    ## References
    - [Lambda quotas: deployment package size](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
    """

    id = "LL601"
    name = "unzipped-size-limit"
    severity = Severity.ERROR
    summary = "Function plus all layers unzipped are over Lambda's 250 MB limit"
    tags = ("limits",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        zips = [(artifact, tree.unzipped_size) for artifact, tree in deployment.zips()]
        limit = quotas().unzipped_total_bytes
        total = sum(size for _, size in zips)
        if total <= limit:
            return
        sizes: Counter[str] = Counter()
        for artifact, _ in zips:
            sizes.update(sizes_by_distribution(artifact, ctx))
        largest = ", ".join(f"{name} {human_bytes(size)}"
                            for name, size in sizes.most_common(LARGEST_SHOWN))
        anchor = zips[0][0]  # the function when it is a zip: artifacts list it first
        yield self.finding(
            anchor,
            message=(f"function and layers unzip to {human_bytes(total)} ({total:,} bytes), "
                     f"over Lambda's limit of {limit:,} bytes; largest: {largest}"),
            related=tuple(Related(path=artifact.path, message=f"{human_bytes(size)} unzipped")
                          for artifact, size in zips),
            fix="remove tests/docs/boto3 from the package (see LL605) or use a container image")
