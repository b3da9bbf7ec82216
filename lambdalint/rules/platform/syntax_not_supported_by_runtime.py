from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdalint.data import SyntaxFeature, syntax_features
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.distributions import owner_of
from lambdalint.model.source import own_modules
from lambdalint.rules import Rule

if TYPE_CHECKING:
    import libcst as cst


class SyntaxNotSupportedByRuntime(Rule):
    """
    ## What it does
    Finds syntax in the function's own modules (the handler module and the modules it
    imports, not vendored packages) that the runtime's Python cannot parse: the match
    statement on `python3.9`, `except*` on `python3.10`, type parameter syntax or PEP 701
    f-strings on `python3.11`, `except A, B:` without parentheses on `python3.13`, and the
    other rows of lambdalint's syntax table (each row is proven against real interpreters in
    lambdalint's tests). It reports the first use of each feature in each module.

    ## Why is this bad?
    The code parses on the developer's newer Python, so local tests pass; on Lambda the
    import fails at cold start with `Runtime.UserCodeSyntaxError`, on every invocation.

    ## Example
    ```deployment
    lambdalint check --runtime python3.9 --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    match event:\\n        case _: return 1\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.9 --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    if event:\\n        return 1\\n
    ```

    ## Fix
    Rewrite the construct for the runtime's Python, or move the function to a runtime that
    has it (rebuilding its binary dependencies for that Python, see LL201).

    ## References
    - [What's New in Python](https://docs.python.org/3/whatsnew/index.html)
    - [Lambda Python runtimes](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
    """

    id = "LL209"
    name = "syntax-not-supported-by-runtime"
    severity = Severity.ERROR
    summary = "The function's code uses syntax newer than the runtime's Python"
    needs = ("runtime",)
    tags = ("runtime", "syntax")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None
        features = syntax_features()
        newer = [f for f in features.values() if f.python > runtime.python]
        if not newer or not self._hinted(deployment, ctx, newer):
            return  # nothing could fail: no need to parse (or even import libcst)
        for module in own_modules(deployment, ctx):
            for feature_id, node in used_features(module.tree).items():
                feature = features[feature_id]
                if feature.python <= runtime.python:
                    continue
                line, column = module.position(node)
                needed = f"{feature.python[0]}.{feature.python[1]}"
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=feature_id,
                    message=(f"{feature.description} needs Python {needed}, but {runtime.id} "
                             f"runs Python {runtime.python_version}: importing "
                             f"{module.name} fails with Runtime.UserCodeSyntaxError"),
                    fix=f"rewrite it for Python {runtime.python_version}, or move to "
                        f"python{needed} or later")


    @staticmethod
    def _hinted(deployment: Deployment, ctx: Context, newer: list[SyntaxFeature]) -> bool:
        """Whether any of the function's own-looking modules may use a newer feature, or
        fails to parse (then libcst must say whether it is LL002 or newer syntax)."""
        function = deployment.function
        if function is None or function.tree is None:
            return False
        vendored = owner_of(function, ctx)
        for member in function.tree.files():
            if not member.name.endswith(".py"):
                continue
            if member.name.split("/", 1)[0].removesuffix(".py") in vendored or \
                    member.size > ctx.max_source_size:
                continue  # vendored, or too large to analyse (the note says so)
            data = ctx.read(function, member)
            if data and (any(f.hint.search(data) for f in newer) or not _parses(data)):
                return True
        return False


def _parses(source: bytes) -> bool:
    """Whether the running interpreter's own parser (C, fast) accepts the module."""
    import ast

    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def used_features(tree: cst.Module) -> dict[str, cst.CSTNode]:
    """The first node using each feature of the syntax table (ids as in syntax.json)."""
    import libcst as cst

    found: dict[str, cst.CSTNode] = {}
    render = cst.Module(body=[]).code_for_node

    def plain_decorator(node: cst.BaseExpression) -> bool:
        """Before PEP 614: a dotted name, optionally called."""
        if isinstance(node, cst.Call):
            node = node.func
        while isinstance(node, cst.Attribute):
            node = node.value
        return isinstance(node, cst.Name)

    class Features(cst.CSTVisitor):
        def note(self, feature: str, node: cst.CSTNode) -> None:
            found.setdefault(feature, node)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            self.note("assignment-expression", node)

        def visit_Parameters(self, node: cst.Parameters) -> None:
            if node.posonly_params or isinstance(node.posonly_ind, cst.ParamSlash):
                self.note("positional-only-parameters", node)

        def visit_FormattedString(self, node: cst.FormattedString) -> None:
            quote = node.start.lstrip("fFrRbB")
            for part in node.parts:
                if not isinstance(part, cst.FormattedStringExpression):
                    continue
                if isinstance(part.equal, cst.AssignEqual):
                    self.note("fstring-self-documenting", part)
                code = render(part.expression)
                spans_lines = len(quote) == 1 and "\n" in code
                if quote in code or "\\" in code or spans_lines:
                    self.note("fstring-pep701", part)

        def visit_Decorator(self, node: cst.Decorator) -> None:
            if not plain_decorator(node.decorator):
                self.note("relaxed-decorator", node)

        def visit_With(self, node: cst.With) -> None:
            if isinstance(node.lpar, cst.LeftParen):
                self.note("parenthesized-context-managers", node)

        def visit_Match(self, node: cst.Match) -> None:
            self.note("match-statement", node)

        def visit_TryStar(self, node: cst.TryStar) -> None:
            self.note("except-star", node)

        def visit_Index(self, node: cst.Index) -> None:
            if node.star:
                self.note("starred-subscript", node)

        def visit_TypeParameters(self, node: cst.TypeParameters) -> None:
            self.note("type-parameters", node)

        def visit_TypeParam(self, node: cst.TypeParam) -> None:
            if node.default is not None:
                self.note("type-parameter-default", node)

        def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
            self.note("type-alias-statement", node)

        def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
            if isinstance(node.type, cst.Tuple) and not node.type.lpar:
                self.note("except-without-parentheses", node)

        def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
            self.note("template-string", node)

    tree.visit(Features())
    return found
