"""How far the runtime gets with a deployment's handler string: the module it imports, the
name it looks up there, or the executable an exec wrapper runs instead. Each LL4xx rule
reports one step of it; it is worked out once per deployment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdalint.model.code.modules import CodeModule, load
from lambdalint.model.code.semantic import Binding
from lambdalint.model.handler import Handler, find_module, parse
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact, Deployment


@record
class Resolution:
    """How far the runtime gets with the handler string: each rule reports one step."""

    handler: Handler | None
    malformed: str | None = None  # LL403
    # With AWS_LAMBDA_EXEC_WRAPPER set, the handler may name an executable the wrapper runs
    # ($LAMBDA_TASK_ROOT/$_HANDLER, as Lambda Web Adapter's does): not module.function.
    exec_wrapper: str | None = None
    module: CodeModule | None = None  # None: not found (LL401), or not parsable (LL002)
    found_file: bool = False
    # The module's top-level names, each with its bindings (LL402); None: not readable.
    names: dict[str, list[Binding]] | None = None
    # A star import or a module __getattr__: any name may exist.
    any_name: bool = field(default=False)


def top_level_names(module: CodeModule) -> tuple[dict[str, list[Binding]], bool]:
    """Names the module binds at its top level (def, class, assignment, import, also under
    if/try/with), any of which `getattr(module, name)` finds; and whether any name may be
    bound (a star import, a module `__getattr__`)."""
    names = dict(module.facts.module.bindings)
    return names, module.facts.star_import or "__getattr__" in names


def resolve(deployment: Deployment, ctx: Context) -> Resolution:
    """How far the runtime gets with the deployment's handler, worked out once."""
    assert deployment.handler is not None
    cached = deployment.views.resolution
    if isinstance(cached, Resolution):
        return cached
    wrapper = deployment.variable(EXEC_WRAPPER)
    if wrapper is not None and not is_module_path(deployment.handler.value):
        resolution = Resolution(None, exec_wrapper=wrapper.value or EXEC_WRAPPER)
        deployment.views.resolution = resolution
        return resolution
    handler, problem = parse(deployment.handler.value)
    resolution = Resolution(handler, problem)
    if handler is not None:
        found = find_module(deployment, handler.module)
        if found is not None:
            resolution.found_file = True
            resolution.module = load(found[0], found[1], ctx)
            if resolution.module is not None and resolution.module.tree is not None:
                resolution.names, resolution.any_name = top_level_names(resolution.module)
    deployment.views.resolution = resolution
    return resolution


EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER"


def is_module_path(text: str) -> bool:
    """`app.handler`, not `run.sh` or `bin/start`: what the runtime's bootstrap imports."""
    _, dot, function = text.rpartition(".")
    return bool(dot) and function.isidentifier() and function not in ("sh", "py", "bash")


def anchor(deployment: Deployment) -> Artifact | None:
    """Where a finding about the handler string points: the function's code. A described
    function whose code is not in the project (S3, inline) has none: its handler cannot be
    judged against the layers alone."""
    if deployment.function is None and deployment.defined_at is not None:
        return None
    return deployment.function or (deployment.layers[0] if deployment.layers else None)
