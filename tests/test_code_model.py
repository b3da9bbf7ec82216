"""The code model follows values the way handlers are really written.

Each flow of the code-model issue is a handler written in an everyday style: the finding
is on the line the user must change, with a related location for where the value came
from. Each has a near miss that must stay clean. All through the CLI, as a user runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zipspec import run_cli


def check(tmp_path: Path, files: dict[str, str], *extra: str) -> list[dict[str, object]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    run = run_cli(["check", ".", "--runtime", "python3.12", "--handler", "app.handler",
                   "--format", "json", *extra], tmp_path)
    assert "Traceback" not in run.stderr, run.stderr
    findings: list[dict[str, object]] = run.json["findings"]
    return findings


def found(findings: list[dict[str, object]], rule: str) -> list[tuple[object, ...]]:
    """(path, line, related lines) of one rule's findings.

    Every file here is a plain file on disk, located by its own path with no member."""
    mine = [f for f in findings if f["rule"] == rule]
    for f in mine:
        assert f["member"] is None and all(r["member"] is None for r in f["related"]), f
    return [(f["path"], f["line"], tuple((r["path"], r["line"]) for r in f["related"]))
            for f in mine]


# ---- the six flows ------------------------------------------------------------------------

def test_module_constant_path_reaches_makedirs(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import os

        MODEL_DIR = "/var/task/models"


        def handler(event, context):
            os.makedirs(MODEL_DIR, exist_ok=True)
            return {}
        """})
    assert found(findings, "LL503") == [("app.py", 7, (("app.py", 3),))]


def test_event_bucket_through_a_loop_and_two_names_reaches_put_object(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            for record in event["Records"]:
                src = record["s3"]["bucket"]["name"]
                out = src
                s3.put_object(Bucket=out, Key="report.json", Body=b"{}")
        """})
    assert found(findings, "LL502") == [("app.py", 10, (("app.py", 8),))]


def test_uuids_from_a_comprehension_are_returned(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import uuid


        def handler(event, context):
            n = event.get("count", 3)
            ids = [uuid.uuid4() for _ in range(n)]
            return {"ids": ids}
        """})
    assert found(findings, "LL405") == [("app.py", 7, (("app.py", 6),))]


def test_dynamodb_item_from_a_module_table_reaches_json_dumps(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import json
        import boto3

        TABLE = boto3.resource("dynamodb").Table("orders")


        def handler(event, context):
            item = TABLE.get_item(Key={"id": event["id"]}).get("Item")
            return {"statusCode": 200, "body": json.dumps(item)}
        """})
    assert found(findings, "LL407") == [("app.py", 9, (("app.py", 8),))]


def test_s3_arn_built_in_an_f_string_is_not_an_event_source_mapping(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import boto3

        LAMBDA = boto3.client("lambda")


        def handler(event, context):
            bucket = event["bucket"]
            LAMBDA.create_event_source_mapping(
                EventSourceArn=f"arn:aws:s3:::{bucket}", FunctionName="worker")
        """})
    assert found(findings, "LL507") == [("app.py", 8, (("app.py", 9),))]


