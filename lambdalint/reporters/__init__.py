"""Reporters turn a Report into text for one output format. They know nothing about rules
beyond the ``RuleInfo`` records the registry hands them.
"""

from __future__ import annotations

import importlib

from lambdalint.finding import Report, RuleInfo


def render(fmt: str, report: Report, rules: dict[str, RuleInfo], *, version: str,
           sarif_category: str | None = None) -> str:
    """Machine formats only; the terminal report is written by ``text.write``."""
    module = importlib.import_module(f"lambdalint.reporters.{fmt}_report")
    options = {"category": sarif_category} if fmt == "sarif" else {}
    result: str = module.render(report, rules, version=version, **options)
    return result
