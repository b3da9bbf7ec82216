"""File writes in the function's own code whose path is evident from literals.

Only what the source states is judged: a string literal, a concatenation of literals, or the
literal start of an f-string. A path built at run time (os.path.join, tempfile, a variable)
is not guessed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdalint.model.source import is_main_block

if TYPE_CHECKING:
    import libcst as cst

    from lambdalint.model.source import Module

WRITE_MODE_CHARS = set("wax+")
# Writable everywhere: devices and the process's own descriptors.
ALWAYS_WRITABLE = ("/dev/", "/proc/")
DIRECTORY_CALLS = ("os.makedirs()", "os.mkdir()", "Path.mkdir()")
# Call target (qualified name) -> which argument is the written path (index, keyword)
PATH_ARGUMENT = {
    "os.makedirs": (0, "name"), "os.mkdir": (0, "path"),
    "shutil.copy": (1, "dst"), "shutil.copy2": (1, "dst"), "shutil.copyfile": (1, "dst"),
    "shutil.copytree": (1, "dst"), "shutil.move": (1, "dst"),
}
PATH_METHODS = {"write_text", "write_bytes", "touch", "mkdir"}


@dataclass(frozen=True)
class LiteralPath:
    prefix: str  # the literal text the path starts with
    constant: bool  # the whole path is literal (no run-time part)


@dataclass(frozen=True)
class Write:
    node: cst.CSTNode
    path: LiteralPath
    how: str  # open(..., "w"), Path.write_text, os.makedirs …


def literal_path(node: cst.BaseExpression) -> LiteralPath | None:
    import libcst as cst

    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return LiteralPath(node.evaluated_value, True)
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_path(node.left), literal_path(node.right)
        if left is None:
            return None
        if not left.constant or right is None:
            return LiteralPath(left.prefix, False)
        return LiteralPath(left.prefix + right.prefix, right.constant)
    if isinstance(node, cst.FormattedString):
        prefix = ""
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                return LiteralPath(prefix, False)
            prefix += part.value
        return LiteralPath(prefix, True)
    return None


def writes(module: Module) -> list[Write]:
    cached = module.cache.get("writes")
    if isinstance(cached, list):
        return cached
    import libcst as cst

    found: list[Write] = []

    def argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
        positional = [a for a in call.args if a.keyword is None and not a.star]
        return positional[index].value if index < len(positional) else None

    class Finder(cst.CSTVisitor):
        def visit_If(self, node: cst.If) -> bool:
            return not is_main_block(node)

        def visit_Call(self, node: cst.Call) -> None:
            names = module.qualified_names(node.func)
            if names & {"builtins.open", "io.open"}:
                mode = argument(node, 1, "mode")
                mode_text = literal_path(mode) if mode is not None else None
                path = argument(node, 0, "file")
                if mode_text and mode_text.constant and set(mode_text.prefix) & \
                        WRITE_MODE_CHARS and path is not None:
                    self.add(node, path, f'open(..., "{mode_text.prefix}")')
                return
            for name in names:
                if name in PATH_ARGUMENT:
                    value = argument(node, *PATH_ARGUMENT[name])
                    if value is not None:
                        self.add(node, value, f"{name}()")
            func = node.func
            if isinstance(func, cst.Attribute):
                if func.attr.value in PATH_METHODS and isinstance(func.value, cst.Call) and \
                        module.qualified_names(func.value.func) & {"pathlib.Path"}:
                    value = argument(func.value, 0, "")
                    if value is not None:
                        self.add(node, value, f"Path.{func.attr.value}()")
                elif func.attr.value == "download_file":
                    value = argument(node, 2, "Filename")
                    if value is not None:
                        self.add(node, value, "download_file(Filename=...)")

        def add(self, node: cst.CSTNode, value: cst.BaseExpression, how: str) -> None:
            path = literal_path(value)
            if path is not None and path.prefix:
                found.append(Write(node, path, how))

    module.tree.visit(Finder())
    module.cache["writes"] = found
    return found


def in_tmp(path: LiteralPath) -> bool:
    return path.prefix == "/tmp" or path.prefix.startswith("/tmp/")


def outside_tmp(path: LiteralPath) -> Iterator[str]:
    """Why a literal path is outside /tmp (nothing when it is in /tmp)."""
    if in_tmp(path) or path.prefix.startswith(ALWAYS_WRITABLE):
        return
    if path.prefix.startswith("/"):
        if not path.constant and path.prefix.find("/", 1) < 0:
            return  # f"/t{x}" may still become /tmp/…: the first folder is not complete
        yield f"{path.prefix!r} is outside /tmp, the only writable folder"
    else:
        yield (f"the relative path {path.prefix!r} resolves under /var/task (the function's "
               "code), which is read-only")
