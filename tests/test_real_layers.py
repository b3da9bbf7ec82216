"""Layout and limit rules on layers built from real wheels, the way users build them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from wheels import pip_target, zip_folder
from zipspec import run_cli

REQUIREMENTS = ["requests==2.32.3", "markupsafe==3.0.2"]


@pytest.fixture(scope="module")
def site_packages() -> Path:
    return pip_target(REQUIREMENTS, python="3.12", platform="manylinux2014_x86_64")


def check(folder: Path, *argv: str) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    run = run_cli(["check", *argv, "--format", "json", "--today", "2026-11-21"], folder)
    assert "Traceback" not in run.stderr
    return run.exit_code, run.json["findings"]


def test_layer_built_the_documented_way_stays_clean(site_packages: Path,
                                                    tmp_path: Path) -> None:
    zip_folder(site_packages, tmp_path / "deps.zip", prefix="python/")
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text("import requests\n\ndef handler(e, c):\n"
                                            "    return {}\n")
    zip_folder(tmp_path / "fn", tmp_path / "function.zip")
    code, findings = check(tmp_path, "function.zip", "deps.zip", "--runtime", "python3.12",
                           "--architecture", "x86_64", "--handler", "app.handler")
    assert [f for f in findings if f["severity"] != "info"] == []
    assert code == 0


def test_versioned_site_packages_for_another_python(site_packages: Path,
                                                    tmp_path: Path) -> None:
    zip_folder(site_packages, tmp_path / "deps.zip",
               prefix="python/lib/python3.12/site-packages/")
    code, findings = check(tmp_path, "deps.zip", "--runtime", "python3.13")
    (finding,) = [f for f in findings if f["rule"] == "LL102"]
    assert finding["member"] == "python/lib/python3.12/site-packages/"
    assert "requests" in finding["message"] and "python3.13" in finding["message"]
    assert "--python-version 3.13" in finding["fix"]
    assert "--platform manylinux2014_x86_64" in finding["fix"]
    assert code == 1
    # the same layer on its own runtime is fine
    code, findings = check(tmp_path, "deps.zip", "--runtime", "python3.12")
    assert not [f for f in findings if f["rule"] == "LL102"]


def test_layer_zipped_without_python_folder(site_packages: Path, tmp_path: Path) -> None:
    zip_folder(site_packages, tmp_path / "deps-layer.zip")
    code, findings = check(tmp_path, "deps-layer.zip", "--runtime", "python3.12")
    (finding,) = [f for f in findings if f["rule"] == "LL101"]
    assert "at the zip root" in finding["message"]
    for name in ("requests", "urllib3", "markupsafe"):
        assert name in finding["message"] or "more" in finding["message"]
    assert code == 1


def test_size_limit_names_the_largest_distributions(site_packages: Path,
                                                    tmp_path: Path) -> None:
    layer = zip_folder(site_packages, tmp_path / "deps.zip", prefix="python/")
    # A file pip did not install (no RECORD lists it), big enough to cross the quota: it is
    # counted for the distribution that owns its folder.
    with zipfile.ZipFile(layer, "a", zipfile.ZIP_DEFLATED) as out, \
            out.open("python/markupsafe/model.bin", "w") as stream:
        block = bytes(1024 * 1024)
        for _ in range(251):
            stream.write(block)
    code, findings = check(tmp_path, "deps.zip")
    (limit,) = [f for f in findings if f["rule"] == "LL601"]
    assert "over Lambda's limit of 262,144,000 bytes" in limit["message"]
    assert limit["message"].split("largest: ")[1].startswith("MarkupSafe 3.0.2 251.")
    assert "requests 2.32.3" in limit["message"]
    (orphans,) = [f for f in findings if f["rule"] == "LL605"
                  and "RECORD" in f["message"]]
    assert orphans["member"] == "python/markupsafe/model.bin"
    assert code == 1
