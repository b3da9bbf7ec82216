"""serverless.yml read into deployment specs (lambdalint.discover.serverless)."""

from __future__ import annotations

import shutil
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalint.discover import Project
from lambdalint.discover.serverless import (
    REQUIREMENTS_LAYER,
    Patterns,
    discover,
    layer_logical_id,
)
from lambdalint.model.spec import (
    DEFAULT,
    TEMPLATE,
    Discovery,
    FunctionSpec,
    Origin,
    SpecProblem,
    Value,
)

PROJECT = Path(__file__).parent / "projects" / "serverless"
FILE = "serverless.yml"


def read(folder: Path, name: str = FILE) -> Discovery:
    folder = folder.resolve()
    return discover(folder / name, Project(root=folder, cwd=folder))


def write(folder: Path, yaml: str, files: dict[str, str] | None = None) -> Path:
    (folder / FILE).write_text(textwrap.dedent(yaml).lstrip())
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def where(folder: Path, needle: str, nth: int = 1, *, at: str | None = None) -> Origin:
    """The origin of the ``nth`` line holding ``needle`` in the folder's serverless.yml; the
    column is where ``at`` (default: the needle) starts on that line."""
    lines = (folder / FILE).read_text().splitlines()
    hits = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} is not in {FILE} {nth} times"
    line = hits[nth - 1]
    return Origin(TEMPLATE, FILE, line, lines[line - 1].index(at or needle) + 1)


def functions(discovery: Discovery) -> dict[str, FunctionSpec]:
    return {spec.name: spec for spec in discovery.functions}


def messages(discovery: Discovery) -> list[str]:
    return [problem.message for problem in discovery.problems]


HANDLER = "def handler(event, context):\n    return {}\n"


# --- the realistic project -------------------------------------------------------------------


@pytest.fixture(scope="module")
def project() -> Discovery:
    return read(PROJECT)


def test_functions_and_other_languages(project: Discovery) -> None:
    assert project.kind == "serverless" and project.source == FILE
    assert project.problems == []
    assert [spec.name for spec in project.functions] == ["resize", "api", "indexer"]
    assert project.other_functions == ["notify"]  # nodejs20.x: counted, not checked
    for spec in project.functions:
        assert spec.origin == where(PROJECT, f"  {spec.name}:", at=spec.name)


def test_provider_runtime_and_architecture_are_inherited_with_their_line(
        project: Discovery) -> None:
    resize = functions(project)["resize"]
    assert resize.runtime == Value("python3.12", where(PROJECT, "python3.12"))
    assert resize.architecture == Value("arm64", where(PROJECT, "architecture: arm64",
                                                       at="arm64"))


def test_function_overrides_runtime_architecture_and_name(project: Discovery) -> None:
    indexer = functions(project)["indexer"]
    assert indexer.runtime == Value("python3.11", where(PROJECT, "python3.11"))
    assert indexer.architecture == Value("x86_64", where(PROJECT, "x86_64"))
    # ${sls:stage} is provider.stage, itself ${opt:stage, 'dev'}
    assert indexer.function_name == Value("photo-indexer-dev",
                                          where(PROJECT, "name: photo-indexer", at="photo"))


def test_default_function_name_is_service_stage_key(project: Discovery) -> None:
    spec = functions(project)["resize"]
    assert spec.function_name is not None
    assert spec.function_name.value == "photo-pipeline-dev-resize"
    assert spec.function_name.origin == spec.origin


def test_handler_is_kept_as_written_and_the_code_is_the_service_folder(
        project: Discovery) -> None:
    for spec in project.functions:
        assert spec.code == PROJECT.resolve()
        assert spec.from_source and spec.package_type == "zip"
        assert spec.handler is not None
        # Lambda imports src/resize.handler as module src.resize from the zip's root.
        module = spec.handler.value.rpartition(".")[0]
        assert (PROJECT / (module + ".py")).is_file()
    handler = functions(project)["resize"].handler
    assert handler == Value("src/resize.handler", where(PROJECT, "src/resize.handler"))


