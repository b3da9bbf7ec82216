"""The rule registry: every rule lambdalint ships, by id.

What the engine, the suppression pass and the reporters need to know about a rule (its id,
name, severity, summary, what it needs, its tags) comes from a generated index,
``lambdalint/rules/index.py``, so that a run imports only the rules it runs: a rule whose
target values no deployment has (an architecture nobody gave) is never imported. The index
is written by ``python -m lambdalint.docs`` and a test keeps it equal to the rule classes.
Modules are listed here (not discovered) so that the set of rules is explicit.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, NamedTuple

from lambdalint.finding import RuleInfo, Severity

if TYPE_CHECKING:
    from lambdalint.rules import Rule

RULE_MODULES = (
    "lambdalint.rules.meta",
    "lambdalint.rules.layout.layer_missing_python_prefix",
    "lambdalint.rules.layout.layer_site_packages_version",
    "lambdalint.rules.layout.function_code_nested",
    "lambdalint.rules.layout.unreadable_entry",
    "lambdalint.rules.layout.unsafe_archive_entry",
    "lambdalint.rules.layout.foreign_bytecode",
    "lambdalint.rules.layout.pythonpath_disables_layers",
    "lambdalint.rules.layout.shadows_stdlib",
    "lambdalint.rules.platform.extension_abi_mismatch",
    "lambdalint.rules.platform.extension_arch_mismatch",
    "lambdalint.rules.platform.non_linux_binary",
    "lambdalint.rules.platform.glibc_too_new",
    "lambdalint.rules.platform.musl_binary",
    "lambdalint.rules.platform.wheel_tag_incompatible",
    "lambdalint.rules.platform.layer_incompatible_runtime",
    "lambdalint.rules.platform.deprecated_runtime",
    "lambdalint.rules.platform.syntax_not_supported_by_runtime",
    "lambdalint.rules.platform.container_image_mismatch",
    "lambdalint.rules.deps.unresolved_import",
    "lambdalint.rules.deps.missing_dependency",
    "lambdalint.rules.deps.dependency_version_conflict",
    "lambdalint.rules.deps.layer_file_conflict",
    "lambdalint.rules.deps.shadows_runtime_sdk",
    "lambdalint.rules.deps.requirements_drift",
    "lambdalint.rules.deps.duplicate_distribution",
    "lambdalint.rules.handler.handler_module_not_found",
    "lambdalint.rules.handler.handler_not_defined",
    "lambdalint.rules.handler.malformed_handler",
    "lambdalint.rules.handler.handler_signature",
    "lambdalint.rules.handler.non_serializable_return",
    "lambdalint.rules.handler.proxy_response_shape",
    "lambdalint.rules.handler.json_dumps_unserializable",
    "lambdalint.rules.behaviour.recursive_invoke",
    "lambdalint.rules.behaviour.trigger_write_loop",
    "lambdalint.rules.behaviour.write_outside_tmp",
    "lambdalint.rules.behaviour.fixed_tmp_path",
    "lambdalint.rules.behaviour.client_in_handler",
    "lambdalint.rules.behaviour.s3_key_not_unquoted",
    "lambdalint.rules.behaviour.invalid_event_source_mapping",
    "lambdalint.rules.behaviour.hardcoded_resource_name",
    "lambdalint.rules.behaviour.private_runtime_api",
    "lambdalint.rules.behaviour.state_across_invocations",
    "lambdalint.rules.limits.unzipped_size_limit",
    "lambdalint.rules.limits.zipped_size_limit",
    "lambdalint.rules.limits.too_many_layers",
    "lambdalint.rules.limits.env_size_limit",
    "lambdalint.rules.limits.secret_in_package",
    "lambdalint.rules.limits.dead_weight",
)



class Entry(NamedTuple):
    """A rule as the index knows it, without its module."""

    id: str
    name: str
    severity: Severity
    summary: str
    tags: tuple[str, ...]
    needs: tuple[str, ...]
    function_code: bool
    meta: bool
    module: str
    cls: str
    description: str  # the "What it does" section
    security_severity: str | None


@functools.cache
def entries() -> dict[str, Entry]:
    """Every rule by id, in id order, from the generated index (no rule module imported)."""
    from lambdalint.rules.index import RULES

    return {row[0]: Entry(row[0], row[1], Severity(row[2]), *row[3:]) for row in RULES}


@functools.cache
def load(rule_id: str) -> type[Rule]:
    """The rule class, its module imported on first use."""
    entry = entries()[rule_id]
    found: type[Rule] = getattr(importlib.import_module(entry.module), entry.cls)
    return found


@functools.cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule class by id, in id order, every rule module imported (documentation,
    `lambdalint rule ID`, and the test that keeps the index current)."""
    from lambdalint.rules import Rule

    found: dict[str, type[Rule]] = {}
    for module_name in RULE_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Rule) and value is not Rule
                    and value.__module__ == module.__name__):
                if value.id in found:
                    raise RuntimeError(f"duplicate rule id {value.id}")
                found[value.id] = value
    return dict(sorted(found.items()))


def matches(selector: str, rule_id: str) -> bool:
    """A selector is a rule id or a prefix of one ("LL", "LL1", "LL10", "LL101")."""
    return rule_id.startswith(selector)


def is_known_selector(selector: str) -> bool:
    return any(matches(selector, rule_id) for rule_id in entries())


def rule_index(*, with_help: bool = False) -> dict[str, RuleInfo]:
    """What reporters may know about rules. The whole documentation page (SARIF's help
    text) needs every rule module: only when asked."""
    pages: dict[str, str] = {}
    if with_help:
        # Generated with the index: rendering them here would import every rule module and
        # the examples' renderer (~70 ms of each SARIF run).
        from lambdalint.rules.help import PAGES as pages
    return {
        rule_id: RuleInfo(id=rule_id, name=entry.name, severity=entry.severity,
                          summary=entry.summary, description=entry.description,
                          help_markdown=pages[rule_id] if with_help else "",
                          tags=entry.tags, security_severity=entry.security_severity)
        for rule_id, entry in entries().items()
    }


def help_module() -> str:
    """The source of lambdalint/rules/help.py: every rule's page (without the examples'
    outputs), SARIF's help text."""
    rows = "".join(f"    {rule_id!r}: {cls.page()!r},\n" for rule_id, cls in all_rules().items())
    return ('"""Generated by `python -m lambdalint.docs` from the rule classes; do not edit.\n\n'
            "Each rule's page as `lambdalint rule ID` shows it: the help text of SARIF "
            "reports.\n"
            '"""\n\n'
            "PAGES = {\n" + rows + "}\n")


def index_module() -> str:
    """The source of lambdalint/rules/index.py, from the rule classes themselves."""
    rows = []
    for rule_id, cls in all_rules().items():
        row = (rule_id, cls.name, cls.severity.value, cls.summary, tuple(cls.tags),
               tuple(cls.needs), cls.function_code, cls.meta, cls.__module__, cls.__name__,
               cls.sections().get("What it does", cls.summary), cls.security_severity)
        rows.append(f"    {row!r},\n")
    return ('"""Generated by `python -m lambdalint.docs` from the rule classes; do not edit.\n\n'
            "What the engine and the reporters know about every rule without importing it\n"
            "(see lambdalint/registry.py). A test keeps it equal to the rule classes.\n"
            '"""\n\n'
            "RULES = (\n" + "".join(rows) + ")\n")
