from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Context, Rule


class LayerIncompatibleRuntime(Rule):
    """
    ## What it does
    Compares what a layer declares when it is published, its compatible runtimes and
    architectures (`[[layer]]` tables in the config, with `path`, `compatible-runtimes` and
    `compatible-architectures`), with the function's runtime and architecture. A layer that
    declares nothing is not judged.

    ## Why is this bad?
    The declaration is the layer author's statement of where its binaries work: a layer
    published for `python3.11` on `x86_64` usually carries `cp311` x86_64 extensions, which
    fail on a `python3.12` or `arm64` function. The console and `ListLayers` filter on these
    fields, but attaching the layer by ARN is not stopped, so the failure comes at run time.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --architecture arm64 function.zip pillow-layer.zip
    lambdalint.toml:  text=[[layer]]\\npath = "pillow-layer.zip"\\n\\
        compatible-runtimes = ["python3.11"]\\ncompatible-architectures = ["x86_64"]\\n
    function.zip:
        app.py
    pillow-layer.zip:
        python/PIL/__init__.py
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 --architecture arm64 function.zip pillow-layer.zip
    lambdalint.toml:  text=[[layer]]\\npath = "pillow-layer.zip"\\n\\
        compatible-runtimes = ["python3.12"]\\ncompatible-architectures = ["arm64"]\\n
    function.zip:
        app.py
    pillow-layer.zip:
        python/PIL/__init__.py
    ```

    ## Fix
    Attach a version of the layer built for the function's runtime and architecture, or
    publish one: `aws lambda publish-layer-version --compatible-runtimes python3.12
    --compatible-architectures arm64 …` with content built for that target.

    ## References
    - [PublishLayerVersion: CompatibleRuntimes, CompatibleArchitectures](https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html)
    - [Lambda layers](https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)
    """

    id = "LL207"
    name = "layer-incompatible-runtime"
    severity = Severity.ERROR
    summary = "A layer declares compatible runtimes or architectures that exclude the function's"
    tags = ("platform", "layers")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        declared = (("runtime", deployment.runtime, "compatible_runtimes"),
                    ("architecture", deployment.architecture, "compatible_architectures"))
        for layer in deployment.layers:
            for label, value, attribute in declared:
                compatible: tuple[str, ...] = getattr(layer, attribute)
                if value is None or not compatible or value.value in compatible:
                    continue
                yield self.finding(
                    layer, key=label,
                    message=(f"the layer declares compatible {label}s "
                             f"{', '.join(compatible)}, but the function's {label} is "
                             f"{value.value}: its binaries were built for another target"),
                    fix=f"attach a version of the layer published for {value.value}")