def test_environment_is_merged_and_resolved(project: Discovery) -> None:
    resize = functions(project)["resize"]
    values = {name: variable.value for name, variable in resize.environment.items()}
    assert values == {
        "TABLE_NAME": "photos-dev",  # ${sls:stage} → provider.stage → ${opt:stage, 'dev'}
        "LOG_LEVEL": "INFO",  # ${env:LOG_LEVEL, 'INFO'}: the default
        "POWERTOOLS_SERVICE_NAME": "photo-pipeline",
        "UPLOAD_BUCKET": "photo-pipeline-uploads-dev",
        "THUMBNAIL_PREFIX": "thumbnails/",
        "SIGNING_KEY": None,  # ${ssm:…}: set, value decided at deploy time
    }
    assert resize.environment["TABLE_NAME"].origin == where(PROJECT, "TABLE_NAME:",
                                                            at="TABLE_NAME")
    assert resize.environment["SIGNING_KEY"].origin == where(PROJECT, "SIGNING_KEY:",
                                                             at="SIGNING_KEY")
    assert resize.environment_origin == where(PROJECT, "environment:", 2, at="environment")
    api = functions(project)["api"]
    assert set(api.environment) == {"TABLE_NAME", "LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"}
    assert api.environment_origin == where(PROJECT, "environment:", 1, at="environment")


def test_layers(project: Discovery) -> None:
    resize = functions(project)["resize"]
    requirements, imaging, pillow = resize.layers
    # The function's own list (the third `layers:` of the file), not the provider's.
    assert requirements.origin.line == where(PROJECT, "Ref: PythonRequirementsLambdaLayer",
                                             2).line

    assert requirements.name == REQUIREMENTS_LAYER and requirements.from_source
    assert requirements.path is None and requirements.arn is None
    # The plugin declares the provider's runtime.
    assert requirements.compatible_runtimes == ("python3.12",)
    assert requirements.declared_at == where(PROJECT, "python3.12")
    assert requirements.origin == where(PROJECT, "Ref: PythonRequirementsLambdaLayer", 2,
                                        at="Ref")

    assert imaging.name == "ImagingLambdaLayer" and not imaging.from_source
    assert imaging.path == PROJECT.resolve() / "layer"
    assert (imaging.path / "python").is_dir()
    assert imaging.compatible_runtimes == ("python3.12",)
    assert imaging.compatible_architectures == ("arm64",)
    assert imaging.declared_at == where(PROJECT, "compatibleRuntimes:",
                                        at="compatibleRuntimes")
    assert imaging.origin == where(PROJECT, "Ref: ImagingLambdaLayer", at="Ref")

    assert pillow.arn == "arn:aws:lambda:eu-west-1:770693421928:layer:Klayers-p312-arm64-pillow:1"
    assert pillow.path is None


def test_provider_layers_apply_unless_the_function_lists_its_own(project: Discovery) -> None:
    api, indexer = functions(project)["api"], functions(project)["indexer"]
    # The provider's list: its entries' lines.
    assert api.layers[0].origin.line == where(PROJECT, "Ref: PythonRequirementsLambdaLayer",
                                              1).line
    assert [layer.name for layer in api.layers] == [REQUIREMENTS_LAYER, None]
    # the region is decided at deploy time: kept as written
    assert api.layers[1].arn == ("arn:aws:lambda:${aws:region}:017000801446:layer:"
                                 "AWSLambdaPowertoolsPythonV2-Arm64:79")
    assert [layer.name for layer in indexer.layers] == [REQUIREMENTS_LAYER]


def test_requirements_layer_provides_requirements_to_the_functions_attaching_it(
        project: Discovery) -> None:
    for spec in project.functions:
        assert spec.requirements == (PROJECT.resolve() / "requirements.txt",)


def test_events(project: Discovery) -> None:
    specs = functions(project)
    (s3,) = specs["resize"].events
    assert (s3.kind, s3.name, s3.prefix, s3.suffix, s3.mapping) == \
        ("s3", "photo-pipeline-uploads-dev", "uploads/", ".jpg", False)
    # Not `existing: true`: the Framework creates the bucket, S3Bucket<Name> in the stack.
    assert s3.resource == "S3BucketPhotopipelineuploadsdev"
    assert s3.origin == where(PROJECT, "- s3:", at="s3")

    http_api, url = specs["api"].events
    assert (http_api.kind, http_api.origin) == ("http-api", where(PROJECT, "httpApi:",
                                                                  at="httpApi"))
    assert (url.kind, url.origin) == ("url", where(PROJECT, "url: true", at="url"))

    (sqs,) = specs["indexer"].events
    assert (sqs.kind, sqs.mapping, sqs.resource) == ("sqs", True, "IndexQueue")
    assert sqs.name == "photo-index-dev"  # the queue's QueueName in resources
    assert sqs.starting_position is None
    assert sqs.origin == where(PROJECT, "- sqs:", at="sqs")


