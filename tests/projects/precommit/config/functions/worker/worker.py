"""Stores the orders queued on SQS; reports the messages it could not parse."""

import json

from orders_common import save_order


def main(event, context):
    failures = []
    for record in event["Records"]:
        try:
            save_order(json.loads(record["body"]))
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
