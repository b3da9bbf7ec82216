"""The rule registry: every rule lambdalint ships, by id.

Modules are listed here (not discovered) so that the set of rules is explicit and importing it
is cheap: rule modules import their heavy dependencies inside ``check``.
"""

from __future__ import annotations

import functools
import importlib

from lambdalint.finding import RuleInfo
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

@functools.cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule class by id, in id order."""
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


def rule(rule_id: str) -> type[Rule]:
    return all_rules()[rule_id]


def matches(selector: str, rule_id: str) -> bool:
    """A selector is a rule id or a prefix of one ("LL", "LL1", "LL10", "LL101")."""
    return rule_id.startswith(selector)


def is_known_selector(selector: str) -> bool:
    return any(matches(selector, rule_id) for rule_id in all_rules())


def rule_index() -> dict[str, RuleInfo]:
    """What reporters may know about rules."""
    return {
        rule_id: RuleInfo(id=rule_id, name=cls.name, severity=cls.severity,
                          summary=cls.summary,
                          description=cls.sections().get("What it does", cls.summary),
                          help_markdown=cls.page(), tags=cls.tags)
        for rule_id, cls in all_rules().items()
    }
