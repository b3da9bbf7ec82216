"""lambdalint.fix.scalars: one runtime or handler edited in place, the rest byte for byte."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lambdalint.discover import decode
from lambdalint.fix.scalars import kind_of_file, replace_scalar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column (characters) of ``index``; lines end at "\\n"."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decoded_mark(text: str, *path: str | int) -> tuple[int, int]:
    """The mark lambdalint's decoder gives the value at ``path``."""
    value = decode.loads(text)
    for part in path:
        value = value[part]
    mark = decode.mark_of(value)
    assert mark is not None
    return mark.line, mark.column


def edit_at(text: str, index: int, kind: str, old: str, new: str) -> str | None:
    line, column = position(text, index)
    return replace_scalar(text, kind, old, new, line=line, column=column)


SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  Orders API (sam init, then edited)

# Shared by every function below
Globals:
  Function:
    # the runtime AWS deprecates next
    Runtime: python3.8  # keep in step with requirements.txt
    Timeout: 10
    MemorySize: 512

Parameters:
  RuntimeParam:
    Type: String
    Default: python3.12

Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: app.handlr  # the entry point
      Runtime: "python3.8"
      Architectures:
        - arm64
  RefundsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: refunds/
      Handler: 'refunds.handlr'
      Runtime: !Ref RuntimeParam
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: reports/
      Handler: reports.main
      Runtime: !Sub "python${Version}"
