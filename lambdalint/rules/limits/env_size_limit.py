from __future__ import annotations

import json
from collections.abc import Iterator

from lambdalint.data import quotas
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.rules import Rule


class EnvSizeLimit(Rule):
    """
    ## What it does
    Adds up the function's environment variables as the template (or the config) declares
    them — names and values, as Lambda receives the `Variables` map — and compares the total
    with Lambda's 4 KB quota. Values decided at deploy time (a parameter without a default,
    an attribute of another resource) are not counted: the rule reports only what is over
    the quota already.

    ## Why is this bad?
    The deploy fails: `Lambda was unable to configure your environment variables because
    the environment variables you have provided exceeded the 4KB limit`. The whole stack
    update rolls back, late, after everything was built and uploaded.

    ## Example
    ```deployment
    lambdalint check template.yaml
    template.yaml: |
        Transform: AWS::Serverless-2016-10-31
        Resources:
          ReportFunction:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Environment:
                Variables:
                  TABLE_NAME: reports
                  REPORT_TEMPLATE: "<4200 chars of x>"
    src/app.py:  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check template.yaml
    template.yaml: |
        Transform: AWS::Serverless-2016-10-31
        Resources:
          ReportFunction:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Environment:
                Variables:
                  TABLE_NAME: reports
                  REPORT_TEMPLATE_PARAMETER: /reports/template
    src/app.py:  text=def handler(event, context):\\n    return {}\\n
    ```

    ## Fix
    Keep large values out of the environment: store them in SSM Parameter Store or Secrets
    Manager (read them once per cold start, or through the Parameters and Secrets
    extension), or ship them as a file in the package, and keep only their name in a
    variable.

    ## References
    - [Lambda quotas: environment variables (4 KB)](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
    - [Working with Lambda environment variables](https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)
    """

    id = "LL606"
    name = "env-size-limit"
    severity = Severity.ERROR
    summary = "The function's environment variables add up to more than Lambda's 4 KB"
    tags = ("limits", "configuration")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        limit = quotas().environment_total_bytes
        known = {name: v.value for name, v in deployment.environment.items()
                 if v.value is not None}
        size = len(json.dumps(known, separators=(",", ":"), ensure_ascii=False).encode())
        if size <= limit:
            return
        largest = sorted(known.items(), key=lambda kv: -len(kv[1].encode()))[:3]
        unknown = len(deployment.environment) - len(known)
        yield self.at(
            deployment.environment_origin, deployment,
            message=(f"the environment variables{self.concerning(deployment)} take {size:,} "
                     f"bytes{f' without the {unknown} decided at deploy time' if unknown else ''}"
                     f", over Lambda's {limit:,}: the deploy fails; largest: "
                     + ", ".join(f"{name} ({len(value.encode()):,} bytes)"
                                 for name, value in largest)),
            fix="move large values to SSM Parameter Store or Secrets Manager and keep only "
                "their names in the environment")
