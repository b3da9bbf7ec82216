"""The registry's own invariants (ids, names, docs), and the generated pages are current."""

from __future__ import annotations

import re
from pathlib import Path

from lambdalint import docs
from lambdalint.registry import all_rules
from lambdalint.rules import DOC_HEADINGS

ROOT = Path(__file__).resolve().parent.parent


def test_ids_and_names_are_well_formed_and_unique() -> None:
    rules = all_rules()
    names = [cls.name for cls in rules.values()]
    assert len(names) == len(set(names))
    summaries = [cls.summary for cls in rules.values()]
    assert len(summaries) == len(set(summaries))
    for rule_id, cls in rules.items():
        assert re.fullmatch(r"LL\d{3}", rule_id)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cls.name), cls.name
        assert cls.summary and len(cls.summary) < 120 and "\n" not in cls.summary


def test_documentation_has_the_fixed_headings_in_order() -> None:
    for rule_id, cls in all_rules().items():
        headings = list(cls.sections())
        assert headings == list(DOC_HEADINGS), f"{rule_id}: {headings}"
        for heading, text in cls.sections().items():
            assert text.strip(), f"{rule_id}: empty section {heading}"


def test_generated_pages_are_current() -> None:
    folder = ROOT / "rules"
    for name, text in docs.pages().items():
        page = folder / name
        assert page.is_file(), f"rules/{name} missing: run python -m lambdalint.docs"
        assert page.read_text("utf-8") == text, f"rules/{name} is stale: python -m lambdalint.docs"
    assert (folder / "README.md").read_text("utf-8") == docs.index()
    stray = {p.name for p in folder.glob("LL*.md")} - set(docs.pages())
    assert not stray, f"pages for rules that do not exist: {stray}"


def test_rule_index_is_current() -> None:
    # A run knows rules from the generated index without importing them: it must say
    # what the rule classes say.
    from lambdalint.registry import index_module

    index = ROOT / "lambdalint" / "rules" / "index.py"
    assert index.read_text("utf-8") == index_module(), \
        "lambdalint/rules/index.py is stale: python -m lambdalint.docs"
    # SARIF's help text: each page as `lambdalint rule ID` renders it.
    from lambdalint.registry import all_rules, help_module
    from lambdalint.rules.help import PAGES

    assert (ROOT / "lambdalint" / "rules" / "help.py").read_text("utf-8") == help_module(), \
        "lambdalint/rules/help.py is stale: python -m lambdalint.docs"
    assert {rule_id: cls.page() for rule_id, cls in all_rules().items()} == PAGES


def test_every_rule_module_is_registered() -> None:
    # A module left out of RULE_MODULES would silently drop a rule, its docs and its tests.
    from lambdalint.registry import RULE_MODULES

    on_disk = {".".join(("lambdalint", *p.relative_to(ROOT / "lambdalint").with_suffix("")
                                      .parts))
               for p in (ROOT / "lambdalint" / "rules").glob("*/*.py")
               if p.name != "__init__.py"}
    assert on_disk == set(RULE_MODULES) - {"lambdalint.rules.meta"}
