"""Realistic, correct handlers must stay clean; realistic defects are found (LL4xx, LL5xx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zipspec import run_cli

CODE_RULES = ("LL4", "LL5")

CLEAN = {
    "fastapi_mangum": """
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id}


handler = Mangum(app)
""",
    "powertools": """
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

processor = BatchProcessor(event_type=EventType.SQS)
tracer = Tracer()
logger = Logger()


@tracer.capture_method
def record_handler(record):
    logger.info(record.body)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event, context: LambdaContext):
    return process_partial_response(event=event, record_handler=record_handler,
                                    processor=processor, context=context)
""",
    "s3_thumbnailer": """
import os
import tempfile
import uuid
from urllib.parse import unquote_plus

import boto3
from PIL import Image

s3 = boto3.client("s3")
DEST = os.environ["THUMBNAIL_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        path = os.path.join(tempfile.gettempdir(), f"{uuid.uuid4()}.jpg")
        s3.download_file(bucket, key, path)
        with Image.open(path) as image:
            image.thumbnail((128, 128))
            image.save(path)
        s3.upload_file(path, DEST, f"thumbnails/{key}")
    return {"processed": len(event["Records"])}
""",
    "dynamodb_api": """
import decimal
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def to_json(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value % 1 == 0 else float(value)
    raise TypeError(type(value).__name__)


def handler(event, context):
    item_id = event["pathParameters"]["id"]
    item = table.get_item(Key={"id": item_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": "not found"})}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(item, default=to_json)}
""",
    "sqs_batch": """
import json


def process(body):
    return json.loads(body)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record["body"])
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
""",
    "eventbridge_task": """
import datetime
import logging
import os

import boto3

logger = logging.getLogger()
sns = boto3.client("sns")
TOPIC = os.environ["TOPIC_ARN"]


def handler(event, context):
    now = datetime.datetime.now(datetime.timezone.utc)
    sns.publish(TopicArn=TOPIC, Message=f"nightly run at {now.isoformat()}")
    logger.info("published")
    return {"ok": True, "at": now.isoformat(), "version": (1, 2)}
""",
}


def code_findings(tmp_path: Path, source: str, *argv: str) -> list[tuple[str, str]]:
    (tmp_path / "app.py").write_text(source.lstrip())
    run = run_cli(["check", "app.py", "--handler", "app.handler", "--runtime", "python3.12",
                   "--format", "json", *argv], tmp_path)
    assert "Traceback" not in run.stderr
    return [(f["rule"], f["message"]) for f in run.json["findings"]
            if f["rule"].startswith(CODE_RULES)]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_correct_handler_stays_clean(name: str, tmp_path: Path) -> None:
    assert code_findings(tmp_path, CLEAN[name]) == []


@pytest.mark.parametrize(("source", "rule", "says"), [
    ("def handler(e, c):\n    return {'tags': {'a', 'b'}}\n", "LL405", "a set"),
    ("import uuid\n\ndef handler(e, c):\n    rid = uuid.uuid4()\n    return {'id': rid}\n",
     "LL405", "uuid"),
    ("def ids():\n    return set()\n\ndef handler(e, c):\n    return {'ids': ids()}\n",
     "LL405", "a set"),
    ("from dataclasses import dataclass\n\n@dataclass\nclass Order:\n    id: str\n\n"
     "def handler(e, c):\n    return Order('1')\n", "LL405", "dataclass"),
    ("import enum\n\nclass Color(enum.Enum):\n    RED = 1\n\n"
     "def handler(e, c):\n    return {'color': Color.RED}\n", "LL405", "Enum"),
    ("import gzip\n\ndef handler(e, c):\n    return {'data': gzip.compress(b'x')}\n",
     "LL405", "binary"),
    ("def handler(e, c):\n    return {(1, 2): 'point'}\n", "LL405", "tuple"),
    ("def handler(e, c):\n    for i in range(3):\n        yield i\n", "LL405", "generator"),
    ("def handler(event, c):\n    name = event['queryStringParameters']['name']\n"
     "    return {'statusCode': 200, 'body': {'hello': name}}\n", "LL406", "body is a dict"),
    ("def handler(e, c):\n    return {'statusCode': '200 OK', 'body': 'ok'}\n", "LL406",
     "statusCode is the string '200 OK'"),
    ("def handler(e, c):\n    return {'statusCode': None, 'body': 'ok'}\n", "LL406",
     "statusCode is None"),
    ("import json\nfrom datetime import datetime\n\ndef handler(e, c):\n"
     "    return {'body': json.dumps({'at': datetime.now()})}\n", "LL407", "a datetime"),
])
def test_defects_are_found(source: str, rule: str, says: str, tmp_path: Path) -> None:
    argv = ("--config", "api.toml") if "statusCode': '200" in source or \
        "statusCode': None" in source else ()
    if argv:
        (tmp_path / "api.toml").write_text('events = ["api"]\n')
    found = code_findings(tmp_path, source, *argv)
    assert [r for r, _ in found] == [rule], found
    assert says in found[0][1]


@pytest.mark.parametrize("source", [
    # the runtime's marshaller accepts these: Decimal, tuples, str enums, NaN, top-level bytes
    "import decimal\n\ndef handler(e, c):\n    return {'price': decimal.Decimal('1.10')}\n",
    "def handler(e, c):\n    return {'pair': (1, 2), 'nan': float('nan')}\n",
    "import enum\n\nclass Color(str, enum.Enum):\n    RED = 'red'\n\n"
    "def handler(e, c):\n    return {'color': Color.RED}\n",
    "import gzip\n\ndef handler(e, c):\n    return gzip.compress(b'x')\n",
    "def handler(e, c):\n    return {'raw': b'text'}\n",
])
def test_what_the_runtime_accepts_is_not_flagged(source: str, tmp_path: Path) -> None:
    assert code_findings(tmp_path, source) == []


def test_a_status_code_of_digits_is_accepted(tmp_path: Path) -> None:
    # API Gateway converts "201" to 201 (the catalog: LL406 accepts a string of digits).
    (tmp_path / "api.toml").write_text('events = ["api"]\n')
    source = "def handler(e, c):\n    return {'statusCode': '201', 'body': 'created'}\n"
    assert code_findings(tmp_path, source, "--config", "api.toml") == []
