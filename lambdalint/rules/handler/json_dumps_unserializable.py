from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.source import Module, is_main_block, own_modules
from lambdalint.model.values import Evaluator, Value
from lambdalint.rules import Rule

if TYPE_CHECKING:
    import libcst as cst

JSON_DUMPS = {"json.dumps", "json.dump"}
REJECTED = {"ddb-response": "a DynamoDB response (its numbers are Decimal)",
            "ddb-item": "a DynamoDB item (its numbers are Decimal)",
            "ddb-items": "DynamoDB items (their numbers are Decimal)",
            "decimal": "a Decimal", "datetime": "a datetime", "date": "a date",
            "time": "a time", "uuid": "a uuid.UUID", "set": "a set", "frozenset": "a frozenset",
            "bytes": "bytes", "binary": "bytes", "bytearray": "a bytearray",
            "dataclass": "a dataclass instance", "generator": "a generator"}


def json_rejects(value: Value, top: bool) -> str | None:
    return REJECTED.get(value.kind)


class JsonDumpsUnserializable(Rule):
    """
    ## What it does
    Finds `json.dumps(x)` / `json.dump(x, f)` in the function's own code, without a
    `default=` or `cls=` that could handle them, where `x` evidently holds what the standard
    library's encoder rejects: DynamoDB items (`Table.get_item`/`query`/`scan` results,
    whose numbers are `Decimal`), `Decimal`, datetimes, UUIDs, sets or bytes, also inside
    dict and list literals.

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
    or float), or convert the values first.

    ## References
    - [json.dumps: default](https://docs.python.org/3/library/json.html#json.dumps)
    - [DynamoDB: numbers come back as Decimal](https://boto3.amazonaws.com/v1/documentation/api/latest/guide/dynamodb.html)
    """

    id = "LL407"
    name = "json-dumps-unserializable"
    severity = Severity.ERROR
    summary = "json.dumps of Decimal (DynamoDB items), datetime, set or bytes without default="
    tags = ("handler",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for module in own_modules(deployment, ctx):
            yield from self._module(module)

    def _module(self, module: Module) -> Iterator[Finding]:
        import libcst as cst

        scopes: list[cst.FunctionDef | None] = [None]
        scopes += [s for s in module.tree.body if isinstance(s, cst.FunctionDef)]
        for scope in scopes:
            evaluator = Evaluator(module, scope)
            for call in _calls(scope if scope else module.tree):
                if not module.qualified_names(call.func) & JSON_DUMPS or not call.args or \
                        any((a.keyword is not None and a.keyword.value in ("default", "cls"))
                            or a.star == "**" for a in call.args):
                    continue  # default=/cls= given, or maybe given through **options
                found = evaluator.value(call.args[0].value).find(json_rejects)
                if found is None:
                    continue
                value, why = found
                line, column = module.position(call)
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=value.kind,
                    message=(f"json.dumps() of {why} without default=: TypeError: Object "
                             "of type … is not JSON serializable"),
                    fix="pass default= (e.g. default=str) or convert the values first")


def _calls(scope: cst.CSTNode) -> list[cst.Call]:
    """Calls of one scope itself: nested functions are other scopes (not followed)."""
    import libcst as cst

    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is scope

        def visit_If(self, node: cst.If) -> bool:
            return not is_main_block(node)

        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    scope.visit(Calls())
    return found
