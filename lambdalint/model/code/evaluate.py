"""What expressions of the function's own code evaluate to, in the lattice of `values.py`.

One evaluator per deployment's code (its modules, its handler, its environment): the value
of a name is the join of all its bindings in the scope Python finds it in; a parameter of
an own function is the join of the arguments of every call to it in the own code (the
handler's are the event and the context); a call to an own function is the join of its
returns, also across modules. Results are memoised per expression; a step budget and a
depth cap bound the work on any input, and a cycle (a name defined through itself) is
UNKNOWN.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from lambdalint.data import value_tables
from lambdalint.model.code.semantic import (
    Binding,
    CallSite,
    ClassFacts,
    FunctionFacts,
    Scope,
    Source,
)
from lambdalint.model.code.span import Span
from lambdalint.model.code.values import (
    MAX_ITEMS,
    NONE,
    NOTHING,
    UNKNOWN,
    Const,
    Container,
    FromContext,
    FromEnvironment,
    FromEvent,
    Made,
    Reference,
    Sdk,
    Text,
    Value,
    alternatives,
    definite,
    join,
    text_of,
    the,
)

if TYPE_CHECKING:
    from lambdalint.model.code.modules import CodeModule

MAX_DEPTH = 60
MAX_STEPS = 400_000
BUILTINS = frozenset(dir(builtins))
# Known calls beyond data/values.json's table: what they make is a value of its own kind.
SDK_FACTORIES = {"boto3.client": "client", "boto3.resource": "resource",
                 "boto3.session.Session.client": "client",
                 "boto3.session.Session.resource": "resource"}
SESSIONS = {"boto3.Session", "boto3.session.Session"}
ENVIRONMENT_READS = {"os.getenv", "os.environ.get"}
UNQUOTE = {"urllib.parse.unquote_plus", "urllib.parse.unquote"}
PATHS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"}
PLAIN_DATA = {"json.loads", "json.load", "simplejson.loads"}
COPIES = {"copy.copy", "copy.deepcopy"}
SAME_ELEMENTS = {"builtins.list": "list", "builtins.tuple": "tuple", "builtins.set": "set",
                 "builtins.frozenset": "frozenset", "builtins.sorted": "list",
                 "builtins.reversed": "iterator", "builtins.iter": "iterator",
                 "builtins.filter": "iterator"}
TABLE_READS = {"get_item", "query", "scan", "batch_get_item"}
# Methods that add to a container, and whether their argument is one item or many.
GROWING = {"append": "item", "add": "item", "insert": "item", "appendleft": "item",
           "extend": "items", "update": "items", "setdefault": "item"}
TEXT_KINDS = ("str", "path")
# A kind from data/values.json that is a plain Python type is that type in the lattice.
PLAIN_KINDS = {"str", "int", "float", "bool", "bytes"}


class Evaluator:
    """Evaluates expressions of one deployment's own code."""

    def __init__(self, modules: list[CodeModule], handler: FunctionFacts | None,
                 environment: dict[str, str | None]) -> None:
        self.modules = {m.name: m for m in modules}
        self.by_scope = {id(m.facts.module): m for m in modules}
        self.handler = handler
        self.environment = environment
        self.calls_table, self.binary_methods = value_tables()
        self.functions: dict[str, tuple[FunctionFacts, CodeModule]] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.escaping: set[str] = set()
        for module in modules:
            facts = module.facts
            for function in facts.functions:
                self.functions[f"{module.name}.{function.qualname}"] = (function, module)
            for cls in facts.classes:
                self.classes[f"{module.name}.{cls.qualname}"] = cls
            self.escaping |= facts.escaping
        self._memo: dict[tuple[int, int], Value] = {}
        self._names: dict[tuple[int, str], Value] = {}
        self._returns: dict[int, Value] = {}
        self._active: set[object] = set()
        self._sites: dict[int, list[tuple[CallSite, CodeModule]]] | None = None
        self.depth = 0
        self.steps = 0
        # Set when a value was cut short by the depth cap or the step budget: such a value
        # is not kept, so that the order in which rules ask never changes an answer.
        self.truncated = False

    # ---- entry points ------------------------------------------------------------------

    def value(self, node: ast.expr, scope: Scope) -> Value:
        # Byte-identical files share one tree: a node is known by its module too.
        key = (id(node), id(scope.root))
        if key not in self._memo and (self.depth > MAX_DEPTH or self.steps > MAX_STEPS):
            self.truncated = True
            return UNKNOWN
        self.steps += 1
        self.depth += 1
        try:
            return self._memoised(self._memo, key, lambda: self._value(node, scope))
        finally:
            self.depth -= 1

    def _memoised(self, memo: dict[Any, Value], key: object,
                  compute: Callable[[], Value]) -> Value:
        """``compute()``, kept in ``memo`` unless it was cut short; UNKNOWN for a value
        asked for while it is being computed (a name defined through itself)."""
        cached = memo.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        outer, self.truncated = self.truncated, False
        try:
            found = compute()
        finally:
            self._active.discard(key)
            cut, self.truncated = self.truncated, outer or self.truncated
        if not cut:
            memo[key] = found
        return found

    def module_of(self, scope: Scope) -> CodeModule:
        return self.by_scope[id(scope.root)]

    def returns(self, function: FunctionFacts) -> Value:
        """The join of what an own function returns (None when it falls off the end)."""
        def compute() -> Value:
            found: list[Value] = [self.value(r.value, function.scope) if r.value is not None
                                  else NONE for r in function.returns]
            if not _always_returns(function.node.body):
                found.append(NONE)
            return join(found)

        return self._memoised(self._returns, id(function), compute)

    def call_sites(self, function: FunctionFacts) -> list[tuple[CallSite, CodeModule]]:
        """The calls of an own function in the own code (by name, through imports)."""
        if self._sites is None:
            self._sites = {}
            names = {f.name for f, _ in self.functions.values()}
            for module in self.modules.values():
                for site in module.facts.calls:
                    func = site.node.func
                    last = func.id if isinstance(func, ast.Name) else \
                        func.attr if isinstance(func, ast.Attribute) else None
                    if last not in names:
                        continue
                    target = self.own_function(self.value(func, site.scope))
                    if target is not None:
                        self._sites.setdefault(id(target), []).append((site, module))
        return self._sites.get(id(function), [])

    def own_function(self, value: Value) -> FunctionFacts | None:
        reference = the(value, Reference)
        if reference is None or reference.kind != "function":
            return None
        found = self.functions.get(reference.own)
        return found[0] if found is not None else None

    def qualified(self, value: Value) -> str | None:
        """The qualified name a callee evidently is ("boto3.client"), if imported."""
        reference = the(value, Reference)
        return reference.qualified or None if reference is not None else None

    # ---- names -------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose binding of ``name`` Python uses from ``scope``."""
        if name in scope.declared_global:
            module = self.module_of(scope).facts.module
            return module if name in module.bindings else None
        current: Scope | None = scope
        while current is not None:
            if (current is scope or current.kind != "class") and name in current.bindings:
                return current
            current = current.parent
        return None

    def name(self, name: str, scope: Scope) -> Value:
        defining = self.lookup(name, scope)
        if defining is None:
            if name in ("True", "False"):
                return Const("bool", name == "True")
            return Reference(qualified=f"builtins.{name}") if name in BUILTINS else UNKNOWN
        return self._memoised(self._names, (id(defining), name), lambda: self._grown(
            join([self.binding(b) for b in defining.bindings[name]]), name, defining))

    def binding(self, binding: Binding) -> Value:
        return self.source(binding.source, binding.scope)

    def source(self, source: Source, scope: Scope) -> Value:
        kind = source.kind
        if kind == "value" and source.expr is not None:
            return self.value(source.expr, scope)
        if kind == "element" and source.expr is not None:
            return self.elements(self.value(source.expr, scope))
        if kind == "unpack" and source.parent is not None:
            return self.item(self.source(source.parent, scope), source.index)
        if kind == "enter" and source.expr is not None:
            return self.entered(self.value(source.expr, scope))
        if kind == "parameter" and source.function is not None:
            return self.parameter(source.function, source.index, source.name)
        if kind == "import":
            return self.imported(source.qualified)
        if kind == "function" and isinstance(source.definition, FunctionFacts):
            module = self.module_of(scope)
            return Reference(own=f"{module.name}.{source.definition.qualname}",
                             kind="function")
        if kind == "class" and isinstance(source.definition, ClassFacts):
            module = self.module_of(scope)
            return Reference(own=f"{module.name}.{source.definition.qualname}", kind="class")
        return UNKNOWN

    def imported(self, qualified: str) -> Value:
        """An imported name: an own module, a name bound in an own module, or a reference."""
        if qualified in self.modules:
            return Reference(own=qualified, kind="module")
        owner, _, attribute = qualified.rpartition(".")
        module = self.modules.get(owner)
        if module is not None and attribute in module.facts.module.bindings:
            return self.name(attribute, module.facts.module)
        return Reference(qualified=qualified, kind="module" if module is None else "name")

    def parameter(self, function: FunctionFacts, index: int | None, name: str) -> Value:
        """A parameter's value: the event or the context for the handler's first two; for
        an own function, the join of what every call in the own code passes (unknown when
        it is also called from elsewhere: a decorator, a callback, a method)."""
        parameter = next((p for p in function.parameters if p.name == name), None)
        if function is self.handler and index is not None:
            if index == 0:
                return FromEvent(())
            if index == 1:
                return FromContext("")
        if function.decorated or function.name in self.escaping or \
                function.outer.kind == "class" or function is self.handler:
            return UNKNOWN  # called from elsewhere, with arguments this code does not show
        sites = self.call_sites(function)
        if not sites:
            return UNKNOWN
        if parameter is None or parameter.kind.startswith("var-"):
            return UNKNOWN
        found: list[Value] = []
        for site, _ in sites:
            call = site.node
            if any(isinstance(a, ast.Starred) for a in call.args) or \
                    any(k.arg is None for k in call.keywords):
                return UNKNOWN
            given: ast.expr | None = None
            if index is not None and index < len(call.args):
                given = call.args[index]
            else:
                given = next((k.value for k in call.keywords if k.arg == name), None)
            if given is not None:
                found.append(self.value(given, site.scope))
            elif parameter.default is not None:
                found.append(self.value(parameter.default, function.outer))
            else:
                return UNKNOWN
        return join(found)

    def _grown(self, value: Value, name: str, defining: Scope) -> Value:
        """A container bound to ``name``, with what `append`/`add`/`update`/`x[k] = v` put
        in it anywhere in its module. A DynamoDB item (or plain data) that the code stores
        into is no longer evidently what it was read as: the code converts it."""
        found = alternatives(value)
        if len(found) != 1 or not isinstance(found[0], (Container, Made)):
            return value
        module = self.module_of(defining)
        facts = module.facts
        sites = [s for s in facts.calls_on.get(name, ())
                 if isinstance(s.node.func, ast.Attribute) and s.node.func.attr in GROWING
                 and s.node.args and self.lookup(name, s.scope) is defining]
        stored = [s for s in facts.stores_to.get(name, ()) if s.value is not None and
                  not isinstance(s.key, ast.Slice) and self.lookup(name, s.scope) is defining]
        if not sites and not stored:
            return value
        container = found[0]
        if not isinstance(container, Container):
            return UNKNOWN
        items = list(container.items)
        added: list[Value] = []
        for site in sites:
            assert isinstance(site.node.func, ast.Attribute)
            method = site.node.func.attr
            argument = self.value(site.node.args[-1], site.scope)
            if method == "update" and container.kind == "dict":
                other = the(argument, Container)
                if other is not None and other.kind == "dict" and other.element is None:
                    items.extend(other.items)
                else:
                    added.append(UNKNOWN)
            else:
                added.append(argument if GROWING[method] == "item" else self.elements(argument))
        for store in stored:
            assert store.value is not None
            key, item = self.value(store.key, store.scope), self.value(store.value,
                                                                         store.scope)
            text = text_of(key)
            index = next((i for i, (k, _) in enumerate(items)
                          if k is not None and text is not None and text_of(k) == text), None)
            if index is None:
                items.append((key, item))
            else:
                items[index] = (items[index][0], join([items[index][1], item]))
        element = join([*([container.element] if container.element is not None else []),
                        *added]) if added else container.element
        return Container(container.kind, tuple(items), element, origin=container.origin)

    # ---- expressions -------------------------------------------------------------------

    def _value(self, node: ast.expr, scope: Scope) -> Value:
        module = self.module_of(scope)
        if isinstance(node, ast.Constant):
            return _constant(node.value, module.span(node))
        if isinstance(node, ast.Name):
            return self.name(node.id, scope)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.value(node.value, scope), node.attr, node)
        if isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Slice):  # a slice holds what the sequence holds
                base = self.value(node.value, scope)
                return base if isinstance(base, (Container, FromEvent)) else UNKNOWN
            return self.subscript(self.value(node.value, scope),
                                  self.value(key, scope), module.span(node))
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.JoinedStr):
            parts: list[Value] = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    inner = self.value(part.value, scope)
                    parts.append(inner if part.conversion in (-1, 115) and
                                 part.format_spec is None else UNKNOWN)
                else:
                    parts.append(self.value(part, scope))
            return _concat(parts, "str", module.span(node))
        if isinstance(node, ast.BinOp):
            return self.binary(node, scope)
        if isinstance(node, (ast.BoolOp,)):
            return join([self.value(v, scope) for v in node.values])
        if isinstance(node, ast.IfExp):
            return join([self.value(node.body, scope), self.value(node.orelse, scope)])
        if isinstance(node, ast.NamedExpr):
            return self.value(node.value, scope)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            kind = "list" if isinstance(node, ast.List) else \
                "tuple" if isinstance(node, ast.Tuple) else "set"
            items: list[tuple[Value | None, Value]] = []
            spread: list[Value] = []
            for element in node.elts[:MAX_ITEMS]:
                if isinstance(element, ast.Starred):
                    spread.append(self.elements(self.value(element.value, scope)))
                else:
                    items.append((None, self.value(element, scope)))
            exact = not spread and len(node.elts) <= MAX_ITEMS
            return Container(kind, tuple(items) if exact else (),
                             None if exact else join([v for _, v in items] + spread),
                             origin=module.span(node))
        if isinstance(node, ast.Dict):
            pairs: list[tuple[Value | None, Value]] = []
            for key_node, item in list(zip(node.keys, node.values))[:MAX_ITEMS]:
                if key_node is None:  # {**other}
                    other = self.value(item, scope)
                    if isinstance(other, Container) and other.kind == "dict":
                        pairs.extend(other.items)
                    continue
                pairs.append((self.value(key_node, scope), self.value(item, scope)))
            return Container("dict", tuple(pairs), origin=module.span(node))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            comprehension = module.facts.scopes.get(id(node), scope)
            if isinstance(node, ast.GeneratorExp):
                return Made("generator", origin=module.span(node))
            if isinstance(node, ast.DictComp):
                return Container("dict", (), self.value(node.value, comprehension),
                                 origin=module.span(node))
            return Container("list" if isinstance(node, ast.ListComp) else "set", (),
                             self.value(node.elt, comprehension), origin=module.span(node))
        if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and
                                             isinstance(node.op, ast.Not)):
            return Const("bool")
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand, scope)
            return Const(operand.kind) if isinstance(operand, Const) and \
                operand.kind in ("int", "float") else UNKNOWN
        return UNKNOWN

    def attribute(self, base: Value, attribute: str, node: ast.AST) -> Value:
        found: list[Value] = []
        for alternative in definite(base) or ():
            if isinstance(alternative, Reference):
                if alternative.qualified:
                    found.append(Reference(qualified=f"{alternative.qualified}.{attribute}"))
                elif alternative.kind == "module":
                    found.append(self.imported(f"{alternative.own}.{attribute}"))
                elif alternative.kind == "class":
                    cls = self.classes.get(alternative.own)
                    found.append(Made("enum") if cls is not None and cls.kind == "enum"
                                 and not attribute.startswith("_") else UNKNOWN)
                else:
                    found.append(UNKNOWN)
            elif isinstance(alternative, FromContext) and not alternative.attribute:
                found.append(FromContext(attribute))
            elif isinstance(alternative, Text) and alternative.kind == "path" and \
                    attribute in ("parent", "name", "stem", "suffix"):
                found.append(Text("path" if attribute == "parent" else "str",
                                  alternative.prefix if attribute == "parent" else ""))
            else:
                found.append(UNKNOWN)
        return join(found) if found else UNKNOWN

    def subscript(self, base: Value, key: Value, origin: Span | None) -> Value:
        span = origin
        text = text_of(key)
        number = key.value if isinstance(key, Const) and key.kind == "int" else None
        found: list[Value] = []
        for alternative in definite(base) or ():
            if isinstance(alternative, FromEvent):
                step = text if text is not None else "*" if number is not None or \
                    isinstance(key, Const) else None
                found.append(FromEvent((*alternative.path, step), alternative.decoded,
                                       origin=span) if step is not None else UNKNOWN)
            elif isinstance(alternative, Container):
                found.append(_item_of(alternative, text, number))
            elif isinstance(alternative, Reference) and alternative.qualified == "os.environ" \
                    and text is not None:
                found.append(FromEnvironment(text, self.environment.get(text), origin=span))
            elif isinstance(alternative, Made):
                found.append(_made_item(alternative, text, span))
            else:
                found.append(UNKNOWN)
        return join(found) if found else UNKNOWN

    def elements(self, value: Value) -> Value:
        """What iterating over a value gives."""
        found: list[Value] = []
        for alternative in alternatives(value):
            if isinstance(alternative, Container):
                if alternative.kind == "dict":
                    found.extend(k for k, _ in alternative.items if k is not None)
                    found.append(UNKNOWN if alternative.element is not None else NOTHING)
                else:
                    found.extend(v for _, v in alternative.items)
                    if alternative.element is not None:
                        found.append(alternative.element)
            elif isinstance(alternative, FromEvent):
                found.append(FromEvent((*alternative.path, "*"), alternative.decoded,
                                       origin=alternative.origin))
            elif isinstance(alternative, Made) and alternative.kind in ("ddb-items", "plain"):
                found.append(Made("ddb-item" if alternative.kind == "ddb-items" else "plain",
                                  origin=alternative.origin))
            elif isinstance(alternative, Const) and alternative.kind == "none":
                found.append(NOTHING)
            else:
                return UNKNOWN
        return join(found)

    def item(self, value: Value, index: int | None) -> Value:
        """Item ``index`` of an unpacked value (None: a starred target)."""
        if index is None:
            return UNKNOWN
        found: list[Value] = []
        for alternative in alternatives(value):
            if isinstance(alternative, Container) and alternative.kind in ("tuple", "list") \
                    and alternative.element is None and -len(alternative.items) <= index < \
                    len(alternative.items):
                found.append(alternative.items[index][1])
            elif isinstance(alternative, Container) and alternative.element is not None and \
                    not alternative.items:
                found.append(alternative.element)
            else:
                return UNKNOWN
        return join(found)

    def entered(self, value: Value) -> Value:
        """What `with value as x` binds."""
        made = the(value, Made)
        if made is not None and made.kind == "tempdir":
            return Text("path", "/tmp/", origin=made.origin)
        return UNKNOWN

    def binary(self, node: ast.BinOp, scope: Scope) -> Value:
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        span = self.module_of(scope).span(node)
        if isinstance(node.op, ast.Add):
            if _is_text(left) or _is_text(right):
                return _concat([left, right], "str", span)
            if isinstance(left, Container) and isinstance(right, Container) and \
                    left.kind == right.kind and left.kind in ("list", "tuple"):
                return Container(left.kind, left.items + right.items,
                                 join([e for e in (left.element, right.element) if e]) if
                                 left.element or right.element else None, origin=span)
            return UNKNOWN
        if isinstance(node.op, ast.Mod) and _is_text(left):
            template = text_of(left)
            if template is None:
                return Text("str", origin=span)
            head, percent, rest = template.partition("%")
            tail = rest.rsplit("s", 1)[-1] if percent and "%" not in rest else ""
            return Text("str", head, tail, not percent, origin=span)
        if isinstance(node.op, ast.Div) and isinstance(left, Text) and left.kind == "path":
            return _path_join([left, right], span)
        return UNKNOWN

    # ---- calls -------------------------------------------------------------------------

    def call(self, node: ast.Call, scope: Scope) -> Value:
        callee = self.value(node.func, scope)
        span = self.module_of(scope).span(node)
        qualified = self.qualified(callee)
        if qualified is not None:
            return self.known_call(qualified, node, scope, span)
        reference = the(callee, Reference)
        if reference is not None and reference.own:
            if reference.kind == "function":
                found = self.functions.get(reference.own)
                if found is None:
                    return UNKNOWN
                function = found[0]
                if function.is_async:
                    return Made("coroutine", origin=span)
                if function.yields:
                    return Made("generator", origin=span)
                return self.returns(function)
            if reference.kind == "class":
                cls = self.classes.get(reference.own)
                if cls is not None and cls.kind == "dataclass":
                    return Made("dataclass", origin=span)
                if cls is not None and cls.kind == "class" and not cls.node.bases:
                    return Made("instance", origin=span)
            return UNKNOWN
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in self.binary_methods:
                return Made("binary", origin=span)
            receiver = self.value(func.value, scope)
            return self.method(receiver, func.attr, node, scope, span)
        return UNKNOWN

    def argument(self, node: ast.Call, index: int | None, keyword: str | None,
                 scope: Scope) -> Value | None:
        """An argument's value by keyword or position (None: not given)."""
        for given in node.keywords:
            if keyword is not None and given.arg == keyword:
                return self.value(given.value, scope)
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if index is not None and index < len(positional) and \
                len(positional) == len(node.args):
            return self.value(positional[index], scope)
        return None

    def known_call(self, name: str, node: ast.Call, scope: Scope, span: Span | None) -> Value:
        origin = span
        first = self.argument(node, 0, None, scope)
        if name in SDK_FACTORIES:
            service = self.argument(node, 0, "service_name", scope)
            return Sdk(SDK_FACTORIES[name], text_of(service) or "" if service else "",
                       origin=origin)
        if name in SESSIONS:
            return Sdk("session", origin=origin)
        if name in ENVIRONMENT_READS:
            variable = text_of(first) if first is not None else None
            return FromEnvironment(variable, self.environment.get(variable), origin=origin) \
                if variable is not None else UNKNOWN
        if name in UNQUOTE:
            event = the(first, FromEvent) if first is not None else None
            if event is not None:
                return FromEvent(event.path, True, origin=event.origin)
            return Text("str", origin=origin)
        if name == "os.path.join":
            return _path_join([self.value(a, scope) for a in node.args], origin)
        if name in PATHS:
            parts = [self.value(a, scope) for a in node.args]
            return _path_join(parts, origin) if parts else Text("path", ".", ".", True,
                                                                 origin=origin)
        if name == "tempfile.gettempdir":
            return Text("path", "/tmp", "/tmp", True, origin=origin)
        if name == "tempfile.mkdtemp":
            return Text("path", "/tmp/", origin=origin)
        if name == "tempfile.mkstemp":
            return Container("tuple", ((None, Const("int")),
                                       (None, Text("path", "/tmp/", origin=origin))),
                             origin=origin)
        if name == "tempfile.TemporaryDirectory":
            return Made("tempdir", origin=origin)
        if name in PLAIN_DATA:
            return Made("plain", origin=origin)
        if name in COPIES:
            return first if first is not None else UNKNOWN
        if name in SAME_ELEMENTS:
            element = self.elements(first) if first is not None else NOTHING
            return Container(SAME_ELEMENTS[name], (), element, origin=origin)
        if name == "builtins.enumerate":
            element = self.elements(first) if first is not None else NOTHING
            return Container("iterator", (), Container(
                "tuple", ((None, Const("int")), (None, element))), origin=origin)
        if name == "builtins.zip":
            columns = [self.elements(self.value(a, scope)) for a in node.args]
            return Container("iterator", (), Container(
                "tuple", tuple((None, c) for c in columns)), origin=origin)
        if name == "builtins.range":
            return Container("iterator", (), Const("int"), origin=origin)
        if name == "builtins.dict":
            return Container("dict", tuple((Const("str", k.arg), self.value(k.value, scope))
                                           for k in node.keywords if k.arg is not None),
                             None if not node.args else UNKNOWN, origin=origin)
        if name == "builtins.open":
            return Made("file", origin=origin)
        kind = self.calls_table.get(name)
        if kind is None:
            return UNKNOWN
        if kind == "str":
            return Text("str", origin=origin)
        if kind in PLAIN_KINDS:
            return Const(kind, origin=origin)
        if kind in ("dict", "list", "tuple"):
            return Container(kind, (), UNKNOWN, origin=origin)
        return Made(kind, origin=origin)

    def method(self, receiver: Value, method: str, node: ast.Call, scope: Scope,
               span: Span | None) -> Value:
        origin = span
        found: list[Value] = []
        for alternative in definite(receiver) or ():
            found.append(self._method(alternative, method, node, scope, origin))
        return join(found) if found else UNKNOWN

    def _method(self, receiver: Value, method: str, node: ast.Call, scope: Scope,
                origin: Span | None) -> Value:
        span = origin
        if isinstance(receiver, Sdk):
            return self._sdk_method(receiver, method, node, scope, span)
        if method == "get" and isinstance(receiver, (FromEvent, Container, Made)):
            key = self.argument(node, 0, None, scope)
            default = self.argument(node, 1, "default", scope) or NONE
            got = self.subscript(receiver, key or UNKNOWN, span)
            if isinstance(receiver, Container) and receiver.kind == "dict" and \
                    key is not None and text_of(key) is not None and \
                    not any(k is not None and text_of(k) == text_of(key)
                            for k, _ in receiver.items) and receiver.element is None:
                return default
            return join([got, default])
        if isinstance(receiver, Container):
            if method == "copy":
                return receiver
            if method in ("items", "values", "keys") and receiver.kind == "dict":
                keys = join([k for k, _ in receiver.items if k is not None]) \
                    if receiver.element is None else UNKNOWN
                values = join([v for _, v in receiver.items] +
                              ([receiver.element] if receiver.element else []))
                element = keys if method == "keys" else values if method == "values" \
                    else Container("tuple", ((None, keys), (None, values)))
                return Container("iterator", (), element, origin=span)
            if method == "pop" and receiver.kind == "list":
                return self.elements(receiver)
            return UNKNOWN
        if _is_text(receiver) and not (isinstance(receiver, Text) and receiver.kind == "path"):
            if method == "format":
                template = text_of(receiver)
                if template is None:
                    return Text("str", origin=span)
                head, brace, rest = template.partition("{")
                tail = rest.rsplit("}", 1)[-1] if brace else ""
                return Text("str", head, tail, not brace, origin=span)
            if method == "encode":
                return Const("bytes", origin=span)
            return Text("str", origin=span) if method in _STR_METHODS else UNKNOWN
        if isinstance(receiver, Text) and receiver.kind == "path":
            if method == "joinpath":
                return _path_join([receiver, *[self.value(a, scope) for a in node.args]],
                                  span)
            if method in ("resolve", "absolute", "expanduser"):
                return receiver
            return UNKNOWN
        if isinstance(receiver, Const) and receiver.kind == "bytes" and method == "decode":
            return Text("str", origin=span)
        if isinstance(receiver, Made) and receiver.kind in ("datetime", "date", "time") and \
                method in ("isoformat", "strftime", "ctime"):
            return Text("str", origin=span)
        if method == "hexdigest":
            return Text("str", origin=span)
        return UNKNOWN

    def _sdk_method(self, receiver: Sdk, method: str, node: ast.Call, scope: Scope,
                    span: Span | None) -> Value:
        origin = span
        if receiver.kind == "session" and method in ("client", "resource"):
            service = self.argument(node, 0, "service_name", scope)
            return Sdk(method, text_of(service) or "" if service else "", origin=origin)
        if receiver.kind == "resource" and receiver.service == "dynamodb" and method == "Table":
            return Sdk("table", "dynamodb", origin=origin)
        if receiver.kind == "client" and method == "get_paginator":
            return Sdk("paginator", receiver.service, origin=origin)
        if receiver.kind == "table" and method in TABLE_READS:
            return Made("ddb-response", origin=origin)
        return UNKNOWN

    # ---- what rules ask across the code ------------------------------------------------

    def calls_in(self, function: FunctionFacts) -> Iterator[CallSite]:
        """The calls made by a function's own body (not by functions nested in it)."""
        module = self.module_of(function.scope)
        for site in module.facts.calls:
            if _inside(site.scope, function.scope):
                yield site


