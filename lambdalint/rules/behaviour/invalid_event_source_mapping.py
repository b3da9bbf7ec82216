from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule

# Services that push to Lambda (resource policies), never through an event source mapping.
PUSH_SERVICES = {"s3": "S3", "sns": "SNS", "execute-api": "API Gateway",
                 "apigateway": "API Gateway", "events": "EventBridge"}
NEEDS_STARTING_POSITION = {"kinesis": "Kinesis", "dynamodb": "DynamoDB Streams"}
NO_STARTING_POSITION = {"sqs": "SQS", "mq": "Amazon MQ"}
# The same facts by lambdalint's event kinds, for mappings a template declares.
PUSH_KINDS = {"s3": "S3", "sns": "SNS", "api": "API Gateway", "eventbridge": "EventBridge"}
KINDS_NEEDING_POSITION = {"kinesis": "Kinesis", "dynamodb": "DynamoDB Streams",
                          "msk": "Amazon MSK"}


class InvalidEventSourceMapping(Rule):
    """
    ## What it does
    Checks `create_event_source_mapping` calls of the Lambda client whose `EventSourceArn`
    names its service (a literal, a constant, or an f-string such as
    `f"arn:aws:s3:::{bucket}"`), and the event source mappings a template declares
    (`AWS::Lambda::EventSourceMapping`, SAM's `SQS`/`Kinesis`/`DynamoDB`/`MSK` events): the
    source must be one Lambda polls (Kinesis, DynamoDB Streams, SQS, MSK, MQ, DocumentDB),
    not a service that pushes events (S3, SNS, API Gateway, EventBridge); `StartingPosition`
    is required for Kinesis, DynamoDB Streams and MSK and not accepted for SQS.

    ## Why is this bad?
    The call fails at run time with `InvalidParameterValueException`, typically in a setup
    or migration function that nobody runs until it is needed.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\naws = boto3.client("lambda")\\n\\
        \\ndef handler(event, context):\\n    aws.create_event_source_mapping(FunctionName="f",\\
         EventSourceArn="arn:aws:sqs:eu-west-1:123456789012:q", StartingPosition="LATEST")\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import boto3\\n\\naws = boto3.client("lambda")\\n\\
        \\ndef handler(event, context):\\n    aws.create_event_source_mapping(FunctionName="f",\\
         EventSourceArn="arn:aws:sqs:eu-west-1:123456789012:q")\\n
    ```

    ## Fix
    Subscribe push sources with their own API (S3 notifications, SNS subscriptions,
    EventBridge targets) plus `lambda add-permission`; give `StartingPosition` (TRIM_HORIZON
    or LATEST) exactly for streams.

    ## References
    - [CreateEventSourceMapping](https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)
    - [How Lambda processes records from streams and queues](https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html)
    """

    id = "LL507"
    name = "invalid-event-source-mapping"
    severity = Severity.ERROR
    summary = "create_event_source_mapping for a push source, or a wrong StartingPosition"
    tags = ("configuration",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        yield from self._declared(deployment)
        if deployment.function is not None:
            yield from self._in_code(deployment, ctx)

    def _in_code(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        # Imported here: a deployment of layers alone has no code, and its check never
        # pays for loading the code model.
        from lambdalint.model.code.program import code_of
        from lambdalint.model.code.values import affixes, text_of

        for call in code_of(deployment, ctx).sdk_calls():
            if call.service != "lambda" or call.method != "create_event_source_mapping":
                continue
            source = call.argument("EventSourceArn")
            arn = (affixes(source)[0] or "") if source is not None else ""
            parts = arn.split(":")
            if len(parts) < 4 or not arn.startswith("arn:"):
                continue  # the service is the third field: it must be complete
            service = parts[2]
            has_position = call.argument("StartingPosition") is not None
            problem = None
            if service in PUSH_SERVICES:
                problem = (f"{PUSH_SERVICES[service]} pushes events to Lambda; it cannot "
                           "be an event source mapping")
            elif service in NEEDS_STARTING_POSITION and not has_position and \
                    (service != "dynamodb" or "/stream/" in arn) and not call.spread:
                problem = (f"{NEEDS_STARTING_POSITION[service]} needs StartingPosition "
                           "(TRIM_HORIZON or LATEST)")
            elif service in NO_STARTING_POSITION and has_position:
                problem = f"{NO_STARTING_POSITION[service]} takes no StartingPosition"
            if problem is None:
                continue
            shown = arn if source is not None and text_of(source) is not None else arn + "…"
            yield self.in_code(
                call.span, key=service,
                message=(f"create_event_source_mapping for {shown!r} fails with "
                         f"InvalidParameterValueException: {problem}"),
                related=Related.to(source.origin if source is not None else None,
                                   "the ARN is built here"),
                fix="see `lambdalint rule LL507`")

    def _declared(self, deployment: Deployment) -> Iterator[Finding]:
        """Mappings the template declares, judged where they are written."""
        for event in deployment.events:
            if not event.mapping or event.origin.line is None:
                continue
            problem, where = None, event.origin
            if event.kind in PUSH_KINDS:
                problem = (f"{PUSH_KINDS[event.kind]} pushes events to Lambda; it cannot be "
                           "an event source mapping")
            elif event.kind in KINDS_NEEDING_POSITION and event.starting_position is None:
                problem = (f"{KINDS_NEEDING_POSITION[event.kind]} needs StartingPosition "
                           "(TRIM_HORIZON or LATEST)")
            elif event.kind in ("sqs", "mq") and event.starting_position is not None:
                problem = f"{NO_STARTING_POSITION[event.kind]} takes no StartingPosition"
                where = event.starting_position.origin
            if problem is None:
                continue
            source = event.name or event.resource or event.kind
            yield self.at(where, deployment, key=f"{event.kind}:{source}",
                          message=(f"the event source mapping from {source}"
                                   f"{self.concerning(deployment)} fails to deploy "
                                   f"(InvalidParameterValueException): {problem}"),
                          fix="see `lambdalint rule LL507`")
