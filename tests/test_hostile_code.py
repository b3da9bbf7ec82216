"""Untrusted code and metadata: odd but valid input never crashes a rule (no "internal
error", no exit code 2 from lambdalint itself)."""

from __future__ import annotations

import struct
from pathlib import Path

from zipspec import Entry, run_cli, write_zip


def check(tmp_path: Path, *argv: str) -> tuple[int, str, list[str]]:
    run = run_cli(["check", *argv, "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    return run.exit_code, run.stdout, [f["rule"] for f in run.json["findings"]]


def test_deeply_nested_valid_code_is_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("X = " + "+".join(["1"] * 600) +
                                     "\n\ndef handler(e, c):\n    return {}\n")
    run = run_cli(["check", "app.py", "--runtime", "python3.12", "--handler", "app.handler"],
                  tmp_path)
    assert "internal error" not in run.stdout
    assert "nested too deeply for lambdalint to analyse" in run.stdout
    assert run.exit_code == 0


def test_elf_with_a_zero_program_header_size(tmp_path: Path) -> None:
    header = bytearray(b"\x7fELF\x02\x01\x01" + bytes(57))
    struct.pack_into("<HH", header, 16, 3, 62)
    struct.pack_into("<Q", header, 32, 64)  # e_phoff
    struct.pack_into("<HH", header, 54, 0, 1)  # e_phentsize 0, e_phnum 1
    write_zip(tmp_path / "function.zip",
              [Entry("app.py"), Entry("lib/evil.so", {"text": header.decode("latin-1")})])
    code, out, _ = check(tmp_path, "function.zip", "--runtime", "python3.12",
                         "--architecture", "x86_64")
    assert "internal error" not in out and code != 2


def test_marker_packaging_cannot_evaluate(tmp_path: Path) -> None:
    write_zip(tmp_path / "deps-layer.zip", [
        Entry("python/foo/__init__.py"),
        Entry("python/foo-1.0.dist-info/RECORD", {"text": "foo/__init__.py,,"}),
        Entry("python/foo-1.0.dist-info/METADATA",
              {"text": 'Requires-Dist: bar; python_version ~= "3"\\n'}),
    ])
    code, out, rules = check(tmp_path, "deps-layer.zip", "--runtime", "python3.12")
    assert "internal error" not in out and "LL302" not in rules and code == 0


def test_malformed_pyproject_dependencies(tmp_path: Path) -> None:
    for pyproject in ('project = "x"\n', '[project]\ndependencies = "requests"\n'):
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        (src / "app.py").write_text("def handler(e, c):\n    return {}\n")
        (src / "pyproject.toml").write_text(pyproject)
        code, out, rules = check(tmp_path, "src", "--runtime", "python3.12", "--handler",
                                 "app.handler")
        assert "internal error" not in out and rules == [] and code == 0
