"""`lambdalint check --fix / --unsafe-fixes / --diff / --fix-only` on function code and on the
files that configure functions (SAM and CloudFormation templates, serverless.yml,
pyproject.toml), as a user sees them: the command's output and exit code, the JSON findings
of a re-check, and the exact text of the files after the fix.

Every run is in-process (``zipspec.run_cli``), in a realistic project written in tmp_path.
The expected text after each fix is written out in full; ``--diff`` must print exactly the
unified diff between the text before and that text.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lambdalint.engine import Options, Result

from zipspec import Run, run_cli

SOURCE_ARGS = ("--runtime", "python3.12", "--handler", "app.handler", "src")
ZIP_ARGS = ("--runtime", "python3.12", "--handler", "app.handler", "function.zip")
TODAY = ("--today", "2026-11-21")
UNSAFE = ("--fix", "--unsafe-fixes")
CDK_PROJECT = Path(__file__).parent / "projects" / "cdk"
WHEN = (2024, 3, 1, 12, 0, 0)


# ---- running lambdalint -------------------------------------------------------------------


def lint(folder: Path, *argv: str) -> Run:
    run = run_cli(["check", *argv], folder)
    assert "internal error" not in run.stderr, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    return run


def findings(folder: Path, *argv: str) -> list[dict[str, Any]]:
    run = lint(folder, *argv, "--format", "json")
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    found: list[dict[str, Any]] = run.json["findings"]
    return found


def findings_any(folder: Path, *argv: str) -> list[dict[str, Any]]:
    """The findings, whatever the exit code (2: an input could not be read)."""
    run = lint(folder, *argv, "--format", "json")
    found: list[dict[str, Any]] = run.json["findings"]
    return found


def fixability(found: list[dict[str, Any]], rule: str) -> list[str | None]:
    return [f["fix_applicability"] for f in found if f["rule"] == rule]


def notes(run: Run) -> list[str]:
    """The lines lambdalint writes on stderr about fixes."""
    return [line for line in run.stderr.splitlines() if line.startswith("lambdalint: ")]


def unified(before: str, after: str, shown: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True), shown, shown))


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a diff removes (-) and adds (+), in order: everything else is untouched."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), n=0)
        if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def tail(run: Run, lines: int) -> list[str]:
    return run.stdout.rstrip("\n").splitlines()[-lines:]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def write_source(folder: Path, text: str) -> Path:
    (folder / "src").mkdir()
    path = folder / "src" / "app.py"
    path.write_text(text, encoding="utf-8")
    return path


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, WHEN)
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_function_zip(folder: Path, app: str) -> Path:
    path = folder / "function.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zip_info("app.py"), app)
        archive.writestr(zip_info("settings.py"), "REGION = 'eu-west-1'\n")
    return path


# ---- the code fixes -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    rule: str
    applicability: str  # what the JSON report says
    count: int  # findings of the rule in `before`
    before: str
    after: str
    changed: tuple[str, ...]  # the diff's -/+ lines: nothing else changes


LL505_SAFE = Case(
    "LL505", "safe", 1,
    before='''\
"""Thumbnails: list what is waiting in the uploads bucket."""

import logging

import boto3

logger = logging.getLogger(__name__)


def handler(event, context):
    """Return how many uploads are waiting."""
    logger.info("listing uploads")

    # a client for the uploads bucket, in its own region
    s3 = boto3.client("s3", region_name="eu-west-1")  # one client per call
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=event["bucket"])

    count = sum(page.get("KeyCount", 0) for page in pages)
    return {"waiting": count}  # the dashboard reads this
''',
    after='''\
"""Thumbnails: list what is waiting in the uploads bucket."""

import logging

import boto3

# a client for the uploads bucket, in its own region
s3 = boto3.client("s3", region_name="eu-west-1")  # one client per call

logger = logging.getLogger(__name__)


def handler(event, context):
    """Return how many uploads are waiting."""
    logger.info("listing uploads")

    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=event["bucket"])

    count = sum(page.get("KeyCount", 0) for page in pages)
    return {"waiting": count}  # the dashboard reads this
''',
    changed=(
        "+",
        "+# a client for the uploads bucket, in its own region",
        '+s3 = boto3.client("s3", region_name="eu-west-1")  # one client per call',
        "-    # a client for the uploads bucket, in its own region",
        '-    s3 = boto3.client("s3", region_name="eu-west-1")  # one client per call',
    ))

LL505_UNSAFE = Case(
    "LL505", "unsafe", 1,
    before='''\
"""Store reports in the bucket named in the environment."""

import os

import boto3

BUCKET = os.environ["BUCKET"]


def handler(event, context):
    """Store one report."""
    # the client for the configured region
    s3 = boto3.client("s3", region_name=os.environ["REGION"])  # from config
    body = event["body"]

    s3.put_object(Bucket=BUCKET, Key="report.json", Body=body)
    return {"statusCode": 204}
''',
    after='''\
"""Store reports in the bucket named in the environment."""

import os

import boto3

_S3 = None

BUCKET = os.environ["BUCKET"]


def handler(event, context):
    """Store one report."""
    # the client for the configured region
    global _S3
    if _S3 is None:
        _S3 = boto3.client("s3", region_name=os.environ["REGION"])  # from config
    s3 = _S3
    body = event["body"]

    s3.put_object(Bucket=BUCKET, Key="report.json", Body=body)
    return {"statusCode": 204}
''',
    changed=(
        "+",
        "+_S3 = None",
        '-    s3 = boto3.client("s3", region_name=os.environ["REGION"])  # from config',
        "+    global _S3",
        "+    if _S3 is None:",
        '+        _S3 = boto3.client("s3", region_name=os.environ["REGION"])  # from config',
        "+    s3 = _S3",
    ))

LL506 = Case(
    "LL506", "safe", 1,
    before='''\
"""Copy images uploaded to the inbox bucket to the outbox."""

import os

import boto3

s3 = boto3.client("s3")
OUTBOX = os.environ["OUTBOX"]


def handler(event, context):
    """Copy each uploaded image."""
    for record in event["Records"]:  # one record per object
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]

        # fetch the original
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=OUTBOX, Key="copies/" + bucket, Body=body)

    return {"statusCode": 200}
''',
    after='''\
"""Copy images uploaded to the inbox bucket to the outbox."""

import os

import boto3
import urllib.parse

s3 = boto3.client("s3")
OUTBOX = os.environ["OUTBOX"]


def handler(event, context):
    """Copy each uploaded image."""
    for record in event["Records"]:  # one record per object
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])

        # fetch the original
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=OUTBOX, Key="copies/" + bucket, Body=body)

    return {"statusCode": 200}
''',
    changed=(
        "+import urllib.parse",
        '-        key = record["s3"]["object"]["key"]',
        '+        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])',
    ))

LL405 = Case(
    "LL405", "unsafe", 4,
    before='''\
"""Answer questions about an order."""

import datetime
import uuid


def handler(event, context):
    """Return the tags, the time, a request id, or the order."""
    kind = event.get("kind")  # which answer the caller wants

    if kind == "tags":
        # a set of tag names
        return set(event["tags"])
    if kind == "time":
        return datetime.datetime.now()  # when we answered
    if kind == "id":
        return uuid.uuid4()

    return {
        "order": event["order"],
        "at": datetime.datetime.now(),  # inline in the dict
    }
''',
    after='''\
"""Answer questions about an order."""

import datetime
import uuid


def handler(event, context):
    """Return the tags, the time, a request id, or the order."""
    kind = event.get("kind")  # which answer the caller wants

    if kind == "tags":
        # a set of tag names
        return sorted(set(event["tags"]))
    if kind == "time":
        return datetime.datetime.now().isoformat()  # when we answered
    if kind == "id":
        return str(uuid.uuid4())

    return {
        "order": event["order"],
        "at": datetime.datetime.now().isoformat(),  # inline in the dict
    }
''',
    changed=(
        '-        return set(event["tags"])',
        '+        return sorted(set(event["tags"]))',
        "-        return datetime.datetime.now()  # when we answered",
        "+        return datetime.datetime.now().isoformat()  # when we answered",
        "-        return uuid.uuid4()",
        "+        return str(uuid.uuid4())",
        '-        "at": datetime.datetime.now(),  # inline in the dict',
        '+        "at": datetime.datetime.now().isoformat(),  # inline in the dict',
    ))

LL407 = Case(
    "LL407", "unsafe", 1,
    before='''\
"""Read one order from DynamoDB and return it as JSON."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    """GET /orders/{id}."""
    item = table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]

    # numbers come back as Decimal
    body = json.dumps(item, indent=2)
    return {"statusCode": 200, "body": body}
''',
    after='''\
"""Read one order from DynamoDB and return it as JSON."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    """GET /orders/{id}."""
    item = table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]

    # numbers come back as Decimal
    body = json.dumps(item, indent=2, default=str)
    return {"statusCode": 200, "body": body}
''',
    changed=(
        "-    body = json.dumps(item, indent=2)",
        "+    body = json.dumps(item, indent=2, default=str)",
    ))

LL504 = Case(
    "LL504", "unsafe", 1,
    before='''\
"""Keep a scratch copy of every event."""

import json

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    """Write the event out."""
    payload = json.dumps(event)

    # scratch copy
    with open("/tmp/event.json", "w") as f:
        f.write(payload)
        f.write("\\n")

    return {"statusCode": 200}
''',
    after='''\
"""Keep a scratch copy of every event."""

import json

import boto3
import tempfile

s3 = boto3.client("s3")


def handler(event, context):
    """Write the event out."""
    payload = json.dumps(event)

    # scratch copy
    with tempfile.NamedTemporaryFile("w") as f:
        f.write(payload)
        f.write("\\n")

    return {"statusCode": 200}
''',
    changed=(
        "+import tempfile",
        '-    with open("/tmp/event.json", "w") as f:',
        '+    with tempfile.NamedTemporaryFile("w") as f:',
    ))

CASES = {"LL505-safe": LL505_SAFE, "LL505-unsafe": LL505_UNSAFE, "LL506": LL506,
         "LL405": LL405, "LL407": LL407, "LL504": LL504}


def test_the_cases_say_what_changes() -> None:
    for name, case in CASES.items():
        assert changed_lines(case.before, case.after) == list(case.changed), name


@pytest.mark.parametrize("name", list(CASES))
def test_code_fix_in_a_source_folder(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    app = write_source(tmp_path, case.before)
    flags = ("--unsafe-fixes",) if case.applicability == "unsafe" else ()

    found = findings(tmp_path, *SOURCE_ARGS)
    assert [f["rule"] for f in found] == [case.rule] * case.count
    assert fixability(found, case.rule) == [case.applicability] * case.count

    if flags:  # --fix alone leaves an unsafe fix alone
        run = lint(tmp_path, *SOURCE_ARGS, "--fix")
        assert run.exit_code == 1
        assert notes(run) == ["lambdalint: 0 findings fixed"]
        assert app.read_text(encoding="utf-8") == case.before

    diff = lint(tmp_path, *SOURCE_ARGS, "--diff", *flags)
    assert (diff.exit_code, diff.stdout) == (1, unified(case.before, case.after, "src/app.py"))
    assert diff.stdout.startswith("--- src/app.py\n+++ src/app.py\n@@ ")
    assert app.read_text(encoding="utf-8") == case.before  # --diff changes nothing

    fixed = lint(tmp_path, *SOURCE_ARGS, "--fix", *flags)
    plural = "s" if case.count > 1 else ""
    assert notes(fixed) == [f"lambdalint: fixed src/app.py: {', '.join([case.rule] * case.count)}",
                            f"lambdalint: {case.count} finding{plural} fixed"]
    assert fixed.exit_code == 0, fixed.stdout
    assert app.read_bytes() == case.after.encode("utf-8")
    assert changed_lines(case.before, app.read_text(encoding="utf-8")) == list(case.changed)

    assert findings(tmp_path, *SOURCE_ARGS) == []
    again = lint(tmp_path, *SOURCE_ARGS, "--fix", *flags)
    assert (again.exit_code, notes(again)) == (0, ["lambdalint: 0 findings fixed"])
    assert app.read_bytes() == case.after.encode("utf-8")
    quiet = lint(tmp_path, *SOURCE_ARGS, "--diff", *flags)
    assert (quiet.exit_code, quiet.stdout) == (0, "")


@pytest.mark.parametrize("name", ["LL505-safe", "LL505-unsafe", "LL506"])
def test_code_fix_inside_a_function_zip(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = write_function_zip(tmp_path, case.before)
    with zipfile.ZipFile(path) as archive:
        settings = archive.getinfo("settings.py")
        settings_raw = (settings.CRC, settings.compress_size, settings.date_time)
    flags = ("--unsafe-fixes",) if case.applicability == "unsafe" else ()

    found = findings(tmp_path, *ZIP_ARGS)
    assert [(f["rule"], f["path"], f["member"], f["fix_applicability"]) for f in found] == \
        [(case.rule, "function.zip", "app.py", case.applicability)]

    before_bytes = path.read_bytes()
    diff = lint(tmp_path, *ZIP_ARGS, "--diff", *flags)
    assert diff.exit_code == 1
    assert diff.stdout == "--- function.zip\n+++ function.zip\n" + unified(
        case.before, case.after, "function.zip:app.py")
    assert "--- function.zip:app.py\n+++ function.zip:app.py\n" in diff.stdout
    assert path.read_bytes() == before_bytes

    fixed = lint(tmp_path, *ZIP_ARGS, "--fix", *flags)
    assert notes(fixed) == [f"lambdalint: fixed function.zip: {case.rule}",
                            "lambdalint: 1 finding fixed"]
    assert fixed.exit_code == 0, fixed.stdout
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["app.py", "settings.py"]
        assert archive.read("app.py") == case.after.encode("utf-8")
        settings = archive.getinfo("settings.py")
        assert (settings.CRC, settings.compress_size, settings.date_time) == settings_raw
        assert archive.getinfo("app.py").external_attr >> 16 == 0o100644

    assert findings(tmp_path, *ZIP_ARGS) == []
    fixed_bytes = path.read_bytes()
    again = lint(tmp_path, *ZIP_ARGS, "--fix", *flags)
    assert (again.exit_code, notes(again)) == (0, ["lambdalint: 0 findings fixed"])
    assert path.read_bytes() == fixed_bytes
    quiet = lint(tmp_path, *ZIP_ARGS, "--diff", *flags)
    assert (quiet.exit_code, quiet.stdout) == (0, "")


# ---- safe and unsafe, several fixes in one module ---------------------------------------------

GATED = '''\
"""Export one order."""

import json
import os

import boto3

TABLE = os.environ["TABLE"]


def handler(event, context):
    """Return the order and its tags."""
    dynamodb = boto3.resource("dynamodb")  # the resource for every call
    item = dynamodb.Table(TABLE).get_item(Key={"id": event["id"]})["Item"]

    print(json.dumps(item))  # log it
    return {"tags": set(item["tags"])}
'''

GATED_SAFE = '''\
"""Export one order."""

import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")  # the resource for every call

TABLE = os.environ["TABLE"]


def handler(event, context):
    """Return the order and its tags."""
    item = dynamodb.Table(TABLE).get_item(Key={"id": event["id"]})["Item"]

    print(json.dumps(item))  # log it
    return {"tags": set(item["tags"])}
'''

GATED_ALL = GATED_SAFE.replace("json.dumps(item)", "json.dumps(item, default=str)").replace(
    'set(item["tags"])', 'sorted(set(item["tags"]))')


def test_fix_applies_the_safe_fixes_and_reports_the_unsafe_ones(tmp_path: Path) -> None:
    app = write_source(tmp_path, GATED)
    found = findings(tmp_path, *SOURCE_ARGS)
    assert [(f["rule"], f["fix_applicability"]) for f in found] == [
        ("LL505", "safe"), ("LL407", "unsafe"), ("LL405", "unsafe")]
    report = lint(tmp_path, *SOURCE_ARGS)
    assert tail(report, 2)[0] == "1 fixable with --fix; 2 more with --unsafe-fixes"

    safe = lint(tmp_path, *SOURCE_ARGS, "--fix")
    assert notes(safe) == ["lambdalint: fixed src/app.py: LL505", "lambdalint: 1 finding fixed"]
    assert app.read_text(encoding="utf-8") == GATED_SAFE
    assert safe.exit_code == 1
    last = tail(safe, 2)
    assert last[0] == "2 fixable with --unsafe-fixes"
    assert last[1].startswith("failed: 2 error, 0 warning, 0 info in 1 input (")
    assert "[--unsafe-fixes]" in safe.stdout and "[--fix]" not in safe.stdout
    assert [(f["rule"], f["fix_applicability"]) for f in findings(tmp_path, *SOURCE_ARGS)] == \
        [("LL407", "unsafe"), ("LL405", "unsafe")]
    nothing = lint(tmp_path, *SOURCE_ARGS, "--diff")
    assert (nothing.exit_code, nothing.stdout) == (0, "")

    diff = lint(tmp_path, *SOURCE_ARGS, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(GATED_SAFE, GATED_ALL, "src/app.py"))
    unsafe = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert notes(unsafe) == ["lambdalint: fixed src/app.py: LL407, LL405",
                             "lambdalint: 2 findings fixed"]
    assert unsafe.exit_code == 0
    assert app.read_text(encoding="utf-8") == GATED_ALL
    assert findings(tmp_path, *SOURCE_ARGS) == []


MULTI = '''\
"""Copy uploaded objects and answer with what was copied."""

import datetime
import json
import os

import boto3

DESTINATION = os.environ["DESTINATION"]


def handler(event, context):
    """Copy every uploaded object to the destination bucket."""
    s3 = boto3.client("s3")  # made on every call
    copied = set()

    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        s3.copy_object(CopySource={"Bucket": bucket, "Key": key},
                       Bucket=DESTINATION, Key=key)
        copied.add(key)

    for removed in event.get("Deleted", []):
        gone = removed["s3"]["object"]["key"]
        s3.delete_object(Bucket=DESTINATION, Key=gone)

    print(json.dumps({"copied": copied}))  # log line
    return {
        "copied": len(copied),
        "finished": datetime.datetime.now(),
    }
'''

MULTI_FIXED = '''\
"""Copy uploaded objects and answer with what was copied."""

import datetime
import json
import os

import boto3
import urllib.parse

s3 = boto3.client("s3")  # made on every call

DESTINATION = os.environ["DESTINATION"]


def handler(event, context):
    """Copy every uploaded object to the destination bucket."""
    copied = set()

    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        s3.copy_object(CopySource={"Bucket": bucket, "Key": key},
                       Bucket=DESTINATION, Key=key)
        copied.add(key)

    for removed in event.get("Deleted", []):
        gone = urllib.parse.unquote_plus(removed["s3"]["object"]["key"])
        s3.delete_object(Bucket=DESTINATION, Key=gone)

    print(json.dumps({"copied": copied}, default=str))  # log line
    return {
        "copied": len(copied),
        "finished": datetime.datetime.now().isoformat(),
    }
'''


def test_several_fixes_in_one_module_in_one_run(tmp_path: Path) -> None:
    app = write_source(tmp_path, MULTI)
    assert [(f["rule"], f["fix_applicability"]) for f in findings(tmp_path, *SOURCE_ARGS)] == [
        ("LL505", "safe"), ("LL506", "safe"), ("LL506", "safe"), ("LL407", "unsafe"),
        ("LL405", "unsafe")]

    diff = lint(tmp_path, *SOURCE_ARGS, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(MULTI, MULTI_FIXED, "src/app.py"))

    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert notes(run) == ["lambdalint: fixed src/app.py: LL505, LL506, LL506, LL407, LL405",
                          "lambdalint: 5 findings fixed"]
    assert run.exit_code == 0
    text = app.read_text(encoding="utf-8")
    assert text == MULTI_FIXED
    assert text.count("import urllib.parse") == 1
    assert text.count("urllib.parse.unquote_plus(") == 2
    assert findings(tmp_path, *SOURCE_ARGS) == []
    again = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert (again.exit_code, notes(again)) == (0, ["lambdalint: 0 findings fixed"])
    assert app.read_text(encoding="utf-8") == MULTI_FIXED


# ---- a codemod that refuses ---------------------------------------------------------------------

REASSIGNED = '''\
"""Copy an object to the replica's region."""

