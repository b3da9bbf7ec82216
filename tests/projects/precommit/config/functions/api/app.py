"""GET /orders/{id}."""

import json

from orders_common import load_order


def handler(event, context):
    order = load_order(event["pathParameters"]["id"])
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(order)}
