"""LL0xx: problems with lambdalint's own inputs, reported by the engine, never deselected."""

from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules import Rule


class UnreadableInput(Rule):
    """
    ## What it does
    Reports an input that cannot be read at all: a missing file, something that is not a zip
    archive, a truncated or corrupt zip, or a zip that trips the zip bomb guard (entries whose
    data overlap, or an absurd number of entries). Also reports a single member whose bytes
    cannot be decompressed. The input is named in one line; every other input is still
    checked, and the run exits with code 2.

    ## Why is this bad?
    Lambda rejects such a package at upload (`Could not unzip uploaded file`) or fails at cold
    start; lambdalint cannot vouch for what it cannot read.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:  text=this file is not a zip archive
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
    ```

    ## Fix
    Rebuild the archive with `zip -r` (or your build tool) and check it with `unzip -t`.

    ## References
    - [Lambda deployment packages](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-package.html)
    """

    id = "LL001"
    name = "unreadable-input"
    severity = Severity.ERROR
    summary = "An input or archive member cannot be read (not a zip, corrupt, zip bomb guard)"
    meta = True


class UnparsableSource(Rule):
    """
    ## What it does
    Reports a module of the function's own code that cannot be parsed as Python at all
    (libcst's parser accepts the grammar of every version up to 3.14, so this is not a
    version question: see LL209 for that). It is reported when a code check reads the
    module; the other code checks skip that file.

    ## Why is this bad?
    The runtime fails the cold start with `Runtime.UserCodeSyntaxError` on every invocation.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context) return 1\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context): return 1\n
    ```

    ## Fix
    Fix the syntax error; `python3.12 -m py_compile app.py` with the runtime's Python shows it.

    ## References
    - [Lambda function errors in Python](https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html)
    """

    id = "LL002"
    name = "unparsable-source"
    severity = Severity.ERROR
    summary = "A module of the function's own code that no Python version can parse"
    meta = True


class ConfigError(Rule):
    """
    ## What it does
    Reports a bad configuration value: an unknown key in `[tool.lambdalint]` or
    `lambdalint.toml`, an unknown runtime or architecture, an unknown rule id in `--select`,
    `--ignore`, a severity override or a suppression comment. The message names the key and
    the file. The rest of the configuration still applies; the run exits with code 2.

    ## Why is this bad?
    A typo in a linter's configuration silently disables what the team thinks is enforced.

    ## Example
    ```deployment
    lambdalint check --ignore LL9999 function.zip
    function.zip:
        app.py
    ```

    ## Use instead
    ```deployment
    lambdalint check --ignore LL605 function.zip
    function.zip:
        app.py
    ```

    ## Fix
    Correct the key or value named in the message; `lambdalint rules` lists every rule id.

    ## References
    - `lambdalint rules` (every rule id) and the configuration section of lambdalint's README
    """

    id = "LL003"
    name = "config-error"
    severity = Severity.ERROR
    summary = "Bad configuration: unknown key, value or rule id"
    meta = True


class UnusedSuppression(Rule):
    """
    ## What it does
    With `--report-unused-ignores`: reports a `# lambdalint: ignore[…]` or `# noqa: LL…`
    comment in the function's own code that suppressed nothing in this run, naming the
    unused ids. Only ids of rules that ran on that code are judged (a rule that was not
    selected, or lacked the runtime or handler it needs, could not have used it), and a bare
    `# noqa` is left alone: other tools read it too.

    ## Why is this bad?
    A suppression outlives the code it was written for: once the finding is gone, the
    comment silently hides the next real problem on that line.

    ## Example
    ```deployment
    lambdalint check --report-unused-ignores --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ns3 = boto3.client("s3")  # lambdalint: ignore[LL505]\\n\\
        \\ndef handler(event, context):\\n    return s3.list_buckets()\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --report-unused-ignores --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ndef handler(event, context):\\n\\
        \\n    s3 = boto3.client("s3")  # lambdalint: ignore[LL505]\\n\\
        \\n    return s3.list_buckets()\\n
    ```

    ## Fix
    Remove the comment, or the ids in it that no longer apply.

    ## References
    - [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    """

    id = "LL004"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "A suppression comment that suppressed nothing (with --report-unused-ignores)"
    meta = True
