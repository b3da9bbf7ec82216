"""Which rows of the syntax table (lambdalint/data/syntax.json) a module uses, and where.

LL209 needs, for each module of the function's own code, the first use of each syntax
feature newer than the runtime's Python. Importing libcst costs some 0.3 s, so a module the
running interpreter parses is read with the stdlib `ast` (`features_in_tree`); only a module
it rejects, which may hold syntax newer than the host's or be broken, goes to libcst
(`features_in_text`), which reads every version's grammar or says why it cannot.

Both report the same place for a feature: line 1-based, column 1-based in characters, at
the node libcst's visitor notes (the replacement field of an f-string, the `@` of a
decorator, the first parameter of a parameter list, the `[` of type parameters, the
statement's keyword...). `ast` drops some of the syntax that tells these features apart
(parentheses, the `=` of `f"{x=}"`, the quotes of an f-string), so the source text around
the nodes decides those.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

Position = tuple[int, int]  # line 1-based, column 0-based in characters (internally)

# Node classes newer than the oldest host (3.9): None where this interpreter lacks them.
_MATCH: Any = getattr(ast, "Match", None)
_TRY_STAR: Any = getattr(ast, "TryStar", None)
_TYPE_ALIAS: Any = getattr(ast, "TypeAlias", None)
_TEMPLATE_STR: Any = getattr(ast, "TemplateStr", None)
_INTERPOLATION: Any = getattr(ast, "Interpolation", None)
# Tokens of the 3.12 tokenizer (PEP 701): an f-string is split into its parts.
_FSTRING_START: int = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END: int = getattr(tokenize, "FSTRING_END", -1)

# CPython ends lines at \r\n, \r and \n only (str.splitlines also breaks at \f, \x1c...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BLANK = " \t\f"
# What a self-documenting field leaves as the literal text before its value: `x=`, `x = `.
_DEBUG_TEXT = re.compile(r"=\s*\Z")
# The characters that make a replacement field PEP 701 syntax (with its own quote).
_PEP701_CHARS = frozenset("\\#\n'\"")
# An older parser rejects every PEP 701 field: a tree it built has none (and its tokenizer
# cannot tell nested f-strings apart, so the check could not be made there anyway).
_PEP701_HOST = sys.version_info >= (3, 12)


def features_in_tree(tree: ast.Module, source: bytes) -> dict[str, tuple[int, int]]:
    """Each syntax feature id the module uses -> (line, column) of its first use, both
    1-based, the column in characters. `tree` is `ast.parse(source)` on this interpreter."""
    return _AstFeatures(tree, _Text(source)).found()


def features_in_text(source: bytes) -> dict[str, tuple[int, int]] | str:
    """The same for a module the running interpreter's `ast` rejects, read with libcst:
    the features it uses, or why libcst cannot parse it either (a one-line reason).
    The module must have passed `lambdalint.model.guard.measure`: libcst crashes the
    process on some inputs that guard refuses."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}: {exc.message}"
    except (RecursionError, MemoryError):
        return "nested too deeply"
    except (UnicodeDecodeError, LookupError, ValueError, SyntaxError) as exc:  # encoding
        return type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]
    except Exception as exc:  # libcst's own faults (CSTLogicError on `(t'a' t'b')`)
        return f"libcst cannot read it ({type(exc).__name__})"
    try:
        nodes = _cst_features(module)
        # The tree is never changed, so the wrapper may use it as it is (no deep copy).
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    except RecursionError:
        return "nested too deeply"
    found: dict[str, tuple[int, int]] = {}
    for feature, node in nodes.items():
        start = positions[node].start
        found[feature] = (start.line, start.column + 1)
    return found


