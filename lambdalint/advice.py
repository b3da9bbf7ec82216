"""Shell commands that repair a package, shared by the rules that suggest them.

They work on the zip the user has (extract to a temporary folder, rearrange, re-zip in place),
because lambdalint only sees the zip, not the build that made it.
"""

from __future__ import annotations

import shlex

from lambdalint.data import Runtime, architectures


def rezip_folder_as(zip_path: str, folder: str, new_name: str) -> str:
    """Re-zip with ``folder`` (inside the zip; "" for its root) renamed to ``new_name``."""
    zip_q = shlex.quote(zip_path)
    if new_name == ".":
        source = f'"$d/src/{folder.rstrip("/")}"' if folder else '"$d/src"'
        return (f'd=$(mktemp -d) && unzip -q {zip_q} -d "$d/src" && '
                f'(cd {source} && zip -qr -X - .) > {zip_q}')
    if folder:
        return (f'd=$(mktemp -d) && unzip -q {zip_q} -d "$d/src" && '
                f'mv "$d/src/{folder.rstrip("/")}" "$d/{new_name}" && '
                f'(cd "$d" && zip -qr -X - {new_name}) > {zip_q}')
    return (f'd=$(mktemp -d) && unzip -q {zip_q} -d "$d/{new_name}" && '
            f'(cd "$d" && zip -qr -X - {new_name}) > {zip_q}')


def make_readable(zip_path: str) -> str:
    zip_q = shlex.quote(zip_path)
    return (f'd=$(mktemp -d) && unzip -q {zip_q} -d "$d" && chmod -R a+rX "$d" && '
            f'(cd "$d" && zip -qr -X - .) > {zip_q}')


def pip_install(runtime: Runtime, architecture: str | None, target: str,
                requirement: str = "-r requirements.txt") -> str:
    """The documented way to install Linux wheels for a Lambda target from any machine."""
    arch = architectures()[architecture or "x86_64"]
    return (f"pip install {requirement} --target {shlex.quote(target)} "
            f"--platform {arch.manylinux2014} --implementation cp "
            f"--python-version {runtime.python_version} --only-binary=:all:")
