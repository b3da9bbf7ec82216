"""One facts pass over a module's ast: scopes, bindings, functions, calls, imports.

This is the only place that walks a module's syntax. It records, once:

- **scopes** (module, class, function, lambda, comprehension) and in each the **bindings**
  of every name: how it is bound (assignment, loop target, unpacking, `with … as`,
  parameter, import, `def`, `class`…) and from what, so that the evaluator can join them;
  `global`/`nonlocal` declarations send a function's binding to the scope it names;
- **functions** with their parameters, `return`s, whether they yield, their decorators;
- **calls** in source order with their scope and the names the statement assigns;
- **subscript stores** and **deletions** (`CACHE[k] = v`, `del CACHE[k]`);
- **imports** with where they sit and whether they are guarded;
- names **used other than by calling them** (a function passed as a callback: the
  evaluator cannot know its arguments).

`if __name__ == "__main__":` blocks are left out: they run only when the file is run
locally, never on Lambda.
"""

from __future__ import annotations

import ast
from typing import Union

from lambdalint.model.code.span import Span
from lambdalint.records import field, record

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@record(eq=False)
class Source:
    """How a binding gets its value, for the evaluator:

    - value: ``expr`` itself (`x = expr`, `x := expr`);
    - element: one element of the iterable ``expr`` (`for x in expr`, comprehensions);
    - unpack: item ``index`` of what ``parent`` gives (`a, b = …`; a negative index counts
      from the end, None for a starred target);
    - enter: what `with expr as x` binds;
    - parameter: the parameter ``name`` of ``function``, at position ``index`` (None when
      it cannot be passed by position);
    - import: the qualified name ``qualified``;
    - function / class: an own definition (``definition``);
    - unknown: nothing is followed (`except … as e`, `x += 1`, `match` captures…).
    """

    kind: str
    expr: ast.expr | None = None
    parent: Source | None = None
    index: int | None = None
    function: FunctionFacts | None = None
    qualified: str = ""
    definition: FunctionFacts | ClassFacts | None = None
    name: str = ""


@record(eq=False)
class Binding:
    name: str
    source: Source
    scope: Scope  # where the source's expression is evaluated
    line: int
    column: int  # ast's offset (UTF-8 bytes, 0-based)


@record(eq=False)
class Scope:
    kind: str  # module | class | function | lambda | comprehension
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    function: FunctionFacts | None = None
    root: Scope = field(init=False, repr=False)  # the module's scope

    def __post_init__(self) -> None:
        self.root = self.parent.root if self.parent is not None else self

    def enclosing_function(self) -> FunctionFacts | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.function is not None:
                return scope.function
            scope = scope.parent
        return None


@record(frozen=True)
class Parameter:
    name: str
    kind: str  # positional-only | positional | var-positional | keyword-only | var-keyword
    default: ast.expr | None = None


@record(eq=False)
class FunctionFacts:
    name: str
    qualname: str  # dotted inside the module: "handler", "Service.run"
    node: FunctionNode
    scope: Scope  # the function's own scope
    outer: Scope  # where it is defined
    parameters: list[Parameter]
    is_async: bool
    decorated: bool
    returns: list[ast.Return] = field(default_factory=list)
    yields: bool = False


@record(eq=False)
class ClassFacts:
    name: str
    qualname: str
    node: ast.ClassDef
    kind: str  # dataclass | enum | class


@record(eq=False)
class CallSite:
    node: ast.Call
    scope: Scope
    # Names the enclosing assignment binds (`X = boto3.client(…)`, `a, b = …`, `x := …`).
    assigned: tuple[str, ...] = ()
    # The enclosing assignment stores into a container or an object (`CACHE[k] = …`,
    # `holder.client = …`): kept beyond the call, like a cache.
    stored: bool = False
    # The call is the whole value of a `name = <call>` statement directly in a function's
    # body (not nested in an `if`, a loop, a `with`…): a statement that can move as it is.
    whole_value: bool = False
    # `with <call> as f:` whose body only writes to f: the file is opened, written, closed.
    only_written: bool = False


@record(eq=False)
class Store:
    """`target[key] = value` (value None: `del target[key]`)."""

    target: ast.expr
    key: ast.expr
    value: ast.expr | None
    scope: Scope
    node: ast.AST


