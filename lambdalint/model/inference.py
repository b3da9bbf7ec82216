"""Target values nobody gave, inferred from the artifacts, or left unknown when they disagree.

Evidence, in the order it is cheap to collect: member names (`lib/python3.X/site-packages/`,
`*.cpython-3XY-<cpu>-linux-gnu.so`), then the `cp3XY` and CPU of installed wheels' tags,
then the ELF machine of shared objects. One scan per artifact, shared by every deployment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdalint.data import architecture_for_cpu, architectures, runtime_for_python
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.spec import INFERRED, Origin, Value
from lambdalint.records import record

if TYPE_CHECKING:
    from lambdalint.model.archive import Member
    from lambdalint.model.context import Context

_SITE_PACKAGES = re.compile(r"(?:^|/)lib/python(3)\.(\d+)/site-packages/")
# CPython extension suffix (PEP 3149): name.cpython-312-x86_64-linux-gnu.so
_EXTENSION = re.compile(r"\.cpython-(3)(\d+)-([a-z0-9_]+)-linux-gnu\.so$")
_WHEEL_PLATFORM_CPU = re.compile(r"^(?:many|musl)?linux[_0-9]*_(.+)$")
FIELDS = ("runtime", "architecture")


@record(frozen=True)
class Evidence:
    value: str
    artifact: str
    member: str


# What the console creates and what the runtime's documentation uses when nothing is set.
DEFAULT_HANDLER = "lambda_function.lambda_handler"


def infer(deployment: Deployment, ctx: Context) -> None:
    """Fill runtime/architecture nobody gave, or record the disagreement (LL206); take the
    default handler when none is configured and its module exists."""
    function = deployment.function
    if deployment.handler is None and function is not None and function.tree is not None \
            and "lambda_function.py" in function.tree.by_name:
        deployment.handler = Value(DEFAULT_HANDLER, Origin(INFERRED))
    for field_name in FIELDS:
        if getattr(deployment, field_name) is not None:
            continue
        evidence = [e for a in deployment.artifacts
                    for e in target_evidence(a, ctx)[field_name]]
        values = Counter(e.value for e in evidence)
        if len(values) == 1:
            setattr(deployment, field_name, Value(evidence[0].value, Origin(INFERRED)))
        elif len(values) > 1:
            deployment.conflicts[field_name] = evidence


def target_evidence(artifact: Artifact, ctx: Context) -> dict[str, list[Evidence]]:
    cached = artifact.cache.get("target_evidence")
    if isinstance(cached, dict):
        return cached
    found: dict[str, dict[str, Evidence]] = {name: {} for name in FIELDS}
    for field_name, value, member in _clues(artifact, ctx):
        found[field_name].setdefault(value, Evidence(value, artifact.path, member))
    evidence = {name: list(values.values()) for name, values in found.items()}
    artifact.cache["target_evidence"] = evidence
    return evidence


def _clues(artifact: Artifact, ctx: Context) -> Iterator[tuple[str, str, str]]:
    """(field, value, member) for everything an artifact says about its target."""
    from lambdalint.model.binaries import BINARY_NAME, identify
    from lambdalint.model.distributions import distributions
    from lambdalint.model.platform import wheel_tags

    if artifact.tree is None:
        return
    machines = {a.elf_machine: a.id for a in architectures().values()}
    for member in artifact.tree.files():
        match = _SITE_PACKAGES.search(member.name) or _EXTENSION.search(member.name)
        if match is not None:
            rt = runtime_for_python((int(match.group(1)), int(match.group(2))))
            if rt is not None:
                yield "runtime", rt.id, member.name
            if match.re is _EXTENSION:
                arch = architecture_for_cpu(match.group(3))
                if arch is not None:
                    yield "architecture", arch.id, member.name
        if BINARY_NAME.search(member.name):
            def read(offset: int, size: int, member: Member = member) -> bytes:
                return ctx.read(artifact, member, size, offset) or b""

            binary = identify(read, deep=False)
            if binary is not None and binary.machine in machines and binary.bits == 64:
                yield "architecture", machines[binary.machine], member.name
    for dist in distributions(artifact, ctx):
        yield from _wheel_clues(wheel_tags(artifact, dist, ctx), dist.dist_info + "WHEEL")


def _wheel_clues(tags: tuple[str, ...], member: str) -> Iterator[tuple[str, str, str]]:
    """A wheel built for exactly one CPython (not abi3) and one CPU says so in its tags."""
    parts = [tag.split("-") for tag in tags if tag.count("-") == 2]
    abis = {abi for _, abi, _ in parts}
    if len(abis) == 1 and (abi := abis.pop()).startswith("cp3") and abi[3:].isdigit():
        rt = runtime_for_python((3, int(abi[3:])))
        if rt is not None:
            yield "runtime", rt.id, member
    cpus = {m.group(1) for _, _, platform in parts
            for m in [_WHEEL_PLATFORM_CPU.match(platform)] if m}
    if len(cpus) == 1:
        arch = architecture_for_cpu(cpus.pop())
        if arch is not None:
            yield "architecture", arch.id, member
