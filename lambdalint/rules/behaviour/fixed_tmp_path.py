from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import code_fix
from lambdalint.finding import Applicability, Finding, Fix, Related, Severity
from lambdalint.model.code.program import code_of, in_tmp
from lambdalint.model.code.values import text_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class FixedTmpPath(Rule):
    """
    ## What it does
    Finds writes in the function's own code to a constant path under `/tmp`
    (`open("/tmp/out.json", "w")`, `s3.download_file(b, k, "/tmp/input.csv")`, also
    `os.path.join(tempfile.gettempdir(), "out.json")` or a module constant).

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
    per invocation, and remove the file when done. With `--unsafe-fixes`, `lambdalint check
    --fix` rewrites exactly `with open("/tmp/…", "w") as f:` whose body only writes to `f`,
    and whose path appears nowhere else, into `with tempfile.NamedTemporaryFile("w") as f:`
    (unsafe: the file is gone once closed); any other write is left to you.

    ## References
    - [Lambda execution environment reuse](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
    - [tempfile](https://docs.python.org/3/library/tempfile.html)
    """

    id = "LL504"
    name = "fixed-tmp-path"
    severity = Severity.WARNING
    function_code = True
    summary = "A write to a constant /tmp path, shared by reused and concurrent invocations"
    tags = ("runtime", "filesystem")
    fixes = (Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for write in code_of(deployment, ctx).writes():
            path = text_of(write.path)
            if path is None or not in_tmp(path) or path in ("/tmp", "/tmp/") or \
                    write.directory:
                continue  # creating a directory twice does not collide
            advice = "use tempfile or a unique name per invocation"
            yield self.in_code(
                write.span, key=path,
                message=(f"{write.how} writes to the fixed path {path!r}: reused execution "
                         "environments and concurrent work share it"),
                related=Related.to(write.path.origin, "the path is set here"),
                fix=code_fix(deployment, write.span, advice, Applicability.UNSAFE,
                             "temporary_file") if write.only_written
                else Fix(advice=advice))
