"""Where importable things sit in an artifact, in Lambda's terms.

A function's code is importable from its root (/var/task). A layer is extracted into /opt,
and only /opt/python and /opt/python/lib/python3.X/site-packages are on sys.path.
"""

from __future__ import annotations

import re

from lambdalint.model.deployment import LAYER, Artifact

VERSIONED_SITE_PACKAGES = re.compile(r"^python/lib/python(\d+\.\d+)/site-packages/")
_PACKAGE_DATA_DIR = re.compile(r"[^/]+\.(dist-info|egg-info)/")
IMPORTABLE_SUFFIXES = (".py", ".pyc", ".so", ".pth", ".pyd")


def is_importable(name: str) -> bool:
    """A module, extension or distribution record: something Python looks for on sys.path."""
    if name.endswith("/"):
        return False
    if "__pycache__/" in name:
        return False
    return name.endswith(IMPORTABLE_SUFFIXES) or bool(_PACKAGE_DATA_DIR.search(name))


def site_root(artifact: Artifact, name: str) -> str | None:
    """The sys.path entry (as a prefix inside the artifact) a member is importable from."""
    if artifact.role != LAYER:
        return ""
    match = VERSIONED_SITE_PACKAGES.match(name)
    if match:
        return match.group(0)
    if name.startswith("python/"):
        return "python/"
    return None


def misplaced_root(name: str) -> str:
    """For layer content outside python/: the folder that should have become python/.

    ``site-packages/x`` and ``lib/python3.12/site-packages/x`` came from zipping a virtualenv
    folder; ``build/python/x`` from zipping the folder that holds python/; anything else
    was zipped from inside the folder that should have been python/.
    """
    parts = name.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.endswith((".dist-info", ".egg-info")):
            return "/".join(parts[:index]) + "/" if index else ""
        if part == "site-packages":
            return "/".join(parts[:index + 1]) + "/"
    if len(parts) > 2 and parts[1] == "python":
        return parts[0] + "/python/"
    return ""


def package_names(names: list[str], root: str, shown: int = 5) -> str:
    """The importable top-level names among members, for a message: "a, b, c and 4 more"."""
    tops = set()
    for name in names:
        top = top_level(name, root)
        is_package_or_module = "/" in name[len(root):] or top.endswith(IMPORTABLE_SUFFIXES)
        is_metadata = top.endswith((".dist-info", ".egg-info", ".data")) or top == "bin"
        if is_package_or_module and not is_metadata:
            tops.add(top.split(".", 1)[0] if top.endswith(IMPORTABLE_SUFFIXES) else top)
    ordered = sorted(tops) or sorted({top_level(n, root) for n in names})
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


def top_level(name: str, root: str) -> str:
    """The top-level module or folder a member belongs to, below its root."""
    rest = name[len(root):]
    return rest.split("/", 1)[0]
