from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.code.program import code_of
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class StateAcrossInvocations(Rule):
    """
    ## What it does
    Finds the handler adding event data to a module-level list, dict or set
    (`SEEN.append(event)`, `CACHE[event["id"]] = …`, `IDS.add(record["body"])` in a loop
    over the records) when nothing in the module ever removes entries (`clear`, `pop`,
    `popitem`, `remove`, `discard`, `del`) or replaces the container (`global X; X = []`).

    ## Why is this bad?
    Module-level objects survive between invocations of a warm execution environment: the
    container grows with every event (until the function runs out of memory) and data of one
    request leaks into the next.

    ## Example
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=SEEN = []\\n\\ndef handler(event, context):\\n    SEEN.append(event["id"])\\n\\
        \\n    return {"seen": len(SEEN)}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check --handler app.handler function.zip
    function.zip:
        app.py  text=def handler(event, context):\\n    seen = [event["id"]]\\n\\
        \\n    return {"seen": len(seen)}\\n
    ```

    ## Fix
    Keep per-request data in local variables; for a deliberate cache, bound it
    (`functools.lru_cache(maxsize=…)`, an eviction policy) or store it outside the function
    (DynamoDB, ElastiCache).

    ## References
    - [Lambda execution environment lifecycle](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
    """

    id = "LL510"
    name = "state-across-invocations"
    severity = Severity.WARNING
    function_code = True
    summary = "The handler adds event data to a module-level container that never shrinks"
    needs = ("handler",)
    tags = ("runtime", "memory")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for growth in code_of(deployment, ctx).module_growth():
            if not growth.carries_event:
                continue
            name = growth.container
            yield self.in_code(
                growth.span, key=name,
                message=(f"the handler adds event data to the module-level {name}, which "
                         "outlives the invocation and never shrinks: memory grows and data "
                         "leaks between requests"),
                related=Related.to(growth.defined, f"{name} is made here, once per "
                                                   "execution environment"),
                fix=f"keep it local to the invocation, or bound {name}")
