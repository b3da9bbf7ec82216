"""The hooks in .pre-commit-hooks.yaml, run by the real `pre-commit try-repo`.

try-repo clones the hook repository's HEAD plus uncommitted changes to tracked files, but not
new untracked files; so the working tree (tracked and untracked-but-not-ignored files) is
copied into a fresh git repository, committed there, and try-repo points at that copy.

Both hooks run in one try-repo call per scratch project: one with a bad layer zip, one with
a good one. try-repo builds its hook environment (`pip install` of lambdalint) in a temporary
store whatever PRE_COMMIT_HOME says, so each call takes a few seconds even with pip's cache;
PRE_COMMIT_HOME still points at ~/.cache/lambdalint-tests/pre-commit so that nothing is
written to the user's own pre-commit cache.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT_HOME = Path.home() / ".cache" / "lambdalint-tests" / "pre-commit"

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


def _env() -> dict[str, str]:
    # GIT_DIR, GIT_INDEX_FILE… leak in when the tests run from a git hook; drop them.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(PRE_COMMIT_HOME), PRE_COMMIT_COLOR="never",
               GIT_AUTHOR_NAME="lambdalint tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
               GIT_COMMITTER_NAME="lambdalint tests",
               GIT_COMMITTER_EMAIL="tests@example.invalid")
    return env


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
                             *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                            check=True)
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


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this working tree, as `pre-commit try-repo` must see it."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to hand to pre-commit try-repo")
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = ROOT / name
        if source.is_file():  # tracked files deleted in the working tree are skipped
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    _commit_all(copy)
    return copy


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


Hooks = dict[str, tuple[str, str]]  # hook id -> (Passed | Failed | Skipped, its output)
STATUS = re.compile(r"^[^\n]*(?:\.{3,}|\))(Passed|Failed|Skipped)$", re.M)


def _try_repo(hook_repo: Path, project: Path) -> tuple[int, Hooks, str]:
    """Run every hook of the repository on the layer zip: exit code, hooks, whole output."""
    PRE_COMMIT_HOME.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--verbose",
         "--files", "dist/layer-requests.zip"],
        cwd=project, env=_env(), capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    hooks: Hooks = {}
    for section in re.split(r"^(?=[^\n]*(?:\.{3,}|\))(?:Passed|Failed|Skipped)$)", output,
                            flags=re.M):
        status = STATUS.match(section)
        hook_id = re.search(r"^- hook id: (\S+)$", section, re.M)
        if status and hook_id:
            hooks[hook_id.group(1)] = (status.group(1), section)
    return result.returncode, hooks, output


@pytest.fixture(scope="module")
def bad_run(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> \
        tuple[int, Hooks, str]:
    return _try_repo(hook_repo, _project(tmp_path_factory.mktemp("bad"), good=False))


@pytest.fixture(scope="module")
def good_run(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> \
        tuple[int, Hooks, str]:
    return _try_repo(hook_repo, _project(tmp_path_factory.mktemp("good"), good=True))


def test_hooks_fail_on_a_layer_without_python_prefix(bad_run: tuple[int, Hooks, str]) -> None:
    code, hooks, output = bad_run
    assert {hook: status for hook, (status, _) in hooks.items()} == \
        {"lambdalint": "Failed", "lambdalint-package": "Failed"}, output
    assert code == 1
    # Per-file hook: the staged layer zip on its own, classified as a layer by its name.
    single = hooks["lambdalint"][1]
    assert "dist/layer-requests.zip:requests" in single and "LL101 [error]" in single, output
    assert "target: (layers only) + 1 layer:" in single, output
    # Package hook: no file names; the deployment in lambdalint.toml, function and layer.
    package = hooks["lambdalint-package"][1]
    assert "LL101 [error]" in package, output
    assert "target: api: dist/function.zip + 1 layer:" in package, output


def test_hooks_pass_on_a_good_layer(good_run: tuple[int, Hooks, str]) -> None:
    code, hooks, output = good_run
    assert {hook: status for hook, (status, _) in hooks.items()} == \
        {"lambdalint": "Passed", "lambdalint-package": "Passed"}, output
    assert code == 0
    assert "target: api: dist/function.zip + 1 layer:" in hooks["lambdalint-package"][1], output
    assert "LL101" not in output
