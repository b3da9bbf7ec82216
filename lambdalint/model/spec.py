"""What the user's own files say a deployment is, every value with where it was read.

Discovery (flags, config, SAM/CloudFormation, CDK output, serverless.yml, Dockerfile) turns
those files into ``FunctionSpec``s; the engine merges them (flags over config over templates
over inference) into ``Deployment``s. A value that points back at ``template.yaml:42`` lets a
finding about it point there too.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from lambdalint.records import field, record

# Where a value came from, in precedence order (a later word never overrides an earlier one).
FLAG, CONFIG, TEMPLATE, INFERRED, DEFAULT = "flag", "config", "template", "inferred", "default"


@record(frozen=True)
class Origin:
    """Where a value was read: the kind of source, and for files the file and line."""

    source: str  # flag | config | template | inferred | default
    file: str | None = None  # as shown to the user (relative to the current folder)
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based, in characters
    # The file itself (absolute), for a fix that edits the value where it is written.
    path: Path | None = field(default=None, compare=False)
    # In a TOML config (no line numbers): the value's key from the document's root,
    # ("tool", "lambdalint", "function", 0, "runtime").
    key: tuple[str | int, ...] = field(default=(), compare=False)

    def describe(self) -> str:
        if self.file is None:
            return {FLAG: "command line", INFERRED: "inferred from the artifacts",
                    DEFAULT: "Lambda's default"}.get(self.source, self.source)
        return f"{self.file}:{self.line}" if self.line is not None else self.file


COMMAND_LINE = Origin(FLAG)


@record(frozen=True)
class Value:
    """A target value (runtime, architecture, handler…) and where it came from."""

    value: str
    origin: Origin

    @property
    def source(self) -> str:
        return self.origin.source


@record(frozen=True)
class Variable:
    """One environment variable of a function.

    ``value`` is None when the variable is set but its value is decided at deploy time (a
    parameter without a default, an attribute of a resource, an import): the rules then
    know it exists without guessing what it holds.
    """

    name: str
    value: str | None
    origin: Origin
    # The logical id of the template resource the value names (`!Ref UploadBucket`).
    refers_to: str | None = None


@record(frozen=True)
class Event:
    """Something that invokes the function, as the infrastructure code declares it."""

    # s3 | api (REST proxy) | http-api | url | alb | sqs | sns | kinesis | dynamodb | msk |
    # mq | schedule | eventbridge
    kind: str
    origin: Origin
    resource: str | None = None  # logical id of the bucket/queue/topic/stream, if any
    name: str | None = None  # its physical name (bucket name, queue name…) when stated
    prefix: str | None = None  # S3 notification key filters
    suffix: str | None = None
    # An event source mapping (SQS, Kinesis, DynamoDB, MSK, MQ) states these.
    mapping: bool = False
    starting_position: Value | None = None


# Event kinds that deliver an HTTP request and expect a proxy response (LL406).
PROXY_KINDS = frozenset({"api", "http-api", "url", "alb"})


@record(frozen=True)
class LayerSpec:
    """A layer attached to a function: content in the project, or an ARN."""

    origin: Origin
    name: str | None = None  # logical id, layer key or file name
    path: Path | None = None  # a zip or folder in the project (absolute)
    # Built by `sam build` / a plugin from a source folder: the folder's content lands under
    # python/ and the requirements.txt beside it is installed there.
    from_source: bool = False
    arn: str | None = None  # as written; parts decided at deploy time stay `${...}`
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    declared_at: Origin | None = None  # the CompatibleRuntimes line
    architectures_declared_at: Origin | None = None  # the CompatibleArchitectures line


@record(frozen=True)
class PackageFilter:
    """Which files of a source folder the deployed package holds (the Serverless
    Framework's `package.patterns`): each rule in order, the last that matches decides."""

    rules: tuple[tuple[bool, str], ...]  # (include, regular expression over the file's path)

    @cached_property
    def _compiled(self) -> list[tuple[bool, re.Pattern[str]]]:
        return [(include, re.compile(pattern)) for include, pattern in self.rules]

    def includes(self, name: str) -> bool:
        included = True
        for include, pattern in self._compiled:
            if pattern.match(name):
                included = include
        return included


@record(frozen=True)
class ImageSpec:
    """What a Dockerfile says about an image function (LL210 compares it with the rest)."""

    dockerfile: str  # as shown to the user
    base: Value | None = None  # the FROM image, as written
    runtime: Value | None = None  # from an AWS base image's tag (python:3.12 → python3.12)
    architecture: Value | None = None  # from the tag (-arm64) or --platform
    handler: Value | None = None  # CMD ["module.func"]
    # A non-AWS base with awslambdaric as the entrypoint (the handler is CMD's argument).
    runtime_interface_client: bool = False


@record
class FunctionSpec:
    """One function as a source describes it. Unset values are None, never guessed."""

    name: str | None  # logical id, function key, or config name (None: the config has none)
    origin: Origin  # where the function is defined
    code: Path | None = None  # zip or folder (absolute); None: not in the project
    code_note: str | None = None  # why the code is not checked (S3, inline code…)
    runtime: Value | None = None
    architecture: Value | None = None
    handler: Value | None = None
    layers: list[LayerSpec] = field(default_factory=list)
    environment: dict[str, Variable] = field(default_factory=dict)
    environment_origin: Origin | None = None  # the `Variables:` mapping (LL606)
    events: list[Event] = field(default_factory=list)
    function_name: Value | None = None  # the deployed name (FunctionName), when stated
    package_type: str = "zip"  # zip | image
    # The code is a source folder a build installs requirements into (SAM BuildMethod,
    # serverless-python-requirements, a Dockerfile's pip install -r).
    from_source: bool = False
    # The requirements files a build installs into the code, beside it or elsewhere.
    requirements: tuple[Path, ...] = ()
    image: ImageSpec | None = None  # image functions: what their Dockerfile says
    package_filter: PackageFilter | None = None  # None: the package holds every file


@record(frozen=True)
class SpecProblem:
    """A bad or unreadable value in a source file: LL003 at that file and line."""

    message: str
    origin: Origin


@record
class Discovery:
    """What one source file (template, cdk.out, serverless.yml, Dockerfile) describes."""

    source: str  # the file as shown to the user
    kind: str  # sam | cloudformation | cdk | serverless | dockerfile
    functions: list[FunctionSpec] = field(default_factory=list)
    problems: list[SpecProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Functions in another language: counted in the report, not checked.
    other_functions: list[str] = field(default_factory=list)
    # Templates of nested stacks a CDK template names as assets (relative to it).
    nested_templates: list[str] = field(default_factory=list)
