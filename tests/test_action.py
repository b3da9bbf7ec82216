"""The GitHub Action in action.yml: its structure, and its shell steps run as the runner would.

The steps are read from action.yml and run in order, like the runner's composite handler:
each `${{ … }}` expression is replaced by its value (`inputs.*` with the inputs' defaults,
`github.action_path`, `steps.<id>.outputs.*` from the earlier steps' GITHUB_OUTPUT files),
the step's `env` is set, and its `run` script is run by the `shell:` it declares, with the
runner's command line for that shell, in the project folder (the workspace). A failing step
ends the action, as a step without `if:` is skipped after a failure.

No network: `actions/setup-python` (a `uses:` step) is not run, and the install step (a
`pip install` of this repository) is replaced by its output, the Python that runs lambdalint:
this interpreter, which imports this working tree. The install step itself runs once, with a
stand-in Python that records its command lines.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
# What the runner runs a script file with, for each `shell:` a composite step may name.
SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REFERENCE = re.compile(r"(inputs|github|steps)\.([\w-]+)(?:\.outputs\.([\w-]+))?")

pytestmark = [
    pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed"),
    pytest.mark.skipif(sys.platform == "win32", reason="the steps are run on a POSIX shell"),
]

BAD_HANDLER = "def handler(event, context):\n    return {1}\n"  # a set: LL405
GOOD_HANDLER = 'def handler(event, context):\n    return {"statusCode": 200}\n'
TARGET = "--runtime python3.12 --handler app.handler"


def _step(step_id: str) -> dict[str, Any]:
    return next(step for step in STEPS if step.get("id") == step_id)


@dataclass
class Context:
    inputs: dict[str, str]
    action_path: Path
    steps: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, expression: str) -> str:
        match = REFERENCE.fullmatch(expression)
        assert match, f"an expression this test cannot evaluate: {expression}"
        kind, name, output = match.groups()
        if kind == "inputs":
            assert output is None and name in self.inputs, f"no input {name}"
            return self.inputs[name]
        if kind == "github":
            assert (name, output) == ("action_path", None), f"unexpected github.{name}"
            return str(self.action_path)
        assert output is not None, expression
        return self.steps.get(name, {}).get(output, "")  # unset outputs are empty

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), text)


@dataclass
class ActionRun:
    exit_code: int  # the action's: that of the step that failed, else 0
    steps_run: list[str]  # ids of the steps run, in order
    outputs: dict[str, str]  # the action's outputs
    step_outputs: dict[str, dict[str, str]]
    stdout: str
    stderr: str


def _read_outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text("utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                block.append(body)
            outputs[name] = "\n".join(block)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(project: Path, inputs: dict[str, str] | None = None, *,
               action_path: Path = ROOT, stubs: dict[str, dict[str, str]] | None = None,
               only: tuple[str, ...] | None = None) -> ActionRun:
    """Run the action's steps in `project`; a step not run gives the outputs in `stubs`."""
    given = dict(inputs or {})
    unknown = set(given) - set(ACTION["inputs"])
    assert not unknown, f"not inputs of the action: {unknown}"
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    context = Context({**defaults, **given}, action_path)
    if stubs is None:
        stubs = {"install": {"python": sys.executable}}
    temp = project.parent / f"{project.name}-runner"
    (temp / "temp").mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "LAMBDALINT_"))}
    base_env.update(RUNNER_TEMP=str(temp / "temp"), RUNNER_OS="Linux", NO_COLOR="1",
                    GITHUB_WORKSPACE=str(project), GITHUB_ACTION_PATH=str(action_path),
                    PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")])))
    stdout, stderr, steps_run = [], [], []
    exit_code = 0
    for number, step in enumerate(STEPS):
        step_id = step.get("id", f"step{number}")
        if "uses" in step or (only is not None and step_id not in only) or \
                (only is None and step_id in stubs):
            context.steps[step_id] = dict(stubs.get(step_id, {}))
            continue
        assert "if" not in step, "conditions are not evaluated by this test"
        command = SHELLS[step["shell"]]
        script = temp / f"{step_id}.sh"
        script.write_text(context.substitute(step["run"]), "utf-8")
        output_file = temp / f"{step_id}.output"
        output_file.write_text("")
        env = {**base_env, "GITHUB_OUTPUT": str(output_file)}
        env.update({name: context.substitute(str(value))
                    for name, value in step.get("env", {}).items()})
        result = subprocess.run([*command, str(script)], cwd=project, env=env,
                                capture_output=True, text=True, timeout=120)
        steps_run.append(step_id)
        stdout.append(result.stdout)
        stderr.append(result.stderr)
        context.steps[step_id] = _read_outputs(output_file)
        if result.returncode != 0:
            exit_code = result.returncode
            break
    outputs = {name: context.substitute(spec["value"])
               for name, spec in ACTION["outputs"].items()}
    return ActionRun(exit_code, steps_run, outputs, context.steps, "".join(stdout),
                     "".join(stderr))


def _project(folder: Path, handler: str = BAD_HANDLER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir()  # the project's root: lambdalint looks no further up
    (folder / "app.py").write_text(handler)
    return folder


def _sarif(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    assert report["version"] == "2.1.0"
    return report


def _rules(report: dict[str, Any]) -> list[str]:
    return [result["ruleId"] for run in report["runs"] for result in run["results"]]


def _annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::")]


# --- structure ----------------------------------------------------------------------------

def test_the_action_is_a_composite_with_its_metadata() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] == "lambdalint" and ACTION["description"].strip()
    assert set(ACTION["branding"]) == {"icon", "color"}
    assert set(ACTION["inputs"]) == {"paths", "args", "sarif-file", "annotations",
                                     "python-version"}
    assert all(spec["description"].strip() and spec["required"] is False
               for spec in ACTION["inputs"].values())
    assert ACTION["inputs"]["python-version"]["default"] == "3.12"
    assert ACTION["inputs"]["sarif-file"]["default"] == "lambdalint.sarif"
    assert ACTION["inputs"]["annotations"]["default"] == "true"
    assert ACTION["outputs"] == {
        "sarif-file": {"description": ACTION["outputs"]["sarif-file"]["description"],
                       "value": "${{ steps.lint.outputs.sarif-file }}"},
        "exit-code": {"description": ACTION["outputs"]["exit-code"]["description"],
                      "value": "${{ steps.lint.outputs.exit-code }}"},
    }


def test_python_is_set_up_by_setup_python_pinned_to_a_major_version() -> None:
    [setup] = [step for step in STEPS if "uses" in step]
    assert re.fullmatch(r"actions/setup-python@v\d+", setup["uses"]), setup["uses"]
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    # The caller's PATH and Python stay as they were; lambdalint gets its own environment.
    assert setup["with"]["update-environment"] is False
    assert STEPS.index(setup) == 0


def test_every_script_is_bash_and_takes_values_from_env_only() -> None:
    scripts = [step for step in STEPS if "run" in step]
    assert [step.get("id") for step in scripts] == ["install", "lint", "gate"]
    for step in scripts:
        assert step["shell"] == "bash", step["id"]
        # Script injection: an input (or any expression) in the script text would be pasted
        # into the shell code before bash reads it. Values come in as environment variables.
        assert "${{" not in step["run"], step["id"]
        assert "inputs." not in step["run"], step["id"]


def test_every_input_is_used_and_every_reference_is_declared() -> None:
    text = (ROOT / "action.yml").read_text("utf-8")
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert used == set(ACTION["inputs"])
    ids = [step.get("id") for step in STEPS]
    for step_id in re.findall(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.", text):
        assert step_id in ids


def test_the_install_step_installs_the_action_checkout_into_its_own_venv() -> None:
    install = _step("install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert install["env"]["SETUP_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert re.search(r'-m pip install [^\n]*"\$ACTION_PATH"$', install["run"], re.M)


def test_the_install_step_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a stand-in Python: a venv in RUNNER_TEMP, then pip installs the action's folder
    (a path with a space, quoted) into it; the step's output names the venv's Python."""
    log = tmp_path / "python.log"
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text(
        "#!/usr/bin/env bash\n"
        "printf '%s\\x1f' \"$0\" \"$@\" >> \"$FAKE_PYTHON_LOG\"; echo >> \"$FAKE_PYTHON_LOG\"\n"
        'if [ "$1 $2" = "-m venv" ]; then\n'
        '  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && chmod +x "$3/bin/python"\n'
        "fi\n")
    fake.chmod(0o755)
    action_path = tmp_path / "_actions" / "my org" / "lambdalint"
    action_path.mkdir(parents=True)
    monkeypatch.setenv("FAKE_PYTHON_LOG", str(log))
    run = run_action(_project(tmp_path / "project"), action_path=action_path,
                     stubs={"python": {"python-path": str(fake)}}, only=("install",))
    assert (run.exit_code, run.steps_run) == (0, ["install"]), run.stderr
    calls = [line.split("\x1f")[:-1] for line in log.read_text().splitlines()]
    venv = tmp_path / "project-runner" / "temp" / "lambdalint-venv"
    python = str(venv / "bin" / "python")
    assert calls[0] == [str(fake), "-m", "venv", str(venv)]
    assert calls[1][:4] == [python, "-m", "pip", "install"]
    assert calls[1][-1] == str(action_path)
    assert calls[2] == [python, "-m", "lambdalint", "--version"]
    assert run.step_outputs["install"] == {"python": python}


# --- the scripts, run ---------------------------------------------------------------------

def test_findings_fail_the_action_with_sarif_and_annotations(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", BAD_HANDLER)
    run = run_action(project, {"paths": "app.py", "args": TARGET})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert run.steps_run == ["lint", "gate"]  # the lint step succeeded: its outputs are set
    assert run.step_outputs["lint"] == {"exit-code": "1", "sarif-file": "lambdalint.sarif"}
    assert run.outputs == {"sarif-file": "lambdalint.sarif", "exit-code": "1"}
    assert _rules(_sarif(project / "lambdalint.sarif")) == ["LL405"]
    [annotation] = _annotations(run.stdout)
    assert annotation.startswith("::error file=app.py,line=2,")
    assert "title=LL405 non-serializable-return::" in annotation
    assert "findings at or above the severity threshold" in run.stderr


def test_a_clean_project_passes_with_an_empty_sarif(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    run = run_action(project, {"paths": "app.py", "args": TARGET,
                               "sarif-file": "reports/code scanning/lambdalint.sarif"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs == {"sarif-file": "reports/code scanning/lambdalint.sarif",
                           "exit-code": "0"}
    assert _rules(_sarif(project / "reports" / "code scanning" / "lambdalint.sarif")) == []
    assert _annotations(run.stdout) == []


def test_a_missing_path_exits_2_and_still_writes_the_sarif(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    run = run_action(project, {"paths": "dist/nosuch.zip"})
    assert run.exit_code == 2, run.stdout + run.stderr
    assert run.outputs == {"sarif-file": "lambdalint.sarif", "exit-code": "2"}
    assert _rules(_sarif(project / "lambdalint.sarif")) == ["LL001"]
    assert any("LL001" in line for line in _annotations(run.stdout))
    assert "could not check everything" in run.stderr


def test_no_paths_checks_what_lambdalint_finds_itself(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", BAD_HANDLER)
    run = run_action(project, {"args": TARGET})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert _rules(_sarif(project / "lambdalint.sarif")) == ["LL405"]


def test_paths_and_args_are_lists_split_on_whitespace(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    (project / "dist").mkdir()
    for name in ("one", "two"):
        (project / "dist" / f"{name}.py").write_text(BAD_HANDLER)
    run = run_action(project, {"paths": "app.py\n  dist/*.py\n",
                               "args": "--runtime python3.12\n--sarif-category   api\n"})
    assert run.exit_code == 0, run.stdout + run.stderr  # no --handler: LL405 is not checked
    checked = re.findall(r"^target: (\S+) \+ 0 layers: runtime python3\.12 ", run.stdout, re.M)
    assert checked == ["app.py", "dist/one.py", "dist/two.py"]
    assert _sarif(project / "lambdalint.sarif")["runs"][0]["automationDetails"]["id"] == "api/"


def test_inputs_are_never_run_as_shell_code(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    run = run_action(project, {"paths": "$(touch pwned-paths) `touch pwned-ticks`",
                               "args": "--runtime python3.12; touch pwned-args",
                               "sarif-file": "$(touch pwned-sarif).sarif"})
    assert {p.name for p in project.iterdir()} == {".git", "$(touch pwned-sarif).sarif", "app.py"}
    assert run.exit_code == 2  # `python3.12;` is no runtime, `$(touch` no file


def test_a_bad_option_exits_2_without_a_sarif_and_without_a_second_run(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    (project / "lambdalint.sarif").write_text("{}")  # from an earlier run: never uploaded
    run = run_action(project, {"args": "--no-such-option"})
    assert run.exit_code == 2, run.stdout + run.stderr
    assert run.outputs == {"sarif-file": "", "exit-code": "2"}
    assert not (project / "lambdalint.sarif").exists()
    assert run.stderr.count("unrecognized arguments: --no-such-option") == 1


def test_annotations_can_be_turned_off(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", BAD_HANDLER)
    run = run_action(project, {"paths": "app.py", "args": TARGET, "annotations": "false"})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert _annotations(run.stdout) == []
    assert _rules(_sarif(project / "lambdalint.sarif")) == ["LL405"]


def test_without_sarif_or_annotations_the_exit_code_still_gates(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", BAD_HANDLER)
    run = run_action(project, {"paths": "app.py", "args": TARGET, "sarif-file": "",
                               "annotations": "false"})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert run.outputs == {"sarif-file": "", "exit-code": "1"}
    assert "app.py:2:5: LL405 [error]" in run.stdout  # the text report
    assert {p.name for p in project.iterdir()} == {".git", "app.py"}


def test_a_bad_annotations_value_is_an_error(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", GOOD_HANDLER)
    run = run_action(project, {"annotations": "yes"})
    assert run.exit_code == 2
    assert run.outputs == {"sarif-file": "", "exit-code": "2"}
    assert "::error title=lambdalint action::the annotations input must be true or false" \
        in run.stdout
    assert not (project / "lambdalint.sarif").exists()
