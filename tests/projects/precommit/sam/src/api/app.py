"""GET /uploads/{key}: whether an upload was resized, checked against the public site."""

import json

import requests
from uploads_common import output_key

SITE = "https://uploads.example.com"


def lambda_handler(event, context):
    key = output_key(event["pathParameters"]["key"])
    found = requests.head(f"{SITE}/{key}", timeout=2).ok
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"key": key, "found": found})}
