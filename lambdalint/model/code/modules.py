"""The function's own Python modules: found, read once, parsed once per content hash.

"Own" means what the runtime will import from the function code: the handler module and,
transitively, the function's modules it imports (absolute, relative, `importlib.import_module`
with a literal). Vendored distributions (claimed by a `*.dist-info/RECORD`) are never read.
With no handler known, every top-level module of the function is a starting point.

The running interpreter's `ast` parses them (measured first: `model/guard.py`). A module it
cannot parse goes to libcst, which tells newer syntax (LL209 reads it; the other code rules
skip the module, with a note naming the Python to run lambdalint under) from a syntax error
(LL002).
"""

from __future__ import annotations

import ast
import codecs
import io
from collections import deque
from typing import TYPE_CHECKING

from lambdalint.finding import Finding
from lambdalint.model.code.semantic import Facts, collect, span_of
from lambdalint.model.code.span import Span
from lambdalint.model.distributions import owner_of
from lambdalint.model.guard import TOO_DEEP, measure
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.archive import Member
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact, Deployment


@record(eq=False)
class Parsed:
    """What a module's bytes give, shared by every file with the same content."""

    source: bytes
    tree: ast.Module | None  # None: the host cannot parse it (newer syntax)
    # Syntax features libcst found in a module the host cannot parse: id -> (line, column).
    features: dict[str, tuple[int, int]] = field(default_factory=dict)
    lines: list[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.lines = _utf8(self.source).splitlines()


@record(eq=False)
class CodeModule:
    """One module of the function's own code."""

    artifact: Artifact
    member: Member
    name: str  # dotted, as Python imports it
    parsed: Parsed
    _facts: Facts | None = field(default=None, repr=False)

    @property
    def tree(self) -> ast.Module | None:
        return self.parsed.tree

    @property
    def package(self) -> str:
        return self.name if self.member.name.endswith("__init__.py") \
            else self.name.rpartition(".")[0]

    @property
    def facts(self) -> Facts:
        """Scopes, bindings, calls and imports, collected once (a module the host cannot
        parse has none)."""
        if self._facts is None:
            tree = self.parsed.tree or ast.Module(body=[], type_ignores=[])
            self._facts = collect(tree, self.name, self.package, self.artifact.path,
                                  self.member.name, self.lines)
        return self._facts

    @property
    def lines(self) -> list[bytes]:
        return self.parsed.lines

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.artifact.path, self.member.name, self.lines)


def _utf8(source: bytes) -> bytes:
    """The source as ast counts columns in it: UTF-8 bytes of the decoded text (a PEP 263
    declaration may say latin-1), without a byte order mark."""
    if source.startswith(codecs.BOM_UTF8):
        return source[len(codecs.BOM_UTF8):]
    if source.isascii():
        return source
    import tokenize  # only for the rare module that is not ASCII

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        if encoding not in ("utf-8", "utf-8-sig"):
            return source.decode(encoding).encode("utf-8")
    except (SyntaxError, LookupError, UnicodeError):
        pass
    return source


def module_name(path: str) -> str:
    """`a/b/c.py` → `a.b.c`; `a/b/__init__.py` → `a.b`."""
    stem = path[:-len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]
    return stem.replace("/", ".")


def loaded(artifact: Artifact, member: str, ctx: Context) -> CodeModule | None:
    """The module if this run has already read it (no read, no parse)."""
    found = ctx.cache.get(_key(artifact, member))
    return found if isinstance(found, CodeModule) else None


def _key(artifact: Artifact, member: str) -> str:
    return f"code:{artifact.path}:{member}"


def load(artifact: Artifact, member: Member, ctx: Context) -> CodeModule | None:
    """The module (one object per file for the run), or None: LL002 says why when it cannot
    be parsed; a note when it is too large or nested too deeply to analyse."""
    key = _key(artifact, member.name)
    if key in ctx.cache:
        cached_module = ctx.cache[key]
        return cached_module if isinstance(cached_module, CodeModule) else None
    ctx.cache[key] = None
    cap = min(ctx.max_member_size, ctx.max_source_size)
    if member.size > cap:
        ctx.notes.append(f"{artifact.where(member.name)} is larger than max-source-size "
                         f"({cap:,} bytes): code checks skip it")
        return None
    data = ctx.read(artifact, member)
    if data is None:
        return None
    # Parsed once per content: the bytes themselves are the key (a vendored copy of a module
    # is parsed once), without a digest to compute.
    parses = ctx.cache.setdefault("parses", {})
    assert isinstance(parses, dict)
    parsed = parses.get(data)
    if parsed is None:
        parsed = parses[data] = _parse(data, ctx.max_source_size)
    if isinstance(parsed, tuple):
        reason, syntax_error = parsed
        if syntax_error:
            ctx.meta_findings.append(Finding(
                rule="LL002", path=artifact.path, member=member.name,
                message=f"{member.name} cannot be parsed as Python ({reason}): the runtime "
                        "fails with Runtime.UserCodeSyntaxError when it is imported; other "
                        "code checks skip it"))
        else:
            ctx.notes.append(f"{artifact.where(member.name)} is {reason}: code checks skip it")
        return None
    assert isinstance(parsed, Parsed)
    module = CodeModule(artifact, member, module_name(member.name), parsed)
    if parsed.tree is not None:
        try:
            module.facts  # noqa: B018  (collected now: a failure is known before any rule)
        except RecursionError:
            ctx.notes.append(f"{artifact.where(member.name)} is {TOO_DEEP}: code checks "
                             "skip it")
            return None
    ctx.cache[key] = module
    return module


def _parse(data: bytes, max_bytes: int) -> Parsed | tuple[str, bool]:
    """The parsed module, or (why not, whether the runtime would fail to import it too)."""
    verdict = measure(data, max_bytes)
    if verdict.tree is not None:
        return Parsed(data, verdict.tree)
    if not verdict.readable:
        return verdict.reason, verdict.syntax_error
    # The host cannot parse it, and libcst may read it safely: newer syntax, or an error.
    from lambdalint.model.code.syntax import features_in_text

    features = features_in_text(data)
    if isinstance(features, str):
        return features, True
    return Parsed(data, None, features)


def own_modules(deployment: Deployment, ctx: Context) -> list[CodeModule]:
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
    modules: list[CodeModule] = []
    while queue:
        name = queue.popleft()
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            member = find(".".join(parts[:depth]))
            if member is None or member.name in seen:
                continue
            seen.add(member.name)
            module = load(function, member, ctx)
            if module is None:
                continue
            modules.append(module)
            queue.extend(record.name for record in module.facts.imports)
    function.cache[key] = modules
    return modules
