"""Public layers recognised from real ARNs (public-layers reference §3, §5)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdalint.data import DataError
from lambdalint.model import public_layers
from lambdalint.model.public_layers import PublicLayer, identify, parse_layer_arn

V3 = "AWSLambdaPowertoolsPythonV3"


def known(arn: str) -> PublicLayer:
    layer = identify(arn)
    assert layer is not None, arn
    return layer


# --- Powertools ----------------------------------------------------------------------------


def test_powertools_v3_from_terraform_lambda_sfn() -> None:
    arn = f"arn:aws:lambda:us-east-1:017000801446:layer:{V3}-python312-x86_64:19"
    layer = known(arn)
    assert layer.family == "powertools-python-v3"
    assert layer.arn == arn
    assert layer.name == f"{V3}-python312-x86_64"
    assert layer.version == "19"
    assert layer.runtimes == ("python3.12",)
    assert layer.architectures == ("x86_64",)
    assert layer.kind == "python"
    assert layer.install == "python"
    assert {"aws_lambda_powertools", "pydantic", "pydantic_core", "typing_extensions"} \
        <= layer.modules
    assert "aws-lambda-powertools" in layer.distributions
    assert {"jmespath", "boto3", "botocore"} <= layer.removed
    assert "jmespath" not in layer.modules
    assert layer.compiled
    assert not layer.complete
    assert layer.versions["pydantic"] == ">=2,<3"


def test_powertools_v3_with_cloudformation_placeholders() -> None:
    arn = (f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:017000801446:layer:"
           f"{V3}-python314-arm64:33")
    assert parse_layer_arn(arn) == (None, None, "017000801446", f"{V3}-python314-arm64", "33")
    layer = known(arn)
    assert (layer.runtimes, layer.architectures) == (("python3.14",), ("arm64",))


@pytest.mark.parametrize("arn", [
    f"arn:aws-us-gov:lambda:us-gov-east-1:165087284144:layer:{V3}-python312-x86_64:27",
    f"arn:aws-us-gov:lambda:us-gov-west-1:165093116878:layer:{V3}-python312-x86_64:27",
    f"arn:aws-cn:lambda:cn-north-1:498634801083:layer:{V3}-python312-x86_64:37",
])
def test_powertools_v3_in_govcloud_and_china(arn: str) -> None:
    layer = known(arn)
    assert layer.family == "powertools-python-v3"
    assert layer.runtimes == ("python3.12",)
    parts = parse_layer_arn(arn)
    assert parts is not None
    assert parts[0] in ("aws-us-gov", "aws-cn")


@pytest.mark.parametrize(("suffix", "runtime", "arch"), [
    ("python39-x86_64", "python3.9", "x86_64"),  # the last python39 build was :27
    ("python313-arm64", "python3.13", "arm64"),
    ("python312-x86", "python3.12", "x86_64"),  # the v3.0.0 docs' spelling, before -x86_64
])
def test_powertools_v3_names(suffix: str, runtime: str, arch: str) -> None:
    layer = known(f"arn:aws:lambda:eu-west-1:017000801446:layer:{V3}-{suffix}:27")
    assert (layer.runtimes, layer.architectures) == ((runtime,), (arch,))


def test_powertools_v2_ships_pydantic_v1() -> None:
    layer = known("arn:aws:lambda:us-east-1:017000801446:layer:"
                  "AWSLambdaPowertoolsPythonV2-Arm64:79")
    assert layer.family == "powertools-python-v2"
    assert layer.architectures == ("arm64",)
    assert "pydantic" in layer.modules
    assert layer.versions["pydantic"] == ">=1,<2"
    assert {"aws_encryption_sdk", "jsonpath_ng"} <= layer.excluded  # Data Masking is v3 only
    assert layer.runtimes is not None
    assert "python3.12" in layer.runtimes
    assert "python3.14" not in layer.runtimes
    assert "jmespath" in layer.removed


def test_powertools_v2_without_suffix_is_x86_64() -> None:
    layer = known("arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:"
                  "AWSLambdaPowertoolsPythonV2:32")
    assert layer.architectures == ("x86_64",)
    assert layer.version == "32"


def test_powertools_v1_has_no_pydantic() -> None:
    layer = known("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPython:15")
    assert layer.family == "powertools-python-v1"
    assert "aws_lambda_powertools" in layer.modules
    assert "pydantic" not in layer.modules
    assert "pydantic" in layer.excluded
    assert layer.architectures is None
    assert layer.runtimes == ("python3.6", "python3.7", "python3.8", "python3.9")


def test_powertools_name_under_a_foreign_account_is_not_powertools() -> None:
    assert identify(f"arn:aws:lambda:us-east-1:123456789012:layer:{V3}-python312-x86_64:19") \
        is None
    assert identify("arn:aws:lambda:us-east-1:057560766410:layer:AWSLambdaPowertoolsPythonV2:1") \
        is None


def test_account_placeholder_lets_a_distinctive_name_decide() -> None:
    arn = f"arn:aws:lambda:us-east-1:${{AWS::AccountId}}:layer:{V3}-python313-arm64:4"
    assert parse_layer_arn(arn) == ("aws", "us-east-1", None, f"{V3}-python313-arm64", "4")
    assert known(arn).family == "powertools-python-v3"


def test_powertools_typescript_is_node_only() -> None:
    layer = known("arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScript:21")
    assert layer.kind == "node"
    assert layer.install is None
    assert layer.modules == frozenset()
    assert layer.complete


# --- Klayers -------------------------------------------------------------------------------


def test_klayers_pillow_from_apigw_lambda_bedrock_s3() -> None:
    layer = known("arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p311-Pillow:2")
    assert layer.family == "klayers"
    assert layer.runtimes == ("python3.11",)
    assert layer.architectures == ("x86_64",)
    assert layer.modules == frozenset({"PIL"})
    assert layer.distributions == frozenset({"pillow"})
    assert layer.install == "python"
    assert not layer.complete  # the whole dependency closure comes along


def test_klayers_arm64() -> None:
    layer = known("arn:aws:lambda:us-west-2:770693421928:layer:Klayers-p312-arm64-requests:9")
    assert layer.runtimes == ("python3.12",)
    assert layer.architectures == ("arm64",)
    assert layer.modules == frozenset({"requests"})


@pytest.mark.parametrize(("package", "modules"), [
    ("pyyaml", {"yaml"}),
    ("psycopg2-binary", {"psycopg2"}),
    ("beautifulsoup4", {"bs4"}),
    ("PyJWT", {"jwt"}),
    ("opencv-python", {"cv2"}),
    ("python-pptx", {"pptx"}),
    ("PyMuPDF", {"fitz", "pymupdf"}),
    ("mysql-connector-python", {"mysql", "mysqlx"}),
    ("dnspython", {"dns"}),
    ("pillow", {"PIL"}),  # third-party docs' lower case
    ("SQLAlchemy", {"sqlalchemy"}),
    ("aws-xray-sdk", {"aws_xray_sdk"}),
    ("curl_cffi", {"curl_cffi"}),
])
def test_klayers_import_names(package: str, modules: set[str]) -> None:
    layer = known(f"arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p312-{package}:1")
    assert layer.modules == modules


def test_klayers_old_names_and_retired_account() -> None:
    layer = known("arn:aws:lambda:us-east-1:113088814899:layer:"
                  "Klayers-python38-aws-lambda-powertools:23")
    assert layer.runtimes == ("python3.8",)
    assert layer.modules == frozenset({"aws_lambda_powertools"})
    assert known("arn:aws:lambda:ap-southeast-1:113088814899:layer:Klayers-python37-requests:1"
                 ).runtimes == ("python3.7",)


# --- the other publishers ------------------------------------------------------------------


def test_datadog_python_installs_into_one_minor() -> None:
    layer = known("arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Python312-ARM:130")
    assert layer.family == "datadog-python"
    assert layer.install == "site-packages"
    assert layer.architectures == ("arm64",)
    assert layer.runtimes == ("python3.12",)
    assert {"datadog_lambda", "ddtrace"} <= layer.modules
    assert layer.wrapper is not None
    assert "DD_LAMBDA_HANDLER" in layer.wrapper


def test_datadog_govcloud_and_old_python() -> None:
    layer = known("arn:aws-us-gov:lambda:us-gov-west-1:002406178527:layer:Datadog-Python39:102")
    assert (layer.runtimes, layer.architectures) == (("python3.9",), ("x86_64",))
    assert known("arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Python27:10"
                 ).runtimes == ("python2.7",)


def test_datadog_extension() -> None:
    layer = known("arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Extension-ARM-FIPS:105")
    assert layer.family == "datadog-extension"
    assert layer.kind == "extension"
    assert layer.architectures == ("arm64",)
    assert layer.modules == frozenset()


def test_lambda_web_adapter() -> None:
    layer = known("arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerArm64:25")
    assert layer.family == "lambda-web-adapter"
    assert layer.kind == "extension"
    assert layer.install is None
    assert layer.modules == frozenset()
    assert layer.complete
    assert layer.architectures == ("arm64",)
    assert layer.runtimes is None
    assert layer.wrapper is not None
    assert "/opt/bootstrap" in layer.wrapper
    x86 = known("arn:${AWS::Partition}:lambda:${AWS::Region}:753240598075:layer:"
                "LambdaAdapterLayerX86:3")
    assert x86.architectures == ("x86_64",)
    china = known("arn:aws-cn:lambda:cn-north-1:041581134020:layer:LambdaAdapterLayerX86:26")
    assert china.family == "lambda-web-adapter"


@pytest.mark.parametrize(("arn", "family", "arch"), [
    ("arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:2",
     "parameters-secrets-extension", "x86_64"),
    ("arn:aws:lambda:us-east-1:177933569100:layer:"
     "AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:4",
     "parameters-secrets-extension", "arm64"),
    ("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:21",
     "lambda-insights", "x86_64"),
    ("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension-Arm64:1",
     "lambda-insights", "arm64"),
    ("arn:aws:lambda:us-east-1:027255383542:layer:AWS-AppConfig-Extension:82",
     "appconfig-extension", "x86_64"),
    ("arn:aws:lambda:eu-central-1:066940009817:layer:AWS-AppConfig-Extension-Arm64:101",
     "appconfig-extension", "arm64"),
    ("arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-collector-amd64-ver-0-90-1:1",
     "adot-collector", "x86_64"),
    ("arn:aws:lambda:us-east-1:451483290750:layer:NewRelicLambdaExtensionARM64:20",
     "newrelic-extension", "arm64"),
])
def test_extensions_provide_no_python(arn: str, family: str, arch: str) -> None:
    layer = known(arn)
    assert layer.family == family
    assert layer.kind == "extension"
    assert layer.install is None
    assert layer.modules == frozenset()
    assert layer.complete
    assert layer.architectures == (arch,)


def test_aws_run_extensions_match_in_any_regions_account() -> None:
    # one account per region: a region the table lacks still names the extension
    layer = known("arn:aws:lambda:ap-southeast-7:761018874580:layer:LambdaInsightsExtension:60")
    assert layer.family == "lambda-insights"


def test_aws_sdk_for_pandas_and_its_old_name() -> None:
    layer = known("arn:aws:lambda:ap-east-1:839552336658:layer:AWSSDKPandas-Python312-Arm64:16")
    assert layer.family == "aws-sdk-pandas"
    assert (layer.runtimes, layer.architectures) == (("python3.12",), ("arm64",))
    assert {"awswrangler", "pandas", "numpy", "pyarrow"} <= layer.modules
    assert {"boto3", "botocore", "urllib3", "s3transfer"} <= layer.removed
    assert layer.compiled
    old = known("arn:aws:lambda:us-east-1:336392948345:layer:AWSDataWrangler-Python38:8")
    assert (old.family, old.runtimes) == ("aws-sdk-pandas", ("python3.8",))


def test_adot() -> None:
    legacy = known("arn:aws:lambda:us-east-1:901920570463:layer:"
                   "aws-otel-python-amd64-ver-1-25-0:1")
    assert legacy.family == "adot-python"
    assert legacy.architectures == ("x86_64",)
    assert "otel_wrapper" in legacy.modules
    assert legacy.wrapper is not None
    assert "/opt/otel-instrument" in legacy.wrapper
    signals = known("arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroPython:5")
    assert signals.family == "adot-application-signals-python"
    assert {"amazon", "opentelemetry", "otel_wrapper"} <= signals.modules
    assert signals.architectures is None


def test_new_relic_per_minor_and_universal() -> None:
    per_minor = known("arn:aws:lambda:us-east-1:451483290750:layer:NewRelicPython312ARM64:12")
    assert per_minor.family == "newrelic-python"
    assert per_minor.install == "site-packages"
    assert (per_minor.runtimes, per_minor.architectures) == (("python3.12",), ("arm64",))
    assert "newrelic_lambda_wrapper" in per_minor.modules
    universal = known("arn:aws:lambda:us-east-1:451483290750:layer:NewRelicPython:3")
    assert universal.family == "newrelic-python-universal"
    assert universal.install == "python"
    assert universal.architectures == ("x86_64",)
    assert universal.runtimes is not None
    assert "python3.14" in universal.runtimes


def test_sentry_lumigo_strands_graphicsmagick() -> None:
    sentry = known("arn:aws:lambda:us-east-1:943013980633:layer:SentryPythonServerlessSDK:106")
    assert sentry.modules == frozenset({"sentry_sdk", "urllib3", "certifi"})
    assert sentry.runtimes is None
    lumigo = known("arn:aws:lambda:us-east-1:114300393969:layer:lumigo-python-tracer:300")
    assert "lumigo_tracer" in lumigo.modules
    assert not lumigo.complete
    strands = known("arn:aws:lambda:us-east-1:856699698935:layer:strands-agents-py3_12-x86_64:1")
    assert (strands.runtimes, strands.architectures) == (("python3.12",), ("x86_64",))
    assert "strands" in strands.modules
    gm = known("arn:aws:lambda:us-east-1:175033217214:layer:graphicsmagick:2")
    assert (gm.kind, gm.install, gm.modules) == ("native", None, frozenset())


def test_a_common_name_needs_its_account() -> None:
    assert identify("arn:aws:lambda:us-east-1:${AWS::AccountId}:layer:graphicsmagick:2") is None
    assert identify("arn:aws:lambda:us-east-1:123456789012:layer:graphicsmagick:2") is None


# --- parsing -------------------------------------------------------------------------------


def test_unknown_layer_parses_but_is_not_identified() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3"
    assert parse_layer_arn(arn) == ("aws", "us-east-1", "123456789012", "my-layer", "3")
    assert identify(arn) is None


@pytest.mark.parametrize("region", [
    "${AWS::Region}", "{region}", "${self:provider.region}", "${aws:region}", "*",
    "${Something}", "#{AWS::Region}", "<region>", "${data.aws_region.current.name}",
    "' + self._region + '", "$AWS_REGION", "%s",
])
def test_region_placeholders(region: str) -> None:
    arn = f"arn:aws:lambda:{region}:017000801446:layer:{V3}-python312-arm64:19"
    assert parse_layer_arn(arn) == ("aws", None, "017000801446", f"{V3}-python312-arm64", "19")
    assert known(arn).architectures == ("arm64",)


@pytest.mark.parametrize("partition", ["${AWS::Partition}", "{partition}", "*", "${Partition}"])
def test_partition_placeholders(partition: str) -> None:
    arn = f"arn:{partition}:lambda:us-east-1:770693421928:layer:Klayers-p311-boto3:5"
    assert parse_layer_arn(arn) == (None, "us-east-1", "770693421928", "Klayers-p311-boto3", "5")
    assert known(arn).modules == frozenset({"boto3"})


@pytest.mark.parametrize(("tail", "version"), [
    ("", None),  # Terraform's aws_lambda_layer_version data source: unversioned
    (":${PowertoolsLayerVersion}", None),
    (":{version}", None),
    (":42", "42"),
])
def test_version_is_optional(tail: str, version: str | None) -> None:
    arn = f"arn:aws:lambda:us-east-1:017000801446:layer:{V3}-python312-x86_64{tail}"
    layer = known(arn)
    assert layer.version == version


def test_surrounding_whitespace_is_ignored() -> None:
    assert known(f"  arn:aws:lambda:us-east-1:017000801446:layer:{V3}-python312-x86_64:19\n")


def test_a_placeholder_in_the_name_identifies_nothing() -> None:
    arn = f"arn:aws:lambda:us-east-1:017000801446:layer:{V3}-${{Runtime}}-${{Arch}}:27"
    assert parse_layer_arn(arn) == ("aws", "us-east-1", "017000801446", None, "27")
    assert identify(arn) is None


@pytest.mark.parametrize("text", [
    "", "arn", "not an arn", ":::::::", "arn:aws:lambda", "{{resolve:ssm:/aws/service/x}}",
    "arn:aws:lambda:us-east-1:017000801446:function:AWSLambdaPowertoolsPythonV2",
    "arn:aws:s3:::bucket",
    "arn:aws:lambda:us-east-1:01700080144:layer:AWSLambdaPowertoolsPythonV2:1",  # 11 digits
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:latest",
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1:2",
    "arn:aws:lambda:us-east-1:017000801446:layer::1",
    "arn:aws:lambda:us-east-1:017000801446:layer:Powertools.Python:1",
    "arn:aws:lambda:US EAST:017000801446:layer:AWSLambdaPowertoolsPythonV2:1x",
    "arn:${AWS::Partition:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1",
    "arn:aws}:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1",
    "arn:gcp:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1",
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2\x00:1",
    "arn:aws:lambda:us-east-1:017000801446:layer:Ä:1",
    "arn:aws:lambda:us-east-1:017000801446:layer:" + "A" * 141 + ":1",
    "arn:aws:lambda:${" * 5000,
    "{" * 10_000 + "}" * 10_000,
])
def test_garbage_is_none(text: str) -> None:
    assert parse_layer_arn(text) is None
    assert identify(text) is None


@pytest.mark.parametrize("value", [None, 17, b"arn:aws:lambda:us-east-1:1:layer:x:1", ["arn"]])
def test_non_strings_are_none(value: Any) -> None:
    assert parse_layer_arn(value) is None
    assert identify(value) is None


# --- the table -----------------------------------------------------------------------------

TABLE = Path(public_layers.__file__).parent.parent / "data" / "public_layers.json"


def test_every_family_of_the_brief_is_there() -> None:
    families, _ = public_layers._table()
    assert {f.id for f in families} >= {
        "powertools-python-v3", "powertools-python-v2", "powertools-python-v1", "klayers",
        "aws-sdk-pandas", "datadog-python", "datadog-extension", "lambda-web-adapter",
        "parameters-secrets-extension", "lambda-insights", "appconfig-extension",
        "adot-python", "adot-application-signals-python", "newrelic-python",
        "newrelic-extension", "sentry-python", "lumigo-python", "strands-agents",
        "powertools-typescript", "graphicsmagick",
    }


def test_every_example_identifies_as_its_own_family() -> None:
    families, _ = public_layers._table()
    for family in families:
        account = next(iter(sorted(family.accounts))) if family.accounts else "123456789012"
        for example in family.examples:
            arn = f"arn:aws:lambda:us-east-1:{account}:layer:{example}:1"
            assert known(arn).family == family.id


def test_importing_the_matcher_stays_light() -> None:
    code = ("import sys, lambdalint.model.public_layers as p; "
            "p.identify('arn:aws:lambda:us-east-1:017000801446:layer:"
            "AWSLambdaPowertoolsPythonV2:1'); "
            "print(sorted(m for m in ('yaml', 'packaging', 'rich', 'libcst', 'jsonschema') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "[]"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A copy of the shipped table that a test breaks; the loader reads it instead."""
    raw = json.loads(TABLE.read_text("utf-8"))
    monkeypatch.setattr(public_layers, "_read", lambda: raw)
    public_layers._table.cache_clear()
    yield raw
    public_layers._table.cache_clear()


