from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import distribution_for_import, removed_stdlib
from lambdalint.finding import Finding, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.context import Context
from lambdalint.model.declared import declared_import
from lambdalint.model.deployment import Deployment
from lambdalint.model.importview import import_view
from lambdalint.rules import Rule


class UnresolvedImport(Rule):
    """
    ## What it does
    Resolves every import of the function's own code (the handler module and the modules it
    imports; at module level, or inside the handler function) against the import view
    Lambda builds: the function, the layers, the runtime's bundled packages (boto3 and its
    closure, awslambdaric, simplejson) and the target Python's standard library, including
    modules it no longer has (`distutils` on 3.12, `cgi` on 3.13). Imports guarded by
    `try/except ImportError` or under `if TYPE_CHECKING:` are not judged. When the function
    is an unbuilt source folder, the distributions declared beside it (`requirements.txt`,
    `pyproject.toml`) count as provided: a build will install them.

    ## Why is this bad?
    The import fails at cold start: `Runtime.ImportModuleError: Unable to import module
    'app': No module named 'requests'`, on every invocation.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --handler app.handler function.zip
    function.zip:
        app.py  text=import requests\\n\\ndef handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 --handler app.handler function.zip
    function.zip:
        app.py  text=import requests\\n\\ndef handler(event, context):\\n    return {}\\n
        requests/__init__.py
        requests-2.32.3.dist-info/RECORD  text=requests/__init__.py,,
    ```

    ## Fix
    Install the distribution the message names into the function (`pip install NAME
    --target .`) or into a layer's `python/` folder; for a module the standard library
    dropped, install its replacement (`setuptools` for `distutils`, `legacy-cgi` for `cgi`).

    ## References
    - [Working with .zip archives for Python Lambda functions](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html)
    - [Python: removed modules (PEP 594, PEP 632)](https://peps.python.org/pep-0594/)
    """

    id = "LL301"
    name = "unresolved-import"
    severity = Severity.ERROR
    function_code = True
    summary = "An import of the function's own code that nothing on the import view provides"
    needs = ("runtime",)
    tags = ("dependencies",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        view = import_view(deployment, ctx)
        assert view is not None
        handler = deployment.handler.value if deployment.handler else ""
        handler_module, _, handler_function = handler.rpartition(".")
        declared = declared_import(deployment, ctx)
        removed = removed_stdlib(view.runtime.python)
        for module in code_of(deployment, ctx).modules:
            reported: set[str] = set()
            in_handler = module.name == handler_module.replace("/", ".")
            for record in module.facts.imports:
                if record.guarded or record.maybe_attribute:
                    continue
                if record.function is not None and not (in_handler and
                                                        record.function == handler_function):
                    continue  # runs only if that function is called: not judged
                top = record.name.split(".", 1)[0]
                if top in reported or view.provider(top) is not None or declared(top):
                    continue
                reported.add(top)
                line, column = record.span.line, record.span.column
                if top in removed:
                    why = (f"the standard library of Python {view.runtime.python_version} no "
                           f"longer has it (removed in {removed[top]})")
                    fix = f"install a replacement, or stop using {top}"
                else:
                    dist = distribution_for_import(top)
                    why = f"nothing provides it (looked in {view.searched})"
                    fix = f"pip install {dist} --target . (or into a layer's python/ folder)"
                # A layer whose content is unknown may provide it: worth knowing, not an
                # error lambdalint can vouch for.
                maybe = top not in removed and bool(view.opaque_layers)
                if maybe:
                    why = (f"nothing lambdalint can see provides it; the layer "
                           f"{' or '.join(view.opaque_layers)} might (its contents are not "
                           "known to lambdalint)")
                yield self.finding(
                    module.artifact, member=module.member.name, line=line, column=column,
                    key=top, severity=Severity.INFO if maybe else None,
                    message=(f"No module named '{top}' when {module.name} is imported on "
                             f"{view.runtime.id}: {why}"),
                    fix=fix)
