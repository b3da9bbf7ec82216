"""GET /items/{id}: one item from DynamoDB."""

import os

import boto3
import requests

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    item_id = event["pathParameters"]["id"]
    item = table.get_item(Key={"id": item_id}).get("Item", {})
    return {"statusCode": 200, "body": {"id": item_id, "found": bool(item)}}


def ping():
    return requests.get("https://example.com", timeout=2).status_code
