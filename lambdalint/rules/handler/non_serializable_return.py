from __future__ import annotations

import functools
from collections.abc import Iterator

from lambdalint.advice import code_fix
from lambdalint.data import unserializable_kinds
from lambdalint.finding import Applicability, Finding, Fix, Related, Severity
from lambdalint.model.code.program import Returned, code_of
from lambdalint.model.code.span import Span
from lambdalint.model.code.values import Value, kind_of, walk, why_all
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


def marshaller_rejects(value: Value, role: str) -> str | None:
    """Why the runtime's marshaller (simplejson) rejects a value, if it does. Decimal,
    tuples, namedtuples, str/int enums and NaN pass; top-level bytes pass raw."""
    kind = kind_of(value)
    if role == "key" and kind == "tuple":
        return "a dict key that is a tuple"
    kinds = unserializable_kinds()
    if kind in kinds:
        return kinds[kind]
    if kind == "binary" and role != "top":
        return "bytes that are evidently binary (nested bytes are decoded as UTF-8)"
    return None


def rejected(value: Value) -> tuple[str, Value] | None:
    """The first thing inside a returned value that the marshaller evidently rejects."""
    for inner, role in walk(value):
        found = why_all(inner, functools.partial(marshaller_rejects, role=role))
        if found is not None:
            return found
    return None


# What the fix converts, and how: sorted(…), .isoformat(), str(…).
CONVERTED = frozenset({"set", "frozenset", "datetime", "date", "time", "uuid"})


def _inside(span: object, outer: Span) -> Span | None:
    """``span`` when it lies within ``outer`` (the same module)."""
    if not isinstance(span, Span) or (span.path, span.member) != (outer.path, outer.member):
        return None
    starts_after = (span.line, span.column) >= (outer.line, outer.column)
    ends_before = (span.end_line, span.end_column) <= (outer.end_line, outer.end_column)
    return span if starts_after and ends_before else None


class NonSerializableReturn(Rule):
    """
    ## What it does
    Follows the handler's `return` statements (through local and module-level names, loops,
    comprehensions, `append`s and the helper functions it calls, in its module or a sibling
    module) and reports values the runtime's marshaller rejects, also inside returned
    dicts and lists: sets, datetimes, `uuid.UUID`, dataclass and plain class instances,
    plain `Enum` members, generators, coroutines, `bytearray`, tuple dict keys, and bytes
    that are evidently binary (compress output, digests, `os.urandom`). A handler that
    `yield`s returns a generator. The finding is on the `return`, with the place where the
    value is made as a related location. It follows the runtime's real marshaller, simplejson:
    `Decimal`, tuples, namedtuples, `str`/`int` enums and NaN are fine, and top-level bytes
    are passed through raw. Values it cannot tell are not reported.

    ## Why is this bad?
    The handler runs to the end, then the invocation fails: `Runtime.MarshalError: Unable
    to marshal response: Object of type set is not JSON serializable`.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import datetime\\n\\
        \\ndef handler(event, context):\\n    return {"at": datetime.datetime.now()}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=import datetime\\n\\
        \\ndef handler(event, context):\\n    return {"at": datetime.datetime.now().isoformat()}\\n
    ```

    ## Fix
    Convert before returning: `.isoformat()` for datetimes, `str(uuid)`, `sorted(a_set)`,
    `dataclasses.asdict(obj)`, `member.value` for enums, base64 text for binary data.
    With `--unsafe-fixes`, `lambdalint check --fix` makes those conversions of a set, a
    datetime, a date, a time or a UUID where the `return` states it: the returned value
    itself, or the expression inside the returned dict or list that makes it (unsafe: the
    caller receives a list or a string instead).

    ## References
    - [Define Lambda function handler in Python: return values](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    - [aws-lambda-python-runtime-interface-client: lambda_runtime_marshaller.py](https://github.com/aws/aws-lambda-python-runtime-interface-client)
    """

    id = "LL405"
    name = "non-serializable-return"
    severity = Severity.ERROR
    function_code = True
    summary = "The handler returns a value the runtime cannot marshal (set, datetime, UUID…)"
    needs = ("handler",)
    tags = ("handler",)
    fixes = (Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        code = code_of(deployment, ctx)
        handler = code.handler
        if handler is None or handler.decorated or handler.is_async:
            return  # a decorator may convert what it returns; async def is LL404's
        if handler.yields:
            yield self.in_code(
                handler.span, key="generator",
                message=(f"handler {handler.name} yields, so it returns a generator: "
                         "Runtime.MarshalError (Object of type generator is not JSON "
                         "serializable)"),
                fix="return a list (or a dict) instead of yielding")
            return
        for returned in code.handler_returns():
            found = rejected(returned.value)
            if found is None:
                continue
            why, value = found
            yield self.in_code(
                returned.span, key=kind_of(value) or "",
                message=(f"the handler returns {why}, which the runtime cannot marshal: "
                         "Runtime.MarshalError (… is not JSON serializable)"),
                related=Related.to(value.origin, f"{why} is made here"),
                fix=self._fix(deployment, returned, value))

    @staticmethod
    def _fix(deployment: Deployment, returned: Returned, value: Value) -> Fix:
        """The conversion where the return states the value: the whole returned value, or
        the expression that makes it inside the return."""
        advice = "convert it before returning (isoformat(), str(), sorted(), asdict())"
        kind = kind_of(value)
        if kind not in CONVERTED:
            return Fix(advice=advice)
        if why_all(returned.value, functools.partial(marshaller_rejects, role="top")):
            target: Span | None = returned.span
        else:
            target = _inside(getattr(value, "origin", None), returned.span)
        if target is None:
            return Fix(advice=advice)
        return code_fix(deployment, target, advice, Applicability.UNSAFE,
                        "serializable_return", kind=kind)
