"""The libcst rewrites behind `lambdalint check --fix` (lambdalint/fix/codemods.py).

Spans are made the way lambdalint's code model makes them: the node found with the stdlib
`ast`, its byte offsets turned into characters, plus 1. Each rewrite is pinned by a before
and after text; applying it again with the same span finds nothing to do (None): the new
text has no second target, and the rewrites check for their own result (an argument of
`unquote_plus(...)`, a value already followed by `.isoformat()`, a `default=` keyword ...).
"""

from __future__ import annotations

import ast
import re
import sys
from textwrap import dedent

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdalint.fix.codemods import (
    Where,
    hoist_creation,
    json_default_str,
    node_at,
    parses,
    serializable_return,
    temporary_file,
    unquote_plus_around,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def spans(source: str, kind: type[ast.AST] = ast.AST) -> list[tuple[Where, str, ast.AST]]:
    """Every ast node of `kind` with a position: its Where (as the code model makes it: byte
    offsets to characters, plus 1) and its text."""
    lines = _LINE_BREAK.split(source)

    def column(line: int, offset: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:offset].decode("utf-8")) + 1

    found = []
    for node in ast.walk(ast.parse(source)):
        end_line = getattr(node, "end_lineno", None)
        if not isinstance(node, kind) or end_line is None:
            continue
        where = Where(node.lineno, column(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                      end_line, column(end_line, node.end_col_offset))  # type: ignore[attr-defined]
        if where.line == where.end_line:
            text = lines[where.line - 1][where.column - 1:where.end_column - 1]
        else:
            text = "\n".join([lines[where.line - 1][where.column - 1:],
                              *lines[where.line:where.end_line - 1],
                              lines[where.end_line - 1][:where.end_column - 1]])
        found.append((where, text, node))
    return sorted(found, key=lambda item: item[0])


def where(source: str, text: str, kind: type[ast.AST] = ast.AST, nth: int = 0) -> Where:
    """The span of the nth node (in source order) of `kind` whose text is `text` (lines
    joined by "\\n" whatever the source's line ends)."""
    matching = [w for w, t, _ in spans(source, kind) if t == text]
    assert len(matching) > nth, f"no {kind.__name__} {text!r} in the source"
    return matching[nth]


# -- positions: libcst against ast -----------------------------------------------------------

POSITIONS = dedent('''\
    import boto3


    @decorated
    def handler(event, context):
        s3 = (boto3.client("s3"))  # a comment
        x = event["a"] ["b"]
        with open("/tmp/x", "w") as f:
            f.write("a")
            f.write("b")  # trailing
        if x:
            return (x + 1) ;
        pair = (1, 2)
        total = sum(n for n in x)
        again = list((n for n in x))
        either = (a or b)
        bare = 1, 2
        return {"k": [x, (y := 2)], "f": f"{x!r:>{w}}"}
''')

# ast node type -> the libcst node type at the same place.
KINDS: dict[type[ast.AST], type[cst.CSTNode]] = {
    ast.Call: cst.Call, ast.Subscript: cst.Subscript, ast.Return: cst.Return,
    ast.With: cst.With, ast.Assign: cst.Assign, ast.FunctionDef: cst.FunctionDef,
    ast.Tuple: cst.Tuple, ast.GeneratorExp: cst.GeneratorExp, ast.BoolOp: cst.BooleanOperation,
    ast.BinOp: cst.BinaryOperation, ast.Name: cst.Name, ast.Attribute: cst.Attribute,
    ast.Dict: cst.Dict, ast.List: cst.List, ast.NamedExpr: cst.NamedExpr, ast.If: cst.If,
    ast.JoinedStr: cst.FormattedString,
}


def test_every_ast_span_finds_its_libcst_node() -> None:
    wrapper = MetadataWrapper(cst.parse_module(POSITIONS))
    module = wrapper.module
    for span, text, node in spans(POSITIONS):
        kind = KINDS.get(type(node))
        if kind is None or (isinstance(node, ast.JoinedStr) and text != 'f"{x!r:>{w}}"'):
            continue  # ast nests JoinedStr in a format spec; libcst does not
        found = node_at(wrapper, *span, kind)
        assert found is not None, (type(node).__name__, text)
        code = module.code_for_node(found)
        if isinstance(found, (cst.Tuple, cst.GeneratorExp)) and text.startswith("("):
            # ast's span has the parentheses (a sole argument's: the call's); libcst's
            # range leaves them out, code_for_node has the node's own
            assert text in (code, f"({code})"), (text, code)
        elif isinstance(found, cst.BaseExpression):
            # ast's span and libcst's range leave the node's parentheses out
            assert text == module.code_for_node(found.with_changes(lpar=[], rpar=[]))
        else:  # a statement's code: its first line, dedented, then the rest
            assert text.splitlines()[0] in code, (text, code)


def test_where_libcst_and_ast_ranges_differ() -> None:
    """libcst's range leaves out an expression's parentheses, as ast does, except for a
    tuple and a generator expression: ast includes theirs (node_at widens to match)."""
    positions = MetadataWrapper(cst.parse_module(POSITIONS)).resolve(PositionProvider)

    def ranges(kind: type[cst.CSTNode]) -> list[tuple[int, int, int, int]]:
        return sorted((r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
                      for n, r in positions.items() if isinstance(n, kind))

    same: list[tuple[type[ast.AST], type[cst.CSTNode]]] = [
        (ast.Call, cst.Call), (ast.Subscript, cst.Subscript), (ast.Return, cst.Return),
        (ast.With, cst.With), (ast.BoolOp, cst.BooleanOperation),
        (ast.FunctionDef, cst.FunctionDef), (ast.NamedExpr, cst.NamedExpr)]
    for ast_kind, cst_kind in same:
        assert [tuple(s) for s, _, _ in spans(POSITIONS, ast_kind)] == ranges(cst_kind)
    # `(x + 1)` in `return (x + 1) ;`: both leave the parentheses out; the return both end
    # after its value, before ` ;`.
    assert where(POSITIONS, "x + 1", ast.BinOp) == Where(12, 17, 12, 22)
    assert where(POSITIONS, "return (x + 1)", ast.Return) == Where(12, 9, 12, 23)
    # A decorated def starts at `def` in both; a `with` ends where its last statement does
    # (not its comment). But a compound statement whose last line goes on with ` ;` ends
    # after the `;` in ast, before it in libcst (node_at allows for it).
    if_span = where(POSITIONS, "if x:\n        return (x + 1) ;", ast.If)
    assert if_span == Where(11, 5, 12, 25)
    assert (11, 5, 12, 23) in ranges(cst.If)
    wrapper = MetadataWrapper(cst.parse_module(POSITIONS))
    assert node_at(wrapper, *if_span, cst.If) is not None
    assert node_at(wrapper, 11, 5, 12, 24, cst.If) is None
    assert spans(POSITIONS, ast.FunctionDef)[0][0] == Where(5, 1, 18, 52)
    assert spans(POSITIONS, ast.With)[0][0] == Where(8, 5, 10, 21)
    pair = where(POSITIONS, "(1, 2)", ast.Tuple)
    assert (pair.line, pair.column, pair.end_line, pair.end_column) not in ranges(cst.Tuple)
    assert (pair.line, pair.column + 1, pair.end_line, pair.end_column - 1) in ranges(cst.Tuple)
    assert not {tuple(s) for s, _, _ in spans(POSITIONS, ast.GeneratorExp)} & set(
        ranges(cst.GeneratorExp))


def test_node_at_counts_characters_not_bytes() -> None:
    source = 'def f():\n\tx = "é€😀"; y = g(1)\n'
    span = where(source, "g(1)", ast.Call)
    assert span == Where(2, 17, 2, 21)  # characters; ast's col_offset counts 19 bytes more
    found = node_at(MetadataWrapper(cst.parse_module(source)), *span, cst.Call)
    assert found is not None and isinstance(found.func, cst.Name)


def test_node_at_needs_the_exact_span_and_kind() -> None:
    source = "x = f(a)(b)\n"
    wrapper = MetadataWrapper(cst.parse_module(source))
    outer = where(source, "f(a)(b)", ast.Call)
    assert node_at(wrapper, *outer, cst.Call) is not None
    assert node_at(wrapper, *outer, cst.Name) is None
    assert node_at(wrapper, outer.line, outer.column, outer.end_line, outer.end_column - 1,
                   cst.Call) is None
    # `(a)` is not a parenthesized `a`: only a tuple or a generator expression widens.
    assert node_at(wrapper, 1, 6, 1, 9, cst.Name) is None
    source = "x = f(a for a in b), ((1, 2))\n"
    wrapper = MetadataWrapper(cst.parse_module(source))
    assert node_at(wrapper, 1, 6, 1, 20, cst.GeneratorExp) is not None  # `(a for a in b)`
    assert node_at(wrapper, 1, 23, 1, 29, cst.Tuple) is not None  # `(1, 2)`
    assert node_at(wrapper, 1, 22, 1, 30, cst.Tuple) is not None  # `((1, 2))`
    assert node_at(wrapper, 1, 22, 1, 29, cst.Tuple) is None  # `((1, 2)`


# -- 1. hoist_creation (LL505) -------------------------------------------------------------

HANDLER = dedent('''\
    """Lists the buckets."""
    import json

    import boto3

    REGION = "eu-west-1"


    # The handler.
    @traced
    def handler(event, context):
        """Handle."""
        x = 1

        # the client
        s3 = boto3.client(
            "s3",
            region_name=REGION,
        )  # why
        return json.dumps(s3.list_buckets(), default=str)
''')
CREATION = 'boto3.client(\n        "s3",\n        region_name=REGION,\n    )'


def test_hoist_moves_the_statement_and_its_comments_above_the_def() -> None:
    assert hoist_creation(HANDLER, where(HANDLER, CREATION), lazily=False) == dedent('''\
        """Lists the buckets."""
        import json

        import boto3

        REGION = "eu-west-1"
        # the client
        s3 = boto3.client(
            "s3",
            region_name=REGION,
        )  # why


        # The handler.
        @traced
        def handler(event, context):
            """Handle."""
            x = 1

            return json.dumps(s3.list_buckets(), default=str)
    ''')


def test_hoist_lazily_caches_in_a_module_global() -> None:
    assert hoist_creation(HANDLER, where(HANDLER, CREATION), lazily=True) == dedent('''\
        """Lists the buckets."""
        import json

        import boto3

        _S3 = None

        REGION = "eu-west-1"


        # The handler.
        @traced
        def handler(event, context):
            """Handle."""
            x = 1

            # the client
            global _S3
            if _S3 is None:
                _S3 = boto3.client(
                    "s3",
                    region_name=REGION,
                )  # why
            s3 = _S3
            return json.dumps(s3.list_buckets(), default=str)
    ''')


SIMPLE = 'import boto3\n\n\ndef handler(event, context):\n    s3 = boto3.client("s3")  # c\n' \
    '    return s3.list_buckets()\n'


def test_hoist_after_the_last_import_with_pep8_blank_lines() -> None:
    assert hoist_creation(SIMPLE, where(SIMPLE, 'boto3.client("s3")'), lazily=False) == (
        'import boto3\n\ns3 = boto3.client("s3")  # c\n\n\ndef handler(event, context):\n'
        '    return s3.list_buckets()\n')
    cramped = 'import boto3\ndef handler(event, context):\n    s3 = boto3.client("s3")\n' \
        '    return s3\n'
    assert hoist_creation(cramped, where(cramped, 'boto3.client("s3")'), lazily=False) == (
        'import boto3\n\ns3 = boto3.client("s3")\n\n\ndef handler(event, context):\n'
        '    return s3\n')


def test_hoist_goes_above_a_helper_def_after_the_imports() -> None:
    source = 'import boto3\n\n\ndef helper():\n    pass\n\n\ndef handler(event, context):\n' \
        '    conn = boto3.client("rds")\n    return conn\n'
    assert hoist_creation(source, where(source, 'boto3.client("rds")'), lazily=False) == (
        'import boto3\n\nconn = boto3.client("rds")\n\n\ndef helper():\n    pass\n\n\n'
        'def handler(event, context):\n    return conn\n')


def test_hoist_directly_above_the_def_when_the_last_import_is_below_it() -> None:
    source = 'import boto3\nTABLE = "t"\n\n\ndef handler(event, context):\n' \
        '    ddb = boto3.resource("dynamodb", TABLE)\n    return ddb\n\n\nimport os\n'
    assert hoist_creation(source, where(source, 'boto3.resource("dynamodb", TABLE)'),
                          lazily=False) == (
        'import boto3\nTABLE = "t"\nddb = boto3.resource("dynamodb", TABLE)\n\n\n'
        'def handler(event, context):\n    return ddb\n\n\nimport os\n')


def test_hoist_lazily_between_defs_without_imports() -> None:
    source = 'def helper():\n    pass\n\n\ndef handler(event, context):\n' \
        '    s3 = boto3.client("s3", region_name=event["region"])\n    return s3\n'
    span = where(source, 'boto3.client("s3", region_name=event["region"])')
    assert hoist_creation(source, span, lazily=False) is None  # reads the event
    assert hoist_creation(source, span, lazily=True) == (
        'def helper():\n    pass\n\n\n_S3 = None\n\n\ndef handler(event, context):\n'
        '    global _S3\n    if _S3 is None:\n'
        '        _S3 = boto3.client("s3", region_name=event["region"])\n'
        '    s3 = _S3\n    return s3\n')


def test_hoist_literal_arguments_and_other_factories() -> None:
    source = 'import psycopg2\n\n\nasync def handler(event, context):\n' \
        '    conn = psycopg2.connect(host="h", port=5432, ssl=None, n=-1, s=f"a" "b")\n' \
        '    return conn\n'
    call = 'psycopg2.connect(host="h", port=5432, ssl=None, n=-1, s=f"a" "b")'
    assert hoist_creation(source, where(source, call), lazily=False) == (
        f'import psycopg2\n\nconn = {call}\n\n\nasync def handler(event, context):\n'
        '    return conn\n')


def test_hoist_keeps_crlf_tabs_and_is_not_repeated() -> None:
    crlf = SIMPLE.replace("\n", "\r\n")
    span = where(crlf, 'boto3.client("s3")')
    hoisted = hoist_creation(crlf, span, lazily=False)
    assert hoisted == hoist_creation(SIMPLE, span, lazily=False).replace(  # type: ignore[union-attr]
        "\n", "\r\n")
    tabs = SIMPLE.replace("    ", "\t")
    assert hoist_creation(tabs, where(tabs, 'boto3.client("s3")'), lazily=True) == (
        'import boto3\n\n_S3 = None\n\n\ndef handler(event, context):\n\tglobal _S3\n'
        '\tif _S3 is None:\n\t\t_S3 = boto3.client("s3")  # c\n\ts3 = _S3\n'
        '\treturn s3.list_buckets()\n')
    for lazily in (False, True):
        once = hoist_creation(SIMPLE, span, lazily=lazily)
        assert once is not None
        assert hoist_creation(once, span, lazily=lazily) is None
        # nor the call where it is now: at module level, or cached in the function
        for again, _, _ in spans(once, ast.Call):
            assert hoist_creation(once, again, lazily=lazily) is None


def test_hoist_after_non_ascii_on_the_line() -> None:
    source = 'import boto3\n\n\ndef handler(event, context):\n    café = boto3.client("s3")\n' \
        '    return café\n'
    span = where(source, 'boto3.client("s3")')
    assert span == Where(5, 12, 5, 30)
    assert hoist_creation(source, span, lazily=True) == (
        'import boto3\n\n_CAFÉ = None\n\n\ndef handler(event, context):\n    global _CAFÉ\n'
        '    if _CAFÉ is None:\n        _CAFÉ = boto3.client("s3")\n    café = _CAFÉ\n'
        '    return café\n')
    assert hoist_creation(source, span, lazily=False) == (
        'import boto3\n\ncafé = boto3.client("s3")\n\n\ndef handler(event, context):\n'
        '    return café\n')


@pytest.mark.parametrize(("source", "call", "lazily_too"), [
    # not the whole right-hand side, or not a plain `name = ...`
    ('def handler(e, c):\n    b = boto3.client("s3").list_buckets()\n    return b\n', None, True),
    ('def handler(e, c):\n    a, b = boto3.client("s3"), 1\n    return b\n', None, True),
    ('def handler(e, c):\n    s3: object = boto3.client("s3")\n    return s3\n', None, True),
    ('def handler(e, c):\n    s3 = t = boto3.client("s3")\n    return s3\n', None, True),
    ('def handler(e, c):\n    s3 = boto3.client("s3"); x = 1\n    return s3\n', None, True),
    # not a direct statement of a module-level function
    ('def handler(e, c):\n    if e:\n        s3 = boto3.client("s3")\n    return s3\n', None, True),
    ('class A:\n    def handler(self, e):\n        s3 = boto3.client("s3")\n'
     '        return s3\n', None, True),
    ('def outer():\n    def handler(e):\n        s3 = boto3.client("s3")\n        return s3\n'
     '    return handler\n', None, True),
    ('s3 = boto3.client("s3")\n', None, True),
    # the name is taken
    ('def handler(e, c):\n    s3 = boto3.client("s3")\n    s3 = wrap(s3)\n    return s3\n',
     None, True),
    ('def handler(e, s3):\n    s3 = boto3.client("s3")\n    return s3\n', None, True),
    ('def handler(e, c):\n    global s3\n    s3 = boto3.client("s3")\n    return s3\n', None, True),
    ('s3 = None\ndef handler(e, c):\n    s3 = boto3.client("s3")\n    return s3\n', None, True),
    ('from helpers import s3\ndef handler(e, c):\n    s3 = boto3.client("s3")\n'
     '    return s3\n', None, True),
    ('def handler(e, c):\n    s3 = boto3.client("s3")\n    return s3\ndef s3():\n    pass\n',
     None, True),
    # the function would be left empty
    ('def handler(e, c):\n    s3 = boto3.client("s3")\n', None, False),
    ('def handler(e, c):\n    """Doc."""\n    s3 = boto3.client("s3")\n', None, False),
    # arguments that are not literals or module-level names defined above
    ('def handler(e, c):\n    s3 = boto3.client(e["s"])\n    return s3\n',
     'boto3.client(e["s"])', False),
    ('def handler(e, c):\n    s3 = boto3.client(f"{e}")\n    return s3\n',
     'boto3.client(f"{e}")', False),
    ('def handler(e, c):\n    s3 = boto3.client(*e)\n    return s3\n', 'boto3.client(*e)', False),
    ('def handler(e, c):\n    s3 = boto3.client(S)\n    return s3\nS = "s3"\n',
     'boto3.client(S)', False),
    ('S = "s3"\ndef handler(e, S):\n    s3 = boto3.client(S)\n    return s3\n',
     'boto3.client(S)', False),
    ('def handler(e, c):\n    s3 = boto3.client(UNDEFINED)\n    return s3\n',
     'boto3.client(UNDEFINED)', False),
    ('def handler(e, c):\n    s3 = make()("s3")\n    return s3\n', 'make()("s3")', False),
])
def test_hoist_declines(source: str, call: str | None, lazily_too: bool) -> None:
    source = "import boto3\n" + source
    span = where(source, call or 'boto3.client("s3")')
    assert hoist_creation(source, span, lazily=False) is None
    assert (hoist_creation(source, span, lazily=True) is None) is lazily_too


def test_hoist_declines_a_factory_imported_only_in_the_function() -> None:
    source = 'def handler(e, c):\n    import boto3\n    s3 = boto3.client("s3")\n    return s3\n'
    assert hoist_creation(source, where(source, 'boto3.client("s3")'), lazily=False) is None


def test_hoist_lazily_declines_a_taken_cache_name() -> None:
    source = 'import boto3\n_S3 = 1\ndef handler(e, c):\n    s3 = boto3.client("s3")\n' \
        '    return s3\n'
    assert hoist_creation(source, where(source, 'boto3.client("s3")'), lazily=True) is None
    other = source.replace("_S3 = 1\n", "").replace("return s3", "return s3, _S3")
    assert hoist_creation(other, where(other, 'boto3.client("s3")'), lazily=True) is None


# -- 2. unquote_plus_around (LL506) --------------------------------------------------------

S3_EVENT = dedent('''\
    """Copies uploads."""
    import json
    import boto3


    def handler(event, context):
        key = event["Records"][0]["s3"]["object"]["key"]  # the key
        other = event["Records"][0]["s3"]["object"].get("key")
        for record in event["Records"]:
            copy(record["s3"]["object"]["key"], bucket=1)
        return key
''')


def test_unquote_wraps_an_assigned_value_and_imports_after_the_imports() -> None:
    span = where(S3_EVENT, 'event["Records"][0]["s3"]["object"]["key"]')
    assert unquote_plus_around(S3_EVENT, span) == S3_EVENT.replace(
        "import boto3\n", "import boto3\nimport urllib.parse\n").replace(
        'key = event["Records"][0]["s3"]["object"]["key"]',
        'key = urllib.parse.unquote_plus(event["Records"][0]["s3"]["object"]["key"])')


def test_unquote_wraps_a_get_call_and_an_argument() -> None:
    span = where(S3_EVENT, 'event["Records"][0]["s3"]["object"].get("key")')
    assert unquote_plus_around(S3_EVENT, span) == S3_EVENT.replace(
        "import boto3\n", "import boto3\nimport urllib.parse\n").replace(
        'other = event["Records"][0]["s3"]["object"].get("key")',
        'other = urllib.parse.unquote_plus(event["Records"][0]["s3"]["object"].get("key"))')
    span = where(S3_EVENT, 'record["s3"]["object"]["key"]')
    assert unquote_plus_around(S3_EVENT, span) == S3_EVENT.replace(
        "import boto3\n", "import boto3\nimport urllib.parse\n").replace(
        'copy(record["s3"]["object"]["key"], bucket=1)',
        'copy(urllib.parse.unquote_plus(record["s3"]["object"]["key"]), bucket=1)')


def test_unquote_uses_the_existing_import() -> None:
    span = where(S3_EVENT, 'record["s3"]["object"]["key"]')
    imported = S3_EVENT.replace("import json\n", "import json\nimport urllib.parse\n")
    assert unquote_plus_around(imported, span) is None  # the span moved a line down
    span = where(imported, 'record["s3"]["object"]["key"]')
    assert unquote_plus_around(imported, span) == imported.replace(
        'copy(record["s3"]["object"]["key"]', 'copy(urllib.parse.unquote_plus('
        'record["s3"]["object"]["key"])')
    named = S3_EVENT.replace("import json\n", "from urllib.parse import unquote_plus\n")
    span = where(named, 'record["s3"]["object"]["key"]')
    assert unquote_plus_around(named, span) == named.replace(
        'copy(record["s3"]["object"]["key"]', 'copy(unquote_plus(record["s3"]["object"]["key"])')


@pytest.mark.parametrize(("source", "expected"), [
    ('"""Doc."""\nfrom __future__ import annotations\n\ndef h(event, c):\n'
     '    return event["k"]\n',
     '"""Doc."""\nfrom __future__ import annotations\nimport urllib.parse\n\ndef h(event, c):\n'
     '    return urllib.parse.unquote_plus(event["k"])\n'),
    ('"""Doc."""\n\n\ndef h(event, c):\n    return event["k"]\n',
     '"""Doc."""\n\nimport urllib.parse\n\n\ndef h(event, c):\n'
     '    return urllib.parse.unquote_plus(event["k"])\n'),
    ('#!/usr/bin/env python\ndef h(event, c):\n    return event["k"]\n',
     '#!/usr/bin/env python\nimport urllib.parse\n\n\ndef h(event, c):\n'
     '    return urllib.parse.unquote_plus(event["k"])\n'),
    ('import os\nKEY = os.environ["K"]\nimport json\nkey = event["k"]\n',
     'import os\nimport urllib.parse\nKEY = os.environ["K"]\nimport json\n'
     'key = urllib.parse.unquote_plus(event["k"])\n'),
])
def test_unquote_import_placement(source: str, expected: str) -> None:
    assert unquote_plus_around(source, where(source, 'event["k"]')) == expected


def test_unquote_columns_are_characters_and_crlf_stays() -> None:
    source = 'import json\n\ndef h(event, c):\n\tx = ("é€😀", (event["k"]))  # ü\n'
    assert unquote_plus_around(source, where(source, 'event["k"]')) == (
        'import json\nimport urllib.parse\n\ndef h(event, c):\n'
        '\tx = ("é€😀", (urllib.parse.unquote_plus(event["k"])))  # ü\n')
    crlf = S3_EVENT.replace("\n", "\r\n")
    span = where(crlf, 'event["Records"][0]["s3"]["object"]["key"]')
    assert unquote_plus_around(crlf, span) == unquote_plus_around(  # type: ignore[union-attr]
        S3_EVENT, span).replace("\n", "\r\n")


def test_unquote_declines() -> None:
    # a for-loop target, an assignment target, a keyword's name: not an expression read
    assert unquote_plus_around(S3_EVENT, where(S3_EVENT, "record", ast.Name)) is None
    target = 'def h(event, c):\n    event["k"] = 1\n'
    assert unquote_plus_around(target, where(target, 'event["k"]')) is None
    assert unquote_plus_around(S3_EVENT, Where(10, 45, 10, 51)) is None  # `bucket`
    # a statement, not an expression
    assert unquote_plus_around(S3_EVENT, where(S3_EVENT, "return key", ast.Return)) is None
    # already unquoted
    for call in ("urllib.parse.unquote_plus", "unquote", "parse.unquote_plus"):
        source = f'def h(event, c):\n    return {call}(event["k"])\n'
        assert unquote_plus_around(source, where(source, 'event["k"]')) is None
    # `urllib` is something else here
    shadowed = 'def h(event, urllib):\n    return event["k"]\n'
    assert unquote_plus_around(shadowed, where(shadowed, 'event["k"]')) is None
    once = unquote_plus_around(S3_EVENT, where(S3_EVENT, 'record["s3"]["object"]["key"]'))
    assert once is not None
    assert unquote_plus_around(once, where(once, 'record["s3"]["object"]["key"]')) is None


# -- 3. serializable_return (LL405) --------------------------------------------------------

RETURNS = dedent('''\
    def handler(event, context):
        ids = {1, 2}
        if event:
            return ids  # the ids
        if context:
            return {"when": (a or b), "at": now, "u": uid, "f": frozenset(ids)}
        if ids:
            return a or b
        return
''')


@pytest.mark.parametrize(("text", "kind", "nth", "old", "new"), [
    ("ids", "set", 1, "return ids  #", "return sorted(ids)  #"),
    ("return ids", "set", 0, "return ids  #", "return sorted(ids)  #"),
    ("frozenset(ids)", "frozenset", 0, '"f": frozenset(ids)', '"f": sorted(frozenset(ids))'),
    ("uid", "uuid", 0, '"u": uid', '"u": str(uid)'),
    ("now", "datetime", 0, '"at": now', '"at": now.isoformat()'),
    ("a or b", "date", 0, '"when": (a or b)', '"when": (a or b).isoformat()'),
    ("a or b", "time", 1, "return a or b", "return (a or b).isoformat()"),
    ("return a or b", "datetime", 0, "return a or b", "return (a or b).isoformat()"),
])
def test_serializable_return(text: str, kind: str, nth: int, old: str, new: str) -> None:
    span = where(RETURNS, text, nth=nth)
    fixed = serializable_return(RETURNS, span, kind)
    assert fixed == RETURNS.replace(old, new)
    assert serializable_return(fixed, span, kind) is None
    # nor the value where it is now, inside `sorted(...)`, `str(...)`, `(...).isoformat()`
    if text.startswith("return"):
        again = [w for w, _, _ in spans(fixed, ast.Return) if w.line == span.line]
    else:
        again = [w for w, t, _ in spans(fixed) if t == text and w.line == span.line
                 and span.column <= w.column <= span.column + len("sorted(")]
    assert again
    for other in again:
        assert serializable_return(fixed, other, kind) is None


def test_serializable_return_declines() -> None:
    assert serializable_return(RETURNS, where(RETURNS, "return", ast.Return), "set") is None
    assert serializable_return(RETURNS, where(RETURNS, "uid"), "Decimal") is None
    assert serializable_return(RETURNS, where(RETURNS, "{1, 2}"), "set") is None  # no return
    assert serializable_return(RETURNS, where(RETURNS, "ids"), "set") is None  # a target
    shadowed = "sorted = list\ndef h():\n    return ids\n"
    assert serializable_return(shadowed, where(shadowed, "ids"), "set") is None


def test_serializable_return_after_non_ascii_and_crlf() -> None:
    source = 'def h(now):\r\n\treturn {"zeit/時": now}  # ü\r\n'
    assert serializable_return(source, where(source, "now", nth=1), "datetime") == \
        'def h(now):\r\n\treturn {"zeit/時": now.isoformat()}  # ü\r\n'


def test_serializable_return_parenthesizes_what_needs_it() -> None:
    source = 'def h(x):\n    return [await x, 1, x if x else None, "a" "b"]\n'
    for text in ("await x", "1", "x if x else None", '"a" "b"'):
        fixed = serializable_return(source, where(source, text), "datetime")
        assert fixed == source.replace(text, f"({text}).isoformat()"), text


# -- 4. json_default_str (LL407) -----------------------------------------------------------

DUMPS = dedent('''\
    import json
    from json import dumps


    def handler(event, context):
        a = json.dumps(event)
        b = dumps(event, indent=2)
        c = json.dumps(
            event,
            indent=2,  # pretty
        )
        d = json.dumps(
            event,
            indent=2
        )
        e = json.dumps(event,)
        f = json.dump(event,
                      handle,
                      )
        g = json.dumps(
            event,
            # the end
        )
''')


@pytest.mark.parametrize(("call", "new"), [
    ("json.dumps(event)", "json.dumps(event, default=str)"),
    ("dumps(event, indent=2)", "dumps(event, indent=2, default=str)"),
    ("json.dumps(\n        event,\n        indent=2,  # pretty\n    )",
     "json.dumps(\n        event,\n        indent=2,  # pretty\n        default=str,\n    )"),
    ("json.dumps(\n        event,\n        indent=2\n    )",
     "json.dumps(\n        event,\n        indent=2, default=str\n    )"),
    ("json.dumps(event,)", "json.dumps(event, default=str,)"),
    ("json.dump(event,\n                  handle,\n                  )",
     "json.dump(event,\n                  handle,\n                  default=str,\n"
     "                  )"),
    ("json.dumps(\n        event,\n        # the end\n    )",
     "json.dumps(\n        event,\n        default=str,\n        # the end\n    )"),
])
def test_json_default_str(call: str, new: str) -> None:
    span = where(DUMPS, call, ast.Call)
    fixed = json_default_str(DUMPS, span)
    assert fixed == DUMPS.replace(call, new)
    assert json_default_str(fixed, span) is None
    crlf = DUMPS.replace("\n", "\r\n")
    assert json_default_str(crlf, span) == fixed.replace("\n", "\r\n")


@pytest.mark.parametrize("call", [
    "json.dumps(x, default=repr)", "json.dumps(x, cls=Encoder)", "json.dumps(x, **options)",
    "json.dumps()",
])
def test_json_default_str_declines(call: str) -> None:
    source = f"import json\ny = {call}\n"
    assert json_default_str(source, where(source, call, ast.Call)) is None
    shadowed = "import json\nstr = bytes\ny = json.dumps(x)\n"
    assert json_default_str(shadowed, where(shadowed, "json.dumps(x)")) is None
    assert json_default_str(source, where(source, "y", ast.Name)) is None  # not a call


def test_json_default_str_after_non_ascii_and_a_tab() -> None:
    source = 'import json\nif x:\n\ty = ("ä😀", json.dumps(x))\n'
    assert json_default_str(source, where(source, "json.dumps(x)")) == \
        'import json\nif x:\n\ty = ("ä😀", json.dumps(x, default=str))\n'


# -- 5. temporary_file (LL504) -------------------------------------------------------------

EXPORT = dedent('''\
    """Exports."""
    import json


    def handler(event, context):
        data = json.dumps(event)
        with open("/tmp/out.json", "w", encoding="utf-8") as f:  # scratch
            f.write(data)
            log("wrote")
            f.writelines(["\\n"])
        return data
''')
OPEN = 'open("/tmp/out.json", "w", encoding="utf-8")'


def test_temporary_file() -> None:
    span = where(EXPORT, OPEN)
    fixed = temporary_file(EXPORT, span)
    assert fixed == EXPORT.replace("import json\n", "import json\nimport tempfile\n").replace(
        OPEN, 'tempfile.NamedTemporaryFile("w", encoding="utf-8")')
    assert temporary_file(fixed, span) is None
    again = where(fixed, 'tempfile.NamedTemporaryFile("w", encoding="utf-8")')
    assert temporary_file(fixed, again) is None


def test_temporary_file_uses_the_existing_import() -> None:
    imported = EXPORT.replace("import json\n", "import json\nimport tempfile\n")
    assert temporary_file(imported, where(imported, OPEN)) == imported.replace(
        OPEN, 'tempfile.NamedTemporaryFile("w", encoding="utf-8")')
    named = EXPORT.replace("import json\n", "import json\nfrom tempfile import "
                                            "NamedTemporaryFile\n")
    assert temporary_file(named, where(named, OPEN)) == named.replace(
        OPEN, 'NamedTemporaryFile("w", encoding="utf-8")')


def test_temporary_file_layouts() -> None:
    source = 'import os\ndef h(d):\n    with open(\n        "/tmp/out.json",\n' \
        '        mode="wb",\n    ) as f:\n        f.write(d)\n'
    call = 'open(\n        "/tmp/out.json",\n        mode="wb",\n    )'
    assert temporary_file(source, where(source, call)) == (
        'import os\nimport tempfile\ndef h(d):\n    with tempfile.NamedTemporaryFile(\n'
        '        mode="wb",\n    ) as f:\n        f.write(d)\n')
    suite = 'import os\r\ndef h(d):\r\n    with open("/tmp/ü.txt", "wt") as f: f.write(d)\r\n'
    assert temporary_file(suite, where(suite, 'open("/tmp/ü.txt", "wt")')) == (
        'import os\r\nimport tempfile\r\ndef h(d):\r\n'
        '    with tempfile.NamedTemporaryFile("wt") as f: f.write(d)\r\n')


@pytest.mark.parametrize(("old", "new"), [
    ('log("wrote")', "log(f.name)"),  # the handle used otherwise
    ("f.write(data)", "json.dump(data, f)"),
    ("f.write(data)", "f = None"),
    ('"w", encoding', '"r", encoding'),  # not a write-only mode
    ('"w", encoding', '"w+", encoding'),
    ('"w", encoding', '"a", encoding'),
    ('"w", encoding', '"x", encoding'),
    ('"w", encoding="utf-8"', '"w", 1'),  # buffering
    ('"w", encoding="utf-8"', '"w", closefd=False'),
    ('"w", encoding="utf-8"', ""),
    ('"w", encoding="utf-8"', '"w", *options'),
    ("/tmp/out.json", "/var/out.json"),  # not under /tmp
    ('"/tmp/out.json"', 'f"/tmp/{name}.json"'),
    ('"/tmp/out.json"', 'b"/tmp/out.json"'),
    ("as f:", 'as f, open("x") as g:'),  # not the only item
    (" as f:", ":"),
    ("return data", 'return "/tmp/out.json"'),  # the path elsewhere in the module
    ("return data", 'return "exports/out.json"'),  # the file name elsewhere
    ("import json\n", "import json\nfrom gzip import open\n"),  # not the builtin
    ("import json\n", "import json\ntempfile = None\n"),
])
def test_temporary_file_declines(old: str, new: str) -> None:
    assert old in EXPORT
    source = EXPORT.replace(old, new)
    call = next(t for _, t, _ in spans(source, ast.Call) if t.startswith("open("))
    assert temporary_file(source, where(source, call)) is None


def test_temporary_file_declines_outside_a_with() -> None:
    source = 'def h():\n    f = open("/tmp/out.json", "w")\n    f.write("x")\n'
    assert temporary_file(source, where(source, 'open("/tmp/out.json", "w")')) is None


# -- parsing, odd input ---------------------------------------------------------------------

NESTED_FSTRINGS = 'import json\nx = f"{event["key"]}-{f"{1}"}"\ny = json.dumps(x)\n'


def test_parses() -> None:
    assert parses("x = 1\n")
    assert not parses("def (:\n")
    assert parses(NESTED_FSTRINGS)  # Python 3.12 syntax (PEP 701), on any host Python


def test_rewrites_a_module_with_python_312_syntax() -> None:
    # ast cannot read it before 3.12: the span is written out (line 3, `json.dumps(x)`).
    span = Where(3, 5, 3, 18)
    if sys.version_info >= (3, 12):
        assert where(NESTED_FSTRINGS, "json.dumps(x)") == span
    assert json_default_str(NESTED_FSTRINGS, span) == NESTED_FSTRINGS.replace(
        "json.dumps(x)", "json.dumps(x, default=str)")


def test_odd_input_gives_none() -> None:
    span = Where(1, 1, 1, 5)
    for source in ("", "def (:\n", "\x00", "x = 1\n", "x = '\ud800'\n", "(" * 5000 + ")" * 5000):
        assert json_default_str(source, span) is None
        assert hoist_creation(source, span, lazily=True) is None
        assert unquote_plus_around(source, span) is None
        assert serializable_return(source, span, "set") is None
        assert temporary_file(source, span) is None
    assert json_default_str("import json\njson.dumps(x)\n", Where(9, 1, 9, 5)) is None


def test_a_byte_order_mark_stays_and_a_form_feed_line_is_left_alone() -> None:
    source = "\ufeffimport json\ny = json.dumps(x)\n"
    assert json_default_str(source, Where(2, 5, 2, 18)) == \
        "\ufeffimport json\ny = json.dumps(x, default=str)\n"
    # libcst drops a form feed that starts a top-level line: no rewrite of such a module
    form_feed = "import json\n\x0cy = json.dumps(x)\n"
    assert json_default_str(form_feed, where(form_feed, "json.dumps(x)")) is None
