"""Binaries judged from their bytes: real shared objects stripped of their wheel metadata (as
when files are copied by hand), and synthesized headers for what real wheels do not have."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from wheels import pip_target, zip_folder
from zipspec import Entry, run_cli, write_zip

MARKUPSAFE = "markupsafe==3.0.2"
CRYPTOGRAPHY = "cryptography==43.0.3"


def untagged(requirement: str, python: str, platform: str, tmp_path: Path) -> Path:
    """The installed files without any *.dist-info: no wheel tag vouches for them."""
    installed = pip_target([requirement], python=python, platform=platform, deps=False)
    copy = tmp_path / "copy"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("*.dist-info"))
    return copy


def platform_findings(tmp_path: Path, *argv: str) -> list[dict]:  # type: ignore[type-arg]
    run = run_cli(["check", *argv, "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    return [f for f in run.json["findings"] if f["rule"].startswith("LL20")]


@pytest.mark.parametrize(("requirement", "python", "platform", "runtime", "arch", "rule",
                          "says"), [
    (CRYPTOGRAPHY, "3.11", "manylinux_2_28_x86_64", "python3.11", "x86_64", "LL204",
     "needs GLIBC_2.28"),
    (MARKUPSAFE, "3.12", "musllinux_1_2_x86_64", "python3.12", "x86_64", "LL205", "musl"),
    (MARKUPSAFE, "3.12", "macosx_11_0_arm64", "python3.12", "arm64", "LL203", "macOS"),
    (MARKUPSAFE, "3.12", "manylinux2014_aarch64", "python3.12", "x86_64", "LL202",
     "aarch64"),
    (MARKUPSAFE, "3.11", "manylinux2014_x86_64", "python3.12", "x86_64", "LL201",
     "CPython 3.11"),
])
def test_untagged_real_binary(requirement: str, python: str, platform: str, runtime: str,
                              arch: str, rule: str, says: str, tmp_path: Path) -> None:
    folder = untagged(requirement, python, platform, tmp_path)
    zip_folder(folder, tmp_path / "vendored-layer.zip", prefix="python/")
    found = platform_findings(tmp_path, "vendored-layer.zip", "--runtime", runtime,
                              "--architecture", arch)
    assert [f["rule"] for f in found] == [rule]
    assert says in found[0]["message"]
    assert found[0]["member"].startswith("python/") and found[0]["member"].endswith(".so")


def test_correct_untagged_binaries_stay_clean(tmp_path: Path) -> None:
    folder = untagged(CRYPTOGRAPHY, "3.11", "manylinux2014_x86_64", tmp_path)
    zip_folder(folder, tmp_path / "function.zip")
    assert platform_findings(tmp_path, "function.zip", "--runtime", "python3.11",
                             "--architecture", "x86_64") == []


def elf_header(bits: int = 64, big_endian: bool = False, machine: int = 62) -> bytes:
    order = ">" if big_endian else "<"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if big_endian else 1, 1]) \
        + bytes(9)
    return ident + struct.pack(order + "HH", 3, machine) + bytes(64 - 20)


@pytest.mark.parametrize(("content", "rule", "says"), [
    (elf_header(bits=32, machine=3), "LL202", "32-bit ELF"),
    (elf_header(big_endian=True, machine=21), "LL202", "big-endian"),
    (elf_header(machine=183), "LL202", "aarch64"),
    (b"\xca\xfe\xba\xbe" + bytes(60), "LL203", "Mach-O"),  # fat (universal) Mach-O
    (b"\xcf\xfa\xed\xfe" + bytes(60), "LL203", "Mach-O"),  # thin 64-bit Mach-O
    (b"MZ" + bytes(62), "LL203", "Windows PE"),
])
def test_synthesized_headers(content: bytes, rule: str, says: str, tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", [Entry("app.py"), Entry("native/_fast.abi3.so")])
    import zipfile
    with zipfile.ZipFile(tmp_path / "function.zip", "a") as archive:
        archive.writestr("native/libhelper.so.1", content)
    found = platform_findings(tmp_path, "function.zip", "--runtime", "python3.12",
                              "--architecture", "x86_64")
    (finding,) = [f for f in found if f["member"] == "native/libhelper.so.1"]
    assert finding["rule"] == rule and says in finding["message"]


def test_extension_names_for_another_target(tmp_path: Path) -> None:
    write_zip(tmp_path / "function.zip", [
        Entry("app.py"),
        Entry("pkg/_a.cpython-311-x86_64-linux-gnu.so", {"text": ""}),
        Entry("pkg/_b.cpython-312-darwin.so", {"text": ""}),
        Entry("pkg/_c.cp312-win_amd64.pyd", {"text": ""}),
    ])
    found = platform_findings(tmp_path, "function.zip", "--runtime", "python3.12",
                              "--architecture", "x86_64")
    # one finding per rule for the folder that owns them, naming the first binary
    assert sorted((f["rule"], f["member"]) for f in found) == [
        ("LL201", "pkg/_a.cpython-311-x86_64-linux-gnu.so"),
        ("LL203", "pkg/_b.cpython-312-darwin.so"),
    ]
    (macos,) = [f for f in found if f["rule"] == "LL203"]
    assert "1 more binary of pkg likewise" in macos["message"]
