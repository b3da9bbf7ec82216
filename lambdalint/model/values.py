"""A small, honest value-flow analysis of the function's own code (libcst, never run).

What it knows: which names hold an AWS SDK client or resource for a literal service
(`s3 = boto3.client("s3")`, `table = boto3.resource("dynamodb").Table("t")`, also
`boto3.Session().client("s3")` written inline), and so which calls are SDK calls
(`s3.put_object(...)`), including chained ones (`boto3.client("lambda").invoke(...)`).
Names bound in several places to different things are dropped. Limits (deliberate: when
unsure, stay silent): no flow through function arguments, return values of other modules,
attributes (`self.client`), a session bound to a name, containers or reassignment in loops;
a name is judged by its bindings anywhere in the module; `if __name__ == "__main__":` blocks
are not read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdalint.model.source import is_main_block

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


def string_value(node: cst.CSTNode | None) -> str | None:
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
        def __init__(self, into: dict[str, set[str]]) -> None:
            self.into = into

        def visit_If(self, node: cst.If) -> bool:
            return not is_main_block(node)

        def visit_Assign(self, node: cst.Assign) -> None:
            service = service_of(node.value)
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.into.setdefault(target.target.value, set()).add(service or "?")

    # Two passes: the second sees what the first bound, so a Table taken from a resource
    # that is bound further down the module is evident too.
    module.tree.visit(Bindings(bound))
    second: dict[str, set[str]] = {}
    module.tree.visit(Bindings(second))
    bound.clear()
    bound.update(second)
    found: list[SdkCall] = []

    class Calls(cst.CSTVisitor):
        def visit_If(self, node: cst.If) -> bool:
            return not is_main_block(node)

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute):
                service = service_of(func.value)
                if service is not None and service != "?":
                    found.append(SdkCall(node, service, func.attr.value))

    module.tree.visit(Calls())
    module.cache["sdk_calls"] = found
    return found


# ---- what an expression evidently is ------------------------------------------------------

DYNAMODB_READS = {"get_item": "ddb-response", "query": "ddb-response", "scan": "ddb-response",
                  "batch_get_item": "ddb-response"}


@dataclass(frozen=True)
class Value:
    """What an expression evidently evaluates to. ``kind`` is a row of data/values.json, a
    container (dict, list, tuple; ``items`` holds (key, value) pairs, keys None for
    sequences), a DynamoDB read (ddb-response, ddb-item, ddb-items: hold Decimal), or
    "unknown", which every rule treats as "stay silent"."""

    kind: str
    node: cst.CSTNode
    items: tuple[tuple[Value | None, Value], ...] = ()

    def find(self, wanted: Callable[[Value, bool], str | None], top: bool = True) -> \
            tuple[Value, str] | None:
        """The first value inside (itself included) for which ``wanted`` says why."""
        why = wanted(self, top)
        if why is not None:
            return self, why
        for key, item in self.items:
            if key is not None and key.kind == "tuple":
                return key, "a dict key that is a tuple"
            found = item.find(wanted, False)
            if found is not None:
                return found
        return None


class Evaluator:
    """Evaluates expressions of one module, inside one function (or at module level)."""

    def __init__(self, module: Module, function: cst.FunctionDef | None = None) -> None:
        import libcst as cst

        from lambdalint.data import value_tables

        self.module = module
        # A binding whose value is not followed (a name nothing else binds: always unknown).
        self.unknown: cst.BaseExpression = cst.Name("__unknown__")
        self.calls, self.binary_methods = value_tables()
        self.bindings: dict[str, list[cst.BaseExpression]] = {}
        self.helpers: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, str] = {}  # name -> dataclass | enum | class
        self.sdk = {id(call.node): call for call in sdk_calls(module)}
        for statement in module.tree.body:
            if isinstance(statement, cst.FunctionDef):
                self.helpers[statement.name.value] = statement
            elif isinstance(statement, cst.ClassDef):
                self.classes[statement.name.value] = self._class_kind(statement)
        self._collect(module.tree.body)
        if function is not None:
            params = function.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params,
                          *[p for p in (params.star_arg, params.star_kwarg)
                            if isinstance(p, cst.Param)]):
                self.bindings.setdefault(param.name.value, []).append(self.unknown)
            self._collect(function.body.body)

    def _collect(self, statements: Sequence[cst.CSTNode]) -> None:
        """Names bound by plain assignments, anywhere in these statements (not nested defs)."""
        import libcst as cst

        bindings, unknown_value = self.bindings, self.unknown

        def unknown(name: str) -> None:
            bindings.setdefault(name, []).append(unknown_value)

        class Assignments(cst.CSTVisitor):
            # Every way a name gets bound counts; only a plain assignment says to what.
            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                unknown(node.name.value)
                return False

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                unknown(node.name.value)
                return False

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                for name in _names(node.target):
                    bindings.setdefault(name, []).append(node.value or unknown_value)

            def visit_AsName(self, node: cst.AsName) -> None:  # with/except/import … as x
                for name in _names(node.name):
                    unknown(name)

            def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
                for name in _names(node.target):
                    unknown(name)

            def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
                if node.asname is None:
                    unknown((cst.Module(body=[]).code_for_node(node.name)).split(".")[0])

            def visit_Assign(self, node: cst.Assign) -> None:
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        bindings.setdefault(target.target.value, []).append(node.value)
                    else:  # unpacking: names bound this way are not followed
                        for name in _names(target.target):
                            unknown(name)

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                for name in _names(node.target):
                    unknown(name)

            def visit_For(self, node: cst.For) -> None:
                for name in _names(node.target):
                    unknown(name)

        for statement in statements:
            statement.visit(Assignments())

    def _class_kind(self, node: cst.ClassDef) -> str:
        decorators = {self.module.tree.code_for_node(d.decorator).split("(")[0]
                      for d in node.decorators}
        if decorators & {"dataclass", "dataclasses.dataclass"}:
            return "dataclass"
        bases = [self.module.tree.code_for_node(b.value) for b in node.bases]
        if any(b.split(".")[-1] == "Enum" for b in bases) and not any(
                b in ("str", "int") or b.split(".")[-1] in ("StrEnum", "IntEnum", "IntFlag")
                for b in bases):
            return "enum"
        return "class"

    def value(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        import libcst as cst

        if depth > 6:
            return Value("unknown", node)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            text = self.module.tree.code_for_node(node).lstrip("rRuU")
            return Value("bytes" if text[:1] in "bB" else "str", node)
        if isinstance(node, cst.Integer):
            return Value("int", node)
        if isinstance(node, cst.Float):
            return Value("float", node)
        if isinstance(node, cst.Name):
            return self._name(node, depth)
        if isinstance(node, (cst.Set, cst.SetComp)):
            return Value("set", node)
        if isinstance(node, cst.GeneratorExp):
            return Value("generator", node)
        if isinstance(node, cst.Dict):
            return Value("dict", node, tuple(
                (self.value(e.key, depth + 1), self.value(e.value, depth + 1))
                for e in node.elements if isinstance(e, cst.DictElement)))
        if isinstance(node, (cst.List, cst.Tuple)):
            return Value("list" if isinstance(node, cst.List) else "tuple", node, tuple(
                (None, self.value(e.value, depth + 1)) for e in node.elements
                if isinstance(e, cst.Element)))
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, cst.Subscript):
            base = self.value(node.value, depth + 1)
            index = node.slice[0].slice if len(node.slice) == 1 else None
            key = string_value(index.value) if isinstance(index, cst.Index) else None
            if base.kind == "ddb-response" and key in ("Item", "Items"):
                return Value("ddb-item" if key == "Item" else "ddb-items", node)
            return Value("unknown", node)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and \
                self.classes.get(node.value.value) == "enum":
            return Value("enum", node)
        return Value("unknown", node)

    def _name(self, node: cst.Name, depth: int) -> Value:
        if node.value in ("True", "False"):
            return Value("bool", node)
        if node.value == "None":
            return Value("none", node)
        bound = self.bindings.get(node.value, [])
        if len(bound) != 1:  # a parameter, or bound several times: unsure
            return Value("unknown", node)
        return self.value(bound[0], depth + 1)

    def _call(self, node: cst.Call, depth: int) -> Value:
        import libcst as cst

        for name in self.module.qualified_names(node.func):
            if name in self.calls:
                return Value(self.calls[name], node)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in self.binary_methods:
            return Value("binary", node)
        sdk = self.sdk.get(id(node))
        if sdk is not None and sdk.service == "dynamodb.Table" and sdk.method in DYNAMODB_READS:
            return Value(DYNAMODB_READS[sdk.method], node)
        if isinstance(func, cst.Name):
            kind = self.classes.get(func.value)
            if kind == "dataclass":
                return Value("dataclass", node)
            helper = self.helpers.get(func.value)
            if helper is not None:
                return self._helper(helper, node, depth)
        return Value("unknown", node)

    def _helper(self, helper: cst.FunctionDef, call: cst.Call, depth: int) -> Value:
        if helper.asynchronous is not None:
            return Value("coroutine", call)
        returns = [r.value for r in returns_of(helper) if r.value is not None]
        if is_generator(helper):
            return Value("generator", call)
        if len(returns) != 1:  # several exits: judged only when there is exactly one
            return Value("unknown", call)
        inner = Evaluator(self.module, helper)
        return inner.value(returns[0], depth + 1)


def returns_of(function: cst.FunctionDef) -> list[cst.Return]:
    """The return statements of a function itself (not of nested functions or lambdas)."""
    import libcst as cst

    found: list[cst.Return] = []

    class Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

    function.visit(Returns())
    return found


def is_generator(function: cst.FunctionDef) -> bool:
    import libcst as cst

    found = False

    class Yields(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Yield(self, node: cst.Yield) -> None:
            nonlocal found
            found = True

    function.visit(Yields())
    return found


def _names(target: cst.BaseExpression) -> list[str]:
    import libcst as cst

    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    return []


# ---- values taken from the event -------------------------------------------------------

S3_EVENT_FIELDS = {("s3", "object", "key"): "key", ("s3", "bucket", "name"): "bucket"}


def s3_event_field(node: cst.CSTNode) -> str | None:
    """'key' or 'bucket' for `…["s3"]["object"]["key"]` / `…["s3"]["bucket"]["name"]`."""
    import libcst as cst

    keys: list[str] = []
    while isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        key = string_value(index.value) if isinstance(index, cst.Index) else None
        keys.insert(0, key or "?")
        node = node.value
    for pattern, field in S3_EVENT_FIELDS.items():
        if tuple(keys[-3:]) == pattern:
            return field
    return None


@dataclass(frozen=True)
class EventFlow:
    """Where S3 event fields go inside one function."""

    # names bound to an S3 event field: name -> (field, the subscript node)
    names: dict[str, tuple[str, cst.CSTNode]]
    # names passed through urllib.parse.unquote_plus / unquote
    unquoted: set[str]

    def decoded(self, node: cst.CSTNode) -> bool:
        """A local name that the function passes through unquote_plus somewhere."""
        import libcst as cst

        return isinstance(node, cst.Name) and node.value in self.unquoted


UNQUOTE = {"urllib.parse.unquote_plus", "urllib.parse.unquote"}


def event_flow(module: Module, function: cst.FunctionDef) -> EventFlow:
    import libcst as cst

    names: dict[str, tuple[str, cst.CSTNode]] = {}
    unquoted: set[str] = set()

    class Flow(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            field = s3_event_field(node.value)
            for target in node.targets:
                if isinstance(target.target, cst.Name) and field is not None:
                    names[target.target.value] = (field, node.value)

        def visit_Call(self, node: cst.Call) -> None:
            if module.qualified_names(node.func) & UNQUOTE:
                for arg in node.args:
                    if isinstance(arg.value, cst.Name):
                        unquoted.add(arg.value.value)

    function.visit(Flow())
    return EventFlow(names, unquoted)


def event_field_of(flow: EventFlow, node: cst.CSTNode) -> tuple[str, cst.CSTNode] | None:
    """The S3 event field an argument carries (directly, or through a local name)."""
    import libcst as cst

    field = s3_event_field(node)
    if field is not None:
        return field, node
    if isinstance(node, cst.Name):
        return flow.names.get(node.value)
    return None


def calls_with_flow(module: Module) -> list[tuple[cst.FunctionDef, EventFlow, SdkCall]]:
    """Each SDK call inside a top-level function, with that function's S3 event flow."""
    from lambdalint.model.source import descendants, functions

    cached = module.cache.get("calls_with_flow")
    if isinstance(cached, list):
        return cached
    calls = sdk_calls(module)
    found = []
    for function in functions(module):
        inside = {id(node) for node in descendants(function)}
        flow = event_flow(module, function)
        found += [(function, flow, call) for call in calls if id(call.node) in inside]
    module.cache["calls_with_flow"] = found
    return found


def environment_key(module: Module, node: object) -> str | None:
    """The environment variable an expression reads (`os.environ["X"]`, `os.environ.get("X")`,
    `os.getenv("X")`), directly or through a module-level name bound once to such a read."""
    import libcst as cst

    if isinstance(node, cst.Name):
        bound = [s.value for s in module_assignments(module, node.value)]
        return environment_key(module, bound[0]) if len(bound) == 1 else None
    if isinstance(node, cst.Subscript) and module.qualified_names(node.value) & {"os.environ"} \
            and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    if isinstance(node, cst.Call) and node.args and \
            module.qualified_names(node.func) & {"os.getenv", "os.environ.get"}:
        return string_value(node.args[0].value)
    return None


def module_assignments(module: Module, name: str) -> list[cst.Assign]:
    import libcst as cst

    found = []
    for statement in module.tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name
                    for t in small.targets):
                found.append(small)
    return found
