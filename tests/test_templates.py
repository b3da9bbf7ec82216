"""SAM/CloudFormation templates and CDK cloud assemblies, read as a user's project is.

The projects under tests/projects/ are realistic apps written for these tests; each test
copies one into a temporary folder (a git repository root, as a clone is) and runs the CLI
there, so what is asserted is what a user sees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from zipspec import Run, run_cli

PROJECTS = Path(__file__).parent / "projects"
SCHEMA = Path(__file__).parents[1] / "lambdalint" / "reporters" / "report.schema.json"
TODAY = ("--today", "2026-11-21")


def project(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(PROJECTS / name, folder, symlinks=True)
    (folder / ".git").mkdir()  # the project's root, as in a clone
    return folder


def check(folder: Path, *argv: str) -> Run:
    return run_cli(["check", *argv, "--format", "json", *TODAY], folder)


def places(run: Run) -> set[tuple[str, str, str | None, int | None]]:
    return {(f["rule"], f["path"], f["member"], f["line"]) for f in run.json["findings"]}


def within(path: str, folder: str) -> bool:
    """Whether a finding's path is the folder or a file inside it (located by its own path)."""
    return path == folder or path.startswith(folder + "/")


def validate(run: Run) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(run.json, json.loads(SCHEMA.read_text("utf-8")))


# -- SAM ------------------------------------------------------------------------------------


def test_sam_project_is_checked_function_by_function(tmp_path: Path) -> None:
    run = check(project("sam", tmp_path))

    assert "Traceback" not in run.stderr
    assert run.exit_code == 1
    validate(run)
    found = places(run)
    # The thumbnailer writes into the bucket that triggers it, and no filter stops it.
    assert ("LL502", "src/thumbnails/app.py", None, 24) in found
    # The resizer writes resized/…, and its trigger fires for uploads/ only: no loop.
    assert not [f for f in found if f[0] == "LL502" and within(f[1], "src/resizer")]
    # ApiFunction is arm64: the Globals' layers are x86_64 builds (the local layer declares
    # it; the Powertools layer's name says it). Both at the Globals' Layers lines.
    assert ("LL207", "template.yaml", None, 23) in found
    assert ("LL207", "template.yaml", None, 24) in found
    # PYTHONPATH in ApiFunction's environment: at its line, and requests is then missing.
    assert ("LL107", "template.yaml", None, 96) in found
    assert ("LL301", "src/api/app.py", None, 6) in found
    # The API event makes the dict body a 502.
    assert ("LL406", "src/api/app.py", None, 14) in found
    # PIL and requests come from the layer built from requirements.txt, powertools from
    # the Powertools layer known by its ARN: nothing else is unresolved.
    assert [f for f in run.json["findings"] if f["rule"] == "LL301"] == \
        [f for f in run.json["findings"] if f["rule"] == "LL301" and within(f["path"], "src/api")]
    messages = " ".join(f["message"] for f in run.json["findings"])
    assert "on function ApiFunction" in messages


def test_sam_targets_say_where_each_value_came_from(tmp_path: Path) -> None:
    run = check(project("sam", tmp_path))

    targets = {t["name"]: t for t in run.json["targets"]}
    assert set(targets) == {"ThumbnailFunction", "ResizerFunction", "ApiFunction"}
    api = targets["ApiFunction"]
    assert api["source"] == "template.yaml:87"
    assert (api["runtime"], api["architecture"], api["handler"]) == \
        ("python3.12", "arm64", "app.lambda_handler")
    assert api["origins"] == {"runtime": "template.yaml:19", "architecture": "template.yaml:92",
                              "handler": "template.yaml:90"}
    assert api["sources"] == {"runtime": "template", "architecture": "template",
                              "handler": "template"}
    assert api["layers"][0] == "layers/deps"
    assert "AWSLambdaPowertoolsPythonV3-python312-x86_64:19" in api["layers"][1]
    thumbnails = targets["ThumbnailFunction"]
    assert thumbnails["architecture"] == "x86_64"
    assert thumbnails["sources"]["architecture"] == "default"

    text = run_cli(["check", "--no-color", *TODAY], tmp_path / "sam")
    assert "project: template.yaml (SAM template): 3 Python functions; 1 function in " \
        "another language not checked (AuthorizerFunction (nodejs20.x))" in text.stdout
    assert "target: ApiFunction (template.yaml:87): src/api + 2 layers: runtime python3.12 " \
        "(from template.yaml:19), architecture arm64 (from template.yaml:92)" in text.stdout
    assert "architecture x86_64 (Lambda's default; template.yaml:50 sets none)" in text.stdout


def test_template_path_gives_the_same_report_as_the_project(tmp_path: Path) -> None:
    folder = project("sam", tmp_path)
    whole = check(folder).json
    assert check(folder, "template.yaml").json == whole
    # The project's folder holds its template: `check .` is the project too.
    assert check(folder, ".").json == whole


def test_flags_and_config_override_the_template(tmp_path: Path) -> None:
    folder = project("sam", tmp_path)
    (folder / "lambdalint.toml").write_text('runtime = "python3.9"\n')

    run = check(folder, "--architecture", "x86_64")
    api = {t["name"]: t for t in run.json["targets"]}["ApiFunction"]

    assert api["runtime"] == "python3.9" and api["sources"]["runtime"] == "config"
    assert api["origins"]["runtime"] == "lambdalint.toml"
    assert api["architecture"] == "x86_64" and api["origins"]["architecture"] == "command line"
    # x86_64 from the command line: the x86_64 layers fit; python3.9 from the config does not.
    layer_findings = [f["message"] for f in run.json["findings"] if f["rule"] == "LL207"]
    assert layer_findings and all("runtime is python3.9" in m for m in layer_findings)


