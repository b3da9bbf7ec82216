from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import private_runtime_modules
from lambdalint.finding import Finding, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.handler import find_module
from lambdalint.rules import Rule


class PrivateRuntimeApi(Rule):
    """
    ## What it does
    Reports imports of the Lambda runtime's internals from the function's own code:
    `bootstrap`, the runtime interface client's private modules (`awslambdaric.bootstrap`,
    `awslambdaric.lambda_runtime_client` …) and the `lambda_runtime_*` modules of
    `/var/runtime`.

    ## Why is this bad?
    These modules are not an API: their location differs between runtime versions
    (`/var/runtime` on 3.8 to 3.10, site-packages on 3.11+) and they change with runtime updates
    without notice, so the function breaks on a runtime update nobody deployed.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=from awslambdaric.lambda_runtime_marshaller import to_json\\n\\
        \\ndef handler(event, context):\\n    return to_json({})\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import json\\n\\ndef handler(event, context):\\n    return json.dumps({})\\n
    ```

    ## Fix
    Use public APIs: `json` for serialization, the `context` object for request data,
    environment variables documented by Lambda for the rest.

    ## References
    - [Lambda runtime environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
    - [aws-lambda-python-runtime-interface-client](https://github.com/aws/aws-lambda-python-runtime-interface-client)
    """

    id = "LL509"
    name = "private-runtime-api"
    severity = Severity.WARNING
    function_code = True
    summary = "The function's code imports the Lambda runtime's internals"
    tags = ("runtime",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        private = private_runtime_modules()
        for module in code_of(deployment, ctx).modules:
            reported: set[int] = set()  # one finding per import statement (by line)
            for record in module.facts.imports:
                # `from awslambdaric import lambda_runtime_client` counts: a private module
                # whether Python finds it as a submodule or as an attribute
                if record.relative or not any(
                        record.name == p or record.name.startswith(p + ".") for p in private):
                    continue
                if record.span.line in reported or \
                        find_module(deployment, record.name.split(".", 1)[0]) is not None:
                    continue  # the function's (or a layer's) own bootstrap.py is not private
                reported.add(record.span.line)
                line, column = record.span.line, record.span.column
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=record.name,
                    message=(f"{record.name} is an internal module of the Lambda runtime: it "
                             "moves and changes with runtime updates"),
                    fix="use the public API instead (json, the context object, environment "
                        "variables)")
