from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import code_fix
from lambdalint.finding import Applicability, Finding, Related, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.values import Value, kind_of, walk, why_all
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

REJECTED = {"ddb-response": "a DynamoDB response (its numbers are Decimal)",
            "ddb-item": "a DynamoDB item (its numbers are Decimal)",
            "ddb-items": "DynamoDB items (their numbers are Decimal)",
            "decimal": "a Decimal", "datetime": "a datetime", "date": "a date",
            "time": "a time", "uuid": "a uuid.UUID", "set": "a set", "frozenset": "a frozenset",
            "bytes": "bytes", "binary": "bytes", "bytearray": "a bytearray",
            "dataclass": "a dataclass instance", "generator": "a generator",
            "instance": "an instance of a class of the function's own code"}


def json_rejects(value: Value) -> str | None:
    kind = kind_of(value)
    return REJECTED.get(kind) if kind is not None else None


class JsonDumpsUnserializable(Rule):
    """
    ## What it does
    Finds `json.dumps(x)` / `json.dump(x, f)` in the function's own code, without a
    `default=` or `cls=` that could handle them, where `x` evidently holds what the standard
    library's encoder rejects: DynamoDB items (`Table.get_item`/`query`/`scan` results,
    whose numbers are `Decimal`, also from a Table kept at module level), `Decimal`,
    datetimes, UUIDs, sets or bytes, also inside dicts and lists. Values are followed
    through names, `.get(…)` chains, helper returns and helper arguments: when a helper
    `response(status, body)` calls `json.dumps(body)` and the handler passes it a DynamoDB
    item, the finding is on that `json.dumps` call, the line to change.

    ## Why is this bad?
    `TypeError: Object of type Decimal is not JSON serializable`, at run time, typically on
    the first item with a number.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import json, boto3\\n\\ntable = boto3.resource("dynamodb").Table("t")\\n\\
        \\ndef handler(event, context):\\n    item = table.get_item(Key={"id": "1"})["Item"]\\n\\
        \\n    return {"statusCode": 200, "body": json.dumps(item)}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import json, boto3\\n\\ntable = boto3.resource("dynamodb").Table("t")\\n\\
        \\ndef handler(event, context):\\n    item = table.get_item(Key={"id": "1"})["Item"]\\n\\
        \\n    return {"statusCode": 200, "body": json.dumps(item, default=str)}\\n
    ```

    ## Fix
    Pass `default=` (for example `default=str`, or a function that turns `Decimal` into int
    or float), or convert the values first. With `--unsafe-fixes`, `lambdalint check --fix`
    adds `default=str` to the call (unsafe: a `Decimal` becomes a JSON string, not a
    number).

    ## References
    - [json.dumps: default](https://docs.python.org/3/library/json.html#json.dumps)
    - [DynamoDB: numbers come back as Decimal](https://boto3.amazonaws.com/v1/documentation/api/latest/guide/dynamodb.html)
    """

    id = "LL407"
    name = "json-dumps-unserializable"
    severity = Severity.ERROR
    function_code = True
    summary = "json.dumps of Decimal (DynamoDB items), datetime, set or bytes without default="
    tags = ("handler",)
    fixes = (Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for dump in code_of(deployment, ctx).json_dumps():
            if dump.handled:
                continue  # default=/cls= given, or maybe given through **options
            for inner, _ in walk(dump.value):
                found = why_all(inner, json_rejects)
                if found is None:
                    continue
                why, value = found
                yield self.in_code(
                    dump.span, key=kind_of(value) or "",
                    message=(f"json.dumps() of {why} without default=: TypeError: Object "
                             "of type … is not JSON serializable"),
                    related=Related.to(value.origin, f"{why} comes from here"),
                    fix=code_fix(deployment, dump.span,
                                 "pass default= (e.g. default=str) or convert the values first",
                                 Applicability.UNSAFE, "json_default_str"))
                break
