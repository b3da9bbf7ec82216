"""The semantic model of one deployment's own code, as the code rules query it.

Built once per deployment from its own modules (`modules.py`), their facts (`semantic.py`)
and one evaluator (`evaluate.py`), with what the deployment says: which function is the
handler, the environment variables the template sets. Rules ask for records — SDK calls,
file writes, the handler's returns, `json.dumps` calls, clients created per invocation,
module state the handler grows — and each module's imports (its facts), all carrying
spans and values, never syntax.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdalint.data import client_factories
from lambdalint.model.code.evaluate import GROWING as GROWS
from lambdalint.model.code.evaluate import Evaluator
from lambdalint.model.code.modules import CodeModule, own_modules
from lambdalint.model.code.semantic import (
    CallSite,
    FunctionFacts,
    Parameter,
    Scope,
)
from lambdalint.model.code.span import Span
from lambdalint.model.code.values import (
    Const,
    Container,
    FromEvent,
    Sdk,
    Text,
    Value,
    alternatives,
    definite,
    text_of,
    the,
    walk,
)
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Deployment

# Call target (qualified name) -> which argument is the written path (index, keyword).
PATH_ARGUMENT = {
    "os.makedirs": (0, "name"), "os.mkdir": (0, "path"),
    "shutil.copy": (1, "dst"), "shutil.copy2": (1, "dst"), "shutil.copyfile": (1, "dst"),
    "shutil.copytree": (1, "dst"), "shutil.move": (1, "dst"),
}
PATH_METHODS = {"write_text", "write_bytes", "touch", "mkdir"}
OPEN_CALLS = {"builtins.open", "io.open", "codecs.open"}
WRITE_MODE_CHARS = set("wax+")
JSON_DUMPS = {"json.dumps", "json.dump"}
GROWING = set(GROWS)  # append, add, update … (what the evaluator follows into containers)
BOUNDING = {"clear", "pop", "popitem", "remove", "discard", "popleft"}
# How many calls deep the handler's own helpers are followed for per-invocation work.
HELPER_DEPTH = 3
CREDENTIALS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
               "botocore_session"}


@record(frozen=True)
class SdkCall:
    """A method call on an AWS SDK object (`s3.put_object(Bucket=…)`)."""

    span: Span
    kind: str  # what it is called on: client | resource | table | session | paginator
    service: str  # s3, lambda, dynamodb … ("" when the code does not say)
    method: str
    function: str | None  # the enclosing function's name (None at module level)
    keywords: dict[str, Value] = field(hash=False)
    positional: tuple[Value, ...] = ()
    spread: bool = False  # *args or **kwargs: more arguments than the code shows

    def argument(self, keyword: str, index: int | None = None) -> Value | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        if index is not None and index < len(self.positional):
            return self.positional[index]
        return None


@record(frozen=True)
class Write:
    """A call that writes a file or makes a folder, with the path's value."""

    span: Span
    path: Value
    how: str  # open(..., "w"), Path.write_text(), os.makedirs() …
    directory: bool = False
    # `with open(…) as f:` whose body only writes to f.
    only_written: bool = False


# Writable everywhere: devices and the process's own descriptors; and /mnt/, where Lambda
# mounts an EFS file system (its local mount path must start with /mnt/).
ALWAYS_WRITABLE = ("/dev/", "/proc/", "/mnt/")


def in_tmp(prefix: str) -> bool:
    return prefix == "/tmp" or prefix.startswith("/tmp/")


def outside_tmp(prefix: str, exact: bool) -> Iterator[str]:
    """Why a path with this known start is outside /tmp (nothing when it is in /tmp)."""
    if in_tmp(prefix) or prefix.startswith(ALWAYS_WRITABLE):
        return
    if prefix.startswith("/"):
        if not exact and prefix.find("/", 1) < 0:
            return  # f"/t{x}" may still become /tmp/…: the first folder is not complete
        yield f"{prefix!r} is outside /tmp, the only writable folder"
    else:
        yield (f"the relative path {prefix!r} resolves under /var/task (the function's "
               "code), which is read-only")


def _named_once(call: ast.Call, strings: list[str]) -> bool:
    """The call's path is a literal whose file name the module writes nowhere else: no
    other code reads the file back by its name."""
    path = call.args[0] if call.args else None
    if not isinstance(path, ast.Constant) or not isinstance(path.value, str):
        return False
    name = path.value.rsplit("/", 1)[-1]
    return bool(name) and sum(name in text for text in strings) == 1


