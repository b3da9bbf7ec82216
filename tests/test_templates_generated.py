"""Generated templates: whatever shape a template has, one clear result, never a traceback.

Hypothesis builds CloudFormation-shaped documents from the keys, values and intrinsic
functions discovery reads — right, wrong and absurd combinations — and mutates a real SAM
template's text byte by byte.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zipspec import run_cli

SAM_TEMPLATE = (Path(__file__).parent / "projects" / "sam" / "template.yaml").read_bytes()

KEYS = ["Resources", "Type", "Properties", "Runtime", "Handler", "CodeUri", "Code", "Layers",
        "Events", "Environment", "Variables", "Globals", "Function", "Conditions",
        "Parameters", "Default", "Mappings", "Metadata", "BuildMethod", "Architectures",
        "PackageType", "ImageConfig", "Command", "Filter", "S3Key", "Rules", "Name", "Value",
        "Bucket", "FunctionName", "EventSourceArn", "StartingPosition", "ContentUri",
        "CompatibleRuntimes", "Dockerfile", "DockerContext", "Transform", "X"]
SCALARS = ["AWS::Serverless::Function", "AWS::Lambda::Function",
           "AWS::Serverless::LayerVersion", "AWS::Lambda::EventSourceMapping",
           "AWS::S3::Bucket", "AWS::Serverless-2016-10-31", "python3.12", "python3.9",
           "nodejs20.x", "app.handler", "run.sh", "Image", "S3", "Api", "SQS", "prefix",
           ".", "src", "../..", "/etc", "s3://bucket/key", "arm64", "x86_64", "LATEST",
           "Fn", "Cond", "Param", "PYTHONPATH", "${Fn}", "${AWS::Region}", "${!Literal}",
           "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312"
           "-arm64:3", "", "0", "1", "true"]
FUNCTIONS = ["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "Fn::Select",
             "Fn::Split", "Fn::FindInMap", "Fn::Base64", "Fn::Equals", "Fn::Not", "Fn::And",
             "Fn::Or", "Condition", "Fn::ImportValue", "Fn::Unknown"]

values = st.recursive(
    st.sampled_from(SCALARS) | st.integers(-3, 3) | st.none() | st.booleans(),
    lambda inner: (st.lists(inner, max_size=4)
                   | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
                   | st.builds(lambda f, v: {f: v}, st.sampled_from(FUNCTIONS), inner)),
    max_leaves=40)

templates = st.fixed_dictionaries(
    {"Resources": st.dictionaries(st.sampled_from(["Fn", "Layer", "Bucket", "Cond", "Map"]),
                                  st.fixed_dictionaries({"Type": st.sampled_from(SCALARS),
                                                         "Properties": values}),
                                  max_size=4)},
    optional={"Globals": st.fixed_dictionaries({"Function": values}),
              "Conditions": st.dictionaries(st.sampled_from(["Cond", "Other"]), values,
                                            max_size=2),
              "Parameters": st.dictionaries(st.sampled_from(["Param", "Fn"]), values,
                                            max_size=2),
              "Mappings": values, "Transform": values})


def check(text: bytes, name: str = "template.yaml") -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
        (root / name).write_bytes(text)
        run = run_cli(["check", name, "--format", "json"], root)
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stdout + run.stderr, run.stdout
    assert run.exit_code in (0, 1, 2)
    json.loads(run.stdout)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_generated_templates(template: dict[str, Any]) -> None:
    check(json.dumps(template).encode(), "template.json")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SAM_TEMPLATE) - 1), st.binary(max_size=3)),
                min_size=1, max_size=6))
def test_mutated_sam_template(edits: list[tuple[int, bytes]]) -> None:
    text = bytearray(SAM_TEMPLATE)
    for at, replacement in edits:
        text[at:at + len(replacement)] = replacement
    check(bytes(text))
