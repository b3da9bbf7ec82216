"""Every rule's documented examples are tests: the bad one fires the rule, the good one does not.

They are built as real zips from the same text the documentation shows and checked through the
CLI, so a page that drifts from the behaviour fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdalint.registry import all_rules

from zipspec import run_example

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


def test_every_rule_has_both_examples() -> None:
    for rule_id, cls in all_rules().items():
        for section in ("Example", "Use instead"):
            assert cls.examples(section), f"{rule_id} has no fenced example under {section}"
