from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Related, Severity
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.spec import DEFAULT, INFERRED, ImageSpec, Value
from lambdalint.rules import Rule, advice

_PLATFORMS = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}


class ContainerImageMismatch(Rule):
    """
    ## What it does
    For a container-image function, compares what its Dockerfile builds with what the
    function is declared to be elsewhere (`--runtime`/`--architecture`, the config, the
    template's `Architectures`, or Lambda's default `x86_64` when the template says
    nothing): the Python of the base image (`FROM public.ecr.aws/lambda/python:3.12`, or
    `python:3.12-slim` with awslambdaric) against the runtime, and the image's architecture
    (a `-arm64`/`-x86_64` tag, `FROM --platform=linux/arm64`) against the function's. The
    finding points at the `FROM` line. The handler in `CMD ["app.handler"]` is the
    function's handler: LL401 and the other handler rules check it against the code the
    Dockerfile copies into `${LAMBDA_TASK_ROOT}`.

    ## Why is this bad?
    An image carries its own Python and CPU architecture; Lambda cannot change either. An
    arm64 image on an `x86_64` function (or the reverse) does not start:
    `Runtime.InvalidEntrypoint` with `exec format error` on every invocation. An image on
    Python 3.11 for a function meant to be python3.12 runs 3.11: the packages built and
    checked for 3.12 (compiled extensions, `Requires-Python`, syntax) do not match what
    runs.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 Dockerfile
    Dockerfile: |
        FROM public.ecr.aws/lambda/python:3.11
        COPY app.py ${LAMBDA_TASK_ROOT}
        CMD ["app.handler"]
    app.py: |
        def handler(event, context):
            return {}
    ```

    ```deployment
    lambdalint check --architecture x86_64 Dockerfile
    Dockerfile: |
        FROM public.ecr.aws/lambda/python:3.12-arm64
        COPY app.py ${LAMBDA_TASK_ROOT}
        CMD ["app.handler"]
    app.py: |
        def handler(event, context):
            return {}
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 --architecture arm64 Dockerfile
    Dockerfile: |
        FROM public.ecr.aws/lambda/python:3.12-arm64
        COPY app.py ${LAMBDA_TASK_ROOT}
        CMD ["app.handler"]
    app.py: |
        def handler(event, context):
            return {}
    ```

    ## Fix
    Make the two agree: change the base image's tag (`python:3.12`, `3.12-arm64`) or
    `--platform`, or the function's declared runtime and architecture (`Architectures:
    [arm64]` in the template). Building on an arm64 machine without `--platform` makes an
    arm64 image: pin the platform, or use the `-x86_64`/`-arm64` tag.

    ## References
    - [Deploy Python Lambda functions with container images](https://docs.aws.amazon.com/lambda/latest/dg/python-image.html)
    - [Lambda instruction set architectures](https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html)
    - [AWS base images for Lambda (tags per runtime and architecture)](https://gallery.ecr.aws/lambda/python)
    """

    id = "LL210"
    name = "container-image-mismatch"
    severity = Severity.ERROR
    summary = ("The Dockerfile's base image or platform disagrees with the function's "
               "runtime or architecture")
    tags = ("platform", "image")

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        image = deployment.image
        if image is None:
            return
        yield from self._runtime(deployment, image)
        yield from self._architecture(deployment, image)

    def _runtime(self, deployment: Deployment, image: ImageSpec) -> Iterator[Finding]:
        declared = _declared(deployment.runtime, image)
        if declared is None or image.base is None:
            return
        if image.runtime is not None:
            ours, where = image.runtime, image.runtime
            runs = f"{image.base.value} (the {ours.value} base image)"
        else:
            # Only for a base that is not Lambda's: the Dockerfile reader loads on demand.
            from lambdalint.discover.dockerfile import python_of

            python = python_of(image.base.value)
            if python is None:
                return
            ours, where = Value(python, image.base.origin), image.base
            runs = f"{image.base.value} (Python {python[len('python'):]})"
        if ours.value == declared.value:
            return
        yield self._at(
            image, where,
            message=(f"the image{self.concerning(deployment)} is built on {runs}, but the "
                     f"function's runtime is {declared.value} ({_describe(declared)}): the "
                     f"image runs {ours.value}, so what was built and checked for "
                     f"{declared.value} is not what runs"),
            fix=(f"build on the {declared.value} image (public.ecr.aws/lambda/python:"
                 f"{declared.value[len('python'):]}), or declare {ours.value}"),
            declared=declared, label="runtime")

    def _architecture(self, deployment: Deployment, image: ImageSpec) -> Iterator[Finding]:
        declared = _declared(deployment.architecture, image)
        ours = image.architecture
        if declared is None or ours is None or ours.value == declared.value:
            return
        yield self._at(
            image, ours,
            message=(f"the image{self.concerning(deployment)} is built for {ours.value}, but "
                     f"the function's architecture is {declared.value} "
                     f"({_describe(declared)}): Lambda runs it on {declared.value} and it "
                     "fails to start (Runtime.InvalidEntrypoint: exec format error)"),
            fix=(f"set Architectures: [{ours.value}] on the function, or build the image "
                 f"for {declared.value} (FROM --platform={_PLATFORMS.get(declared.value, '')}"
                 f" or the -{declared.value} tag)"),
            declared=declared, label="architecture")

    def _at(self, image: ImageSpec, where: Value, *, message: str, fix: str,
            declared: Value, label: str) -> Finding:
        origin = declared.origin
        related = (Related(path=origin.file, line=origin.line,
                           message=f"the function's {label} is declared here"),) \
            if origin.file is not None else ()
        return Finding(rule=self.id, path=image.dockerfile, line=where.origin.line,
                       column=where.origin.column, message=message, fix=advice(fix),
                       related=related,
                       key=label)


def _declared(value: Value | None, image: ImageSpec) -> Value | None:
    """The deployment's value when something other than the Dockerfile states it."""
    if value is None or value.source == INFERRED or value.origin.file == image.dockerfile:
        return None
    return value


def _describe(value: Value) -> str:
    if value.source == DEFAULT:
        where = f": {value.origin.describe()} names none" if value.origin.file else ""
        return f"Lambda's default{where}"
    return value.origin.describe()