"""


class TestSamYaml:
    def test_globals_runtime_plain_with_comments_around(self) -> None:
        i = SAM.index("python3.8  # keep")
        assert position(SAM, i) == decoded_mark(SAM, "Globals", "Function", "Runtime")
        result = edit_at(SAM, i, "yaml", "python3.8", "python3.13")
        assert result == SAM[:i] + "python3.13" + SAM[i + len("python3.8"):]
        assert decode.loads(result)["Globals"]["Function"]["Runtime"] == "python3.13"

    def test_double_quoted_runtime_keeps_its_quotes(self) -> None:
        i = SAM.index('"python3.8"')
        assert position(SAM, i) == decoded_mark(
            SAM, "Resources", "OrdersFunction", "Properties", "Runtime")
        result = edit_at(SAM, i, "yaml", "python3.8", "python3.13")
        assert result == SAM[:i + 1] + "python3.13" + SAM[i + 1 + len("python3.8"):]

    def test_plain_handler_before_a_comment(self) -> None:
        i = SAM.index("app.handlr")
        result = edit_at(SAM, i, "yaml", "app.handlr", "app.handler")
        assert result == SAM[:i] + "app.handler" + SAM[i + len("app.handlr"):]
        assert "Handler: app.handler  # the entry point\n" in result

    def test_single_quoted_handler_keeps_its_quotes(self) -> None:
        i = SAM.index("'refunds.handlr'")
        result = edit_at(SAM, i, "yaml", "refunds.handlr", "refunds.handler")
        assert result == SAM[:i + 1] + "refunds.handler" + SAM[i + 1 + len("refunds.handlr"):]
        assert "Handler: 'refunds.handler'\n" in result

    def test_ref_is_not_edited(self) -> None:
        i = SAM.index("!Ref RuntimeParam")
        assert position(SAM, i) == decoded_mark(
            SAM, "Resources", "RefundsFunction", "Properties", "Runtime")
        assert edit_at(SAM, i, "yaml", "RuntimeParam", "python3.13") is None
        # Not at the tag's own scalar text either.
        j = SAM.index("RuntimeParam\n")
        assert edit_at(SAM, j, "yaml", "RuntimeParam", "python3.13") is None

    def test_sub_is_not_edited(self) -> None:
        i = SAM.index('!Sub "python')
        assert edit_at(SAM, i, "yaml", "python${Version}", "python3.13") is None
        assert edit_at(SAM, i + 5, "yaml", "python${Version}", "python3.13") is None

    def test_mismatch_of_old(self) -> None:
        i = SAM.index("python3.8  # keep")
        assert edit_at(SAM, i, "yaml", "python3.9", "python3.13") is None
        assert edit_at(SAM, i, "yaml", "python3", "python3.13") is None

    def test_wrong_positions(self) -> None:
        i = SAM.index("python3.8  # keep")
        line, column = position(SAM, i)
        for where in [(line, column + 1), (line, column - 1), (line + 1, column),
                      (line, 500), (500, 1), (line, column - len("Runtime: "))]:
            assert replace_scalar(SAM, "yaml", "python3.8", "python3.13",
                                  line=where[0], column=where[1]) is None
        # The key itself is not a value to edit.
        assert replace_scalar(SAM, "yaml", "Runtime", "Handler", line=line,
                              column=column - len("Runtime: ")) is None

    def test_missing_position(self) -> None:
        assert replace_scalar(SAM, "yaml", "python3.8", "python3.13") is None
        assert replace_scalar(SAM, "yaml", "python3.8", "python3.13", line=10) is None


def edit_one(text: str, needle: str, old: str, new: str, kind: str = "yaml") -> str | None:
    return edit_at(text, text.index(needle), kind, old, new)


class TestYamlShapesLeftAlone:
    @pytest.mark.parametrize(("text", "needle", "old"), [
        ("Handler: |\n  app.handlr\n", "|", "app.handlr\n"),
        ("Handler: >-\n  app.handlr\n", ">", "app.handlr"),
        ("Handler: app.\n  handlr\n", "app.", "app. handlr"),
        ('Handler: "app.\n  handlr"\n', '"app', "app. handlr"),
        ('Runtime: "python3\\x2e8"\n', '"python', "python3.8"),
        ('Runtime: "python3\\\\8"\n', '"python', "python3\\8"),
        ("Runtime: 'it''s'\n", "'it", "it's"),
        ("A: &rt python3.8\nB: *rt\n", "&rt", "python3.8"),
        ("A: &rt python3.8\nB: *rt\n", "*rt", "python3.8"),
        ("Runtime: !!str python3.8\n", "!!str", "python3.8"),
        ("Runtime: ! python3.8\n", "! ", "python3.8"),
        ("Runtime: !GetAtt Fn.Runtime\n", "!GetAtt", "Fn.Runtime"),
    ])
    def test_none(self, text: str, needle: str, old: str) -> None:
        assert edit_one(text, needle, old, "python3.13") is None

    def test_value_shared_by_a_merge_key_is_edited_once(self) -> None:
        text = ("Defaults: &defaults\n  Runtime: python3.8\n"
                "Function:\n  <<: *defaults\n  Handler: app.handler\n")
        i = text.index("python3.8")
        result = edit_at(text, i, "yaml", "python3.8", "python3.13")
        assert result == text.replace("python3.8", "python3.13")
        assert decode.loads(result)["Function"]["Runtime"] == "python3.13"

    def test_flow_mapping(self) -> None:
        text = "Function: {Runtime: python3.8, Handler: app.handlr}\n"
        result = edit_one(text, "python3.8", "python3.8", "python3.13")
        assert result == "Function: {Runtime: python3.13, Handler: app.handlr}\n"
        result = edit_one(text, "app.handlr", "app.handlr", "app.handler")
        assert result == "Function: {Runtime: python3.8, Handler: app.handler}\n"

    def test_second_document_is_not_the_decoded_one(self) -> None:
        text = "Runtime: python3.8\n---\nRuntime: python3.9\n"
        assert edit_one(text, "python3.9", "python3.9", "python3.13") is None
        assert edit_one(text, "python3.8", "python3.8", "python3.13") == (
            "Runtime: python3.13\n---\nRuntime: python3.9\n")


class TestQuotingOfNewValues:
    @pytest.mark.parametrize("new", ["3.10", "3.9", "yes", "No", "on", "null", "~", "", "1_0",
                                     "2024-01-01", "a: b", "a #b", "-x", "[x]", "{x}", "*x",
                                     "&x", "!x", "%x", "@x", "`x", "x:", "? x", " x", "x ",
                                     ".inf", "0x1f", "1:20", "=", "<<", "a, b"])
    def test_plain_value_that_needs_quotes_is_double_quoted(self, new: str) -> None:
        text = "Runtime: python3.8  # note\nHandler: app.h\n"
        result = edit_one(text, "python3.8", "python3.8", new)
        quoted = json.dumps(new)
        assert result == f"Runtime: {quoted}  # note\nHandler: app.h\n"
        assert decode.loads(result)["Runtime"] == new
        import yaml
        assert yaml.safe_load(result)["Runtime"] == new

    @pytest.mark.parametrize("new", ["python3.13", "provided.al2023", "app.handler",
                                     "src/handlers/orders.lambda_handler", "python3.10",
                                     "x-1", "a:b", "v1.2.3+build"])
    def test_plain_value_stays_plain(self, new: str) -> None:
        text = "Runtime: python3.8  # note\n"
        assert edit_one(text, "python3.8", "python3.8", new) == f"Runtime: {new}  # note\n"

    def test_double_quoted_escapes(self) -> None:
        text = 'Handler: "app.h"\n'
        result = edit_one(text, '"app', "app.h", 'a"b\\c\td')
        assert result == 'Handler: "a\\"b\\\\c\\u0009d"\n'
        assert decode.loads(result)["Handler"] == 'a"b\\c\td'

    def test_single_quoted_doubles_quotes(self) -> None:
        text = "Handler: 'app.h'\n"
        result = edit_one(text, "'app", "app.h", "it's")
        assert result == "Handler: 'it''s'\n"

    def test_single_quoted_cannot_hold_a_line_break(self) -> None:
        assert edit_one("Handler: 'app.h'\n", "'app", "app.h", "a\nb") is None

    def test_plain_in_a_flow_sequence(self) -> None:
        text = "Runtimes: [python3.8, python3.9]\n"
        assert edit_one(text, "python3.8", "python3.8", "3.10") == (
            'Runtimes: ["3.10", python3.9]\n')
        assert edit_one(text, "python3.8", "python3.8", "a,b") == (
            'Runtimes: ["a,b", python3.9]\n')


CFN_JSON = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "Orders \\u2014 caf\\u00e9",
  "Resources": {
    "OrdersFunction": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Handler": "app.handlr",
        "Runtime": "python3.8",
        "Timeout": 10,
        "Role": {"Fn::GetAtt": ["Role", "Arn"]}
      }
    }
  }
}
"""


