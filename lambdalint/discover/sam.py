"""SAM and CloudFormation templates (YAML or JSON), and the templates of a CDK cloud assembly.

Reads ``AWS::Serverless::Function`` (with ``Globals.Function``) and ``AWS::Lambda::Function``
into function specs: runtime, handler, architectures, code, layers in order, environment,
deployed name and triggers — the ``Events`` of a SAM function, and the resources that point
at a function from elsewhere (S3 bucket notifications, event source mappings, permissions,
function URLs, ALB target groups). SAM's Globals are merged as SAM does: scalars are
overridden by the function, maps merged (the function wins), lists concatenated (globals
first).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lambdalint.discover import Project, is_dir
from lambdalint.discover.decode import DecodeError, Map, Mark, Seq, mark_of, read
from lambdalint.discover.intrinsics import Resolved, Resolver
from lambdalint.model.spec import (
    DEFAULT,
    TEMPLATE,
    Discovery,
    Event,
    FunctionSpec,
    LayerSpec,
    Origin,
    SpecProblem,
    Value,
    Variable,
)
from lambdalint.records import field, record

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
# SAM event types → lambdalint's event kinds; the ones polled by an event source mapping.
SAM_EVENTS = {"S3": "s3", "Api": "api", "HttpApi": "http-api", "SQS": "sqs", "SNS": "sns",
              "Kinesis": "kinesis", "DynamoDB": "dynamodb", "MSK": "msk",
              "SelfManagedKafka": "msk", "MQ": "mq", "Schedule": "schedule",
              "ScheduleV2": "schedule", "EventBridgeRule": "eventbridge",
              "CloudWatchEvent": "eventbridge"}
POLLED = frozenset({"sqs", "kinesis", "dynamodb", "msk", "mq"})
# The property of an event that names its resource, per SAM event type.
EVENT_RESOURCE = {"S3": "Bucket", "SQS": "Queue", "SNS": "Topic", "Kinesis": "Stream",
                  "DynamoDB": "Stream", "MSK": "Stream"}
# Resource types whose ARN an event source mapping may name, → event kind.
SOURCE_TYPES = {"AWS::SQS::Queue": "sqs", "AWS::Kinesis::Stream": "kinesis",
                "AWS::DynamoDB::Table": "dynamodb", "AWS::DynamoDB::GlobalTable": "dynamodb",
                "AWS::S3::Bucket": "s3", "AWS::SNS::Topic": "sns",
                "AWS::MSK::Cluster": "msk", "AWS::AmazonMQ::Broker": "mq",
                "AWS::Events::Rule": "eventbridge"}
# The service part of a literal ARN, → event kind.
ARN_SERVICES = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "s3": "s3",
                "sns": "sns", "kafka": "msk", "mq": "mq", "events": "eventbridge",
                "execute-api": "api", "apigateway": "api"}
# The physical-name property of resources a trigger names.
NAME_PROPERTIES = {"AWS::S3::Bucket": "BucketName", "AWS::SQS::Queue": "QueueName",
                   "AWS::SNS::Topic": "TopicName", "AWS::Kinesis::Stream": "Name",
                   "AWS::DynamoDB::Table": "TableName"}
MAX_DEPTH_OF_IF = 10  # !If nested in !If: a real template has one or two
PRINCIPALS = {"s3.amazonaws.com": "s3", "apigateway.amazonaws.com": "api",
              "elasticloadbalancing.amazonaws.com": "alb", "sns.amazonaws.com": "sns",
              "events.amazonaws.com": "eventbridge", "scheduler.amazonaws.com": "schedule"}


def discover(path: Path, project: Project) -> Discovery:
    shown = project.display(path)
    discovery = Discovery(source=shown, kind="cloudformation")
    try:
        template = read(path)
    except DecodeError as exc:
        discovery.problems.append(SpecProblem(
            f"{shown}: {exc.message}",
            Origin(TEMPLATE, shown, exc.mark.line if exc.mark else None,
                   exc.mark.column if exc.mark else None)))
        return discovery
    if not isinstance(template, Map) or not isinstance(template.get("Resources"), Map):
        discovery.problems.append(SpecProblem(
            f"{shown}: not a CloudFormation template (no Resources mapping)",
            Origin(TEMPLATE, shown, 1)))
        return discovery
    _Template(template, path, shown, project, discovery).read()
    return discovery


@record
class _Template:
    template: Map
    path: Path
    shown: str
    project: Project
    discovery: Discovery
    resolver: Resolver = field(init=False)
    layers: dict[str, LayerSpec] = field(default_factory=dict)
    # Triggers declared by other resources, by the function's logical id.
    triggers: dict[str, list[Event]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.template)
        self.resources: Map = self.template["Resources"]
        transform = self.template.get("Transform")
        transforms = transform if isinstance(transform, Seq) else [transform]
        if any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms):
            self.discovery.kind = "sam"

    # -- helpers ---------------------------------------------------------------------------

    def origin(self, node: Any, fallback: Any = None, source: str = TEMPLATE) -> Origin:
        mark: Mark | None = mark_of(node) or mark_of(fallback)
        if mark is None:
            return Origin(source, self.shown, path=self.path)
        return Origin(source, self.shown, mark.line, mark.column, path=self.path)

    def problem(self, message: str, node: Any) -> None:
        self.discovery.problems.append(SpecProblem(f"{self.shown}: {message}",
                                                   self.origin(node)))

    def value(self, node: Any) -> Value | None:
        text = self.resolver.text(node) if node is not None else None
        return Value(text, self.origin(node)) if text is not None else None

    def present(self, node: Any) -> Value | None:
        """A value that is set, even when its text is decided at deploy time (empty then)."""
        if node is None:
            return None
        return self.value(node) or Value("", self.origin(node))

    def setting(self, function: str, properties: Map, key: str) -> Value | None:
        """A target value; one the template leaves to deploy time is said once, not guessed."""
        node = properties.get(key)
        found = self.value(node)
        if node is not None and found is None:
            shown = self.resolver.value(node).pattern or (
                next(iter(node)) if isinstance(node, Map) and node else "?")
            self.discovery.notes.append(
                f"{self.origin(node).describe()}: {function}: {key} is decided at deploy "
                f"time ({shown}); the checks that need it are skipped")
        return found

    def decided_map(self, node: Any) -> Map | None:
        """A mapping property: `!If` on a decidable condition picks its branch; a mapping the
        template leaves to deploy time is None. Absent: an empty mapping."""
        for _ in range(MAX_DEPTH_OF_IF):
            if not (isinstance(node, Map) and len(node) == 1 and "Fn::If" in node):
                break
            node = self.resolver.branch(node["Fn::If"])
            if node is None:
                return None
        if node is None or self.resolver.value(node).removed:  # absent, or !Ref AWS::NoValue
            return Map(mark_of(node) or Mark(1, 1))
        if isinstance(node, Map) and _intrinsic(node):
            return None
        return node if isinstance(node, Map) else None

    def local(self, text: str, node: Any, what: str) -> Path | None:
        found = self.project.local(text, self.path.parent, self.origin(node), what)
        if isinstance(found, SpecProblem):
            self.discovery.problems.append(found)
            return None
        return found

    def type_of(self, logical_id: str | None) -> str | None:
        resource = self.resources.get(logical_id) if logical_id else None
        kind = resource.get("Type") if isinstance(resource, Map) else None
        return str(kind) if isinstance(kind, str) else None

    def physical_name(self, logical_id: str | None) -> str | None:
        kind = self.type_of(logical_id)
        if logical_id is None or kind is None or kind not in NAME_PROPERTIES:
            return None
        properties = _properties(self.resources[logical_id])
        return self.resolver.text(properties.get(NAME_PROPERTIES[kind]))

    # -- the template ----------------------------------------------------------------------

    def read(self) -> None:
        for logical_id, resource in self.resources.items():
            if logical_id.startswith("Fn::ForEach::"):
                self.discovery.notes.append(
                    f"{self.origin(resource, self.resources.mark_of(logical_id)).describe()}: "
                    f"{logical_id} (AWS::LanguageExtensions) is not expanded: the resources "
                    "it makes are not checked")
            elif not isinstance(resource, Map):
                self.problem(f"resource {logical_id} is not a mapping", resource)
            elif resource.get("Type") in LAYER_TYPES:
                self.layers[logical_id] = self.layer(logical_id, resource)
        for logical_id, resource in self.resources.items():
            if isinstance(resource, Map):
                self.foreign_triggers(logical_id, resource)
                nested = self.asset(_mapping(resource.get("Metadata")), "TemplateURL")
                if resource.get("Type") == "AWS::CloudFormation::Stack" and nested:
                    self.discovery.nested_templates.append(nested)
        global_function = _mapping(_mapping(self.template.get("Globals")).get("Function"))
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, Map) or resource.get("Type") not in FUNCTION_TYPES:
                continue
            if self._condition_false(resource):
                # Other parameter values may deploy it: checked all the same.
                self.discovery.notes.append(
                    f"{self.shown}: {logical_id} is deployed only when its Condition holds, "
                    "which the parameter defaults do not make true; checked all the same")
            serverless = resource.get("Type") == SERVERLESS_FUNCTION
            properties = _properties(resource)
            if serverless and global_function:
                properties = _merge_globals(self.globals_for(resource, global_function),
                                            properties)
            spec = self.function(logical_id, resource, properties, serverless)
            if spec is not None:
                self.discovery.functions.append(spec)

    def globals_for(self, resource: Map, global_function: Map) -> Map:
        """Globals.Function less what the resource's IgnoreGlobals leaves out ("*": all)."""
        ignored = resource.get("IgnoreGlobals")
        if ignored is None:
            return global_function
        if isinstance(ignored, str) and str(ignored) == "*":
            return Map(global_function.mark)
        names = {str(n) for n in ignored if isinstance(n, str)} \
            if isinstance(ignored, Seq) else set()
        kept = Map(global_function.mark)
        for key, value in global_function.items():
            if key not in names:
                kept[key], kept.key_marks[key] = value, global_function.mark_of(key)
        return kept

    def _condition_false(self, resource: Map) -> bool:
        condition = resource.get("Condition")
        return isinstance(condition, str) and self.resolver.condition(str(condition)) is False

    # -- functions -------------------------------------------------------------------------

    def function(self, logical_id: str, resource: Map, properties: Map,
                 serverless: bool) -> FunctionSpec | None:
        image = self.resolver.text(properties.get("PackageType")) == "Image"
        runtime = self.setting(logical_id, properties, "Runtime")
        if runtime is not None and not runtime.value.startswith("python"):
            self.discovery.other_functions.append(f"{logical_id} ({runtime.value})")
            return None
        spec = FunctionSpec(name=logical_id, origin=self.origin(resource.mark_of("Type"),
                                                                 resource),
                            runtime=None if image else runtime,
                            handler=self.setting(logical_id, properties, "Handler"),
                            function_name=self.value(properties.get("FunctionName")))
        spec.architecture = self.architecture(properties, resource)
        metadata = _mapping(resource.get("Metadata"))
        if image:
            spec.package_type = "image"
            self.image(spec, properties, metadata)
        elif serverless:
            self.serverless_code(spec, properties, metadata)
        else:
            self.lambda_code(spec, properties, metadata)
        self.environment(spec, properties)
        self.attach_layers(spec, properties)
        self.events(spec, properties)
        spec.events.extend(self.triggers.get(logical_id, []))
        return spec

    def architecture(self, properties: Map, resource: Map) -> Value | None:
        node = properties.get("Architectures")
        if node is None:
            # Lambda's default: a function that names no architecture runs on x86_64.
            return Value("x86_64", self.origin(resource.mark_of("Properties"), resource,
                                               source=DEFAULT))
        items = self.resolver.items(node)
        if items is None or len(items) != 1:
            return None
        return self.value(items[0])

    def serverless_code(self, spec: FunctionSpec, properties: Map, metadata: Map) -> None:
        if "InlineCode" in properties:
            spec.code_note = "inline code (InlineCode) is not read"
            return
        node = properties.get("CodeUri")
        self.code_location(spec, node, self.resolver.text(node) if node is not None else ".",
                           built=True, metadata=metadata)

    def lambda_code(self, spec: FunctionSpec, properties: Map, metadata: Map) -> None:
        code = properties.get("Code")
        asset = self.asset(metadata, "Code")
        if asset is not None:
            self.code_location(spec, metadata, asset, built=False, metadata=metadata)
        elif isinstance(code, Map) and "ZipFile" in code:
            spec.code_note = "inline code (Code.ZipFile) is not read"
        elif isinstance(code, Map) and "ImageUri" in code:
            spec.code_note = "the image is built elsewhere (Code.ImageUri)"
        elif isinstance(code, Map):
            spec.code_note = "the code is in S3 (Code.S3Bucket), not in the project"
        elif code is not None:
            self.code_location(spec, code, self.resolver.text(code), built=False,
                               metadata=metadata)
        else:
            self.problem(f"{spec.name} has no Code", properties)

    def asset(self, metadata: Map, prop: str) -> str | None:
        """A CDK asset's folder or zip (cloud assembly metadata), relative to the template."""
        if self.resolver.text(metadata.get("aws:asset:property")) != prop:
            return None
        text = self.resolver.text(metadata.get("aws:asset:path"))
        if text is not None and os.path.isabs(text):
            # `cdk synth --no-staging` records the source folder itself, absolute: inside
            # the project it is read where it is (Project.local refuses the others).
            try:
                return os.path.relpath(text, self.path.parent)
            except ValueError:
                return text
        return text

    def code_location(self, spec: FunctionSpec, node: Any, text: str | None, *, built: bool,
                      metadata: Map) -> None:
        if isinstance(node, Map) and "Bucket" in node:
            spec.code_note = "the code is in S3 (CodeUri: Bucket/Key), not in the project"
        elif text is None:
            spec.code_note = "the code location is decided at deploy time"
        elif text.startswith("s3://"):
            spec.code_note = f"the code is in S3 ({text}), not in the project"
        else:
            spec.code = self.local(text, node, f"{spec.name}: code")
            # `sam build` installs a source folder's requirements.txt into the package.
            build = self.resolver.text(metadata.get("BuildMethod"))
            if spec.code is not None and is_dir(spec.code) and (built or build):
                spec.from_source = True
                requirements = spec.code / "requirements.txt"
                if requirements.is_file():
                    spec.requirements = (requirements,)

    def image(self, spec: FunctionSpec, properties: Map, metadata: Map) -> None:
        command = _mapping(properties.get("ImageConfig")).get("Command")
        items = self.resolver.items(command) if command is not None else None
        if items:
            spec.handler = self.value(items[0])
        dockerfile = self.resolver.text(metadata.get("Dockerfile"))
        context = self.resolver.text(metadata.get("DockerContext"))
        asset = self.asset(metadata, "Code.ImageUri")
        if asset is not None:  # a CDK DockerImageFunction: the asset is the build context
            context = asset
            dockerfile = dockerfile or self.resolver.text(
                metadata.get("aws:asset:dockerfile-path")) or "Dockerfile"
        if context is None and dockerfile is None:
            spec.code_note = "the image is built elsewhere (no Metadata.Dockerfile)"
            return
        context_path = self.local(context or ".", metadata, f"{spec.name}: DockerContext")
        if context_path is None:
            return
        found = self.project.local(dockerfile or "Dockerfile", context_path,
                                   self.origin(metadata), f"{spec.name}: Dockerfile")
        if isinstance(found, SpecProblem):
            self.discovery.problems.append(found)
            return
        from lambdalint.discover.dockerfile import apply_image, read_image

        arguments = _mapping(metadata.get("DockerBuildArgs") or
                             metadata.get("aws:asset:docker-build-args"))
        build_args = {name: text for name, node in arguments.items()
                      if (text := self.resolver.text(node)) is not None}
        target = metadata.get("DockerBuildTarget") or metadata.get("aws:asset:docker-build-target")
        image, facts, problems = read_image(
            found, self.project, context_path, build_args=build_args or None,
            target=self.resolver.text(target), referenced_at=self.origin(metadata))
        self.discovery.problems.extend(problems)
        self.discovery.notes.extend(facts.notes)
        apply_image(spec, image, facts)

    def environment(self, spec: FunctionSpec, properties: Map) -> None:
        environment = self.decided_map(properties.get("Environment"))
        variables = self.decided_map(environment.get("Variables")) if environment is not None \
            else None
        if environment is None or variables is None:
            self.discovery.notes.append(
                f"{self.origin(properties.get('Environment')).describe()}: {spec.name}: the "
                "environment is decided at deploy time; the checks that need it are skipped")
            return
        if not variables:
            return
        spec.environment_origin = self.origin(environment.mark_of("Variables"), variables)
        for name, node in variables.items():
            resolved = self.resolver.value(node)
            if resolved.removed:
                continue
            spec.environment[name] = Variable(name, resolved.text,
                                              self.origin(node, variables.mark_of(name)),
                                              refers_to=resolved.refers_to)

    # -- layers ----------------------------------------------------------------------------

    def layer(self, logical_id: str, resource: Map) -> LayerSpec:
        properties = _properties(resource)
        metadata = _mapping(resource.get("Metadata"))
        serverless = resource.get("Type") == LAYER_TYPES[0]
        content_key = "ContentUri" if serverless else "Content"
        node = properties.get(content_key)
        asset = self.asset(metadata, "Content")
        text = asset if asset is not None else self.resolver.text(node)
        path: Path | None = None
        if text is not None and not text.startswith("s3://") and \
                not (isinstance(node, Map) and asset is None):
            path = self.local(text, node if asset is None else metadata,
                              f"layer {logical_id}: {content_key}")
        build = self.resolver.text(metadata.get("BuildMethod"))
        runtimes = self._strings(properties.get("CompatibleRuntimes"))
        architectures = self._strings(properties.get("CompatibleArchitectures"))
        declared = {key: self.origin(properties[key]) if key in properties else None
                    for key in ("CompatibleRuntimes", "CompatibleArchitectures")}
        return LayerSpec(origin=self.origin(resource.mark_of("Type"), resource),
                         name=logical_id, path=path,
                         from_source=build is not None and path is not None and is_dir(path),
                         compatible_runtimes=runtimes, compatible_architectures=architectures,
                         declared_at=declared["CompatibleRuntimes"],
                         architectures_declared_at=declared["CompatibleArchitectures"])

    def _strings(self, node: Any) -> tuple[str, ...]:
        items = self.resolver.items(node) if node is not None else None
        texts = [self.resolver.text(item) for item in items or []]
        return tuple(t for t in texts if t is not None)

    def attach_layers(self, spec: FunctionSpec, properties: Map) -> None:
        node = properties.get("Layers")
        if node is None:
            return
        items = self.resolver.items(node)
        if items is None:
            self.discovery.notes.append(f"{self.shown}: {spec.name}'s layers are decided at "
                                        "deploy time; they were not checked")
            return
        for item in items:
            spec.layers.append(self.attached(item))

    def attached(self, item: Any) -> LayerSpec:
        resolved: Resolved = self.resolver.value(item)
        where = self.origin(item)
        if resolved.refers_to in self.layers and resolved.text is None:
            local = self.layers[resolved.refers_to]
            return LayerSpec(origin=where, name=local.name, path=local.path,
                             from_source=local.from_source,
                             compatible_runtimes=local.compatible_runtimes,
                             compatible_architectures=local.compatible_architectures,
                             declared_at=local.declared_at,
                             architectures_declared_at=local.architectures_declared_at)
        arn = resolved.text or resolved.pattern
        if arn is not None and ":layer:" in arn:
            return LayerSpec(origin=where, name=arn.split(":layer:", 1)[1], arn=arn)
        if arn is not None and "{{resolve:ssm:" in arn:
            # A public SSM parameter holding a layer ARN (Powertools, SDK for pandas).
            return LayerSpec(origin=where, name=arn, arn=arn)
        return LayerSpec(origin=where, name=resolved.pattern or resolved.refers_to or "?")

    # -- triggers --------------------------------------------------------------------------

    def events(self, spec: FunctionSpec, properties: Map) -> None:
        url = properties.get("FunctionUrlConfig")
        if url is not None:
            spec.events.append(Event("url", self.origin(url, properties)))
        for event_id, event in _mapping(properties.get("Events")).items():
            if not isinstance(event, Map):
                self.problem(f"{spec.name}: event {event_id} is not a mapping", event)
                continue
            sam_type = self.resolver.text(event.get("Type"))
            kind = SAM_EVENTS.get(sam_type or "")
            if kind is None:
                continue
            details = _mapping(event.get("Properties"))
            target = self.resolver.value(details.get(EVENT_RESOURCE.get(sam_type or "", "")))
            prefix, suffix = _key_filter(self.resolver, _mapping(details.get("Filter")))
            spec.events.append(Event(
                kind, self.origin(event.get("Type"), event), resource=target.refers_to,
                name=target.text or self.physical_name(target.refers_to),
                prefix=prefix, suffix=suffix, mapping=kind in POLLED,
                starting_position=self.present(details.get("StartingPosition"))))

    def foreign_triggers(self, logical_id: str, resource: Map) -> None:
        kind = resource.get("Type")
        properties = _properties(resource)
        where = self.origin(resource.mark_of("Type"), resource)
        if kind == "AWS::S3::Bucket":
            notifications = _mapping(properties.get("NotificationConfiguration"))
            for configuration in self.resolver.items(
                    notifications.get("LambdaConfigurations")) or []:
                configuration = _mapping(configuration)
                target = self.resolver.value(configuration.get("Function")).refers_to
                prefix, suffix = _key_filter(self.resolver,
                                             _mapping(configuration.get("Filter")))
                self._add(target, Event("s3", self.origin(configuration, resource),
                                        resource=logical_id,
                                        name=self.physical_name(logical_id),
                                        prefix=prefix, suffix=suffix))
        elif kind == "Custom::S3BucketNotifications":
            # What CDK synthesizes for bucket.addEventNotification(...).
            bucket = self.resolver.value(properties.get("BucketName")).refers_to
            notifications = _mapping(properties.get("NotificationConfiguration"))
            for configuration in self.resolver.items(
                    notifications.get("LambdaFunctionConfigurations")) or []:
                configuration = _mapping(configuration)
                target = self.resolver.value(configuration.get("LambdaFunctionArn")).refers_to
                key = _mapping(_mapping(configuration.get("Filter")).get("Key"))
                prefix, suffix = _filter_rules(self.resolver, key.get("FilterRules"))
                self._add(target, Event("s3", self.origin(configuration, resource),
                                        resource=bucket, name=self.physical_name(bucket),
                                        prefix=prefix, suffix=suffix))
        elif kind == "AWS::Lambda::EventSourceMapping":
            target = self.resolver.value(properties.get("FunctionName")).refers_to
            source = self.resolver.value(properties.get("EventSourceArn"))
            event_kind = SOURCE_TYPES.get(self.type_of(source.refers_to) or "") or \
                _arn_service(source.text or source.pattern)
            if event_kind is not None:
                self._add(target, Event(event_kind, where, resource=source.refers_to,
                                        name=self.physical_name(source.refers_to),
                                        mapping=True, starting_position=self.present(
                                            properties.get("StartingPosition"))))
        elif kind == "AWS::Lambda::Permission":
            principal = self.resolver.text(properties.get("Principal"))
            target = self.resolver.value(properties.get("FunctionName")).refers_to
            source = self.resolver.value(properties.get("SourceArn"))
            event_kind = PRINCIPALS.get(principal or "")
            # S3 permissions come with a bucket notification, read above with its filter.
            if event_kind is not None and event_kind != "s3":
                self._add(target, Event(event_kind, where, resource=source.refers_to))
        elif kind == "AWS::Lambda::Url":
            target = self.resolver.value(properties.get("TargetFunctionArn")).refers_to
            self._add(target, Event("url", where))
        elif kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
            for item in self.resolver.items(properties.get("Targets")) or []:
                target = self.resolver.value(_mapping(item).get("Id")).refers_to
                self._add(target, Event("alb", where, resource=logical_id))

    def _add(self, function_id: str | None, event: Event) -> None:
        if function_id is not None and self.type_of(function_id) in FUNCTION_TYPES:
            self.triggers.setdefault(function_id, []).append(event)


