"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on scratch repositories.

The hook repository is a committed copy of this working tree (tracked and untracked but not
ignored files: what `pre-commit try-repo` would miss, new files, is included), made once per
module. Two ways of running it:

- `pre-commit try-repo` on a project with lambdalint.toml (a bad and a good layer zip), as a
  user tries the hooks before adopting them. try-repo builds its hook environment (`pip
  install` of lambdalint) in a temporary store whatever PRE_COMMIT_HOME says: a few seconds
  per call even with pip's cache.
- As a team adopts them: a `.pre-commit-config.yaml` pinning the hook repository at its
  commit, `pre-commit install`, then `git add` + `git commit`, which the installed git hook
  lets through or refuses. The hook environment is built once, into a PRE_COMMIT_HOME shared
  by the module (a temporary folder), and reused by every scratch repository: copies of the
  projects under tests/projects/precommit/ (a SAM app with a folder layer and a zip layer; an
  orders service described by `[tool.lambdalint]` in pyproject.toml), whose layer zips the
  tests build.

The hook environment's `pip install` needs a package index (or pip's cache); the module is
skipped when pre-commit or git is missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "projects" / "precommit"

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                       reason="pre-commit is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

CONFIG = """\
runtime = "python3.12"
architecture = "x86_64"

[[function]]
name = "api"
code = "dist/function.zip"
handler = "app.handler"
layers = ["dist/layer-requests.zip"]
"""

HANDLER = b'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'

# The SAM app's prebuilt layer of shared code (ContentUri: layers/common.zip).
UPLOADS_COMMON = b'RESIZED_SIZE = (640, 480)\n\n\ndef output_key(key):\n    return key.strip("/")\n'
# The orders service's layer (pyproject.toml: layers/orders-common-layer.zip).
ORDERS_COMMON = (b'def load_order(order_id):\n    return {"id": order_id}\n\n\n'
                 b'def save_order(order):\n    return order["id"]\n')


# ---- processes ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store for the module: nothing is written to the user's own cache."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _env(home: Path | None = None, *, isolated: bool = True) -> dict[str, str]:
    # GIT_DIR, GIT_INDEX_FILE… leak in when the tests run from a git hook; drop them.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    if isolated:  # the user's git config (core.hooksPath, signing…) stays out of scratch repos
        env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.update(PRE_COMMIT_COLOR="never", NO_COLOR="1",
               GIT_AUTHOR_NAME="lambdalint tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
               GIT_COMMITTER_NAME="lambdalint tests",
               GIT_COMMITTER_EMAIL="tests@example.invalid")
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


GIT = ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
       "-c", "init.defaultBranch=main"]


def _git(cwd: Path, *args: str, isolated: bool = True) -> str:
    result = subprocess.run([*GIT, *args], cwd=cwd, env=_env(isolated=isolated),
                            capture_output=True, text=True, check=True)
    return result.stdout


def _commit_all(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--no-verify", "-m", "snapshot")


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)


Hooks = dict[str, tuple[str, str]]  # hook id -> (Passed | Failed | Skipped, its output)
# A hook's status line: "lambdalint....Passed", "lambdalint...(no files to check)Skipped".
STATUS = re.compile(r"^(?P<name>[^\n]+?)\.*(?:\(no files to check\))?"
                    r"(?P<status>Passed|Failed|Skipped)$", re.M)
NAMES = {"lambdalint": "lambdalint", "lambdalint (function + layers)": "lambdalint-package"}


def _hooks(output: str) -> Hooks:
    """Each hook's status and its section of the output (up to the next status line),
    known by its `- hook id:` line, or by its name when it had no file to check."""
    hooks: Hooks = {}
    found = list(STATUS.finditer(output))
    for match, after in zip(found, [*found[1:], None]):
        section = output[match.start():after.start() if after else len(output)]
        hook_id = re.search(r"^- hook id: (\S+)$", section, re.M)
        name = hook_id.group(1) if hook_id else NAMES.get(match["name"].strip())
        if name is not None:
            hooks[name] = (match["status"], section)
    return hooks


def _statuses(hooks: Hooks) -> dict[str, str]:
    return {hook: status for hook, (status, _) in hooks.items()}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this working tree, as pre-commit must see it."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to hand to pre-commit")
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                  isolated=False)
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = ROOT / name
        if source.is_file():  # tracked files deleted in the working tree are skipped
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    _commit_all(copy)
    return copy


# ---- pre-commit try-repo -----------------------------------------------------------------

