from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.source import own_modules
from lambdalint.model.writes import outside_tmp, writes
from lambdalint.rules import Rule


class WriteOutsideTmp(Rule):
    """
    ## What it does
    Finds writes in the function's own code to a path outside `/tmp` whose value the source
    states: `open(path, "w"/"a"/"x")`, `Path(path).write_text()`/`write_bytes()`/`mkdir()`/
    `touch()`, `os.makedirs`, `os.mkdir`, `shutil.copy*`/`move` destinations and S3
    `download_file(…, Filename=…)`. A relative path counts: it resolves under `/var/task`.
    Paths built at run time are not guessed at.

    ## Why is this bad?
    In Lambda only `/tmp` is writable; the function's code (`/var/task`) and the layers
    (`/opt`) are read-only. The write fails with `OSError: [Errno 30] Read-only file system`.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    with open("report.csv", "w") as f:\\n\\
            \\n        f.write("a,b")\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import tempfile\\n\\ndef handler(event, context):\\n\\
            \\n    with tempfile.NamedTemporaryFile("w") as f:\\n        f.write("a,b")\\n
    ```

    ## Fix
    Write under `/tmp`, preferably with `tempfile` (unique names); keep bigger or shared data
    in S3 or EFS.

    ## References
    - [Lambda execution environment: /tmp](https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html)
    """

    id = "LL503"
    name = "write-outside-tmp"
    severity = Severity.ERROR
    summary = "A write to a path outside /tmp: Read-only file system"
    tags = ("runtime", "filesystem")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for module in own_modules(deployment, ctx):
            for write in writes(module):
                for why in outside_tmp(write.path):
                    line, column = module.position(write.node)
                    yield self.finding(
                        module.artifact, member=module.member.name, line=line,
                        column=column, key=write.path.prefix,
                        message=(f"{write.how} writes where Lambda cannot: {why} "
                                 "(OSError: [Errno 30] Read-only file system)"),
                        fix="write under /tmp (tempfile.mkstemp / NamedTemporaryFile)")