@record(frozen=True)
class ImportRecord:
    """One import of the module."""

    name: str  # absolute dotted name (relative imports resolved)
    span: Span
    function: str | None  # the enclosing function's name; None at module (or class) level
    guarded: bool  # inside try/except ImportError, a TYPE_CHECKING or version check
    relative: bool
    # `from a import b` records a.b too: b may be a submodule, or just a name in a
    maybe_attribute: bool = False


@record(eq=False)
class Facts:
    """What one module's facts pass found."""

    module: Scope
    functions: list[FunctionFacts]
    classes: list[ClassFacts]
    calls: list[CallSite]
    stores: list[Store]
    deleted: set[str]  # names deleted anywhere (`del X`, `del X[k]`)
    imports: list[ImportRecord]
    # Names loaded other than as the callee of a call (passed around, decorated…).
    escaping: set[str]
    star_import: bool
    scopes: dict[int, Scope]  # id(comprehension or lambda node) -> its scope
    # Reads with a literal string key (`event["httpMethod"]`), with their scope.
    subscripts: list[tuple[ast.Subscript, Scope]]
    # Method calls on a name (`PENDING.append(x)`) and stores into one (`CACHE[k] = v`), by
    # that name: what may grow or empty a container, found without a scan per question.
    calls_on: dict[str, list[CallSite]] = field(default_factory=dict)
    stores_to: dict[str, list[Store]] = field(default_factory=dict)
    # Every string literal of the module (where a path is written as text).
    strings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for site in self.calls:
            func = site.node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                self.calls_on.setdefault(func.value.id, []).append(site)
        for store in self.stores:
            if isinstance(store.target, ast.Name):
                self.stores_to.setdefault(store.target.id, []).append(store)