import boto3


def handler(event, context):
    """Copy one object."""
    s3 = boto3.client("s3")
    data = s3.get_object(Bucket=event["from"], Key="a")["Body"].read()
    s3 = boto3.client("s3", region_name="us-west-2")  # the replica's region
    s3.put_object(Bucket=event["to"], Key="a", Body=data)
    return {"copied": 1}
'''

READ_BACK = '''\
"""Build a CSV, then upload it."""

import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET"]


def handler(event, context):
    """Export the rows."""
    with open("/tmp/export.csv", "w") as f:
        f.write(event["csv"])

    s3.upload_file("/tmp/export.csv", BUCKET, "export.csv")  # read back here
    return {"statusCode": 200}
'''

REFUSED = {"LL505-reassigned": (REASSIGNED, ["LL505", "LL505"]),
           "LL504-read-back": (READ_BACK, ["LL504"])}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_refused_code_fix_changes_nothing(tmp_path: Path, name: str) -> None:
    source, rules = REFUSED[name]
    app = write_source(tmp_path, source)
    assert [f["rule"] for f in findings(tmp_path, *SOURCE_ARGS)] == rules

    diff = lint(tmp_path, *SOURCE_ARGS, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (0, "")
    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert run.exit_code == 1
    assert notes(run) == ["lambdalint: 0 findings fixed"]
    assert app.read_text(encoding="utf-8") == source
    assert [f["rule"] for f in findings(tmp_path, *SOURCE_ARGS)] == rules


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_finding_marked_fixable_is_fixed(tmp_path: Path, name: str) -> None:
    """The report promises a fix ("[--fix]", "fixable with --fix", fix_applicability):
    after `--fix --unsafe-fixes` no finding may still carry that promise."""
    source, _ = REFUSED[name]
    write_source(tmp_path, source)
    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE, "--format", "json")
    still = [(f["rule"], f["line"], f["fix_applicability"]) for f in run.json["findings"]
             if f["fix_applicability"] is not None]
    assert still == [], f"promised a fix that --fix does not make: {still}"
    text = lint(tmp_path, *SOURCE_ARGS)
    assert "fixable with" not in text.stdout


# ---- templates and configs --------------------------------------------------------------------

SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders API  # the public one

Globals:
  Function:
    Runtime: python3.9  # bump when the wheels are rebuilt
    Timeout: 10
    MemorySize: 256

Resources:
  # The API's only function
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: {handler}
      Environment:
        Variables:
          TABLE: orders   # keep in sync with the table below
"""

HANDLER_PY = '''\
import os