def _project(folder: Path, *, good: bool) -> Path:
    """A scratch project: one function zip, one requests layer (good or without python/)."""
    prefix = "python/" if good else ""
    (folder / "lambdalint.toml").write_text(CONFIG)
    _write_zip(folder / "dist" / "function.zip", {"app.py": HANDLER})
    _write_zip(folder / "dist" / "layer-requests.zip", {
        f"{prefix}requests/__init__.py": b'__version__ = "2.32.3"\n',
        f"{prefix}requests-2.32.3.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n",
    })
    _commit_all(folder)
    return folder


def _try_repo(hook_repo: Path, project: Path, home: Path) -> tuple[int, Hooks, str]:
    """Run every hook of the repository on the layer zip: exit code, hooks, whole output."""
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--verbose",
         "--files", "dist/layer-requests.zip"],
        cwd=project, env=_env(home), capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    return result.returncode, _hooks(output), output


@pytest.fixture(scope="module")
def bad_run(hook_repo: Path, pre_commit_home: Path,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Hooks, str]:
    return _try_repo(hook_repo, _project(tmp_path_factory.mktemp("bad"), good=False),
                     pre_commit_home)


@pytest.fixture(scope="module")
def good_run(hook_repo: Path, pre_commit_home: Path,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Hooks, str]:
    return _try_repo(hook_repo, _project(tmp_path_factory.mktemp("good"), good=True),
                     pre_commit_home)


def test_hooks_fail_on_a_layer_without_python_prefix(bad_run: tuple[int, Hooks, str]) -> None:
    code, hooks, output = bad_run
    assert _statuses(hooks) == {"lambdalint": "Failed", "lambdalint-package": "Failed"}, output
    assert code == 1
    # Per-file hook: the staged layer zip, judged as the layer the config attaches to the
    # api function (only the layer's findings are shown).
    single = hooks["lambdalint"][1]
    assert "dist/layer-requests.zip:requests" in single and "LL101 [error]" in single, output
    assert "target: api: dist/function.zip + 1 layer:" in single, output
    # Package hook: no file names; the deployment in lambdalint.toml, function and layer.
    package = hooks["lambdalint-package"][1]
    assert "LL101 [error]" in package, output
    assert "target: api: dist/function.zip + 1 layer:" in package, output


def test_hooks_pass_on_a_good_layer(good_run: tuple[int, Hooks, str]) -> None:
    code, hooks, output = good_run
    assert _statuses(hooks) == {"lambdalint": "Passed", "lambdalint-package": "Passed"}, output
    assert code == 0
    assert "target: api: dist/function.zip + 1 layer:" in hooks["lambdalint-package"][1], output
    assert "LL101" not in output


# ---- git commit, with the hooks installed ------------------------------------------------

@pytest.fixture(scope="module")
def hook_config(hook_repo: Path, pre_commit_home: Path,
                tmp_path_factory: pytest.TempPathFactory) -> str:
    """.pre-commit-config.yaml pinning the hook repository's commit; its environment is
    built here, once for the module (`pre-commit install-hooks`)."""
    rev = _git(hook_repo, "rev-parse", "HEAD").strip()
    config = (f"repos:\n-   repo: {hook_repo.as_posix()}\n    rev: {rev}\n    hooks:\n"
              "    -   id: lambdalint\n        verbose: true\n"
              "    -   id: lambdalint-package\n        verbose: true\n")
    warmup = tmp_path_factory.mktemp("install-hooks")
    (warmup / ".pre-commit-config.yaml").write_text(config)
    _commit_all(warmup)
    result = subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=warmup,
                            env=_env(pre_commit_home), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return config


@dataclass
class Commit:
    code: int
    hooks: Hooks
    output: str
    committed: bool  # whether HEAD moved

    def status(self) -> dict[str, str]:
        return _statuses(self.hooks)

    def of(self, hook: str) -> str:
        return self.hooks[hook][1]