class TestCloudFormationJson:
    def test_mark_is_the_opening_quote(self) -> None:
        i = CFN_JSON.index('"python3.8"')
        assert CFN_JSON[i] == '"'
        assert position(CFN_JSON, i) == decoded_mark(
            CFN_JSON, "Resources", "OrdersFunction", "Properties", "Runtime")

    def test_runtime(self) -> None:
        i = CFN_JSON.index('"python3.8"')
        result = edit_at(CFN_JSON, i, "json", "python3.8", "python3.13")
        assert result == CFN_JSON[:i + 1] + "python3.13" + CFN_JSON[i + 1 + len("python3.8"):]
        assert json.loads(result)["Resources"]["OrdersFunction"]["Properties"]["Runtime"] == (
            "python3.13")

    def test_handler_needing_escapes(self) -> None:
        i = CFN_JSON.index('"app.handlr"')
        result = edit_at(CFN_JSON, i, "json", "app.handlr", 'a"b')
        assert result == CFN_JSON[:i + 1] + 'a\\"b' + CFN_JSON[i + 1 + len("app.handlr"):]
        assert json.loads(result)["Resources"]["OrdersFunction"]["Properties"]["Handler"] == (
            'a"b')

    def test_the_first_character_of_the_value_is_not_the_mark(self) -> None:
        i = CFN_JSON.index('"python3.8"')
        assert edit_at(CFN_JSON, i + 1, "json", "python3.8", "python3.13") is None

    def test_number_becomes_a_string(self) -> None:
        text = '{"Runtime": 3.8, "Handler": "app.h"}\n'
        result = edit_one(text, "3.8", "3.8", "3.13", kind="json")
        assert result == '{"Runtime": "3.13", "Handler": "app.h"}\n'
        result = edit_one(text, "3.8", "3.8", "python3.13", kind="json")
        assert result == '{"Runtime": "python3.13", "Handler": "app.h"}\n'

    def test_minified_with_a_surrogate_pair_earlier_on_the_line(self) -> None:
        # The decoder rewrites "\\ud83d\\ude00" (12 characters) as "\\U0001f600" (10): its
        # columns after that point are 2 less than the file's.
        text = '{"Description": "\\ud83d\\ude00 orders", "Runtime": "python3.8"}'
        i = text.index('"python3.8"')
        line, column = decoded_mark(decode._JSON_SURROGATES.sub(decode._astral, text),
                                    "Runtime")
        assert (line, column) == (1, i + 1 - 2)
        result = replace_scalar(text, "json", "python3.8", "python3.13", line=line,
                                column=column)
        assert result == text[:i + 1] + "python3.13" + text[i + 1 + len("python3.8"):]
        assert json.loads(result)["Description"] == "\U0001f600 orders"

    def test_json_read_from_disk(self, tmp_path: Path) -> None:
        # decode.read applies the surrogate rewrite to .json files before the parse.
        path = tmp_path / "template.json"
        path.write_text(CFN_JSON, encoding="utf-8")
        doc = decode.read(path)
        mark = doc["Resources"]["OrdersFunction"]["Properties"]["Runtime"].mark
        result = replace_scalar(CFN_JSON, "json", "python3.8", "python3.13",
                                line=mark.line, column=mark.column)
        assert result == CFN_JSON.replace('"python3.8"', '"python3.13"')

    def test_mismatch_and_invalid_json(self) -> None:
        i = CFN_JSON.index('"python3.8"')
        assert edit_at(CFN_JSON, i, "json", "python3.9", "python3.13") is None
        text = "{'Runtime': 'python3.8'}\n"  # YAML, not JSON
        assert edit_one(text, "'python3.8'", "python3.8", "python3.13", kind="json") is None


