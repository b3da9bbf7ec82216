from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import unserializable_kinds
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.resolution import resolve
from lambdalint.model.values import Evaluator, Value, is_generator, returns_of
from lambdalint.rules import Rule


def marshaller_rejects(value: Value, top: bool) -> str | None:
    """Why the runtime's marshaller (simplejson, reference §3) rejects a value, if it does.
    Decimal, tuples, namedtuples, str/int enums and NaN pass; top-level bytes pass raw."""
    kinds = unserializable_kinds()
    if value.kind in kinds:
        return kinds[value.kind]
    if value.kind == "binary" and not top:
        return "bytes that are evidently binary (nested bytes are decoded as UTF-8)"
    return None


class NonSerializableReturn(Rule):
    """
    ## What it does
    Follows the handler's `return` statements (through local variables and simple helper
    functions of the same module) and reports values the runtime's marshaller rejects, also
    inside returned dicts and lists: sets, datetimes, `uuid.UUID`, dataclass instances,
    plain `Enum` members, generators, coroutines, `bytearray`, tuple dict keys, and bytes
    that are evidently binary (compress output, digests, `os.urandom`). A handler that
    `yield`s returns a generator. It follows the runtime's real marshaller, simplejson:
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

    ## References
    - [Define Lambda function handler in Python: return values](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    - [aws-lambda-python-runtime-interface-client: lambda_runtime_marshaller.py](https://github.com/aws/aws-lambda-python-runtime-interface-client)
    """

    id = "LL405"
    name = "non-serializable-return"
    severity = Severity.ERROR
    summary = "The handler returns a value the runtime cannot marshal (set, datetime, UUID…)"
    needs = ("handler",)
    tags = ("handler",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        import libcst as cst

        resolution = resolve(deployment, ctx)
        handler, module = resolution.definition, resolution.module
        if not isinstance(handler, cst.FunctionDef) or module is None or \
                handler.asynchronous is not None:
            return  # instances are not followed; async def is LL404's
        if is_generator(handler):
            line, column = module.position(handler)
            yield self.finding(
                module.artifact, member=module.member.name, line=line, column=column,
                key="generator",
                message=(f"handler {handler.name.value} yields, so it returns a generator: "
                         "Runtime.MarshalError (Object of type generator is not JSON "
                         "serializable)"),
                fix="return a list (or a dict) instead of yielding")
            return
        evaluator = Evaluator(module, handler)
        for statement in returns_of(handler):
            if statement.value is None:
                continue
            found = evaluator.value(statement.value).find(marshaller_rejects)
            if found is None:
                continue
            value, why = found
            line, column = module.position(value.node)
            yield self.finding(
                module.artifact, member=module.member.name, line=line, column=column,
                key=value.kind,
                message=(f"the handler returns {why}, which the runtime cannot marshal: "
                         "Runtime.MarshalError (… is not JSON serializable)"),
                fix="convert it before returning (isoformat(), str(), sorted(), asdict())")