@dataclass
class Scratch:
    """A developer's clone of a project, with `pre-commit install` run in it."""

    path: Path
    home: Path

    def read(self, name: str) -> str:
        return (self.path / name).read_text()

    def write(self, name: str, text: str) -> None:
        (self.path / name).parent.mkdir(parents=True, exist_ok=True)
        (self.path / name).write_text(text)

    def edit(self, name: str, old: str, new: str) -> None:
        text = self.read(name)
        assert text.count(old) == 1, (name, old)
        self.write(name, text.replace(old, new))

    def commit(self, *names: str, message: str = "change", verify: bool = True) -> Commit:
        """`git add NAMES` and `git commit`: the installed hook runs on what is staged."""
        head = _git(self.path, "rev-parse", "HEAD")
        _git(self.path, "add", "-A", "--", *names)
        result = subprocess.run([*GIT, "commit", "-m", message,
                                 *(() if verify else ("--no-verify",))], cwd=self.path,
                                env=_env(self.home), capture_output=True, text=True,
                                timeout=900)
        output = result.stdout + result.stderr
        return Commit(result.returncode, _hooks(output), output,
                      committed=_git(self.path, "rev-parse", "HEAD") != head)


def _scratch(project: Path, folder: Path, config: str, home: Path,
             zips: dict[str, dict[str, bytes]], *, verify: bool = True,
             into: str = ".") -> tuple[Scratch, Commit]:
    """A copy of PROJECT (in the repository's folder INTO) with its zips built, the hooks
    installed and everything committed (through the hooks if VERIFY): the clone and that
    first commit."""
    shutil.copytree(project, folder / into, dirs_exist_ok=True)
    for name, members in zips.items():
        _write_zip(folder / into / name, members)
    (folder / ".pre-commit-config.yaml").write_text(config)
    _git(folder, "init", "-q")
    _git(folder, "commit", "-q", "--allow-empty", "--no-verify", "-m", "empty")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=folder,
                   env=_env(home), capture_output=True, check=True)
    repo = Scratch(folder, home)
    return repo, repo.commit(".", message="the project", verify=verify)


def _sam(folder: Path, config: str, home: Path, into: str = ".") -> tuple[Scratch, Commit]:
    return _scratch(PROJECTS / "sam", folder, config, home, {
        "layers/common.zip": {"python/uploads_common/__init__.py": UPLOADS_COMMON}},
        into=into)


def _orders(folder: Path, config: str, home: Path) -> tuple[Scratch, Commit]:
    return _scratch(PROJECTS / "config", folder, config, home, {
        "layers/orders-common-layer.zip": {"python/orders_common/__init__.py": ORDERS_COMMON}})


