"""What the code parsers may be given: a module is measured before it is analysed.

The running interpreter's `ast` reads the function's code; its tree is analysed only if no
statement is deeper than the facts pass can recurse and the module is not absurdly large.
libcst reads only what the host's `ast` cannot (newer syntax, for LL209, or a syntax error,
for LL002), and must never be given input that can crash it: libcst's native parser
dies with SIGSEGV on a few thousand nested parentheses or unary operators (`not not …`,
`- - …`, `lambda: lambda: …`), and takes quadratic time in the depth of an expression
(a 10,000-term `a + b + …` runs for minutes). CPython's own parser refuses all of these
with an exception, so the interpreter measures first:

- a module over the size cap is not read (configurable: `max-source-size`);
- one the running interpreter parses is analysed unless it is deeper than the facts pass
  can recurse (a note says so); the size cap bounds its node count;
- one the running interpreter rejects as too deep or too complex (RecursionError,
  MemoryError) is not read: CPython's limits are the runtime's too;
- one it rejects for its syntax (newer syntax than the host's, or none at all) goes to
  libcst, which judges the version (LL209) or the error (LL002), only if its tokens stay
  within CPython's limits: 200 nested brackets, 100 levels of indentation, short runs of
  prefix operators, and long statements within the same depth² budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdalint.records import field, record

if TYPE_CHECKING:
    import ast

# The parser and the tokenizer are imported where they are used: the configuration reads
# the limits below in every run, and a zip-only check never parses source.

DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024
# CPython's tokenizer refuses more nested brackets (MAXLEVEL) and indentation (MAXINDENT).
MAX_BRACKETS = 200
MAX_INDENT = 100
# Prefix operators in a row (`not not …`, `- - …`, `lambda: lambda: …`): each nests once.
MAX_PREFIX_RUN = 100
# libcst's time grows with the square of an expression's depth (about 4.5e-8 s per depth²
# unit measured on a left-nested `a + b + …`): this budget is about two seconds.
MAX_DEPTH_SQUARED = 40_000_000
TOO_DEEP = "nested too deeply for lambdalint to analyse"
PREFIX_OPERATORS = frozenset({"not", "await", "lambda", "-", "+", "~", "*", "**"})


@record(frozen=True)
class Verdict:
    """Whether the module may be analysed; if not, why, and whether it is a syntax error
    the runtime would also raise (LL002) or only too much for lambdalint (a note).

    A readable verdict carries the host's ``tree``; readable without a tree means the host
    cannot parse it but libcst may read it safely (newer syntax, or a syntax error)."""

    readable: bool
    reason: str = ""
    syntax_error: bool = False
    tree: ast.Module | None = field(default=None, compare=False, repr=False)


READABLE = Verdict(True)


def measure(data: bytes, max_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> Verdict:
    if len(data) > max_bytes:
        return Verdict(False, f"larger than max-source-size ({max_bytes:,} bytes)")
    if b"\x00" in data:
        return Verdict(False, "it contains NUL bytes", syntax_error=True)
    import ast
    import warnings

    try:
        # The compiler's SyntaxWarnings ("invalid escape sequence" in a user's regex) are
        # about the code checked, not lambdalint's to print on its stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return Verdict(False, f"{TOO_DEEP} (Python itself refuses it)")
    except SyntaxError:
        return _tokens(data)
    except ValueError as exc:  # source the compiler cannot take at all
        return Verdict(False, str(exc), syntax_error=True)
    # A tree deeper than the facts pass can recurse is found there (RecursionError: a note).
    return Verdict(True, tree=tree)


def _tokens(data: bytes) -> Verdict:
    """The same limits, measured on tokens, for source the host cannot parse."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return Verdict(False, f"not valid source text: {exc}", syntax_error=True)
    brackets = indent = run = statement = total = 0
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            kind, text = token.type, token.string
            if kind == tokenize.INDENT:
                indent += 1
            elif kind == tokenize.DEDENT:
                indent -= 1
            elif kind == tokenize.OP and text in "([{":
                brackets += 1
            elif kind == tokenize.OP and text in ")]}":
                brackets -= 1
            if indent > MAX_INDENT:
                return Verdict(False, "too many levels of indentation", syntax_error=True)
            if brackets > MAX_BRACKETS:
                return Verdict(False, "too many nested parentheses", syntax_error=True)
            if text != ":":  # `lambda: lambda: …` nests as deep as `not not …`
                run = run + 1 if text in PREFIX_OPERATORS else 0
            if run > MAX_PREFIX_RUN:
                return Verdict(False, TOO_DEEP)
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                total += statement * statement
                statement = 0
            elif kind not in (tokenize.NL, tokenize.COMMENT):
                statement += 1
            if total + statement * statement > MAX_DEPTH_SQUARED:
                return Verdict(False, "statements too long to analyse in good time")
    except (SyntaxError, tokenize.TokenError):
        # Newer syntax may not tokenize on an older host: a coarse count decides.
        return _coarse(data)
    return READABLE


def _coarse(data: bytes) -> Verdict:
    """Bracket depth and operator runs over the raw bytes (strings included: it only ever
    errs on the side of not reading)."""
    depth = deepest = 0
    for byte in data:
        if byte in b"([{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b")]}":
            depth = max(depth - 1, 0)
    if deepest > MAX_BRACKETS:
        return Verdict(False, "too many nested parentheses", syntax_error=True)
    longest = max((len(line) for line in data.splitlines()), default=0)
    if longest * longest > MAX_DEPTH_SQUARED:
        return Verdict(False, "lines too long to analyse in good time")
    return READABLE