SERVERLESS = """\
service: orders
frameworkVersion: '3'

provider:
  name: aws
  runtime: python3.8 # upgrade me
  region: eu-west-1

functions:
  hello:
    handler: handler.hello
    events:
      - httpApi:
          path: /hello
          method: get
"""


class TestServerless:
    def test_provider_runtime(self) -> None:
        i = SERVERLESS.index("python3.8")
        assert position(SERVERLESS, i) == decoded_mark(SERVERLESS, "provider", "runtime")
        result = edit_at(SERVERLESS, i, "yaml", "python3.8", "python3.12")
        assert result == SERVERLESS[:i] + "python3.12" + SERVERLESS[i + len("python3.8"):]

    def test_function_handler(self) -> None:
        i = SERVERLESS.index("handler.hello")
        assert position(SERVERLESS, i) == decoded_mark(
            SERVERLESS, "functions", "hello", "handler")
        result = edit_at(SERVERLESS, i, "yaml", "handler.hello", "handler.main")
        assert result == SERVERLESS[:i] + "handler.main" + SERVERLESS[i + len("handler.hello"):]


class TestLineEndingsAndCharacters:
    def test_crlf_yaml(self) -> None:
        text = SAM.replace("\n", "\r\n")
        i = text.index("python3.8  # keep")
        line, column = decoded_mark(text, "Globals", "Function", "Runtime")
        assert (line, column) == position(text, i)
        result = replace_scalar(text, "yaml", "python3.8", "python3.13", line=line,
                                column=column)
        assert result == text[:i] + "python3.13" + text[i + len("python3.8"):]
        assert result.count("\r\n") == text.count("\r\n")
        assert "\n" not in result.replace("\r\n", "")

    def test_crlf_json(self) -> None:
        text = CFN_JSON.replace("\n", "\r\n")
        i = text.index('"python3.8"')
        result = edit_at(text, i, "json", "python3.8", "python3.13")
        assert result == text[:i + 1] + "python3.13" + text[i + 1 + len("python3.8"):]

    def test_non_ascii_before_the_scalar_on_the_same_line(self) -> None:
        text = 'Function: {Description: "Café ☕ 日本 \U0001f600", Runtime: python3.8}\n'
        i = text.index("python3.8")
        assert position(text, i) == decoded_mark(text, "Function", "Runtime")
        result = edit_at(text, i, "yaml", "python3.8", "python3.13")
        assert result == text[:i] + "python3.13" + text[i + len("python3.8"):]

    def test_non_ascii_in_json(self) -> None:
        text = '{"Description": "Café ☕", "Runtime": "python3.8"}\n'
        i = text.index('"python3.8"')
        assert position(text, i) == decoded_mark(text, "Runtime")
        result = edit_at(text, i, "json", "python3.8", "python3.13")
        assert result == text[:i + 1] + "python3.13" + text[i + 1 + len("python3.8"):]

    def test_bom_is_kept_and_not_counted(self) -> None:
        text = "\ufeffRuntime: python3.8\n"
        assert replace_scalar(text, "yaml", "python3.8", "python3.13", line=1,
                              column=10) == "\ufeffRuntime: python3.13\n"

    def test_line_separator_counts_as_a_line_break_like_pyyaml(self) -> None:
        text = "Description: a  # note\u2028\nRuntime: python3.8\n"
        line, column = decoded_mark(text, "Runtime")
        assert (line, column) == (3, 10)
        assert replace_scalar(text, "yaml", "python3.8", "python3.13", line=line,
                              column=column) == text.replace("python3.8", "python3.13")


