"""GET /photos/{id}: one photo's metadata."""

import json
import os

import boto3
from pydantic import BaseModel

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


class Photo(BaseModel):
    id: str
    key: str
    width: int
    height: int


def handler(event, context):
    photo_id = event["pathParameters"]["id"]
    item = table.get_item(Key={"id": photo_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "headers": {"content-type": "application/json"},
                "body": json.dumps({"error": "not found"})}
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": Photo(**item).model_dump_json()}
