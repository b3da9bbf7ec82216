"""A small, honest value-flow analysis of the function's own code (libcst, never run).

What it knows: which names hold an AWS SDK client or resource for a literal service
(`s3 = boto3.client("s3")`, `table = boto3.resource("dynamodb").Table("t")`, also through a
`boto3.Session()`), and so which calls are SDK calls (`s3.put_object(...)`), including chained
ones (`boto3.client("lambda").invoke(...)`). Names bound in several places to different
things are dropped. Limits (deliberate: when unsure, stay silent): no flow through function
arguments, return values of other modules, attributes (`self.client`), containers or
reassignment in loops; a name is judged by its bindings anywhere in the module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from lambdalint.model.source import Module

CLIENT_FACTORIES = ("boto3.client", "boto3.resource", "boto3.session.Session.client",
                    "boto3.session.Session.resource", "boto3.Session.client",
                    "boto3.Session.resource")


@dataclass(frozen=True)
class SdkCall:
    node: cst.Call
    service: str  # "lambda", "s3", "dynamodb.Table" …
    method: str

    def keyword(self, name: str) -> cst.BaseExpression | None:
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.value
        return None

    def positional(self, index: int) -> cst.BaseExpression | None:
        args = [a for a in self.node.args if a.keyword is None and not a.star]
        return args[index].value if index < len(args) else None


def string_value(node: cst.BaseExpression | None) -> str | None:
    import libcst as cst

    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None


def sdk_calls(module: Module) -> list[SdkCall]:
    cached = module.cache.get("sdk_calls")
    if isinstance(cached, list):
        return cached
    import libcst as cst

    bound: dict[str, set[str]] = {}

    def service_of(node: cst.BaseExpression) -> str | None:
        """The service an expression evidently evaluates to a client/resource of."""
        if isinstance(node, cst.Name):
            services = bound.get(node.value, set())
            return next(iter(services)) if len(services) == 1 else None
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        if module.qualified_names(func) & set(CLIENT_FACTORIES) or (
                isinstance(func, cst.Attribute) and func.attr.value in ("client", "resource")
                and isinstance(func.value, cst.Call)
                and module.qualified_names(func.value.func) & {"boto3.Session",
                                                               "boto3.session.Session"}):
            args = [a for a in node.args if a.keyword is None or
                    a.keyword.value == "service_name"]
            return string_value(args[0].value) if args else None
        if isinstance(func, cst.Attribute) and func.attr.value == "Table" and \
                service_of(func.value) == "dynamodb":
            return "dynamodb.Table"
        return None

    class Bindings(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            service = service_of(node.value)
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    bound.setdefault(target.target.value, set()).add(service or "?")

    # Two passes: a resource bound first may make a Table bound later evident.
    for _ in range(2):
        bound.clear()
        module.tree.visit(Bindings())
    found: list[SdkCall] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute):
                service = service_of(func.value)
                if service is not None and service != "?":
                    found.append(SdkCall(node, service, func.attr.value))

    module.tree.visit(Calls())
    module.cache["sdk_calls"] = found
    return found
