"""Discovery: the deployments users already describe, read from their own files.

One module per source — the command line (``flags``), the config's ``[[function]]``
tables (``config``), SAM/CloudFormation (``sam``), CDK output (``cdk``), the Serverless
Framework (``serverless``), a Dockerfile (``dockerfile``) — each yielding ``FunctionSpec``s
whose values know where they came from (a template's file and line). The engine merges
them (flags over config over templates over inference); nothing here runs a rule.

Every path a source names is resolved inside the project (``Project.local``): an absolute
path, ``..`` out of the project or a symlink leading out is a problem naming the value, and
nothing behind it is read.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from lambdalint.model.spec import Discovery, Origin, SpecProblem
from lambdalint.records import record

SAM, CDK, SERVERLESS, DOCKERFILE = "sam", "cdk", "serverless", "dockerfile"
_READERS = {SAM: "lambdalint.discover.sam", CDK: "lambdalint.discover.cdk",
            SERVERLESS: "lambdalint.discover.serverless",
            DOCKERFILE: "lambdalint.discover.dockerfile"}

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# What marks a YAML/JSON file as a CloudFormation template, in its first bytes.
_TEMPLATE_MARKERS = (b"AWSTemplateFormatVersion", b"AWS::Serverless", b"AWS::Lambda::",
                     b'"Resources"')


@record(frozen=True)
class Project:
    """Where the project starts and how paths are shown to the user."""

    root: Path  # absolute; nothing outside it (or outside where it resolves to) is read
    cwd: Path

    def display(self, path: Path) -> str:
        return display(path, self.cwd)

    def local(self, text: str, base: Path, origin: Origin, what: str) -> Path | SpecProblem:
        """``text`` (relative to ``base``) as a path inside the project, or why not."""
        if not text or "\x00" in text:
            return SpecProblem(f"{what} {text!r} is not a path", origin)
        if os.path.isabs(text) or text.startswith(("~", "\\")) or \
                (len(text) > 1 and text[1] == ":"):
            return SpecProblem(f"{what} {text!r} is an absolute path: lambdalint reads only "
                               "files inside the project", origin)
        candidate = Path(os.path.normpath(base / text))
        if not inside(candidate, self.root):
            return SpecProblem(f"{what} {text!r} leads out of the project "
                               f"({self.display(self.root)}): not read", origin)
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            return SpecProblem(f"{what} {text!r} cannot be resolved (a symlink loop?)", origin)
        if not inside(real, self.root.resolve()):
            return SpecProblem(f"{what} {text!r} is a symlink out of the project: not read",
                               origin)
        return candidate


def display(path: Path, cwd: Path) -> str:
    """A path as the user would type it: relative to the current folder when possible."""
    try:
        text = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        text = str(path)
    if text.startswith("..") and path.is_absolute():
        text = str(path)
    return text.replace(os.sep, "/")


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or below it (both absolute, already normalised)."""
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def is_dir(path: Path) -> bool:
    """A folder, for a path a file names: one the file system refuses (a name too long)
    is none."""
    try:
        return path.is_dir()
    except OSError:
        return False


def project_root(start: Path) -> Path:
    """The repository holding ``start`` (its git root), else ``start`` itself: as the path
    is written (symlinks are judged where paths are resolved, in Project.local)."""
    start = Path(os.path.normpath(start.absolute()))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def kind_of(path: Path) -> str | None:
    """Which source a PATH given on the command line is, or None for code and zips."""
    name = path.name
    try:
        return _kind_of(path, name)
    except OSError:  # a name the file system refuses: not a source (LL001 says why)
        return None


def _kind_of(path: Path, name: str) -> str | None:
    if path.is_dir():
        if name == "cdk.out" or ((path / "manifest.json").is_file()
                                 and (path / "cdk.out").is_file()):
            return CDK
        return None
    if name == "manifest.json" and path.parent.name == "cdk.out":
        return CDK  # the cloud assembly's manifest names the assembly (its folder)
    if name in SERVERLESS_NAMES:
        return SERVERLESS
    if (name == "Dockerfile" or name.startswith("Dockerfile.") or
            name.endswith(".Dockerfile")) and not name.endswith(".dockerignore"):
        return DOCKERFILE  # (BuildKit's Dockerfile.dockerignore is an ignore file)
    if name in TEMPLATE_NAMES:
        return SAM
    if path.suffix.lower() in TEMPLATE_SUFFIXES and path.is_file():
        try:
            with open(path, "rb") as handle:
                head = handle.read(64 * 1024)
        except OSError:
            return None
        if any(marker in head for marker in _TEMPLATE_MARKERS):
            return SAM
    return None


def reader(kind: str) -> Callable[[Path, Project], Discovery]:
    """The module that reads one kind of source (imported only when a run needs it)."""
    module = importlib.import_module(_READERS[kind])
    read: Callable[[Path, Project], Discovery] = module.discover
    return read


def read_source(kind: str, path: Path, project: Project) -> Discovery:
    return reader(kind)(path, project)


def find_source(start: Path) -> tuple[str, Path] | None:
    """The project description nearest to ``start`` (itself, then its parents up to the git
    root): a SAM/CloudFormation template (samconfig.toml's template_file first), a CDK
    cloud assembly, serverless.yml, a Dockerfile — in that order within one folder."""
    for folder in (start, *start.parents):
        found = source_in(folder)
        if found is not None:
            return found
        if (folder / ".git").exists():
            break
    return None


def source_in(folder: Path) -> tuple[str, Path] | None:
    """The project description a folder holds itself, if any (see find_source)."""
    configured = _samconfig_template(folder / "samconfig.toml")
    if configured is not None and (folder / configured).is_file() and \
            inside((folder / configured).resolve(), folder.resolve()):
        return SAM, folder / configured
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return SAM, folder / name
    if (folder / "cdk.out" / "manifest.json").is_file():
        return CDK, folder / "cdk.out"
    for name in SERVERLESS_NAMES:
        if (folder / name).is_file():
            return SERVERLESS, folder / name
    if (folder / "Dockerfile").is_file():
        return DOCKERFILE, folder / "Dockerfile"
    return None


def cdk_app_without_output(folder: Path) -> bool:
    """A CDK app (cdk.json) that has not been synthesized: there is nothing to read yet."""
    return (folder / "cdk.json").is_file() and not (folder / "cdk.out").exists()


def _samconfig_template(path: Path) -> str | None:
    """``template_file`` from samconfig.toml (any environment and command; default first)."""
    if not path.is_file():
        return None
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    from lambdalint.discover.decode import DecodeError, read_regular

    try:
        document = tomllib.loads(read_regular(path, 1024 * 1024).decode("utf-8"))
    except (DecodeError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    environments = [document.get("default"), *document.values()]
    for environment in environments:
        if not isinstance(environment, dict):
            continue
        for command in environment.values():
            parameters = command.get("parameters") if isinstance(command, dict) else None
            template = parameters.get("template_file") if isinstance(parameters, dict) \
                else None
            if isinstance(template, str) and template and not os.path.isabs(template) \
                    and ".." not in Path(template).parts:
                return template
    return None
