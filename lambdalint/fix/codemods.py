"""The code rewrites behind `lambdalint check --fix`, built on libcst.

Each rewrite is a pure function from a module's source text to new source text: the new
text, or None when the code is not exactly the shape the rewrite handles (then nothing
changes; a rewrite never guesses). libcst keeps formatting and comments, so everything
outside the rewritten region stays byte for byte, apart from an added import line or a
hoisted statement (and the blank lines around it). CRLF endings survive: libcst writes
every line it did not build with the newline it read, and the lines it builds with the
first newline of the module. This module is the only one importing libcst for fixing,
and it is imported only when fixing, so a plain check never pays for libcst here.

Positions (`Where`) come from lambdalint's code model, which reads the stdlib `ast`:
1-based lines; 1-based columns counted in characters (ast's byte offsets converted);
`end_column` is ast's `end_col_offset` in characters, plus 1. libcst's `PositionProvider`
gives 1-based lines and 0-based character columns, so a node matches a `Where` when
`start == (line, column - 1)` and `end == (end_line, end_column - 1)`. What was found
comparing the two (tests/test_codemods.py pins it):

- Both count columns in characters (code points): a tab is 1, `é` or an emoji before the
  target is 1. A BOM is counted by neither (the code model decodes with utf-8-sig; libcst
  drops it from a str, so the rewrites set it aside and put it back).
- Expressions: libcst's range excludes the node's own parentheses (they are `lpar`/`rpar`
  of the node), and so does ast for a Call, Subscript, BoolOp, NamedExpr, Yield ... in
  parentheses: the ranges agree. Two exceptions: a parenthesized Tuple (ast includes the
  parentheses, libcst does not) and a GeneratorExp (ast includes its parentheses, even
  the call's when it is a call's sole argument; libcst excludes them). `node_at` falls
  back to a node of the kind whose range, widened by only parentheses, whitespace and
  comments, is the span.
- Statements: a `return` ends after its value (not a `;` or a comment), as in ast; a
  SimpleStatementLine has the range of its small statements (no leading lines, no
  newline); a compound statement (`with`, `if`, `def`) ends where its last body statement
  ends, as in ast -- except that when that last line goes on with `;`, ast's range ends
  after the `;` (node_at allows for it); a decorated `def` starts at `def` (decorators
  excluded), as in ast. (`code_for_node` is another matter: it gives a statement's
  leading lines, decorators and newline, and an expression's parentheses.)
- A form feed at the start of a top-level line: ast counts it, libcst does not, and libcst
  drops it when writing the module back. Every rewrite first checks that libcst writes
  the parsed module back unchanged, and returns None when it does not.

Errors: every rewrite runs under `_attempt`. Text lambdalint's guard keeps from libcst
(whose native parser dies with SIGSEGV on a few thousand nested brackets: no exception
to catch) is not parsed at all. Then any `Exception` becomes None -- a ParserSyntaxError
on source libcst cannot read, a CSTValidationError from a node built wrong, a
RecursionError on deeply nested code, a UnicodeEncodeError on odd text (surrogates), or a
slip in this module's matching on shapes nobody tested: a failed fix must never break
`lambdalint check --fix`, while BaseExceptions (KeyboardInterrupt, SystemExit) still
propagate. It also returns None when the result does not parse or equals the input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import NamedTuple, TypeVar, Union, cast

import libcst as cst
from libcst.metadata import (
    CodeRange,
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
)

__all__ = [
    "Where",
    "hoist_creation",
    "json_default_str",
    "node_at",
    "parses",
    "serializable_return",
    "temporary_file",
    "unquote_plus_around",
]

_N = TypeVar("_N", bound=cst.CSTNode)
_Top = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]

_Simple = Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The body of a module-level index: a name bound only by a `global` statement somewhere.
_ANYWHERE = 1 << 30


class Where(NamedTuple):
    """A span as lambdalint's code model gives it: 1-based, columns in characters."""

    line: int
    column: int
    end_line: int
    end_column: int


def parses(source: str) -> bool:
    """Whether libcst reads the source (the caller drops a fix whose result does not).

    False also for text lambdalint's guard keeps from libcst (see `_safe`)."""
    try:
        if not _safe(source):
            return False
        cst.parse_module(source)
    except Exception:  # ParserSyntaxError, RecursionError, odd text (surrogates)
        return False
    return True


