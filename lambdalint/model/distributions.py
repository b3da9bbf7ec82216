"""Installed distributions of an artifact, read from ``*.dist-info`` (never imported).

Built once per artifact and shared by every rule (and every deployment using the artifact).
"""

from __future__ import annotations

import csv
import os
import re
from typing import TYPE_CHECKING

from lambdalint.model.layout import site_root
from lambdalint.records import field, record

if TYPE_CHECKING:
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact

_DIST_INFO = re.compile(r"^(?P<root>.*?)(?P<dir>(?P<name>[^/]+?)-(?P<version>[^/-]+)\.dist-info)/"
                        r"RECORD$")
_EGG_INFO = re.compile(r"^(?P<root>.*?)(?P<dir>(?P<name>[^/]+?)-(?P<version>[^/-]+?)"
                       r"(?:-py\d+\.\d+)?\.egg-info)/PKG-INFO$")
# RECORD files list every installed file; a few hundred KB for the largest (botocore).
RECORD_LIMIT = 4 * 1024 * 1024
METADATA_LIMIT = 1024 * 1024


@record
class Distribution:
    name: str
    version: str
    dist_info: str  # the *.dist-info/ (or *.egg-info/) folder, as a member prefix
    root: str  # the site folder it is installed in, as a member prefix
    files: set[str] = field(default_factory=set)  # member names listed in RECORD
    top_levels: set[str] = field(default_factory=set)
    requires: list[str] = field(default_factory=list)  # Requires-Dist, as written
    metadata_read: bool = False
    wheel_tags: tuple[str, ...] | None = None  # read from WHEEL once (model.platform)

    @property
    def size_key(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def key(self) -> str:
        """The normalized name (PEP 503): how requirements refer to it."""
        return normalize(self.name)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions(artifact: Artifact, ctx: Context) -> list[Distribution]:
    cached = artifact.cache.get("distributions")
    if isinstance(cached, list):
        return cached
    found: list[Distribution] = []
    if artifact.tree is not None:
        for member in artifact.tree.files():
            if not member.name.endswith(".dist-info/RECORD"):
                continue  # the cheap test first: the pattern below is for the few that pass
            match = _DIST_INFO.match(member.name)
            if not match or site_root(artifact, member.name) != match.group("root"):
                continue
            dist = Distribution(name=match.group("name"), version=match.group("version"),
                                dist_info=match.group("root") + match.group("dir") + "/",
                                root=match.group("root"))
            data = ctx.read(artifact, member, RECORD_LIMIT)
            if data is not None:
                _read_record(dist, data)
            found.append(dist)
        found.extend(_egg_infos(artifact, ctx))
    artifact.cache["distributions"] = found
    return found


def _read_record(dist: Distribution, data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    for line in text.splitlines():
        # RECORD is CSV, but only paths with a comma or quote are quoted: parse just those.
        path = next(csv.reader([line]), [""])[0] if '"' in line else line.rsplit(",", 2)[0]
        if not path:
            continue
        path = path.replace("\\", "/")
        if path.startswith(("/", "../")) or "/../" in path:
            continue  # scripts installed outside the site folder (../../bin/x)
        dist.files.add(dist.root + path)
        head = path.split("/", 1)[0]
        if not head.endswith((".dist-info", ".data")):
            dist.top_levels.add(head[:-3] if head.endswith(".py") else head)


def _egg_infos(artifact: Artifact, ctx: Context) -> list[Distribution]:
    """setuptools' older format: PKG-INFO, requires.txt, top_level.txt, installed-files.txt."""
    assert artifact.tree is not None
    found = []
    for member in artifact.tree.files():
        if not member.name.endswith(".egg-info/PKG-INFO"):
            continue
        match = _EGG_INFO.match(member.name)
        if not match or site_root(artifact, member.name) != match.group("root"):
            continue
        folder = match.group("root") + match.group("dir") + "/"
        dist = Distribution(name=match.group("name"), version=match.group("version"),
                            dist_info=folder, root=match.group("root"))
        top = _member_text(artifact, folder + "top_level.txt", ctx)
        dist.top_levels.update(line.strip() for line in top.splitlines() if line.strip())
        for line in _member_text(artifact, folder + "installed-files.txt", ctx).splitlines():
            path = os.path.normpath(folder + "../" + line.strip()).replace(os.sep, "/")
            if line.strip() and not path.startswith(".."):
                dist.files.add(path)
        dist.requires = _requires_txt(_member_text(artifact, folder + "requires.txt", ctx))
        dist.metadata_read = True
        found.append(dist)
    return found


def _requires_txt(text: str) -> list[str]:
    """requires.txt sections ([extra], [:marker], [extra:marker]) as Requires-Dist strings."""
    requires: list[str] = []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = [f'extra == "{extra}"'] if extra else []
        conditions += [f"({marker})"] if marker else []
        requires.append(line + (f"; {' and '.join(conditions)}" if conditions else ""))
    return requires


def _member_text(artifact: Artifact, name: str, ctx: Context) -> str:
    assert artifact.tree is not None
    member = artifact.tree.by_name.get(name)
    data = ctx.read(artifact, member, METADATA_LIMIT) if member is not None else None
    return data.decode("utf-8", "replace") if data else ""


def read_metadata(artifact: Artifact, dist: Distribution, ctx: Context) -> Distribution:
    """Fill Requires-Dist (and the display name) from METADATA, once per distribution."""
    if dist.metadata_read:
        return dist
    dist.metadata_read = True
    text = _member_text(artifact, dist.dist_info + "METADATA", ctx)
    for line in text.splitlines():
        if not line.strip():
            break  # headers end at the first blank line; the description follows
        key, _, value = line.partition(":")
        if key.lower() == "requires-dist" and value.strip():
            dist.requires.append(value.strip())
        elif key.lower() == "name" and value.strip():
            dist.name = value.strip()
    top = _member_text(artifact, dist.dist_info + "top_level.txt", ctx)
    dist.top_levels.update(line.strip() for line in top.splitlines() if line.strip())
    return dist


def owner_of(artifact: Artifact, ctx: Context) -> dict[str, Distribution]:
    """Top-level folder or module (with its root prefix) → the distribution that installed it."""
    cached = artifact.cache.get("owners")
    if isinstance(cached, dict):
        return cached
    owners: dict[str, Distribution] = {}
    for dist in distributions(artifact, ctx):
        for top in dist.top_levels:
            owners[dist.root + top] = dist
        owners[dist.dist_info.rstrip("/")] = dist
    artifact.cache["owners"] = owners
    return owners