PYPROJECT = """\
[project]
name = "orders"
version = "1.0.0"
description = \"\"\"
[tool.lambdalint]
runtime = "python3.8"
\"\"\"
dependencies = [
  "boto3>=1.34",  # [not a header]
  "requests[socks]",
]

[tool.lambdalint]
runtime = "python3.8"  # the runtime every function gets
architecture = "arm64"

[[tool.lambdalint.function]]
code = "src/orders"
handler = "orders.handler"
runtime = 'python3.8'

# [[tool.lambdalint.function]] in a comment is not a header
[[tool.lambdalint.function]]
code = "src/refunds"
layers = [
  "a.zip",
  "[b].zip",  # ]
]
name = "refunds [eu]"
handler = "refunds.handlr"  # typo

[tool.ruff]
line-length = 100
"""


def toml_edit(text: str, key: tuple[str | int, ...], old: str, new: str) -> str | None:
    return replace_scalar(text, "toml", old, new, key=key)


class TestPyprojectToml:
    def test_tool_lambdalint_runtime(self) -> None:
        i = PYPROJECT.index('"python3.8"  # the runtime') + 1
        result = toml_edit(PYPROJECT, ("tool", "lambdalint", "runtime"), "python3.8",
                           "python3.13")
        assert result == PYPROJECT[:i] + "python3.13" + PYPROJECT[i + len("python3.8"):]
        assert tomllib.loads(result)["project"]["description"] == (
            '[tool.lambdalint]\nruntime = "python3.8"\n')

    def test_second_function_handler(self) -> None:
        i = PYPROJECT.index('"refunds.handlr"') + 1
        key = ("tool", "lambdalint", "function", 1, "handler")
        result = toml_edit(PYPROJECT, key, "refunds.handlr", "refunds.handler")
        assert result == PYPROJECT[:i] + "refunds.handler" + PYPROJECT[i + len("refunds.handlr"):]
        functions = tomllib.loads(result)["tool"]["lambdalint"]["function"]
        assert [f["handler"] for f in functions] == ["orders.handler", "refunds.handler"]

    def test_first_function_literal_runtime(self) -> None:
        i = PYPROJECT.index("'python3.8'") + 1
        key = ("tool", "lambdalint", "function", 0, "runtime")
        result = toml_edit(PYPROJECT, key, "python3.8", "python3.13")
        assert result == PYPROJECT[:i] + "python3.13" + PYPROJECT[i + len("python3.8"):]

    def test_wrong_element_or_mismatch(self) -> None:
        base = ("tool", "lambdalint", "function")
        assert toml_edit(PYPROJECT, (*base, 0, "handler"), "refunds.handlr", "x") is None
        assert toml_edit(PYPROJECT, (*base, 2, "handler"), "refunds.handlr", "x") is None
        assert toml_edit(PYPROJECT, (*base, 1, "handler"), "refunds.handler", "x") is None
        assert toml_edit(PYPROJECT, ("tool", "lambdalint", "runtime"), "python3.9", "x") is None
        assert toml_edit(PYPROJECT, ("tool", "lambdalint", "missing"), "python3.8", "x") is None
        assert toml_edit(PYPROJECT, (*base, 1, "layers"), "a.zip", "x") is None
        assert toml_edit(PYPROJECT, ("tool", "ruff", "line-length"), "100", "x") is None

    def test_not_a_string_key_path(self) -> None:
        assert toml_edit(PYPROJECT, (), "python3.8", "x") is None
        assert toml_edit(PYPROJECT, ("tool", "lambdalint", "function", -1, "handler"),
                         "refunds.handlr", "x") is None
        assert toml_edit(PYPROJECT, ("tool", "lambdalint", "function", True, "handler"),
                         "refunds.handlr", "x") is None
        assert replace_scalar(PYPROJECT, "toml", "python3.8", "x") is None

    def test_quoted_keys_and_spaces_in_headers(self) -> None:
        text = ('[ "tool" . \'lambdalint\' ]\nruntime = "python3.8"\n'
                '[["tool".lambdalint."function"]]\n"handler" = "a.b"\n')
        assert toml_edit(text, ("tool", "lambdalint", "runtime"), "python3.8", "python3.13") == (
            text.replace("python3.8", "python3.13"))
        assert toml_edit(text, ("tool", "lambdalint", "function", 0, "handler"), "a.b",
                         "a.c") == text.replace('"a.b"', '"a.c"')

    def test_dotted_key_relative_to_the_table(self) -> None:
        text = "[tool]\nlambdalint.runtime = \"python3.8\"  # dotted\nruff.line-length = 100\n"
        assert toml_edit(text, ("tool", "lambdalint", "runtime"), "python3.8", "python3.13") == (
            text.replace("python3.8", "python3.13"))

    def test_inline_table_is_not_edited(self) -> None:
        text = '[tool]\nlambdalint = { runtime = "python3.8" }\n'
        assert toml_edit(text, ("tool", "lambdalint", "runtime"), "python3.8", "x") is None
        text = '[tool.lambdalint]\nfunction = [{ code = "src", handler = "a.b" }]\n'
        assert toml_edit(text, ("tool", "lambdalint", "function", 0, "handler"), "a.b",
                         "a.c") is None

    def test_multiline_string_value_is_not_edited(self) -> None:
        text = 'runtime = """python3.8"""\n'
        assert toml_edit(text, ("runtime",), "python3.8", "python3.13") is None
        text = "runtime = '''python3.8'''\n"
        assert toml_edit(text, ("runtime",), "python3.8", "python3.13") is None

    def test_basic_string_with_escapes_is_matched_decoded(self) -> None:
        text = 'handler = "app\\u002ehandlr"\n'
        assert toml_edit(text, ("handler",), "app.handlr", "app.handler") == (
            'handler = "app.handler"\n')

    def test_escaping_new_values(self) -> None:
        text = 'handler = "a.b"\n'
        result = toml_edit(text, ("handler",), "a.b", 'x"y\\z')
        assert result == 'handler = "x\\"y\\\\z"\n'
        assert tomllib.loads(result)["handler"] == 'x"y\\z'
        # A literal string cannot hold a quote or a line break: no edit.
        text = "handler = 'a.b'\n"
        assert toml_edit(text, ("handler",), "a.b", "it's") is None
        assert toml_edit(text, ("handler",), "a.b", "a\nb") is None

    def test_crlf(self) -> None:
        text = PYPROJECT.replace("\n", "\r\n")
        key = ("tool", "lambdalint", "function", 1, "handler")
        i = text.index('"refunds.handlr"') + 1
        result = toml_edit(text, key, "refunds.handlr", "refunds.handler")
        assert result == text[:i] + "refunds.handler" + text[i + len("refunds.handlr"):]

    def test_nested_arrays_of_tables(self) -> None:
        text = ('[[function]]\nhandler = "a.one"\n[[function.layer]]\npath = "x"\n'
                '[[function]]\nhandler = "a.two"\n[[function.layer]]\npath = "y"\n'
                '[[function.layer]]\npath = "z"\n')
        assert toml_edit(text, ("function", 1, "layer", 1, "path"), "z", "w") == (
            text.replace('"z"', '"w"'))
        assert toml_edit(text, ("function", 0, "layer", 0, "path"), "x", "w") == (
            text.replace('"x"', '"w"'))

    def test_invalid_toml(self) -> None:
        text = 'runtime = "python3.8"\nruntime = "python3.9"\n'
        assert toml_edit(text, ("runtime",), "python3.8", "python3.13") is None
        assert toml_edit('runtime = "python3.8\n', ("runtime",), "python3.8", "x") is None