def test_fixture_is_a_real_project() -> None:
    # The handlers the file names exist and define the handler function.
    for module in ("resize", "api", "indexer"):
        assert "def handler(event, context):" in (PROJECT / "src" / f"{module}.py").read_text()
    assert "exports.handler" in (PROJECT / "notify" / "index.js").read_text()
    assert "requests==" in (PROJECT / "requirements.txt").read_text()


# --- variables -------------------------------------------------------------------------------


def test_unknown_variables_stay_unknown(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        custom:
          prefix: ${opt:prefix}
          small:
            size: 2
        provider:
          name: aws
          runtime: python3.12
          stage: prod
          environment:
            OPTION: ${opt:color}
            ENV: ${env:HOME}
            SSM: ${ssm:/app/key}
            CF: ${cf:other-stack.Output}
            FILE: ${file(./config.yml):key}
            ACCOUNT: ${aws:accountId}
            INSTANCE: ${sls:instanceId}
            PARTIAL: ${self:custom.prefix}-table
            STAGE: ${sls:stage}
            NESTED: ${self:custom.${opt:kind, 'small'}.size}
            REF: !Ref UploadBucket
            ARN: !GetAtt Queue.Arn
            NUMBER: 42
            FN_SUB: ${AWS::Region}
        functions:
          app:
            handler: app.handler
        """, {"app.py": HANDLER})
    discovery = read(tmp_path)
    assert discovery.problems == []
    environment = functions(discovery)["app"].environment
    values = {name: variable.value for name, variable in environment.items()}
    assert values == {"OPTION": None, "ENV": None, "SSM": None, "CF": None, "FILE": None,
                      "ACCOUNT": None, "INSTANCE": None, "PARTIAL": None, "STAGE": "prod",
                      "NESTED": "2", "REF": None, "ARN": None, "NUMBER": "42",
                      "FN_SUB": "${AWS::Region}"}
    assert environment["REF"].refers_to == "UploadBucket"
    assert environment["ARN"].refers_to == "Queue"
    assert environment["OPTION"].origin == where(tmp_path, "OPTION:", at="OPTION")
    assert functions(discovery)["app"].function_name == \
        Value("svc-prod-app", where(tmp_path, "  app:", at="app"))


def test_null_variables_are_dropped(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
          environment:
            KEPT: provider
            DROPPED:
        functions:
          app:
            handler: app.handler
            environment:
              KEPT: ~
              OWN: value
        """, {"app.py": HANDLER})
    (app,) = read(tmp_path).functions
    # The Framework deletes null variables before merging: the provider's value stays.
    assert {name: v.value for name, v in app.environment.items()} == {"KEPT": "provider",
                                                                    "OWN": "value"}
    assert app.environment["KEPT"].origin == where(tmp_path, "KEPT: provider", at="KEPT")


def test_fallback_chain_and_whole_value_references(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        custom:
          shared:
            LEVEL: ${opt:level, env:LEVEL, self:custom.default, 'never'}
            RETRIES: ${self:custom.missing, 3}
          default: debug
          runtime: python3.13
        provider:
          name: aws
          runtime: ${self:custom.runtime}
          environment: ${self:custom.shared}
        functions:
          app:
            handler: app.handler
        """, {"app.py": HANDLER})
    discovery = read(tmp_path)
    assert discovery.problems == []
    app = functions(discovery)["app"]
    # The value is the referenced one; its origin is where the function gets it.
    assert app.runtime == Value("python3.13", where(tmp_path, "runtime: ${self",
                                                    at="${self"))
    assert {n: v.value for n, v in app.environment.items()} == {"LEVEL": "debug",
                                                               "RETRIES": "3"}
    # variables of a referenced mapping point at their own line
    assert app.environment["LEVEL"].origin == where(tmp_path, "LEVEL:", at="LEVEL")


def test_variable_cycle_ends_unknown(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        custom:
          a: ${self:custom.b}
          b: ${self:custom.a}
          self_loop: ${self:custom.self_loop}-x
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            environment:
              A: ${self:custom.a}
              LOOP: ${self:custom.self_loop}
              OK: fine
        """, {"app.py": HANDLER})
    started = time.monotonic()
    discovery = read(tmp_path)
    assert time.monotonic() - started < 5
    environment = functions(discovery)["app"].environment
    assert environment["A"].value is None and environment["LOOP"].value is None
    assert environment["OK"].value == "fine"
    problems = [p for p in discovery.problems if "circular" in p.message]
    assert problems, discovery.problems
    assert {p.origin.line for p in problems} <= {where(tmp_path, "a: ${").line,
                                                 where(tmp_path, "b: ${").line,
                                                 where(tmp_path, "self_loop: ${").line}


