"""The function's own Python modules, parsed once with libcst (never imported, never run).

"Own" means what the runtime will import from the function code: the handler module and,
transitively, the function's modules it imports (absolute, relative, `importlib.import_module`
with a literal). Vendored distributions (claimed by a `*.dist-info/RECORD`) are never parsed.
With no handler known, every top-level module of the function is a starting point.
Parses are cached by content hash for the run; a module no parser accepts is LL002.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from lambdalint.finding import Finding
from lambdalint.model.distributions import owner_of
from lambdalint.model.guard import Verdict, measure

if TYPE_CHECKING:
    import libcst as cst

    from lambdalint.model.archive import Member
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact, Deployment


@dataclass
class Module:
    """One parsed module of the function's own code."""

    artifact: Artifact
    member: Member
    name: str  # dotted, as Python imports it
    tree: cst.Module
    _positions: Any = field(default=None, repr=False)
    cache: dict[str, object] = field(default_factory=dict, repr=False)

    def _metadata(self) -> Any:
        """Positions and qualified names, resolved once for the module."""
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

            # The tree is never changed, so the wrapper may use it as it is (no deep copy).
            wrapper = MetadataWrapper(self.tree, unsafe_skip_copy=True)
            self._positions = wrapper.resolve_many([PositionProvider, QualifiedNameProvider])
        return self._positions

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based (line, column) where a node starts."""
        from libcst.metadata import PositionProvider

        start = self._metadata()[PositionProvider][node].start
        return start.line, start.column + 1

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """What a name or call target refers to through the module's imports
        (`b.client` after `import boto3 as b` is boto3.client)."""
        from libcst.metadata import QualifiedNameProvider

        names = self._metadata()[QualifiedNameProvider].get(node, set())
        if callable(names):  # libcst computes qualified names lazily, on first access
            names = names()
        return {q.name for q in names}


def module_name(path: str) -> str:
    """`a/b/c.py` → `a.b.c`; `a/b/__init__.py` → `a.b`."""
    stem = path[:-len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]
    return stem.replace("/", ".")


def parse(artifact: Artifact, member: Member, ctx: Context) -> Module | None:
    """The parsed module (one object per file for the run, so its metadata is resolved
    once), or None: LL002 says why when it cannot be parsed; a note when it is too large or
    nested too deeply to analyse."""
    key = f"module:{artifact.path}:{member.name}"
    if key in ctx.cache:
        cached_module = ctx.cache[key]
        return cached_module if isinstance(cached_module, Module) else None
    ctx.cache[key] = None
    if member.size > min(ctx.max_member_size, ctx.max_source_size):
        ctx.notes.append(f"{artifact.path}:{member.name} is larger than max-source-size "
                         f"({min(ctx.max_member_size, ctx.max_source_size):,} bytes): code "
                         "checks skip it")
        return None
    data = ctx.read(artifact, member)
    if data is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    cached = ctx.cache.get(f"parse:{digest}")
    if cached is None:
        verdict = measure(data, ctx.max_source_size)
        cached = _parse(data) if verdict.readable else verdict
        ctx.cache[f"parse:{digest}"] = cached
    if isinstance(cached, Verdict) and not cached.syntax_error:
        ctx.notes.append(f"{artifact.path}:{member.name} is {cached.reason}: code checks "
                         "skip it")
        return None
    if isinstance(cached, (str, Verdict)):  # why the module cannot be parsed at all
        reason = cached.reason if isinstance(cached, Verdict) else cached
        ctx.meta_findings.append(Finding(
            rule="LL002", path=artifact.path, member=member.name,
            message=f"{member.name} cannot be parsed as Python ({reason}): the runtime fails "
                    "with Runtime.UserCodeSyntaxError when it is imported; other code "
                    "checks skip it"))
        return None
    module = Module(artifact, member, module_name(member.name), cast("cst.Module", cached))
    try:
        module._metadata()  # the analyses recurse as deep as the tree: find out now
    except RecursionError:
        ctx.notes.append(f"{artifact.path}:{member.name} is nested too deeply for lambdalint "
                         "to analyse: code checks skip it")
        return None
    ctx.cache[key] = module
    return module


def _parse(data: bytes) -> cst.Module | str:
    import libcst as cst

    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}: {exc.message}"
    except (RecursionError, MemoryError):
        return "nested too deeply"
    except (UnicodeDecodeError, LookupError, ValueError, SyntaxError) as exc:  # encoding
        return type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]


def own_modules(deployment: Deployment, ctx: Context) -> list[Module]:
    """The function's own modules the runtime will import (each file parsed once per run)."""
    function = deployment.function
    if function is None or function.tree is None:
        return []
    handler = deployment.handler.value if deployment.handler else None
    key = f"own_modules:{handler}"
    cached = function.cache.get(key)
    if isinstance(cached, list):
        return cached
    tree = function.tree
    vendored = owner_of(function, ctx)

    def find(name: str) -> Member | None:
        if not name or name.split(".", 1)[0] in vendored:
            return None
        path = name.replace(".", "/")
        return tree.by_name.get(path + ".py") or tree.by_name.get(path + "/__init__.py")

    if handler is not None and "." in handler:
        starts = [handler.rsplit(".", 1)[0].replace("/", ".")]
    else:
        starts = [module_name(m.name) for m in tree.files()
                  if m.name.endswith(".py") and "/" not in m.name]
    queue = deque(starts)
    seen: set[str] = set()
    modules: list[Module] = []
    while queue:
        name = queue.popleft()
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            member = find(prefix)
            if member is None or member.name in seen:
                continue
            seen.add(member.name)
            module = parse(function, member, ctx)
            if module is None:
                continue
            modules.append(module)
            queue.extend(imported_names(module))
    function.cache[key] = modules
    return modules


