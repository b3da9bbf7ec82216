"""LL2xx: will the binaries load on the function's runtime, CPU and OS?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from lambdalint.advice import pip_install
from lambdalint.data import architectures
from lambdalint.finding import Finding
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.platform import BinaryVerdict, binary_verdicts, verdicts
from lambdalint.rules import Rule


class WheelVerdictRule(Rule):
    """Reports the wheel-tag verdicts (model.platform) that carry this rule's id."""

    needs: ClassVar[tuple[str, ...]] = ("runtime", "architecture")
    # What the user sees at import time, from the platform reference's table of loader errors.
    symptom: ClassVar[str]

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None and deployment.architecture is not None
        arch = architectures()[deployment.architecture.value]
        for artifact, _ in deployment.zips():
            for verdict in verdicts(artifact, runtime, arch, ctx):
                if verdict.rule != self.id:
                    continue
                dist = verdict.distribution
                yield self.finding(
                    artifact, member=dist.dist_info + "WHEEL", key=dist.name,
                    message=(f"{dist.name} {dist.version} is {verdict.reason}: "
                             f"{self.symptom} (wheel tags: {', '.join(verdict.tags)}; "
                             f"{runtime.id} on {arch.id} needs cp{runtime.python[0]}"
                             f"{runtime.python[1]} or abi3, {arch.manylinux2014} or "
                             f"manylinux_2_x up to glibc {runtime.glibc[0]}.{runtime.glibc[1]})"),
                    fix=pip_install(runtime, arch.id, dist.root.rstrip("/") or ".",
                                    f"{dist.name}=={dist.version}"))
            yield from self._binaries(artifact, binary_verdicts(artifact, runtime, arch, ctx),
                                      runtime.id, arch.id)

    def _binaries(self, artifact: Artifact, found: list[BinaryVerdict], runtime: str,
                  arch: str) -> Iterator[Finding]:
        """One finding per owner (distribution or top-level folder), not per file."""
        by_owner: dict[str, list[BinaryVerdict]] = {}
        for verdict in found:
            if verdict.rule == self.id:
                by_owner.setdefault(verdict.owner, []).append(verdict)
        for owner, group in sorted(by_owner.items()):
            first = group[0]
            more = (f" ({len(group) - 1} more binar{'y' if len(group) == 2 else 'ies'} of "
                    f"{owner} likewise)") if len(group) > 1 else ""
            yield self.finding(
                artifact, member=first.member, key=f"binary:{owner}",
                message=f"{first.member} is {first.reason}: {self.symptom}{more}",
                fix=f"rebuild or reinstall {owner} for {runtime} on {arch} (manylinux2014 "
                    "wheels via pip --platform, or build in the public.ecr.aws/lambda/python "
                    "image)")