def test_same_defects_as_the_equivalent_command_line(tmp_path: Path) -> None:
    folder = project("sam", tmp_path)
    described = check(folder, "template.yaml")
    (folder / "api.toml").write_text(
        'events = ["api"]\nenvironment = { PYTHONPATH = "/var/task/vendor" }\n')
    explicit = check(folder, "--config", "api.toml", "--runtime", "python3.12",
                     "--architecture", "arm64", "--handler", "app.lambda_handler",
                     "--function", "src/api")

    def code(run: Run) -> set[tuple[str, str, int | None]]:
        assert all(f["member"] is None for f in run.json["findings"]
                   if within(f["path"], "src/api"))
        return {(f["rule"], f["path"], f["line"]) for f in run.json["findings"]
                if within(f["path"], "src/api")}

    assert code(explicit) == code(described)
    assert {r for r, _, _ in code(described)} == {"LL301", "LL406"}


def test_a_file_inside_a_described_function_is_judged_as_that_function(tmp_path: Path) -> None:
    folder = project("sam", tmp_path)

    run = check(folder, "src/api/app.py")

    assert [t["name"] for t in run.json["targets"]] == ["ApiFunction"]
    # Known only from the template: the handler name, the API trigger, PYTHONPATH.
    assert {f["rule"] for f in run.json["findings"]} == {"LL301", "LL406"}
    # What a per-file hook passes: findings about that file only, not the template's.
    assert {(f["path"], f["member"]) for f in run.json["findings"]} == {("src/api/app.py", None)}

    run = check(folder, "src/thumbnails/app.py", "src/resizer/app.py")
    assert sorted(t["name"] for t in run.json["targets"]) == \
        ["ResizerFunction", "ThumbnailFunction"]
    assert {f["rule"] for f in run.json["findings"]} == {"LL502"}


def test_a_python_file_outside_every_function_is_not_function_code(tmp_path: Path) -> None:
    # A script or a test beside a SAM app is not checked as a function of its own (what a
    # per-file pre-commit hook passes for every staged .py): a note says so.
    folder = project("sam", tmp_path)
    (folder / "scripts").mkdir()
    (folder / "scripts" / "seed.py").write_text("import yaml\n")

    run = check(folder, "scripts/seed.py")

    assert run.json["targets"] == []
    assert run.json["findings"] == []
    assert any(note.startswith("scripts/seed.py is not in the code of any function")
               for note in run.json["notes"])


def test_code_shared_by_two_functions_is_checked_for_each_target(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "def handler(event, context):\n    return {'tags': {'a', 'b'}}\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    CodeUri: src/\n    Handler: app.handler\n"
        "Resources:\n"
        "  New:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.13\n"
        "  Old:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.9\n")

    run = check(tmp_path)

    assert sorted((t["name"], t["runtime"]) for t in run.json["targets"]) == \
        [("New", "python3.13"), ("Old", "python3.9")]
    rules = [f["rule"] for f in run.json["findings"]]
    assert rules.count("LL405") == 1  # the same return, reported once
    assert ("LL208", "template.yaml", None, 14) in places(run)


# -- CloudFormation JSON with a zip ----------------------------------------------------------


def test_cloudformation_json_with_a_zip(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "dist").mkdir()
    with zipfile.ZipFile(tmp_path / "dist" / "orders.zip", "w") as archive:
        info = zipfile.ZipInfo("orders/handler.py")
        info.external_attr = 0o100644 << 16
        archive.writestr(info, "def main(event, context):\n    return {}\n")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Runtime": {"Type": "String", "Default": "python3.12"}},
        "Resources": {
            "OrdersRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Orders": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": "dist/orders.zip",
                    "Handler": "handler.main",
                    "Runtime": {"Ref": "Runtime"},
                    "Role": {"Fn::GetAtt": ["OrdersRole", "Arn"]},
                    "Layers": [f"arn:aws:lambda:us-east-1:123456789012:layer:l{n}:1"
                               for n in range(6)],
                },
            },
        },
    }
    text = json.dumps(template, indent=2)
    (tmp_path / "stack.json").write_text(text)
    lines = text.splitlines()

    def line_of(needle: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if needle in line)

    run = check(tmp_path, "stack.json")

    assert run.exit_code == 1, run.stdout + run.stderr
    target = run.json["targets"][0]
    assert (target["name"], target["function"], target["runtime"], target["handler"]) == \
        ("Orders", "dist/orders.zip", "python3.12", "handler.main")
    # The Ref resolves to the parameter's default; the value points at its use.
    runtime_line = line_of('"Ref": "Runtime"') - 1  # the `"Runtime": {` line
    assert target["origins"]["runtime"] == f"stack.json:{runtime_line}"
    found = places(run)
    assert ("LL103", "dist/orders.zip", "orders/", None) in found  # zipped the folder
    assert ("LL401", "stack.json", None, line_of('"Handler"')) in found
    # Six layers by ARN: over the quota, at the sixth.
    assert ("LL603", "stack.json", None, line_of("layer:l5:1")) in found


# -- CDK ------------------------------------------------------------------------------------


def test_cdk_cloud_assembly(tmp_path: Path) -> None:
    folder = project("cdk", tmp_path)

    run = check(folder)

    validate(run)
    assert sorted(t["name"] for t in run.json["targets"]) == \
        ["Api5A6B7C8D", "Consumer7E6D5C4B", "Worker1A2B3C4D"]
    found = places(run)
    assert ("LL208", "cdk.out/WorkerStack.template.json", None, 14) in found
    assert ("LL402", "cdk.out/asset.5e6f70/worker.py", None, None) in found
    # In the nested stack: an SQS mapping given a StartingPosition.
    assert ("LL507", "cdk.out/WorkerStackQueue1234ABCD.nested.template.json", None, 20) in found
    # requests comes from the layer asset: nothing unresolved in the API function.
    assert not [f for f in found if f[0] == "LL301"]
    api = {t["name"]: t for t in run.json["targets"]}["Api5A6B7C8D"]
    assert api["layers"] == ["cdk.out/asset.9c8d7e"]
    assert api["origins"]["architecture"] == "cdk.out/ApiStack.template.json:37"
    assert check(folder, "cdk.out").json == run.json
    # Inline code is not read, and the report says so once.
    assert [n for n in run.json["notes"] if "Consumer7E6D5C4B" in n] == [
        "cdk.out/WorkerStackQueue1234ABCD.nested.template.json:6: Consumer7E6D5C4B: inline "
        "code (Code.ZipFile) is not read; its code was not checked"]
    assert run.json["sources"] == ["cdk.out (CDK cloud assembly): 3 Python functions"]


