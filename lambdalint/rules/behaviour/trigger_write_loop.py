from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.code.program import SdkCall, code_of
from lambdalint.model.code.values import FromEnvironment, FromEvent, Value, affixes, the
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.spec import Event
from lambdalint.rules import Rule

# S3 writes and where their bucket argument is: (positional index, keyword)
S3_WRITES = {"put_object": (None, "Bucket"), "copy_object": (None, "Bucket"),
             "upload_file": (1, "Bucket"), "upload_fileobj": (1, "Bucket"),
             "copy": (1, "Bucket")}
# Messages sent to a queue or topic, and the argument that names it.
MESSAGE_SENDS = {("sqs", "send_message"): "QueueUrl", ("sqs", "send_message_batch"): "QueueUrl",
                 ("sns", "publish"): "TopicArn", ("sns", "publish_batch"): "TopicArn"}
TARGET_WORDS = {"sqs": "queue", "sns": "topic"}
S3_BUCKET = ("s3", "bucket", "name")


class TriggerWriteLoop(Rule):
    """
    ## What it does
    For an S3-triggered function, follows the bucket of the event
    (`record["s3"]["bucket"]["name"]`, through loops over `event["Records"]`, names,
    `.get(…)` chains and helper arguments) into S3 writes
    (`put_object`, `upload_file`, `upload_fileobj`, `copy_object`, `copy`): writing back into
    the bucket that triggered the function. When the template is read, the bucket named in
    an S3 trigger is known too: writing to it through the environment variable the template
    sets (`BUCKET: !Ref UploadBucket`) is the same loop. A trigger whose prefix/suffix filter
    can never match the written key (`Filter.S3Key.Rules` with prefix `uploads/`, a write to
    `f"resized/{name}"`) is safe and not reported. The same for queues and topics the
    template names: an SQS-triggered function that sends to its own queue
    (`sqs.send_message(QueueUrl=os.environ["QUEUE_URL"])` with `QUEUE_URL: !Ref JobsQueue`),
    or an SNS-triggered one that publishes to its own topic.

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
    function_code = True
    summary = "A function writes into the bucket (or sends to the queue or topic) that triggers it"
    tags = ("s3", "events", "cost")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        declared = [e for e in deployment.events if e.kind == "s3"]
        for call in code_of(deployment, ctx).sdk_calls():
            if (call.service, call.method) in MESSAGE_SENDS:
                yield from self._message_loop(call, deployment)
                continue
            if call.service != "s3" or call.method not in S3_WRITES:
                continue
            index, keyword = S3_WRITES[call.method]
            target = call.argument(keyword, index)
            if target is None:
                continue
            bucket = the(target, FromEvent)
            from_event = bucket is not None and bucket.path[-3:] == S3_BUCKET
            named = None if from_event else _named_trigger(target, deployment, declared)
            if not from_event and named is None:
                continue
            triggers = [named] if named is not None else declared
            key = call.argument("Key", 2 if index is not None else None)
            written = affixes(key) if key is not None else (None, None)
            if triggers and all(_filtered_out(e, written) for e in triggers):
                continue  # the notification's filter never matches the written keys
            where = (f"{named.name or named.resource}, the bucket whose notifications "
                     f"invoke the function ({named.origin.describe()})"
                     if named is not None else "the bucket whose event invoked the function")
            filters = "" if triggers else (" (unless the notification's prefix/suffix "
                                           "filter excludes the written keys)")
            related = Related.to(bucket.origin, "the bucket is read from the S3 event here") \
                if bucket is not None and from_event else ()
            related += tuple(Related(path=e.origin.file, line=e.origin.line,
                                     message="the S3 trigger, with no filter that excludes "
                                             "the written keys")
                             for e in triggers if e.origin.file is not None)
            yield self.in_code(
                call.span, key=f"{call.function}:{call.method}",
                message=(f"s3.{call.method}() writes into {where}: each write triggers it "
                         f"again{filters}"),
                related=related,
                fix="write to another bucket, or filter the trigger by prefix/suffix")

    def _message_loop(self, call: SdkCall, deployment: Deployment) -> Iterator[Finding]:
        """A message sent to the queue or topic whose messages invoke the function."""
        triggers = [e for e in deployment.events if e.kind == call.service]
        target = call.argument(MESSAGE_SENDS[(call.service, call.method)])
        trigger = _named_trigger(target, deployment, triggers) \
            if triggers and target is not None else None
        if trigger is None:
            return
        word = TARGET_WORDS[call.service]
        yield self.in_code(
            call.span, key=f"{call.function}:{call.method}",
            message=(f"{call.service}.{call.method}() sends to "
                     f"{trigger.name or trigger.resource}, the {word} whose messages invoke "
                     f"the function ({trigger.origin.describe()}): each message it handles "
                     "sends another, without end"),
            related=(Related(path=trigger.origin.file, line=trigger.origin.line,
                             message=f"the {word} trigger"),)
            if trigger.origin.file is not None else (),
            fix=f"send to another {word}, or stop on a condition carried in the message")


def _filtered_out(event: Event, written: tuple[str | None, str | None]) -> bool:
    """Whether an S3 notification's key filter can never match the keys written."""
    prefix, suffix = written
    if event.prefix and prefix is not None and not prefix.startswith(event.prefix) and \
            not event.prefix.startswith(prefix):
        return True
    return bool(event.suffix and suffix is not None and not suffix.endswith(event.suffix)
                and not event.suffix.endswith(suffix))


def _named_trigger(target: Value, deployment: Deployment,
                   declared: list[Event]) -> Event | None:
    """The trigger whose bucket, queue or topic an argument names through an environment
    variable the template sets to it (`os.environ["BUCKET"]` with `BUCKET: !Ref Uploads`)."""
    read = the(target, FromEnvironment)
    variable = deployment.variable(read.name) if read is not None else None
    if variable is None:
        return None
    for event in declared:
        if (variable.refers_to is not None and variable.refers_to == event.resource) or \
                (variable.value is not None and variable.value == event.name):
            return event
    return None
