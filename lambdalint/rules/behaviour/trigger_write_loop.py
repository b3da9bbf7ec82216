from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.deployment import Deployment
from lambdalint.model.source import own_modules
from lambdalint.model.values import calls_with_flow, event_field_of
from lambdalint.rules import Context, Rule

# S3 writes and where their bucket argument is: (positional index, keyword)
S3_WRITES = {"put_object": (None, "Bucket"), "copy_object": (None, "Bucket"),
             "upload_file": (1, "Bucket"), "upload_fileobj": (1, "Bucket"),
             "copy": (1, "Bucket")}


class TriggerWriteLoop(Rule):
    """
    ## What it does
    For an S3-triggered function, follows the bucket of the event
    (`record["s3"]["bucket"]["name"]`, directly or through a local variable) into S3 writes
    (`put_object`, `upload_file`, `upload_fileobj`, `copy_object`, `copy`): writing back into
    the bucket that triggered the function. (An event filter on a prefix or suffix that
    excludes the written keys makes it safe; lambdalint cannot see the notification's filter
    until templates are read, so review the finding against it.)

    ## Why is this bad?
    Each write triggers the function again: a loop that runs until Lambda's recursion
    detection stops it (after about 16 rounds) or, for older setups, until someone notices
    the bill. The AWS S3 tutorial uses two buckets for this reason.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\ns3 = boto3.client("s3")\\n\\ndef handler(event, ctx):\\n\\
        \\n    bucket = event["Records"][0]["s3"]["bucket"]["name"]\\n\\
        \\n    s3.put_object(Bucket=bucket, Key="out.json", Body=b"{}")\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import os, boto3\\n\\ns3 = boto3.client("s3")\\n\\
        \\nOUT = os.environ["OUT_BUCKET"]\\n\\
        \\ndef handler(event, context):\\n\\
        \\n    s3.put_object(Bucket=OUT, Key="out.json", Body=b"{}")\\n
    ```

    ## Fix
    Write to another bucket (from an environment variable), or restrict the trigger with a
    prefix/suffix filter that the written keys never match.

    ## References
    - [Lambda recursive loop detection (S3)](https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html)
    - [Tutorial: Using an Amazon S3 trigger to create thumbnail images](https://docs.aws.amazon.com/lambda/latest/dg/with-s3-tutorial.html)
    """

    id = "LL502"
    name = "trigger-write-loop"
    severity = Severity.ERROR
    summary = "An S3-triggered function writes into the bucket that triggered it"
    tags = ("s3", "events", "cost")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for module in own_modules(deployment, ctx):
            for function, flow, call in calls_with_flow(module):
                if call.service != "s3" or call.method not in S3_WRITES:
                    continue
                index, keyword = S3_WRITES[call.method]
                target = call.keyword(keyword) or \
                    (call.positional(index) if index is not None else None)
                carried = event_field_of(flow, target) if target is not None else None
                if carried is None or carried[0] != "bucket":
                    continue
                line, column = module.position(call.node)
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=f"{function.name.value}:{call.method}",
                    message=(f"s3.{call.method}() writes into the bucket whose event invoked "
                             "the function: each write triggers it again (unless the "
                             "notification's prefix/suffix filter excludes the written keys)"),
                    fix="write to another bucket, or filter the trigger by prefix/suffix")