def test_cdk_app_without_cloud_assembly_says_to_synthesize(tmp_path: Path) -> None:
    folder = project("cdk", tmp_path)
    shutil.rmtree(folder / "cdk.out")

    run = run_cli(["check", "--no-color", *TODAY], folder)

    assert "run `cdk synth` first" in run.stdout
    # The app's own source (app.py imports aws_cdk) is not mistaken for a function.
    assert check(folder).json["targets"] == []


# -- untrusted templates ---------------------------------------------------------------------


def sam_app(tmp_path: Path, code_uri: str, extra: str = "") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: {code_uri}\n"
        + extra)
    return tmp_path


@pytest.mark.parametrize(("code_uri", "says"), [
    ("../../../etc", "leads out of the project"),
    ("/etc", "is an absolute path"),
    ("escape", "is a symlink out of the project"),
])
def test_paths_out_of_the_project_are_not_read(code_uri: str, says: str,
                                               tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text("import secret_module\n")
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "escape").symlink_to(outside)
    sam_app(folder, code_uri)

    run = check(folder)

    assert run.exit_code == 2
    errors = [f for f in run.json["findings"] if f["rule"] == "LL003"]
    assert len(errors) == 1 and says in errors[0]["message"]
    assert code_uri in errors[0]["message"]
    assert (errors[0]["path"], errors[0]["line"]) == ("template.yaml", 8)
    assert "secret_module" not in run.stdout