class _Text:
    """The module's text, to recover what `ast` leaves out: positions in characters, and
    the brackets, quotes and `=` signs around nodes."""

    def __init__(self, source: bytes) -> None:
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
        except SyntaxError:
            encoding = "utf-8"
        # utf-8-sig drops a BOM, as the parser does: columns on line 1 start after it.
        text = source.decode(encoding, errors="replace")
        self.lines = _LINE_BREAK.split(text)
        self._comments: dict[int, int] | None = None

    def at(self, line: int, byte_column: int) -> Position:
        """An ast position (its column counts UTF-8 bytes) in characters."""
        text = self._line(line)
        if not text.isascii():
            byte_column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
        return line, byte_column

    def start(self, node: ast.AST) -> Position:
        return self.at(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))

    def end(self, node: ast.AST) -> Position:
        line: int | None = getattr(node, "end_lineno", None)
        column: int | None = getattr(node, "end_col_offset", None)
        if line is None or column is None:
            return self.start(node)
        return self.at(line, column)

    def char(self, position: Position | None) -> str:
        """The character at a position ("\\n" past a line's end, "" past the text's)."""
        if position is None or not 1 <= position[0] <= len(self.lines):
            return ""
        text = self.lines[position[0] - 1]
        return text[position[1]] if position[1] < len(text) else "\n"

    def slice(self, start: Position, end: Position) -> str:
        if start[0] == end[0]:
            return self._line(start[0])[start[1]:end[1]]
        middle = self.lines[start[0]:end[0] - 1]
        return "\n".join([self._line(start[0])[start[1]:], *middle,
                          self._line(end[0])[:end[1]]])

    def back(self, position: Position, skip: str = "") -> Position | None:
        """The last character before `position` that is not blank, a comment, a line break
        or continuation, or in `skip`."""
        line, end = position
        while True:
            text = self._line(line)
            column = min(end, len(text)) - 1
            while column >= 0 and (text[column] in _BLANK or text[column] in skip):
                column -= 1
            if column >= 0:
                return line, column
            if line <= 1:
                return None
            line -= 1
            end = self._code_end(line)
            if self._line(line)[:end].endswith("\\"):
                end -= 1  # a line continuation

    def forward(self, position: Position, skip: str = "") -> Position | None:
        """The first character from `position` on that is not blank, a comment, a line
        break or continuation, or in `skip` (starting outside any string)."""
        line, column = position
        while line <= len(self.lines):
            text = self.lines[line - 1]
            while column < len(text) and (text[column] in _BLANK or text[column] in skip):
                column += 1
            if column < len(text) and text[column] == "\\" and column == len(text) - 1:
                column += 1  # a line continuation
            elif column < len(text) and text[column] != "#":
                return line, column
            line, column = line + 1, 0
        return None

    def _line(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def comment_between(self, start: Position, end: Position) -> bool:
        for line in range(start[0], end[0] + 1):
            column = self._code_end(line)
            if column < len(self._line(line)) and start <= (line, column) < end:
                return True
        return False

    def _code_end(self, line: int) -> int:
        """Where a line's comment starts (its length if it has none)."""
        text = self._line(line)
        if "#" not in text:
            return len(text)
        if self._comments is None:
            # Only a '#' can be a comment, and only the tokenizer tells one inside a string
            # from one outside: read the module's comments once, when first needed.
            self._comments = {}
            try:
                for token in tokenize.generate_tokens(io.StringIO("\n".join(self.lines))
                                                      .readline):
                    if token.type == tokenize.COMMENT:
                        self._comments[token.start[0]] = token.start[1]
            except (tokenize.TokenError, SyntaxError):
                pass  # the comments read so far; the host parsed the module anyway
        return self._comments.get(line, len(text))

    def wrapped(self, node: ast.Tuple) -> bool:
        """Whether a tuple has parentheses of its own (`(a, b)`), not only its first
        element's (`(a), b`)."""
        start = self.start(node)
        return self.char(start) == "(" and self.unclosed(start, node.elts[0])

    def unclosed(self, opening: Position, inner: ast.AST) -> bool:
        """Whether the parenthesis at `opening`, before `inner`, is not one of inner's
        own: more parentheses open from it to inner's start than close right after it."""
        if opening == self.start(inner):
            return False  # inner starts with it: a tuple, a call of a parenthesized name...
        opened, position = 0, self.back(self.start(inner))
        while position is not None and position >= opening and self.char(position) == "(":
            opened += 1
            position = self.back(position)
        closed, position = 0, self.forward(self.end(inner))
        while position is not None and self.char(position) == ")":
            closed += 1
            position = self.forward((position[0], position[1] + 1))
        return opened > closed


class _AstFeatures:
    """One walk over the tree, keeping the earliest position of each feature."""

    def __init__(self, tree: ast.Module, text: _Text) -> None:
        self.tree = tree
        self.text = text
        self.first: dict[str, Position] = {}
        self._spans: dict[int, list[tuple[Position, Position, str]]] = {}

    def found(self) -> dict[str, tuple[int, int]]:
        # ast's fields are not in source order (decorators come after the body), so every
        # use is looked at and the earliest kept. Each node goes with the f-string literal
        # it is a format spec of, and how many specs deep.
        stack: list[tuple[ast.AST, ast.JoinedStr | None, int]] = [(self.tree, None, 0)]
        while stack:
            node, literal, depth = stack.pop()
            if isinstance(node, ast.JoinedStr):
                literal = literal or node  # any other f-string is a literal of its own
                self._fstring(node, literal, depth)
                for value in node.values:
                    if isinstance(value, ast.FormattedValue):
                        stack.append((value.value, None, 0))
                        if value.format_spec is not None:
                            stack.append((value.format_spec, literal, depth + 1))
                continue
            if _INTERPOLATION is not None and isinstance(node, _INTERPOLATION):
                # A t-string's spec is no f-string (libcst does not look at it either):
                # only the expressions in its fields are.
                stack.extend((e, None, 0) for e in _expressions(node))
                continue
            self._visit(node)
            stack.extend((child, None, 0) for child in ast.iter_child_nodes(node))
        return {feature: (line, column + 1)
                for feature, (line, column) in self.first.items()}

    def note(self, feature: str, position: Position | None) -> None:
        if position is not None and (feature not in self.first
                                     or position < self.first[feature]):
            self.first[feature] = position

    def later(self, feature: str, node: ast.AST) -> bool:
        """Whether a use found in `node` could not be the first (cheap checks only)."""
        known = self.first.get(feature)
        return known is not None and known[0] < getattr(node, "lineno", 0)

    def _visit(self, node: ast.AST) -> None:
        text = self.text
        if isinstance(node, ast.NamedExpr):
            self.note("assignment-expression", text.start(node))
        elif isinstance(node, ast.arguments):
            if node.posonlyargs:
                self.note("positional-only-parameters", text.start(node.posonlyargs[0]))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                self._decorator(decorator)
            self._type_params(node)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            if self._parenthesized_with(node):
                self.note("parenthesized-context-managers", text.start(node))
        elif _MATCH is not None and isinstance(node, _MATCH):
            self.note("match-statement", text.start(node))
        elif _TRY_STAR is not None and isinstance(node, _TRY_STAR):
            self.note("except-star", text.start(node))
        elif isinstance(node, ast.Subscript):
            index = node.slice
            if isinstance(index, ast.Tuple) and \
                    any(isinstance(e, ast.Starred) for e in index.elts) and \
                    not text.wrapped(index):  # `a[(*b,)]` is a tuple
                for element in index.elts:
                    if isinstance(element, ast.Starred):
                        self.note("starred-subscript", text.start(element))
        elif _TYPE_ALIAS is not None and isinstance(node, _TYPE_ALIAS):
            self.note("type-alias-statement", text.start(node))
            self._type_params(node)
        elif isinstance(node, ast.ExceptHandler):
            kind = node.type
            if isinstance(kind, ast.Tuple) and kind.elts and not text.wrapped(kind):
                self.note("except-without-parentheses", text.start(node))
        elif _TEMPLATE_STR is not None and isinstance(node, _TEMPLATE_STR):
            self.note("template-string", text.start(node))

    def _decorator(self, decorator: ast.expr) -> None:
        """Before PEP 614 a decorator is a dotted name, optionally called once, with no
        parentheses of its own (`@(d)` is 3.9 syntax too)."""
        dotted = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted
        while isinstance(name, ast.Attribute):
            name = name.value
        at = self.text.back(self.text.start(decorator), "(")  # libcst notes the `@`
        parenthesized = at is not None and "(" in self.text.slice(at, self.text.end(dotted))
        if not isinstance(name, ast.Name) or parenthesized:
            self.note("relaxed-decorator", at)

    def _type_params(self, node: ast.AST) -> None:
        params = getattr(node, "type_params", None)
        if not params:
            return
        # libcst notes the brackets, where ast's first parameter starts at its name.
        self.note("type-parameters", self.text.back(self.text.start(params[0])))
        for param in params:
            if getattr(param, "default_value", None) is not None:
                self.note("type-parameter-default", self.text.start(param))

    def _parenthesized_with(self, node: ast.With | ast.AsyncWith) -> bool:
        """`with (a as b, c):`, which Python 3.8 cannot parse. Without an `as` inside them
        the parentheses make an expression to 3.8 (`with (a, b):` is a tuple there, which
        fails only when run); with one, they may still be the first context manager's own
        (`with (a) as b:`, `with (a, b) as c:`)."""
        if all(item.optional_vars is None for item in node.items):
            return False
        text = self.text
        keyword = text.start(node)
        if isinstance(node, ast.AsyncWith):
            after_async = text.forward((keyword[0], keyword[1] + len("async")))
            if after_async is None:
                return False
            keyword = after_async
        paren = text.forward((keyword[0], keyword[1] + len("with")))
        if paren is None or text.char(paren) != "(":
            return False
        return text.unclosed(paren, node.items[0].context_expr)

    def _fstring(self, node: ast.JoinedStr, literal: ast.JoinedStr, depth: int) -> None:
        """The replacement fields of an f-string, or of a format spec `depth` specs deep
        inside one."""
        previous: ast.expr | None = None
        for value in node.values:
            if isinstance(value, ast.FormattedValue) and not (
                    self.later("fstring-self-documenting", value.value)
                    and self.later("fstring-pep701", value.value)):
                self._field(value, previous, literal, depth)
            previous = value

    def _field(self, value: ast.FormattedValue, previous: ast.expr | None,
               literal: ast.JoinedStr, depth: int) -> None:
        text = self.text
        located = self._located(value.value, literal)
        if located is None:
            return  # not where ast says: no position to report (never seen so far)
        brace, end = located  # libcst notes the field, from its `{`
        if depth >= 2:  # `f"{a:{b:{c}}}"`: before 3.12, specs nest one level only
            self.note("fstring-pep701", brace)
        # After the expression and its closing parentheses: `=` for `{x=}`, then `!`,
        # `:` or `}`.
        after = text.forward(end, ")")
        if after is None:
            return
        # ast keeps `x=` as the literal text before the value, as it does for f"x={x}".
        if text.char(after) == "=" and isinstance(previous, ast.Constant) and \
                isinstance(previous.value, str) and _DEBUG_TEXT.search(previous.value):
            self.note("fstring-self-documenting", brace)
            after = text.forward((after[0], after[1] + 1)) or after
        field = text.slice((brace[0], brace[1] + 1), after)
        if _PEP701_HOST and not _PEP701_CHARS.isdisjoint(field):
            quote = self._quote(literal, brace)
            if (quote is not None and _pep701(field, quote)) or \
                    ("#" in field and text.comment_between(brace, after)):
                self.note("fstring-pep701", brace)

    def _located(self, expression: ast.expr, literal: ast.JoinedStr,
                 ) -> tuple[Position, Position] | None:
        """The `{` of a replacement field, and where its expression ends."""
        text = self.text
        start, end = text.start(expression), text.end(expression)
        brace = text.back(start, "(")
        if text.char(brace) == "{" and brace is not None:
            return brace, end
        if sys.version_info >= (3, 10):
            return None
        # Python 3.9 places an expression on a later line of a multi-line string too far
        # right, by the string token's column + 1 (bytes): undo that.
        end_line = expression.end_lineno or expression.lineno
        end_column = expression.end_col_offset or 0
        for (line, column), (last, _), _ in self._spans_of(literal):
            if line < expression.lineno <= last:
                shift = len(text.lines[line - 1][:column].encode("utf-8")) + 1
                start = text.at(expression.lineno, expression.col_offset - shift)
                end = text.at(end_line, end_column - shift)
                brace = text.back(start, "(")
                if text.char(brace) == "{" and brace is not None:
                    return brace, end
        return None

    def _quote(self, literal: ast.JoinedStr, brace: Position) -> str | None:
        """The quotes of the string literal a replacement field sits in: an implicit
        concatenation mixes them (`'a' f"{b}"`), so the tokenizer says."""
        inside = [span for span in self._spans_of(literal) if span[0] < brace < span[1]]
        return max(inside)[2] if inside else None  # the innermost f-string around it

    def _spans_of(self, literal: ast.JoinedStr) -> list[tuple[Position, Position, str]]:
        spans = self._spans.get(id(literal))
        if spans is None:
            spans = self._spans[id(literal)] = self._literal_spans(literal)
        return spans

    def _literal_spans(self, literal: ast.JoinedStr) -> list[tuple[Position, Position, str]]:
        """(start, end, quotes) of each f-string in the literal's source."""
        text = self.text
        line, column = text.start(literal)
        source = "(" + text.slice((line, column), text.end(literal)) + ")"

        def place(row: int, col: int) -> Position:
            return (line, column + col - 1) if row == 1 else (line + row - 1, col)

        spans: list[tuple[Position, Position, str]] = []
        opened: list[tuple[Position, str]] = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type == _FSTRING_START:  # 3.12+: the parts are tokens
                    opened.append((place(*token.start), token.string))
                elif token.type == _FSTRING_END and opened:
                    start, prefix = opened.pop()
                    spans.append((start, place(*token.end), _quotes_of(prefix)))
                elif token.type == tokenize.STRING:  # before 3.12: one token each
                    spans.append((place(*token.start), place(*token.end),
                                  _quotes_of(token.string)))
        except (tokenize.TokenError, SyntaxError):
            pass  # spans found so far; a field outside them is not judged
        return spans


def _expressions(field: Any) -> Iterator[ast.expr]:
    """The expressions of a replacement field: its value's and its spec's fields'."""
    yield field.value
    spec = getattr(field, "format_spec", None)
    for value in spec.values if isinstance(spec, ast.JoinedStr) else ():
        if not isinstance(value, ast.Constant):
            yield from _expressions(value)


def _quotes_of(token: str) -> str:
    """The quotes a string token opens with (one quote character or three)."""
    body = token.lstrip("bBrRuUfFtT")
    return body[:3] if body[:3] in ("'''", '"""') else body[:1]


def _pep701(field: str, quotes: str) -> bool:
    """Whether a replacement field's expression (with its blanks and `=`) needs PEP 701:
    before 3.12 it could not hold the string's own quotes or a backslash (even inside a
    string of its own), nor a line break in a single-quoted string. (Nor a comment: the
    callers check that, since a `#` inside a string was always allowed.)"""
    return quotes in field or "\\" in field or (len(quotes) == 1 and "\n" in field)


def _cst_features(tree: cst.Module) -> dict[str, cst.CSTNode]:
    """The first node using each feature (libcst visits in source order)."""
    import libcst as cst

    found: dict[str, cst.CSTNode] = {}
    render = cst.Module(body=[]).code_for_node

    def plain_decorator(node: cst.BaseExpression) -> bool:
        """Before PEP 614: a dotted name, optionally called, with no parentheses."""
        if isinstance(node, cst.Call):
            if node.lpar:
                return False
            node = node.func
        while isinstance(node, cst.Attribute) and not node.lpar:
            node = node.value
        return isinstance(node, cst.Name) and not node.lpar

    def has_comment(node: cst.CSTNode) -> bool:
        class Comments(cst.CSTVisitor):
            seen = False

            def visit_Comment(self, node: cst.Comment) -> None:
                self.seen = True

        visitor = Comments()
        node.visit(visitor)
        return visitor.seen

    def fields(parts: Any, quotes: str, depth: int = 0) -> None:
        """The replacement fields of an f-string, those of its format specs included."""
        for part in parts:
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            if depth >= 2:  # `f"{a:{b:{c}}}"`: before 3.12, specs nest one level only
                found.setdefault("fstring-pep701", part)
            if isinstance(part.equal, cst.AssignEqual):
                found.setdefault("fstring-self-documenting", part)
            pieces: list[cst.CSTNode] = [part.whitespace_before_expression, part.expression,
                                         part.whitespace_after_expression]
            if isinstance(part.equal, cst.AssignEqual):
                pieces.append(part.equal)
            field = "".join(render(piece) for piece in pieces)
            if _pep701(field, quotes) or \
                    ("#" in field and any(has_comment(piece) for piece in pieces)):
                found.setdefault("fstring-pep701", part)
            if part.format_spec:
                fields(part.format_spec, quotes, depth + 1)

    class Features(cst.CSTVisitor):
        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            found.setdefault("assignment-expression", node)

        def visit_Parameters(self, node: cst.Parameters) -> None:
            if node.posonly_params or isinstance(node.posonly_ind, cst.ParamSlash):
                found.setdefault("positional-only-parameters", node)

        def visit_FormattedString(self, node: cst.FormattedString) -> None:
            fields(node.parts, node.start.lstrip("fFrRbB"))

        def visit_Decorator(self, node: cst.Decorator) -> None:
            if not plain_decorator(node.decorator):
                found.setdefault("relaxed-decorator", node)

        def visit_With(self, node: cst.With) -> None:
            # Without an `as` inside, Python 3.8 reads the parentheses as an expression
            # (`with (a, b):` is a tuple there, which fails only when run).
            if isinstance(node.lpar, cst.LeftParen) and \
                    any(item.asname is not None for item in node.items):
                found.setdefault("parenthesized-context-managers", node)

        def visit_Match(self, node: cst.Match) -> None:
            found.setdefault("match-statement", node)

        def visit_TryStar(self, node: cst.TryStar) -> None:
            found.setdefault("except-star", node)

        def visit_Index(self, node: cst.Index) -> None:
            if node.star:
                found.setdefault("starred-subscript", node)

        # The nodes below are missing from older libcst: typed loosely so that this
        # module type-checks against any version.
        def visit_TypeParameters(self, node: cst.CSTNode) -> None:
            found.setdefault("type-parameters", node)

        def visit_TypeParam(self, node: cst.CSTNode) -> None:
            if getattr(node, "default", None) is not None:
                found.setdefault("type-parameter-default", node)

        def visit_TypeAlias(self, node: cst.CSTNode) -> None:
            found.setdefault("type-alias-statement", node)

        def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
            self.handler(node)

        def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
            self.handler(node)  # `except* A, B:` needs 3.14 as much as `except A, B:`

        def handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
            if isinstance(node.type, cst.Tuple) and not node.type.lpar:
                found.setdefault("except-without-parentheses", node)

        def visit_TemplatedString(self, node: cst.CSTNode) -> None:
            found.setdefault("template-string", node)

    tree.visit(Features())
    return found
