from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.code.modules import load
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.handler import find_module
from lambdalint.model.resolution import anchor, resolve, top_level_names
from lambdalint.rules import Rule


class MalformedHandler(Rule):
    """
    ## What it does
    Checks the handler string itself as the Python runtime reads it: it must contain a dot
    (module and function are split at the last one), no whitespace, at most 128 characters,
    no `.py` in the module part (`app.py.handler`), no method path (`app.Handler.handle`,
    where `Handler` is a class in `app.py`), and a first module component that is not a
    module built into CPython (`sys.handler`, `time.handler`).

    ## Why is this bad?
    The function cannot start: `Runtime.MalformedHandlerName`, `Runtime.ImportModuleError:
    No module named 'app.py'`, or `Runtime.BuiltInModuleConflict`, on every cold start.

    ## Example
    ```deployment
    lambdalint check --handler app.py.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Fix
    Write the handler as `module.function` (`package/module.function` for a module in a
    folder); for a method, expose a module-level function or instance (`handler =
    Handler().handle`); rename a module that clashes with a built-in one.

    ## References
    - [Define Lambda function handler in Python](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    - [CreateFunction: Handler](https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html)
    """

    id = "LL403"
    name = "malformed-handler"
    severity = Severity.ERROR
    summary = "The handler string cannot name a module-level callable (no dot, .py, method…)"
    needs = ("handler",)
    tags = ("handler",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        place = anchor(deployment)
        assert deployment.handler is not None
        if place is None:
            return
        text = deployment.handler.value
        resolution = resolve(deployment, ctx)
        if resolution.malformed is not None:
            yield self.at(deployment.handler.origin, deployment,
                          f"handler {text!r}{self.concerning(deployment)} "
                          f"{resolution.malformed}", fix="write the handler as module.function")
            return
        handler = resolution.handler
        if handler is None or resolution.found_file or "." not in handler.module:
            return
        # app.Class.method: module app.Class is missing, but app defines class Class
        parent, _, name = handler.module.rpartition(".")
        found = find_module(deployment, parent)
        module = load(found[0], found[1], ctx) if found else None
        if module is None or module.tree is None:
            return
        bindings = top_level_names(module)[0].get(name, [])
        if bindings and all(b.source.kind == "class" for b in bindings):
            yield self.finding(
                place, member=module.member.name,
                message=(f"handler {text!r} points at a method of class {name} in "
                         f"{parent}: the runtime imports module {handler.module!r} and fails "
                         "with Runtime.ImportModuleError"),
                fix=f"add a module-level handler to {parent}, e.g. "
                    f"{handler.function} = {name}().{handler.function}")
