from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import quotas
from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

MAX_LISTED = 20  # layers over the quota named one by one; the message gives the count


class TooManyLayers(Rule):
    """
    ## What it does
    Counts the layers attached to the function against Lambda's quota of five.

    ## Why is this bad?
    Lambda rejects the function configuration: `Layers: Member must have length less than or
    equal to 5`. Deployment tools fail late, after building and uploading everything.

    ## Example
    ```deployment
    lambdalint check function.zip a-layer.zip b-layer.zip c-layer.zip d-layer.zip e-layer.zip \\
        f-layer.zip
    function.zip:
        app.py
    a-layer.zip:
        python/a.py
    b-layer.zip:
        python/b.py
    c-layer.zip:
        python/c.py
    d-layer.zip:
        python/d.py
    e-layer.zip:
        python/e.py
    f-layer.zip:
        python/f.py
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip a-layer.zip b-layer.zip c-layer.zip d-layer.zip ef-layer.zip
    function.zip:
        app.py
    a-layer.zip:
        python/a.py
    b-layer.zip:
        python/b.py
    c-layer.zip:
        python/c.py
    d-layer.zip:
        python/d.py
    ef-layer.zip:
        python/e.py
        python/f.py
    ```

    ## Fix
    Merge layers that are always deployed together into one, or move rarely shared
    dependencies into the function zip.

    ## References
    - [Lambda quotas: layers](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
    """

    id = "LL603"
    name = "too-many-layers"
    severity = Severity.ERROR
    summary = "More layers than Lambda's quota of five per function"
    tags = ("limits", "layers")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        limit = quotas().max_layers
        layers = deployment.attached_layers
        if len(layers) <= limit:
            return
        over = layers[limit:]
        message = (f"{len(layers)} layers attached{self.concerning(deployment)}, Lambda allows "
                   f"at most {limit}: the function configuration is rejected")
        related = tuple(Related(path=layer.spec.origin.file or layer.label,
                                line=layer.spec.origin.line,
                                message=f"layer {number} (over the quota): {layer.label}")
                        for number, layer in enumerate(over[:MAX_LISTED], limit + 1))
        fix = "merge layers that always ship together into one zip"
        # At the first layer over the quota, where the template attaches it.
        yield self.at(over[0].spec.origin, deployment, message, related=related, fix=fix)