LAMBDALINT_TOML = """\
# lambdalint.toml
runtime = 'python3.8'
architecture = "x86_64"
events = ["api", "sqs"]  # [x]
started = 1979-05-27 07:32:00Z

[[function]]
code = "src"
runtime = "python3.8"
environment = { STAGE = "prod" }
"""


class TestStandaloneToml:
    def test_top_level_literal_runtime(self) -> None:
        i = LAMBDALINT_TOML.index("'python3.8'") + 1
        result = toml_edit(LAMBDALINT_TOML, ("runtime",), "python3.8", "python3.13")
        assert result == (LAMBDALINT_TOML[:i] + "python3.13"
                          + LAMBDALINT_TOML[i + len("python3.8"):])

    def test_function_runtime(self) -> None:
        i = LAMBDALINT_TOML.index('"python3.8"') + 1
        result = toml_edit(LAMBDALINT_TOML, ("function", 0, "runtime"), "python3.8",
                           "python3.13")
        assert result == (LAMBDALINT_TOML[:i] + "python3.13"
                          + LAMBDALINT_TOML[i + len("python3.8"):])


class TestKindOfFile:
    @pytest.mark.parametrize(("path", "text", "kind"), [
        ("pyproject.toml", "", "toml"),
        ("conf/lambdalint.TOML", "", "toml"),
        ("template.json", "", "json"),
        ("template.yaml", "{}", "yaml"),
        ("serverless.yml", "", "yaml"),
        ("stack.template", '\ufeff\n  {"Resources": {}}', "json"),
        ("stack.template", "AWSTemplateFormatVersion: '2010-09-09'\n", "yaml"),
        ("stack.template", "", "yaml"),
        ("Dockerfile", "", None),
        ("requirements.txt", "", None),
    ])
    def test_kinds(self, path: str, text: str, kind: str | None) -> None:
        assert kind_of_file(path, text) == kind