@record(frozen=True)
class Returned:
    span: Span  # the return statement
    value: Value


@record(frozen=True)
class JsonDump:
    span: Span  # the json.dumps call
    value: Value  # what it serialises
    handled: bool  # default= or cls= (or **options that may hold them) given


@record(frozen=True)
class Creation:
    """A client, session or connection created each time the handler runs."""

    span: Span
    factory: str  # qualified name: boto3.client …
    what: str  # "an AWS SDK client" …
    helper: str | None = None  # the own function it is created in, called by the handler
    assigned: str | None = None  # the one name it is assigned to (`s3 = boto3.client(…)`)
    # Every argument is a constant the source states: the same client at module level.
    constant: bool = False


@record(frozen=True)
class Growth:
    """The handler adding to a module-level container."""

    span: Span  # the mutating call or subscript store
    container: str
    defined: Span | None  # where the container is made
    carries_event: bool  # what is added comes from the event


@record(frozen=True)
class HandlerFunction:
    """The handler's definition, as the code states it."""

    name: str
    span: Span
    is_async: bool
    decorated: bool
    parameters: tuple[Parameter, ...]
    yields: bool


class Code:
    """The semantic model of a deployment's own code (see the module docstring)."""

    def __init__(self, modules: list[CodeModule], handler: tuple[CodeModule, str] | None,
                 environment: dict[str, str | None]) -> None:
        # Modules the host cannot parse (newer syntax) are for LL209 only.
        self.all_modules = modules
        self.modules = [m for m in modules if m.tree is not None]
        self.handler_module: CodeModule | None = None
        self.handler_facts: FunctionFacts | None = None
        self.evaluator = Evaluator(self.modules, None, environment)
        if handler is not None and handler[0].tree is not None:
            self._find_handler(*handler)
        # Several rules ask the same questions: each is answered once.
        self._sdk_calls: list[SdkCall] | None = None
        self._writes: list[Write] | None = None

    def _find_handler(self, module: CodeModule, name: str) -> None:
        """The function the runtime calls: defined in the handler module, or bound there to
        an own function by an import or an assignment (`from impl import main as handler`,
        `handler = main`); bound once, or it is not known which binding wins."""
        bindings = module.facts.module.bindings.get(name, [])
        if len(bindings) != 1 or module not in self.modules:
            return  # (a handler module found in a layer is not the function's own code)
        definition = bindings[0].source.definition
        if not isinstance(definition, FunctionFacts):
            definition = self.evaluator.own_function(
                self.evaluator.name(name, module.facts.module))
        if definition is None:
            return
        self.handler_facts = definition
        self.handler_module = self.evaluator.module_of(definition.scope)
        # Its first two parameters are the event and the context from now on.
        self.evaluator = Evaluator(self.modules, definition, self.evaluator.environment)

    # ---- the handler -------------------------------------------------------------------

    @property
    def handler(self) -> HandlerFunction | None:
        facts, module = self.handler_facts, self.handler_module
        if facts is None or module is None:
            return None
        return HandlerFunction(facts.name, module.span(facts.node), facts.is_async,
                               facts.decorated, tuple(facts.parameters), facts.yields)

    def handler_returns(self) -> list[Returned]:
        """Each `return` of the handler with its value (a bare return is left out)."""
        facts, module = self.handler_facts, self.handler_module
        if facts is None or module is None:
            return []
        return [Returned(module.span(r), self.evaluator.value(r.value, facts.scope))
                for r in facts.returns if r.value is not None]

    def reads_event_key(self, keys: set[str]) -> bool:
        """Whether the code reads one of these top-level keys of the handler's event
        (`event["httpMethod"]`, `event.get("rawPath")`)."""
        evaluator = self.evaluator
        for module in self.modules:
            for site in module.facts.calls:
                func, args = site.node.func, site.node.args
                if isinstance(func, ast.Attribute) and func.attr == "get" and args and \
                        isinstance(args[0], ast.Constant) and args[0].value in keys and \
                        _is_event(evaluator.value(func.value, site.scope)):
                    return True
            for node, scope in module.facts.subscripts:
                key = node.slice
                if isinstance(key, ast.Constant) and key.value in keys and \
                        _is_event(evaluator.value(node.value, scope)):
                    return True
        return False

    # ---- calls -------------------------------------------------------------------------

    def _sites(self) -> Iterator[tuple[CodeModule, CallSite]]:
        for module in self.modules:
            for site in module.facts.calls:
                yield module, site

    def sdk_calls(self) -> list[SdkCall]:
        """Every method call on an SDK object, in source order."""
        if self._sdk_calls is None:
            self._sdk_calls = self._find_sdk_calls()
        return self._sdk_calls

    def _find_sdk_calls(self) -> list[SdkCall]:
        found: list[SdkCall] = []
        evaluator = self.evaluator
        for module, site in self._sites():
            func = site.node.func
            if not isinstance(func, ast.Attribute):
                continue
            sdk = the(evaluator.value(func.value, site.scope), Sdk)
            if sdk is None:
                continue
            call = site.node
            function = site.scope.enclosing_function()
            found.append(SdkCall(
                module.span(call), sdk.kind, sdk.service,
                func.attr, function.name if function else None,
                {k.arg: evaluator.value(k.value, site.scope) for k in call.keywords
                 if k.arg is not None},
                # positions are known only up to the first *args
                tuple(evaluator.value(a, site.scope) for a in itertools.takewhile(
                    lambda a: not isinstance(a, ast.Starred), call.args)),
                any(isinstance(a, ast.Starred) for a in call.args) or
                any(k.arg is None for k in call.keywords)))
        return found

    def calls_to(self, names: set[str]) -> Iterator[tuple[CodeModule, CallSite, str]]:
        """Calls whose callee is one of these qualified names, with the name."""
        evaluator = self.evaluator
        for module, site in self._sites():
            qualified = evaluator.qualified(evaluator.value(site.node.func, site.scope))
            if qualified in names:
                yield module, site, qualified

    def writes(self) -> list[Write]:
        """Calls that write files or make folders, with the path's value."""
        if self._writes is None:
            self._writes = self._find_writes()
        return self._writes

    def _find_writes(self) -> list[Write]:
        evaluator = self.evaluator
        found: list[Write] = []
        for module, site in self._sites():
            call, scope = site.node, site.scope
            qualified = evaluator.qualified(evaluator.value(call.func, scope))
            if qualified in OPEN_CALLS:
                mode = self._write_mode(site, 1)
                path = evaluator.argument(call, 0, "file", scope)
                if mode is not None and path is not None:
                    found.append(Write(module.span(call), path, f'open(..., "{mode}")',
                                       only_written=site.only_written and
                                       _named_once(call, module.facts.strings)))
                continue
            if qualified in PATH_ARGUMENT:
                index, keyword = PATH_ARGUMENT[qualified]
                path = evaluator.argument(call, index, keyword, scope)
                if path is not None:
                    found.append(Write(module.span(call), path, f"{qualified}()",
                                       directory=qualified in ("os.makedirs", "os.mkdir")))
                continue
            func = call.func
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr in PATH_METHODS | {"open"}:
                receiver = evaluator.value(func.value, scope)
                paths = definite(receiver)
                if paths is None or not all(isinstance(a, Text) and a.kind == "path"
                                            for a in paths):
                    continue
                if func.attr == "open" and self._write_mode(site, 0) is None:
                    continue
                found.append(Write(module.span(call), receiver, f"Path.{func.attr}()",
                                   directory=func.attr == "mkdir"))
            elif func.attr == "download_file":
                path = evaluator.argument(call, 2, "Filename", scope)
                if path is not None:
                    found.append(Write(module.span(call), path,
                                       "download_file(Filename=...)"))
        return found

    def _write_mode(self, site: CallSite, index: int) -> str | None:
        """An open() call's mode when it evidently writes ("w", "a", "x", "+")."""
        mode = self.evaluator.argument(site.node, index, "mode", site.scope)
        text = text_of(mode) if mode is not None else None
        return text if text and set(text) & WRITE_MODE_CHARS else None

    def json_dumps(self) -> list[JsonDump]:
        found: list[JsonDump] = []
        for module, site, _ in self.calls_to(JSON_DUMPS):
            call = site.node
            if not call.args or isinstance(call.args[0], ast.Starred):
                continue
            handled = any(k.arg in ("default", "cls") or k.arg is None for k in call.keywords)
            found.append(JsonDump(module.span(call),
                                  self.evaluator.value(call.args[0], site.scope), handled))
        return found

    def creations_per_invocation(self) -> list[Creation]:
        """Clients, sessions and connections made each time the handler runs: in its body,
        or in own helpers it calls (a few calls deep), unless kept in a global."""
        facts = self.handler_facts
        if facts is None:
            return []
        factories = client_factories()
        found: list[Creation] = []
        seen: set[int] = set()

        def visit(function: FunctionFacts, helper: str | None, depth: int) -> None:
            if id(function) in seen or depth > HELPER_DEPTH:
                return
            seen.add(id(function))
            module = self.evaluator.module_of(function.scope)
            for site in self.evaluator.calls_in(function):
                if set(site.assigned) & function.scope.declared_global or site.stored:
                    continue  # lazy initialisation into a global or a cache: made once
                callee = self.evaluator.value(site.node.func, site.scope)
                qualified = self.evaluator.qualified(callee)
                if qualified in factories and not self._per_invocation(site):
                    found.append(Creation(module.span(site.node), qualified,
                                          factories[qualified], helper,
                                          self._movable(site),
                                          self._constant_arguments(site)))
                    continue
                own = self.evaluator.own_function(callee)
                if own is not None and not own.decorated:  # lru_cache & co. make it once
                    visit(own, helper or own.name, depth + 1)

        visit(facts, None, 0)
        return found

    @staticmethod
    def _movable(site: CallSite) -> str | None:
        """The name a creation is assigned to, when its statement can move out of the
        function as it is: `name = <call>` directly in the body, the function's only
        binding of a name the module does not define."""
        if not site.whole_value or len(site.assigned) != 1:
            return None
        name, scope = site.assigned[0], site.scope
        if len(scope.bindings.get(name, ())) != 1 or name in scope.root.bindings or \
                name in scope.declared_global or name in scope.declared_nonlocal:
            return None
        return name

    def _constant_arguments(self, site: CallSite) -> bool:
        given = [*site.node.args, *(k.value for k in site.node.keywords)]
        if any(isinstance(a, ast.Starred) for a in site.node.args) or \
                any(k.arg is None for k in site.node.keywords):
            return False
        for argument in given:
            found = definite(self.evaluator.value(argument, site.scope))
            if found is None or not all(isinstance(v, Const) or
                                        (isinstance(v, Text) and v.exact) for v in found):
                return False
        return True

    def _per_invocation(self, site: CallSite) -> bool:
        """A client made with this invocation's credentials or settings (assumed role
        credentials, a region from the event) cannot be made once at module level."""
        call = site.node
        if any(k.arg in CREDENTIALS for k in call.keywords):
            return True
        given = [*call.args, *(k.value for k in call.keywords)]
        return any(_carries_event(self.evaluator.value(a, site.scope)) for a in given)

    def module_growth(self) -> list[Growth]:
        """Module-level containers that each invocation adds to — in the handler or in a
        helper it calls, in any own module — unless anything anywhere empties them
        (`clear()`, `pop()`, `del`, `X[:] = []`) or a function replaces them."""
        if self.handler_facts is None:
            return []
        evaluator = self.evaluator
        containers: dict[Span, tuple[str, Value]] = {}  # by where each one is made
        for module in self.modules:
            top = module.facts.module
            for name, bindings in top.bindings.items():
                if any(b.scope is not top for b in bindings):
                    continue  # replaced by a function (`global X; X = []`): bounded
                value = the(evaluator.name(name, top), Container)
                if value is not None and value.kind in ("list", "dict", "set") and \
                        value.origin is not None:
                    containers[value.origin] = (name, value)
        if not containers:
            return []

        def container(node: ast.expr, scope: Scope) -> Span | None:
            value = the(evaluator.value(node, scope), Container)
            return value.origin if value is not None and value.origin in containers \
                else None

        per_invocation = self._invocation_scopes()
        bounded: set[Span] = set()
        found: dict[Span, Growth] = {}
        for module in self.modules:
            facts = module.facts
            for name in facts.deleted:
                deleted = the(evaluator.name(name, facts.module), Container)
                if deleted is not None and deleted.origin in containers:
                    bounded.add(deleted.origin)
            for site in facts.calls:
                func = site.node.func
                if not isinstance(func, ast.Attribute) or \
                        func.attr not in GROWING | BOUNDING:
                    continue
                where = container(func.value, site.scope)
                if where is None:
                    continue
                if func.attr in BOUNDING:
                    bounded.add(where)
                elif _function_scope(site.scope) in per_invocation and where not in found:
                    added = [evaluator.value(a, site.scope) for a in site.node.args]
                    found[where] = Growth(module.span(site.node), containers[where][0],
                                          where, any(_carries_event(v) for v in added))
            for store in facts.stores:
                where = container(store.target, store.scope)
                if where is None:
                    continue
                if store.value is None or isinstance(store.key, ast.Slice):
                    bounded.add(where)
                elif _function_scope(store.scope) in per_invocation and where not in found:
                    added = [evaluator.value(store.key, store.scope),
                             evaluator.value(store.value, store.scope)]
                    found[where] = Growth(module.span(store.node), containers[where][0],
                                          where, any(_carries_event(v) for v in added))
        return sorted((g for where, g in found.items() if where not in bounded),
                      key=lambda g: (g.span.member, g.span.line, g.span.column))

    def _invocation_scopes(self) -> set[int]:
        """The scopes whose code runs on every invocation: the handler's, and those of the
        own functions it calls (a few calls deep; not decorated ones, which may cache)."""
        found: set[int] = set()

        def visit(function: FunctionFacts, depth: int) -> None:
            if id(function.scope) in found or depth > HELPER_DEPTH:
                return
            found.add(id(function.scope))
            for site in self.evaluator.calls_in(function):
                own = self.evaluator.own_function(
                    self.evaluator.value(site.node.func, site.scope))
                if own is not None and not own.decorated:
                    visit(own, depth + 1)

        if self.handler_facts is not None:
            visit(self.handler_facts, 0)
        return found