def test_exponential_references_are_bounded(tmp_path: Path) -> None:
    levels = 30  # within the reference depth: the length of the result is what stops it
    custom = "\n".join(f"  v{n}: ${{self:custom.v{n + 1}}}${{self:custom.v{n + 1}}}"
                       for n in range(levels))
    write(tmp_path, f"""
service: svc
custom:
{custom}
  v{levels}: abcdefghijklmnop
provider:
  name: aws
  runtime: python3.12
functions:
  app:
    handler: app.handler
    environment:
      BIG: ${{self:custom.v0}}
      SMALL: ${{self:custom.v{levels - 3}}}
""", {"app.py": HANDLER})
    started = time.monotonic()
    discovery = read(tmp_path)
    assert time.monotonic() - started < 5
    environment = functions(discovery)["app"].environment
    assert environment["BIG"].value is None  # 16 GiB of text: not resolved
    assert environment["SMALL"].value == "abcdefghijklmnop" * 8
    assert any("stopped" in note for note in discovery.notes)


def test_deep_reference_chain_is_bounded(tmp_path: Path) -> None:
    chain = "\n".join(f"  c{n}: ${{self:custom.c{n + 1}}}" for n in range(3000))
    write(tmp_path, f"""
service: svc
custom:
{chain}
  c3000: end
provider:
  name: aws
  runtime: python3.12
functions:
  app:
    handler: app.handler
    environment:
      FAR: ${{self:custom.c0}}
      NEAR: ${{self:custom.c2990}}
""", {"app.py": HANDLER})
    discovery = read(tmp_path)
    environment = functions(discovery)["app"].environment
    assert environment["FAR"].value is None
    assert environment["NEAR"].value == "end"


def test_missing_self_value_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            environment:
              TABLE: ${self:custom.tabel}
        """, {"app.py": HANDLER})
    discovery = read(tmp_path)
    assert functions(discovery)["app"].environment["TABLE"].value is None
    (problem,) = discovery.problems
    assert "${self:custom.tabel}" in problem.message
    assert problem.origin == where(tmp_path, "${self:custom.tabel}")


# --- hostile and malformed files -------------------------------------------------------------


def test_alias_bomb_is_one_problem(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    (tmp_path / FILE).write_text("\n".join(lines) + "\nfunctions: *a8\n")
    started = time.monotonic()
    discovery = read(tmp_path)
    assert time.monotonic() - started < 10
    assert discovery.functions == []
    (problem,) = discovery.problems
    assert "alias" in problem.message and problem.origin.file == FILE


def test_invalid_yaml_is_one_problem_with_its_line(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text("service: svc\nprovider:\n  name: aws\n  runtime: [python\n")
    discovery = read(tmp_path)
    (problem,) = discovery.problems
    assert problem.origin.file == FILE and problem.origin.line is not None
    assert discovery.functions == []


def test_layer_paths_outside_the_project_are_problems(tmp_path: Path) -> None:
    project = tmp_path / "service"
    project.mkdir()
    write(project, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
        layers:
          escape:
            path: ../../etc
          absolute:
            path: /etc
        functions:
          app:
            handler: app.handler
            layers:
              - Ref: EscapeLambdaLayer
              - Ref: AbsoluteLambdaLayer
        """, {"app.py": HANDLER})
    discovery = read(project)
    escape, absolute = discovery.problems
    assert "'../../etc'" in escape.message and "layers.escape.path" in escape.message
    assert escape.origin == where(project, "../../etc")
    assert "absolute" in absolute.message and "layers.absolute.path" in absolute.message
    assert absolute.origin == where(project, "path: /etc", at="/etc")
    # the function is still read; nothing behind the paths is
    layers = functions(discovery)["app"].layers
    assert [(layer.name, layer.path) for layer in layers] == \
        [("EscapeLambdaLayer", None), ("AbsoluteLambdaLayer", None)]


