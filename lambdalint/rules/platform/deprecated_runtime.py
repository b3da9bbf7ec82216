from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import value_fix
from lambdalint.data import recommended_runtime
from lambdalint.finding import Applicability, Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class DeprecatedRuntime(Rule):
    """
    ## What it does
    Checks the function's runtime against Lambda's deprecation schedule (a data table of
    deprecation, block-create and block-update dates). A deprecated runtime is a warning;
    once updates are blocked it is an error. The message gives the dates and the runtime to
    move to. The date is today's, or `--today YYYY-MM-DD`.

    ## Why is this bad?
    After deprecation a runtime gets no security patches and no support. Lambda then blocks
    creating functions on it, and later blocks updating them: from that day every deploy of
    the function fails, although existing versions keep running.

    ## Example
    ```deployment
    lambdalint check --today 2026-11-21 template.yaml
    template.yaml: |
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: function.zip
              Handler: app.handler
              Runtime: python3.9
    function.zip:
        app.py  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --today 2026-11-21 template.yaml
    template.yaml: |
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: function.zip
              Handler: app.handler
              Runtime: python3.13
    function.zip:
        app.py  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Fix
    Move the function to a supported runtime: rebuild its zip and layers for the new Python
    (binary wheels are per Python version, see LL201) and change `Runtime` in the template.
    With `--unsafe-fixes`, `lambdalint check --fix` sets the runtime to the recommended one
    where the template, serverless.yml or the TOML config writes it, changing nothing else
    in the file (unsafe: the code and its wheels must still be rebuilt for that Python,
    which the next check judges).

    ## References
    - [Lambda runtimes: deprecation policy and dates](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
    """

    id = "LL208"
    name = "deprecated-runtime"
    severity = Severity.WARNING
    summary = "The function's runtime is deprecated (an error once Lambda blocks updates)"
    needs = ("runtime",)
    tags = ("runtime",)
    fixes = (Applicability.UNSAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None
        if runtime.deprecated is None or ctx.today < runtime.deprecated:
            return
        if deployment.function is None and not deployment.layers and \
                deployment.defined_at is None:
            return  # nothing to point at: no code, no layers, no template
        blocked = runtime.block_update is not None and ctx.today >= runtime.block_update
        suggested = recommended_runtime()
        schedule = "; ".join(
            f"{label} {'since' if ctx.today >= day else 'from'} {day.isoformat()}"
            for label, day in (("creating functions blocked", runtime.block_create),
                               ("updating functions blocked", runtime.block_update))
            if day is not None)
        assert deployment.runtime is not None
        yield self.at(
            deployment.runtime.origin, deployment,
            severity=Severity.ERROR if blocked else Severity.WARNING,
            message=(f"{runtime.id}{self.concerning(deployment)} is deprecated since "
                     f"{runtime.deprecated.isoformat()}"
                     f"{'; ' + schedule if schedule else ''}: "
                     f"{'deploys of this function now fail; ' if blocked else ''}"
                     f"move to {suggested.id}"),
            fix=value_fix(deployment.runtime, suggested.id,
                          f"rebuild for {suggested.id} and set Runtime: {suggested.id}",
                          f"runtime set to {suggested.id}"))
