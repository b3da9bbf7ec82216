"""The handler string, resolved as the Python runtime resolves it (awslambdaric's
bootstrap.py, `_get_handler`).

`modname, fname = handler.rsplit(".", 1)`; a first module component that is a built-in
module is Runtime.BuiltInModuleConflict; `/` is a package separator; then
`importlib.import_module(modname)` over sys.path (the function, then the layers) and
`getattr(module, fname)`: any callable bound at module level counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdalint.data import builtin_modules, quotas
from lambdalint.records import record

if TYPE_CHECKING:
    from lambdalint.model.archive import Member
    from lambdalint.model.deployment import Artifact, Deployment


@record(frozen=True)
class Handler:
    text: str
    module: str  # dotted, as import_module receives it
    function: str

    @property
    def module_as_written(self) -> str:
        return self.text.rpartition(".")[0]


def parse(text: str) -> tuple[Handler | None, str | None]:
    """The handler, or None and why the runtime rejects the string itself (LL403)."""
    if not text or any(c.isspace() for c in text):
        return None, "contains whitespace (the Lambda API accepts no whitespace)" if text \
            else "is empty"
    if len(text) > quotas().handler_max_chars:
        return None, f"is longer than the API's {quotas().handler_max_chars} characters"
    if "." not in text:
        return None, ("has no dot: the runtime fails with Runtime.MalformedHandlerName "
                      "(it splits module and function at the last dot)")
    module, _, function = text.rpartition(".")
    module = module.replace("/", ".")
    if not module:
        return None, "has an empty module name (ValueError: Empty module name)"
    if module == "py" or module.endswith(".py") or ".py." in module + ".":
        return None, (f"has '.py' in its module part: Python reads {module!r} as a package "
                      "path (No module named '….py'); write the module without .py")
    if module.split(".", 1)[0] in builtin_modules():
        return None, (f"starts with the built-in module {module.split('.', 1)[0]!r}: "
                      "Runtime.BuiltInModuleConflict")
    return Handler(text, module, function), None


def module_candidates(module: str) -> tuple[str, ...]:
    path = module.replace(".", "/")
    return (f"{path}.py", f"{path}/__init__.py", f"{path}.pyc")


def find_module(deployment: Deployment, module: str) -> tuple[Artifact, Member] | None:
    """The file the runtime imports the handler module from: the function, then layers."""
    places: list[tuple[Artifact, str]] = []
    if deployment.function is not None:
        places.append((deployment.function, ""))
    # sys.path order: every layer's site-packages, then every layer's python/; within one
    # folder a later layer's file wins
    for prefix in ("python/lib/python3.X/site-packages/", "python/"):
        places += [(layer, prefix) for layer in reversed(deployment.layers)]
    runtime = deployment.target_runtime
    for artifact, prefix in places:
        if artifact.tree is None:
            continue
        if "3.X" in prefix:
            if runtime is None:
                continue
            prefix = prefix.replace("3.X", runtime.python_version)
        for candidate in module_candidates(module):
            member = artifact.tree.by_name.get(prefix + candidate)
            if member is not None:
                return artifact, member
    return None
