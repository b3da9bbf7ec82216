"""Edges of the code model found in review: bounded work, answers that do not depend on
the order rules ask, and everyday code that must (not) be reported. All through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def check(tmp_path: Path, files: dict[str, str], *extra: str,
          timeout: int = 60) -> dict[str, object]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1") if name.endswith(".latin1")
                         else textwrap.dedent(text).lstrip().encode())
    result = subprocess.run(
        [sys.executable, "-m", "lambdalint", "check", ".", "--runtime", "python3.12",
         "--handler", "app.handler", "--format", "json", *extra],
        cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


def rules(report: dict[str, object], prefix: str = "LL") -> list[tuple[str, str, int]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [(f["rule"], f["path"], f["line"]) for f in findings
            if f["rule"].startswith(prefix) and f["rule"] != "LL508"]


# ---- bounded work ------------------------------------------------------------------------

def test_containers_shared_many_times_are_walked_once(tmp_path: Path) -> None:
    lines = ["import json", "L0 = [1]"]
    lines += [f"L{i} = [{', '.join([f'L{i - 1}'] * 8)}]" for i in range(1, 9)]
    lines += ["", "def handler(event, context):",
              "    return {'statusCode': 200, 'body': json.dumps(L8)}"]
    report = check(tmp_path, {"app.py": "\n".join(lines) + "\n"}, timeout=30)
    assert rules(report, "LL4") == []


def test_a_long_elif_chain_is_read_whole(tmp_path: Path) -> None:
    branches = "".join(f"    elif event['k'] == {i}:\n        x = {i}\n" for i in range(1, 330))
    source = ("def handler(event, context):\n    if event['k'] == 0:\n        x = 0\n"
              + branches + "    return {1, 2}\n")
    report = check(tmp_path, {"app.py": source})
    assert rules(report, "LL4") == [("LL405", "app.py", source.count("\n"))]
    assert report["notes"] == []


def test_many_small_functions_with_local_dicts(tmp_path: Path) -> None:
    body = "".join(f"def f{i}(event):\n    out = {{'a': 1}}\n    out['b'] = event.get('x')\n"
                   f"    return json.dumps(out)\n\n\n" for i in range(2500))
    source = "import json\n\n\n" + body + "def handler(event, context):\n    return f1(event)\n"
    report = check(tmp_path, {"app.py": source}, timeout=60)
    assert rules(report, "LL4") == []


# ---- one answer whatever the order ---------------------------------------------------------

def test_byte_identical_modules_are_judged_each_in_its_own_package(tmp_path: Path) -> None:
    util = "from .config import PATH\n\n\ndef save(data):\n    open(PATH, 'w').write(data)\n"
    report = check(tmp_path, {
        "pkg_a/__init__.py": "", "pkg_b/__init__.py": "",
        "pkg_a/util.py": util, "pkg_b/util.py": util,
        "pkg_a/config.py": "PATH = 'reports/a.json'\n",
        "pkg_b/config.py": "import os\nPATH = os.path.join('/tmp', 'b')\n",
        "app.py": """
            from pkg_a import util as a
            from pkg_b import util as b


            def handler(event, context):
                a.save("x")
                b.save("y")
            """})
    assert rules(report, "LL503") == [("LL503", "pkg_a/util.py", 5)]


def test_a_long_chain_of_constants_gives_the_same_answer_to_every_rule(
        tmp_path: Path) -> None:
    chain = "P0 = '/var/data'\n" + "".join(f"P{i} = P{i - 1} + '/a'\n" for i in range(1, 41))
    files = {"app.py": chain + "\n\ndef handler(event, context):\n"
                               "    open(P20, 'r').read()\n    open(P40, 'w').write('x')\n"}
    alone = rules(check(tmp_path, files, "--select", "LL503"), "LL503")
    together = rules(check(tmp_path, files), "LL503")
    assert alone == together


# ---- everyday code that is fine ------------------------------------------------------------

@pytest.mark.parametrize("source", [
    # a stale binding of a name rebound to converted data
    """
    import json, datetime
    def handler(event, context):
        data = {"when": datetime.datetime.now()}
        data = {k: str(v) for k, v in data.items()}
        return {"statusCode": 200, "body": json.dumps(data)}
    """,
    # a DynamoDB item whose Decimals the code converts
    """
    import json, boto3
    from decimal import Decimal
    TABLE = boto3.resource("dynamodb").Table("t")
    def handler(event, context):
        item = TABLE.get_item(Key={"id": event["id"]})["Item"]
        for k, v in item.items():
            if isinstance(v, Decimal):
                item[k] = int(v)
        return {"statusCode": 200, "body": json.dumps(item)}
    """,
    # writes to an EFS mount under /mnt
    """
    import os
    def handler(event, context):
        os.makedirs("/mnt/data/cache", exist_ok=True)
        open(os.path.join("/mnt/efs", "x.json"), "w").write("{}")
    """,
    # clients cached in a module dict, through a walrus, unpacked into globals
    """
    import boto3
    _CLIENTS = {}
    _s3 = None
    a = b = None
    def handler(event, context):
        global _s3, a, b
        if "s3" not in _CLIENTS:
            _CLIENTS["s3"] = boto3.client("s3")
        s3 = _s3 or (_s3 := boto3.client("s3"))
        a, b = boto3.client("sqs"), boto3.client("sns")
        return {}
    """,
    # a client made with this invocation's credentials or region
    """
    import boto3
    sts = boto3.client("sts")
    def handler(event, context):
        creds = sts.assume_role(RoleArn=event["role"], RoleSessionName="x")["Credentials"]
        s3 = boto3.client("s3", aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
        ec2 = boto3.client("ec2", region_name=event["region"])
        return {}
    """,
    # a batch emptied with a slice assignment
    """
    BATCH = []
    def handler(event, context):
        for r in event["Records"]:
            BATCH.append(r["body"])
        print(BATCH)
        BATCH[:] = []
    """,
], ids=["rebound-converted", "ddb-converted", "efs-mount", "cached-clients",
        "per-invocation-credentials", "slice-cleared"])
def test_fine_code_stays_clean(tmp_path: Path, source: str) -> None:
    assert rules(check(tmp_path, {"app.py": source}), "LL4") + \
        rules(check(tmp_path, {"app.py": source}), "LL5") == []


def test_a_container_cleared_in_another_module(tmp_path: Path) -> None:
    report = check(tmp_path, {
        "state.py": "BATCH = []\n\n\ndef reset():\n    BATCH.clear()\n",
        "app.py": """
            import state


            def handler(event, context):
                state.BATCH.append(event["id"])
                if len(state.BATCH) > 10:
                    state.reset()
            """})
    assert rules(report, "LL510") == []


def test_a_handler_defined_outside_a_main_block_check(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import boto3

        if __name__ != "__main__":
            def handler(event, context):
                return {1}
        """})
    # the handler exists on Lambda (no LL402), and what it returns is judged
    assert rules(report, "LL4") == [("LL405", "app.py", 5)]


