from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.source import Module, own_modules
from lambdalint.model.values import environment_key, sdk_calls, string_value
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
    summary = "The function invokes itself (its own name from the environment or context)"
    tags = ("runtime", "cost")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for module in own_modules(deployment, ctx):
            for call in sdk_calls(module):
                if call.service != "lambda" or call.method not in INVOKE_METHODS:
                    continue
                target = call.keyword("FunctionName")
                own = deployment.function_name.value if deployment.function_name else None
                why = self._own_name(module, target, own) or \
                    self._own_variable(module, target, deployment)
                if why is None:
                    continue
                line, column = module.position(call.node)
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=call.method,
                    message=(f"lambda.{call.method}() is given FunctionName={why}: the "
                             "function invokes itself, once per invocation, without end"),
                    fix="invoke another function, or queue the next step with an end "
                        "condition")

    @staticmethod
    def _own_variable(module: Module, node: object, deployment: Deployment) -> str | None:
        """An environment variable the template sets to this very function (`!Ref Self`,
        `!GetAtt Self.Arn`) or to its deployed name."""
        name = environment_key(module, node)
        variable = deployment.variable(name) if name is not None else None
        if variable is None or deployment.defined_at is None:
            return None
        own = deployment.function_name.value if deployment.function_name else None
        if (variable.refers_to is not None and variable.refers_to == deployment.name) or \
                (own is not None and variable.value is not None and
                 variable.value.split(":")[-1] == own):
            return (f"os.environ[{name!r}], which {variable.origin.describe()} sets to the "
                    "function itself")
        return None

    @staticmethod
    def _own_name(module: Module, node: object, configured: str | None) -> str | None:
        """The expression, when it evidently is the function's own name or ARN."""
        import libcst as cst

        if not isinstance(node, cst.BaseExpression):
            return None
        text = module.tree.code_for_node(node)
        if isinstance(node, cst.Attribute) and node.attr.value in CONTEXT_ATTRIBUTES and \
                isinstance(node.value, cst.Name) and node.value.value in ("context", "ctx"):
            return text
        # os.environ["AWS_LAMBDA_FUNCTION_NAME"], os.environ.get(…), os.getenv(…)
        key: cst.BaseExpression | None = None
        if isinstance(node, cst.Subscript) and module.qualified_names(node.value) & \
                {"os.environ"}:
            index = node.slice[0].slice
            key = index.value if isinstance(index, cst.Index) else None
        elif isinstance(node, cst.Call) and node.args and module.qualified_names(node.func) & \
                {"os.getenv", "os.environ.get"}:
            key = node.args[0].value
        if key is not None and string_value(key) == OWN_NAME_VARIABLE:
            return text
        literal = string_value(node)
        if literal is not None and configured and literal.split(":")[-1] == configured:
            return f"{literal!r} (the function's own name)"
        return None