# -- shapes --------------------------------------------------------------------------------


def _mapping(node: Any) -> Map:
    return node if isinstance(node, Map) else Map(mark_of(node) or Mark(1, 1))


def _properties(resource: Map) -> Map:
    return _mapping(resource.get("Properties"))


def _merge_globals(defaults: Map, own: Map, depth: int = 0) -> Map:
    """SAM's Globals rules: the function's scalars win, maps merge, lists concatenate."""
    if depth > 50:  # aliases can nest mappings beyond any real property
        return own
    merged = Map(own.mark)
    for key in (*defaults.keys(), *own.keys()):
        if key in merged:
            continue
        if key not in own:
            merged[key], merged.key_marks[key] = defaults[key], defaults.mark_of(key)
        elif key not in defaults:
            merged[key], merged.key_marks[key] = own[key], own.mark_of(key)
        else:
            merged[key] = _merge_value(defaults[key], own[key], depth + 1)
            merged.key_marks[key] = own.mark_of(key)
    return merged


def _merge_value(default: Any, own: Any, depth: int) -> Any:
    if isinstance(default, Map) and isinstance(own, Map) and not _intrinsic(own) \
            and not _intrinsic(default):
        return _merge_globals(default, own, depth)
    if isinstance(default, Seq) and isinstance(own, Seq):
        joined = Seq(own.mark)
        joined.extend([*default, *own])
        return joined
    return own


def _intrinsic(node: Map) -> bool:
    return len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref"))


def _key_filter(resolver: Resolver, filter_node: Map) -> tuple[str | None, str | None]:
    """The prefix and suffix of an S3 notification's key filter."""
    return _filter_rules(resolver, _mapping(filter_node.get("S3Key")).get("Rules"))


def _filter_rules(resolver: Resolver, rules: Any) -> tuple[str | None, str | None]:
    prefix = suffix = None
    for rule in resolver.items(rules) or [] if rules is not None else []:
        rule = _mapping(rule)
        name = (resolver.text(rule.get("Name")) or "").lower()
        text = resolver.text(rule.get("Value"))
        if name == "prefix":
            prefix = text
        elif name == "suffix":
            suffix = text
    return prefix, suffix


def _arn_service(arn: str | None) -> str | None:
    parts = arn.split(":") if arn else []
    return ARN_SERVICES.get(parts[2]) if len(parts) > 2 else None