def _record(raw: dict[str, Any], family: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in raw["layers"] if r["id"] == family)
    return row


def test_the_copy_of_the_table_loads(table: dict[str, Any]) -> None:
    assert known("arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p311-Pillow:2")


def _duplicate(raw: dict[str, Any]) -> None:
    raw["layers"].append(copy.deepcopy(raw["layers"][0]))


def _ambiguous(raw: dict[str, Any]) -> None:
    _record(raw, "powertools-python-v1")["name_pattern"] = "AWSLambdaPowertoolsPython(?:V2)?"


def _update(family: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda raw: _record(raw, family).update(values)


BREAKAGES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "duplicate id": (_duplicate, "duplicate id"),
    "bad regex": (_update("klayers", name_pattern="Klayers-(?P<minor>"), "does not compile"),
    "short account": (_update("sentry-python", accounts=["94301398063"]), "12-digit"),
    "empty accounts": (_update("sentry-python", accounts=[]), "12-digit"),
    "any account, common name": (_update("graphicsmagick", accounts=None), "distinctive"),
    "bad runtime id": (_update("powertools-python-v1", runtimes=["python3.6", "py3.7"]),
                       "runtime ids"),
    "runtimes not a list": (_update("powertools-python-v1", runtimes="python3.9"),
                            "runtime ids"),
    "repeated runtime": (_update("powertools-python-v1", runtimes=["python3.9", "python3.9"]),
                         "runtime ids"),
    "from-name without minor": (_update("sentry-python", runtimes="from-name"),
                                "needs a 'minor' group"),
    "minor group ignored": (_update("klayers", runtimes="any"), "needs runtimes from-name"),
    "unknown group": (_update("graphicsmagick", name_pattern="(?P<flavour>graphicsmagick)"),
                      "groups must be among"),
    "bad arch": (_update("sentry-python", arch="amd64"), "arch must be one of"),
    "arch from-name without group": (_update("sentry-python", arch="from-name",
                                             arch_names={"": "x86_64"}), "needs an 'arch' group"),
    "arch group ignored": (_update("lambda-web-adapter", arch="arm64"),
                           "need arch from-name"),
    "arch_names maps to unknown": (_update("lambda-web-adapter",
                                           arch_names={"X86": "x86_64", "Arm64": "aarch64"}),
                                   "arch_names must map to"),
    "example with unmapped arch": (_update("lambda-web-adapter", arch_names={"X86": "x86_64"}),
                                   "does not name the architecture of 'LambdaAdapterLayerArm64'"),
    "example not matching": (_update("strands-agents", examples=["strands-agents-py312-x86_64"]),
                             "does not match its example"),
    "no example": (_update("sentry-python", examples=[]), "at least one name"),
    "ambiguous name": (_ambiguous, "also matches powertools-python-v1"),
    "bad kind": (_update("graphicsmagick", kind="binary"), "kind must be one of"),
    "extension with modules": (_update("datadog-extension", modules=["ddtrace"]),
                               "nothing to import"),
    "python without install": (_update("sentry-python", install=None), "install location"),
    "bad install": (_update("sentry-python", install="/opt/python"), "install must be"),
    "site-packages for any minor": (_update("sentry-python", install="site-packages"),
                                    "serves one minor"),
    "module not an identifier": (_update("sentry-python", modules=["sentry-sdk"]),
                                 "modules must be a list of import names"),
    "unnormalized distribution": (_update("sentry-python", distributions=["Sentry_SDK"]),
                                  "normalized distribution names"),
    "provided and removed": (_update("sentry-python", removed=["urllib3"]),
                             "both provided and removed"),
    "version of an absent distribution": (_update("sentry-python", versions={"boto3": "<2"}),
                                          "versions must map"),
    "complete klayers": (_update("klayers", complete=True), "modules_from_package"),
    "not a bool": (_update("sentry-python", compiled="no"), "compiled must be true or false"),
    "unknown field": (_update("sentry-python", runtime="python3.12"),
                      "unknown fields ['runtime']"),
    "missing field": (lambda raw: _record(raw, "sentry-python").pop("kind"),
                      "missing fields ['kind']"),
    "region account": (lambda raw: _record(raw, "lambda-insights")["region_accounts"].update(
        {"ca-west-1": {"x86_64": "946466191631", "arm": "761377655185"}}), "region_accounts"),
    "import names not normalized": (lambda raw: raw["klayers_import_names"].update(
        {"Pillow": ["PIL"]}), "klayers_import_names"),
    "layers not a list of records": (lambda raw: raw.update(layers=[17]), "malformed table"),
    "no klayers map": (lambda raw: raw.pop("klayers_import_names"), "malformed table"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_a_broken_table_is_a_data_error(table: dict[str, Any], breakage: str) -> None:
    breaking, message = BREAKAGES[breakage]
    breaking(table)
    with pytest.raises(DataError, match="public_layers.json: .*" + re.escape(message)):
        identify("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1")


def test_public_ssm_parameters_name_their_layers() -> None:
    powertools = identify(
        "{{resolve:ssm:/aws/service/powertools/python/x86_64/python3.12/3.4.0}}")
    assert powertools is not None
    assert (powertools.family, powertools.runtimes, powertools.architectures) == \
        ("powertools-python-v3", ("python3.12",), ("x86_64",))
    pandas = identify("{{resolve:ssm:/aws/service/aws-sdk-pandas/3.4.0/py3.11/arm64/layer-arn}}")
    assert pandas is not None and pandas.architectures == ("arm64",)
    assert "awswrangler" in pandas.modules
    assert identify("{{resolve:ssm:/aws/service/powertools/python/sparc/python3.12/latest}}") \
        is None
    assert identify("{{resolve:ssm:/team/shared-layer-arn}}") is None
