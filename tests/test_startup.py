"""Startup cost: a pre-commit hook pays it on every commit, so heavy modules load lazily.

Each command runs in a fresh interpreter, which then reports the modules it imported.
"""

from __future__ import annotations

import json
from pathlib import Path

from probes import imported_by

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("libcst", "pip_api", "jsonschema", "rich")

def _probe(*argv: str) -> dict:  # type: ignore[type-arg]
    code, stdout, modules = imported_by(list(argv), ROOT)
    tops = {name.split(".")[0] for name in modules}
    return {"code": code, "stdout": stdout, "modules": tops,
            "heavy": [name for name in HEAVY if name in tops]}


def test_version_imports_no_heavy_module() -> None:
    probe = _probe("--version")

    assert probe["code"] == 0
    assert probe["stdout"].startswith("lambdalint ")
    assert probe["heavy"] == []


def test_zip_only_json_check_imports_no_heavy_module() -> None:
    probe = _probe("check", "--format", "json", "examples/broken/function.zip")

    assert probe["code"] == 1
    findings = json.loads(probe["stdout"])["findings"]
    assert ("LL104", "my_function/config.json") in {(f["rule"], f["member"]) for f in findings}
    # machine formats do not need rich either: only the terminal report uses it
    assert probe["heavy"] == []


def test_syntax_check_of_clean_code_does_not_parse_with_libcst() -> None:
    # python3.12 with a handler: LL209 reads the modules, finds nothing that 3.12 could not
    # parse (and the interpreter's own parser accepts them), so it never imports libcst.
    # (Import rules such as LL301 do parse the function's code: they need its imports.)
    probe = _probe("check", "--format", "json", "--config", "examples/lambdalint.toml",
                   "--select", "LL209")
    assert probe["code"] == 0
    assert "libcst" not in probe["modules"]


# What a zip-only check of one layer may import beyond the interpreter's own start-up:
# no code model, no parser, no zipfile (lambdalint reads central directories itself), no
# dataclasses or inspect (records are built by lambdalint.records), no config parser when
# there is no config file.
LAYER_CHECK_MODULES = {
    "lambdalint", "lambdalint.advice", "lambdalint.assemble", "lambdalint.cli",
    "lambdalint.config", "lambdalint.data", "lambdalint.discover",
    "lambdalint.discover.config", "lambdalint.discover.flags", "lambdalint.engine",
    "lambdalint.files", "lambdalint.finding", "lambdalint.model", "lambdalint.model.archive",
    "lambdalint.model.binaries", "lambdalint.model.code", "lambdalint.model.code.span",
    "lambdalint.model.context", "lambdalint.model.deployment",
    "lambdalint.model.distributions", "lambdalint.model.guard",
    "lambdalint.model.importview", "lambdalint.model.inference", "lambdalint.model.layout",
    "lambdalint.model.pep508", "lambdalint.model.platform", "lambdalint.model.requirements",
    "lambdalint.model.spec",
    "lambdalint.records", "lambdalint.registry", "lambdalint.reporters",
    "lambdalint.reporters.json_report", "lambdalint.rules", "lambdalint.rules.index",
    "lambdalint.suppress", "lambdalint.units",
}
NEVER_FOR_A_LAYER = ("zipfile", "dataclasses", "inspect", "ast", "tokenize", "tomllib",
                     "tomli", "yaml", "rich", "libcst", "pip_api", "packaging.tags", "difflib",
                     "lambdalint.fix")

def test_a_layer_zip_check_imports_only_what_it_uses(tmp_path: Path) -> None:
    layer = tmp_path / "requests-layer.zip"
    _write_zip(layer, {"python/requests/__init__.py": b"__version__ = '2.32.3'\n",
                       "python/requests/api.py": b"def get(url):\n    return url\n"})
    code, stdout, imported = imported_by(["check", "--format", "json", "--runtime",
                                          "python3.12", "--architecture", "x86_64",
                                          "requests-layer.zip"], tmp_path,
                                         forget=NEVER_FOR_A_LAYER)
    assert code == 0, stdout
    rule_modules = {m for m in imported if m.startswith("lambdalint.rules.")
                    and m.count(".") == 3}
    # Layer rules only: none of the function-code rules (handler, behaviour, LL209, LL301);
    # LL507 also judges mappings a template declares, so it runs without code.
    assert rule_modules, imported
    assert not {m for m in rule_modules
                if m.startswith(("lambdalint.rules.handler.", "lambdalint.rules.behaviour."))
                or m.endswith((".syntax_not_supported_by_runtime", ".unresolved_import"))} \
        - {"lambdalint.rules.behaviour.invalid_event_source_mapping"}
    rule_packages = {m.rsplit(".", 1)[0] for m in rule_modules}
    assert {m for m in imported if m.startswith("lambdalint")} - rule_modules - \
        rule_packages == LAYER_CHECK_MODULES
    assert [m for m in NEVER_FOR_A_LAYER if m in imported] == []


def _write_zip(path: Path, files: dict[str, bytes]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