def is_main_block(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` — its body runs when the file is run locally, never on
    Lambda (its `else:` does run there)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or \
            len(node.test.ops) != 1 or not isinstance(node.test.ops[0], ast.Eq):
        return False
    parts = [node.test.left, *node.test.comparators]
    names = {p.id for p in parts if isinstance(p, ast.Name)}
    texts = {p.value for p in parts if isinstance(p, ast.Constant)}
    return "__name__" in names and "__main__" in texts


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a dotted name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _only_written(body: list[ast.stmt], handle: str) -> bool:
    """Whether ``handle`` appears in ``body`` only as ``handle.write(…)`` or
    ``handle.writelines(…)`` statements (and at least once)."""
    writes = 0
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                    func.value.id == handle and func.attr in ("write", "writelines"):
                writes += 1
                rest: list[ast.AST] = [*statement.value.args, *statement.value.keywords]
                if any(isinstance(n, ast.Name) and n.id == handle
                       for part in rest for n in ast.walk(part)):
                    return False
                continue
        if any(isinstance(n, ast.Name) and n.id == handle for n in ast.walk(statement)):
            return False
    return writes > 0


class _Collector(ast.NodeVisitor):
    def __init__(self, module_name: str, package: str, path: str, member: str,
                 lines: list[bytes]) -> None:
        self.module_name, self.package = module_name, package
        self.path, self.member, self.lines = path, member, lines
        self.scope = Scope("module", None)
        self.module_scope = self.scope
        self.functions: list[FunctionFacts] = []
        self.classes: list[ClassFacts] = []
        self.calls: list[CallSite] = []
        self.stores: list[Store] = []
        self.deleted: set[str] = set()
        self.imports: list[ImportRecord] = []
        self.escaping: set[str] = set()
        self.star_import = False
        self.scopes: dict[int, Scope] = {}
        self.qualname: list[str] = []
        self.assigned: tuple[str, ...] = ()
        # id() of values of `name = …` statements directly in a function's body.
        self.body_assignments: set[int] = set()
        self.only_written: set[int] = set()  # id() of such `with` calls
        self.strings: list[str] = []
        self.stored = False
        self.guards = 0
        self.callees: set[int] = set()  # id() of expressions that are a call's callee
        self.subscripts: list[tuple[ast.Subscript, Scope]] = []

    # ---- helpers -----------------------------------------------------------------------

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.path, self.member, self.lines)

    def bind(self, name: str, source: Source, node: ast.AST,
             scope: Scope | None = None) -> None:
        where = self.scope
        target = where
        if name in where.declared_global:
            target = self.module_scope
        elif name in where.declared_nonlocal:
            outer = where.parent
            while outer is not None and (outer.kind == "class" or name not in outer.bindings):
                outer = outer.parent
            target = outer or self.module_scope
        binding = Binding(name, source, scope or where, getattr(node, "lineno", 0),
                          getattr(node, "col_offset", 0))
        target.bindings.setdefault(name, []).append(binding)

    def bind_target(self, target: ast.expr, source: Source,
                    evaluated_in: Scope | None = None) -> None:
        """Bind the names of an assignment target; ``evaluated_in`` is where the source's
        expression is evaluated when it is not the current scope."""
        if isinstance(target, ast.Name):
            self.bind(target.id, source, target, scope=evaluated_in)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = next((i for i, e in enumerate(target.elts)
                            if isinstance(e, ast.Starred)), None)
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self.bind_target(element.value, Source("unknown"))
                    continue
                position = index if starred is None or index < starred else \
                    index - len(target.elts)
                self.bind_target(element, Source("unpack", parent=source, index=position),
                                 evaluated_in)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, Source("unknown"))
        else:
            self.visit(target)  # attribute or subscript targets: their parts are loads

    # ---- statements --------------------------------------------------------------------

    def visit_If(self, node: ast.If) -> None:
        # An elif chain is a loop here, not recursion: a long one is legal Python.
        current: ast.If | None = node
        while current is not None:
            branch = current
            if self.scope is self.module_scope and is_main_block(branch):
                body: list[ast.stmt] = []  # run locally only, never on Lambda
            else:
                body = branch.body
            test = dotted(branch.test) or ""
            guard = test.split(".")[-1] == "TYPE_CHECKING" or \
                _mentions(branch.test, "version_info")
            self.guards += guard
            self.visit(branch.test)
            for statement in body:
                self.visit(statement)
            orelse = branch.orelse
            current = orelse[0] if len(orelse) == 1 and isinstance(orelse[0], ast.If) \
                else None
            if current is None:
                for statement in orelse:
                    self.visit(statement)
            self.guards -= guard

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_handles_import_error(h) for h in node.handlers)
        self.guards += guarded
        for statement in node.body:
            self.visit(statement)
        self.guards -= guarded
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, Source("unknown"), node)
        for statement in node.body:
            self.visit(statement)

    def visit_FunctionDef(self, node: FunctionNode) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        arguments = node.args
        for default in (*arguments.defaults, *arguments.kw_defaults):
            if default is not None:
                self.visit(default)
        self.qualname.append(node.name)
        scope = Scope("function", self.scope)
        facts = FunctionFacts(node.name, ".".join(self.qualname), node, scope, self.scope,
                              _parameters(arguments), isinstance(node, ast.AsyncFunctionDef),
                              bool(node.decorator_list))
        scope.function = facts
        if node.decorator_list:
            self.escaping.add(node.name)  # a decorator may call it with anything
        self.functions.append(facts)
        self.bind(node.name, Source("function", definition=facts), node)
        outer, self.scope = self.scope, scope
        self.body_assignments.update(
            id(statement.value) for statement in node.body
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and
            isinstance(statement.targets[0], ast.Name))
        for index, parameter in enumerate(facts.parameters):
            position = index if parameter.kind in ("positional-only", "positional") else None
            self.bind(parameter.name, Source("parameter", index=position, function=facts,
                                             name=parameter.name), node)
        _collect_declarations(node.body, scope)
        for statement in node.body:
            self.visit(statement)
        self.scope = outer
        self.qualname.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        scope = Scope("lambda", self.scope)
        self.scopes[id(node)] = scope
        outer, self.scope = self.scope, scope
        for parameter in _parameters(node.args):
            self.bind(parameter.name, Source("unknown"), node)
        self.visit(node.body)
        self.scope = outer

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(part)
        self.qualname.append(node.name)
        facts = ClassFacts(node.name, ".".join(self.qualname), node, _class_kind(node))
        self.classes.append(facts)
        scope = Scope("class", self.scope)
        outer, self.scope = self.scope, scope
        for statement in node.body:
            self.visit(statement)
        self.scope = outer
        self.qualname.pop()
        self.bind(node.name, Source("class", definition=facts), node)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.declared_global.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.declared_nonlocal.update(node.names)

    def visit_Return(self, node: ast.Return) -> None:
        function = self.scope.function
        if function is not None and self.scope.kind == "function":
            function.returns.append(node)
        self.generic_visit(node)

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.scope.function is not None and self.scope.kind == "function":
            self.scope.function.yields = True
        self.generic_visit(node)

    visit_Yield = visit_YieldFrom = _yield

    def _assigning(self, targets: list[ast.expr], value: ast.expr) -> None:
        """Visit an assignment's value knowing what it is assigned to."""
        names = tuple(n.id for t in targets for n in ast.walk(t)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
        stored = any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets)
        previous = self.assigned, self.stored
        self.assigned, self.stored = names, stored
        self.visit(value)
        self.assigned, self.stored = previous

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigning(node.targets, node.value)
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self.stores.append(Store(target.value, target.slice, node.value, self.scope,
                                         node))
            self.bind_target(target, Source("value", node.value))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self._assigning([node.target], node.value)
            if isinstance(node.target, ast.Subscript):
                self.stores.append(Store(node.target.value, node.target.slice, node.value,
                                         self.scope, node))
            self.bind_target(node.target, Source("value", node.value))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, Source("unknown"), node)
        else:
            if isinstance(node.target, ast.Subscript):
                self.stores.append(Store(node.target.value, node.target.slice, node.value,
                                         self.scope, node))
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._assigning([node.target], node.value)
        scope = self.scope
        # A walrus in a comprehension binds in the enclosing function (PEP 572).
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        outer, self.scope = self.scope, scope
        self.bind(node.target.id, Source("value", node.value), node, scope=outer)
        self.scope = outer

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.bind_target(node.target, Source("element", node.iter))
        for statement in (*node.body, *node.orelse):
            self.visit(statement)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        if len(node.items) == 1 and isinstance(node.items[0].optional_vars, ast.Name) and \
                isinstance(node.items[0].context_expr, ast.Call) and \
                _only_written(node.body, node.items[0].optional_vars.id):
            self.only_written.add(id(node.items[0].context_expr))
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, Source("enter", item.context_expr))
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            base = target
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                if isinstance(base, ast.Subscript):
                    self.stores.append(Store(base.value, base.slice, None, self.scope, node))
                base = base.value
            if isinstance(base, ast.Name):
                self.deleted.add(base.id)
            self.visit(target)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add_import(alias.name, node)
            if alias.asname:
                self.bind(alias.asname, Source("import", qualified=alias.name), node)
            else:
                head = alias.name.split(".")[0]
                self.bind(head, Source("import", qualified=head), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        relative = bool(node.level)
        if relative:
            anchor = self.package.split(".") if self.package else []
            if node.level - 1 > len(anchor):
                return  # beyond the top-level package: ImportError, nothing is imported
            anchor = anchor[:len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        self.add_import(base, node, relative)
        for alias in node.names:
            if alias.name == "*":
                self.star_import = self.star_import or self.scope is self.module_scope
                continue
            qualified = f"{base}.{alias.name}" if base else alias.name
            # `from a import b` may import the submodule a.b: own modules follow it
            self.add_import(qualified, node, relative, maybe_attribute=True)
            self.bind(alias.asname or alias.name, Source("import", qualified=qualified), node)

    def add_import(self, name: str, node: ast.AST, relative: bool = False,
                   maybe_attribute: bool = False) -> None:
        if name:
            function = self.scope.enclosing_function()
            self.imports.append(ImportRecord(name, self.span(node),
                                             function.name if function else None,
                                             self.guards > 0, relative, maybe_attribute))

    def visit_Match(self, node: ast.AST) -> None:
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if name:
            self.bind(name, Source("unknown"), node)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if name:
            self.bind(name, Source("unknown"), node)

    def visit_MatchMapping(self, node: ast.AST) -> None:
        rest = getattr(node, "rest", None)
        if rest:
            self.bind(rest, Source("unknown"), node)
        self.generic_visit(node)

    # ---- expressions -------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append(CallSite(node, self.scope, self.assigned, self.stored,
                                   id(node) in self.body_assignments,
                                   id(node) in self.only_written))
        if (dotted(node.func) or "").endswith("import_module") and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            self.add_import(node.args[0].value, node)
        self.callees.add(id(node.func))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        key = node.slice
        if isinstance(node.ctx, ast.Load) and isinstance(key, ast.Constant) and \
                isinstance(key.value, str):
            self.subscripts.append((node, self.scope))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.strings.append(node.value)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and id(node) not in self.callees:
            self.escaping.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load) and id(node) not in self.callees:
            self.escaping.add(node.attr)
        self.visit(node.value)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp |
                       ast.DictComp) -> None:
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope.
        self.visit(generators[0].iter)
        scope = Scope("comprehension", self.scope)
        self.scopes[id(node)] = scope
        outer, self.scope = self.scope, scope
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            # The first iterable is evaluated in the enclosing scope (`[x for x in x]`, a
            # class attribute in a class body's comprehension), the others in this one.
            self.bind_target(generator.target, Source("element", generator.iter),
                             outer if index == 0 else None)
            for condition in generator.ifs:
                self.visit(condition)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension


def collect(tree: ast.Module, module_name: str, package: str, path: str, member: str,
            lines: list[bytes]) -> Facts:
    collector = _Collector(module_name, package, path, member, lines)
    _collect_declarations(tree.body, collector.module_scope)
    for statement in tree.body:
        collector.visit(statement)
    return Facts(collector.module_scope, collector.functions, collector.classes,
                 collector.calls, collector.stores, collector.deleted, collector.imports,
                 collector.escaping, collector.star_import, collector.scopes,
                 collector.subscripts, strings=collector.strings)


def span_of(node: ast.AST, path: str, member: str, lines: list[bytes]) -> Span:
    """A node's Span, its columns converted from UTF-8 byte offsets to characters."""
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    return Span(path, member, line, _column(lines, line, getattr(node, "col_offset", 0)),
                end_line, _column(lines, end_line, getattr(node, "end_col_offset", 0) or 0))


def _column(lines: list[bytes], line: int, offset: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else b""
    if text.isascii():
        return offset + 1
    return len(text[:offset].decode("utf-8", "replace")) + 1


def _parameters(arguments: ast.arguments) -> list[Parameter]:
    found: list[Parameter] = []
    positional = [*getattr(arguments, "posonlyargs", []), *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += list(arguments.defaults)
    posonly = len(getattr(arguments, "posonlyargs", []))
    for index, (argument, default) in enumerate(zip(positional, defaults)):
        found.append(Parameter(argument.arg, "positional-only" if index < posonly
                               else "positional", default))
    if arguments.vararg is not None:
        found.append(Parameter(arguments.vararg.arg, "var-positional"))
    for argument, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        found.append(Parameter(argument.arg, "keyword-only", kw_default))
    if arguments.kwarg is not None:
        found.append(Parameter(arguments.kwarg.arg, "var-keyword"))
    return found


def _collect_declarations(body: list[ast.stmt], scope: Scope) -> None:
    """`global` and `nonlocal` apply to the whole function, wherever they are written."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.declared_nonlocal.update(node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                               ast.Lambda)):
            continue
        elif isinstance(node, ast.stmt):
            stack.extend(ast.iter_child_nodes(node))


def _class_kind(node: ast.ClassDef) -> str:
    decorators = {dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
    if decorators & {"dataclass", "dataclasses.dataclass"}:
        return "dataclass"
    bases = [dotted(b) or "" for b in node.bases]
    if any(b.split(".")[-1] == "Enum" for b in bases) and not any(
            b in ("str", "int") or b.split(".")[-1] in ("StrEnum", "IntEnum", "IntFlag")
            for b in bases):
        return "enum"
    return "class"


def _handles_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True  # a bare except catches ImportError too
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(t) or "").split(".")[-1] in IMPORT_ERRORS for t in types)


def _mentions(node: ast.AST, attribute: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == attribute for n in ast.walk(node))
