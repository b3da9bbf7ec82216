"""The README's infrastructure-code snippets are the tested ones.

A ```yaml block headed `# <file> (excerpt)` must stand, line for line, in that file of the
test projects; a ```console block `$ cd <folder> && lambdalint check …` is run there, and
every line it shows must be a finding line the command prints.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from zipspec import run_cli

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```(yaml|console)\n(.*?)```", README, re.S)
EXCERPTS = [body for kind, body in BLOCKS if kind == "yaml" and body.startswith("# tests/")]
COMMANDS = [body for kind, body in BLOCKS
            if kind == "console" and body.startswith("$ cd tests/projects/")]


def test_the_readme_has_snippets_for_each_kind() -> None:
    shown = {re.match(r"\$ cd (\S+)", body).group(1) for body in COMMANDS}  # type: ignore[union-attr]
    assert {"tests/projects/sam", "tests/projects/cdk", "tests/projects/serverless",
            "tests/projects/dockerfile/image-fn"} <= shown


@pytest.mark.parametrize("body", EXCERPTS, ids=lambda b: b.split()[1])
def test_excerpt_stands_in_its_file(body: str) -> None:
    head, *lines = body.rstrip("\n").splitlines()
    path = ROOT / head.split()[1]
    text = path.read_text("utf-8").splitlines()
    starts = [n for n, line in enumerate(text) if line == lines[0]]
    assert any(text[n:n + len(lines)] == lines for n in starts), \
        f"the README's excerpt is not in {path}"


@pytest.mark.parametrize("body", COMMANDS, ids=lambda b: b.split()[2])
def test_console_output_is_what_the_command_prints(body: str, tmp_path: Path) -> None:
    command, *shown = body.rstrip("\n").splitlines()
    folder_text, _, argv_text = command[2:].partition(" && ")
    folder = tmp_path / Path(folder_text.split()[1]).name  # names the function
    shutil.copytree(ROOT / folder_text.split()[1], folder, symlinks=True)
    (folder / ".git").mkdir()
    argv = shlex.split(argv_text)
    assert argv[0] == "lambdalint"
    run = run_cli([*argv[1:], "--no-color"], folder)
    printed = run.stdout.splitlines()
    for line in shown:
        assert line in printed, f"not printed: {line}\n{run.stdout}"


def test_ci_runs_the_readmes_test_command() -> None:
    # The README opens with two commands; .ci/run runs the second one, and nothing else.
    block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    steps = [line for line in script.splitlines()
             if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert steps == [commands[1]]