def _safe(source: str) -> bool:
    """Whether libcst may be given the text: libcst's native parser kills the process
    (SIGSEGV) on a few thousand nested brackets or prefix operators, and takes minutes on
    very deep expressions. `lambdalint.model.guard` measures what lambdalint gives libcst;
    the same limits apply here, also to text the host's own parser accepts (the guard
    lets that through to `ast` only) and whatever its size (the module was already read)."""
    from lambdalint.model import guard

    data = source.encode("utf-8")
    verdict = guard.measure(data, max_bytes=len(data))
    # A verdict with a tree: the host parsed it, and the guard did not count its tokens.
    return verdict.readable and (verdict.tree is None or guard._tokens(data).readable)


def node_at(wrapper: MetadataWrapper, line: int, column: int, end_line: int, end_column: int,
            kind: type[_N]) -> _N | None:
    """The node of `kind` whose range is exactly the span (1-based columns, end one past).

    The outermost such node when several share the range. Failing an exact match, where
    ast's range is wider than libcst's: a Tuple or a GeneratorExp that only parentheses
    (with whitespace and comments; as many `(` before as `)` after) separate from the
    span's ends, or a compound statement whose last line goes on with `;` (ast's range
    ends after it). (mypy: pass an abstract kind such as `cst.BaseExpression` with
    `# type: ignore[type-abstract]`.)
    """
    positions = wrapper.resolve(PositionProvider)
    start, end = (line, column - 1), (end_line, end_column - 1)
    inside: list[tuple[cst.CSTNode, CodeRange]] = []
    for node, where in positions.items():
        if not isinstance(node, kind):
            continue
        first = (where.start.line, where.start.column)
        last = (where.end.line, where.end.column)
        if first == start and last == end:
            return node
        if isinstance(node, (cst.Tuple, cst.GeneratorExp, cst.BaseCompoundStatement)) and \
                start <= first and last <= end:
            inside.append((node, where))
    lines = _LINE_BREAK.split(wrapper.module.code)
    for node, where in inside:
        before = _text(lines, start, (where.start.line, where.start.column))
        after = _text(lines, (where.end.line, where.end.column), end)
        if isinstance(node, cst.BaseCompoundStatement):
            widened = not before and ";" in after and not after.strip("; \t\f")
        else:
            widened = _only_parentheses(before, "(") and _only_parentheses(after, ")") and \
                before.count("(") == after.count(")")
        if widened:
            return cast(_N, node)
    return None


# 1. LL505: a client created in the handler -----------------------------------------------

def hoist_creation(source: str, call: Where, *, lazily: bool) -> str | None:
    """Move `name = <creation call>` out of a module-level function (LL505).

    `lazily=False`: the statement moves to module level, above the function (after the last
    module-level import above it, and after the statements binding the names it reads).
    `lazily=True`: a module-level `_NAME = None`, and in the function
    `global _NAME` / `if _NAME is None: _NAME = <call>` / `name = _NAME`.
    """
    return _attempt(source, lambda text: _hoist(text, call, lazily))


