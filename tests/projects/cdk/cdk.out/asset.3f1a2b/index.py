import json

import requests


def handler(event, context):
    response = requests.get("https://example.com/status", timeout=3)
    return {"statusCode": 200, "body": json.dumps({"upstream": response.status_code})}
