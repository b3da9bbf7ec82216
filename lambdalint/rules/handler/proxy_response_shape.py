from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.resolution import resolve
from lambdalint.model.spec import PROXY_KINDS
from lambdalint.model.values import Evaluator, Value, returns_of, string_value
from lambdalint.rules import Rule

# Keys only an API Gateway / function URL / ALB event has.
PROXY_EVENT_KEYS = {"httpMethod", "requestContext", "rawPath", "routeKey", "pathParameters",
                    "queryStringParameters", "multiValueQueryStringParameters"}
NOT_A_STRING = {"dict", "list", "tuple", "ddb-item", "ddb-items", "int", "float"}


class ProxyResponseShape(Rule):
    """
    ## What it does
    For a function behind API Gateway (proxy integration), a function URL or an ALB (`events`
    in the config, or evident from the code: the handler reads `event["httpMethod"]`,
    `event["requestContext"]`, `event["rawPath"]` …), checks the dicts the handler returns
    with a `statusCode`: `body` must be a string, `statusCode` an integer (API Gateway also
    converts a string of digits such as `"201"`; `"200 OK"` or `None` is malformed), and
    header values strings. Values it cannot tell are not reported. The trigger may also come
    from the template: an `Api`, `HttpApi`, function URL or ALB target.

    ## Why is this bad?
    API Gateway rejects the response: `Execution failed due to configuration error:
    Malformed Lambda proxy response`, and the client gets a 502.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    user = event["requestContext"]["user"]\\n\\
        \\n    return {"statusCode": 200, "body": {"user": user}}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import json\\n\\ndef handler(event, context):\\n\\
        \\n    user = event["requestContext"]["user"]\\n\\
        \\n    return {"statusCode": 200, "body": json.dumps({"user": user})}\\n
    ```

    ## Fix
    Return `"body": json.dumps(payload)`, `"statusCode": 200` as an int, and string header
    values; for binary data, base64 text with `"isBase64Encoded": True`.

    ## References
    - [Lambda proxy integration: output format](https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format)
    - [Why does API Gateway return a 502 "Malformed Lambda proxy response"?](https://repost.aws/knowledge-center/malformed-502-api-gateway)
    """

    id = "LL406"
    name = "proxy-response-shape"
    severity = Severity.ERROR
    summary = ("A proxy response with a non-string body, a statusCode that is not a number, "
               "or a non-string header")
    needs = ("handler",)
    tags = ("handler", "api")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        import libcst as cst

        resolution = resolve(deployment, ctx)
        handler, module = resolution.definition, resolution.module
        if not isinstance(handler, cst.FunctionDef) or module is None:
            return
        if not (deployment.event_kinds & PROXY_KINDS or _reads_proxy_event(handler)):
            return
        evaluator = Evaluator(module, handler)
        for statement in returns_of(handler):
            if statement.value is None:
                continue
            response = evaluator.value(statement.value)
            fields = {string_value(k.node): v for k, v in response.items if k is not None}
            if response.kind != "dict" or "statusCode" not in fields:
                continue
            for problem, value in _problems(fields):
                line, column = module.position(value.node)
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=problem.split(" ", 1)[0],
                    message=(f"{problem}: API Gateway answers 502 (Malformed Lambda proxy "
                             "response)"),
                    fix='return "body": json.dumps(...), an int statusCode, string headers')


def _problems(fields: dict[str | None, Value]) -> Iterator[tuple[str, Value]]:
    body = fields.get("body")
    if body is not None and body.kind in NOT_A_STRING:
        yield f"body is a {body.kind.replace('ddb-', 'DynamoDB ')}, not a string", body
    status = fields["statusCode"]
    # API Gateway converts a string of digits ("201"); anything else is a 502.
    text = string_value(status.node) if status.kind == "str" else None
    if text is not None and not text.strip().isdigit():
        yield f"statusCode is the string {text!r}, not an int", status
    elif status.kind == "none":
        yield "statusCode is None, not an int", status
    headers = fields.get("headers")
    if headers is not None and headers.kind == "dict":
        for key, value in headers.items:
            if value.kind in ("int", "float", "bool", "none", "dict", "list"):
                name = string_value(key.node) if key is not None else None
                yield f"header {name!r} is a {value.kind}, not a string", value


def _reads_proxy_event(handler: object) -> bool:
    import libcst as cst

    assert isinstance(handler, cst.FunctionDef)
    params = [*handler.params.posonly_params, *handler.params.params]
    if not params:
        return False
    event = params[0].name.value
    found = False

    class Reads(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            nonlocal found
            index = node.slice[0].slice if node.slice else None
            if isinstance(node.value, cst.Name) and node.value.value == event and \
                    isinstance(index, cst.Index) and string_value(index.value) in \
                    PROXY_EVENT_KEYS:
                found = True

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "get" and \
                    isinstance(func.value, cst.Name) and func.value.value == event and \
                    node.args and string_value(node.args[0].value) in PROXY_EVENT_KEYS:
                found = True

    handler.visit(Reads())
    return found