def _line_col(text: str, snippet: str) -> str:
    """LINE:COL (1-based) where SNIPPET starts in TEXT, as lambdalint locates findings."""
    before = text[:text.index(snippet)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def _both(status: str) -> dict[str, str]:
    return {"lambdalint": status, "lambdalint-package": status}


# (a) The per-file hook on a SAM app's handler.

def test_sam_commit_of_a_handler_returning_a_set_is_refused_until_fixed(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, first = _sam(tmp_path, hook_config, pre_commit_home)
    # The clean app passes both hooks: every file is staged, the template among them.
    assert first.status() == _both("Passed") and first.committed, first.output
    assert "project: template.yaml (SAM template): 2 Python functions" in \
        first.of("lambdalint"), first.output

    repo.edit("src/resizer/app.py", "return sorted(written)", "return {1, 2}")
    bad = repo.commit("src/resizer/app.py", message="return a set")
    assert bad.code != 0 and not bad.committed, bad.output
    assert bad.status() == {"lambdalint": "Failed", "lambdalint-package": "Skipped"}, \
        bad.output
    where = _line_col(repo.read("src/resizer/app.py"), "return {1, 2}")
    assert f"src/resizer/app.py:{where}: LL405 [error] the handler returns a set" in \
        bad.of("lambdalint"), bad.output
    # Judged as part of its function: the template's handler, runtime and both layers (the
    # layer zip provides uploads_common, so no LL301 for it).
    assert "target: ResizerFunction (template.yaml:" in bad.of("lambdalint"), bad.output
    assert "src/resizer + 2 layers: runtime python3.12" in bad.of("lambdalint"), bad.output
    assert "LL301" not in bad.output
    # Only the staged file's findings: nothing about the API function.
    assert "src/api" not in bad.of("lambdalint"), bad.output

    repo.edit("src/resizer/app.py", "return {1, 2}", "return [1, 2]")
    good = repo.commit("src/resizer/app.py", message="return a list")
    assert good.code == 0 and good.committed, good.output
    assert good.status() == {"lambdalint": "Passed", "lambdalint-package": "Skipped"}, \
        good.output


# (b) The package hook on the SAM app: its functions with their layers.

@pytest.fixture(scope="module")
def sam_layer_commits(hook_config: str, pre_commit_home: Path,
                      tmp_path_factory: pytest.TempPathFactory) -> tuple[Commit, Commit]:
    """A new version of the SAM app's shared-code layer zipped without python/ (committed),
    then zipped right."""
    repo, first = _sam(tmp_path_factory.mktemp("sam-layer"), hook_config, pre_commit_home)
    assert first.status() == _both("Passed"), first.output
    version = UPLOADS_COMMON + b'\n\n__version__ = "1.1.0"\n'
    _write_zip(repo.path / "layers/common.zip", {"uploads_common/__init__.py": version})
    bad = repo.commit("layers/common.zip", message="common layer 1.1.0")
    _write_zip(repo.path / "layers/common.zip", {"python/uploads_common/__init__.py": version})
    return bad, repo.commit("layers/common.zip", message="common layer 1.1.0, under python/")


def test_sam_package_hook_checks_the_functions_with_their_layers(
        sam_layer_commits: tuple[Commit, Commit]) -> None:
    bad, good = sam_layer_commits
    assert bad.code != 0 and not bad.committed, bad.output
    assert bad.hooks["lambdalint-package"][0] == "Failed", bad.output
    package = bad.of("lambdalint-package")
    assert "layers/common.zip:uploads_common/__init__.py: LL101 [error]" in package, bad.output
    # What only the whole deployment shows: both functions import from that layer.
    assert "src/api/app.py:6:1: LL301 [error] No module named 'uploads_common'" in package, \
        bad.output
    assert "src/resizer/app.py:9:1: LL301 [error] No module named 'uploads_common'" in \
        package, bad.output
    assert "target: ApiFunction (template.yaml:" in package, bad.output
    assert "src/api + 2 layers" in package and "src/resizer + 2 layers" in package, bad.output

    assert good.code == 0 and good.committed, good.output
    assert good.status() == _both("Passed"), good.output
    assert "target: ApiFunction (template.yaml:" in good.of("lambdalint-package"), good.output


def test_sam_per_file_hook_judges_a_staged_layer_zip_as_the_template_says(
        sam_layer_commits: tuple[Commit, Commit]) -> None:
    bad, _ = sam_layer_commits
    assert bad.hooks["lambdalint"][0] == "Failed", bad.output
    assert "LL101" in bad.of("lambdalint"), bad.output


def test_sam_template_change_is_checked_by_both_hooks(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, first = _sam(tmp_path, hook_config, pre_commit_home)
    assert first.status() == _both("Passed"), first.output
    # The API's module is to be renamed api.py; the template is committed without the file.
    repo.edit("template.yaml", "Handler: app.lambda_handler", "Handler: api.lambda_handler")
    bad = repo.commit("template.yaml", message="the API's module is api.py")
    assert bad.code != 0 and not bad.committed, bad.output
    assert bad.status() == _both("Failed"), bad.output
    where = _line_col(repo.read("template.yaml"), "api.lambda_handler")
    finding = f"template.yaml:{where}: LL401 [error] handler 'api.lambda_handler' on function " \
        "ApiFunction: no module 'api'"
    # The per-file hook reads the staged template as the project, as `lambdalint check
    # template.yaml` does.
    assert finding in bad.of("lambdalint") and finding in bad.of("lambdalint-package"), \
        bad.output

    (repo.path / "src/api/app.py").rename(repo.path / "src/api/api.py")
    good = repo.commit("template.yaml", "src/api/app.py", "src/api/api.py",
                       message="the API's module is api.py, with the file")
    assert good.code == 0 and good.committed, good.output
    assert good.status() == _both("Passed"), good.output
    assert "target: ApiFunction (template.yaml:" in good.of("lambdalint"), good.output


# The SAM app in a folder of a bigger repository (app/template.yaml): pre-commit runs the
# hooks at the repository's root, where `lambdalint check` finds no template.

def _in_app_folder(config: str) -> str:
    """The hooks, with the package hook given the template (README's advice)."""
    package = "    -   id: lambdalint-package\n        verbose: true\n"
    assert config.count(package) == 1
    return config.replace(package, package + "        args: [app/template.yaml]\n")


def test_sam_app_in_a_folder_package_hook_checks_the_template_it_is_given(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, first = _sam(tmp_path, _in_app_folder(hook_config), pre_commit_home, into="app")
    assert first.status() == _both("Passed"), first.output
    assert "target: ApiFunction (app/template.yaml:" in first.of("lambdalint-package"), \
        first.output
    _write_zip(repo.path / "app/layers/common.zip",
               {"uploads_common/__init__.py": UPLOADS_COMMON})
    bad = repo.commit("app/layers/common.zip", message="rebuild the common layer")
    assert bad.code != 0 and not bad.committed, bad.output
    package = bad.of("lambdalint-package")
    assert "app/layers/common.zip:uploads_common/__init__.py: LL101 [error]" in package, \
        bad.output
    assert "app/src/api/app.py:6:1: LL301 [error]" in package, bad.output


def test_sam_app_in_a_folder_per_file_hook_finds_the_template_above_the_file(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, _ = _sam(tmp_path, _in_app_folder(hook_config), pre_commit_home, into="app")
    repo.edit("app/src/resizer/app.py", "return sorted(written)", "return {1, 2}")
    bad = repo.commit("app/src/resizer/app.py", message="return a set")
    assert bad.hooks["lambdalint"][0] == "Failed", bad.output
    where = _line_col(repo.read("app/src/resizer/app.py"), "return {1, 2}")
    assert f"app/src/resizer/app.py:{where}: LL405 [error]" in bad.of("lambdalint"), bad.output


# (c) A project whose functions are [[tool.lambdalint.function]] tables in pyproject.toml.

WORKER = '[[tool.lambdalint.function]]\nname = "orders-worker"\n'


def test_config_project_package_hook_checks_the_configured_functions(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, first = _orders(tmp_path, hook_config, pre_commit_home)
    assert first.status() == _both("Passed") and first.committed, first.output
    package = first.of("lambdalint-package")
    for target in ("target: orders-api: functions/api + 1 layer: runtime python3.12 (from "
                   "pyproject.toml), architecture arm64 (from pyproject.toml)",
                   "target: orders-worker: functions/worker + 1 layer:"):
        assert target in package, first.output

    # A code change: the per-file hook checks the file as part of its configured function,
    # with its layer (standing alone, `from orders_common import …` would be LL301).
    repo.edit("functions/worker/worker.py", "        except ValueError:\n",
              "        except (KeyError, ValueError):\n")
    edit = repo.commit("functions/worker/worker.py", message="tolerate bad orders")
    assert edit.code == 0 and edit.committed, edit.output
    assert edit.status() == {"lambdalint": "Passed", "lambdalint-package": "Skipped"}, \
        edit.output
    assert "target: orders-worker: functions/worker + 1 layer:" in edit.of("lambdalint"), \
        edit.output

    # A config change: the worker moves to x86_64, its layer is published for arm64 only.
    repo.edit("pyproject.toml", WORKER, WORKER + 'architecture = "x86_64"\n')
    bad = repo.commit("pyproject.toml", message="worker on x86_64")
    assert bad.code != 0 and not bad.committed, bad.output
    assert bad.status() == {"lambdalint": "Skipped", "lambdalint-package": "Failed"}, \
        bad.output
    assert "layers/orders-common-layer.zip: LL207 [error] the layer " \
        "layers/orders-common-layer.zip declares compatible architectures arm64, but the " \
        "function's architecture is x86_64" in bad.of("lambdalint-package"), bad.output
    assert "target: orders-worker: functions/worker + 1 layer: runtime python3.12 (from " \
        "pyproject.toml), architecture x86_64 (from pyproject.toml)" in \
        bad.of("lambdalint-package"), bad.output

    # The layer is pure Python: publish it for both architectures.
    repo.edit("pyproject.toml", 'compatible-architectures = ["arm64"]',
              'compatible-architectures = ["arm64", "x86_64"]')
    good = repo.commit("pyproject.toml", message="the common layer for both architectures")
    assert good.code == 0 and good.committed, good.output
    assert good.status() == {"lambdalint": "Skipped", "lambdalint-package": "Passed"}, \
        good.output


def test_config_project_unit_tests_are_not_lambda_code(
        hook_config: str, pre_commit_home: Path, tmp_path: Path) -> None:
    repo, _ = _orders(tmp_path, hook_config, pre_commit_home)
    repo.write("tests/test_api.py", "import pytest\n\nfrom functions.api import app\n\n\n"
               "def test_handler():\n    assert app.handler\n")
    commit = repo.commit("tests/test_api.py", message="a unit test")
    assert commit.code == 0 and commit.committed, commit.output


# The other descriptions of functions, staged on their own: the per-file hook reads each as
# its project (tests/projects/: their known findings, see README's Infrastructure code).

@pytest.mark.parametrize(("project", "staged", "change", "finding"), [
    ("serverless", "serverless.yml", "# sls deploy --stage prod\n",
     "serverless.yml:90:9: LL207 [error] the layer PythonRequirementsLambdaLayer"),
    ("cdk", "cdk.out/WorkerStackQueue1234ABCD.nested.template.json", "\n",
     "cdk.out/WorkerStackQueue1234ABCD.nested.template.json:20:25: LL507 [error]"),
    ("dockerfile/multi-stage", "Dockerfile", 'LABEL service="thumbnails"\n',
     "app/handlers/thumbnail.py:11:12: LL506 [error]"),
])
def test_per_file_hook_reads_a_staged_infrastructure_file(
        hook_config: str, pre_commit_home: Path, tmp_path: Path, project: str, staged: str,
        change: str, finding: str) -> None:
    repo, _ = _scratch(ROOT / "tests" / "projects" / project, tmp_path, hook_config,
                       pre_commit_home, {}, verify=False)
    repo.write(staged, repo.read(staged) + change)
    commit = repo.commit(staged)
    assert commit.code != 0 and not commit.committed, commit.output
    assert commit.status() == _both("Failed"), commit.output
    assert finding in commit.of("lambdalint") and finding in commit.of("lambdalint-package"), \
        commit.output


# ---- what each hook is given ---------------------------------------------------------------

# Names -> (lambdalint, lambdalint-package): whether the hook runs when the file is staged.
SELECTION = {
    "app.py": (True, False),
    "src/resizer/app.py": (True, False),
    "dist/function.zip": (True, True),
    "layers/common.zip": (True, True),
    "template.yaml": (True, True),
    "template.yml": (True, True),
    "template.json": (True, True),
    "infra/template.yaml": (True, True),
    # samconfig.toml's template_file may name another file: whole checks only (a PATH
    # lambdalint cannot read as a template fails the per-file hook).
    "sam-template.yaml": (False, True),
    "cdk.out/ApiStack.template.json": (True, True),
    "cdk.out/WorkerStackQueue1234ABCD.nested.template.json": (True, True),
    "deploy/cdk.out/ApiStack.template.json": (True, True),
    "serverless.yml": (True, True),
    "serverless.yaml": (True, True),
    "services/photos/serverless.yml": (True, True),
    "Dockerfile": (True, True),
    "image-fn/Dockerfile": (True, True),
    "docker/Dockerfile.api": (True, True),
    "api.Dockerfile": (True, True),
    # lambdalint does not take these as a PATH; they change what a whole check sees.
    "cdk.out/manifest.json": (False, True),
    "infra/cdk.out/manifest.json": (False, True),
    "samconfig.toml": (False, True),
    "requirements.txt": (False, True),
    "layers/deps/requirements.txt": (False, True),
    "requirements-dev.txt": (False, True),
    "pyproject.toml": (False, True),
    "lambdalint.toml": (False, True),
    "Dockerfile.dockerignore": (False, True),
    # Nothing lambdalint reads.
    "README.md": (False, False),
    "docs/template.md": (False, False),
    "cdk.json": (False, False),
    "cdk.out/tree.json": (False, False),
    "web/public/manifest.json": (False, False),
    "package.json": (False, False),
    "authorizer/index.js": (False, False),
    ".dockerignore": (False, False),
    "setup.cfg": (False, False),
}


def _selected(hook: dict[str, Any], name: str) -> bool:
    """Whether pre-commit gives NAME to HOOK: `files` and not `exclude` (re.search), and the
    type tags identify gives the name (plus `file`, as for a regular file)."""
    from identify.identify import tags_from_filename

    tags = {"file"} | tags_from_filename(name)
    types, types_or, exclude_types = (set(hook[key]) for key in
                                      ("types", "types_or", "exclude_types"))
    return (re.search(hook["files"], name) is not None
            and re.search(hook["exclude"], name) is None
            and types <= tags and (not types_or or bool(types_or & tags))
            and not exclude_types & tags)


def test_hook_files_cover_what_lambdalint_reads() -> None:
    from pre_commit.clientlib import load_manifest  # validates it as try-repo does

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"lambdalint", "lambdalint-package"}
    assert hooks["lambdalint"]["pass_filenames"] is True
    assert hooks["lambdalint-package"]["pass_filenames"] is False
    wrong = {name: (_selected(hooks["lambdalint"], name),
                    _selected(hooks["lambdalint-package"], name))
             for name in SELECTION}
    wrong = {name: got for name, got in wrong.items() if got != SELECTION[name]}
    assert not wrong, "(lambdalint, lambdalint-package) selects differently: " + repr(wrong)
