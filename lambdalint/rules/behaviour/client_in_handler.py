from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import code_fix
from lambdalint.finding import Applicability, Finding, Fix, Severity
from lambdalint.model.code.program import Creation, code_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class ClientInHandler(Rule):
    """
    ## What it does
    Finds SDK clients, resources and sessions (`boto3.client("s3")`), database connections
    (`pymysql.connect`, `psycopg2.connect`, `sqlalchemy.create_engine`) and HTTP sessions
    (`requests.Session()`) created in the body of the handler function, or in an own helper
    it calls on every invocation, through any import alias. Lazy initialisation into a
    `global` (`if CLIENT is None: CLIENT = boto3.client(…)`) and helpers decorated with a
    cache (`functools.lru_cache`) are the recommended patterns and are not reported.

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
    `lambdalint check --fix` moves `name = factory(…)` from the function's body to module
    level when every argument is a constant (safe: the same client, made once); with
    `--unsafe-fixes`, a creation whose arguments are computed (from the environment, from
    other values) becomes a lazily initialised global, made with the first invocation's
    arguments and reused.

    ## References
    - [Best practices: take advantage of execution environment reuse](https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html)
    """

    id = "LL505"
    name = "client-in-handler"
    severity = Severity.WARNING
    function_code = True
    summary = "An SDK client, session or DB connection is created on every invocation"
    needs = ("handler",)
    tags = ("performance",)
    fixes = (Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for creation in code_of(deployment, ctx).creations_per_invocation():
            where = "the handler" if creation.helper is None else \
                f"{creation.helper}(), which the handler calls,"
            yield self.in_code(
                creation.span, key=creation.factory,
                message=(f"{creation.factory}() in {where} creates {creation.what} on every "
                         "invocation; create it once at module level so warm invocations "
                         "reuse it"),
                fix=self._fix(deployment, creation))

    @staticmethod
    def _fix(deployment: Deployment, creation: Creation) -> Fix:
        advice = "move it to module level (or initialise it lazily into a global)"
        if creation.assigned is None:
            return Fix(advice=advice)
        if creation.constant:
            return code_fix(deployment, creation.span, advice, Applicability.SAFE,
                            "hoist_creation", lazily=False)
        return code_fix(deployment, creation.span, advice, Applicability.UNSAFE,
                        "hoist_creation", lazily=True)
