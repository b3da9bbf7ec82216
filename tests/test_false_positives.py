"""Correct code that once drew findings (found in review): each must stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from zipspec import Entry, run_cli, write_zip

CLEAN = {
    "parameter shadows a module-level set": """
items = set()

def respond(items):
    return {"items": items}

def handler(event, context):
    return respond(event["items"])
""",
    "annotated rebinding": """
from datetime import datetime

def handler(event, context):
    ts = datetime.now()
    ts: str = ts.isoformat()
    return {"ts": ts}
""",
    "nested function with its own parameter": """
import json

def handler(event, context):
    tags = {"a", "b"}

    def fmt(tags):
        return json.dumps(tags)

    return {"body": fmt(sorted(tags))}
""",
    "async handler wrapped into a sync one": """
import asyncio

async def handler(event, context):
    return {}

def run_sync(f):
    return lambda e, c: asyncio.run(f(e, c))

handler = run_sync(handler)
""",
    "decorated handlers": """
import datetime

def json_response(f):
    return f

@json_response
def handler(event, context):
    return {"at": datetime.datetime.now()}
""",
    "__main__ block and a version-guarded import": """
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

def handler(event, context):
    return {}

if __name__ == "__main__":
    import dotenv
    dotenv.load_dotenv()
    with open("out.json", "w") as f:
        f.write("{}")
""",
    "S3 key sent as a message body, not used as a key": """
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    for r in event["Records"]:
        key = r["s3"]["object"]["key"]
        sqs.send_message(QueueUrl=QUEUE, MessageBody=key)
    return {}
""",
    "local list, and a global cache that is reset": """
records = []
CACHE = {}

def handler(event, context):
    global CACHE
    records = []
    records.append(event)
    if len(CACHE) > 100:
        CACHE = {}
    CACHE[event["id"]] = event
    return {"n": len(records)}
""",
    "invoking another function named from this one": """
import os
import boto3

aws = boto3.client("lambda")

def handler(event, context):
    worker = os.environ["AWS_LAMBDA_FUNCTION_NAME"].replace("-api", "-worker")
    aws.invoke(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME_WORKER"])
    aws.invoke(FunctionName=event["target"].function_name)
    return {"worker": worker}
""",
    "devices and directories": """
import os

def handler(event, context):
    os.makedirs("/tmp/cache", exist_ok=True)
    with open("/dev/null", "w") as sink:
        sink.write("x")
    return {}
""",
    "json.dumps with options passed along": """
import json
from datetime import datetime

OPTIONS = {"default": str}

def handler(event, context):
    return {"body": json.dumps({"at": datetime.now()}, **OPTIONS)}
""",
}


def code_rules(tmp_path: Path, source: str) -> list[str]:
    (tmp_path / "app.py").write_text(source.lstrip())
    run = run_cli(["check", "app.py", "--handler", "app.handler", "--runtime", "python3.12",
                   "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    return [f"{f['rule']}: {f['message']}" for f in run.json["findings"]
            if f["rule"].startswith(("LL3", "LL4", "LL5"))]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_stays_clean(name: str, tmp_path: Path) -> None:
    assert code_rules(tmp_path, CLEAN[name]) == []


def test_own_bootstrap_module_and_data_folders(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", [
        Entry("app.py", {"text": "from bootstrap import setup\nimport helpers\n\n"
                                 "def handler(e, c):\n    return setup()\n"}),
        Entry("bootstrap.py", {"text": "def setup():\n    return {}\n"}),
        Entry("helpers.pyc", {"pyc": "3.12"}),  # sourceless module of the right version
        Entry("html/index.html"),  # data, not a package: shadows nothing
        Entry("email/welcome.txt"),
    ])
    run = run_cli(["check", "function.zip", "--handler", "app.handler", "--runtime",
                   "python3.12", "--format", "json"], tmp_path)
    assert [f["rule"] for f in run.json["findings"]] == []
