from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import syntax_features
from lambdalint.finding import Finding, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.code.syntax import features_in_tree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


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
    function_code = True
    summary = "The function's code uses syntax newer than the runtime's Python"
    needs = ("runtime",)
    tags = ("runtime", "syntax")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None
        features = syntax_features()
        newer = [f for f in features.values() if f.python > runtime.python]
        if not newer:
            return
        for module in code_of(deployment, ctx).all_modules:
            source = module.parsed.source
            if module.tree is None:
                used = module.parsed.features  # what libcst found where the host could not
            elif any(f.hint.search(source) for f in newer):
                used = features_in_tree(module.tree, source)
            else:
                continue  # no hint of a newer feature: nothing to look for
            for feature_id, (line, column) in used.items():
                feature = features[feature_id]
                if feature.python <= runtime.python:
                    continue
                needed = f"{feature.python[0]}.{feature.python[1]}"
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=feature_id,
                    message=(f"{feature.description} needs Python {needed}, but {runtime.id} "
                             f"runs Python {runtime.python_version}: importing "
                             f"{module.name} fails with Runtime.UserCodeSyntaxError"),
                    fix=f"rewrite it for Python {runtime.python_version}, or move to "
                        f"python{needed} or later")