def _hoist(source: str, where: Where, lazily: bool) -> str | None:
    parsed = _Parsed.read(source)
    if parsed is None:
        return None
    module = parsed.module
    call = parsed.find(where, cst.Call)
    assign = parsed.parent(call)
    if call is None or not isinstance(assign, cst.Assign) or assign.value is not call:
        return None
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    line = parsed.parent(assign)
    block = parsed.parent(line)
    function = parsed.parent(block)
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
            and isinstance(block, cst.IndentedBlock) and isinstance(function, cst.FunctionDef)
            and parsed.parent(function) is module):
        return None
    name = assign.targets[0].target.value
    local = _function_bindings(function)
    names = parsed.module_bindings()
    if local[name] != 1 or name in names or "*" in names:
        return None
    def_index = _index(module.body, function)
    statements = list(block.body)
    position = _index(statements, line)
    imports = [i for i, statement in enumerate(module.body) if _is_import_line(statement)]
    insert_at = imports[-1] + 1 if imports and imports[-1] < def_index else def_index

    if not lazily:
        needed = _literal_names(call)
        if needed is None:
            return None
        for needed_name in needed:
            indices = names.get(needed_name)
            if not indices or max(indices) >= def_index or local[needed_name]:
                return None
            insert_at = max(insert_at, max(indices) + 1)
        rest = statements[:position] + statements[position + 1:]
        if not rest or (len(rest) == 1 and _is_docstring(rest[0])):
            return None
        stay, move = _split_leading(line.leading_lines)
        following = rest[position] if position < len(rest) else None
        if stay and isinstance(following, (cst.SimpleStatementLine,
                                           cst.BaseCompoundStatement)):
            rest[position] = following.with_changes(
                leading_lines=[*stay, *following.leading_lines])
        hoisted: cst.SimpleStatementLine = line.with_changes(leading_lines=move)
        replacement: list[cst.BaseStatement] = rest
    else:
        shared = "_" + name.upper()
        if not shared.isidentifier() or _mentions(module, shared):
            return None
        hoisted = cst.SimpleStatementLine(body=[cst.Assign(
            targets=[cst.AssignTarget(target=cst.Name(shared))], value=cst.Name("None"))])
        cached = assign.with_changes(
            targets=[assign.targets[0].with_changes(target=cst.Name(shared))])
        replacement = [
            *statements[:position],
            cst.SimpleStatementLine(
                body=[cst.Global(names=[cst.NameItem(name=cst.Name(shared))])],
                leading_lines=line.leading_lines),
            cst.If(
                test=cst.Comparison(left=cst.Name(shared), comparisons=[
                    cst.ComparisonTarget(operator=cst.Is(), comparator=cst.Name("None"))]),
                body=cst.IndentedBlock(
                    body=[cst.SimpleStatementLine(body=[cached],
                                                  trailing_whitespace=line.trailing_whitespace)],
                    indent=block.indent)),
            cst.SimpleStatementLine(body=[assign.with_changes(value=cst.Name(shared))]),
            *statements[position + 1:],
        ]
    new_function = function.with_changes(body=block.with_changes(body=replacement))
    body: list[_Top] = list(module.body)
    body[def_index] = new_function
    return _place(module.with_changes(body=body), def_index, insert_at, hoisted).code


def _literal_names(call: cst.Call) -> set[str] | None:
    """The names a call reads when its callee is a dotted name and its arguments literals:
    the callee's root and the names used as arguments (which must be module-level)."""
    root = _dotted_root(call.func)
    if root is None:
        return None
    names = {root}
    for argument in call.args:
        if argument.star:
            return None
        value = argument.value
        if isinstance(value, cst.Name):
            if value.value not in ("True", "False", "None"):
                names.add(value.value)
        elif not _is_literal(value):
            return None
    return names


def _is_literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)):
        return True
    if isinstance(value, cst.ConcatenatedString):
        return _is_literal(value.left) and _is_literal(value.right)
    if isinstance(value, cst.FormattedString):
        return all(isinstance(part, cst.FormattedStringText) for part in value.parts)
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator,
                                                            (cst.Minus, cst.Plus)):
        return isinstance(value.expression, (cst.Integer, cst.Float, cst.Imaginary))
    return False


def _dotted_root(expression: cst.BaseExpression) -> str | None:
    while isinstance(expression, cst.Attribute):
        expression = expression.value
    return expression.value if isinstance(expression, cst.Name) else None


def _split_leading(lines: Sequence[cst.EmptyLine]) -> tuple[list[cst.EmptyLine],
                                                             list[cst.EmptyLine]]:
    """A statement's leading lines: those up to the last blank one stay where they are, the
    comments right above it go with it."""
    blank = max((i for i, line in enumerate(lines) if line.comment is None), default=-1)
    return list(lines[:blank + 1]), list(lines[blank + 1:])


def _place(module: cst.Module, def_index: int, insert_at: int,
           statement: cst.SimpleStatementLine) -> cst.Module:
    """Insert a statement at module level at `insert_at`, not after the function at
    `def_index`: one blank line after an import above it, two after a def or class, none
    after another statement; two blank lines between it and the function right below."""
    body: list[_Top] = list(module.body)
    previous = body[insert_at - 1] if insert_at else None
    if _is_import_line(previous):
        statement = statement.with_changes(leading_lines=_blank(statement.leading_lines, 1))
    elif isinstance(previous, cst.BaseCompoundStatement):
        statement = statement.with_changes(leading_lines=_blank(statement.leading_lines, 2))
    if insert_at == def_index:
        function = body[def_index]
        lead = list(function.leading_lines)
        while lead and lead[0].comment is None:
            lead.pop(0)
        body[def_index] = function.with_changes(
            leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *lead])
    body.insert(insert_at, statement)
    return module.with_changes(body=body)


