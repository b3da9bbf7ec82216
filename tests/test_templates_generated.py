"""Generated templates: whatever shape a template has, one clear result, never a traceback.

Hypothesis builds CloudFormation-shaped documents from the keys, values and intrinsic
functions discovery reads — right, wrong and absurd combinations — and mutates a real SAM
template's text byte by byte.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generated.strategies import templates
from zipspec import run_cli

SAM_TEMPLATE = (Path(__file__).parent / "projects" / "sam" / "template.yaml").read_bytes()


def check(text: bytes, name: str = "template.yaml") -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
        (root / name).write_bytes(text)
        run = run_cli(["check", name, "--format", "json"], root)
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stdout + run.stderr, run.stdout
    assert run.exit_code in (0, 1, 2)
    json.loads(run.stdout)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_generated_templates(template: dict[str, Any]) -> None:
    check(json.dumps(template).encode(), "template.json")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SAM_TEMPLATE) - 1), st.binary(max_size=3)),
                min_size=1, max_size=6))
def test_mutated_sam_template(edits: list[tuple[int, bytes]]) -> None:
    text = bytearray(SAM_TEMPLATE)
    for at, replacement in edits:
        text[at:at + len(replacement)] = replacement
    check(bytes(text))
