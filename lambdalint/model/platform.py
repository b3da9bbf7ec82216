"""Will this distribution's build load on the target? Wheel tags against what Lambda supports.

The target's tag set is computed with ``packaging.tags`` from the runtime's Python version, the
function's CPU and the runtime OS's glibc as the manylinux ceiling (never musllinux, macOS or
Windows). An installed distribution whose ``WHEEL`` tags miss that set gets one verdict: the
most specific reason (LL201 ABI, LL202 CPU, LL203 macOS/Windows, LL204 glibc, LL205 musl),
or LL206 when none of those explains it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from lambdalint.data import Architecture, Runtime, architecture_for_cpu
from lambdalint.model.distributions import Distribution, distributions
from lambdalint.model.layout import site_root, top_level
from lambdalint.records import record

if TYPE_CHECKING:
    from lambdalint.model.archive import Member
    from lambdalint.model.binaries import Binary
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Artifact

WHEEL_LIMIT = 64 * 1024
# When one tag fails several ways, the first of these is the one worth telling.
PRIORITY = ("LL203", "LL205", "LL202", "LL204", "LL201", "LL206")
_MANYLINUX = re.compile(r"manylinux_(\d+)_(\d+)_(.+)")
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


@record(frozen=True)
class Verdict:
    rule: str
    distribution: Distribution
    tags: tuple[str, ...]
    reason: str  # what is wrong, in the user's terms


class Tag(NamedTuple):
    """One wheel tag (PEP 425), lower-cased as installers compare them."""

    interpreter: str
    abi: str
    platform: str


def parse_tag(text: str) -> frozenset[Tag]:
    """Every tag a compressed tag set stands for (`cp38.cp39-abi3-manylinux1_x86_64`);
    ValueError when the text has not three parts."""
    interpreters, abis, platforms = text.lower().split("-")
    return frozenset(Tag(i, a, p) for i in interpreters.split(".") for a in abis.split(".")
                     for p in platforms.split("."))


@cache
def supported_tags(runtime: Runtime, arch: Architecture) -> frozenset[Tag]:
    """The tags pip accepts on the target: CPython's own (its ABI, abi3 down to 3.2, none),
    then the pure-Python ones (py3X down to py30, py3, any).

    The same set as ``packaging.tags.cpython_tags`` and ``compatible_tags`` give for this
    interpreter and these platforms (a test compares them), written out because importing
    packaging.tags loads logging, platform, subprocess and sysconfig: ~15 ms, more than
    the rest of a small layer's check.
    """
    major, minor = runtime.python
    platforms = [*manylinux_platforms(runtime.glibc, arch.cpu), f"linux_{arch.cpu}"]
    interpreter = f"cp{major}{minor}"
    tags = {Tag(interpreter, abi, p) for abi in (interpreter, "abi3", "none") for p in platforms}
    tags |= {Tag(f"cp{major}{older}", "abi3", p) for older in range(minor - 1, 1, -1)
             for p in platforms}
    pythons = [f"py{major}{minor}", f"py{major}",
               *(f"py{major}{older}" for older in range(minor - 1, -1, -1))]
    tags |= {Tag(python, "none", p) for python in pythons for p in platforms}
    tags |= {Tag(python, "none", "any") for python in [interpreter, *pythons]}
    return frozenset(tags)


def manylinux_platforms(glibc: tuple[int, int], cpu: str) -> list[str]:
    """Every manylinux platform tag a system with this glibc accepts (PEP 600 and legacy)."""
    major, newest = glibc
    platforms = [f"manylinux_{major}_{minor}_{cpu}" for minor in range(newest, 4, -1)]
    for legacy, (_, minor) in _LEGACY_MANYLINUX.items():
        legacy_cpus = ("x86_64", "i686") if legacy != "manylinux2014" else (cpu,)
        if minor <= newest and cpu in legacy_cpus:
            platforms.append(f"{legacy}_{cpu}")
    return platforms


def wheel_tags(artifact: Artifact, dist: Distribution, ctx: Context) -> tuple[str, ...]:
    """The ``Tag:`` lines of a distribution's WHEEL file (empty for non-wheel installs)."""
    if dist.wheel_tags is not None:
        return dist.wheel_tags
    dist.wheel_tags = _read_wheel_tags(artifact, dist, ctx)
    return dist.wheel_tags


def _read_wheel_tags(artifact: Artifact, dist: Distribution, ctx: Context) -> tuple[str, ...]:
    assert artifact.tree is not None
    member = artifact.tree.by_name.get(dist.dist_info + "WHEEL")
    data = ctx.read(artifact, member, WHEEL_LIMIT) if member is not None else None
    if not data:
        return ()
    # WHEEL is an email-style header block, but Tag lines are never folded: a line scan
    # reads them without importing the email package (10 ms of startup).
    return tuple(line[4:].strip() for line in data.decode("utf-8", "replace").splitlines()
                 if line[:4].lower() == "tag:" and line[4:].strip())


