"""Distributions declared beside the function's code: requirements.txt and pyproject.toml."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lambdalint.data import distribution_for_import
from lambdalint.model.distributions import normalize
from lambdalint.model.importview import lists_layers
from lambdalint.model.requirements import parse
from lambdalint.records import record

if TYPE_CHECKING:
    from lambdalint.model.context import Context
    from lambdalint.model.deployment import Deployment
    from lambdalint.model.pep508 import Requirement

DECLARATION_FILES = ("requirements.txt", "pyproject.toml")
MAX_REQUIREMENTS_BYTES = 1024 * 1024  # far beyond any real requirements file
MAX_INCLUDE_DEPTH = 5
MAX_INCLUDES = 50  # files read for one requirements file, its includes included


@record(frozen=True)
class Declared:
    requirement: Requirement
    source: str  # the file, inside the function's tree


def declarations(deployment: Deployment, ctx: Context) -> list[Declared]:
    """Requirements declared at the root of the function's code (folder or zip)."""
    function = deployment.function
    if function is None or function.tree is None:
        return []
    cached = function.cache.get("declarations")
    if isinstance(cached, list):
        return cached
    found: list[Declared] = []
    for name in DECLARATION_FILES:
        member = function.tree.by_name.get(name)
        data = ctx.read(function, member) if member is not None else None
        if not data:
            continue
        text = data.decode("utf-8", "replace")
        if name.endswith(".toml"):
            lines = _pyproject_dependencies(text)
        elif function.format == "folder":
            lines = _requirements_on_disk(function.fs_path / name) or _requirement_lines(text)
        else:
            lines = _requirement_lines(text)
        found += [Declared(r, name) for r in map(parse, lines) if r is not None]
    function.cache["declarations"] = found
    return found


def _requirements_on_disk(path: Path, root: Path | None = None, depth: int = 0,
                          seen: set[Path] | None = None) -> list[str]:
    """A requirements file as pip reads it: comments, options and line continuations, and
    `-r`/`--requirement` includes relative to the file — followed only inside ``root``
    (the repository holding the first file) and never more than a few deep.

    pip-api did this before, but it runs `python -m pip --version` in the current folder,
    which imports a `pip` module planted in an untrusted project; and it follows includes
    anywhere (`-r /etc/…`, `-r /dev/zero`)."""
    if root is None:
        from lambdalint.discover import project_root

        root = project_root(path.parent)
    seen = set() if seen is None else seen
    if depth > MAX_INCLUDE_DEPTH or len(seen) >= MAX_INCLUDES or not _inside(path, root):
        return []
    real = path.resolve()
    if real in seen:
        return []  # each file once, however often it is included
    seen.add(real)
    text = _small_text(path)
    if text is None:
        return []
    found: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        words = line.split()
        if len(words) == 2 and words[0] in ("-r", "--requirement"):
            found += _requirements_on_disk(path.parent / words[1], root, depth + 1, seen)
        elif line.startswith(("-r", "--requirement=")):
            include = line[2:] if line.startswith("-r") else line.split("=", 1)[1]
            found += _requirements_on_disk(path.parent / include.strip(), root, depth + 1,
                                           seen)
        else:
            found += _requirement_lines(line)
    return found


def _inside(path: Path, root: Path) -> bool:
    """A regular file below ``root``, also once symlinks are followed."""
    try:
        real = path.resolve()
        real.relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
    return real.is_file()


def _small_text(path: Path) -> str | None:
    """A regular file's text, up to the cap (a device or FIFO is never read)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_REQUIREMENTS_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read(MAX_REQUIREMENTS_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_REQUIREMENTS_BYTES:
        return None
    return data.decode("utf-8", "replace")


def _declared_in(path: Path) -> list[str]:
    """Requirement strings of a file a build installs: requirements.txt (any name), the
    dependencies of a pyproject.toml, or a Pipfile's packages."""
    if path.name not in ("pyproject.toml", "Pipfile"):
        return _requirements_on_disk(path)
    text = _small_text(path)
    if text is None:
        return []
    if path.name == "pyproject.toml":
        return _pyproject_dependencies(text)
    return _pipfile_packages(text)


def _pipfile_packages(text: str) -> list[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        packages = tomllib.loads(text).get("packages", {})
    except tomllib.TOMLDecodeError:
        return []
    return [name for name in packages if isinstance(name, str)] \
        if isinstance(packages, dict) else []


def _requirement_lines(text: str) -> list[str]:
    """requirements.txt lines that are requirements (options, includes, URLs are skipped)."""
    lines = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-", "git+", "http:", "https:", "file:")):
            lines.append(line)
    return lines


def _pyproject_dependencies(text: str) -> list[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    project = document.get("project", {})
    dependencies = project.get("dependencies", []) if isinstance(project, dict) else []
    found = [d for d in dependencies if isinstance(d, str)] \
        if isinstance(dependencies, list) else []
    # Poetry names its dependencies as keys (what serverless-python-requirements installs).
    tool = document.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    names = poetry.get("dependencies", {}) if isinstance(poetry, dict) else {}
    if isinstance(names, dict):
        found += [name for name in names if isinstance(name, str) and name != "python"]
    return found


def declared_import(deployment: Deployment, ctx: Context) -> Callable[[str], bool]:
    """Whether a build will provide an import name, because a distribution declared for it
    installs it (yaml ← PyYAML): requirements beside an unbuilt source folder, the files a
    template's build installs into the code (a Dockerfile's `pip install -r`, a plugin),
    and the requirements.txt of a layer built from source (SAM's BuildMethod)."""
    function = deployment.function
    keys: set[str] = set()
    if function is not None and not function.is_zip:
        keys |= {normalize(d.requirement.name) for d in declarations(deployment, ctx)}
    files = list(deployment.requirements)
    # With PYTHONPATH set (LL107) or in an image, what the layers install is not importable.
    pythonpath = deployment.variable("PYTHONPATH")
    if (pythonpath is None or lists_layers(pythonpath.value)) and \
            deployment.package_type == "zip":
        files += [attached.spec.path / "requirements.txt"
                  for attached in deployment.attached_layers
                  if attached.spec.from_source and attached.spec.path is not None]
    for path in files:
        keys |= {normalize(r.name) for r in map(parse, _declared_in(path)) if r is not None}
    if not keys:
        return lambda name: False  # a built zip must contain what it imports
    return lambda name: normalize(distribution_for_import(name)) in keys
