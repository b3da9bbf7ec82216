"""Which requirements apply on the target: markers evaluated for Lambda, extras on request."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdalint.data import architectures
from lambdalint.model.distributions import normalize
from lambdalint.model.pep508 import Requirement, UndefinedMarker
from lambdalint.model.pep508 import parse as parse_requirement
from lambdalint.records import record

if TYPE_CHECKING:
    from lambdalint.model.deployment import Artifact, Deployment
    from lambdalint.model.importview import ImportView, InstalledDistribution


@record(frozen=True)
class Needed:
    requirement: Requirement
    required_by: InstalledDistribution

    @property
    def key(self) -> str:
        return normalize(self.requirement.name)

    @property
    def place(self) -> tuple[Artifact, str, str]:
        """Where a finding about this requirement points: the requiring distribution's
        METADATA, and a fingerprint key that survives version changes."""
        owner = self.required_by
        assert owner.artifact is not None  # only installed distributions require anything
        return owner.artifact, owner.dist.dist_info + "METADATA", f"{owner.dist.key}>{self.key}"

    def describe(self) -> str:
        return f"{self.required_by.dist.name} {self.required_by.dist.version} requires " \
               f"{self.requirement}"


def environments(deployment: Deployment) -> list[dict[str, str]]:
    """Marker environments of the target; one per CPU when the architecture is unknown."""
    runtime = deployment.target_runtime
    assert runtime is not None
    cpus = ([architectures()[deployment.architecture.value].cpu] if deployment.architecture
            else [arch.cpu for arch in architectures().values()])
    version = runtime.python_version
    return [{"python_version": version, "python_full_version": f"{version}.0",
             "implementation_version": f"{version}.0", "platform_machine": cpu,
             "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
             "implementation_name": "cpython", "platform_python_implementation": "CPython",
             "platform_release": "", "platform_version": "", "extra": ""}
            for cpu in cpus]


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Requirement | None:
    """(Cached: every function of a template reads the same layers' requirements.)"""
    return parse_requirement(text)


def applies(requirement: Requirement, envs: list[dict[str, str]], extras: set[str]) -> bool:
    """True when the requirement applies on every candidate environment (else: unsure)."""
    if requirement.marker is None:
        return True
    try:
        return all(any(requirement.marker.evaluate({**env, "extra": extra})
                       for extra in ("", *sorted(extras)))
                   for env in envs)
    except UndefinedMarker:
        return False  # a marker that cannot be evaluated: unsure, so not required


def needed(view: ImportView, deployment: Deployment) -> list[Needed]:
    """Every requirement of every winning installed distribution that applies on the target
    (computed once per view: LL302 and LL303 both ask)."""
    if view.needed is None:
        view.needed = list(_needed(view, deployment))
    return view.needed


def _needed(view: ImportView, deployment: Deployment) -> Iterator[Needed]:
    envs = environments(deployment)
    winners = [copies[0] for copies in view.installed.values() if copies[0].artifact]
    parsed = {id(w): [r for r in map(parse, w.dist.requires) if r is not None] for w in winners}
    # Extras requested by someone (requests[socks]) switch on the extra's requirements.
    extras: dict[str, set[str]] = {}
    for winner in winners:
        for requirement in parsed[id(winner)]:
            if requirement.extras and applies(requirement, envs, extras.get(winner.dist.key,
                                                                             set())):
                extras.setdefault(normalize(requirement.name), set()).update(requirement.extras)
    for winner in winners:
        own_extras = extras.get(winner.dist.key, set())
        for requirement in parsed[id(winner)]:
            if applies(requirement, envs, own_extras):
                yield Needed(requirement, winner)