def _blank(lines: Sequence[cst.EmptyLine], count: int) -> list[cst.EmptyLine]:
    """Leading lines with at least `count` blank lines before the first comment line."""
    blanks = 0
    while blanks < len(lines) and lines[blanks].comment is None:
        blanks += 1
    return [*(cst.EmptyLine() for _ in range(count - blanks)), *lines]


# 2. LL506: an S3 key read from the event without unquoting --------------------------------

def unquote_plus_around(source: str, expression: Where) -> str | None:
    """Wrap an expression in `urllib.parse.unquote_plus(...)` (LL506), importing
    `urllib.parse` unless the module imports it, or `from urllib.parse import unquote_plus`
    (then the wrapper is that name)."""
    return _attempt(source, lambda text: _unquote(text, expression))


def _unquote(source: str, where: Where) -> str | None:
    parsed = _Parsed.read(source)
    if parsed is None:
        return None
    node = parsed.find(where, cst.BaseExpression)  # type: ignore[type-abstract]
    if node is None or not parsed.reads(node):
        return None
    for ancestor in parsed.ancestors(node):
        if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            break
        if isinstance(ancestor, cst.Call) and _callee_name(ancestor) in ("unquote_plus",
                                                                         "unquote"):
            return None
    access = parsed.access(node, "urllib.parse", "unquote_plus")
    if access is None:
        return None
    function, add_import = access
    module = _replace(parsed.module, node, _wrap_call(function, node))
    if add_import:
        module = _add_import(module, "urllib.parse")
    return module.code


# 3. LL405: a returned value json cannot serialize ----------------------------------------

_SERIALIZE = {"set": "sorted", "frozenset": "sorted", "uuid": "str",
              "datetime": "isoformat", "date": "isoformat", "time": "isoformat"}


def serializable_return(source: str, target: Where, kind: str) -> str | None:
    """Make a returned value json-serializable (LL405): a set or frozenset -> `sorted(...)`,
    a datetime, date or time -> `(...).isoformat()`, a uuid -> `str(...)`.

    `target` is an expression in a `return` statement's value (or the statement itself)."""
    return _attempt(source, lambda text: _serializable(text, target, kind))


def _serializable(source: str, where: Where, kind: str) -> str | None:
    how = _SERIALIZE.get(kind)
    parsed = _Parsed.read(source)
    if how is None or parsed is None:
        return None
    statement = parsed.find(where, cst.Return)
    node: cst.BaseExpression | None
    if statement is not None:
        node = statement.value
    else:
        node = parsed.find(where, cst.BaseExpression)  # type: ignore[type-abstract]
        if node is None or not parsed.reads(node):
            return None
        for ancestor in parsed.ancestors(node):
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                if not isinstance(ancestor, cst.Return):
                    return None
                break
    if node is None:
        return None
    holder = parsed.parent(node)
    if isinstance(holder, cst.Call) and holder.func is node:
        return None  # a callee (after `str(x)`, the span of `x` is that of `str`)
    if isinstance(node, cst.Call) and _callee_name(node) in (how, "isoformat"):
        return None  # already `sorted(...)`, `str(...)`, `....isoformat()`
    if how == "isoformat":
        if isinstance(holder, cst.Attribute) and holder.value is node and \
                holder.attr.value == "isoformat":
            return None
        value = node if node.lpar or _atomic(node) else node.with_changes(
            lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        new: cst.BaseExpression = cst.Call(
            func=cst.Attribute(value=value, attr=cst.Name("isoformat")))
    else:
        if isinstance(holder, cst.Arg) and _callee_name(parsed.parent(holder)) == how:
            return None
        if parsed.rebound(node, how):
            return None
        new = _wrap_call(cst.Name(how), node)
    return _replace(parsed.module, node, new).code


def _atomic(node: cst.BaseExpression) -> bool:
    """Whether `node.attribute` reads the attribute of the whole node without parentheses."""
    return isinstance(node, (
        cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Dict, cst.Set,
        cst.ListComp, cst.SetComp, cst.DictComp, cst.SimpleString, cst.FormattedString))


# 4. LL407: json.dumps without a default ------------------------------------------------

def json_default_str(source: str, call: Where) -> str | None:
    """Add `default=str` to a `json.dumps(...)`/`json.dump(...)` call (LL407)."""
    return _attempt(source, lambda text: _json_default(text, call))


def _json_default(source: str, where: Where) -> str | None:
    parsed = _Parsed.read(source)
    if parsed is None:
        return None
    call = parsed.find(where, cst.Call)
    if call is None or not call.args or parsed.rebound(call, "str"):
        return None
    for argument in call.args:
        if argument.star == "**" or (argument.keyword is not None
                                     and argument.keyword.value in ("default", "cls")):
            return None
    args = list(call.args)
    last = args[-1]
    added = cst.Arg(value=cst.Name("str"), keyword=cst.Name("default"),
                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                          whitespace_after=cst.SimpleWhitespace("")))
    comma = last.comma
    separator = _separator(call)
    if not isinstance(comma, cst.Comma):
        # f(a, b) -> f(a, b, default=str); what stood before `)` stays before it.
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""))
        added = added.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    elif isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace) and \
            separator is not None:
        # One argument a line with a trailing comma: `default=str,` on a line of its own.
        closing = comma.whitespace_after
        args[-1] = last.with_changes(comma=comma.with_changes(
            whitespace_after=cst.ParenthesizedWhitespace(
                first_line=closing.first_line, indent=separator.indent,
                last_line=separator.last_line)))
        added = added.with_changes(comma=cst.Comma(
            whitespace_after=cst.ParenthesizedWhitespace(
                empty_lines=closing.empty_lines, indent=closing.indent,
                last_line=closing.last_line)))
    else:
        # f(a,) -> f(a, default=str,)
        args[-1] = last.with_changes(
            comma=comma.with_changes(whitespace_after=cst.SimpleWhitespace(" ")))
        added = added.with_changes(comma=cst.Comma(whitespace_after=comma.whitespace_after))
    args.append(added)
    return _replace(parsed.module, call, call.with_changes(args=args)).code


