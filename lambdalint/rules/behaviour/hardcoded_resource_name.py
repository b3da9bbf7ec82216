from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.values import Const, Value, alternatives
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

RESOURCE_KEYWORDS = ("Bucket", "TableName", "QueueUrl", "TopicArn", "FunctionName",
                     "StateMachineArn", "SecretId", "StreamName", "DeliveryStreamName")


class HardcodedResourceName(Rule):
    """
    ## What it does
    Finds literal resource names and ARNs in AWS SDK calls of the function's own code:
    `Bucket="my-prod-bucket"`, `TableName=`, `QueueUrl=`, `TopicArn=`, `FunctionName=` and
    the like, any `arn:aws:` literal, and `resource("dynamodb").Table("literal")`.

    ## Why is this bad?
    The same code cannot run in another stage, account or region, and renaming a resource
    in the template silently breaks the function. Environment variables set from the
    template (`!Ref MyBucket`) keep code and infrastructure in step.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ns3 = boto3.client("s3")\\n\\
        \\ndef handler(event, context):\\n    s3.put_object(Bucket="acme", Key="k")\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import os, boto3\\n\\ns3 = boto3.client("s3")\\n\\
        \\nBUCKET = os.environ["BUCKET"]\\n\\
        \\ndef handler(event, context):\\n    s3.put_object(Bucket=BUCKET, Key="k")\\n
    ```

    ## Fix
    Pass names through environment variables (from the template: `Environment: Variables:
    BUCKET: !Ref Bucket`) and read them once at module level.

    ## References
    - [Lambda environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)
    """

    id = "LL508"
    name = "hardcoded-resource-name"
    severity = Severity.INFO
    function_code = True
    summary = "Literal bucket, table, queue names or ARNs in SDK calls"
    tags = ("configuration",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for call in code_of(deployment, ctx).sdk_calls():
            found = [(k, _literal(call.argument(k))) for k in RESOURCE_KEYWORDS]
            found += [("ARN", _literal(a)) for a in (*call.positional, *call.keywords.values())
                      if (_literal(a) or "").startswith("arn:aws")]
            if call.method == "Table":
                found.append(("Table", _literal(call.argument("TableName", 0))))
            for keyword, value in found:
                if not value:
                    continue
                yield self.in_code(
                    call.span, key=f"{call.method}:{keyword}",
                    message=(f"{call.service}.{call.method}() names its resource literally "
                             f"({keyword}={value!r}): pass it in an environment variable"),
                    fix="read the name from os.environ, set it from the template")
                break


def _literal(value: Value | None) -> str | None:
    """A string written in the code itself (a literal, or a constant bound to one)."""
    found = alternatives(value) if value is not None else ()
    if len(found) == 1 and isinstance(found[0], Const) and isinstance(found[0].value, str):
        return found[0].value
    return None