@dataclass(frozen=True)
class ImportRecord:
    """One import in the function's own code."""

    name: str  # absolute dotted name (relative imports resolved)
    node: cst.CSTNode
    function: str | None  # the enclosing function's name; None at module (or class) level
    guarded: bool  # inside try/except ImportError (or ModuleNotFoundError), or TYPE_CHECKING
    relative: bool
    # `from a import b` records a.b too: b may be a submodule, or just a name in a
    maybe_attribute: bool = False


def imported_names(module: Module) -> list[str]:
    """Dotted names a module may import: `import a.b`, `from a import b` (a and a.b),
    relative imports resolved against the module's package, `import_module("literal")`."""
    return [record.name for record in import_records(module)]


def import_records(module: Module) -> list[ImportRecord]:
    """Every import of a module, with where it sits and whether it is guarded."""
    cached = module.cache.get("imports")
    if isinstance(cached, list):
        return cached
    import libcst as cst
    from libcst.helpers import get_full_name_for_node

    package = module.name if module.member.name.endswith("__init__.py") \
        else module.name.rpartition(".")[0]
    found: list[ImportRecord] = []

    def handles_import_error(handler: cst.ExceptHandler) -> bool:
        if handler.type is None:
            return True  # a bare except catches ImportError too
        names = ([get_full_name_for_node(e.value) for e in handler.type.elements]
                 if isinstance(handler.type, cst.Tuple)
                 else [get_full_name_for_node(handler.type)])
        return any(n in ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
                   for n in names)

    class Collector(cst.CSTVisitor):
        def __init__(self) -> None:
            self.functions: list[str] = []
            self.guards = 0

        def add(self, name: str, node: cst.CSTNode, relative: bool = False,
                maybe_attribute: bool = False) -> None:
            if name:
                found.append(ImportRecord(name, node,
                                          self.functions[-1] if self.functions else None,
                                          self.guards > 0, relative, maybe_attribute))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.functions.append(node.name.value)

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            self.functions.pop()

        def visit_Try(self, node: cst.Try) -> bool:
            guarded = any(handles_import_error(h) for h in node.handlers)
            self.guards += guarded
            node.body.visit(self)
            self.guards -= guarded
            for part in (*node.handlers, node.orelse, node.finalbody):
                if part is not None:
                    part.visit(self)
            return False

        def visit_If(self, node: cst.If) -> bool:
            if is_main_block(node):
                return False  # run locally only
            test = get_full_name_for_node(node.test) or ""
            guard = test.split(".")[-1] == "TYPE_CHECKING" or is_version_guard(node)
            self.guards += guard
            node.body.visit(self)
            if node.orelse is not None:
                node.orelse.visit(self)
            self.guards -= guard
            return False

        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                self.add(get_full_name_for_node(alias.name) or "", node)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            base = get_full_name_for_node(node.module) if node.module else ""
            relative = bool(node.relative)
            if relative:
                anchor = package.split(".") if package else []
                anchor = anchor[:len(anchor) - (len(node.relative) - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            self.add(base or "", node, relative)
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    # `from a import b` may import the submodule a.b: own_modules follows it
                    self.add(f"{base}.{alias.evaluated_name}" if base
                             else alias.evaluated_name, node, relative, maybe_attribute=True)

        def visit_Call(self, node: cst.Call) -> None:
            callee = get_full_name_for_node(node.func) or ""
            if callee.endswith("import_module") and node.args:
                value = node.args[0].value
                if isinstance(value, cst.SimpleString) and \
                        isinstance(value.evaluated_value, str):
                    self.add(value.evaluated_value, node)

    module.tree.visit(Collector())
    module.cache["imports"] = found
    return found


def is_main_block(node: cst.CSTNode) -> bool:
    """`if __name__ == "__main__":` — code for running the file locally, never on Lambda."""
    import libcst as cst

    if not isinstance(node, cst.If):
        return False
    test = cst.Module(body=[]).code_for_node(node.test)
    return "__name__" in test and "__main__" in test


def is_version_guard(node: cst.CSTNode) -> bool:
    """`if sys.version_info >= (3, 11):` — each branch is meant for some Python only."""
    import libcst as cst

    return isinstance(node, cst.If) and "version_info" in cst.Module(body=[]).code_for_node(
        node.test)


def functions(module: Module) -> list[cst.FunctionDef]:
    """The module's top-level functions (a parsed module means libcst is loaded already)."""
    import libcst as cst

    return [s for s in module.tree.body if isinstance(s, cst.FunctionDef)]


def descendants(node: cst.CSTNode) -> list[cst.CSTNode]:
    """A node and every node below it."""
    import libcst as cst

    found: list[cst.CSTNode] = []

    class All(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    node.visit(All())
    return found
