from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.code.program import code_of, outside_tmp
from lambdalint.model.code.values import affixes, text_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class WriteOutsideTmp(Rule):
    """
    ## What it does
    Finds writes in the function's own code to a path outside `/tmp` whose value the source
    states: `open(path, "w"/"a"/"x")`, `Path(path).write_text()`/`write_bytes()`/`mkdir()`/
    `touch()`, `os.makedirs`, `os.mkdir`, `shutil.copy*`/`move` destinations and S3
    `download_file(…, Filename=…)`. A relative path counts: it resolves under `/var/task`.
    The path is followed through module constants, f-strings, `+`, `os.path.join` and
    `pathlib`'s `/`; a path whose start is decided at run time is not guessed at.

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
    function_code = True
    summary = "A write to a path outside /tmp: Read-only file system"
    tags = ("runtime", "filesystem")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for write in code_of(deployment, ctx).writes():
            prefix, _ = affixes(write.path)
            if not prefix:
                continue  # a path built at run time is not guessed at
            exact = text_of(write.path) is not None
            for why in outside_tmp(prefix, exact):
                yield self.in_code(
                    write.span, key=prefix,
                    message=(f"{write.how} writes where Lambda cannot: {why} "
                             "(OSError: [Errno 30] Read-only file system)"),
                    related=Related.to(write.path.origin, "the path is set here"),
                    fix="write under /tmp (tempfile.mkstemp / NamedTemporaryFile)")