def test_symlinked_requirements_out_of_the_project_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("requests\n")
    project = tmp_path / "service"
    project.mkdir()
    write(project, """
        service: svc
        plugins: [serverless-python-requirements]
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
        """, {"app.py": HANDLER})
    (project / "requirements.txt").symlink_to(outside)
    discovery = read(project)
    assert functions(discovery)["app"].requirements == ()
    assert any("symlink" in message for message in messages(discovery))


@pytest.mark.parametrize(("yaml", "expected"), [
    ("functions: just-a-string\n", "functions must be a mapping"),
    ("functions:\n  app: hello\n", "functions.app must be a mapping"),
    ("functions:\n  app:\n    handler: [a, b]\n", "functions.app.handler must be a string"),
    ("functions:\n  app:\n    runtime: python3.12\n", "functions.app has no handler"),
    ("functions:\n  app:\n    handler: app.handler\n    events: s3\n",
     "functions.app.events must be a list"),
    ("functions:\n  app:\n    handler: app.handler\n    events:\n      - http:\n"
     "        path: x\n", "functions.app.events[0] must be a mapping with one event type"),
    ("functions:\n  app:\n    handler: app.handler\n    events:\n      - s3:\n",
     "functions.app.events[0].s3 has no bucket"),
    ("functions:\n  app:\n    handler: app.handler\n    layers: arn:aws:lambda:x\n",
     "functions.app.layers must be a list"),
    ("functions:\n  app:\n    handler: app.handler\n    layers:\n      - deps\n",
     "functions.app.layers[0] must be a layer version ARN"),
    ("functions:\n  app:\n    handler: app.handler\n    environment: [A, B]\n",
     "functions.app.environment must be a mapping"),
    ("layers:\n  deps:\n    compatibleRuntimes: [python3.12]\nfunctions: {}\n",
     "layers.deps has no path"),
    ("provider: aws\n", "provider must be a mapping"),
    ("- just\n- a list\n", "the top level must be a mapping"),
    ("functions:\n  app:\n    handler: app.handler\n    environment:\n"
     "      X: ${self:custom.x\n", "not a valid variable"),
])
def test_malformed_shapes_are_problems_not_exceptions(tmp_path: Path, yaml: str,
                                                      expected: str) -> None:
    if not yaml.startswith(("- ", "provider")):
        yaml = "provider:\n  name: aws\n  runtime: python3.12\n" + yaml
    (tmp_path / FILE).write_text(yaml)
    (tmp_path / "app.py").write_text(HANDLER)
    discovery = read(tmp_path)
    found = messages(discovery) + discovery.notes
    assert any(expected in text for text in found), found
    for problem in discovery.problems:
        assert isinstance(problem, SpecProblem) and problem.origin.file == FILE
        assert problem.origin.line is not None


_WORDS = ["service", "provider", "functions", "handler", "runtime", "python3.12", "nodejs20.x",
          "events", "s3", "sqs", "stream", "http", "httpApi", "sns", "url", "layers", "path",
          "Ref", "Fn::GetAtt", "environment", "package", "patterns", "individually", "true",
          "artifact", "image", "name", "custom", "pythonRequirements", "layer", "module",
          "plugins", "serverless-python-requirements", "rules", "prefix", "bucket", "arn",
          "app.handler", "src/app.handler", "../x", "/etc", "${self:custom.a}",
          "${self:provider}", "${opt:stage, 'dev'}", "${sls:stage}", "${self:custom.${self:x}}",
          "${env:A, ${self:b}}", "${file(x):y}", "x-${self:service}-${aws:region}", "${",
          "${self:functions.app.handler}", "arn:aws:sqs:r:1:q", "resources", "Resources",
          "a", "b"]
_scalars = st.one_of(st.sampled_from(_WORDS), st.none(), st.text(max_size=8))
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(_WORDS), children, max_size=5)),
    max_leaves=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(_WORDS), _values, max_size=6))
def test_any_shape_is_read_without_exceptions(tmp_path: Path, document: dict[str, object]) -> None:
    (tmp_path / FILE).write_text(yaml.safe_dump(document))
    discovery = read(tmp_path)
    for problem in discovery.problems:
        assert problem.origin.file == FILE
    for spec in discovery.functions:
        for path in (spec.code, *spec.requirements, *(layer.path for layer in spec.layers)):
            assert path is None or tmp_path.resolve() in (path, *path.parents)


# --- runtime, code and requirements ----------------------------------------------------------


