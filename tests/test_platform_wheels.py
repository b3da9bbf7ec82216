"""Platform rules (LL201-LL206) on real wheels, installed by pip for each platform.

Each case installs a real build with `pip install --platform … --target`, zips it as a layer
the way users do, and checks it against a Lambda target. Correct builds must stay clean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wheels import pip_target, zip_folder
from zipspec import Entry, run_cli, write_zip

MARKUPSAFE = "markupsafe==3.0.2"
CRYPTOGRAPHY = "cryptography==43.0.3"  # abi3 builds (cp39-abi3) for manylinux 2_17 and 2_28

CASES = [
    # (requirement, python, pip platform, runtime, architecture, expected rule or None)
    (MARKUPSAFE, "3.12", "manylinux2014_x86_64", "python3.12", "x86_64", None),
    (MARKUPSAFE, "3.12", "manylinux2014_aarch64", "python3.12", "arm64", None),
    (MARKUPSAFE, "3.11", "manylinux2014_x86_64", "python3.11", "x86_64", None),
    (MARKUPSAFE, "3.11", "manylinux2014_x86_64", "python3.12", "x86_64", "LL201"),
    (MARKUPSAFE, "3.12", "manylinux2014_aarch64", "python3.12", "x86_64", "LL202"),
    (MARKUPSAFE, "3.12", "manylinux2014_x86_64", "python3.12", "arm64", "LL202"),
    (MARKUPSAFE, "3.12", "macosx_11_0_arm64", "python3.12", "arm64", "LL203"),
    (MARKUPSAFE, "3.12", "win_amd64", "python3.12", "x86_64", "LL203"),
    (MARKUPSAFE, "3.12", "musllinux_1_2_x86_64", "python3.12", "x86_64", "LL205"),
    (CRYPTOGRAPHY, "3.11", "manylinux_2_28_x86_64", "python3.11", "x86_64", "LL204"),
    (CRYPTOGRAPHY, "3.11", "manylinux2014_x86_64", "python3.11", "x86_64", None),
    (CRYPTOGRAPHY, "3.12", "manylinux_2_28_x86_64", "python3.12", "x86_64", None),
    (CRYPTOGRAPHY, "3.13", "manylinux_2_28_aarch64", "python3.13", "arm64", None),
]
PLATFORM_RULES = ("LL201", "LL202", "LL203", "LL204", "LL205", "LL206")


@pytest.mark.parametrize(("requirement", "python", "platform", "runtime", "arch", "expected"),
                         CASES, ids=[f"{c[0].split('==')[0]}-cp{c[1]}-{c[2]}-on-{c[3]}-{c[4]}"
                                     for c in CASES])
def test_real_wheel_on_lambda_target(requirement: str, python: str, platform: str,
                                     runtime: str, arch: str, expected: str | None,
                                     tmp_path: Path) -> None:
    installed = pip_target([requirement], python=python, platform=platform, deps=False)
    zip_folder(installed, tmp_path / "deps-layer.zip", prefix="python/")
    run = run_cli(["check", "deps-layer.zip", "--runtime", runtime, "--architecture", arch,
                   "--format", "json"], tmp_path)
    assert "Traceback" not in run.stderr
    found = [f for f in run.json["findings"] if f["rule"] in PLATFORM_RULES]
    if expected is None:
        assert found == []
        return
    # one finding per distribution, not per file
    (finding,) = found
    assert finding["rule"] == expected
    name = requirement.split("==")[0]
    assert finding["message"].lower().startswith(name)
    assert "wheel tags:" in finding["message"]
    fix = finding["fix"]
    wanted_cpu = "aarch64" if arch == "arm64" else "x86_64"
    assert f"--platform manylinux2014_{wanted_cpu}" in fix
    assert f"--python-version {runtime[len('python'):]}" in fix
    assert "--only-binary=:all:" in fix and "--target python" in fix
    assert run.exit_code == 1


def test_message_names_glibc_of_the_runtime(tmp_path: Path) -> None:
    installed = pip_target([CRYPTOGRAPHY], python="3.11", platform="manylinux_2_28_x86_64",
                           deps=False)
    zip_folder(installed, tmp_path / "deps-layer.zip", prefix="python/")
    run = run_cli(["check", "deps-layer.zip", "--runtime", "python3.11", "--architecture",
                   "x86_64", "--format", "json"], tmp_path)
    (finding,) = [f for f in run.json["findings"] if f["rule"] == "LL204"]
    assert "glibc 2.28" in finding["message"]
    assert "Amazon Linux 2 with glibc 2.26" in finding["message"]
    assert "cp39-abi3-manylinux_2_28_x86_64" in finding["message"]


def test_mixed_targets_without_a_given_runtime(tmp_path: Path) -> None:
    write_zip(tmp_path / "a-layer.zip",
              [Entry("python/x/_x.cpython-311-x86_64-linux-gnu.so")])
    write_zip(tmp_path / "b-layer.zip",
              [Entry("python/y/_y.cpython-312-aarch64-linux-gnu.so")])
    run = run_cli(["check", "a-layer.zip", "b-layer.zip", "--format", "json"], tmp_path)
    mixed = [f for f in run.json["findings"] if f["rule"] == "LL206"]
    assert [f["message"].split(":")[0] for f in mixed] == ["mixed targets"] * 2
    assert {"python3.11, python3.12", "arm64, x86_64"} <= {
        f["message"].split("(")[1].split(")")[0] for f in mixed}
    target = run.json["targets"][0]
    assert target["runtime"] is None and target["architecture"] is None
    # with the target given, nothing is guessed and the mixed-target finding goes away
    run = run_cli(["check", "a-layer.zip", "b-layer.zip", "--runtime", "python3.12",
                   "--architecture", "arm64", "--format", "json"], tmp_path)
    assert not [f for f in run.json["findings"] if "mixed targets" in f["message"]]


def test_target_inferred_from_real_wheel_tags_and_elf(tmp_path: Path) -> None:
    installed = pip_target([MARKUPSAFE], python="3.12", platform="manylinux2014_aarch64",
                           deps=False)
    zip_folder(installed, tmp_path / "deps-layer.zip", prefix="python/")
    run = run_cli(["check", "deps-layer.zip", "--format", "json"], tmp_path)
    target = run.json["targets"][0]
    assert (target["runtime"], target["architecture"]) == ("python3.12", "arm64")
    assert sorted(target["inferred"]) == ["architecture", "runtime"]
    text = run_cli(["check", "deps-layer.zip"], tmp_path).stdout
    assert "runtime python3.12 (inferred from the artifacts)" in text
    assert "architecture arm64 (inferred from the artifacts)" in text


def test_abi3_build_says_nothing_about_the_python_version(tmp_path: Path) -> None:
    installed = pip_target([CRYPTOGRAPHY], python="3.12", platform="manylinux_2_28_aarch64",
                           deps=False)
    zip_folder(installed, tmp_path / "deps-layer.zip", prefix="python/")
    target = run_cli(["check", "deps-layer.zip", "--format", "json"], tmp_path).json[
        "targets"][0]
    assert target["runtime"] is None and target["architecture"] == "arm64"
    assert "LL204" in target["skipped"]  # needs a runtime, which was not guessed


def test_real_layers_built_for_different_targets_are_mixed(tmp_path: Path) -> None:
    for python, platform, name in (("3.11", "manylinux2014_x86_64", "a-layer.zip"),
                                   ("3.12", "manylinux2014_aarch64", "b-layer.zip")):
        installed = pip_target([MARKUPSAFE], python=python, platform=platform, deps=False)
        zip_folder(installed, tmp_path / name, prefix="python/")
    run = run_cli(["check", "a-layer.zip", "b-layer.zip", "--format", "json"], tmp_path)
    mixed = sorted(f["message"] for f in run.json["findings"] if f["rule"] == "LL206")
    assert len(mixed) == 2
    assert "(arm64, x86_64)" in mixed[0] and "(python3.11, python3.12)" in mixed[1]
