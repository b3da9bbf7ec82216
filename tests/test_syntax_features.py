"""lambdalint.model.code.syntax: the stdlib `ast` finds each syntax feature where libcst does.

LL209 reads a module with the running interpreter's `ast` when it can, and with libcst only
when that interpreter rejects it, so both must report the same features at the same places.
Every case below is pinned: libcst (any version that reads it) and `ast` on every Python
present here (3.9 to 3.14, each reading the cases its grammar accepts) must report exactly
that.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambdalint.data import syntax_features
from lambdalint.model.code.syntax import features_in_text, features_in_tree

from interpreters import interpreter

Found = dict[str, tuple[int, int]]

# The snippets of tests/test_syntax.py (one per row of syntax.json, each proven there
# against the real interpreters), with where the feature is: (line, column), 1-based.
SNIPPETS: dict[str, tuple[str, Found]] = {
    "assignment-expression": ("if (n := 10) > 5:\n    pass\n",
                              {"assignment-expression": (1, 5)}),
    "positional-only-parameters": ("def f(a, /, b):\n    pass\n",
                                   {"positional-only-parameters": (1, 7)}),
    "fstring-self-documenting": ("x = 1\ny = f'{x=}'\n", {"fstring-self-documenting": (2, 7)}),
    "relaxed-decorator": ("d = [lambda f: f]\n@d[0]\ndef f():\n    pass\n",
                          {"relaxed-decorator": (2, 1)}),
    "parenthesized-context-managers": (
        "with (open('/dev/null') as a, open('/dev/null') as b):\n    pass\n",
        {"parenthesized-context-managers": (1, 1)}),
    "match-statement": ("match 1:\n    case 1:\n        pass\n", {"match-statement": (1, 1)}),
    "except-star": ("try:\n    pass\nexcept* ValueError:\n    pass\n", {"except-star": (1, 1)}),
    "starred-subscript": ("a = {}\nb = ()\ntry:\n    a[*b]\nexcept Exception:\n    pass\n",
                          {"starred-subscript": (4, 7)}),
    "type-parameters": ("def f[T](x: T) -> T:\n    return x\n", {"type-parameters": (1, 6)}),
    "type-alias-statement": ("type X = int\n", {"type-alias-statement": (1, 1)}),
    "fstring-pep701": ("d = {'a': 1}\ny = f\"{d[\"a\"]}\"\n", {"fstring-pep701": (2, 7)}),
    "type-parameter-default": ("def f[T = int](x: T) -> T:\n    return x\n",
                               {"type-parameters": (1, 6), "type-parameter-default": (1, 7)}),
    "except-without-parentheses": ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
                                   {"except-without-parentheses": (3, 1)}),
    "template-string": ("name = 1\nt = t'{name}'\n", {"template-string": (2, 5)}),
}

# Where ast leaves out what tells a feature apart (parentheses, quotes, `=`), the order of
# its fields differs from the source's, or columns are not bytes.
EDGES: dict[str, Found] = {
    # decorators are after the body in ast's fields: the first use is still the first
    "@f(y := 2)\ndef g():\n    x = (z := 1)\n": {"assignment-expression": (1, 4)},
    "x = {(a := 1): (b := 2)}\n": {"assignment-expression": (1, 7)},
    "s = 'ää'; n = (x := 1)\n": {"assignment-expression": (1, 16)},  # characters, not bytes
    "if 1:\r\n    x = (a := 1)\r\n": {"assignment-expression": (2, 10)},
    "g = lambda a, /: a\n": {"positional-only-parameters": (1, 12)},
    "def f(\n    # comment\n    a, /): pass\n": {"positional-only-parameters": (3, 5)},
    "@d[0]\n@e[1]\ndef g(a, /):\n    @h[2]\n    def i(b, /): pass\n":
        {"relaxed-decorator": (1, 1), "positional-only-parameters": (3, 7)},
    "y = f'a{ x = !r}'\n": {"fstring-self-documenting": (1, 8)},
    "y = f'{(x)=}'\n": {"fstring-self-documenting": (1, 7)},
    "s = 'ää'; y = f'{x=}'\n": {"fstring-self-documenting": (1, 17)},
    "y = f'{y:{x=}}'\n": {"fstring-self-documenting": (1, 10)},  # in a format spec
    # Python 3.9 misplaces expressions on a later line of a multi-line string
    "x = f'''\nabc\n  {y=}\n'''\n": {"fstring-self-documenting": (3, 3)},
    "x = ('a'\n     f'''b\n  {y=}\n''')\n": {"fstring-self-documenting": (3, 3)},
    "x = f'{y}' f'{y=}'\n": {"fstring-self-documenting": (1, 14)},
    "x = f'{{y=}}{z=}'\n": {"fstring-self-documenting": (1, 13)},
    "@(d)\ndef f(): pass\n": {"relaxed-decorator": (1, 1)},  # Python 3.8 rejects it too
    "@ (d.e)(1)\ndef f(): pass\n": {"relaxed-decorator": (1, 1)},
    "@a.b(c)(d)\ndef f(): pass\n": {"relaxed-decorator": (1, 1)},
    "@(  # c\n  d)\ndef f(): pass\n": {"relaxed-decorator": (1, 1)},
    "class A:\n    @ x if y else z\n    def f(self): pass\n": {"relaxed-decorator": (2, 5)},
    "with (\n    open('a') as a,  # c\n    open('b') as b,\n):\n    pass\n":
        {"parenthesized-context-managers": (1, 1)},
    "with ((a) as b):\n    pass\n": {"parenthesized-context-managers": (1, 1)},
    "async def f():\n    async with (a as b):\n        pass\n":
        {"parenthesized-context-managers": (2, 5)},
    "def f():\n    match x:\n        case [a, *b]: pass\n": {"match-statement": (2, 5)},
    "try:\n    pass\nexcept* (A, B):\n    pass\n": {"except-star": (1, 1)},
    "a[x, *b]\n": {"starred-subscript": (1, 6)},
    "a[(x), *b]\n": {"starred-subscript": (1, 8)},
    "a[\n  b,\n  *c]\n": {"starred-subscript": (3, 3)},
    "def f[\n    T,  # c\n](): pass\n": {"type-parameters": (1, 6)},
    "class C[T: int, *Ts, **P]: pass\n": {"type-parameters": (1, 8)},
    "type X[T] = list[T]\n": {"type-alias-statement": (1, 1), "type-parameters": (1, 7)},
    "class C:\n    type X = int\n": {"type-alias-statement": (2, 5)},
    # PEP 701: the string's own quotes, a backslash, a comment, a line break in a
    # single-quoted string, or a spec nested twice; each piece of a concatenation has its
    # own quotes
    "x = f\"{'a'}\" f'{'b'}'\n": {"fstring-pep701": (1, 16)},
    "x = f'''{'''a'''}'''\n": {"fstring-pep701": (1, 9)},
    "x = f'{\"\\t\"}'\n": {"fstring-pep701": (1, 7)},
    "x = f'''{y # c\n}'''\n": {"fstring-pep701": (1, 9)},
    "x = f'{\ny}'\n": {"fstring-pep701": (1, 7)},
    "x = f'{y:{'a'}}'\n": {"fstring-pep701": (1, 10)},
    "x = f'{y:{z:{w}}}'\n": {"fstring-pep701": (1, 13)},
    "x = f\"{f'{\"a\"}'}\"\n": {"fstring-pep701": (1, 7)},
    "x = (\n  f'{a}'\n  f\"{'b'}\"\n  f'{\"c\"}'\n  f'{'d'}'\n)\n": {"fstring-pep701": (5, 5)},
    "x = f'ü{'ä'}'\n": {"fstring-pep701": (1, 8)},
    "def f[A, *Ts = *tuple[int], **P = [int]](): pass\n":
        {"type-parameters": (1, 6), "type-parameter-default": (1, 10)},
    "class C[ T = int , U = str ]: pass\n":
        {"type-parameters": (1, 8), "type-parameter-default": (1, 10)},
    "try:\n    pass\nexcept (A), B:\n    pass\n": {"except-without-parentheses": (3, 1)},
    "try:\n    pass\nexcept* A, B:\n    pass\n":
        {"except-star": (1, 1), "except-without-parentheses": (3, 1)},
    "t = (t'a')\n": {"template-string": (1, 6)},
    "s = 'ä'; t = t'{name!r:>{w}}'\n": {"template-string": (1, 14)},
}

# Older syntax only, much of it looking like the features above.
CLEAN = [
    "import json\n\nasync def f(x: 'list[int]'):\n    return f'{x!r:>10}' + f\"{'a'}\"\n"
    "@app.get('/x')\ndef g():\n    with open('a') as a, open('b') as b:\n        pass\n",
    "def f(a, *b, c=1, **d): pass\nlambda *a, b: 0\n",
    "@a.b.c\n@a.b.c(1)\ndef f(): pass\n",
    # parentheses without `as` are an expression to Python 3.8 (`(a, b)` a tuple)
    "with (a):\n    pass\nwith (a, b):\n    pass\nwith (a) as b, (c) as d:\n    pass\n"
    "with (a, b) as c:\n    pass\n",
    "x = f'a={a}' f'{a}={b!r}' f'{a:=^10}' f'{a==b}' f'{a!=b}'\n",
    "x = f\"{d['a']}\" f'{\"#\"}' f'''{'a'}''' f'''{\n  a\n}'''\n",
    "x = f'{a:{b}}'\n",
    "a[b, c]\na[b:c]\na[(*b,)]\na[f(*b)]\n",
    "match = 1\nmatch.x = 2\ntype = 3\ntype(x)\n",
    "try:\n    pass\nexcept (A, B):\n    pass\nexcept (A, B) as e:\n    pass\n",
    "x = 'ää' + \"t'{a}'\"\n",
]

EXPECTED: dict[str, Found] = {**dict(SNIPPETS.values()), **EDGES, **{c: {} for c in CLEAN}}

# Every libcst the project allows reads 3.11's grammar; newer syntax needs a newer libcst.
LIBCST_READS = (3, 11)

# features_in_tree on another interpreter, with no site-packages (-S): it needs the stdlib
# only. A case its parser rejects maps to None; one it fails on, to the error.
RUNNER = """\
import ast, json, sys
from lambdalint.model.code.syntax import features_in_tree
result = {}
for code in json.load(sys.stdin):
    try:
        tree = ast.parse(code.encode())
    except SyntaxError:
        result[code] = None
    except ValueError as exc:  # 3.12.1 on f'{y:{x=}}': "field 'value' is required"
        result[code] = str(exc)
    else:
        result[code] = features_in_tree(tree, code.encode())
