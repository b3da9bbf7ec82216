"""LL209's syntax table, proven against real interpreters, and the scope of "own code"."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from lambdalint.data import syntax_features
from lambdalint.model.code.syntax import features_in_text, features_in_tree

from interpreters import interpreter
from zipspec import Entry, run_cli, write_zip

# One snippet per row of lambdalint/data/syntax.json, using that feature and nothing newer.
SNIPPETS = {
    "assignment-expression": "if (n := 10) > 5:\n    pass\n",
    "positional-only-parameters": "def f(a, /, b):\n    pass\n",
    "fstring-self-documenting": "x = 1\ny = f'{x=}'\n",
    "relaxed-decorator": "d = [lambda f: f]\n@d[0]\ndef f():\n    pass\n",
    "parenthesized-context-managers":
        "with (open('/dev/null') as a, open('/dev/null') as b):\n    pass\n",
    "match-statement": "match 1:\n    case 1:\n        pass\n",
    "except-star": "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "starred-subscript": "a = {}\nb = ()\ntry:\n    a[*b]\nexcept Exception:\n    pass\n",
    "type-parameters": "def f[T](x: T) -> T:\n    return x\n",
    "type-alias-statement": "type X = int\n",
    "fstring-pep701": "d = {'a': 1}\ny = f\"{d[\"a\"]}\"\n",
    "type-parameter-default": "def f[T = int](x: T) -> T:\n    return x\n",
    "except-without-parentheses": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "template-string": "name = 1\nt = t'{name}'\n",
}
PROBE = ("import json, sys\nresult = {}\nfor key, code in json.load(sys.stdin).items():\n"
         "    try:\n        compile(code, key, 'exec')\n        result[key] = True\n"
         "    except SyntaxError:\n        result[key] = False\nprint(json.dumps(result))\n")


def used_features(code: str) -> dict[str, tuple[int, int]]:
    """What LL209 reads: the host's ast where it parses the module, else libcst."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        found = features_in_text(code.encode())
        assert isinstance(found, dict), found
        return found
    return features_in_tree(tree, code.encode())


def test_every_row_has_a_snippet_and_is_detected() -> None:
    assert set(SNIPPETS) == set(syntax_features())
    for feature_id, code in SNIPPETS.items():
        assert feature_id in used_features(code), feature_id
        # the lexical hint that decides whether a module is parsed at all must not miss it
        assert syntax_features()[feature_id].hint.search(code.encode()), feature_id


@pytest.mark.parametrize("minor", range(8, 15))
def test_table_matches_the_real_interpreter(minor: int) -> None:
    python = interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    result = subprocess.run([python, "-c", PROBE], input=json.dumps(SNIPPETS),
                            capture_output=True, text=True, check=True, timeout=60)
    compiles = json.loads(result.stdout)
    for feature_id, feature in syntax_features().items():
        expected = (3, minor) >= feature.python
        assert compiles[feature_id] == expected, (
            f"Python 3.{minor} {'accepts' if compiles[feature_id] else 'rejects'} "
            f"{feature_id}, but the table says {feature.python}")


def test_clean_modern_code_uses_no_newer_feature() -> None:
    code = ("import json\n\nasync def f(x: 'list[int]'):\n    return f'{x!r:>10}' + f\"{'a'}\"\n"
            "@app.get('/x')\ndef g():\n    with open('a') as a, open('b') as b:\n        pass\n")
    assert used_features(code) == {}
    assert features_in_text(code.encode()) == {}


def findings(tmp_path: Path, *argv: str) -> list[tuple[str, str, str | None, int | None]]:
    run = run_cli(["check", *argv, "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    return [(f["rule"], f["path"], f["member"], f["line"]) for f in run.json["findings"]
            if f["rule"] in ("LL209", "LL002")]


MATCH = "def pick(x):\n    match x:\n        case _:\n            return 1\n"


def test_own_code_follows_imports_from_the_handler(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", [
        Entry("app.py", {"text": "from lib import helpers\nfrom . import nothing\n"
                                 "def handler(e, c):\n    return helpers.pick(e)\n"}),
        Entry("lib/__init__.py", {"text": "from .deep import x\n"}),
        Entry("lib/helpers.py", {"text": MATCH}),
        Entry("lib/deep.py", {"text": "import importlib\n"
                                      "m = importlib.import_module('plugins.p')\nx = 1\n"}),
        Entry("plugins/p.py", {"text": "type X = int\n"}),
        Entry("scripts/tool.py", {"text": MATCH}),  # never imported by the handler
        Entry("vendor_pkg/__init__.py", {"text": MATCH}),  # installed by pip: not own code
        Entry("vendor_pkg-1.0.dist-info/RECORD", {"text": "vendor_pkg/__init__.py,,\n"}),
    ])
    argv = ("function.zip", "--runtime", "python3.9", "--handler", "app.handler")
    assert findings(tmp_path, *argv) == [("LL209", "function.zip", "lib/helpers.py", 2),
                                         ("LL209", "function.zip", "plugins/p.py", 1)]
    assert findings(tmp_path, "function.zip", "--runtime", "python3.12", "--handler",
                    "app.handler") == []


def test_without_a_handler_every_top_level_module_is_own_code(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", [Entry("a.py", {"text": MATCH}),
                                          Entry("pkg/b.py", {"text": MATCH})])
    assert findings(tmp_path, "function.zip", "--runtime", "python3.9") == [
        ("LL209", "function.zip", "a.py", 2)]


def test_single_file_and_unparsable_module(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text("import broken\n" + MATCH)
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "src").mkdir()
    assert findings(tmp_path, "handler.py", "--runtime", "python3.9") == [
        ("LL209", "handler.py", None, 3)]
    for name in ("handler.py", "broken.py"):
        (tmp_path / "src" / name).write_text((tmp_path / name).read_text())
    assert findings(tmp_path, "src", "--runtime", "python3.9",
                    "--handler", "handler.handler") == [
        ("LL002", "src/broken.py", None, None), ("LL209", "src/handler.py", None, 3)]
