"""Run-time behaviour rules read from the handler's code (LL5xx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zipspec import run_cli


def rules(tmp_path: Path, source: str) -> list[tuple[str, int]]:
    (tmp_path / "app.py").write_text(source)
    run = run_cli(["check", "app.py", "--handler", "app.handler", "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    return [(f["rule"], f["line"]) for f in run.json["findings"]]


@pytest.mark.parametrize(("source", "expected"), [
    ("import boto3 as b\n\ndef handler(e, c):\n    t = b.resource('dynamodb').Table('t')\n"
     "    return {}\n", [("LL505", 4)]),
    ("from boto3 import client\n\ndef handler(e, c):\n    return client('s3').list_buckets()\n",
     [("LL505", 4)]),
    ("import requests, pymysql\n\ndef handler(e, c):\n    s = requests.Session()\n"
     "    db = pymysql.connect(host='h')\n    return {}\n", [("LL505", 4), ("LL505", 5)]),
    # lazy initialisation into a global, nested helpers and module level are fine
    ("import boto3\nS3 = None\n\ndef handler(e, c):\n    global S3\n    if S3 is None:\n"
     "        S3 = boto3.client('s3')\n    return {}\n", []),
    ("import boto3\n\ndef handler(e, c):\n    def later():\n        return boto3.client('s3')\n"
     "    return {}\n", []),
    ("import boto3\nS3 = boto3.client('s3')\n\ndef handler(e, c):\n    return {}\n", []),
])
def test_client_in_handler(tmp_path: Path, source: str,
                           expected: list[tuple[str, int]]) -> None:
    assert [r for r in rules(tmp_path, source) if r[0] == "LL505"] == expected


def test_private_runtime_api(tmp_path: Path) -> None:
    source = ("import bootstrap\nfrom awslambdaric import lambda_runtime_client\n"
              "from awslambdaric.lambda_runtime_marshaller import to_json\nimport json\n\n"
              "def handler(e, c):\n    return {}\n")
    assert [r for r in rules(tmp_path, source) if r[0] == "LL509"] == [
        ("LL509", 1), ("LL509", 2), ("LL509", 3)]


@pytest.mark.parametrize(("source", "expected"), [
    ("def handler(e, c):\n    open('out.txt', 'a').write('x')\n", [("LL503", 2)]),
    ("def handler(e, c):\n    open(file='/var/task/x', mode='w+')\n", [("LL503", 2)]),
    ("import os\nos.makedirs('cache/dir')\n\ndef handler(e, c):\n    return {}\n",
     [("LL503", 2)]),
    ("from pathlib import Path\n\ndef handler(e, c):\n    Path('/opt/x.json').write_text('')\n",
     [("LL503", 4)]),
    ("import shutil\n\ndef handler(e, c):\n    shutil.copy('/tmp/a', 'b')\n", [("LL503", 4)]),
    ("import boto3\ns3 = boto3.client('s3')\n\ndef handler(e, c):\n"
     "    s3.download_file('b', 'k', '/tmp/in.csv')\n", [("LL504", 5)]),
    ("def handler(e, c):\n    x = f'out/{e}'\n    open(f'data/{e}.txt', 'w')\n", [("LL503", 3)]),
    # reads, /tmp with a run-time part, paths built at run time: fine
    ("def handler(e, c):\n    open('config.json').read()\n    open('/tmp/' + e, 'w')\n"
     "    open(f'/tmp/{e}.txt', 'w')\n    open(f'/t{e}', 'w')\n", []),
    ("import os, tempfile\n\ndef handler(e, c):\n    open(os.path.join('/var', e), 'w')\n"
     "    tempfile.mkstemp()\n", []),
])
def test_writes(tmp_path: Path, source: str, expected: list[tuple[str, int]]) -> None:
    assert [r for r in rules(tmp_path, source) if r[0] in ("LL503", "LL504")] == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("import os, boto3\nL = boto3.client('lambda')\n\ndef handler(e, c):\n"
     "    L.invoke(FunctionName=os.environ['AWS_LAMBDA_FUNCTION_NAME'])\n", [("LL501", 5)]),
    ("import boto3\n\ndef handler(event, context):\n"
     "    boto3.client('lambda').invoke_async(FunctionName=context.invoked_function_arn)\n",
     [("LL501", 4)]),
    ("import os, boto3\nL = boto3.client('lambda')\n\ndef handler(e, c):\n"
     "    L.invoke(FunctionName=os.getenv('AWS_LAMBDA_FUNCTION_NAME'))\n", [("LL501", 5)]),
    # another function, or a client that is not Lambda's: fine
    ("import os, boto3\nL = boto3.client('lambda')\n\ndef handler(e, c):\n"
     "    L.invoke(FunctionName=os.environ['OTHER'])\n", []),
    ("import boto3\nsfn = boto3.client('stepfunctions')\n\ndef handler(e, context):\n"
     "    sfn.start_execution(stateMachineArn=context.function_name)\n", []),
])
def test_recursive_invoke(tmp_path: Path, source: str, expected: list[tuple[str, int]]) -> None:
    assert [r for r in rules(tmp_path, source) if r[0] == "LL501"] == expected


def test_hardcoded_names_and_tables(tmp_path: Path) -> None:
    source = ("import boto3\nddb = boto3.resource('dynamodb')\ntable = ddb.Table('orders')\n"
              "sqs = boto3.client('sqs')\n\ndef handler(e, c):\n"
              "    sqs.send_message(QueueUrl='https://sqs.eu-west-1.amazonaws.com/1/q', "
              "MessageBody='x')\n    table.put_item(Item={'id': '1'})\n")
    assert [r for r in rules(tmp_path, source) if r[0] == "LL508"] == [("LL508", 3),
                                                                          ("LL508", 7)]


def test_event_source_mappings(tmp_path: Path) -> None:
    source = ("import boto3\naws = boto3.client('lambda')\n\ndef handler(e, c):\n"
              "    aws.create_event_source_mapping(FunctionName='f', "
              "EventSourceArn='arn:aws:s3:::bucket')\n"
              "    aws.create_event_source_mapping(FunctionName='f', "
              "EventSourceArn='arn:aws:kinesis:eu-west-1:1:stream/s')\n"
              "    aws.create_event_source_mapping(FunctionName='f', "
              "EventSourceArn='arn:aws:kinesis:eu-west-1:1:stream/s', "
              "StartingPosition='LATEST')\n")
    assert [r for r in rules(tmp_path, source) if r[0] == "LL507"] == [("LL507", 5),
                                                                          ("LL507", 6)]


@pytest.mark.parametrize(("source", "expected"), [
    # key used as is, directly or through a variable
    ("import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, c):\n"
     "    for r in event['Records']:\n"
     "        s3.get_object(Bucket='b', Key=r['s3']['object']['key'])\n", [("LL506", 6)]),
    ("import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, c):\n"
     "    key = event['Records'][0]['s3']['object']['key']\n"
     "    s3.download_file('b', key, '/tmp/' + key)\n", [("LL506", 6)]),
    # decoded first, or decoded variable: fine
    ("import boto3\nfrom urllib.parse import unquote_plus\ns3 = boto3.client('s3')\n\n"
     "def handler(event, c):\n    key = event['Records'][0]['s3']['object']['key']\n"
     "    key = unquote_plus(key)\n    s3.get_object(Bucket='b', Key=key)\n", []),
    # writing back into the triggering bucket
    ("import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, c):\n"
     "    for r in event['Records']:\n        b = r['s3']['bucket']['name']\n"
     "        s3.upload_file('/tmp/x', b, 'out/x')\n", [("LL502", 7)]),
])
def test_s3_event_values(tmp_path: Path, source: str,
                         expected: list[tuple[str, int]]) -> None:
    assert [r for r in rules(tmp_path, source) if r[0] in ("LL502", "LL506")] == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("CACHE = {}\n\ndef handler(event, c):\n    CACHE[event['id']] = event\n    return {}\n",
     [("LL510", 4)]),
    ("IDS = set()\n\ndef handler(event, c):\n    IDS.add(event['id'])\n    return {}\n",
     [("LL510", 4)]),
    # bounded, or not event data, or local: fine
    ("CACHE = {}\n\ndef handler(event, c):\n    CACHE[event['id']] = 1\n"
     "    if len(CACHE) > 100:\n        CACHE.clear()\n    return {}\n", []),
    ("CALLS = []\n\ndef handler(event, c):\n    CALLS.append(1)\n    return {}\n", []),
])
def test_state_across_invocations(tmp_path: Path, source: str,
                                  expected: list[tuple[str, int]]) -> None:
    assert [r for r in rules(tmp_path, source) if r[0] == "LL510"] == expected
