"""Installed distributions of an artifact, read from ``*.dist-info`` (never imported).

Built once per artifact and shared by every rule (and every deployment using the artifact).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lambdalint.model.layout import site_root

if TYPE_CHECKING:
    from lambdalint.model.deployment import Artifact
    from lambdalint.rules import Context

_DIST_INFO = re.compile(r"^(?P<root>.*?)(?P<dir>(?P<name>[^/]+?)-(?P<version>[^/-]+)\.dist-info)/"
                        r"RECORD$")
# RECORD files list every installed file; a few hundred KB for the largest (botocore).
RECORD_LIMIT = 4 * 1024 * 1024


@dataclass
class Distribution:
    name: str
    version: str
    dist_info: str  # the *.dist-info/ folder, as a member prefix
    root: str  # the site folder it is installed in, as a member prefix
    files: set[str] = field(default_factory=set)  # member names listed in RECORD
    top_levels: set[str] = field(default_factory=set)

    @property
    def size_key(self) -> str:
        return f"{self.name} {self.version}"


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
