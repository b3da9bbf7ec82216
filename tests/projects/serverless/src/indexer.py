"""Indexes photo metadata from the queue; failed records go back to the queue."""

import json
import os

import requests

SEARCH_URL = os.environ["SEARCH_URL"]


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            response = requests.post(f"{SEARCH_URL}/photos/_doc", json=json.loads(record["body"]),
                                     timeout=5)
            response.raise_for_status()
        except requests.RequestException:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