def verdicts(artifact: Artifact, runtime: Runtime, arch: Architecture,
             ctx: Context) -> list[Verdict]:
    """One verdict per distribution whose wheel tags cannot load on the target."""
    key = f"wheel_verdicts:{runtime.id}:{arch.id}"
    cached = artifact.cache.get(key)
    if isinstance(cached, list):
        return cached
    found: list[Verdict] = []
    tagged = [(dist, tags) for dist in distributions(artifact, ctx)
              for tags in [wheel_tags(artifact, dist, ctx)] if tags]
    if not tagged:
        artifact.cache[key] = found
        return found
    supported = supported_tags(runtime, arch)
    for dist, tags in tagged:
        parsed = [t for text in tags for t in _parse(text)]
        if not parsed or any(t in supported for t in parsed):
            continue
        found.append(_verdict(dist, tags, parsed, runtime, arch, supported))
    artifact.cache[key] = found
    return found


def _parse(text: str) -> frozenset[Tag]:
    try:
        return parse_tag(text)
    except ValueError:  # not a tag: nothing to judge
        return frozenset()


def _verdict(dist: Distribution, tags: tuple[str, ...], parsed: list[Tag], runtime: Runtime,
             arch: Architecture, supported: frozenset[Tag]) -> Verdict:
    interpreters = {(t.interpreter, t.abi) for t in supported}
    platforms = {t.platform for t in supported}
    best: tuple[int, int, str, str] | None = None
    for tag in parsed:
        failures = []
        platform_failure = None if tag.platform in platforms else \
            _platform_failure(tag.platform, runtime, arch)
        if platform_failure is not None:
            failures.append(platform_failure)
        if (tag.interpreter, tag.abi) not in interpreters:
            failures.append(_interpreter_failure(tag, runtime))
        ranked = min(failures, key=lambda f: PRIORITY.index(f[0]))
        candidate = (len(failures), PRIORITY.index(ranked[0]), ranked[0], ranked[1])
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return Verdict(rule=best[2], distribution=dist, tags=tags, reason=best[3])


def _platform_failure(platform: str, runtime: Runtime, arch: Architecture) -> tuple[str, str]:
    if platform.startswith("macosx"):
        return "LL203", f"built for macOS ({platform}), not Linux"
    if platform.startswith("win"):
        return "LL203", f"built for Windows ({platform}), not Linux"
    if platform.startswith("musllinux"):
        return "LL205", (f"built for musl libc ({platform}); Lambda's "
                         f"{runtime.os} uses glibc")
    glibc, cpu = _linux_platform(platform)
    if cpu is None:
        return "LL206", f"built for the platform {platform}"
    if cpu != arch.cpu:
        other = architecture_for_cpu(cpu)
        return "LL202", (f"built for {other.id if other else cpu} ({platform}), but the "
                         f"function runs on {arch.id}")
    if glibc is not None and glibc > runtime.glibc:
        return "LL204", (f"built for glibc {glibc[0]}.{glibc[1]} ({platform}), but "
                         f"{runtime.id} runs on {runtime.os} with glibc "
                         f"{runtime.glibc[0]}.{runtime.glibc[1]}")
    return "LL206", f"built for the platform {platform}"


def _linux_platform(platform: str) -> tuple[tuple[int, int] | None, str | None]:
    """(glibc, cpu) of a manylinux or linux platform tag; (None, None) for anything else."""
    match = _MANYLINUX.fullmatch(platform)
    if match:
        return (int(match.group(1)), int(match.group(2))), match.group(3)
    for legacy, glibc in _LEGACY_MANYLINUX.items():
        if platform.startswith(legacy + "_"):
            return glibc, platform[len(legacy) + 1:]
    if platform.startswith("linux_"):
        return None, platform[len("linux_"):]
    return None, None


def _interpreter_failure(tag: Tag, runtime: Runtime) -> tuple[str, str]:
    wanted = f"cp{runtime.python[0]}{runtime.python[1]}"
    if tag.interpreter.startswith("cp"):
        built = f"{tag.interpreter[2]}.{tag.interpreter[3:]}"
        what = "the stable ABI of CPython" if tag.abi == "abi3" else "CPython"
        return "LL201", (f"built for {what} {built} ({tag.interpreter}-{tag.abi}), but "
                         f"{runtime.id} needs {wanted} or a compatible abi3 build")
    return "LL206", (f"built for the interpreter {tag.interpreter}-{tag.abi}, not CPython "
                     f"{runtime.python_version}")


# ---- binaries, judged from their bytes and names ---------------------------------------

# name.cpython-312-x86_64-linux-gnu.so, name.cpython-312-darwin.so, …-linux-musl.so
_EXTENSION_SUFFIX = re.compile(r"\.cpython-(\d)(\d+)[a-z]*-(?P<platform>[a-z0-9_-]+)\.so$")