_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "replace", "title",
                "capitalize", "casefold", "join", "removeprefix", "removesuffix", "zfill",
                "ljust", "rjust", "center", "swapcase", "expandtabs", "decode"}


def _inside(scope: Scope, function_scope: Scope) -> bool:
    """Whether code in ``scope`` runs as part of the function itself: its own scope, or a
    comprehension inside it (not a nested def, lambda or class)."""
    current: Scope | None = scope
    while current is not None and current.kind == "comprehension":
        current = current.parent
    return current is function_scope


def _always_returns(body: list[ast.stmt]) -> bool:
    """Whether a block ends in a return or raise on every path (a cheap, syntactic check)."""
    if not body:
        return False
    last = body[-1]
    while isinstance(last, ast.If) and len(last.orelse) == 1 and \
            isinstance(last.orelse[0], ast.If):  # an elif chain, without recursion
        if not _always_returns(last.body):
            return False
        last = last.orelse[0]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return _always_returns(last.body)
    if isinstance(last, ast.Try):
        return (_always_returns(last.orelse or last.body) or
                _always_returns(last.finalbody)) and \
            all(_always_returns(h.body) for h in last.handlers)
    return isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and \
        bool(last.test.value)


def _constant(value: object, span: Span | None) -> Value:
    origin = span
    if value is None:
        return Const("none", origin=origin)
    if isinstance(value, bool):
        return Const("bool", value, origin=origin)
    if isinstance(value, int):
        return Const("int", value, origin=origin)
    if isinstance(value, float):
        return Const("float", value, origin=origin)
    if isinstance(value, str):
        return Const("str", value, origin=origin)
    if isinstance(value, bytes):
        return Const("bytes", value, origin=origin)
    return UNKNOWN


