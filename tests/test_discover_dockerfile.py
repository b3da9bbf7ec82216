"""Dockerfiles of container-image functions: what the image is, where each value was read,
what code it holds, and hostile files that end in a problem or unknown values, never an
exception or a hang. Also LL210 on deployments built by hand (the engine wires it)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalint.discover import Project
from lambdalint.discover.dockerfile import (
    MAX_BYTES,
    ImageFacts,
    base_image,
    discover,
    function_name,
    read_image,
)
from lambdalint.model.context import Context
from lambdalint.model.deployment import Deployment
from lambdalint.model.spec import (
    COMMAND_LINE,
    DEFAULT,
    INFERRED,
    TEMPLATE,
    ImageSpec,
    Origin,
    SpecProblem,
    Value,
)
from lambdalint.rules.platform.container_image_mismatch import ContainerImageMismatch

PROJECTS = Path(__file__).parent / "projects" / "dockerfile"
AWS = "public.ecr.aws/lambda/python"


def _project(root: Path) -> Project:
    return Project(root=root.resolve(), cwd=root.resolve())


def _read(tmp_path: Path, dockerfile: str | bytes, files: dict[str, str] | None = None, *,
          build_args: dict[str, str] | None = None,
          target: str | None = None) -> tuple[ImageSpec, ImageFacts, list[SpecProblem]]:
    root = tmp_path.resolve()
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    path = root / "Dockerfile"
    if isinstance(dockerfile, bytes):
        path.write_bytes(dockerfile)
    else:
        path.write_text(dockerfile)
    return read_image(path, _project(root), build_args=build_args, target=target)


def _where(value: Value | None) -> tuple[str, int | None, int | None] | None:
    return None if value is None else (value.value, value.origin.line, value.origin.column)


# ---- the realistic projects -----------------------------------------------------------


def test_aws_base_image_with_arm64_tag_requirements_and_src_folder() -> None:
    folder = PROJECTS / "image-fn"
    discovery = discover(folder / "Dockerfile", _project(PROJECTS))

    assert discovery.kind == "dockerfile"
    assert discovery.source == "image-fn/Dockerfile"
    assert discovery.problems == [] and discovery.notes == []
    [function] = discovery.functions
    assert function.name == "image-fn"
    assert function.package_type == "image"
    assert function.origin == Origin(TEMPLATE, "image-fn/Dockerfile", 4, 1)
    # ARG PYTHON_VERSION=3.12 substituted into the FROM of line 4
    assert _where(function.runtime) == ("python3.12", 4, 6)
    assert _where(function.architecture) == ("arm64", 4, 6)
    assert _where(function.handler) == ("app.handler", 13, 5)
    assert function.code == (folder / "src").resolve()
    assert function.from_source is True
    assert function.requirements == ((folder / "requirements.txt").resolve(),)
    image = function.image
    assert image is not None
    assert image.dockerfile == "image-fn/Dockerfile"
    assert image.base is not None and image.base.value == f"{AWS}:3.12-arm64"
    assert image.runtime == function.runtime and image.handler == function.handler
    assert image.runtime_interface_client is False


def test_multi_stage_build_follows_the_builder_and_copy_from() -> None:
    folder = PROJECTS / "multi-stage"
    discovery = discover(folder / "Dockerfile", _project(PROJECTS))

    assert discovery.problems == []
    [function] = discovery.functions
    # the last stage: FROM --platform=linux/amd64 ${BASE} AS runtime, BASE built from PY=3.11
    assert function.origin.line == 11
    assert _where(function.runtime) == ("python3.11", 11, 29)
    assert _where(function.architecture) == ("x86_64", 11, 6)
    assert _where(function.handler) == ("handlers.thumbnail.handler", 15, 5)
    # WORKDIR ${LAMBDA_TASK_ROOT} + COPY app/ ./
    assert function.code == (folder / "app").resolve()
    # pip install -t /asset in the builder, then COPY --from=builder /asset ${LAMBDA_TASK_ROOT}
    assert function.from_source is True
    assert function.requirements == ((folder / "requirements.txt").resolve(),)


def test_non_aws_base_with_the_runtime_interface_client() -> None:
    folder = PROJECTS / "custom-runtime"
    discovery = discover(folder / "Dockerfile", _project(PROJECTS))

    assert discovery.problems == []
    [function] = discovery.functions
    image = function.image
    assert image is not None and image.runtime_interface_client is True
    assert image.base is not None and image.base.value == "python:3.12-slim"
    # python:3.12-slim is not a Lambda runtime: unset, and a note says which Python it runs
    assert function.runtime is None and image.runtime is None
    assert any("python:3.12-slim is not a Lambda base image (Python 3.12)" in note and
               ":11:" in note for note in discovery.notes)
    assert function.architecture is None
    assert _where(function.handler) == ("lambda_function.handler", 16, 5)
    # COPY function/ /function in the build stage, COPY --from=build-image into WORKDIR
    assert function.code == (folder / "function").resolve()
    assert function.requirements == ((folder / "function" / "requirements.txt").resolve(),)
    assert function.from_source is True
    # awslambdaric installed by name is the runtime client, not the app's: no note about it
    assert not any("awslambdaric:" in note for note in discovery.notes)


def test_read_image_with_a_build_context_other_than_the_dockerfiles_folder() -> None:
    folder = (PROJECTS / "separate-context").resolve()
    project = _project(PROJECTS)
    image, facts, problems = read_image(folder / "docker" / "Dockerfile.api", project,
                                        folder)

    assert problems == []
    assert image.dockerfile == "separate-context/docker/Dockerfile.api"
    # a dated tag pinned by digest
    assert _where(image.runtime) == ("python3.13", 2, 6)
    assert image.architecture is None  # a multi-arch tag: decided by the build
    assert _where(image.handler) == ("handler.main", 12, 5)
    # common/ and api/ both land in the task root: the folder with handler.py is the code
    assert facts.code == folder / "api"
    [note] = facts.notes
    assert ":10: several sources are copied into /var/task" in note
    assert "common not as code" in note
    # pip install -r /tmp/requirements.txt without --target: the image's site-packages
    assert facts.from_source is True
    assert facts.requirements == (folder / "api" / "requirements.txt",)
    assert facts.origin == Origin(TEMPLATE, "separate-context/docker/Dockerfile.api", 2, 1)


def test_function_name_is_the_folder_or_the_variant() -> None:
    assert function_name(PROJECTS / "image-fn" / "Dockerfile") == "image-fn"
    assert function_name(PROJECTS / "separate-context" / "docker" / "Dockerfile.api") == \
        "docker/Dockerfile.api"


# ---- FROM: runtime and architecture ---------------------------------------------------


@pytest.mark.parametrize(("reference", "kind", "runtime", "architecture"), [
    (f"{AWS}:3.12", "lambda", "python3.12", None),
    (f"{AWS}:3.12-arm64", "lambda", "python3.12", "arm64"),
    (f"{AWS}:3.9-x86_64", "lambda", "python3.9", "x86_64"),
    (f"{AWS}:3.12.2024.05.01.10", "lambda", "python3.12", None),
    (f"{AWS}:3.11.2024.05.01.10-arm64", "lambda", "python3.11", "arm64"),
    (f"{AWS}:3.12@sha256:{'a' * 64}", "lambda", "python3.12", None),
    (f"{AWS}@sha256:{'a' * 64}", "lambda", None, None),
    (f"{AWS}:latest", "lambda", None, None),
    (f"{AWS}", "lambda", None, None),
    ("amazon/aws-lambda-python:3.10", "lambda", "python3.10", None),
    ("docker.io/amazon/aws-lambda-python:3.8-arm64", "lambda", "python3.8", "arm64"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/lambda/python:3.13",
     "lambda", "python3.13", None),
    ("python:3.12-slim", "python", "python3.12", None),
    ("docker.io/library/python:3.11.9-bookworm", "python", "python3.11", None),
    ("public.ecr.aws/docker/library/python:3.13-alpine", "python", "python3.13", None),
    ("arm64v8/python:3.12", "python", "python3.12", "arm64"),
    ("python:slim", "python", None, None),
    ("public.ecr.aws/lambda/nodejs:20", "other", None, None),
    ("public.ecr.aws/sam/build-python3.12", "other", None, None),
    ("scratch", "scratch", None, None),
])
def test_base_image(reference: str, kind: str, runtime: str | None,
                    architecture: str | None) -> None:
    base = base_image(reference)
    assert (base.kind, base.runtime, base.architecture) == (kind, runtime, architecture)


@pytest.mark.parametrize(("platform", "architecture"), [
    ("linux/arm64", "arm64"), ("linux/arm64/v8", "arm64"), ("linux/amd64", "x86_64"),
    ("linux/x86_64", "x86_64"), ("$BUILDPLATFORM", None), ("${TARGETPLATFORM}", None),
])
def test_from_platform(tmp_path: Path, platform: str, architecture: str | None) -> None:
    image, _, problems = _read(tmp_path, f"FROM --platform={platform} {AWS}:3.12\n"
                                         'CMD ["app.handler"]\n')
    assert problems == []
    assert _where(image.architecture) == ((architecture, 1, 6) if architecture else None)
    assert _where(image.runtime) == ("python3.12", 1, 6 + len(f"--platform={platform} "))


def test_platform_lambda_cannot_run_is_a_problem(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f"\nFROM --platform=linux/arm/v7 {AWS}:3.12\n")
    assert image.architecture is None
    [problem] = problems
    assert "linux/arm/v7 is not a platform Lambda runs" in problem.message
    assert (problem.origin.file, problem.origin.line, problem.origin.column) == \
        ("Dockerfile", 2, 6)


def test_platform_against_an_arch_specific_tag(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f"FROM --platform=linux/amd64 {AWS}:3.12-arm64\n")
    assert image.architecture is None
    [problem] = problems
    assert "asks for x86_64" in problem.message and "arm64 image" in problem.message


def test_unknown_lambda_python_version_is_a_problem(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f"FROM {AWS}:3.6\n")
    assert image.runtime is None
    [problem] = problems
    assert "python3.6 is not a Lambda runtime lambdalint knows" in problem.message
    assert problem.origin.line == 1


def test_latest_tag_leaves_the_runtime_unset_with_a_note(tmp_path: Path) -> None:
    image, facts, problems = _read(tmp_path, f"FROM {AWS}:latest\nCMD [\"a.b\"]\n")
    assert image.runtime is None and problems == []
    assert any("moves to each new Python runtime" in note for note in facts.notes)


@pytest.mark.parametrize(("dockerfile", "build_args", "runtime"), [
    (f"ARG PY=3.12\nFROM {AWS}:${{PY}}\n", {}, "python3.12"),
    (f"ARG PY=3.12\nFROM {AWS}:$PY\n", {}, "python3.12"),
    (f"ARG PY\nFROM {AWS}:${{PY}}\n", {}, None),  # set at build time
    (f"ARG PY\nFROM {AWS}:${{PY:-3.11}}\n", {}, None),
    (f'ARG PY=""\nFROM {AWS}:${{PY:-3.11}}\n', {}, "python3.11"),
    (f"ARG PY=3.10\nFROM {AWS}:${{PY:-3.11}}\n", {}, "python3.10"),
    (f"ARG PY=3.10\nARG TAG=${{PY}}-arm64\nFROM {AWS}:${{TAG}}\n", {}, "python3.10"),
    (f"ARG PY\nFROM {AWS}:${{PY}}\n", {"PY": "3.13"}, "python3.13"),
    (f"ARG PY=3.9\nFROM {AWS}:${{PY}}\n", {"PY": "3.13"}, "python3.13"),
    (f"FROM {AWS}:${{PY}}\n", {}, None),  # never declared: empty, a tag-less image
    (f"FROM {AWS}:${{PY:-3.11}}\n", {}, "python3.11"),  # a FROM sees only global ARGs
    (f"ARG B=${{A:-3.9}}\nFROM {AWS}:$B\n", {}, "python3.9"),
    (f"FROM {AWS}:3.12\nARG PY=3.9\nFROM {AWS}:${{PY}}\n", {}, None),  # not a global ARG
])
def test_arg_substitution_in_from(tmp_path: Path, dockerfile: str,
                                  build_args: dict[str, str], runtime: str | None) -> None:
    image, _, problems = _read(tmp_path, dockerfile, build_args=build_args)
    assert problems == []
    assert (image.runtime.value if image.runtime else None) == runtime


def test_build_target_picks_a_stage(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.11 AS test\nCMD [\"tests.handler\"]\n"
                  f"FROM {AWS}:3.12 AS prod\nCMD [\"app.handler\"]\n")
    image, facts, _ = _read(tmp_path, dockerfile, target="test")
    assert _where(image.runtime) == ("python3.11", 1, 6)
    assert _where(image.handler) == ("tests.handler", 2, 5)
    assert facts.origin is not None and facts.origin.line == 1
    image, _, problems = _read(tmp_path, dockerfile, target="nope")
    assert image.runtime is None
    assert "no build stage named 'nope'" in problems[0].message


def test_from_an_earlier_stage_inherits_base_cmd_and_files(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12-arm64 AS base\n"
                  "COPY src/ ${LAMBDA_TASK_ROOT}\n"
                  'CMD ["app.handler"]\n'
                  "FROM base AS final\n"
                  "ENV LOG_LEVEL=info\n")
    image, facts, problems = _read(tmp_path, dockerfile, {"src/app.py": "def handler(e, c): ..."})
    assert problems == []
    assert _where(image.runtime) == ("python3.12", 1, 6)
    assert _where(image.architecture) == ("arm64", 1, 6)
    assert _where(image.handler) == ("app.handler", 3, 5)
    assert facts.code == tmp_path.resolve() / "src"
    assert facts.origin is not None and facts.origin.line == 4


# ---- CMD and ENTRYPOINT ---------------------------------------------------------------


def test_shell_form_cmd_gives_the_handler_and_a_problem(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f"FROM {AWS}:3.12\n\nCMD app.handler\n")
    assert _where(image.handler) == ("app.handler", 3, 5)
    [problem] = problems
    assert "shell form" in problem.message and "CMD [\"app.handler\"]" in problem.message
    assert problem.origin.line == 3


def test_cmd_with_two_arguments_on_the_aws_base(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f'FROM {AWS}:3.12\nCMD ["app.handler", "x"]\n')
    assert _where(image.handler) == ("app.handler", 2, 5)
    assert "takes exactly one" in problems[0].message


def test_unterminated_json_cmd_is_one_problem_and_no_handler(tmp_path: Path) -> None:
    image, _, problems = _read(tmp_path, f'FROM {AWS}:3.12\nCMD ["app.handler"\n')
    assert image.handler is None
    [problem] = problems
    assert "not a JSON array" in problem.message and problem.origin.line == 2


def test_entrypoint_resets_an_inherited_cmd(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12 AS base\nCMD [\"old.handler\"]\n"
                  "FROM base\nENTRYPOINT [\"python\", \"-m\", \"awslambdaric\"]\n")
    image, _, _ = _read(tmp_path, dockerfile)
    assert image.handler is None and image.runtime_interface_client is True


def test_entrypoint_keeps_the_cmd_of_its_own_stage(tmp_path: Path) -> None:
    dockerfile = ("FROM python:3.12\nCMD [\"app.handler\"]\n"
                  "ENTRYPOINT [\"/usr/local/bin/python\", \"-m\", \"awslambdaric\"]\n")
    image, _, _ = _read(tmp_path, dockerfile)
    assert _where(image.handler) == ("app.handler", 2, 5)
    assert image.runtime_interface_client is True


def test_handler_given_to_awslambdaric_in_the_entrypoint(tmp_path: Path) -> None:
    dockerfile = ("FROM python:3.11-slim\nWORKDIR /function\nCOPY app.py .\n"
                  'ENTRYPOINT ["python", "-m", "awslambdaric", "app.handler"]\n')
    image, facts, problems = _read(tmp_path, dockerfile, {"app.py": ""})
    assert problems == []
    assert _where(image.handler) == ("app.handler", 4, 12)
    assert facts.code == tmp_path.resolve() / "app.py"


def test_no_cmd_notes_that_imageconfig_must_give_the_handler(tmp_path: Path) -> None:
    image, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\n")
    assert image.handler is None
    assert any("ImageConfig" in note for note in facts.notes)


# ---- COPY / ADD: the function's code --------------------------------------------------


@pytest.mark.parametrize(("copies", "code"), [
    ("COPY app.py ${LAMBDA_TASK_ROOT}", "app.py"),
    ("COPY app.py $LAMBDA_TASK_ROOT/", "app.py"),
    ("COPY app.py /var/task/app.py", "app.py"),
    ("COPY [\"app.py\", \"/var/task/\"]", "app.py"),
    ("COPY app.py ./", "app.py"),  # the base image's WORKDIR is /var/task
    ("COPY src/ ${LAMBDA_TASK_ROOT}/", "src"),
    ("COPY src ${LAMBDA_TASK_ROOT}", "src"),
    ("WORKDIR ${LAMBDA_TASK_ROOT}\nCOPY src/ .", "src"),
    ("COPY src/pkg ${LAMBDA_TASK_ROOT}/pkg", "src"),
    ("COPY . ${LAMBDA_TASK_ROOT}", "."),
    ("COPY *.py ${LAMBDA_TASK_ROOT}/", "."),
    ("ADD app.py ${LAMBDA_TASK_ROOT}", "app.py"),
    ("COPY --chown=1000:1000 --chmod=644 app.py ${LAMBDA_TASK_ROOT}", "app.py"),
])
def test_code_copied_into_the_task_root(tmp_path: Path, copies: str, code: str) -> None:
    files = {"app.py": "def handler(event, context):\n    return {}\n",
             "src/app.py": "", "src/pkg/__init__.py": "", "README.md": ""}
    _, facts, problems = _read(tmp_path, f"FROM {AWS}:3.12\n{copies}\nCMD [\"app.handler\"]\n",
                               files)
    assert problems == []
    assert facts.code == (tmp_path.resolve() / code).resolve()
    assert facts.code_note is None


def test_several_files_from_one_folder_make_the_folder_the_code(tmp_path: Path) -> None:
    files = {"fn/app.py": "", "fn/utils.py": "", "fn/config.json": "{}"}
    _, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\n"
                                  "COPY fn/app.py fn/utils.py ${LAMBDA_TASK_ROOT}/\n"
                                  "COPY fn/config.json ${LAMBDA_TASK_ROOT}/\n"
                                  "CMD [\"app.handler\"]\n", files)
    assert facts.code == tmp_path.resolve() / "fn"
    [note] = facts.notes
    assert "Dockerfile:2: several sources are copied into /var/task" in note
    assert "the folder they come from" in note


def test_requirements_copied_into_the_task_root_are_not_the_code(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\nCOPY requirements.txt ${{LAMBDA_TASK_ROOT}}\n"
                  "RUN pip install -r requirements.txt\n"
                  "COPY lambda_function.py ${LAMBDA_TASK_ROOT}\n"
                  'CMD ["lambda_function.handler"]\n')
    _, facts, problems = _read(tmp_path, dockerfile, {"requirements.txt": "requests\n",
                                                      "lambda_function.py": ""})
    assert problems == []
    assert facts.code == tmp_path.resolve() / "lambda_function.py"
    assert facts.requirements == (tmp_path.resolve() / "requirements.txt",)
    assert facts.from_source is True and facts.notes == ()


def test_a_file_renamed_on_the_way_is_not_the_code(tmp_path: Path) -> None:
    _, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\n"
                                  "COPY handler_v2.py ${LAMBDA_TASK_ROOT}/app.py\n",
                        {"handler_v2.py": ""})
    assert facts.code is None
    assert facts.code_note is not None and "renamed or moved" in facts.code_note


def test_nothing_copied_into_the_task_root(tmp_path: Path) -> None:
    _, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\nCOPY app.py /opt/app.py\n",
                        {"app.py": ""})
    assert facts.code is None
    assert facts.code_note == "the Dockerfile copies nothing from the project into /var/task"


def test_copy_from_another_image_is_not_project_content(tmp_path: Path) -> None:
    _, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\n"
                                  "COPY --from=ghcr.io/acme/code:1 /app ${LAMBDA_TASK_ROOT}\n")
    assert facts.code is None and facts.code_note is not None


def test_copy_source_outside_the_project_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "common").mkdir()
    _, facts, problems = _read(root, f"FROM {AWS}:3.12\nCOPY ../common ${{LAMBDA_TASK_ROOT}}\n"
                                     'CMD ["app.handler"]\n')
    assert facts.code is None
    [problem] = problems
    assert "leads out of the project" in problem.message and problem.origin.line == 2


def test_copy_source_outside_the_build_context_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "svc").mkdir()
    (root / "lib").mkdir()
    (root / "svc" / "Dockerfile").write_text(f"FROM {AWS}:3.12\nCOPY ../lib /var/task\n")
    _, _, problems = read_image(root / "svc" / "Dockerfile", _project(root))
    [problem] = problems
    assert "outside the build context (svc)" in problem.message


def test_copy_of_a_missing_file_is_a_note(tmp_path: Path) -> None:
    _, facts, problems = _read(tmp_path, f"FROM {AWS}:3.12\nCOPY dist/ ${{LAMBDA_TASK_ROOT}}\n")
    assert problems == [] and facts.code is None
    assert any("COPY dist/: no such file or folder in the build context" in n
               for n in facts.notes)


# ---- RUN pip install: requirements the build installs ---------------------------------


@pytest.mark.parametrize("run", [
    "RUN pip install -r requirements.txt -t ${LAMBDA_TASK_ROOT}",
    "RUN pip3 install --no-cache-dir -r requirements.txt --target \"${LAMBDA_TASK_ROOT}\"",
    "RUN python3.12 -m pip install --requirement=requirements.txt --target=/var/task",
    "RUN python -m pip install -U pip && \\\n    pip install -rrequirements.txt -t .",
    "RUN pip install -r requirements.txt",  # the base image's site-packages
    "RUN uv pip install --system -r requirements.txt",
    "RUN <<EOF\nset -e\npip install -r requirements.txt --target /var/task\nEOF",
    "RUN PIP_NO_CACHE_DIR=1 pip install \\\n  # a comment line inside the continuation\n"
    "  -r requirements.txt",
])
def test_pip_install_of_the_copied_requirements(tmp_path: Path, run: str) -> None:
    dockerfile = f"FROM {AWS}:3.12\nCOPY requirements.txt .\n{run}\nCOPY app.py .\n"
    _, facts, problems = _read(tmp_path, dockerfile, {"requirements.txt": "", "app.py": ""})
    assert problems == []
    assert facts.from_source is True
    assert facts.requirements == (tmp_path.resolve() / "requirements.txt",)


def test_requirements_found_behind_a_later_folder_copy(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\nCOPY requirements.txt .\nCOPY src/ .\n"
                  "RUN pip install -r requirements.txt -t .\n")
    _, facts, _ = _read(tmp_path, dockerfile, {"requirements.txt": "", "src/app.py": ""})
    assert facts.requirements == (tmp_path.resolve() / "requirements.txt",)
    assert facts.code == tmp_path.resolve() / "src"


def test_copy_from_a_stage_by_index_and_from_by_name_only(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\nCOPY src/ /build/\n"
                  f"FROM {AWS}:3.13\nCOPY --from=0 /build ${{LAMBDA_TASK_ROOT}}\n"
                  'CMD ["app.handler"]\n')
    image, facts, _ = _read(tmp_path, dockerfile, {"src/app.py": ""})
    assert facts.code == tmp_path.resolve() / "src"
    assert image.runtime is not None and image.runtime.value == "python3.13"
    # FROM names stages, never indexes: `FROM 0` is an image called 0
    image, _, _ = _read(tmp_path, f"FROM {AWS}:3.12\nFROM 0\n")
    assert image.runtime is None and image.base is not None and image.base.value == "0"


def test_pip_install_through_a_bind_mount(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\n"
                  "RUN --mount=type=bind,source=deps/requirements.txt,target=/tmp/r.txt \\\n"
                  "    pip install -r /tmp/r.txt -t ${LAMBDA_TASK_ROOT}\n")
    _, facts, _ = _read(tmp_path, dockerfile, {"deps/requirements.txt": ""})
    assert facts.requirements == (tmp_path.resolve() / "deps" / "requirements.txt",)


@pytest.mark.parametrize(("run", "note"), [
    ("RUN pip install -r requirements.txt -t /opt/elsewhere", None),
    ("RUN pip install --user -r requirements.txt", "--user"),
    ("RUN pip install --upgrade pip setuptools", None),
])
def test_pip_installs_that_do_not_count(tmp_path: Path, run: str, note: str | None) -> None:
    dockerfile = f"FROM {AWS}:3.12\nCOPY requirements.txt .\n{run}\n"
    _, facts, _ = _read(tmp_path, dockerfile, {"requirements.txt": ""})
    assert facts.from_source is False and facts.requirements == ()
    if note:
        assert any(note in n for n in facts.notes)


def test_requirements_not_traced_to_the_project(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\nRUN poetry export -o /tmp/req.txt && "
                  "pip install -r /tmp/req.txt -t ${LAMBDA_TASK_ROOT} boto3-stubs\n")
    _, facts, _ = _read(tmp_path, dockerfile)
    assert facts.from_source is True and facts.requirements == ()
    assert any("/tmp/req.txt: the file is not traced back" in n for n in facts.notes)
    assert any("pip install boto3-stubs: distributions named" in n for n in facts.notes)


def test_pythonpath_folder_counts_as_on_sys_path(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\nCOPY requirements.txt /tmp/\n"
                  "ENV PYTHONPATH=/opt/deps\n"
                  "RUN pip install -r /tmp/requirements.txt -t /opt/deps\n")
    _, facts, _ = _read(tmp_path, dockerfile, {"requirements.txt": ""})
    assert facts.from_source is True


# ---- lexing details -------------------------------------------------------------------


def test_escape_directive_comments_and_continuations(tmp_path: Path) -> None:
    dockerfile = ("# escape=`\n"
                  "# a comment\n"
                  f"FROM `\n  {AWS}:3.12-arm64\n"
                  "COPY app.py `\n"
                  "# between the lines\n"
                  "     /var/task/\n"
                  'CMD ["app.handler"]\n')
    image, facts, problems = _read(tmp_path, dockerfile, {"app.py": ""})
    assert problems == []
    # the image is on the FROM's second line: the value points at the instruction
    assert _where(image.runtime) == ("python3.12", 3, 1)
    assert _where(image.handler) == ("app.handler", 8, 5)
    assert facts.code == tmp_path.resolve() / "app.py"


def test_env_and_workdir_substitution(tmp_path: Path) -> None:
    dockerfile = (f"FROM {AWS}:3.12\n"
                  "ENV APP_HOME=${LAMBDA_TASK_ROOT} OTHER=\"a b\"\n"
                  "ENV ROOT $APP_HOME\n"
                  "WORKDIR ${ROOT}\n"
                  "COPY src/ ./\n")
    _, facts, _ = _read(tmp_path, dockerfile, {"src/app.py": ""})
    assert facts.code == tmp_path.resolve() / "src"


def test_unknown_instruction_is_a_problem(tmp_path: Path) -> None:
    _, _, problems = _read(tmp_path, f"FROM {AWS}:3.12\nCOPPY app.py /var/task\n")
    [problem] = problems
    assert "unknown instruction 'COPPY'" in problem.message and problem.origin.line == 2


# ---- hostile files ---------------------------------------------------------------------


def _timed(tmp_path: Path, data: bytes) -> tuple[ImageSpec, ImageFacts, list[SpecProblem],
                                                   float]:
    start = time.perf_counter()
    image, facts, problems = _read(tmp_path, data)
    return image, facts, problems, time.perf_counter() - start


def test_a_10_mb_single_line(tmp_path: Path) -> None:
    _, facts, problems, seconds = _timed(tmp_path, b"RUN " + b"a" * 10_000_000)
    [problem] = problems
    assert "larger than" in problem.message and not facts.readable
    assert seconds < 2


def test_nul_bytes(tmp_path: Path) -> None:
    _, _, problems, _ = _timed(tmp_path, f"FROM {AWS}:3.12\nCMD [\"a\x00.b\"]\n".encode())
    [problem] = problems
    assert "NUL" in problem.message and problem.origin.line == 2


@pytest.mark.parametrize("data", [
    # 100k continuation lines in one RUN (and in a pip command)
    f"FROM {AWS}:3.12\nRUN pip install \\\n".encode() + b"  pkg \\\n" * 100_000 + b"  end\n",
    # one line just under the size cap, full of quotes and variables
    f"FROM {AWS}:3.12\nARG A=x\nRUN ".encode() + b"'a'\"$A\"${A}" * (MAX_BYTES // 15),
    # an unterminated heredoc over the rest of the file
    f"FROM {AWS}:3.12\nRUN <<EOF\n".encode() + b"pip install -r r.txt\n" * 40_000,
    # deeply nested brackets and braces
    f"FROM {AWS}:3.12\nCMD ".encode() + b"[" * 500_000,
    b"ARG A=1\nFROM x:" + b"${A:-" * 100_000 + b"}" * 100_000 + b"\n",
])
def test_large_hostile_files_end_quickly(tmp_path: Path, data: bytes) -> None:
    assert len(data) <= MAX_BYTES
    _, _, problems, seconds = _timed(tmp_path, data)
    assert len(problems) <= 1
    assert seconds < 10


@pytest.mark.parametrize("dockerfile", [
    f"ARG A=${{A}}x\nFROM {AWS}:${{A}}\n",  # refers to itself: unknown, not recursion
    f"ARG A=${{B}}\nARG B=${{A}}\nFROM {AWS}:$A$B\n",
    "ARG A=xxxxxxxxxxxxxxxx\n" + "ARG A=${A}${A}${A}${A}\n" * 40 + f"FROM {AWS}:$A\n",
    f"FROM {AWS}:${{A\n",
    f"FROM {AWS}:${{A:-${{B:-${{C:-3.12\n",
    f"FROM {AWS}:${{A/x/y}}\n",
    f'FROM {AWS}:3.12\nCOPY ["a", 1] /var/task\nENTRYPOINT [{{"a": 1}}]\n',
    f"FROM {AWS}:3.12\nCOPY\nRUN\nCMD\nENV\nARG\nWORKDIR\n",
    "FROM\n",
    f"FROM {AWS}:3.12 AS a\nCOPY --from=a / /\nFROM a AS b\nCOPY --from=b /x /y\n",
    f"FROM {AWS}:3.12\nRUN --mount=type=bind pip install -r\nRUN pip install -t\n",
])
def test_odd_files_give_unknown_values(tmp_path: Path, dockerfile: str) -> None:
    image, _, _ = _read(tmp_path, dockerfile)
    if image.base is not None and "${" in image.base.value:
        assert image.runtime is None


def test_self_reference_ends_as_docker_does(tmp_path: Path) -> None:
    # Before its own ARG, A is empty in global scope: A=x, as Docker makes it.
    image, facts, problems = _read(tmp_path, f"ARG A=${{A}}x\nFROM {AWS}:${{A}}\n")
    assert image.runtime is None and problems == []
    assert image.base is not None and image.base.value == f"{AWS}:x"
    assert any("the tag x names no Python version" in note for note in facts.notes)
    # In a stage the base image may set A: unknown, so the COPY destination is too.
    _, facts, _ = _read(tmp_path, f"FROM {AWS}:3.12\nENV A=${{A}}x\nCOPY app.py /$A/\n",
                        {"app.py": ""})
    assert any("the destination is decided at build time" in note for note in facts.notes)


@pytest.mark.parametrize("line", ["\x1c", "\u2028", "\x85 RUN", "\ufeffFROM x"])
def test_lines_of_unusual_whitespace(tmp_path: Path, line: str) -> None:
    image, _, problems = _read(tmp_path, f"FROM {AWS}:3.12\n{line}\nCMD [\"a.b\"]\n")
    assert image.handler is not None and image.handler.value == "a.b"
    assert len(problems) == 1 and "unknown instruction" in problems[0].message


def test_binary_garbage_and_empty_files(tmp_path: Path) -> None:
    _, facts, problems = _read(tmp_path, bytes(range(1, 256)) * 100)
    assert len(problems) == 1 and "unknown instruction" in problems[0].message
    _, facts, problems = _read(tmp_path, b"")
    assert [p.message for p in problems] == ["Dockerfile: no FROM instruction: not a Dockerfile"]
    assert not facts.readable


def test_missing_file_gives_a_problem_and_no_function(tmp_path: Path) -> None:
    discovery = discover(tmp_path.resolve() / "Dockerfile", _project(tmp_path))
    assert discovery.functions == []
    assert [p.message for p in discovery.problems] == ["Dockerfile: no such file"]


_PIECES = st.sampled_from([
    "FROM ", "ARG ", "ENV ", "COPY ", "ADD ", "RUN ", "CMD ", "ENTRYPOINT ", "WORKDIR ",
    f"{AWS}:3.12", "python:3.12", " AS b", "b", "--from=b ", "--platform=linux/arm64 ",
    "${A}", "$A", "${A:-x}", "${", "}", "A=1 ", "'", '"', "\\", "`", "\\\n", "\n", "[", "]",
    '["a.b"]', ",", " ", "/var/task", "${LAMBDA_TASK_ROOT}", "app.py", ".", "..", "/",
    "pip install -r r.txt -t .", "&&", "<<EOF\n", "EOF\n", "# escape=`\n", "#", "\x00", "é",
    "\x1c", "\u2028", "\x85", "\r", "\t", "\ufeff", "$", ":-", "@sha256:", "-arm64",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, max_size=40))
def test_generated_dockerfiles_never_raise(tmp_path: Path, pieces: list[str]) -> None:
    (tmp_path / "app.py").write_text("")
    image, facts, problems = _read(tmp_path, "".join(pieces).encode())
    assert isinstance(image, ImageSpec) and isinstance(facts, ImageFacts)
    for problem in problems:
        assert problem.message.startswith("Dockerfile: ")


# ---- LL210 on deployments built by hand -------------------------------------------------

_FROM = Origin(TEMPLATE, "svc/Dockerfile", 3, 6)
_CTX = Context(max_member_size=1 << 20, today=dt.date(2026, 11, 21))


def _image(base: str, runtime: str | None = None, architecture: str | None = None,
           origin: Origin = _FROM) -> ImageSpec:
    return ImageSpec(dockerfile="svc/Dockerfile", base=Value(base, origin),
                     runtime=Value(runtime, origin) if runtime else None,
                     architecture=Value(architecture, origin) if architecture else None)


def _check(image: ImageSpec, runtime: Value | None = None,
           architecture: Value | None = None) -> list[tuple[str, int | None, str, str]]:
    deployment = Deployment(function=None, layers=[], runtime=runtime,
                            architecture=architecture, image=image, package_type="image")
    return [(f.path, f.line, f.key, f.message)
            for f in ContainerImageMismatch().check(deployment, _CTX)]


def test_ll210_runtime_from_the_command_line_disagrees_with_from() -> None:
    image = _image(f"{AWS}:3.11", "python3.11")
    [(path, line, key, message)] = _check(image, Value("python3.12", COMMAND_LINE))
    assert (path, line, key) == ("svc/Dockerfile", 3, "runtime")
    assert "python3.11 base image" in message and "python3.12 (command line)" in message


def test_ll210_values_read_from_the_dockerfile_itself_agree() -> None:
    image = _image(f"{AWS}:3.11-arm64", "python3.11", "arm64")
    assert _check(image, image.runtime, image.architecture) == []
    # whatever the Dockerfile says is the image's own: never compared with itself
    elsewhere_in_it = Origin(TEMPLATE, "svc/Dockerfile", 8, 1)
    assert _check(image, Value("python3.13", elsewhere_in_it),
                  Value("x86_64", elsewhere_in_it)) == []
    assert _check(image, Value("python3.11", COMMAND_LINE),
                  Value("arm64", Origin(TEMPLATE, "template.yaml", 12, 7))) == []


def test_ll210_arm64_image_on_lambdas_default_architecture() -> None:
    image = _image(f"{AWS}:3.12-arm64", "python3.12", "arm64")
    default = Value("x86_64", Origin(DEFAULT, "template.yaml", 9, 5))
    [(path, line, key, message)] = _check(image, architecture=default)
    assert (path, line, key) == ("svc/Dockerfile", 3, "architecture")
    assert "Lambda's default: template.yaml:9 names none" in message
    assert "exec format error" in message


def test_ll210_points_at_the_platform_and_relates_the_template() -> None:
    platform = Origin(TEMPLATE, "svc/Dockerfile", 3, 6)
    image = ImageSpec(dockerfile="svc/Dockerfile",
                      base=Value(f"{AWS}:3.12", Origin(TEMPLATE, "svc/Dockerfile", 3, 28)),
                      architecture=Value("arm64", platform))
    deployment = Deployment(function=None, layers=[], image=image, package_type="image",
                            architecture=Value("x86_64",
                                               Origin(TEMPLATE, "template.yaml", 14, 9)))
    [finding] = ContainerImageMismatch().check(deployment, _CTX)
    assert (finding.path, finding.line, finding.column) == ("svc/Dockerfile", 3, 6)
    assert [(r.path, r.line) for r in finding.related] == [("template.yaml", 14)]
    assert finding.fix is not None and "Architectures: [arm64]" in finding.fix.advice


def test_ll210_non_lambda_python_base_against_the_runtime() -> None:
    image = _image("python:3.12-slim")
    [(_, _, _, message)] = _check(image, Value("python3.11", COMMAND_LINE))
    assert "python:3.12-slim (Python 3.12)" in message
    assert _check(image, Value("python3.12", COMMAND_LINE)) == []


def test_ll210_silent_without_an_image_or_with_inferred_values() -> None:
    image = _image(f"{AWS}:3.12-arm64", "python3.12", "arm64")
    assert _check(image, Value("python3.11", Origin(INFERRED)),
                  Value("x86_64", Origin(INFERRED))) == []
    assert _check(_image(f"{AWS}:latest"), Value("python3.11", COMMAND_LINE)) == []
    deployment = Deployment(function=None, layers=[], runtime=Value("python3.11",
                                                                    COMMAND_LINE))
    assert list(ContainerImageMismatch().check(deployment, _CTX)) == []