def test_no_runtime_anywhere(tmp_path: Path) -> None:
    project = tmp_path / "service"
    project.mkdir()
    (tmp_path / "outside.py").write_text(HANDLER)
    write(project, """
        service: svc
        provider:
          name: aws
        functions:
          python:
            handler: src/app.handler
          node:
            handler: web/index.handler
          unknown:
            handler: missing.handler
          outside:
            handler: ../outside.handler
        """, {"src/app.py": HANDLER, "web/index.js": "exports.handler = async () => ({});\n"})
    discovery = read(project)
    assert discovery.other_functions == ["node"]
    specs = functions(discovery)
    assert set(specs) == {"python", "unknown", "outside"}
    assert all(specs[name].runtime is None for name in specs)
    (problem,) = discovery.problems
    assert "Node.js" in problem.message and "functions.python" in problem.message
    assert problem.origin == where(project, "  python:", at="python")
    assert any("functions.unknown has no runtime" in note for note in discovery.notes)
    # a handler never leads the reader out of the code folder
    assert any("functions.outside has no runtime" in note for note in discovery.notes)


def test_requirements_installed_into_the_package_without_layer(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        plugins:
          - serverless-python-requirements
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
        """, {"app.py": HANDLER, "requirements.txt": "requests\n"})
    (app,) = read(tmp_path).functions
    assert app.from_source and app.requirements == (tmp_path.resolve() / "requirements.txt",)
    assert app.layers == []


def test_requirements_are_not_installed_without_the_plugin(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        custom:
          pythonRequirements:
            layer: true
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            layers:
              - Ref: PythonRequirementsLambdaLayer
        """, {"app.py": HANDLER, "requirements.txt": "requests\n"})
    discovery = read(tmp_path)
    (app,) = discovery.functions
    assert app.requirements == () and app.layers == []
    (problem,) = discovery.problems
    assert "PythonRequirementsLambdaLayer names no layer" in problem.message
    assert "serverless-python-requirements is not in plugins" in problem.message
    assert problem.origin == where(tmp_path, "- Ref:", at="Ref")
    assert any("nothing installs the requirements" in note for note in discovery.notes)


def test_requirements_layer_not_attached(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        plugins: [serverless-python-requirements]
        custom:
          pythonRequirements:
            fileName: requirements/prod.txt
            layer:
              compatibleRuntimes: [python3.11, python3.12]
              compatibleArchitectures: [arm64]
        provider:
          name: aws
          runtime: python3.12
        functions:
          attached:
            handler: app.handler
            layers:
              - !Ref PythonRequirementsLambdaLayer
          forgotten:
            handler: app.handler
        """, {"app.py": HANDLER, "requirements/prod.txt": "requests\n"})
    discovery = read(tmp_path)
    specs = functions(discovery)
    assert specs["attached"].requirements == (tmp_path.resolve() / "requirements/prod.txt",)
    (layer,) = specs["attached"].layers
    assert layer.compatible_runtimes == ("python3.11", "python3.12")
    assert layer.compatible_architectures == ("arm64",)
    assert layer.declared_at == where(tmp_path, "compatibleRuntimes:", at="compatibleRuntimes")
    assert layer.origin == where(tmp_path, "!Ref PythonRequirementsLambdaLayer", at="!Ref")
    assert specs["forgotten"].requirements == () and specs["forgotten"].layers == []
    assert any("forgotten does not attach PythonRequirementsLambdaLayer" in note
               for note in discovery.notes)


def test_poetry_project_is_the_plugins_first_choice(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        plugins: [serverless-python-requirements]
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
        """, {"app.py": HANDLER, "requirements.txt": "requests\n",
              "pyproject.toml": "[tool.poetry]\nname = 'svc'\n"})
    (app,) = read(tmp_path).functions
    assert app.requirements == (tmp_path.resolve() / "pyproject.toml",)


