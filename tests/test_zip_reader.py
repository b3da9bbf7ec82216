"""lambdalint reads zips from their central directory itself; it must see what zipfile and
Info-ZIP see in the archives users really build, and read every member's bytes the same."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from lambdalint.model.archive import ArchiveError, MemberError, ZipTree

from hostile.make_corpus import HANDLER, RawEntry, build_zip
from probes import imported_by
from wheels import pip_target, zip_folder
from zipspec import run_cli

# A pure-Python package, one with a C extension (.so), and their dist-info folders.
REQUIREMENTS = ["requests==2.32.3", "markupsafe==3.0.2"]


@pytest.fixture(scope="module")
def site_packages() -> Path:
    return pip_target(REQUIREMENTS, python="3.12", platform="manylinux2014_x86_64")


def _layers(site_packages: Path, folder: Path) -> list[Path]:
    """The layer as Python's zipfile writes it, and as `zip -r` (Info-ZIP) writes it."""
    built = [zip_folder(site_packages, folder / "zipfile-layer.zip", prefix="python/")]
    if shutil.which("zip"):
        staging = folder / "staging"
        shutil.copytree(site_packages, staging / "python")
        (staging / "python" / ".complete").unlink()
        subprocess.run(["zip", "-q", "-r", "-X", str(folder / "infozip-layer.zip"), "python"],
                       cwd=staging, check=True)
        built.append(folder / "infozip-layer.zip")
    return built


def _same_entries(tree: ZipTree, path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [m.name for m in tree.members] == [i.filename for i in infos]
        for member, info in zip(tree.members, infos):
            unix = (info.external_attr >> 16) or None if info.create_system == 3 else None
            assert (member.size, member.compressed_size, member.crc, member.header_offset,
                    member.flags, member.method, member.mode) == \
                (info.file_size, info.compress_size, info.CRC, info.header_offset,
                 info.flag_bits, info.compress_type, unix), member.name
            assert member.is_dir == info.is_dir()
            data = archive.read(info)
            assert tree.read(member, len(data) + 10) == data, member.name
            # Reading from an offset (ELF headers are read this way) gives the same slice.
            if len(data) > 300:
                assert tree.read(member, 100, offset=200) == data[200:300]


def test_real_layers_read_exactly_as_zipfile_reads_them(site_packages: Path,
                                                        tmp_path: Path) -> None:
    layers = _layers(site_packages, tmp_path)
    for path in layers:
        tree = ZipTree(path)
        assert len(tree.members) > 100
        assert any(m.name.endswith(".so") for m in tree.members)
        assert tree.anomalies == []
        _same_entries(tree, path)


def test_a_zip_after_a_self_extractor_stub_is_read_at_its_real_offsets(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLER)
        archive.writestr("util.py", b"VALUE = 1\n" * 100)
    stub = tmp_path / "stub.zip"
    stub.write_bytes(b"#!/bin/sh\nexec unzip \"$0\"\n" + b"\0" * 1000 + inner.read_bytes())
    tree = ZipTree(stub)
    assert [m.name for m in tree.members] == ["app.py", "util.py"]
    assert tree.read(tree.by_name["util.py"], 10_000) == b"VALUE = 1\n" * 100
    _same_entries(tree, stub)


def test_an_archive_comment_does_not_hide_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "commented.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", HANDLER)
        # A comment that itself looks like an end record must not be taken for one.
        archive.comment = b"built by CI " + b"PK\x05\x06" + b"x" * 2000
    tree = ZipTree(path)
    assert [m.name for m in tree.members] == ["app.py"]
    assert tree.read(tree.members[0], 10_000) == HANDLER


def test_a_local_header_naming_another_file_is_a_member_error(tmp_path: Path) -> None:
    data = bytearray(build_zip([RawEntry(b"app.py", HANDLER), RawEntry(b"util.py", b"x = 1\n")]))
    # The first local header's name becomes "evil.py"; the central directory still lists app.py.
    assert data[30:36] == b"app.py"
    data[30:36] = b"evilpy"
    path = tmp_path / "mismatch.zip"
    path.write_bytes(bytes(data))
    tree = ZipTree(path)
    with pytest.raises(MemberError, match="local header names another file"):
        tree.read(tree.by_name["app.py"], 100)
    assert tree.read(tree.by_name["util.py"], 100) == b"x = 1\n"


def test_a_central_directory_too_large_for_the_entry_limit_is_refused_unread(
        tmp_path: Path) -> None:
    # Ten entries whose names average 2,000 bytes: 20 KB of directory for max-entries 10.
    path = tmp_path / "long.zip"
    path.write_bytes(build_zip([RawEntry(b"d%d/" % i + b"x" * 2000, b"") for i in range(10)]))
    with pytest.raises(ArchiveError, match="over the limit for 10 entries"):
        ZipTree(path, max_entries=10)
    assert len(ZipTree(path, max_entries=100).members) == 10


def test_a_zip_only_check_never_imports_zipfile(tmp_path: Path) -> None:
    layer = tmp_path / "layer.zip"
    layer.write_bytes(build_zip([RawEntry(b"requests/__init__.py", b"")]))
    code, _, modules = imported_by(["check", "--format", "json", "layer.zip"], tmp_path,
                                   forget=("zipfile",))
    assert (code, "zipfile" in modules) == (1, False)
    run = run_cli(["check", "--format", "json", "layer.zip"], tmp_path)
    assert [f["rule"] for f in run.json["findings"]] == ["LL101"]
