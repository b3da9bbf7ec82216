from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import value_fix
from lambdalint.finding import Applicability, Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.resolution import resolve
from lambdalint.rules import Rule


class HandlerNotDefined(Rule):
    """
    ## What it does
    Checks that the handler's module binds the handler's name at its top level: a `def`, a
    class, an assignment (`handler = Mangum(app)`), or an import (`from .api import
    handler`); definitions under a module-level `if`/`try` count. A star import or a module
    `__getattr__` may provide any name, so then nothing is reported. Suggests the closest
    name that exists.

    ## Why is this bad?
    Every invocation fails: `Runtime.HandlerNotFound: Handler 'handler' missing on module
    'app'`.

    ## Example
    ```deployment
    lambdalint check --config pyproject.toml
    pyproject.toml: |
        [tool.lambdalint]
        runtime = "python3.12"

        [[tool.lambdalint.function]]
        code = "function.zip"
        handler = "app.handler"
    function.zip:
        app.py  text=def lambda_handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --config pyproject.toml
    pyproject.toml: |
        [tool.lambdalint]
        runtime = "python3.12"

        [[tool.lambdalint.function]]
        code = "function.zip"
        handler = "app.lambda_handler"
    function.zip:
        app.py  text=def lambda_handler(event, context):\\n    return {}\\n
    ```

    ## Fix
    Point the handler at the name that exists (see the suggestion), or bind the configured
    name in the module (`handler = lambda_handler`). With `--unsafe-fixes`, `lambdalint
    check --fix` sets the handler to the one close name the module defines, where the
    template, serverless.yml or the TOML config writes it (unsafe: that function is what
    every invocation will run); with several close names it is left to you.

    ## References
    - [Define Lambda function handler in Python](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    """

    id = "LL402"
    name = "handler-not-defined"
    severity = Severity.ERROR
    function_code = True
    summary = "The handler's module defines no top-level name matching the handler"
    needs = ("handler",)
    tags = ("handler",)
    fixes = (Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        resolution = resolve(deployment, ctx)
        handler, module, names = resolution.handler, resolution.module, resolution.names
        if handler is None or module is None or names is None:
            return
        if handler.function in names or resolution.any_name:
            return
        candidates = list(names)
        import difflib  # only when there is a name to suggest

        close = difflib.get_close_matches(handler.function, candidates, n=2)
        hint = f"; did you mean {handler.module_as_written}.{close[0]}?" if close else ""
        advice = (f"set the handler to {handler.module_as_written}.{close[0]}" if close
                  else f"define {handler.function} in {module.member.name}")
        # Only one close name: which function the user meant is not a guess.
        fix = value_fix(deployment.handler, f"{handler.module_as_written}.{close[0]}", advice,
                        "handler renamed") \
            if len(close) == 1 and deployment.handler is not None else advice
        yield self.finding(
            module.artifact, member=module.member.name, key=handler.function,
            message=(f"module {handler.module} defines no top-level {handler.function!r}: "
                     f"every invocation fails with Runtime.HandlerNotFound{hint}"),
            fix=fix)