def test_module_list_appended_to_in_the_handler(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        PENDING = []


        def handler(event, context):
            for record in event["Records"]:
                PENDING.append(record["body"])
            return {"pending": len(PENDING)}
        """})
    assert found(findings, "LL510") == [("app.py", 6, (("app.py", 1),))]


# ---- near misses: each flow's clean twin --------------------------------------------------

@pytest.mark.parametrize("source", [
    # a bucket from the environment, not from the event
    """
    import os, boto3
    s3 = boto3.client("s3")
    OUT = os.environ["OUT_BUCKET"]

    def handler(event, context):
        for record in event["Records"]:
            key = record["s3"]["object"]["key"]
            s3.put_object(Bucket=OUT, Key=key + ".txt", Body=b"")
    """,
    # the key passed through unquote_plus in a helper of its own
    """
    import boto3
    from urllib.parse import unquote_plus
    s3 = boto3.client("s3")

    def decode(key):
        return unquote_plus(key)

    def handler(event, context):
        record = event["Records"][0]
        s3.get_object(Bucket="other", Key=decode(record["s3"]["object"]["key"]))
    """,
    # a helper that caches its client in a global
    """
    import boto3
    _S3 = None

    def client():
        global _S3
        if _S3 is None:
            _S3 = boto3.client("s3")
        return _S3

    def handler(event, context):
        return client().list_buckets()
    """,
    # a module list cleared after flushing
    """
    PENDING = []

    def flush():
        print(PENDING)
        PENDING.clear()

    def handler(event, context):
        PENDING.append(event["id"])
        flush()
    """,
    # the constant path is in /tmp and made unique per invocation
    """
    import os, uuid
    SCRATCH = "/tmp/work"

    def handler(event, context):
        os.makedirs(os.path.join(SCRATCH, str(uuid.uuid4())))
    """,
    # uuids converted before they are returned
    """
    import uuid

    def handler(event, context):
        ids = [str(uuid.uuid4()) for _ in range(3)]
        return {"ids": ids}
    """,
    # the DynamoDB item serialised with default=
    """
    import json, boto3
    TABLE = boto3.resource("dynamodb").Table("orders")

    def handler(event, context):
        item = TABLE.get_item(Key={"id": event["id"]}).get("Item")
        return {"statusCode": 200, "body": json.dumps(item, default=str)}
    """,
    # an SQS ARN with StartingPosition left out
    """
    import boto3
    LAMBDA = boto3.client("lambda")

    def handler(event, context):
        LAMBDA.create_event_source_mapping(
            EventSourceArn=f"arn:aws:sqs:us-east-1:123456789012:{event['q']}",
            FunctionName="worker")
    """,
], ids=["bucket-from-environment", "unquote-in-helper", "helper-caches-client",
        "list-cleared", "unique-tmp", "uuids-converted", "dumps-default", "sqs-mapping"])
def test_near_misses_stay_clean(tmp_path: Path, source: str) -> None:
    findings = check(tmp_path, {"app.py": source})
    # (LL508, an info about literal resource names, is not what these are about)
    assert [f["rule"] for f in findings if str(f["rule"]).startswith(("LL4", "LL5")) and
            f["rule"] != "LL508"] == []


# ---- what the old analyses got wrong (design review) --------------------------------------

def test_a_client_name_rebound_by_a_loop_in_the_handler_is_not_the_lambda_client(
        tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import boto3

        lam = boto3.client("lambda")


        def handler(event, context):
            for lam in event["handlers"]:
                lam.invoke(FunctionName=context.function_name)
        """})
    assert found(findings, "LL501") == []


def test_an_s3_key_rebound_to_a_literal_is_not_reported(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            key = event["Records"][0]["s3"]["object"]["key"]
            if key.endswith("/"):
                key = "index.html"
            s3.get_object(Bucket="site", Key=key)
        """})
    assert found(findings, "LL506") == []


# ---- across modules, helpers and arguments -------------------------------------------------

def test_a_client_from_a_sibling_module_and_a_helper_argument(tmp_path: Path) -> None:
    findings = check(tmp_path, {
        "aws.py": """
            import boto3

            def lambda_client():
                return boto3.client("lambda")
            """,
        "app.py": """
            import os
            from aws import lambda_client

            CLIENT = lambda_client()


            def again(name):
                CLIENT.invoke(FunctionName=name, InvocationType="Event")


            def handler(event, context):
                again(os.environ["AWS_LAMBDA_FUNCTION_NAME"])
            """})
    assert found(findings, "LL501") == [("app.py", 8, (("app.py", 12),))]


def test_json_dumps_in_a_helper_is_reported_where_it_is_called_with_an_item(
        tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import json
        import boto3

        TABLE = boto3.resource("dynamodb").Table("orders")


        def response(status, body):
            return {"statusCode": status, "body": json.dumps(body)}


        def handler(event, context):
            found = TABLE.query(KeyConditionExpression="pk = :p")["Items"]
            return response(200, found)
        """})
    assert [(p, line) for p, line, _ in found(findings, "LL407")] == [("app.py", 8)]


def test_a_client_made_in_a_helper_the_handler_calls(tmp_path: Path) -> None:
    findings = check(tmp_path, {"app.py": """
        import boto3


        def upload(body):
            s3 = boto3.client("s3")
            s3.put_object(Bucket="b", Key="k", Body=body)


        def handler(event, context):
            upload(b"x")
        """})
    assert [(f["line"], "upload()" in str(f["message"])) for f in findings
            if f["rule"] == "LL505"] == [(5, True)]


def test_check_of_parseable_code_never_imports_libcst(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent("""
        import boto3, uuid
        s3 = boto3.client("s3")

        def handler(event, context):
            for record in event["Records"]:
                s3.put_object(Bucket=record["s3"]["bucket"]["name"], Key="x", Body=b"")
            return {"id": uuid.uuid4()}
        """))
    probe = ("import json, sys\nfrom lambdalint.cli import main\n"
             "code = main(sys.argv[1:])\n"
             "print(json.dumps({'code': code, 'libcst': 'libcst' in sys.modules}),"
             " file=sys.stderr)\n")
    result = subprocess.run(
        [sys.executable, "-c", probe, "check", "app.py", "--runtime", "python3.9",
         "--handler", "app.handler", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    outcome = json.loads(result.stderr.strip().splitlines()[-1])
    rules = sorted(f["rule"] for f in json.loads(result.stdout)["findings"]
                   if f["rule"].startswith(("LL4", "LL5")))
    assert rules == ["LL405", "LL502"]
    assert outcome == {"code": 1, "libcst": False}
