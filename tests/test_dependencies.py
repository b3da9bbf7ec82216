"""Dependency rules on the import view Lambda really builds, with real wheels installed by pip."""

from __future__ import annotations

import zipfile
from pathlib import Path

from wheels import pip_target, zip_folder
from zipspec import run_cli

PY312 = {"python": "3.12", "platform": "manylinux2014_x86_64"}
APP = "import requests\n\n\ndef handler(event, context):\n    return {}\n"


def source_entry(name: str) -> zipfile.ZipInfo:
    """An entry as `zip -r` writes it (mode 0644): zipfile.writestr(name, …) alone records
    0600, which LL104 rightly reports."""
    info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
    info.external_attr = 0o100644 << 16
    return info


def function_zip(folder: Path, source: str = APP, name: str = "function.zip") -> Path:
    with zipfile.ZipFile(folder / name, "w") as archive:
        archive.writestr(source_entry("app.py"), source)
    return folder / name


def check(folder: Path, *argv: str) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    run = run_cli(["check", "--runtime", "python3.12", "--architecture", "x86_64",
                   "--handler", "app.handler", "--format", "json", *argv], folder)
    assert "Traceback" not in run.stderr
    return run.exit_code, run.json["findings"]


def rules(findings: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return sorted(f["rule"] for f in findings if f["severity"] != "info")


def test_correct_multi_layer_deployment_stays_clean(tmp_path: Path) -> None:
    zip_folder(pip_target(["requests==2.32.3"], **PY312), tmp_path / "http-layer.zip",
               prefix="python/")
    zip_folder(pip_target(["pydantic==2.9.2"], **PY312), tmp_path / "model-layer.zip",
               prefix="python/")
    function_zip(tmp_path, APP + "import pydantic\nimport boto3\n")
    code, findings = check(tmp_path, "function.zip", "http-layer.zip", "model-layer.zip")
    assert rules(findings) == []
    assert code == 0


def test_requests_without_idna_but_urllib3_comes_with_the_runtime(tmp_path: Path) -> None:
    # --no-deps, then only some of its dependencies: idna and urllib3 are left out
    folder = pip_target(["requests==2.32.3", "certifi", "charset-normalizer"], **PY312,
                        deps=False)
    zip_folder(folder, tmp_path / "http-layer.zip", prefix="python/")
    function_zip(tmp_path)
    _, findings = check(tmp_path, "function.zip", "http-layer.zip")
    (missing,) = [f for f in findings if f["rule"] == "LL302"]
    assert missing["message"].startswith("requests 2.32.3 requires idna")
    assert "http-layer.zip" in missing["message"] and "python3.12" in missing["message"]
    assert missing["member"] == "python/requests-2.32.3.dist-info/METADATA"
    # urllib3 is missing from the layer too, but the runtime bundles it with boto3
    assert not [f for f in findings if "urllib3" in f["message"]]


def test_two_urllib3_versions_across_layers(tmp_path: Path) -> None:
    zip_folder(pip_target(["urllib3==1.26.20"], **PY312), tmp_path / "a-layer.zip",
               prefix="python/")
    zip_folder(pip_target(["urllib3==2.2.3"], **PY312), tmp_path / "b-layer.zip",
               prefix="python/")
    function_zip(tmp_path, "import urllib3\n\ndef handler(e, c):\n    return {}\n")
    code, findings = check(tmp_path, "function.zip", "a-layer.zip", "b-layer.zip")
    (mixed,) = [f for f in findings if f["rule"] == "LL304"]
    assert mixed["severity"] == "error" and mixed["path"] == "b-layer.zip"
    assert "1.26.20 (a-layer.zip) and 2.2.3 (b-layer.zip)" in mixed["message"]
    assert code == 1


def test_boto3_with_a_botocore_outside_its_pin(tmp_path: Path) -> None:
    zip_folder(pip_target(["boto3==1.35.60"], **PY312), tmp_path / "aws-layer.zip",
               prefix="python/")
    # the function pins an older botocore: its copy wins over the layer's (/var/task first)
    old = pip_target(["botocore==1.34.162"], **PY312, deps=False)
    zip_folder(old, tmp_path / "function.zip")
    with zipfile.ZipFile(tmp_path / "function.zip", "a") as archive:
        archive.writestr(source_entry("app.py"),
                         "import boto3\n\ndef handler(e, c):\n    return {}\n")
    _, findings = check(tmp_path, "function.zip", "aws-layer.zip")
    conflicts = [f for f in findings if f["rule"] == "LL303"]
    boto3 = [f for f in conflicts if f["message"].startswith("boto3 1.35.60 requires botocore")]
    assert len(boto3) == 1
    assert "botocore 1.34.162 from function.zip (/var/task)" in boto3[0]["message"]
    assert any(f["rule"] == "LL304" and "botocore" in f["message"] for f in findings)


def test_enum34_in_a_layer_shadows_the_stdlib(tmp_path: Path) -> None:
    folder = pip_target(["enum34==1.1.10"], python="3.12", platform="any", deps=False)
    zip_folder(folder, tmp_path / "legacy-layer.zip", prefix="python/")
    function_zip(tmp_path, "import enum\n\ndef handler(e, c):\n    return {}\n")
    _, findings = check(tmp_path, "function.zip", "legacy-layer.zip")
    (shadow,) = [f for f in findings if f["rule"] == "LL108"]
    assert shadow["member"] == "python/enum/"
    assert "installed by enum34 1.1.10" in shadow["message"]


def test_layer_built_for_another_python_leaves_imports_unresolved(tmp_path: Path) -> None:
    folder = pip_target(["requests==2.32.3"], python="3.11", platform="manylinux2014_x86_64")
    zip_folder(folder, tmp_path / "http-layer.zip",
               prefix="python/lib/python3.11/site-packages/")
    function_zip(tmp_path)
    code, findings = check(tmp_path, "function.zip", "http-layer.zip")
    assert "LL102" in rules(findings)
    (unresolved,) = [f for f in findings if f["rule"] == "LL301"]
    assert unresolved["message"].startswith("No module named 'requests'")
    assert (unresolved["member"], unresolved["line"]) == ("app.py", 1)
    assert code == 1


def test_distutils_on_python312_and_guarded_imports(tmp_path: Path) -> None:
    function_zip(tmp_path, "import distutils.util\n"
                           "try:\n    import ujson as json\nexcept ImportError:\n"
                           "    import json\n"
                           "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    import mypy_boto3_s3\n\n"
                           "def handler(e, c):\n    import yaml\n    return {}\n\n"
                           "def helper():\n    import never_called\n")
    _, findings = check(tmp_path, "function.zip")
    unresolved = {f["message"].split("'")[1]: f for f in findings if f["rule"] == "LL301"}
    assert set(unresolved) == {"distutils", "yaml"}
    assert "removed in 3.12" in unresolved["distutils"]["message"]
    assert "pip install PyYAML" in unresolved["yaml"]["fix"]
    # the same function on python3.11 still has distutils
    run = run_cli(["check", "--runtime", "python3.11", "--handler", "app.handler", "--format",
                   "json", "function.zip"], tmp_path)
    assert {f["message"].split("'")[1] for f in run.json["findings"]
            if f["rule"] == "LL301"} == {"yaml"}


def test_unbuilt_source_folder_counts_declared_requirements(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("import yaml\nimport requests\n\ndef handler(e, c):\n"
                                "    return {}\n")
    (src / "requirements.txt").write_text("PyYAML==6.0.2\n")
    run = run_cli(["check", "src", "--runtime", "python3.12", "--handler", "app.handler",
                   "--format", "json"], tmp_path)
    assert [f["message"].split("'")[1] for f in run.json["findings"]
            if f["rule"] == "LL301"] == ["requests"]


def test_container_image_function_has_no_layers(tmp_path: Path) -> None:
    (tmp_path / "task").mkdir()
    (tmp_path / "task" / "app.py").write_text(APP)
    zip_folder(pip_target(["requests==2.32.3"], **PY312), tmp_path / "http-layer.zip",
               prefix="python/")
    (tmp_path / "lambdalint.toml").write_text(
        'runtime = "python3.12"\n[[function]]\ncode = "task"\nhandler = "app.handler"\n'
        'package-type = "image"\n')
    run = run_cli(["check", "--format", "json"], tmp_path)
    (unresolved,) = [f for f in run.json["findings"] if f["rule"] == "LL301"]
    assert "no layers (container image)" in unresolved["message"]
    (tmp_path / "lambdalint.toml").write_text(
        'runtime = "python3.12"\n[[function]]\ncode = "task"\nhandler = "app.handler"\n'
        'package-type = "image"\nlayers = ["http-layer.zip"]\n')
    run = run_cli(["check", "--format", "json"], tmp_path)
    assert [f["message"].split(":")[0] for f in run.json["findings"]
            if f["rule"] == "LL003"] == ["function[1].layers"]
    assert run.exit_code == 2


def test_source_folder_requirements_are_read_as_pip_reads_them(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("import yaml\nimport requests\n\ndef handler(e, c):\n"
                                "    return {}\n")
    (src / "base.txt").write_text("PyYAML==6.0.2\n")
    (src / "requirements.txt").write_text("-r base.txt\n--index-url https://pypi.org/simple\n"
                                          "requests>=2 ; python_version > '3.8'\n")
    run = run_cli(["check", "src", "--runtime", "python3.12", "--handler", "app.handler",
                   "--format", "json"], tmp_path)
    assert [f for f in run.json["findings"] if f["rule"] == "LL301"] == []


def test_what_the_runtime_itself_provides(tmp_path: Path) -> None:
    # pip is importable on every Python runtime; the durable execution SDK on 3.13 and
    # later (lambda-platform §5), so neither is a missing module there.
    source = ("import pip\nimport aws_durable_execution_sdk_python\n\n"
              "def handler(event, context):\n    return {}\n")
    function_zip(tmp_path, source)
    _, on_313 = check(tmp_path, "--runtime", "python3.13", "--handler", "app.handler",
                      "function.zip")
    _, on_312 = check(tmp_path, "--runtime", "python3.12", "--handler", "app.handler",
                      "function.zip")

    assert rules(on_313) == []
    assert [(f["rule"], f["line"]) for f in on_312] == [("LL301", 2)]