class TestNeverRaises:
    @pytest.mark.parametrize("text", [
        "", "\ufeff", ":", "[", "{", "a: [", "a: *nope", "a: !!python/object:os.system x\n",
        "\x00\x01", "- - - -", "a: b\n" * 3, "{" * 300 + "}" * 300, '"\\ud800"', "\r\r\r",
        "Runtime: python3.8\n\tbad: tab\n",
    ])
    @pytest.mark.parametrize("kind", ["yaml", "json", "toml", "ini"])
    def test_odd_text(self, text: str, kind: str) -> None:
        for line, column in [(1, 1), (1, 2), (2, 1), (1, 10_000)]:
            assert replace_scalar(text, kind, "python3.8", "python3.13", line=line,
                                  column=column, key=("runtime",)) in (None,
                                                                       text.replace(
                                                                           "python3.8",
                                                                           "python3.13"))

    def test_odd_arguments(self) -> None:
        text = "Runtime: python3.8\n"
        odd: list[dict[str, object]] = [
            {"line": 0, "column": 1}, {"line": 1, "column": 0}, {"line": -1, "column": 10},
            {"line": True, "column": 10}, {"line": "1", "column": "10"},
            {"line": 1.0, "column": 10.0},
        ]
        anything: Any = replace_scalar  # called with what the signature does not allow
        for arguments in odd:
            assert anything(text, "yaml", "python3.8", "x", **arguments) is None
        assert anything(None, "yaml", "python3.8", "x", line=1, column=10) is None
        assert anything(text, "yaml", None, "x", line=1, column=10) is None
        assert anything(text, "yaml", "python3.8", 3, line=1, column=10) is None
        assert anything(text, "toml", "python3.8", "x", key=["runtime"]) is None
        assert anything('runtime = "python3.8"\n', "toml", "python3.8", "x",
                        key=(("runtime",),)) is None

    def test_hostile_nesting(self) -> None:
        text = "a: " + "[" * 5000 + "]" * 5000 + "\nRuntime: python3.8\n"
        assert replace_scalar(text, "yaml", "python3.8", "x", line=2, column=10) is None
        toml = "a = " + "[" * 5000 + "]" * 5000 + '\nruntime = "python3.8"\n'
        assert toml_edit(toml, ("runtime",), "python3.8", "x") is None

    def test_alias_bomb_is_refused(self) -> None:
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 8)]
        text = "\n".join(lines) + "\nRuntime: python3.8\n"
        assert replace_scalar(text, "yaml", "python3.8", "x", line=9, column=10) is None


