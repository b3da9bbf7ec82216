from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.code.modules import module_name
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.handler import find_module
from lambdalint.model.resolution import anchor, is_module_path, resolve
from lambdalint.rules import Rule
from lambdalint.rules.layout.function_code_nested import nested_folder


class HandlerModuleNotFound(Rule):
    """
    ## What it does
    Looks for the handler's module (`a/b.c` and `a.b.c` both mean module `a.b`) where the
    runtime imports it from: the function's root, then the layers. Suggests the closest
    module that exists, and recognises a zip made from the folder instead of its contents.
    With `AWS_LAMBDA_EXEC_WRAPPER` set and a handler that is a file name rather than
    `module.function` (Lambda Web Adapter's `run.sh`), the wrapper runs that file from the
    code root instead: it must be there, executable, with LF line endings.

    ## Why is this bad?
    Every invocation fails: `Runtime.ImportModuleError: Unable to import module 'app': No
    module named 'app'`.

    ## Example
    ```deployment
    lambdalint check --handler lambda_function.lambda_handler function.zip
    function.zip:
        handler.py  text=def lambda_handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler handler.lambda_handler function.zip
    function.zip:
        handler.py  text=def lambda_handler(event, context):\\n    return {}\\n
    ```

    ## Fix
    Set the handler to the module that exists (see the suggestion), or zip the code so that
    the module is at the root (`cd src && zip -r ../function.zip .`).

    ## References
    - [Define Lambda function handler in Python: naming](https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
    """

    id = "LL401"
    name = "handler-module-not-found"
    severity = Severity.ERROR
    function_code = True
    summary = "The handler's module is not in the function code (or a layer)"
    needs = ("handler",)
    tags = ("handler",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        resolution = resolve(deployment, ctx)
        if resolution.exec_wrapper is not None:
            yield from self._executable(deployment, resolution.exec_wrapper, ctx)
            return
        handler = resolution.handler
        place = anchor(deployment)
        if handler is None or resolution.found_file or place is None:
            return
        # a method path (app.Class.method) is LL403's when the parent module exists
        if "." in handler.module and \
                find_module(deployment, handler.module.rpartition(".")[0]) is not None:
            return
        hints = []
        if not is_module_path(handler.text):
            hints.append(f"{handler.text} looks like an executable: the runtime runs it only "
                         "through an exec wrapper (AWS_LAMBDA_EXEC_WRAPPER, e.g. Lambda Web "
                         "Adapter's /opt/bootstrap)")
        function = deployment.function
        if function is not None and function.tree is not None:
            folder = nested_folder(function.tree, handler.module)
            if folder is not None:
                hints.append(f"it is inside the folder {folder}: the zip was made from the "
                             "folder, not its contents")
            modules = [module_name(m.name) for m in function.tree.files()
                       if (m.name.endswith(".py") and "/" not in m.name.rstrip("/"))
                       or m.name.endswith("/__init__.py")]
            import difflib  # only when there is a name to suggest

            close = difflib.get_close_matches(handler.module, modules, n=1)
            if close:
                hints.append(f"did you mean {close[0]}.{handler.function}?")
        message = (f"handler {handler.text!r}{self.concerning(deployment)}: no module "
                   f"{handler.module!r} in the function or its layers, so every invocation "
                   "fails with Runtime.ImportModuleError" +
                   ("; " + "; ".join(hints) if hints else ""))
        fix = "point the handler at a module that exists, at the root of the zip"
        assert deployment.handler is not None
        yield self.at(deployment.handler.origin, deployment, message, fix=fix,
                      key=handler.module)

    def _executable(self, deployment: Deployment, wrapper: str,
                    ctx: Context) -> Iterator[Finding]:
        """An exec wrapper runs $LAMBDA_TASK_ROOT/$_HANDLER: that file must exist, be
        executable and start with a LF-terminated #! line."""
        function, handler = deployment.function, deployment.handler
        if function is None or function.tree is None or handler is None:
            return
        member = function.tree.by_name.get(handler.value.lstrip("/"))
        if member is None:
            yield self.at(handler.origin, deployment,
                          f"handler {handler.value!r}{self.concerning(deployment)}: the exec "
                          f"wrapper ({wrapper}) runs $LAMBDA_TASK_ROOT/{handler.value}, which "
                          "is not in the function's code (the wrapper exits 127)",
                          fix=f"add {handler.value} (mode 755) at the root of the code",
                          key=handler.value)
            return
        problems = []
        if member.mode is not None and not member.mode & 0o111:
            problems.append(f"is not executable (mode {member.mode & 0o777:o}; the wrapper "
                            "exits 126)")
        first_line = (ctx.read(function, member, limit=4096) or b"").split(b"\n", 1)[0]
        if first_line.endswith(b"\r"):
            problems.append("has CRLF line endings (`/bin/sh^M: bad interpreter`)")
        for problem in problems:
            yield self.finding(function, member=member.name, key=f"{member.name}:{problem[:9]}",
                               message=f"{member.name}, run by the exec wrapper ({wrapper}), "
                                       f"{problem}",
                               fix=f"chmod 755 {member.name} and save it with LF line endings")