def test_the_else_of_a_main_block_runs_on_lambda(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import boto3

        if __name__ == "__main__":
            s3 = None
        else:
            s3 = boto3.client("lambda")


        def handler(event, context):
            s3.invoke(FunctionName=context.function_name)
        """})
    assert rules(report, "LL501") == [("LL501", "app.py", 10)]


# ---- everyday code that is reported ---------------------------------------------------------

def test_a_handler_re_exported_from_another_module(tmp_path: Path) -> None:
    report = check(tmp_path, {
        "impl.py": "def main(event, context):\n    return {'ids': {1, 2}}\n",
        "app.py": "from impl import main as handler\n"})
    assert rules(report, "LL4") == [("LL405", "impl.py", 2)]


def test_the_first_record_of_a_defaulted_list(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import boto3
        s3 = boto3.client("s3")


        def handler(event, context):
            record = event.get("Records", [])[0]
            s3.get_object(Bucket="x", Key=record["s3"]["object"]["key"])
        """})
    assert rules(report, "LL506") == [("LL506", "app.py", 7)]


def test_a_bucket_read_with_empty_defaults(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import boto3
        s3 = boto3.client("s3")


        def handler(event, context):
            for record in event.get("Records", []):
                bucket = record.get("s3", {}).get("bucket", {}).get("name", "")
                s3.put_object(Bucket=bucket, Key="out.json", Body=b"{}")
        """})
    assert rules(report, "LL502") == [("LL502", "app.py", 8)]


def test_growth_in_a_helper_the_handler_calls(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        SEEN = set()


        def remember(record):
            SEEN.add(record["messageId"])


        def handler(event, context):
            for record in event["Records"]:
                remember(record)
        """})
    assert rules(report, "LL510") == [("LL510", "app.py", 5)]


def test_a_datetime_added_with_update(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import json, datetime


        def handler(event, context):
            body = {"id": event["id"]}
            body.update({"at": datetime.datetime.now()})
            return {"statusCode": 200, "body": json.dumps(body)}
        """})
    assert rules(report, "LL407") == [("LL407", "app.py", 7)]


# ---- locations ------------------------------------------------------------------------------

def test_columns_count_characters_in_a_latin_1_module(tmp_path: Path) -> None:
    source = ('# -*- coding: latin-1 -*-\n\n\ndef handler(event, context):\n'
              '    x = "\xe9\xe9\xe9\xe9"; return {1}\n')
    (tmp_path / "app.py").write_bytes(source.encode("latin-1"))
    report = check(tmp_path, {})
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["rule"], f["line"], f["column"], f["end_line"], f["end_column"])
            for f in findings] == [("LL405", 5, 17, 5, 27)]


# ---- a module the running Python cannot parse -----------------------------------------------

NEWER_SYNTAX = [((3, 10), "match event:\n        case _:\n            pass\n"),
                ((3, 12), "type Alias = int\n"),
                ((3, 14), "names = t'{event}'\n")]


def test_newer_syntax_than_the_host_is_judged_by_ll209_and_noted(tmp_path: Path) -> None:
    newer = [(version, code) for version, code in NEWER_SYNTAX if version > sys.version_info]
    if not newer:
        pytest.skip("this Python reads every syntax in the table")
    version, code = newer[0]
    source = ("def handler(event, context):\n    " + code.replace("\n", "\n    ").rstrip()
              + "\n    return {1}\n")
    report = check(tmp_path, {"app.py": source}, "--runtime", "python3.9")
    assert [r for r, _, _ in rules(report, "LL209")] == ["LL209"]  # libcst read it
    assert rules(report, "LL4") == []  # the other code rules skip the module …
    wanted = f"Python {version[0]}.{version[1]} or later"
    assert any(wanted in note and "LL209" in note for note in report["notes"]), report["notes"]


def test_a_comprehension_over_a_class_attribute_in_the_class_body(tmp_path: Path) -> None:
    report = check(tmp_path, {"app.py": """
        import uuid


        class Config:
            NAMES = ["a", "b"]
            IDS = [uuid.uuid4() for _ in NAMES]


        def handler(event, context):
            x = [uuid.uuid4()]
            ids = [x for x in x]  # the iterable is the outer x
            return {"ids": ids}
        """})
    assert rules(report, "LL4") == [("LL405", "app.py", 12)]
