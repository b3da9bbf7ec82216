from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import AttachedLayer, Deployment
from lambdalint.rules import Rule


class LayerIncompatibleRuntime(Rule):
    """
    ## What it does
    Compares what a layer declares when it is published, its compatible runtimes and
    architectures (`CompatibleRuntimes` / `CompatibleArchitectures` of a layer in the
    template, `compatibleRuntimes` in serverless.yml, or `[[layer]]` tables in the config),
    with the function's runtime and architecture. A well-known public layer attached by ARN
    (Powertools, Klayers, Datadog…) is judged by the runtime and architecture its name
    encodes. A layer that declares nothing is not judged.

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
        for attached in deployment.attached_layers:
            public = attached.public
            for label, value in (("runtime", deployment.runtime),
                                 ("architecture", deployment.architecture)):
                compatible = self._declared(attached, label)
                if value is None or not compatible or value.value in compatible:
                    continue
                who = (f"the {public.publisher} layer {public.name} is built for"
                       if public is not None else
                       f"the layer {attached.label} declares compatible {label}s")
                declared_at = attached.spec.declared_at if label == "runtime" \
                    else attached.spec.architectures_declared_at
                related = tuple(Related(path=declared_at.file, line=declared_at.line,
                                        message=f"compatible {label}s declared here")
                                for _ in (1,) if declared_at is not None and declared_at.file)
                message = (f"{who} {', '.join(compatible)}, but the function's {label} is "
                           f"{value.value}{self.concerning(deployment)}: its binaries were "
                           "built for another target")
                fix = f"attach a version of the layer published for {value.value}"
                key = f"{attached.label}:{label}"
                if attached.artifact is not None and attached.spec.origin.line is None:
                    # Declared in config: the layer's zip is the place to look.
                    yield self.finding(attached.artifact, message, fix=fix, related=related,
                                       key=label)
                else:
                    yield self.at(attached.spec.origin, deployment, message, fix=fix,
                                  related=related, key=key)

    @staticmethod
    def _declared(attached: AttachedLayer, label: str) -> tuple[str, ...]:
        if attached.public is not None:
            known = (attached.public.runtimes if label == "runtime"
                     else attached.public.architectures)
            return known or ()
        spec = attached.spec
        declared = spec.compatible_runtimes if label == "runtime" \
            else spec.compatible_architectures
        if declared or attached.artifact is None:
            return declared
        # Declared in the config's [[layer]] tables for this zip.
        return (attached.artifact.compatible_runtimes if label == "runtime"
                else attached.artifact.compatible_architectures)
