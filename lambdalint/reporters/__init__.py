"""Reporters turn a Report into text for one output format. They know nothing about rules
beyond the ``RuleInfo`` records the registry hands them.
"""

from __future__ import annotations

import importlib

from lambdalint.finding import Report, RuleInfo


def render(fmt: str, report: Report, rules: dict[str, RuleInfo], *, version: str) -> str:
    """Machine formats only; the terminal report is written by ``text.write``."""
    module = importlib.import_module(f"lambdalint.reporters.{fmt}_report")
    result: str = module.render(report, rules, version=version)
    return result
