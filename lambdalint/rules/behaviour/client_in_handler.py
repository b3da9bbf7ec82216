from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import client_factories
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.resolution import resolve
from lambdalint.rules import Rule


class ClientInHandler(Rule):
    """
    ## What it does
    Finds SDK clients, resources and sessions (`boto3.client("s3")`), database connections
    (`pymysql.connect`, `psycopg2.connect`, `sqlalchemy.create_engine`) and HTTP sessions
    (`requests.Session()`) created in the body of the handler function, through any import
    alias. Lazy initialisation into a `global` (`if CLIENT is None: CLIENT = boto3.client(…)`)
    is the recommended pattern and is not reported.

    ## Why is this bad?
    The handler runs on every invocation, module-level code once per execution environment.
    A client built in the handler repeats its setup (credentials, endpoint resolution, TLS
    handshakes) every time and opens new connections that a warm environment could reuse.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\
        \\ndef handler(event, ctx):\\n    s3 = boto3.client("s3")\\n    return s3.list_buckets()\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ns3 = boto3.client("s3")\\n\\
        \\ndef handler(event, context):\\n    return s3.list_buckets()\\n
    ```

    ## Fix
    Create the client at module level (or lazily into a global) and use it from the handler.

    ## References
    - [Best practices: take advantage of execution environment reuse](https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html)
    """

    id = "LL505"
    name = "client-in-handler"
    severity = Severity.WARNING
    summary = "An SDK client, session or DB connection is created on every invocation"
    needs = ("handler",)
    tags = ("performance",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        import libcst as cst

        resolution = resolve(deployment, ctx)
        handler, module = resolution.body, resolution.module
        if not isinstance(handler, cst.FunctionDef) or module is None:
            return
        source = module
        factories = client_factories()
        lazy: set[str] = set()  # names the handler declares global: lazy initialisation
        calls: list[tuple[cst.Call, str]] = []

        class Finder(cst.CSTVisitor):
            def visit_Global(self, node: cst.Global) -> None:
                lazy.update(n.name.value for n in node.names)

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                return node is handler  # nested functions run only when called

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

            def visit_Assign(self, node: cst.Assign) -> bool:
                targets = {t.target.value for t in node.targets
                           if isinstance(t.target, cst.Name)}
                return not (targets & lazy)

            def visit_Call(self, node: cst.Call) -> None:
                for name in source.qualified_names(node.func):
                    if name in factories:
                        calls.append((node, name))

        handler.visit(Finder())
        for call, name in calls:
            line, column = module.position(call)
            yield self.finding(
                module.artifact, member=module.member.name, line=line, column=column,
                key=name,
                message=(f"{name}() in the handler creates {factories[name]} on every "
                         "invocation; create it once at module level so warm invocations "
                         "reuse it"),
                fix="move it to module level (or initialise it lazily into a global)")
