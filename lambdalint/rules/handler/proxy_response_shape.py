from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.values import Container, Value, kind_of, text_of, the
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.spec import PROXY_KINDS
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
    function_code = True
    summary = ("A proxy response with a non-string body, a statusCode that is not a number, "
               "or a non-string header")
    needs = ("handler",)
    tags = ("handler", "api")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        code = code_of(deployment, ctx)
        handler = code.handler
        if handler is None or handler.decorated:
            return
        if not (deployment.event_kinds & PROXY_KINDS or
                code.reads_event_key(PROXY_EVENT_KEYS)):
            return
        for returned in code.handler_returns():
            response = the(returned.value, Container)
            if response is None or response.kind != "dict":
                continue
            fields = {text_of(k): v for k, v in response.items if k is not None}
            if "statusCode" not in fields:
                continue
            for problem, value in _problems(fields):
                yield self.in_code(
                    returned.span, key=problem.split(" ", 1)[0],
                    message=(f"{problem}: API Gateway answers 502 (Malformed Lambda proxy "
                             "response)"),
                    related=Related.to(value.origin, problem.split(" is ", 1)[0] +
                                       " is set here"),
                    fix='return "body": json.dumps(...), an int statusCode, string headers')


def _kind(value: Value) -> str | None:
    """The kind a field evidently has (one for all alternatives), else None."""
    found = the(value, Value)
    return kind_of(found) if found is not None else None


def _problems(fields: dict[str | None, Value]) -> Iterator[tuple[str, Value]]:
    body = fields.get("body")
    if body is not None and _kind(body) in NOT_A_STRING:
        kind = _kind(body) or ""
        yield f"body is a {kind.replace('ddb-', 'DynamoDB ')}, not a string", body
    status = fields["statusCode"]
    # API Gateway converts a string of digits ("201"); anything else is a 502.
    text = text_of(status)
    if text is not None and not text.strip().isdigit():
        yield f"statusCode is the string {text!r}, not an int", status
    elif _kind_with_none(status) == "none":
        yield "statusCode is None, not an int", status
    headers = the(fields.get("headers") or Container("list"), Container)
    if headers is not None and headers.kind == "dict":
        for key, value in headers.items:
            header = _kind_with_none(value)
            if header in ("int", "float", "bool", "none", "dict", "list"):
                name = text_of(key) if key is not None else None
                yield f"header {name!r} is a {header}, not a string", value


def _kind_with_none(value: Value) -> str | None:
    found = the(value, Value, without_none=False)
    return kind_of(found) if found is not None else None