def handler(event, context):
    return {"statusCode": 200, "table": os.environ["TABLE"]}
'''


@pytest.mark.parametrize("quote", ["", '"', "'"], ids=["plain", "double", "single"])
def test_sam_template_runtime_and_handler(tmp_path: Path, quote: str) -> None:
    old = SAM.format(handler=f"{quote}app.handlr{quote}")
    template = tmp_path / "template.yaml"
    template.write_text(old, encoding="utf-8")
    write_source(tmp_path, HANDLER_PY)
    new = old.replace("Runtime: python3.9  #", "Runtime: python3.14  #").replace(
        f"Handler: {quote}app.handlr{quote}\n", f"Handler: {quote}app.handler{quote}\n")
    assert new != old

    found = findings(tmp_path, *TODAY)
    assert sorted((f["rule"], f["fix_applicability"]) for f in found) == [
        ("LL208", "unsafe"), ("LL402", "unsafe")]
    safe_only = lint(tmp_path, *TODAY, "--fix")
    assert notes(safe_only) == ["lambdalint: 0 findings fixed"]
    assert tail(safe_only, 2)[0] == "2 fixable with --unsafe-fixes"
    assert template.read_text(encoding="utf-8") == old

    diff = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(old, new, "template.yaml"))
    assert template.read_text(encoding="utf-8") == old

    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert notes(run) == ["lambdalint: fixed template.yaml: LL402, LL208",
                          "lambdalint: 2 findings fixed"]
    assert run.exit_code == 0
    assert template.read_bytes() == new.encode("utf-8")
    assert (tmp_path / "src" / "app.py").read_text(encoding="utf-8") == HANDLER_PY
    assert findings(tmp_path, *TODAY) == []
    again = lint(tmp_path, *TODAY, *UNSAFE)
    assert (again.exit_code, notes(again)) == (0, ["lambdalint: 0 findings fixed"])
    quiet = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (quiet.exit_code, quiet.stdout) == (0, "")


def test_fix_only_reports_nothing_but_the_fixes(tmp_path: Path) -> None:
    old = SAM.format(handler="app.handlr")
    (tmp_path / "template.yaml").write_text(old, encoding="utf-8")
    write_source(tmp_path, HANDLER_PY)
    run = lint(tmp_path, *TODAY, "--fix-only", "--unsafe-fixes")
    assert (run.exit_code, run.stdout) == (0, "")
    assert notes(run) == ["lambdalint: fixed template.yaml: LL402, LL208",
                          "lambdalint: 2 findings fixed"]
    assert (tmp_path / "template.yaml").read_text(encoding="utf-8") == old.replace(
        "python3.9", "python3.14").replace("app.handlr", "app.handler")


CFN = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "Orders worker",
  "Resources": {
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.9",
        "Handler": "app.handlr",
        "Code": "src",
        "Timeout": 30,
        "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}
      }
    },
    "Inline": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.9",
        "Handler": "index.handler",
        "Code": {"ZipFile": "def handler(event, context):\\n    return {}\\n"},
        "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}
      }
    }
  }
}
"""


def test_cloudformation_json_template(tmp_path: Path) -> None:
    template = tmp_path / "template.json"
    template.write_text(CFN, encoding="utf-8")
    write_source(tmp_path, HANDLER_PY)
    new = CFN.replace('"Runtime": "python3.9"', '"Runtime": "python3.14"').replace(
        '"app.handlr"', '"app.handler"')

    found = findings(tmp_path, *TODAY)
    assert sorted((f["rule"], f["path"], f["line"], f["fix_applicability"]) for f in found) == [
        ("LL208", "template.json", 8, "unsafe"), ("LL208", "template.json", 18, "unsafe"),
        ("LL402", "src/app.py", None, "unsafe")]
    diff = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(CFN, new, "template.json"))

    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert notes(run) == ["lambdalint: fixed template.json: LL402, LL208, LL208",
                          "lambdalint: 3 findings fixed"]
    assert run.exit_code == 0
    assert template.read_bytes() == new.encode("utf-8")
    assert findings(tmp_path, *TODAY) == []
    quiet = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (quiet.exit_code, quiet.stdout) == (0, "")


SERVERLESS = """\
service: orders  # the orders service

provider:
  name: aws
  runtime: python3.9
  region: eu-west-1

functions:
  api:
    handler: handler.handlr   # the HTTP API
    events:
      - httpApi: "GET /orders"
"""


def test_serverless_yml(tmp_path: Path) -> None:
    config = tmp_path / "serverless.yml"
    config.write_text(SERVERLESS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200}\n", encoding="utf-8")
    new = SERVERLESS.replace("runtime: python3.9\n", "runtime: python3.14\n").replace(
        "handler: handler.handlr ", "handler: handler.handler ")

    found = findings(tmp_path, *TODAY)
    assert sorted((f["rule"], f["fix_applicability"]) for f in found) == [
        ("LL208", "unsafe"), ("LL402", "unsafe")]
    diff = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(SERVERLESS, new, "serverless.yml"))

    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert notes(run) == ["lambdalint: fixed serverless.yml: LL402, LL208",
                          "lambdalint: 2 findings fixed"]
    assert run.exit_code == 0
    assert config.read_bytes() == new.encode("utf-8")
    assert findings(tmp_path, *TODAY) == []


PYPROJECT = """\
[project]
name = "orders"
version = "1.0.0"

[tool.lambdalint]
runtime = "python3.9"  # the runtime every function uses
architecture = "x86_64"

# the API
[[tool.lambdalint.function]]
name = "api"
code = "orders"
handler = "app.handler"

# the nightly report
[[tool.lambdalint.function]]
name = "report"
code = "reports"
handler = "app.handlr"   # the report's entry point
layers = [
    "dist/common-layer.zip",  # shared code
    "dist/pillow-layer.zip",
]
"""


def test_pyproject_toml(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(PYPROJECT, encoding="utf-8")
    for folder, body in (("orders", "{}"), ("reports", '{"rows": 0}')):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text(
            f"def handler(event, context):\n    return {body}\n", encoding="utf-8")
    (tmp_path / "dist").mkdir()
    for layer in ("common", "pillow"):
        with zipfile.ZipFile(tmp_path / "dist" / f"{layer}-layer.zip", "w") as archive:
            archive.writestr(zip_info(f"python/{layer}_lib.py"), "VERSION = 1\n")
    new = PYPROJECT.replace('runtime = "python3.9"', 'runtime = "python3.14"').replace(
        'handler = "app.handlr"', 'handler = "app.handler"')
    layers_before = {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()}

    found = findings(tmp_path, *TODAY)
    assert sorted((f["rule"], f["path"], f["fix_applicability"]) for f in found) == [
        ("LL208", "orders", "unsafe"), ("LL208", "reports", "unsafe"),
        ("LL402", "reports/app.py", "unsafe")]
    diff = lint(tmp_path, *TODAY, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (1, unified(PYPROJECT, new, "pyproject.toml"))

    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert notes(run) == ["lambdalint: fixed pyproject.toml: LL208, LL208, LL402",
                          "lambdalint: 3 findings fixed"]
    assert run.exit_code == 0
    assert config.read_bytes() == new.encode("utf-8")
    assert {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()} == layers_before
    assert findings(tmp_path, *TODAY) == []


def test_a_value_from_the_command_line_has_no_fix(tmp_path: Path) -> None:
    app = write_source(tmp_path, HANDLER_PY)
    argv = ("--runtime", "python3.9", "--handler", "app.handler", "src", *TODAY)
    found = findings(tmp_path, *argv)
    assert [(f["rule"], f["fix_applicability"]) for f in found] == [("LL208", None)]
    run = lint(tmp_path, *argv, *UNSAFE)
    assert (run.exit_code, notes(run)) == (1, ["lambdalint: 0 findings fixed"])
    assert "fixable with" not in run.stdout
    assert app.read_text(encoding="utf-8") == HANDLER_PY
    diff = lint(tmp_path, *argv, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (0, "")


def test_a_handler_with_two_close_names_is_not_fixed(tmp_path: Path) -> None:
    old = SAM.format(handler="app.handler_").replace("python3.9", "python3.13")
    (tmp_path / "template.yaml").write_text(old, encoding="utf-8")
    write_source(tmp_path, "def handler_a(event, context):\n    return {}\n\n\n"
                           "def handler_b(event, context):\n    return {}\n")
    found = findings(tmp_path, *TODAY)
    assert [(f["rule"], f["fix_applicability"]) for f in found] == [("LL402", None)]
    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert (run.exit_code, notes(run)) == (1, ["lambdalint: 0 findings fixed"])
    assert (tmp_path / "template.yaml").read_text(encoding="utf-8") == old


def _cdk_project(tmp_path: Path) -> Path:
    project = tmp_path / "cdk"
    shutil.copytree(CDK_PROJECT, project, symlinks=True)
    template = project / "cdk.out" / "ApiStack.template.json"
    text = template.read_text(encoding="utf-8")
    assert '"Runtime": "python3.12"' in text
    template.write_text(text.replace('"Runtime": "python3.12"', '"Runtime": "python3.9"'),
                        encoding="utf-8")
    return project


def test_a_cdk_out_template_is_never_edited(tmp_path: Path) -> None:
    project = _cdk_project(tmp_path)
    found = findings(project, *TODAY)
    assert ("LL208", "cdk.out/ApiStack.template.json") in [(f["rule"], f["path"]) for f in found]
    before = snapshot(project)

    # Its findings promise no fix (`cdk synth` would write the file again), so there is
    # nothing to leave alone either.
    diff = lint(project, *TODAY, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout) == (0, "")
    run = lint(project, *TODAY, *UNSAFE)
    assert notes(run)[-1] == "lambdalint: 0 findings fixed"
    assert run.exit_code == 1
    assert snapshot(project) == before


def test_cdk_out_findings_are_not_promised_a_fix(tmp_path: Path) -> None:
    """--fix never edits cdk.out, so its findings must not be marked fixable."""
    project = _cdk_project(tmp_path)
    found = findings(project, *TODAY)
    promised = [(f["rule"], f["path"], f["fix_applicability"]) for f in found
                if f["path"].startswith("cdk.out/") and f["fix_applicability"] is not None]
    assert promised == []


# ---- safety -------------------------------------------------------------------------------------


def test_a_template_changed_during_the_fix_is_left_alone(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdalint.engine import run as real_run
    from lambdalint.fix import apply

    old = SAM.format(handler="app.handlr")
    template = tmp_path / "template.yaml"
    template.write_text(old, encoding="utf-8")
    write_source(tmp_path, HANDLER_PY)
    calls = []

    def run_and_edit(options: Options) -> Result:
        calls.append(1)
        if len(calls) == 2:  # the re-check after the first pass: the user saves the file
            with open(template, "a", encoding="utf-8") as handle:
                handle.write("# edited by the user\n")
        return real_run(options)

    monkeypatch.setattr(apply, "run", run_and_edit)
    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert len(calls) >= 2
    assert notes(run) == [
        "lambdalint: template.yaml: left alone: it changed while the fixes were worked out",
        "lambdalint: 0 findings fixed"]
    assert template.read_text(encoding="utf-8") == old + "# edited by the user\n"
    assert run.exit_code == 1


def test_a_fix_that_would_not_parse_is_dropped(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdalint.fix import codemods

    def broken(source: str, call: codemods.Where) -> str:
        return source.replace("indent=2)", "indent=2, default=str")  # no closing parenthesis

    monkeypatch.setattr(codemods, "json_default_str", broken)
    app = write_source(tmp_path, LL407.before)
    note = "lambdalint: src/app.py: the LL407 fix was dropped: the fixed code would not parse"

    diff = lint(tmp_path, *SOURCE_ARGS, "--diff", "--unsafe-fixes")
    assert (diff.exit_code, diff.stdout, notes(diff)) == (0, "", [note])
    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert notes(run) == [note, "lambdalint: 0 findings fixed"]
    assert run.exit_code == 1
    assert app.read_text(encoding="utf-8") == LL407.before
    assert [f["rule"] for f in findings(tmp_path, *SOURCE_ARGS)] == ["LL407"]


def test_a_source_file_that_is_a_symlink_out_of_the_folder(tmp_path: Path) -> None:
    """lambdalint does not follow the symlink: the module is unreadable (LL001) and the link
    points outside the package (LL105); nothing is fixed and neither file changes."""
    real = tmp_path / "real_app.py"
    real.write_text(LL506.before, encoding="utf-8")
    (tmp_path / "src").mkdir()
    link = tmp_path / "src" / "app.py"
    os.symlink(os.path.join("..", "real_app.py"), link)

    found = findings_any(tmp_path, *SOURCE_ARGS)
    assert sorted((f["rule"], f["fix_applicability"]) for f in found) == [
        ("LL001", None), ("LL105", None)]
    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert run.exit_code == 2
    assert notes(run)[-1] == "lambdalint: 0 findings fixed"
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "real_app.py")
    assert real.read_text(encoding="utf-8") == LL506.before


def test_a_template_reached_through_a_symlink_is_left_alone(tmp_path: Path) -> None:
    old = SAM.format(handler="app.handlr")
    (tmp_path / "infra").mkdir()
    real = tmp_path / "infra" / "template.yaml"
    real.write_text(old, encoding="utf-8")
    os.symlink(os.path.join("infra", "template.yaml"), tmp_path / "template.yaml")
    write_source(tmp_path, HANDLER_PY)

    run = lint(tmp_path, *TODAY, *UNSAFE)
    assert notes(run) == ["lambdalint: template.yaml: left alone: it is reached through a symlink",
                          "lambdalint: 0 findings fixed"]
    assert (tmp_path / "template.yaml").is_symlink()
    assert real.read_text(encoding="utf-8") == old



def test_a_fix_the_code_cannot_take_is_named_on_stderr(tmp_path: Path) -> None:
    # Old Mac line endings (CR alone): Python reads them, libcst cannot write them back
    # unchanged, so the LL407 rewrite refuses; the finding stays, and a line says so.
    source = ('import json\rfrom decimal import Decimal\r\r'
              'def handler(event, context):\r'
              '    return json.dumps({"price": Decimal("1.5")})\r')
    (tmp_path / "src").mkdir()
    app = tmp_path / "src" / "app.py"
    app.write_bytes(source.encode())
    assert fixability(findings(tmp_path, *SOURCE_ARGS), "LL407") == ["unsafe"]

    run = lint(tmp_path, *SOURCE_ARGS, *UNSAFE)
    assert notes(run) == [
        "lambdalint: src/app.py:5: the LL407 fix could not be made (not exactly in the shape "
        "it handles): fix it by hand",
        "lambdalint: 0 findings fixed"]
    assert app.read_bytes() == source.encode()