def string_values(doc: Any) -> list[decode.Str]:
    found: list[decode.Str] = []
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, decode.Str):
            found.append(value)
    return found


@pytest.mark.parametrize(("text", "kind"), [(SAM, "yaml"), (SERVERLESS, "yaml"),
                                            (CFN_JSON, "json")])
def test_every_value_of_a_template_is_edited_in_place_or_left_alone(text: str,
                                                                    kind: str) -> None:
    """Each decoded string at its own mark: either exactly its characters change, or None
    (a tag, a block scalar, an escape)."""
    edited = 0
    for value in string_values(decode.loads(text)):
        line, column = value.mark
        result = replace_scalar(text, kind, str(value), "edited.value", line=line,
                                column=column)
        index = len("".join(text.splitlines(keepends=True)[:line - 1])) + column - 1
        raw = text[index:]
        if result is None:
            assert raw.startswith(("!", ">", "|")) or "\\" in raw.split("\n")[0], raw[:30]
            continue
        edited += 1
        quote = raw[0] if raw[0] in "'\"" else ""
        start = index + len(quote)
        # A JSON number becomes a JSON string.
        fragment = '"edited.value"' if kind == "json" and not quote else "edited.value"
        assert result == text[:start] + fragment + text[start + len(value):]
    assert edited >= 6