@pytest.mark.parametrize(("text", "says"), [
    ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(9)), "alias bomb"),
    ("Resources: !!python/object/apply:os.system [echo hi]\n", "unsupported tag"),
    ("Resources:\n  X: !Custom value\n", "unsupported tag !Custom"),
    ("[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    ("Resources: [unclosed\n", "not valid YAML"),
    ("\xff\xfe garbage", "not UTF-8"),
])
def test_hostile_templates_end_in_one_clear_line(text: str, says: str,
                                                 tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_bytes(text.encode("latin-1") if text.startswith("\xff")
                                             else text.encode())

    run = check(tmp_path, "template.yaml")

    assert "Traceback" not in run.stderr
    assert run.exit_code == 2
    errors = [f for f in run.json["findings"] if f["rule"] == "LL003"]
    assert len(errors) == 1 and says in errors[0]["message"], errors


def test_condition_cycles_and_undecidable_values_stay_unknown(tmp_path: Path) -> None:
    sam_app(tmp_path, "src/", extra=(
        "      Architectures: [!If [A, arm64, x86_64]]\n"
        "      Environment:\n        Variables:\n"
        "          REGION: !Ref AWS::Region\n          MISSING: !Ref NoSuchParameter\n"
        "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")

    run = check(tmp_path)

    assert run.exit_code == 0, run.stdout
    assert run.json["targets"][0]["architecture"] is None  # undecidable: not guessed


def test_values_decided_at_deploy_time_are_said_not_guessed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Py:\n    Type: String\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Runtime: !Ref Py\n"
        "      Handler: !ImportValue shared-handler\n")

    run = check(tmp_path)

    [target] = run.json["targets"]
    assert (target["runtime"], target["handler"]) == (None, None)
    assert "LL208" in target["skipped"]
    assert run.json["notes"] == [
        "template.yaml:10: Fn: Runtime is decided at deploy time (${Py}); the checks that "
        "need it are skipped",
        "template.yaml:11: Fn: Handler is decided at deploy time (Fn::ImportValue); the "
        "checks that need it are skipped"]


def test_a_huge_template_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with open(tmp_path / "template.yaml", "wb") as handle:
        handle.write(b"Resources: {}\n")
        handle.truncate(17 * 1024 * 1024)

    run = check(tmp_path)

    assert run.exit_code == 2
    assert "larger than 4 MiB" in run.json["findings"][0]["message"]


# -- Serverless Framework --------------------------------------------------------------------


def test_serverless_service(tmp_path: Path) -> None:
    folder = project("serverless", tmp_path)

    run = check(folder)

    validate(run)
    targets = {t["name"]: t for t in run.json["targets"]}
    assert set(targets) == {"resize", "api", "indexer"}
    assert (targets["indexer"]["runtime"], targets["indexer"]["origins"]["runtime"]) == \
        ("python3.11", "serverless.yml:84")
    assert targets["api"]["origins"]["runtime"] == "serverless.yml:17"  # the provider's
    # The requirements layer is built for the provider's python3.12; indexer runs 3.11.
    found = places(run)
    assert ("LL207", "serverless.yml", None, 90) in found
    # resize writes thumbnails/… into its own trigger bucket, whose rules only match
    # uploads/*.jpg (the prefix comes from the environment serverless.yml sets): no loop.
    assert not [f for f in found if f[0] == "LL502"]
    # The requirements are installed by the plugin's layer: pydantic and requests resolve.
    assert not [f for f in found if f[0] in ("LL301", "LL306")]
    assert check(folder, "serverless.yml").json == run.json


def test_serverless_trigger_loop_when_the_prefix_matches(tmp_path: Path) -> None:
    folder = project("serverless", tmp_path)
    config = folder / "serverless.yml"
    config.write_text(config.read_text().replace("THUMBNAIL_PREFIX: thumbnails/",
                                                 "THUMBNAIL_PREFIX: uploads/thumbnails/"))

    run = check(folder, "src/resize.py")

    assert [(f["rule"], f["path"], f["member"]) for f in run.json["findings"]] == \
        [("LL502", "src/resize.py", None)]


# -- exec wrappers (Lambda Web Adapter) ------------------------------------------------------

LWA_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: app/
      Runtime: python3.12
      Handler: run.sh
      Architectures: [arm64]
      Layers:
        - !Sub arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerArm64:25
      Environment:
        Variables:
          AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap
          PORT: "8000"
"""


@pytest.mark.parametrize(("mode", "content", "says"), [
    (0o755, b"#!/bin/bash\nexec python -m uvicorn main:app --port $PORT\n", None),
    (0o644, b"#!/bin/bash\nexec python -m uvicorn main:app --port $PORT\n",
     "is not executable"),
    (0o755, b"#!/bin/bash\r\nexec python -m uvicorn main:app --port $PORT\r\n", "CRLF"),
    (None, b"", "not in the function's code"),
])
def test_exec_wrapper_runs_the_handler_file(mode: int | None, content: bytes,
                                            says: str | None, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(LWA_TEMPLATE)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("app = object()\n")
    if mode is not None:
        (tmp_path / "app" / "run.sh").write_bytes(content)
        (tmp_path / "app" / "run.sh").chmod(mode)

    run = check(tmp_path)

    handler_findings = [f for f in run.json["findings"] if f["rule"].startswith("LL4")]
    if says is None:
        assert handler_findings == [], handler_findings
    else:
        assert [f["rule"] for f in handler_findings] == ["LL401"]
        assert says in handler_findings[0]["message"]


def test_an_executable_handler_without_exec_wrapper(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        LWA_TEMPLATE.replace("          AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap\n", ""))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "run.sh").write_text("#!/bin/bash\n")

    run = check(tmp_path)

    [finding] = [f for f in run.json["findings"] if f["rule"] == "LL401"]
    assert (finding["path"], finding["line"]) == ("template.yaml", 8)
    assert "AWS_LAMBDA_EXEC_WRAPPER" in finding["message"]


def test_an_unknown_layer_arn_is_noted_once(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
        "      Layers:\n        - arn:aws:lambda:eu-west-1:123456789012:layer:shared-utils:7\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import shared_utils\nimport nonexistent_module\n\n"
        "def handler(event, context):\n    return {}\n")

    run = run_cli(["check", "--no-color", *TODAY], tmp_path)

    assert run.stdout.count("layer arn:aws:lambda:eu-west-1:123456789012:layer:shared-utils:7"
                            ": contents unknown") == 1
    # The unknown layer might provide either module: info, not errors.
    data = check(tmp_path).json
    assert {(f["rule"], f["severity"]) for f in data["findings"]} == {("LL301", "info")}
    assert data["summary"]["error"] == 0


def test_serverless_package_patterns_decide_what_is_the_code(tmp_path: Path) -> None:
    folder = project("serverless", tmp_path)
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
    # `!tests/**` keeps the test fixtures out of the package: they are never deployed.
    (folder / "tests" / "keys").mkdir(parents=True)
    (folder / "tests" / "keys" / "id_rsa").write_text(key)
    # No pattern excludes keys/: that one ships with every function.
    (folder / "keys").mkdir()
    (folder / "keys" / "id_rsa").write_text(key)

    run = check(folder)

    secrets = {(f["path"], f["member"]) for f in run.json["findings"] if f["rule"] == "LL604"}
    assert secrets == {("keys/id_rsa", None)}


def test_template_locations_in_every_format(tmp_path: Path) -> None:
    folder = project("sam", tmp_path)
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                        .read_text("utf-8"))

    sarif = json.loads(run_cli(["check", "--format", "sarif", *TODAY], folder).stdout)
    github = run_cli(["check", "--format", "github", *TODAY], folder).stdout
    text = run_cli(["check", "--no-color", "-q", *TODAY], folder).stdout

    jsonschema.validate(sarif, schema)
    regions = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in sarif["runs"][0]["results"]}
    assert ("LL107", "template.yaml", 96) in regions
    assert "::error file=template.yaml,line=96,col=23,title=LL107" in github
    assert "template.yaml:96:23: LL107 [error]" in text


# -- Dockerfile (image functions) ------------------------------------------------------------


def test_dockerfile_of_an_image_function(tmp_path: Path) -> None:
    folder = project("dockerfile/image-fn", tmp_path)

    run = check(folder)

    assert run.exit_code == 0, run.stdout
    [target] = run.json["targets"]
    assert (target["name"], target["function"], target["runtime"], target["architecture"],
            target["handler"]) == ("image-fn", "src", "python3.12", "arm64", "app.handler")
    assert target["origins"] == {"runtime": "Dockerfile:4", "architecture": "Dockerfile:4",
                                 "handler": "Dockerfile:13"}
    assert target["layers"] == []
    # The image's pip install -r requirements.txt provides requests and powertools.
    assert run.json["findings"] == []

    flagged = check(folder, "--architecture", "x86_64", "Dockerfile")
    assert places(flagged) == {("LL210", "Dockerfile", None, 4)}


def test_sam_image_function_built_from_a_dockerfile(tmp_path: Path) -> None:
    folder = project("dockerfile/image-fn", tmp_path)
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      PackageType: Image\n      Architectures: [x86_64]\n"
        "      ImageConfig:\n        Command: [app.create_order]\n"
        "    Metadata:\n      Dockerfile: Dockerfile\n      DockerContext: .\n")

    run = check(folder)

    [target] = run.json["targets"]
    assert (target["name"], target["handler"], target["origins"]["handler"]) == \
        ("OrdersFunction", "app.create_order", "template.yaml:9")
    found = places(run)
    # The template says x86_64; the Dockerfile builds on the arm64 base image.
    assert ("LL210", "Dockerfile", None, 4) in found
    # ImageConfig.Command overrides CMD, and app defines no create_order.
    assert ("LL402", "src/app.py", None, None) in {(r, p, m, None) for r, p, m, _ in found}


def test_a_template_is_read_within_its_own_repository(tmp_path: Path) -> None:
    project("sam", tmp_path)  # tmp_path/sam is the repository; lambdalint runs outside it

    run = check(tmp_path, "sam/template.yaml")

    assert not [f for f in run.json["findings"] if f["rule"] == "LL003"]
    assert ("LL107", "sam/template.yaml", None, 96) in places(run)
    assert ("LL502", "sam/src/thumbnails/app.py", None, 24) in places(run)


def test_cdk_assets_recorded_without_staging(tmp_path: Path) -> None:
    # `cdk synth --no-staging` records each asset's source folder as an absolute path.
    folder = project("cdk", tmp_path)
    template = folder / "cdk.out" / "WorkerStack.template.json"
    template.write_text(template.read_text().replace(
        '"asset.5e6f70"', json.dumps(str(folder / "lambda" / "worker"))))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    api = folder / "cdk.out" / "ApiStack.template.json"
    api.write_text(api.read_text().replace('"asset.3f1a2b"', json.dumps(str(outside))))

    run = check(folder)

    worker = {t["name"]: t for t in run.json["targets"]}["Worker1A2B3C4D"]
    assert worker["function"] == "lambda/worker"
    assert ("LL402", "lambda/worker/worker.py", None, None) in places(run)
    [problem] = [f for f in run.json["findings"] if f["rule"] == "LL003"]
    assert "leads out of the project" in problem["message"]


@pytest.mark.parametrize(("event", "variable", "send", "loops"), [
    ("Type: SQS\n          Properties:\n            Queue: !GetAtt JobsQueue.Arn",
     "!Ref JobsQueue", 'boto3.client("sqs").send_message(QueueUrl=TARGET, MessageBody="x")',
     True),
    ("Type: SQS\n          Properties:\n            Queue: !GetAtt JobsQueue.Arn",
     "!Ref OtherQueue", 'boto3.client("sqs").send_message(QueueUrl=TARGET, MessageBody="x")',
     False),
    ("Type: SNS\n          Properties:\n            Topic: !Ref Alerts",
     "!Ref Alerts", 'boto3.client("sns").publish(TopicArn=TARGET, Message="x")', True),
])
def test_sending_to_the_queue_or_topic_that_triggers_the_function(
        event: str, variable: str, send: str, loops: bool, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  JobsQueue:\n    Type: AWS::SQS::Queue\n"
        "  OtherQueue:\n    Type: AWS::SQS::Queue\n"
        "  Alerts:\n    Type: AWS::SNS::Topic\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
        f"      Environment:\n        Variables:\n          TARGET: {variable}\n"
        f"      Events:\n        Trigger:\n          {event}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\n\nimport boto3\n\nTARGET = os.environ['TARGET']\n\n\n"
        f"def handler(event, context):\n    {send}\n    return None\n")

    run = check(tmp_path)

    loops_found = [f for f in run.json["findings"] if f["rule"] == "LL502"]
    assert bool(loops_found) is loops, run.json["findings"]
    if loops:
        assert (loops_found[0]["path"], loops_found[0]["member"], loops_found[0]["line"]) == \
            ("src/app.py", None, 9)


def test_serverless_image_function_read_through_its_dockerfile(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "image" / "src").mkdir(parents=True)
    (tmp_path / "image" / "src" / "app.py").write_text(
        "def handler(event, context):\n    return {'ok': True}\n")
    (tmp_path / "image" / "Dockerfile").write_text(
        "FROM public.ecr.aws/lambda/python:3.12-x86_64\n"
        "COPY src/ ${LAMBDA_TASK_ROOT}/\nCMD [\"app.handler\"]\n")
    (tmp_path / "serverless.yml").write_text(
        "service: imaging\nprovider:\n  name: aws\n  architecture: arm64\n"
        "  ecr:\n    images:\n      app:\n        path: ./image\n"
        "functions:\n  worker:\n    image:\n      name: app\n      command: [app.main]\n")

    run = check(tmp_path)

    [target] = run.json["targets"]
    assert (target["function"], target["runtime"], target["handler"]) == \
        ("image/src", "python3.12", "app.main")
    assert target["origins"]["runtime"] == "image/Dockerfile:1"
    rules = {(f["rule"], f["path"]) for f in run.json["findings"]}
    # Built for x86_64, deployed on arm64; the command names a function app does not have.
    assert ("LL210", "image/Dockerfile") in rules
    assert ("LL402", "image/src/app.py") in rules


def test_cdk_finds_what_the_equivalent_command_line_finds(tmp_path: Path) -> None:
    folder = project("cdk", tmp_path)
    described = check(folder)
    explicit = check(folder, "--runtime", "python3.9", "--architecture", "x86_64",
                     "--handler", "worker.main", "--function", "cdk.out/asset.5e6f70")

    def worker(run: Run) -> set[str]:
        return {f["rule"] for f in run.json["findings"]
                if f["path"] in ("cdk.out/asset.5e6f70", "cdk.out/asset.5e6f70/worker.py",
                                 "cdk.out/WorkerStack.template.json")}

    assert worker(explicit) == worker(described) == {"LL208", "LL402"}


def test_yaml_anchors_keep_their_intrinsics(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Uploads:\n    Type: AWS::S3::Bucket\n"
        "  Indexer:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: indexer/\n      Runtime: python3.12\n      Handler: app.handler\n"
        "      Environment:\n        Variables:\n          BUCKET: &uploads !Ref Uploads\n"
        "  Thumbnailer:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: thumbnailer/\n      Runtime: python3.12\n      Handler: app.handler\n"
        "      Environment:\n        Variables:\n          BUCKET: *uploads\n"
        "      Events:\n        Upload:\n          Type: S3\n          Properties:\n"
        "            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n")
    for name in ("indexer", "thumbnailer"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(
            "import os\n\nimport boto3\n\ns3 = boto3.client('s3')\n\n\n"
            "def handler(event, context):\n"
            "    s3.put_object(Bucket=os.environ['BUCKET'], Key='out.png', Body=b'')\n")

    run = check(tmp_path)

    # The alias carries `!Ref Uploads`: the thumbnailer writes into its own trigger bucket.
    assert {(f["rule"], f["path"]) for f in run.json["findings"]} == \
        {("LL502", "thumbnailer/app.py")}


@pytest.mark.parametrize(("code", "says"), [
    ("CodeUri: s3://artifacts/fn.zip", "the code is in S3 (s3://artifacts/fn.zip)"),
    ("CodeUri:\n        Bucket: artifacts\n        Key: fn.zip",
     "the code is in S3 (CodeUri: Bucket/Key)"),
    ("InlineCode: |\n        def handler(event, context):\n            return {}",
     "inline code (InlineCode) is not read"),
])
def test_code_not_in_the_project_is_noted_and_the_template_still_checked(
        code: str, says: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Runtime: python3.9\n      Handler: app.handler\n      {code}\n")

    run = check(tmp_path)

    assert [n for n in run.json["notes"] if says in n], run.json["notes"]
    assert run.json["targets"][0]["function"] is None
    assert ("LL208", "template.yaml", None, 6) in places(run)  # the runtime is still judged


def test_public_layer_referenced_through_its_ssm_parameter(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "from aws_lambda_powertools import Logger\n\nlogger = Logger()\n\n\n"
        "def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
        "      Architectures: [arm64]\n      Layers:\n"
        "        - '{{resolve:ssm:/aws/service/powertools/python/arm64/python3.13/latest}}'\n")

    run = check(tmp_path)

    # The parameter names Powertools v3 for python3.13: powertools resolves, the runtime
    # does not match (its compiled pydantic-core is for 3.13).
    assert {(f["rule"], f["line"]) for f in run.json["findings"]} == {("LL207", 11)}
    assert "built for python3.13" in run.json["findings"][0]["message"]


@pytest.mark.parametrize(("target", "environment"), [
    ('"orders-worker"', ""),
    ('os.environ["SELF"]', "      Environment:\n        Variables:\n          SELF: !Ref Worker\n"),
    ('os.environ["SELF"]',
     "      Environment:\n        Variables:\n          SELF: !GetAtt Worker.Arn\n"),
])
def test_a_function_that_invokes_itself_by_its_template_name(
        target: str, environment: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\n\nimport boto3\n\nLAMBDA = boto3.client('lambda')\n\n\n"
        "def handler(event, context):\n"
        f"    LAMBDA.invoke(FunctionName={target}, InvocationType='Event')\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      FunctionName: orders-worker\n"
        "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
        + environment)

    def loops(run: Run) -> list[tuple[str, int]]:
        return [(f["rule"], f["line"]) for f in run.json["findings"] if f["rule"] == "LL501"]

    assert loops(check(tmp_path)) == [("LL501", 9)]

    # Another function's name is not the function itself.
    (tmp_path / "template.yaml").write_text(
        (tmp_path / "template.yaml").read_text().replace("orders-worker", "orders-api")
        .replace("!Ref Worker", "!Ref Other").replace("Worker.Arn", "Other.Arn"))
    assert loops(check(tmp_path)) == []


def test_requirements_never_run_or_read_anything_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("requests==2.32.3\n")
    folder = tmp_path / "repo"
    folder.mkdir()
    sam_app(folder, "src/")
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text(
        "import requests\n\ndef handler(event, context):\n    return {}\n")
    # An option line once sent the file through pip-api, which runs `python -m pip` in the
    # current folder: a planted pip module ran. Includes once led anywhere.
    (folder / "src" / "requirements.txt").write_text(
        f"--index-url https://pypi.org/simple\n-r {outside}\n-r /dev/zero\n")
    marker = tmp_path / "ran"
    (folder / "pip.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (folder / "pip").mkdir()
    (folder / "pip" / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")

    run = check(folder)

    assert not marker.exists()
    # requests is declared only in the file outside the project: it is not counted.
    assert [f["rule"] for f in run.json["findings"]] == ["LL301"]


def test_templates_that_are_not_regular_files_are_not_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").symlink_to("/dev/zero")
    run = check(tmp_path, "template.yaml")
    assert run.exit_code == 2
    assert [f["message"] for f in run.json["findings"]] == \
        ["template.yaml is a symlink out of its project: not read"]

    (tmp_path / "template.yaml").unlink()
    os.mkfifo(tmp_path / "template.yaml")  # opening it to read would block for ever
    run = check(tmp_path, "template.yaml")
    assert run.exit_code == 2 and "not a regular file" in run.json["findings"][0]["message"]


def test_cdk_nested_assembly_manifest_out_of_the_project(tmp_path: Path) -> None:
    folder = project("cdk", tmp_path)
    (folder / "cdk.out" / "manifest.json").write_text(json.dumps({"artifacts": {
        "Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "sub"}}}}))
    (folder / "cdk.out" / "sub").mkdir()
    (folder / "cdk.out" / "sub" / "manifest.json").symlink_to("/dev/zero")

    run = check(folder)

    assert [f["rule"] for f in run.json["findings"]] == ["LL003"]
    assert "symlink out of the project" in run.json["findings"][0]["message"]


def test_samconfig_template_file_through_a_symlinked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.yaml").write_text(
        "Resources:\n  Secret:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: x.y\n      Code: .\n")
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "sub").symlink_to(outside)
    (folder / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\ntemplate_file = "sub/t.yaml"\n')

    run = check(folder)

    assert "Secret" not in json.dumps(run.json)


def test_a_project_reached_through_a_symlinked_folder(tmp_path: Path) -> None:
    project("sam", tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "sam")

    run = check(tmp_path, "link/template.yaml")

    assert not [f for f in run.json["findings"] if f["rule"] == "LL003"]
    assert ("LL107", "link/template.yaml", None, 96) in places(run)


def test_json_templates_with_escaped_astral_characters(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    template = {"Description": "thumbnails \U0001f5bc",
                "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                    "Runtime": "python3.9", "Handler": "app.handler", "Code": "src"}}}}
    (tmp_path / "template.json").write_text(json.dumps(template))  # "\ud83d\uddbc"

    run = check(tmp_path)

    assert [f["rule"] for f in run.json["findings"]] == ["LL208"]


def _chain_of_conditions() -> str:
    lines = [f"  C{i}: !Condition C{i + 1}" for i in range(500)]
    return "Conditions:\n" + "\n".join(lines) + "\n  C500: !Equals [a, a]\n"


def _nested_aliases() -> str:
    text, previous = "", "leaf"
    for n in range(5):
        body = "".join(f"{'  ' * (level + 1)}k:\n" for level in range(150))
        text += f"A{n}: &d{n}\n{body}{'  ' * 151}k: {previous}\n"
        previous = f"*d{n}"
    return text


ODD_TEMPLATES = [
    ("unknown runtime", "      Runtime: 'python3.12 '\n", ""),
    ("unknown architecture", "      Architectures: ['0']\n", ""),
    ("a superscript index", "      Runtime: !Select ['\u00b2', [python3.12, python3.11]]\n",
     ""),
    ("500 chained conditions", "      Runtime: !If [C0, python3.12, python3.11]\n",
     _chain_of_conditions()),
    ("aliases nested past the limit", "      Tags: *d4\n",
     "Globals:\n  Function:\n    Tags: *d4\n"),
    ("a 300-byte folder name", "", ""),
    ("300,000 layers from a !Split", "      Layers: !Split [',', !Ref P]\n",
     "Parameters:\n  P:\n    Type: String\n    Default: '" + "," * 300_000 + "'\n"),
    ("a gigabyte !Join over aliases",
     "      Environment:\n        Variables:\n          X: !Join ['', [" +
     ", ".join(["*a"] * 3000) + "]]\n",
     "Parameters:\n  P:\n    Type: String\n    Default: &a '" + "x" * 300_000 + "'\n"),
]


@pytest.mark.parametrize(("name", "properties", "extra"), ODD_TEMPLATES,
                         ids=[name for name, _, _ in ODD_TEMPLATES])
def test_odd_templates_end_in_time_without_internal_errors(name: str, properties: str,
                                                           extra: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    code = "a" * 300 if name == "a 300-byte folder name" else "src/"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    prefix = _nested_aliases() if "aliases" in name else ""
    (tmp_path / "template.yaml").write_text(
        prefix + extra + "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      CodeUri: {code}\n      Handler: app.handler\n"
        + ("" if "Runtime" in properties else "      Runtime: python3.12\n") + properties)

    run = check(tmp_path)

    assert "internal error" not in run.stdout + run.stderr
    assert run.exit_code in (0, 1, 2)
    if name.startswith("unknown"):
        assert [f["rule"] for f in run.json["findings"]] == ["LL003"]


def write_sam(tmp_path: Path, resources: str, top: str = "") -> None:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "src").mkdir(exist_ok=True)
    if not (tmp_path / "src" / "app.py").exists():
        (tmp_path / "src" / "app.py").write_text(
            "def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n" + top + "Resources:\n" + resources)


def test_ignore_globals(tmp_path: Path) -> None:
    write_sam(tmp_path,
              "  Fn:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: '*'\n"
              "    Properties:\n      CodeUri: src/\n      Runtime: python3.13\n"
              "      Handler: app.handler\n",
              top="Globals:\n  Function:\n    Layers: [arn:aws:lambda:us-east-1:123456789012:"
                  "layer:x:1]\n    Environment:\n      Variables:\n"
                  "        PYTHONPATH: /var/task/vendor\n")
    run = check(tmp_path)
    assert run.json["findings"] == [] and run.json["targets"][0]["layers"] == []


def test_environment_chosen_by_a_condition(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\n\nimport boto3\n\nS3 = boto3.client('s3')\n\n\n"
        "def handler(event, context):\n"
        "    S3.put_object(Bucket=os.environ['BUCKET'], Key='out.png', Body=b'')\n")
    write_sam(tmp_path,
              "  Uploads:\n    Type: AWS::S3::Bucket\n"
              "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
              "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
              "      Environment:\n        Variables: !If [IsProd, {BUCKET: !Ref Uploads}, "
              "{BUCKET: !Ref Uploads}]\n"
              "      Events:\n        Up:\n          Type: S3\n          Properties:\n"
              "            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n",
              top="Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"
                  "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n")
    run = check(tmp_path)
    assert [f["rule"] for f in run.json["findings"]] == ["LL502"]


def test_template_facts_that_must_not_raise_findings(tmp_path: Path) -> None:
    write_sam(tmp_path,
              "  Deps:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n"
              "      ContentUri: deps/\n"
              # Code in S3 with a local layer: the handler cannot be judged (no LL401).
              "  InS3:\n    Type: AWS::Serverless::Function\n    Properties:\n"
              "      CodeUri: s3://artifacts/fn.zip\n      Runtime: python3.12\n"
              "      Handler: app.handler\n      Layers: [!Ref Deps]\n"
              # A StartingPosition decided at deploy time is still given (no LL507).
              "  Reader:\n    Type: AWS::Serverless::Function\n    Properties:\n"
              "      CodeUri: src/\n      Runtime: python3.12\n      Handler: app.handler\n"
              "      Layers: [!Ref Deps]\n"
              # PYTHONPATH that lists the layer folders keeps them (no LL107).
              "      Environment:\n        Variables:\n"
              "          PYTHONPATH: /var/task/vendor:/opt/python:/var/runtime\n"
              "      Events:\n        Stream:\n          Type: Kinesis\n          Properties:\n"
              "            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s\n"
              "            StartingPosition: !Ref Position\n"
              "  Fn::ForEach::Workers:\n    - Name\n    - [A, B]\n    - Worker${Name}:\n"
              "        Type: AWS::Serverless::Function\n",
              top="Parameters:\n  Position:\n    Type: String\n")
    (tmp_path / "deps" / "python" / "requests").mkdir(parents=True)
    (tmp_path / "deps" / "python" / "requests" / "__init__.py").write_text("")
    (tmp_path / "src" / "app.py").write_text(
        "import requests\n\ndef handler(event, context):\n    return {}\n")

    run = check(tmp_path)

    assert run.json["findings"] == [], run.json["findings"]
    assert [n for n in run.json["notes"] if "Fn::ForEach::Workers" in n]


def test_cdk_bucket_notifications(tmp_path: Path) -> None:
    folder = project("cdk", tmp_path)
    (folder / "cdk.out" / "asset.3f1a2b" / "index.py").write_text(
        "import boto3\n\nS3 = boto3.client('s3')\n\n\n"
        "def handler(event, context):\n"
        "    bucket = event['Records'][0]['s3']['bucket']['name']\n"
        "    S3.put_object(Bucket=bucket, Key='thumbnails/x.png', Body=b'')\n")
    template = folder / "cdk.out" / "ApiStack.template.json"
    document = json.loads(template.read_text())

    def notifications(prefix: str) -> dict:  # type: ignore[type-arg]
        return {"Type": "Custom::S3BucketNotifications", "Properties": {
            "BucketName": {"Ref": "Uploads"},
            "NotificationConfiguration": {"LambdaFunctionConfigurations": [{
                "Events": ["s3:ObjectCreated:*"],
                "LambdaFunctionArn": {"Fn::GetAtt": ["Api5A6B7C8D", "Arn"]},
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}}]}}}

    document["Resources"]["Uploads"] = {"Type": "AWS::S3::Bucket"}
    for prefix, loops in (("uploads/", False), ("thumbnails/", True)):
        document["Resources"]["UploadsNotifications"] = notifications(prefix)
        template.write_text(json.dumps(document, indent=1))
        found = [f for f in check(folder).json["findings"] if f["rule"] == "LL502"]
        assert bool(found) is loops, prefix


def test_layer_declarations_point_at_their_own_lines(tmp_path: Path) -> None:
    run = check(project("sam", tmp_path))
    arch = [f for f in run.json["findings"]
            if f["rule"] == "LL207" and "architectures" in f["message"] and
            f["path"] == "template.yaml" and f["line"] == 23]
    assert [r["line"] for r in arch[0]["related"]] == [39]  # CompatibleArchitectures


def test_merge_keys_with_several_mappings(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "serverless.yml").write_text(
        "service: svc\nx-common: &common\n  runtime: python3.9\nx-arch: &arch\n"
        "  architecture: arm64\nprovider:\n  name: aws\n  <<: [*common, *arch]\n"
        "functions:\n  fn:\n    handler: src/app.handler\n")
    run = check(tmp_path)
    [target] = run.json["targets"]
    assert (target["runtime"], target["architecture"]) == ("python3.9", "arm64")


def test_serverless_defaults_and_image_build_arguments(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "app" / "Dockerfile").write_text(
        "ARG ARCH=x86_64\nARG PY=3.9\nFROM public.ecr.aws/lambda/python:${PY}-${ARCH}\n"
        "COPY app.py ${LAMBDA_TASK_ROOT}\nCMD [\"app.handler\"]\n")
    (tmp_path / "handler.py").write_text("def main(event, context):\n    return {}\n")
    config = (
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n"
        "  ecr:\n    images:\n      appimage:\n        path: ./app\n"
        "        buildArgs:\n          ARCH: arm64\n          PY: '3.12'\n"
        "functions:\n  hello:\n    image:\n      name: appimage\n"
        "  k:\n    handler: handler.main\n    runtime: python3.12\n"
        "    layers: [arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p312-arm64-requests:3]\n")
    (tmp_path / "serverless.yml").write_text(config)

    run = check(tmp_path)

    targets = {t["name"]: t for t in run.json["targets"]}
    # An image function is checked whatever provider.runtime says, and neither names an
    # architecture: both run on Lambda's default, x86_64.
    assert set(targets) == {"hello", "k"}
    assert targets["k"]["architecture"] == "x86_64"
    assert targets["k"]["sources"]["architecture"] == "default"
    rules = sorted(f["rule"] for f in run.json["findings"])
    # hello: built for arm64 (the build arguments), run on x86_64; k: an arm64 layer.
    assert rules == ["LL207", "LL210"], run.json["findings"]
    assert targets["hello"]["runtime"] == "python3.12"  # PY from buildArgs, not 3.9

    (tmp_path / "serverless.yml").write_text(config.replace("  runtime: nodejs20.x\n",
                                                            "  architecture: arm64\n"))
    assert [f["rule"] for f in check(tmp_path).json["findings"]] == []


def test_serverless_variables_referring_to_a_long_string_many_times(tmp_path: Path) -> None:
    # Once 4.5 minutes: a chain too long to finish was parsed again at every reference.
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    chain = "".join(f"  c{i}: ${{self:custom.c{i + 1}}}\n" for i in range(40)) + "  c40: x\n"
    variables = "".join(f"    V{i}: ${{self:custom.big}}\n" for i in range(300))
    (tmp_path / "serverless.yml").write_text(
        f"service: s\ncustom:\n  big: \"${{self:custom.c0}}{'a' * 3_000_000}\"\n{chain}"
        f"provider:\n  name: aws\n  runtime: python3.12\n  environment:\n{variables}"
        "functions:\n  f:\n    handler: src/app.handler\n")

    result = subprocess.run([sys.executable, "-m", "lambdalint", "check", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr
    assert [t["name"] for t in json.loads(result.stdout)["targets"]] == ["f"]


def test_an_image_holds_only_what_its_dockerfile_copies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / ".env").write_text("DATABASE_PASSWORD=hunter2\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM public.ecr.aws/lambda/python:3.12\nCOPY src/ ${LAMBDA_TASK_ROOT}/src/\n"
        "CMD [\"src.app.handler\"]\n")

    # The project root is the task root (src/ lands in /var/task/src), but .env is never
    # copied: it is not in the image.
    assert check(tmp_path).json["findings"] == []

    (tmp_path / "Dockerfile").write_text(
        "FROM public.ecr.aws/lambda/python:3.12\nCOPY . ${LAMBDA_TASK_ROOT}\n"
        "CMD [\"src.app.handler\"]\n")
    assert [f["rule"] for f in check(tmp_path).json["findings"]] == ["LL604"]


def test_a_cdk_manifest_or_a_dockerignore_given_as_a_path(tmp_path: Path) -> None:
    # what a per-file hook passes when they are staged
    folder = project("cdk", tmp_path)
    by_manifest = check(folder, "cdk.out/manifest.json")
    by_folder = check(folder, "cdk.out")
    assert by_manifest.json["findings"] == by_folder.json["findings"] != []
    (folder / "Dockerfile.dockerignore").write_text("node_modules\n*.pyc\n")
    run = check(folder, "Dockerfile.dockerignore")
    assert "LL003" not in {f["rule"] for f in run.json["findings"]}
