from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import runtime_packages
from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import AttachedLayer, Deployment
from lambdalint.model.importview import lists_layers
from lambdalint.rules import Rule


class PythonpathDisablesLayers(Rule):
    """
    ## What it does
    Reports a function that sets a `PYTHONPATH` environment variable (`environment` in the
    config) while it has layers.

    ## Why is this bad?
    The runtime's bootstrap adds `/opt/python/lib/python3.X/site-packages` and `/opt/python`
    to `sys.path` only when `PYTHONPATH` is unset. With it set, nothing in the layers is
    importable: `Runtime.ImportModuleError` for every package they carry. On python3.8 to
    3.10 the bundled boto3 is lost too unless `/var/runtime` is listed.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip deps-layer.zip
    lambdalint.toml:  text=environment = { PYTHONPATH = "/var/task/src" }\\n
    function.zip:
        app.py
    deps-layer.zip:
        python/requests/__init__.py
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip deps-layer.zip
    lambdalint.toml:  text=environment = { LOG_LEVEL = "INFO" }\\n
    function.zip:
        app.py
    deps-layer.zip:
        python/requests/__init__.py
    ```

    ## Fix
    Remove `PYTHONPATH` from the function's environment; put your code at the zip root (or
    import it as a package) instead of extending the path.

    ## References
    - [Lambda layers: layer paths](https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html)
    - [open-telemetry/opentelemetry-lambda#1714: setting PYTHONPATH breaks the runtime's logic](https://github.com/open-telemetry/opentelemetry-lambda/issues/1714)
    """

    id = "LL107"
    name = "pythonpath-disables-layers"
    severity = Severity.ERROR
    summary = "PYTHONPATH is set while the function has layers: none of them is importable"
    tags = ("layers", "configuration")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        variable = deployment.variable("PYTHONPATH")
        layers = deployment.attached_layers
        if variable is None or not layers or lists_layers(variable.value):
            return  # unset, nothing to hide, or it names /opt/python itself
        value = variable.value
        runtime = deployment.target_runtime
        sdk = ""
        if runtime is not None and runtime_packages().location(runtime) == "/var/runtime" \
                and "/var/runtime" not in (value or ""):
            sdk = f"; on {runtime.id} the bundled boto3 is lost too (/var/runtime is not listed)"
        shown = f"PYTHONPATH={value!r}" if value is not None else "PYTHONPATH"
        yield self.at(
            variable.origin, deployment,
            message=(f"{shown} is set{self.concerning(deployment)}, so the runtime does not "
                     f"put the layers on sys.path: nothing in the {len(layers)} layer"
                     f"{'s' if len(layers) != 1 else ''} is importable{sdk}"),
            related=tuple(place for layer in layers
                          if (place := _where(layer)) is not None),
            fix="remove PYTHONPATH from the function's environment")


def _where(layer: AttachedLayer) -> Related | None:
    """The layer's zip or folder, else the template line that attaches it (an ARN is not a
    place in the input)."""
    if layer.artifact is not None:
        return Related(path=layer.artifact.path, message="not on sys.path")
    origin = layer.spec.origin
    if origin.file is None:
        return None
    return Related(path=origin.file, line=origin.line, message=f"{layer.label}: not on sys.path")
