from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.code.program import HandlerFunction, code_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class HandlerSignature(Rule):
    """
    ## What it does
    Checks the handler function the runtime will call as `handler(event, context)`: it must
    not be `async def`, and its parameters must accept exactly those two positional
    arguments (more required parameters, fewer parameters without `*args`, or required
    keyword-only parameters fail). Handlers that are instances (`handler = Mangum(app)`) or
    classes are not judged here.

    ## Why is this bad?
    An `async def` handler is never awaited: the runtime tries to serialize the coroutine
    (`Runtime.MarshalError: Unable to marshal response: Object of type coroutine is not JSON
    serializable`). A wrong signature fails every invocation with a `TypeError`.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=async def handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import asyncio\\n\\nasync def main(event):\\n    return {}\\n\\
        \\ndef handler(event, context):\\n    return asyncio.run(main(event))\\n
    ```

    ## Fix
    Make the handler a plain `def (event, context)`; run async code inside it with
    `asyncio.run(...)`.

    ## References
    - [Define Lambda function handler in Python](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    """

    id = "LL404"
    name = "handler-signature"
    severity = Severity.ERROR
    function_code = True
    summary = "The handler is async def, or cannot take the two arguments (event, context)"
    needs = ("handler",)
    tags = ("handler",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        handler = code_of(deployment, ctx).handler
        if handler is None or handler.decorated:
            return  # a decorator may change the signature the runtime sees
        problem = _problem(handler)
        if problem is None:
            return
        yield self.in_code(handler.span, f"handler {handler.name} {problem}",
                           key=handler.name, fix="define it as def handler(event, context):")


def _problem(handler: HandlerFunction) -> str | None:
    if handler.is_async:
        return ("is async def: the runtime does not await it and fails with "
                "Runtime.MarshalError (a coroutine is not JSON serializable)")
    kinds = [p.kind for p in handler.parameters]
    positional = [p for p in handler.parameters
                  if p.kind in ("positional-only", "positional")]
    required = [p for p in positional if p.default is None]
    takes_star = "var-positional" in kinds
    if len(required) > 2:
        return (f"requires {len(required)} positional arguments, but the runtime passes 2 "
                "(event, context): TypeError on every invocation")
    if len(positional) < 2 and not takes_star:
        return (f"accepts {len(positional)} positional argument"
                f"{'s' if len(positional) != 1 else ''}, but the runtime passes 2 "
                "(event, context): TypeError on every invocation")
    if any(p.default is None for p in handler.parameters if p.kind == "keyword-only"):
        return "has required keyword-only parameters, which the runtime never passes"
    return None
