from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import code_fix
from lambdalint.finding import Applicability, Finding, Fix, Related, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.values import FromEvent, the
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

# S3 transfer methods that take the key positionally: download_file(Bucket, Key, Filename)
S3_OBJECT_KEY = ("s3", "object", "key")
POSITIONAL_KEY = {"download_file": 1, "download_fileobj": 1, "upload_file": 2,
                  "upload_fileobj": 2}


class S3KeyNotUnquoted(Rule):
    """
    ## What it does
    Follows the object key of an S3 event (`record["s3"]["object"]["key"]`, through loops,
    names and helper arguments) into S3 calls, and reports it when it was not decoded with
    `urllib.parse.unquote_plus` (or `unquote`) first, also inside a helper. A name that is
    sometimes the event's key and sometimes something else is not reported.

    ## Why is this bad?
    S3 event keys are URL-encoded: `my photo.jpg` arrives as `my+photo.jpg`. Used as is,
    `get_object`/`download_file` fail with `NoSuchKey` (404) for every key with a space or
    special character, and work in every test that uses simple names.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ns3 = boto3.client("s3")\\n\\ndef handler(event, ctx):\\n\\
        \\n    for r in event["Records"]:\\n        key = r["s3"]["object"]["key"]\\n\\
        \\n        s3.get_object(Bucket="b", Key=key)\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\nfrom urllib.parse import unquote_plus\\n\\
        \\ns3 = boto3.client("s3")\\n\\ndef handler(event, ctx):\\n\\
        \\n    for r in event["Records"]:\\n\\
        \\n        key = unquote_plus(r["s3"]["object"]["key"])\\n\\
        \\n        s3.get_object(Bucket="b", Key=key)\\n
    ```

    ## Fix
    `key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])`.
    `lambdalint check --fix` wraps the expression that reads the key from the event in
    `urllib.parse.unquote_plus(…)` and imports `urllib.parse` (safe: S3 always sends the
    key encoded, so every use of it wants it decoded).

    ## References
    - [S3 event message structure: the key is URL-encoded](https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)
    - [Tutorial: Using an Amazon S3 trigger](https://docs.aws.amazon.com/lambda/latest/dg/with-s3-example.html)
    """

    id = "LL506"
    name = "s3-key-not-unquoted"
    severity = Severity.ERROR
    function_code = True
    summary = "An S3 event's object key reaches an SDK call without unquote_plus"
    tags = ("s3", "events")
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for call in code_of(deployment, ctx).sdk_calls():
            if call.service != "s3":
                continue
            keys = [call.argument("Key"), call.argument("CopySource")]
            if call.method in POSITIONAL_KEY:
                keys.append(call.argument("Key", POSITIONAL_KEY[call.method]))
            for value in keys:
                key = the(value, FromEvent) if value is not None else None
                if key is None or key.decoded or key.path[-3:] != S3_OBJECT_KEY:
                    continue
                advice = "decode it first: urllib.parse.unquote_plus(key)"
                yield self.in_code(
                    call.span, key=f"{call.function}:{call.method}",
                    message=(f"the S3 event's object key reaches {call.service}."
                             f"{call.method}() still URL-encoded: keys with spaces or "
                             "special characters fail with NoSuchKey"),
                    related=Related.to(key.origin, "the key is read from the S3 event here"),
                    fix=code_fix(deployment, key.origin, advice, Applicability.SAFE,
                                 "unquote_plus_around") if key.origin is not None
                    else Fix(advice=advice))
                break