def test_module_folder_with_individual_packaging(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        plugins: [serverless-python-requirements]
        package:
          individually: true
        provider:
          name: aws
          runtime: python3.12
        functions:
          hello:
            handler: handler.handler
            module: ./hello
        """, {"hello/handler.py": HANDLER, "hello/requirements.txt": "requests\n"})
    (hello,) = read(tmp_path).functions
    assert hello.code == tmp_path.resolve() / "hello"
    assert hello.handler is not None and hello.handler.value == "handler.handler"
    assert hello.requirements == (tmp_path.resolve() / "hello" / "requirements.txt",)


def test_package_artifact_is_the_code(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        plugins: [serverless-python-requirements]
        provider:
          name: aws
          runtime: python3.12
        functions:
          built:
            handler: app.handler
            package:
              artifact: dist/app.zip
          remote:
            handler: app.handler
            package:
              artifact: s3://bucket/app.zip
        """, {"dist/app.zip": "", "app.py": HANDLER, "requirements.txt": "requests\n"})
    specs = functions(read(tmp_path))
    assert specs["built"].code == tmp_path.resolve() / "dist" / "app.zip"
    assert not specs["built"].from_source and specs["built"].requirements == ()
    assert specs["remote"].code is None and "s3://bucket/app.zip" in \
        (specs["remote"].code_note or "")


def test_patterns_that_exclude_the_handler_module(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
        package:
          patterns:
            - "!**"
            - "lib/**"
            - "!src/**/*.py"
        functions:
          app:
            handler: src/app.handler
          kept:
            handler: lib/kept.handler
        """, {"src/app.py": HANDLER, "lib/kept.py": HANDLER})
    discovery = read(tmp_path)
    (problem,) = discovery.problems
    assert "src/app.py" in problem.message and "functions.app" in problem.message
    assert problem.origin == where(tmp_path, "!src/**/*.py", at="\"!src")
    # The package's files are what lambdalint checks as each function's code.
    package = {spec.name: spec.package_filter for spec in discovery.functions}["kept"]
    assert package is not None
    assert package.includes("lib/kept.py") and not package.includes("src/app.py")
    assert not package.includes("serverless.yml")


def test_function_patterns_apply_only_when_packaged_individually(tmp_path: Path) -> None:
    yaml = """
        service: svc
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            package:
              individually: INDIVIDUALLY
              patterns:
                - "!app.py"
        """
    write(tmp_path, yaml.replace("INDIVIDUALLY", "true"), {"app.py": HANDLER})
    discovery = read(tmp_path)
    (problem,) = discovery.problems
    assert "app.py is excluded" in problem.message
    assert problem.origin == where(tmp_path, '"!app.py"', at='"')

    write(tmp_path, yaml.replace("INDIVIDUALLY", "false"))
    discovery = read(tmp_path)
    assert discovery.problems == []
    assert any("apply only with package.individually" in note for note in discovery.notes)


def test_yaml_merge_lists(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        x-common: &common
          runtime: python3.11
          environment:
            SHARED: yes
        x-arm: &arm
          architecture: arm64
        provider:
          name: aws
        functions:
          app:
            <<: [*common, *arm]
            handler: app.handler
        """, {"app.py": HANDLER})
    discovery = read(tmp_path)
    assert discovery.problems == []
    (app,) = discovery.functions
    assert app.runtime == Value("python3.11", where(tmp_path, "python3.11"))
    assert app.architecture is not None and app.architecture.value == "arm64"
    assert app.environment["SHARED"].value == "yes"  # YAML 1.1 booleans stay text