print(json.dumps({"libcst": "libcst" in sys.modules, "found": result}))
"""
ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def by_libcst() -> dict[str, Found | str]:
    return {code: features_in_text(code.encode()) for code in EXPECTED}


def newest(found: Found) -> tuple[int, int]:
    table = syntax_features()
    return max((table[f].python for f in found), default=(3, 0))


def test_every_feature_has_a_snippet() -> None:
    assert set(SNIPPETS) == set(syntax_features())
    for feature, (_, expected) in SNIPPETS.items():
        assert feature in expected
    assert {f for found in EDGES.values() for f in found} == set(syntax_features())


def test_libcst_reports_each_feature_where_expected() -> None:
    read = 0
    for code, expected in EXPECTED.items():
        found = by_libcst()[code]
        if isinstance(found, str):  # syntax newer than this libcst reads
            assert newest(expected) > LIBCST_READS, (code, found)
            continue
        read += 1
        assert found == expected, code
    assert read > len(EXPECTED) // 2


@pytest.mark.parametrize("minor", range(9, 15))
def test_ast_reports_each_feature_where_libcst_does(minor: int) -> None:
    python = sys.executable if minor == sys.version_info[1] else interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    run = subprocess.run([python, "-S", "-c", RUNNER], input=json.dumps(list(EXPECTED)),
                         capture_output=True, text=True, check=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    output = json.loads(run.stdout)
    assert not output["libcst"]
    parsed = 0
    for code, expected in EXPECTED.items():
        result = output["found"][code]
        if result is None:  # syntax newer than this Python's
            assert newest(expected) > (3, minor), code
            continue
        if isinstance(result, str):
            continue  # this Python's parser fails on valid code (a bug fixed since)
        parsed += 1
        found = {feature: (line, column) for feature, (line, column) in result.items()}
        assert found == expected, code
        libcst = by_libcst()[code]
        assert isinstance(libcst, str) or found == libcst, code
    assert parsed >= len(CLEAN)


def test_older_syntax_reports_nothing() -> None:
    for code in CLEAN:
        assert features_in_tree(ast.parse(code.encode()), code.encode()) == {}, code
        assert features_in_text(code.encode()) == {}, code


def test_a_syntax_error_is_a_reason() -> None:
    for broken in (b"def f(:\n", b"x = (\n", b"if x\n    pass\n"):
        reason = features_in_text(broken)
        assert isinstance(reason, str) and reason.startswith("line "), (broken, reason)
    reason = features_in_text(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    assert isinstance(reason, str) and "\n" not in reason