@record(frozen=True)
class BinaryVerdict:
    rule: str
    member: str
    owner: str  # the distribution (name version) or top-level folder it belongs to
    reason: str


def binary_verdicts(artifact: Artifact, runtime: Runtime, arch: Architecture,
                    ctx: Context) -> list[BinaryVerdict]:
    """Every shared object that cannot load on the target, whether or not a tag covers it.

    A binary installed by a distribution with wheel tags is trusted to the tags for what only
    a deep read shows (glibc, musl): its ELF header alone is read. A binary no tag covers is
    read deeply. Binaries of a distribution whose tags already failed are not judged again.
    """
    key = f"binary_verdicts:{runtime.id}:{arch.id}"
    cached = artifact.cache.get(key)
    if isinstance(cached, list):
        return cached
    from lambdalint.model.binaries import BINARY_NAME, identify

    assert artifact.tree is not None
    judged = {v.distribution.dist_info for v in verdicts(artifact, runtime, arch, ctx)}
    tagged: dict[str, Distribution] = {}
    for dist in distributions(artifact, ctx):
        if wheel_tags(artifact, dist, ctx):
            tagged.update(dict.fromkeys(dist.files, dist))
    found: list[BinaryVerdict] = []
    for member in artifact.tree.files():
        if not BINARY_NAME.search(member.name):
            continue
        owner_dist = tagged.get(member.name)
        if owner_dist is not None and owner_dist.dist_info in judged:
            continue

        def read(offset: int, size: int, member: Member = member) -> bytes:
            return ctx.read(artifact, member, size, offset) or b""

        binary = identify(read, deep=owner_dist is None)
        failures = [*_name_failures(member.name, runtime, arch),
                    *_byte_failures(binary, runtime, arch)]
        if failures:
            rule, reason = min(failures, key=lambda f: PRIORITY.index(f[0]))
            owner = (owner_dist.size_key if owner_dist
                     else top_level(member.name, site_root(artifact, member.name) or ""))
            found.append(BinaryVerdict(rule, member.name, owner, reason))
    artifact.cache[key] = found
    return found


def _name_failures(name: str, runtime: Runtime, arch: Architecture) -> list[tuple[str, str]]:
    if name.endswith(".pyd"):
        return [("LL203", "a Windows extension module (.pyd)")]
    match = _EXTENSION_SUFFIX.search(name)
    if match is None:
        return []
    failures = []
    platform = match.group("platform")
    if platform.startswith("darwin"):
        failures.append(("LL203", f"named for macOS (cpython-…-{platform}.so)"))
    elif platform.endswith("linux-musl"):
        failures.append(("LL205", f"named for musl libc (…-{platform}.so)"))
    cpu = platform.split("-", 1)[0]
    if platform.endswith(("linux-gnu", "linux-musl")) and cpu != arch.cpu:
        failures.append(("LL202", f"named for {cpu} (…-{platform}.so), not {arch.cpu}"))
    version = (int(match.group(1)), int(match.group(2)))
    if version != runtime.python:
        failures.append(("LL201", f"named for CPython {version[0]}.{version[1]} "
                                  f"(.cpython-{version[0]}{version[1]}-…), so {runtime.id} "
                                  "does not recognise it as an extension module"))
    return failures


def _byte_failures(binary: Binary | None, runtime: Runtime,
                   arch: Architecture) -> list[tuple[str, str]]:
    from lambdalint.data import elf_machine_name

    if binary is None:
        return []
    if binary.format == "mach-o":
        return [("LL203", "a Mach-O (macOS) binary: \"invalid ELF header\" at import")]
    if binary.format == "pe":
        return [("LL203", "a Windows PE binary: \"invalid ELF header\" at import")]
    failures = []
    if binary.bits == 32:
        failures.append(("LL202", f"a 32-bit ELF ({elf_machine_name(binary.machine or 0)}): "
                                  "\"wrong ELF class: ELFCLASS32\""))
    elif binary.big_endian:
        failures.append(("LL202", "a big-endian ELF"))
    elif binary.machine != arch.elf_machine:
        failures.append(("LL202", f"an ELF for {elf_machine_name(binary.machine or 0)}, but "
                                  f"the function runs on {arch.id}"))
    if binary.musl:
        failures.append(("LL205", "linked against musl libc, which Amazon Linux does not "
                                  "have"))
    if binary.glibc is not None and binary.glibc > runtime.glibc:
        failures.append(("LL204", f"needs GLIBC_{binary.glibc[0]}.{binary.glibc[1]}, but "
                                  f"{runtime.id} runs on {runtime.os} with glibc "
                                  f"{runtime.glibc[0]}.{runtime.glibc[1]}"))
    return failures