def test_image_function(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
          ecr:
            images:
              appimage:
                path: ./image
        functions:
          app:
            image:
              name: appimage
              command:
                - app.handler
        """, {"image/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n"})
    discovery = read(tmp_path)
    assert discovery.problems == []
    (app,) = discovery.functions
    assert app.package_type == "image" and app.code is None
    assert app.handler == Value("app.handler", where(tmp_path, "- app.handler",
                                                     at="app.handler"))
    # The image is read through its Dockerfile: its base says the runtime, and it copies
    # no code from the project (so there is none to check).
    assert app.image is not None and app.image.dockerfile == "image/Dockerfile"
    assert app.runtime is not None and app.runtime.value == "python3.12"
    assert app.runtime.origin.file == "image/Dockerfile"
    assert "copies nothing from the project" in (app.code_note or "")


# --- events ----------------------------------------------------------------------------------


def test_event_kinds(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        custom:
          ordersTable: arn:aws:dynamodb:eu-west-1:123456789012:table/Orders
          ordersStream: ${self:custom.ordersTable}/stream/2024-01-01T00:00:00.000
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            events:
              - http: GET hello
              - http:
                  path: legacy
                  method: post
                  integration: lambda
              - httpApi: '*'
              - s3:
                  bucket: existing-bucket
                  existing: true
              - s3: photos
              - sns: arn:aws:sns:eu-west-1:123456789012:alerts
              - sns: created-topic
              - stream: arn:aws:kinesis:eu-west-1:123456789012:stream/clicks
              - stream:
                  arn: ${self:custom.ordersStream}
                  startingPosition: LATEST
              - stream:
                  arn: !GetAtt Orders.StreamArn
              - schedule: rate(5 minutes)
              - alb:
                  listenerArn: arn:aws:elasticloadbalancing:x
                  priority: 1
                  conditions:
                    path: /app
              - eventBridge:
                  pattern:
                    source: [aws.ec2]
              - msk:
                  arn: arn:aws:kafka:eu-west-1:123456789012:cluster/c/1
                  topic: t
                  startingPosition: LATEST
              - rabbitmq:
                  arn: arn:aws:mq:eu-west-1:123456789012:broker:b:1
                  queue: q
              - websocket: $connect
        """, {"app.py": HANDLER})
    discovery = read(tmp_path)
    assert discovery.problems == []
    events = functions(discovery)["app"].events
    assert [(e.kind, e.name, e.resource, e.mapping) for e in events] == [
        ("api", None, None, False),
        ("http-api", None, None, False),
        ("s3", "existing-bucket", None, False),  # existing: the Framework creates nothing
        ("s3", "photos", "S3BucketPhotos", False),
        ("sns", "alerts", None, False),
        ("sns", "created-topic", "SNSTopicCreatedtopic", False),
        ("kinesis", "clicks", None, True),
        ("dynamodb", "Orders", None, True),
        ("dynamodb", None, "Orders", True),
        ("schedule", None, None, False),
        ("alb", None, None, False),
        ("eventbridge", None, None, False),
        ("msk", None, None, True),
        ("mq", None, None, True),
    ]
    kinesis, dynamodb = events[6], events[7]
    # The Framework's default starting position, marked as a default at the event's line
    assert kinesis.starting_position == Value(
        "TRIM_HORIZON", Origin(DEFAULT, FILE, kinesis.origin.line, kinesis.origin.column))
    assert dynamodb.starting_position == Value("LATEST", where(tmp_path, "LATEST"))
    assert events[12].starting_position == Value("LATEST", where(tmp_path, "LATEST", 2))
    # the non-proxy REST integration is left out, with a note; so are websockets
    assert any("integration lambda" in note for note in discovery.notes)
    assert any("websocket" in note for note in discovery.notes)
    assert events[0].origin == where(tmp_path, "- http: GET", at="http")


def test_bucket_created_twice(tmp_path: Path) -> None:
    write(tmp_path, """
        service: svc
        provider:
          name: aws
          runtime: python3.12
        functions:
          app:
            handler: app.handler
            events:
              - s3: uploads-bucket
        resources:
          Resources:
            Uploads:
              Type: AWS::S3::Bucket
              Properties:
                BucketName: uploads-bucket
        """, {"app.py": HANDLER})
    (problem,) = read(tmp_path).problems
    assert "existing: true" in problem.message
    assert problem.origin == where(tmp_path, "- s3:", at="s3")


# --- helpers ---------------------------------------------------------------------------------


def test_layer_logical_id() -> None:
    assert layer_logical_id("deps") == "DepsLambdaLayer"
    assert layer_logical_id("my-deps_v2") == "MyDashdepsUnderscorev2LambdaLayer"


@pytest.mark.parametrize(("pattern", "name", "matches"), [
    ("**", "a/b/c.py", True),
    ("src/**", "src/a/b.py", True),
    ("src/**", "lib/a.py", False),
    ("**/*.pyc", "x.pyc", True),
    ("**/*.pyc", "a/b/x.pyc", True),
    ("*.py", "a/b.py", False),  # no matchBase: a pattern without / is for the top folder
    ("./tests/**", "tests/test_a.py", True),
    ("{src,lib}/*.py", "lib/a.py", True),
    ("src/[ab].py", "src/c.py", False),
    ("src/[!ab].py", "src/c.py", True),
    (".env*", ".env.local", True),
])
def test_glob_patterns(pattern: str, name: str, matches: bool) -> None:
    patterns = Patterns()
    patterns.add("!" + pattern, True, None)
    assert patterns.decide(name)[0] is not matches


def test_copied_project_reads_the_same(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(PROJECT, copy)
    assert [(s.name, s.handler, s.runtime) for s in read(copy).functions] == \
        [(s.name, s.handler, s.runtime) for s in read(PROJECT).functions]
