from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.values import (
    Const,
    FromContext,
    FromEnvironment,
    Text,
    Value,
    why_all,
)
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

INVOKE_METHODS = {"invoke", "invoke_async", "invoke_with_response_stream"}
OWN_NAME_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"
CONTEXT_ATTRIBUTES = {"function_name", "invoked_function_arn"}


class RecursiveInvoke(Rule):
    """
    ## What it does
    Finds Lambda `invoke`, `invoke_async` and `invoke_with_response_stream` calls in the
    function's own code whose `FunctionName` is the function itself:
    `os.environ["AWS_LAMBDA_FUNCTION_NAME"]` (or `os.getenv`/`os.environ.get`),
    `context.function_name`, `context.invoked_function_arn`, the function's own name (the
    template's `FunctionName`, or `name` in its `[[function]]` table), or an environment
    variable the template sets to the function itself (`SELF: !Ref WorkerFunction`).

    ## Why is this bad?
    Each invocation starts another: an unbounded loop that multiplies cost and throttles the
    account's concurrency. Lambda's loop detection does not cover direct self-invocation.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import os, boto3\\n\\nLAMBDA = boto3.client("lambda")\\n\\n\\
        \\ndef handler(event, context):\\n    LAMBDA.invoke(FunctionName=context.function_name)\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import os, boto3\\n\\nLAMBDA = boto3.client("lambda")\\n\\n\\
        \\ndef handler(event, context):\\n    LAMBDA.invoke(FunctionName=os.environ["WORKER"])\\n
    ```

    ## Fix
    Invoke a different function, or hand the next step to a queue or Step Functions with an
    explicit end condition.

    ## References
    - [Lambda recursive loop detection](https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html)
    """

    id = "LL501"
    name = "recursive-invoke"
    severity = Severity.ERROR
    function_code = True
    summary = "The function invokes itself (its own name from the environment or context)"
    tags = ("runtime", "cost")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for call in code_of(deployment, ctx).sdk_calls():
            if call.service != "lambda" or call.method not in INVOKE_METHODS:
                continue
            target = call.argument("FunctionName")
            found = why_all(target, lambda v: _own_name(v, deployment)) \
                if target is not None else None
            if found is None:
                continue
            why, value = found
            yield self.in_code(
                call.span, key=call.method,
                message=(f"lambda.{call.method}() is given FunctionName={why}: the "
                         "function invokes itself, once per invocation, without end"),
                related=Related.to(value.origin, "the function's own name comes from here"),
                fix="invoke another function, or queue the next step with an end condition")


def _own_name(value: Value, deployment: Deployment) -> str | None:
    """How a value evidently is the function's own name or ARN, if it is."""
    if isinstance(value, FromContext) and value.attribute in CONTEXT_ATTRIBUTES:
        return f"context.{value.attribute}"
    if isinstance(value, FromEnvironment):
        if value.name == OWN_NAME_VARIABLE:
            return f"os.environ[{value.name!r}]"
        return _own_variable(value.name, deployment)
    configured = deployment.function_name.value if deployment.function_name else None
    literal = value.value if isinstance(value, Const) else \
        value.prefix if isinstance(value, Text) and value.exact else None
    if isinstance(literal, str) and configured and literal.split(":")[-1] == configured:
        return f"{literal!r} (the function's own name)"
    return None


def _own_variable(name: str, deployment: Deployment) -> str | None:
    """An environment variable the template sets to this very function (`!Ref Self`,
    `!GetAtt Self.Arn`) or to its deployed name."""
    variable = deployment.variable(name)
    if variable is None or deployment.defined_at is None:
        return None
    own = deployment.function_name.value if deployment.function_name else None
    if (variable.refers_to is not None and variable.refers_to == deployment.name) or \
            (own is not None and variable.value is not None and
             variable.value.split(":")[-1] == own):
        return (f"os.environ[{name!r}], which {variable.origin.describe()} sets to the "
                "function itself")
    return None
