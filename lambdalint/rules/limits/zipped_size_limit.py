from __future__ import annotations

from collections.abc import Iterator

from lambdalint.data import quotas
from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import LAYER, Deployment
from lambdalint.rules import Rule
from lambdalint.units import human_bytes


class ZippedSizeLimit(Rule):
    """
    ## What it does
    Checks each zip's own size against the 50 MB limit for uploading it directly with the
    Lambda API (console, `aws lambda update-function-code --zip-file`, `publish-layer-version
    --zip-file`).

    ## Why is this bad?
    A direct upload over the limit is rejected with `RequestEntityTooLargeException`; the zip
    must go through an S3 bucket instead, which many deploy scripts do not do.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
        model.bin  size=51M stored
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
        model.bin  size=10M stored
    ```

    ## Fix
    Upload through S3 (`aws s3 cp function.zip s3://bucket/` then `aws lambda
    update-function-code --s3-bucket bucket --s3-key function.zip`; SAM and CDK do this for
    you), or make the zip smaller (LL605).

    ## References
    - [Lambda quotas: deployment package size](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
    """

    id = "LL602"
    name = "zipped-size-limit"
    severity = Severity.WARNING
    summary = "A zip is over the 50 MB direct-upload limit and must be uploaded through S3"
    tags = ("limits",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        limit = quotas().zipped_direct_upload_bytes
        for artifact, tree in deployment.zips():
            size = tree.file_size
            if size <= limit:
                continue
            command = ("publish-layer-version --content S3Bucket=…,S3Key=…"
                       if artifact.role == LAYER else
                       "update-function-code --s3-bucket … --s3-key …")
            yield self.finding(
                artifact,
                message=(f"the zip is {human_bytes(size)} ({size:,} bytes), over the "
                         f"{limit:,}-byte limit for direct upload: upload it through S3"),
                fix=f"aws s3 cp {artifact.path} s3://BUCKET/ && aws lambda {command}")
