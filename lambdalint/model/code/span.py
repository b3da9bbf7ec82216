"""Where something is in the function's own code, in lambdalint's terms (not a parser's)."""

from __future__ import annotations

from lambdalint.records import record


@record(frozen=True)
class Span:
    """A range of a module: the input (``path``, as the user named it), the file inside it
    (``member``), 1-based lines and 1-based columns counted in characters."""

    path: str
    member: str
    line: int
    column: int
    end_line: int
    end_column: int