def _separator(call: cst.Call) -> cst.ParenthesizedWhitespace | None:
    """The line break and indentation before an argument of a call laid out one argument a
    line: after the next-to-last argument's comma, or after `(`."""
    if len(call.args) > 1:
        comma = call.args[-2].comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after,
                                                       cst.ParenthesizedWhitespace):
            return comma.whitespace_after
    opening = call.whitespace_before_args
    return opening if isinstance(opening, cst.ParenthesizedWhitespace) else None


# 5. LL504: a fixed path in /tmp ----------------------------------------------------------

_KEYWORDS = frozenset({"encoding", "newline", "errors"})


def temporary_file(source: str, call: Where) -> str | None:
    """`with open("/tmp/x", "w") as f:` -> `with tempfile.NamedTemporaryFile("w") as f:` (LL504).

    Only when the body uses `f` just in `f.write(...)`/`f.writelines(...)` statements and
    neither the path nor its file name occurs anywhere else in the module."""
    return _attempt(source, lambda text: _temporary(text, call))


def _temporary(source: str, where: Where) -> str | None:
    parsed = _Parsed.read(source)
    if parsed is None:
        return None
    call = parsed.find(where, cst.Call)
    item = parsed.parent(call)
    statement = parsed.parent(item)
    if not (call is not None and isinstance(call.func, cst.Name) and call.func.value == "open"
            and isinstance(item, cst.WithItem) and item.item is call
            and isinstance(statement, cst.With) and len(statement.items) == 1
            and statement.asynchronous is None and item.asname is not None
            and isinstance(item.asname.name, cst.Name)):
        return None
    handle = item.asname.name.value
    positional = [argument for argument in call.args if argument.keyword is None]
    keywords = {argument.keyword.value: argument.value for argument in call.args
                if argument.keyword is not None}
    if any(argument.star for argument in call.args) or not 1 <= len(positional) <= 2:
        return None
    mode: cst.BaseExpression | None
    if len(positional) == 2:
        mode = positional[1].value
        if "mode" in keywords:
            return None
    else:
        mode = keywords.pop("mode") if "mode" in keywords else None
    path = _string(positional[0].value)
    mode_text = _string(mode)
    if path is None or mode_text is None or not path.startswith("/tmp/") or \
            "w" not in mode_text or any(c in mode_text for c in "+axr") or \
            not set(keywords) <= _KEYWORDS or call.args[0] is not positional[0]:
        return None
    raw = positional[0].value
    assert isinstance(raw, cst.SimpleString)  # _string checked it
    if source.count(path) != raw.value.count(path):
        return None
    name = path.rsplit("/", 1)[-1]
    if name:
        alone = re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])")
        if len(alone.findall(source)) != len(alone.findall(raw.value)):
            return None
    if not _writes_only(statement.body, handle) or parsed.rebound(call, "open"):
        return None
    access = parsed.access(call, "tempfile", "NamedTemporaryFile")
    if access is None:
        return None
    function, add_import = access
    new = call.with_changes(func=function, args=call.args[1:])
    module = _replace(parsed.module, call, new)
    if add_import:
        module = _add_import(module, "tempfile")
    return module.code


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _writes_only(body: cst.BaseSuite, handle: str) -> bool:
    """Whether every mention of `handle` in the body is `handle.write(...)` or
    `handle.writelines(...)` as a statement of its own."""
    finder = _Mentions(handle)
    body.visit(finder)
    allowed: set[int] = set()
    for statement in _walk_statements(body):
        for small in statement.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                func = small.value.func
                if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and \
                        func.value.value == handle and \
                        func.attr.value in ("write", "writelines"):
                    allowed.add(id(func.value))
    return all(id(name) in allowed for name in finder.found)


