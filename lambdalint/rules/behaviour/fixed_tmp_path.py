from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.source import own_modules
from lambdalint.model.writes import DIRECTORY_CALLS, in_tmp, writes
from lambdalint.rules import Rule


class FixedTmpPath(Rule):
    """
    ## What it does
    Finds writes in the function's own code to a constant path under `/tmp`
    (`open("/tmp/out.json", "w")`, `s3.download_file(b, k, "/tmp/input.csv")`).

    ## Why is this bad?
    Execution environments are reused: the file from the previous invocation is still
    there, and concurrent work in one environment (threads, `asyncio`, Powertools batch
    processing) writes to the same file. Stale data and interleaved writes follow, and
    `/tmp` fills up over thousands of invocations.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    with open("/tmp/out.json", "w") as f:\\n\\
            \\n        f.write("{}")\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import uuid\\n\\ndef handler(event, context):\\n\\
            \\n    with open(f"/tmp/{uuid.uuid4()}.json", "w") as f:\\n        f.write("{}")\\n
    ```

    ## Fix
    Use `tempfile` (`NamedTemporaryFile`, `mkstemp`, `TemporaryDirectory`) or a unique name
    per invocation, and remove the file when done.

    ## References
    - [Lambda execution environment reuse](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
    - [tempfile](https://docs.python.org/3/library/tempfile.html)
    """

    id = "LL504"
    name = "fixed-tmp-path"
    severity = Severity.WARNING
    summary = "A write to a constant /tmp path, shared by reused and concurrent invocations"
    tags = ("runtime", "filesystem")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for module in own_modules(deployment, ctx):
            for write in writes(module):
                if not (write.path.constant and in_tmp(write.path)) or write.path.prefix in \
                        ("/tmp", "/tmp/") or write.how in DIRECTORY_CALLS:
                    continue  # creating a directory twice does not collide
                line, column = module.position(write.node)
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=write.path.prefix,
                    message=(f"{write.how} writes to the fixed path {write.path.prefix!r}: "
                             "reused execution environments and concurrent work share it"),
                    fix="use tempfile or a unique name per invocation")