def _is_text(value: Value) -> bool:
    return any(isinstance(a, Text) or (isinstance(a, Const) and a.kind == "str") or
               isinstance(a, FromEnvironment) for a in alternatives(value))


def _affix(value: Value) -> tuple[str, str, bool]:
    """(prefix, suffix, exact) of a part of a string being built."""
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value, value.value, True
    if isinstance(value, Const) and value.kind in ("int", "float", "bool", "none") and \
            value.value is not None:
        text = str(value.value)
        return text, text, True
    if isinstance(value, Text):
        return value.prefix, value.suffix, value.exact
    if isinstance(value, FromEnvironment) and value.value is not None:
        return value.value, value.value, True
    return "", "", False


def _concat(parts: list[Value], kind: str, origin: Span | None) -> Value:
    span = origin
    prefix, suffix, exact = "", "", True
    for part in parts:
        head, tail, whole = _affix(part)
        if exact:
            prefix += head
        suffix = suffix + tail if whole else tail
        exact = exact and whole
    if not exact and suffix and not parts:
        suffix = ""
    flat = tuple(p for part in parts for p in (part.parts if isinstance(part, Text)
                                                else (part,)))
    return Text(kind, prefix, suffix, exact, flat[:MAX_ITEMS], origin=span)


def _path_join(parts: list[Value], origin: Span | None) -> Value:
    """os.path.join / pathlib: an absolute literal part starts the path again."""
    current: list[Value] = []
    for part in parts:
        head, _, whole = _affix(part)
        if head.startswith("/") or (not head and not whole):
            # An absolute part starts again; so may a part whose start is not known.
            current = [part]
            continue
        if current:
            _, last_tail, last_whole = _affix(current[-1])
            if not (last_whole and (last_tail.endswith("/") or not last_tail)):
                current.append(Const("str", "/"))
        current.append(part)
    return _concat(current, "path", origin)


def _item_of(container: Container, key: str | None, number: object) -> Value:
    if container.kind == "dict":
        if key is not None:
            for k, v in container.items:
                if k is not None and text_of(k) == key:
                    return v
        return container.element or UNKNOWN
    if isinstance(number, int) and container.element is None and \
            -len(container.items) <= number < len(container.items):
        return container.items[number][1]
    if not container.items and container.element is None:
        return NOTHING  # an empty literal holds nothing (`event.get("Records", [])[0]`)
    return join([v for _, v in container.items] +
                ([container.element] if container.element is not None else []))


def _made_item(made: Made, key: str | None, origin: Span | None) -> Value:
    span = origin or made.origin
    if made.kind == "ddb-response" and key in ("Item", "Items"):
        return Made("ddb-item" if key == "Item" else "ddb-items", origin=span)
    if made.kind == "ddb-items":
        return Made("ddb-item", origin=span)
    if made.kind == "plain":
        return made
    return UNKNOWN

