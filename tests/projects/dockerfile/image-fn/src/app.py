import json
import os

import requests
from aws_lambda_powertools import Logger
from orders.store import save_order

logger = Logger()
API_URL = os.environ.get("PRICING_API_URL", "https://pricing.example.com")


@logger.inject_lambda_context
def handler(event, context):
    order = json.loads(event["body"])
    price = requests.get(f"{API_URL}/price/{order['sku']}", timeout=5).json()
    order_id = save_order(order, price["amount"])
    return {"statusCode": 201, "body": json.dumps({"id": order_id})}