def _walk_statements(node: cst.CSTNode) -> Iterator[_Simple]:
    if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        yield node
        return
    for child in node.children:
        yield from _walk_statements(child)


class _Mentions(cst.CSTVisitor):
    """The Name nodes spelling a name, except attribute names and keywords (`x.name`,
    `f(name=...)`)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> bool | None:
        if node.value == self.name:
            self.found.append(node)
        return None

    def visit_Attribute(self, node: cst.Attribute) -> bool | None:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool | None:
        node.value.visit(self)
        return False


def _mentions(node: cst.CSTNode, name: str) -> bool:
    finder = _Mentions(name)
    node.visit(finder)
    return bool(finder.found)


# The parsed module and what the rewrites ask of it ----------------------------------------

class _Parsed:
    def __init__(self, module: cst.Module) -> None:
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = module
        self._parents: Mapping[cst.CSTNode, cst.CSTNode] | None = None
        self._bindings: dict[str, list[int]] | None = None

    @classmethod
    def read(cls, source: str) -> _Parsed | None:
        module = cst.parse_module(source)
        # libcst drops a form feed that starts a top-level line: such text cannot be
        # rewritten without changing lines outside the rewrite.
        return cls(module) if module.code == source else None

    def find(self, where: Where, kind: type[_N]) -> _N | None:
        return node_at(self.wrapper, where.line, where.column, where.end_line,
                       where.end_column, kind)

    def parent(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        if node is None:
            return None
        if self._parents is None:
            self._parents = self.wrapper.resolve(ParentNodeProvider)
        return self._parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    def reads(self, node: cst.BaseExpression) -> bool:
        """Whether the node is an expression read (not a target, not a name of a def,
        parameter, keyword, import or attribute)."""
        context = self.wrapper.resolve(ExpressionContextProvider).get(node)
        if context in (ExpressionContext.STORE, ExpressionContext.DEL):
            return False
        holder = self.parent(node)
        if (isinstance(holder, cst.Attribute) and holder.attr is node) or \
                (isinstance(holder, cst.Arg) and holder.keyword is node):
            return False
        if isinstance(holder, (cst.FunctionDef, cst.ClassDef, cst.Param)) and \
                holder.name is node:
            return False
        return not isinstance(holder, (cst.ImportAlias, cst.ImportFrom, cst.AsName,
                                       cst.NameItem))

    def module_bindings(self) -> dict[str, list[int]]:
        """Name -> indices of the module-level statements binding it (`*` for a star
        import; a name some function declares global counts as bound everywhere)."""
        if self._bindings is None:
            found: dict[str, list[int]] = {}
            for index, statement in enumerate(self.module.body):
                binder = _Binder(descend=False)
                statement.visit(binder)
                for name in binder.names:
                    found.setdefault(name, []).append(index)
            declared = _Binder(descend=True)
            self.module.visit(declared)
            for name in declared.declared:
                found.setdefault(name, []).append(_ANYWHERE)
            self._bindings = found
        return self._bindings

    def plain_imports(self, name: str) -> bool:
        """Whether every module-level binding of `name` is an `import name[.x]`."""
        for statement in self.module.body:
            binder = _Binder(descend=False)
            statement.visit(binder)
            if binder.names[name] != binder.plain[name]:
                return False
        return _ANYWHERE not in self.module_bindings().get(name, [])

    def shadowed(self, node: cst.CSTNode, name: str) -> bool:
        """Whether `name` at the node may not be what the module level binds: a function or
        class around the node binds it."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and \
                    _function_bindings(ancestor)[name]:
                return True
        return False

    def rebound(self, node: cst.CSTNode, builtin: str) -> bool:
        """Whether a builtin's name at the node may be something else: the module or a
        function or class around the node binds it, or the module star-imports."""
        bindings = self.module_bindings()
        return builtin in bindings or "*" in bindings or self.shadowed(node, builtin)

    def access(self, node: cst.CSTNode, module_name: str,
               attribute: str) -> tuple[cst.BaseExpression, bool] | None:
        """How code at the node reaches `module_name.attribute`: the expression, and whether
        `import module_name` must be added. None when a binding may shadow it."""
        top = next((i for i, statement in enumerate(self.module.body)
                    if statement is node or any(a is statement for a in self.ancestors(node))),
                   None)
        if top is None:
            return None
        bindings = self.module_bindings()
        found = False
        for statement in self.module.body[:top]:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not small.relative and \
                        small.module is not None and \
                        _dotted(small.module) == module_name and \
                        not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        if _dotted(alias.name) != attribute:
                            continue
                        local = _alias_name(alias)
                        if local and len(bindings.get(local, [])) == 1 and \
                                not self.shadowed(node, local):
                            return cst.Name(local), False
                if isinstance(small, cst.Import):
                    found = found or any(_dotted(alias.name) == module_name
                                         and alias.asname is None for alias in small.names)
        root = module_name.split(".")[0]
        if "*" in bindings or not self.plain_imports(root) or self.shadowed(node, root):
            return None
        return cst.parse_expression(f"{module_name}.{attribute}"), not found