def _function_scope(scope: Scope) -> int:
    """The function (or module) scope whose code a comprehension's code runs as part of."""
    current = scope
    while current.kind == "comprehension" and current.parent is not None:
        current = current.parent
    return id(current)


def _carries_event(value: Value) -> bool:
    """Whether a value is (or holds, or is built from) part of the event."""
    for inner, _ in walk(value):
        for part in alternatives(inner):
            if isinstance(part, FromEvent) or (isinstance(part, Text) and any(
                    isinstance(p, FromEvent) for p in part.parts)):
                return True
    return False


def _is_event(value: Value) -> bool:
    """The handler's event itself (not a part of it)."""
    return any(isinstance(a, FromEvent) and not a.path for a in alternatives(value))


def code_of(deployment: Deployment, ctx: Context) -> Code:
    """The deployment's code model, built once."""
    cached = deployment.views.code
    if isinstance(cached, Code):
        return cached
    from lambdalint.model.resolution import resolve

    modules = own_modules(deployment, ctx)
    for module in modules:
        if module.tree is None:
            _note_newer_syntax(module, ctx)
    handler: tuple[CodeModule, str] | None = None
    if deployment.handler is not None:
        resolution = resolve(deployment, ctx)
        if resolution.module is not None and resolution.handler is not None:
            handler = (resolution.module, resolution.handler.function)
    environment = {name: variable.value for name, variable in deployment.environment.items()}
    code = Code(modules, handler, environment)
    deployment.views.code = code
    return code


def _note_newer_syntax(module: CodeModule, ctx: Context) -> None:
    import sys

    from lambdalint.data import syntax_features

    key = f"newer-syntax-note:{module.artifact.path}:{module.member.name}"
    if key in ctx.cache:
        return
    ctx.cache[key] = True
    features = syntax_features()
    versions = sorted(features[f].python for f in module.parsed.features if f in features)
    host = f"{sys.version_info[0]}.{sys.version_info[1]}"
    wanted = f"Python {versions[-1][0]}.{versions[-1][1]} or later" if versions \
        else "a newer Python"
    ctx.notes.append(f"{module.artifact.where(module.member.name)} uses syntax that this "
                     f"Python ({host}) cannot read: code checks other than LL209 skip it; "
                     f"run lambdalint under {wanted} to check it fully")
