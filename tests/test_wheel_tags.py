"""lambdalint computes the tags a Lambda target accepts itself (packaging.tags costs start-up);
they must be the set pip's own library gives, for every runtime and architecture."""

from __future__ import annotations

import pytest
from packaging.tags import compatible_tags, cpython_tags
from packaging.tags import parse_tag as packaging_parse_tag

from lambdalint.data import architectures, runtimes
from lambdalint.model.platform import manylinux_platforms, parse_tag, supported_tags


@pytest.mark.parametrize("runtime", list(runtimes().values()), ids=lambda r: r.id)
@pytest.mark.parametrize("arch", list(architectures().values()), ids=lambda a: a.id)
def test_supported_tags_are_packagings(runtime, arch) -> None:  # type: ignore[no-untyped-def]
    platforms = [*manylinux_platforms(runtime.glibc, arch.cpu), f"linux_{arch.cpu}"]
    abi = f"cp{runtime.python[0]}{runtime.python[1]}"
    expected = {(t.interpreter, t.abi, t.platform) for t in [
        *cpython_tags(runtime.python, abis=[abi], platforms=platforms),
        *compatible_tags(runtime.python, interpreter=abi, platforms=platforms)]}
    assert set(supported_tags(runtime, arch)) == expected


@pytest.mark.parametrize("text", [
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "py2.py3-none-any", "CP38-ABI3-MacOSX_10_9_x86_64", "cp39.cp310-abi3.none-win_amd64",
    "pp310-pypy310_pp73-manylinux_2_17_aarch64",
])
def test_parse_tag_is_packagings(text: str) -> None:
    assert {tuple(t) for t in parse_tag(text)} == \
        {(t.interpreter, t.abi, t.platform) for t in packaging_parse_tag(text)}


@pytest.mark.parametrize("text", ["py3-none", "a-b-c-d", ""])
def test_a_malformed_tag_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_tag(text)
