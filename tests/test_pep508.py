"""lambdalint reads dependency specifiers itself (packaging.requirements costs ~30 ms of
start-up); it must read them as packaging does: the same requirement, the same text, and the
same verdict of every marker on every Lambda target."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement

from lambdalint.model.pep508 import UndefinedMarker, parse

from probes import imported_by
from wheels import pip_target, zip_folder

PY312 = {"python": "3.12", "platform": "manylinux2014_x86_64"}
# Every extra any of these distributions declares is tried too.
ENVIRONMENTS = [
    {"python_version": f"3.{minor}", "python_full_version": f"3.{minor}.0",
     "implementation_version": f"3.{minor}.0", "platform_machine": cpu,
     "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
     "implementation_name": "cpython", "platform_python_implementation": "CPython",
     "platform_release": "", "platform_version": ""}
    for minor in (8, 9, 10, 11, 12, 13, 14) for cpu in ("x86_64", "aarch64")]
EDGE_CASES = [
    "requests", "requests>=2.0", "requests (>=2.0, <3)", "requests[socks]>=2.0",
    "requests[ socks , security ]", "requests[]", "Requests_Toolbelt.x>=1.0",
    "pkg==1.0.*", "pkg~=1.4.2", "pkg===weird", "pkg!=1.5,>=1.0", "pkg >= 1.0 , < 2",
    'pkg; python_version < "3.8"', "pkg; python_version<'3.8'",
    'pkg; python_version >= "3.8" and python_version < "3.13"',
    'pkg; (python_version < "3.9" or python_version >= "3.12") and sys_platform == "linux"',
    'pkg; platform_machine == "x86_64" or platform_machine == "aarch64" and extra == "x"',
    'pkg; extra == "Socks_Proxy"', 'pkg; "linux" in sys_platform',
    'pkg; sys_platform not in "win32 cygwin"', 'pkg; os.name == "posix"',
    'pkg; platform.python_implementation == "CPython"',
    'pkg; python_implementation != "PyPy"', 'pkg; "3.9" <= python_version',
    'pkg; python_full_version >= "3.12.1"', 'pkg; implementation_name == "cpython"',
    'pkg; platform_release >= "5"', 'pkg; platform_system >= "Linux"',
    'pkg; ((python_version >= "3.10"))', 'pkg; (python_version >= "3.10")',
    'pkg; python_version == "3.12.*"', 'pkg; python_version ~= "3.1"',
    'pkg; extra >= "a"', 'pkg; "a" == "a"', 'pkg; extras == "a"',
    "pkg @ https://example.com/pkg-1.0.tar.gz",
    'pkg @ https://example.com/pkg.whl ; python_version >= "3.8"',
    'pkg; python_version >= "3.8" \\', "pkg; python_version", "pkg; (", "pkg;",
    "pkg >=", "pkg 1.0", "pkg[a,]", "pkg[a b]", "-pkg", "", "pkg; python_version >= 3.8",
    'pkg; python_version >= "3.8" and', 'pkg; python_version >= "3.8" xor x == "y"',
    "pkg==1.0+local", "pkg<=2.0.0.dev1", 'pkg; python_version == "3.12" or',
]


def _requirements_of_real_layers() -> list[str]:
    lines: list[str] = []
    for requirements in (["requests[socks]==2.32.3"], ["pydantic==2.9.2"],
                         ["boto3==1.35.60"]):
        folder = pip_target(requirements, **PY312)
        for metadata in sorted(folder.glob("*.dist-info/METADATA")):
            text = metadata.read_text("utf-8", "replace")
            lines += [line[len("Requires-Dist:"):].strip() for line in text.splitlines()
                      if line.startswith("Requires-Dist:")]
    return lines


def _verdicts(evaluate, extras: list[str]) -> list[object]:  # type: ignore[no-untyped-def]
    found: list[object] = []
    for env in ENVIRONMENTS:
        for extra in ["", *extras]:
            try:
                found.append(evaluate({**env, "extra": extra}))
            except (UndefinedMarker, UndefinedComparison, UndefinedEnvironmentName):
                found.append("undefined")
    return found


def _same_reading(text: str, extras: list[str]) -> None:
    try:
        expected: PackagingRequirement | None = PackagingRequirement(text)
    except InvalidRequirement:
        expected = None
    found = parse(text)
    if expected is None:
        assert found is None, text
        return
    assert found is not None, text
    assert (found.name, set(found.extras), str(found.specifier), str(found)) == \
        (expected.name, set(expected.extras), str(expected.specifier), str(expected)), text
    assert (found.marker is None) == (expected.marker is None), text
    if found.marker is not None and expected.marker is not None:
        assert str(found.marker) == str(expected.marker), text
        assert _verdicts(found.marker.evaluate, extras) == \
            _verdicts(expected.marker.evaluate, extras), text


def test_every_requirement_of_real_layers_reads_as_packaging_reads_it() -> None:
    lines = _requirements_of_real_layers()
    assert len(lines) > 20 and any(";" in line for line in lines)
    extras = ["socks", "security", "crt", "email", "timezone", "use-chardet-on-py3"]
    for line in lines:
        _same_reading(line, extras)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_as_packaging_reads_them(text: str) -> None:
    _same_reading(text, ["x", "socks-proxy", "a"])


def test_the_check_of_a_layer_with_requirements_does_not_import_packaging_markers(
        tmp_path: Path) -> None:
    zip_folder(pip_target(["requests==2.32.3"], **PY312), tmp_path / "http-layer.zip",
               prefix="python/")
    code, _, modules = imported_by(["check", "--format", "json", "--runtime", "python3.12",
                                    "--architecture", "x86_64", "http-layer.zip"], tmp_path)
    assert code in (0, 1)
    assert "packaging.markers" not in modules and "packaging.requirements" not in modules
    assert "packaging.specifiers" in modules  # the requirements were read
