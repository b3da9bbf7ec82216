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

if TYPE_CHECKING:
    import libcst as cst

    from lambdalint.model.archive import Member
    from lambdalint.model.deployment import Artifact, Deployment
    from lambdalint.rules import Context


@dataclass
class Module:
    """One parsed module of the function's own code."""

    artifact: Artifact
    member: Member
    name: str  # dotted, as Python imports it
    tree: cst.Module
    _positions: Any = field(default=None, repr=False)

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based (line, column) where a node starts."""
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            # The tree is never changed, so the wrapper may use it as it is (no deep copy).
            wrapper = MetadataWrapper(self.tree, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        start = self._positions[node].start
        return start.line, start.column + 1


def module_name(path: str) -> str:
    """`a/b/c.py` → `a.b.c`; `a/b/__init__.py` → `a.b`."""
    stem = path[:-len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]
    return stem.replace("/", ".")


def parse(artifact: Artifact, member: Member, ctx: Context) -> Module | None:
    """The parsed module, or None (then LL002 says why, once) if it cannot be parsed."""
    data = ctx.read(artifact, member)
    if data is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    cached = ctx.cache.get(f"parse:{digest}")
    if cached is None:
        cached = _parse(data)
        ctx.cache[f"parse:{digest}"] = cached
    if isinstance(cached, str):  # the parser's reason, not a tree
        ctx.meta_findings.append(Finding(
            rule="LL002", path=artifact.path, member=member.name,
            message=f"{member.name} cannot be parsed as Python ({cached}): the runtime fails "
                    "with Runtime.UserCodeSyntaxError when it is imported; other code "
                    "checks skip it"))
        return None
    return Module(artifact, member, module_name(member.name), cast("cst.Module", cached))


def _parse(data: bytes) -> cst.Module | str:
    import libcst as cst

    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}: {exc.message}"
    except (RecursionError, MemoryError):
        return "nested too deeply"
    except (UnicodeDecodeError, LookupError, ValueError) as exc:  # bad or unknown encoding
        return type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]


def own_modules(deployment: Deployment, ctx: Context) -> list[Module]:
    """The function's own modules the runtime will import, each parsed once."""
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


def imported_names(module: Module) -> list[str]:
    """Dotted names a module may import: `import a.b`, `from a import b` (a and a.b),
    relative imports resolved against the module's package, `import_module("literal")`."""
    import libcst as cst
    from libcst.helpers import get_full_name_for_node

    package = module.name if module.member.name.endswith("__init__.py") \
        else module.name.rpartition(".")[0]
    found: list[str] = []

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            found.extend(get_full_name_for_node(alias.name) or "" for alias in node.names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            base = get_full_name_for_node(node.module) if node.module else ""
            if node.relative:
                anchor = package.split(".") if package else []
                anchor = anchor[:len(anchor) - (len(node.relative) - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base or "")
            if not isinstance(node.names, cst.ImportStar):
                found.extend(f"{base}.{alias.evaluated_name}" if base else alias.evaluated_name
                             for alias in node.names)

        def visit_Call(self, node: cst.Call) -> None:
            callee = get_full_name_for_node(node.func) or ""
            if callee.endswith("import_module") and node.args:
                value = node.args[0].value
                if isinstance(value, cst.SimpleString):
                    found.append(value.evaluated_value if isinstance(
                        value.evaluated_value, str) else "")

    module.tree.visit(Collector())
    return [name for name in found if name]