def _alias_name(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return _dotted(alias.name)
    name = alias.asname.name
    return name.value if isinstance(name, cst.Name) else None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


class _Binder(cst.CSTVisitor):
    """The names a piece of code binds (over-approximated: any doubt counts as a binding).

    `descend=False` stops at a def, class or lambda (their names are bound, their bodies are
    another scope); `plain` counts the bindings made by `import name[.x]`."""

    def __init__(self, *, descend: bool) -> None:
        super().__init__()
        self.descend = descend
        self.names: Counter[str] = Counter()
        self.plain: Counter[str] = Counter()
        self.declared: set[str] = set()

    def _target(self, node: cst.BaseExpression | None) -> None:
        if isinstance(node, cst.Name):
            self.names[node.value] += 1
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool | None:
        self.names[node.name.value] += 1
        return self.descend

    def visit_ClassDef(self, node: cst.ClassDef) -> bool | None:
        self.names[node.name.value] += 1
        return self.descend

    def visit_Lambda(self, node: cst.Lambda) -> bool | None:
        return self.descend

    def visit_Param(self, node: cst.Param) -> bool | None:
        self.names[node.name.value] += 1
        return None

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool | None:
        self._target(node.target)
        return None

    def visit_AugAssign(self, node: cst.AugAssign) -> bool | None:
        self._target(node.target)
        return None

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool | None:
        self._target(node.target)
        return None

    def visit_For(self, node: cst.For) -> bool | None:
        self._target(node.target)
        return None

    def visit_CompFor(self, node: cst.CompFor) -> bool | None:
        self._target(node.target)
        return None

    def visit_AsName(self, node: cst.AsName) -> bool | None:
        self._target(node.name)
        return None

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool | None:
        self._target(node.target)
        return None

    def visit_Del(self, node: cst.Del) -> bool | None:
        self._target(node.target)
        return None

    def visit_Import(self, node: cst.Import) -> bool | None:
        for alias in node.names:
            if alias.asname is None:
                root = _dotted(alias.name).split(".")[0]
                self.names[root] += 1
                self.plain[root] += 1
        return None  # an `as` name is an AsName

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool | None:
        if isinstance(node.names, cst.ImportStar):
            self.names["*"] += 1
            return None
        for alias in node.names:
            if alias.asname is None:
                self.names[_dotted(alias.name)] += 1
        return None

    def visit_Global(self, node: cst.Global) -> bool | None:
        for item in node.names:
            self.names[item.name.value] += 1
            self.declared.add(item.name.value)
        return None

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool | None:
        for item in node.names:
            self.names[item.name.value] += 1
        return None

    def visit_MatchAs(self, node: cst.MatchAs) -> bool | None:
        self._target(node.name)
        return None

    def visit_MatchStar(self, node: cst.MatchStar) -> bool | None:
        self._target(node.name)
        return None

    def visit_MatchMapping(self, node: cst.MatchMapping) -> bool | None:
        self._target(node.rest)
        return None

    def visit_TypeParam(self, node: cst.TypeParam) -> bool | None:
        self._target(node.param.name)
        return None

    def visit_TypeAlias(self, node: cst.TypeAlias) -> bool | None:
        self._target(node.name)
        return None


def _function_bindings(function: cst.FunctionDef | cst.ClassDef | cst.Lambda) -> Counter[str]:
    """Every name bound in a function (its parameters and body, nested scopes included)."""
    binder = _Binder(descend=True)
    if isinstance(function, (cst.FunctionDef, cst.Lambda)):
        function.params.visit(binder)
    function.body.visit(binder)
    return binder.names


# Shared pieces ------------------------------------------------------------------------

def _attempt(source: str, rewrite: Callable[[str], str | None]) -> str | None:
    """Run a rewrite: None for any failure (see the module docstring), for a result that
    does not parse, and for no change. A byte order mark is set aside (libcst drops it; the
    code model does not count it in columns either) and put back."""
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    try:
        if not _safe(source):
            return None
        result = rewrite(source[len(bom):])
    except Exception:  # deliberately broad: a fix must never break `lambdalint check`
        return None
    if result is None or not parses(result):
        return None
    result = bom + result
    return None if result == source else result


def _replace(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> cst.Module:
    return cast(cst.Module, module.deep_replace(old, new))


def _wrap_call(function: cst.BaseExpression, node: cst.BaseExpression) -> cst.Call:
    """`function(node)`; the node's parentheses go around the call (so the text outside the
    node's span stays), unless they are part of its syntax (a tuple, a yield)."""
    if isinstance(node, (cst.Tuple, cst.Yield)) or not node.lpar:
        return cst.Call(func=function, args=[cst.Arg(value=node)])
    return cst.Call(func=function, args=[cst.Arg(value=node.with_changes(lpar=[], rpar=[]))],
                    lpar=node.lpar, rpar=node.rpar)


def _callee_name(node: cst.CSTNode | None) -> str | None:
    if not isinstance(node, cst.Call):
        return None
    if isinstance(node.func, cst.Name):
        return node.func.value
    return node.func.attr.value if isinstance(node.func, cst.Attribute) else None


def _add_import(module: cst.Module, dotted: str) -> cst.Module:
    """Add `import dotted` after the imports at the top of the module (after the docstring
    and `from __future__` imports when there are no others; first thing otherwise)."""
    name = cst.parse_expression(dotted)
    assert isinstance(name, (cst.Name, cst.Attribute))
    line = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(name=name)])])
    body: list[_Top] = list(module.body)
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and _is_import_line(body[index]):
        index += 1
    if index == 0:
        if body:  # a blank line between the import and the code, two before a def or class
            gap = 2 if isinstance(body[0], (cst.FunctionDef, cst.ClassDef)) else 1
            body[0] = body[0].with_changes(leading_lines=_blank(body[0].leading_lines, gap))
    elif not _is_import_line(body[index - 1]):  # right after the docstring
        line = line.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(index, line)
    return module.with_changes(body=body)


def _is_import_line(statement: cst.CSTNode | None) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
        isinstance(statement.body[0], cst.Expr) and \
        isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def _index(items: Sequence[cst.CSTNode], node: cst.CSTNode) -> int:
    return next(i for i, item in enumerate(items) if item is node)


def _text(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The text between two positions (1-based lines, 0-based columns), lines joined by
    "\\n"."""
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1]:end[1]]
    middle = lines[start[0]:end[0] - 1]
    return "\n".join([lines[start[0] - 1][start[1]:], *middle, lines[end[0] - 1][:end[1]]])


def _only_parentheses(text: str, parenthesis: str) -> bool:
    """Whether the text is one or more of the parenthesis, with whitespace, line
    continuations and comments."""
    bare = re.sub(r"#[^\n]*", "", text)
    return parenthesis in bare and not bare.strip(f"{parenthesis} \t\f\n\\")
