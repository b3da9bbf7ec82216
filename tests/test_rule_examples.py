"""Every rule's documented examples are tests: the bad one fires the rule, the good one does not.

They are built as real zips from the same text the documentation shows and checked through the
CLI, so a page that drifts from the behaviour fails here.
"""

from __future__ import annotations

import re
import shlex
import zipfile
from pathlib import Path

import pytest

from lambdalint import docs
from lambdalint.examples import listing
from lambdalint.registry import all_rules

from zipspec import REFERENCE_DAY, build, parse, run_cli, run_example

CASES = [
    pytest.param(rule_id, section, body,
                 id=f"{rule_id}-{'bad' if section == 'Example' else 'good'}-{n}")
    for rule_id, cls in all_rules().items()
    for section in ("Example", "Use instead")
    for n, (info, body) in enumerate(cls.examples(section))
    if info == "deployment"
]


@pytest.mark.parametrize(("rule_id", "section", "body"), CASES)
def test_documented_example(rule_id: str, section: str, body: str, tmp_path: Path) -> None:
    run = run_example(body, tmp_path)
    assert "Traceback" not in run.stderr
    fired = [f for f in run.json["findings"] if f["rule"] == rule_id]
    if section == "Example":
        assert fired, f"{rule_id} did not fire on its documented bad example:\n{run.stdout}"
        assert run.exit_code in (1, 2) or fired[0]["severity"] == "info"
    else:
        assert not fired, f"{rule_id} fired on its documented good example: {fired}"


FIXABLE = {rule_id for rule_id, cls in all_rules().items()
           if {a.value for a in cls.fixes} & {"safe", "unsafe"}}


@pytest.mark.parametrize(("rule_id", "section", "body"),
                         [case for case in CASES if case.values[1] == "Example"])
def test_documented_example_after_fix(rule_id: str, section: str, body: str,
                                      tmp_path: Path) -> None:
    # `--fix --unsafe-fixes` leaves no finding it could fix, the rule's own included when
    # it has a fix; a second run has nothing left to change.
    first = run_example(body, tmp_path)
    fixable = [f for f in first.json["findings"] if f["rule"] == rule_id and
               f["fix_applicability"] is not None]
    assert bool(fixable) == (rule_id in FIXABLE), first.json["findings"]
    argv = [*parse(body).argv, "--format", "json", "--today", REFERENCE_DAY, "--unsafe-fixes"]
    run = run_cli([*argv, "--fix"], tmp_path)
    assert "Traceback" not in run.stderr and "please report" not in run.stderr, run.stderr
    left = [f for f in run.json["findings"] if f["fix_applicability"] is not None]
    assert left == [], run.stderr
    assert not [f for f in run.json["findings"] if f["fingerprint"] in
                {g["fingerprint"] for g in fixable}]
    again = run_cli([*argv, "--diff"], tmp_path)
    assert again.stdout == "" and again.exit_code == (2 if first.exit_code == 2 else 0), \
        again.stdout + again.stderr


def test_every_rule_has_both_examples() -> None:
    for rule_id, cls in all_rules().items():
        for section in ("Example", "Use instead"):
            assert cls.examples(section), f"{rule_id} has no fenced example under {section}"


def _section(page: str, heading: str) -> str:
    return page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_pages_show_examples_as_ordinary_markdown() -> None:
    for name, page in docs.pages().items():
        assert "```deployment" not in page, name
        for heading in ("Example", "Use instead"):
            assert "```console\n$ lambdalint check --quiet " in _section(page, heading), name
    page = docs.pages()["LL502.md"]
    assert "```python\n" in page and "`app.py` in `function.zip`:" in page
    assert "```text\nfunction.zip\n└── app.py\n```" in page


def test_page_shows_the_files_and_what_the_cli_prints(tmp_path: Path) -> None:
    # The page's python block is the file the test builds, and its console block is what
    # the command it shows prints, run on that file.
    cls = all_rules()["LL502"]
    page = docs.pages()["LL502.md"]
    ((_info, body),) = cls.examples("Example")
    build(parse(body), tmp_path)
    example = _section(page, "Example")
    code = re.search(r"```python\n(.*?)```", example, re.S)
    console = re.search(r"```console\n\$ (.*?)\n(.*?)```", example, re.S)
    assert code is not None and console is not None
    with zipfile.ZipFile(tmp_path / "function.zip") as archive:
        source = archive.read("app.py").decode()
    assert code.group(1).splitlines() == [line.rstrip() for line in source.splitlines()]
    command = shlex.split(console.group(1))
    assert command[:3] == ["lambdalint", "check", "--quiet"] and "--today" not in command
    run = run_cli(command[1:], tmp_path)
    assert run.stderr + run.stdout == console.group(2)
    assert console.group(2).startswith("function.zip:app.py:9:5: LL502 [error] ")
    # The good example prints nothing, and the page says so.
    good = _section(page, "Use instead")
    assert "```console\n$ lambdalint check --quiet --handler app.handler function.zip\n```" \
        "\n\nIt prints nothing: no findings." in good


def test_date_dependent_output_shows_the_date() -> None:
    page = docs.pages()["LL209.md"]  # python3.9: deprecated on the reference day
    assert f"$ lambdalint check --quiet --today {REFERENCE_DAY} --runtime python3.9" in page


def test_listing_says_the_attributes_in_words() -> None:
    spec = parse("lambdalint check fn.zip\nfn.zip:\n    app.py  mode=0600\n"
                 "    lib/big.bin  size=300M stored\n    lib/old.pyc  pyc=3.11\n"
                 "    escape  link=../../etc/passwd\n    ../up.py\n    secret.py  encrypted\n"
                 "    app.py\n")
    assert listing(spec.artifacts[0]) == "\n".join([
        "fn.zip",
        "├── app.py       mode 0600",
        "├── lib/",
        "│   ├── big.bin  300 MB, not compressed",
        "│   └── old.pyc  bytecode for Python 3.11",
        "├── escape       symlink → ../../etc/passwd",
        "├── ../up.py",
        "├── secret.py    encrypted",
        "└── app.py",
    ])


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/passwd", "a/../../b", "..\\up.txt"])
def test_building_stays_in_its_folder(name: str, tmp_path: Path) -> None:
    spec = parse(f"lambdalint check x\n{name}:  text=no\n")
    with pytest.raises(ValueError, match="stay in its folder"):
        build(spec, tmp_path / "inner")
    assert not (tmp_path / "outside.txt").exists()


def test_building_does_not_follow_links(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="link"):
        build(parse("lambdalint check x\nlink/escaped.txt:  text=no\n"), tmp_path / "inner")
    assert not (tmp_path / "escaped.txt").exists()
