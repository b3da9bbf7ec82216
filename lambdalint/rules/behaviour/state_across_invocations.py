from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.resolution import resolve
from lambdalint.model.source import descendants
from lambdalint.model.values import Evaluator
from lambdalint.rules import Rule

GROWING = {"append", "extend", "add", "update", "insert", "setdefault", "appendleft"}
BOUNDING = {"clear", "pop", "popitem", "remove", "discard", "popleft"}


class StateAcrossInvocations(Rule):
    """
    ## What it does
    Finds the handler adding event data to a module-level list, dict or set
    (`SEEN.append(event)`, `CACHE[event["id"]] = …`, `IDS.add(…)`) when nothing in the
    handler ever removes entries (`clear`, `pop`, `popitem`, `remove`, `discard`, `del`).

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
    summary = "The handler adds event data to a module-level container that never shrinks"
    needs = ("handler",)
    tags = ("runtime", "memory")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        import libcst as cst

        resolution = resolve(deployment, ctx)
        handler, module = resolution.body, resolution.module
        if not isinstance(handler, cst.FunctionDef) or module is None:
            return
        params = [*handler.params.posonly_params, *handler.params.params]
        if not params:
            return
        event = params[0].name.value
        module_level = Evaluator(module)
        containers = {name for name, bound in module_level.bindings.items()
                      if len(bound) == 1 and module_level.value(bound[0]).kind in
                      ("list", "dict", "set")}
        growing: dict[str, cst.CSTNode] = {}
        bounded: set[str] = set()
        declared_global: set[str] = set()
        local: set[str] = set()  # names the handler binds itself shadow the module's

        def mentions_event(node: cst.CSTNode) -> bool:
            return any(isinstance(n, cst.Name) and n.value == event for n in descendants(node))

        class Mutations(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                    name = func.value.value
                    if func.attr.value in GROWING and name in containers and \
                            any(mentions_event(a.value) for a in node.args):
                        growing.setdefault(name, node)
                    elif func.attr.value in BOUNDING:
                        bounded.add(name)

            def visit_Global(self, node: cst.Global) -> None:
                declared_global.update(n.name.value for n in node.names)

            def visit_Assign(self, node: cst.Assign) -> None:
                for target in node.targets:
                    t = target.target
                    if isinstance(t, cst.Name):
                        # `global CACHE; CACHE = {}` resets it; otherwise the name is local
                        (bounded if t.value in declared_global else local).add(t.value)
                    if isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name) and \
                            t.value.value in containers and \
                            (mentions_event(t.slice[0]) or mentions_event(node.value)):
                        growing.setdefault(t.value.value, node)

            def visit_Del(self, node: cst.Del) -> None:
                for n in descendants(node):
                    if isinstance(n, cst.Name):
                        bounded.add(n.value)

        handler.visit(Mutations())
        for name, node in sorted(growing.items()):
            if name in bounded or name in local - declared_global:
                continue
            line, column = module.position(node)
            yield self.finding(
                module.artifact, member=module.member.name, line=line, column=column,
                key=name,
                message=(f"the handler adds event data to the module-level {name}, which "
                         "outlives the invocation and never shrinks: memory grows and data "
                         "leaks between requests"),
                fix=f"keep it local to the invocation, or bound {name}")

