"""Handler resolution as the Python runtime does it (LL401-LL404)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lambdalint.data import builtin_modules

from interpreters import interpreter
from zipspec import Entry, run_cli, write_zip

HANDLER = "def handler(event, context):\n    return {}\n"


def findings(tmp_path: Path, handler: str, *entries: Entry, layer: list[Entry] | None = None,
             ) -> list[tuple[str, str]]:
    write_zip(tmp_path / "function.zip", list(entries))
    argv = ["check", "function.zip", "--runtime", "python3.12", "--format", "json"]
    if handler:
        argv += ["--handler", handler]
    if layer is not None:
        write_zip(tmp_path / "code-layer.zip", layer)
        argv.append("code-layer.zip")
    run = run_cli(argv, tmp_path)
    assert "Traceback" not in run.stderr
    return [(f["rule"], f["message"]) for f in run.json["findings"]
            if f["rule"].startswith("LL4")]


def test_valid_handlers(tmp_path: Path) -> None:
    ok = [
        ("src/api/app.handler", Entry("src/api/app.py", {"text": HANDLER})),  # / separator
        ("src.api.app.handler", Entry("src/api/app.py", {"text": HANDLER})),  # namespace pkgs
        ("app.handler", Entry("app.py", {"text": "from mangum import Mangum\napp = 1\n"
                                                 "handler = Mangum(app)\n"})),
        ("app.handler", Entry("app.py", {"text": "from .api import handler\n"})),
        ("app.handler", Entry("app.py", {"text": "from api import *\n"})),  # may bind it
        ("app.handler", Entry("app.py", {"text": "try:\n    import ujson\nexcept ImportError:"
                                                 "\n    pass\nelse:\n" + "    def handler(e, c):"
                                                 "\n        return {}\n"})),
        ("app.handler", Entry("app.py", {"text": "def handler(event, context=None, *a, **k):"
                                                 "\n    return {}\n"})),
        ("app.handler", Entry("app.py", {"text": "class handler:\n"
                                                 "    def __init__(self, e, c):\n"
                                                 "        pass\n"})),
    ]
    for handler, entry in ok:
        assert findings(tmp_path, handler, entry) == [], handler


def test_handler_module_in_a_layer(tmp_path: Path) -> None:
    assert findings(tmp_path, "shared.handler", Entry("readme.txt"),
                    layer=[Entry("python/shared.py", {"text": HANDLER})]) == []


def test_missing_module_suggests_and_spots_the_nested_folder(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "app.handler", Entry("my_function/app.py", {"text": HANDLER}))
    assert found[0] == "LL401" and "inside the folder my_function/" in found[1]
    (found,) = findings(tmp_path, "handlers.main", Entry("handler.py", {"text": "def main(e, "
                                                                      "c):\n    return 1\n"}))
    assert found[0] == "LL401" and "did you mean handler.main?" in found[1]


@pytest.mark.parametrize(("handler", "says"), [
    ("app", "has no dot"),
    ("app.py.handler", "'.py' in its module part"),
    ("sys.handler", "BuiltInModuleConflict"),
    ("app handler.x", "whitespace"),
    ("app.Handler.handle", "points at a method of class Handler"),
])
def test_malformed_handlers(handler: str, says: str, tmp_path: Path) -> None:
    code = "class Handler:\n    def handle(self, event, context):\n        return {}\n"
    found = findings(tmp_path, handler, Entry("app.py", {"text": code}))
    assert [rule for rule, _ in found] == ["LL403"], found
    assert says in found[0][1]


def test_name_not_defined_suggests_the_closest(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "app.handlr", Entry("app.py", {"text": HANDLER}))
    assert found[0] == "LL402" and "did you mean app.handler?" in found[1]


@pytest.mark.parametrize(("source", "says"), [
    ("async def handler(event, context):\n    return {}\n", "async def"),
    ("def handler(event):\n    return {}\n", "accepts 1 positional argument"),
    ("def handler(event, context, extra):\n    return {}\n", "requires 3 positional"),
    ("def handler(event, context, *, key):\n    return {}\n", "keyword-only"),
])
def test_signatures_the_runtime_cannot_call(source: str, says: str, tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "app.handler", Entry("app.py", {"text": source}))
    assert found[0] == "LL404" and says in found[1]


def test_default_handler_when_none_is_configured(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip",
              [Entry("lambda_function.py", {"text": "def handler(event, context):\n"
                                                    "    return {}\n"})])
    run = run_cli(["check", "function.zip", "--format", "json"], tmp_path)
    assert run.json["targets"][0]["handler"] == "lambda_function.lambda_handler"
    assert run.json["targets"][0]["sources"]["handler"] == "inferred"
    assert [f["rule"] for f in run.json["findings"]] == ["LL402"]


@pytest.mark.parametrize("minor", range(8, 15))
def test_builtin_table_holds_on_the_real_interpreter(minor: int) -> None:
    python = interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    result = subprocess.run([python, "-c", "import sys, json; "
                                           "print(json.dumps(sys.builtin_module_names))"],
                            capture_output=True, text=True, check=True)
    assert builtin_modules() <= set(json.loads(result.stdout))
