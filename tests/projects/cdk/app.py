#!/usr/bin/env python3
"""The CDK app that synthesized cdk.out (kept for realism; lambdalint reads cdk.out)."""
import aws_cdk as cdk
from aws_cdk import aws_lambda as _lambda
from constructs import Construct


class ApiStack(cdk.Stack):
    def __init__(self, scope: Construct, name: str) -> None:
        super().__init__(scope, name)
        deps = _lambda.LayerVersion(self, "Deps", code=_lambda.Code.from_asset("layers/deps"),
                                    compatible_runtimes=[_lambda.Runtime.PYTHON_3_12])
        _lambda.Function(self, "Api", runtime=_lambda.Runtime.PYTHON_3_12,
                         architecture=_lambda.Architecture.ARM_64, handler="index.handler",
                         code=_lambda.Code.from_asset("lambda/api"), layers=[deps])


class WorkerStack(cdk.Stack):
    def __init__(self, scope: Construct, name: str) -> None:
        super().__init__(scope, name)
        _lambda.Function(self, "Worker", runtime=_lambda.Runtime.PYTHON_3_9,
                         handler="worker.main", code=_lambda.Code.from_asset("lambda/worker"))


app = cdk.App()
ApiStack(app, "ApiStack")
WorkerStack(app, "WorkerStack")
app.synth()
