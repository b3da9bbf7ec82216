"""How a package is repaired, shared by the rules that suggest it.

Shell commands work on the zip the user has (extract to a temporary folder, rearrange,
re-zip in place), because lambdalint only sees the zip, not the build that made it. The
same repairs as edits of the zip's entries are what ``lambdalint check --fix`` makes.
"""

from __future__ import annotations

import shlex
import stat
from collections.abc import Iterable
from pathlib import Path

from lambdalint.data import Runtime, architectures
from lambdalint.finding import Applicability, EntryEdit, Fix
from lambdalint.model.archive import Member, ZipTree
from lambdalint.model.code.span import Span
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.spec import CONFIG, TEMPLATE, Value


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


def entry_fix(artifact: Artifact, advice: str, edits: Iterable[EntryEdit], title: str, *,
              applicability: Applicability = Applicability.SAFE) -> Fix:
    """Edits of a zip's entries, or the advice alone when the artifact is not a zip read as
    it is (a folder; a tree mounted or filtered by the check) or there is nothing to edit."""
    tree = artifact.tree
    edits = tuple(edits)
    if not isinstance(tree, ZipTree) or tree.mount or tree.include is not None or not edits:
        return Fix(advice=advice)
    return Fix(advice=advice, applicability=applicability, file=artifact.fs_path,
               entries=edits, title=title)


def moved(tree: ZipTree, pairs: Iterable[tuple[int, str]]) -> list[EntryEdit] | None:
    """Entries moved to new names; None when a new name is taken by an entry that stays."""
    members = tree.members
    edits = []
    leaving: set[str] = set()
    for index, name in pairs:
        edits.append(EntryEdit(members[index].name, index, move_to=name) if name else
                     EntryEdit(members[index].name, index, remove=True))
        leaving.add(members[index].name)
    arriving = [e.move_to for e in edits if e.move_to]
    if len(set(arriving)) != len(arriving) or any(
            name in tree.by_name and name not in leaving for name in arriving):
        return None
    return edits


def removed(tree: ZipTree, indices: Iterable[int]) -> list[EntryEdit]:
    """Entries removed, with the folder entries left empty by it (`__pycache__/`): those
    with something inside and nothing inside that stays. One pass over the entries."""
    members = tree.members
    gone = set(indices)
    holding: set[str] = set()  # folders (as "a/b/") with something inside
    keeping: set[str] = set()  # … with something inside that stays
    for index, member in enumerate(members):
        name = member.name.rstrip("/")
        stays = index not in gone
        end = name.rfind("/")
        while end > 0:
            folder = name[:end + 1]
            if folder in keeping or (not stays and folder in holding):
                break  # its own folders are known already
            holding.add(folder)
            if stays:
                keeping.add(folder)
            end = name.rfind("/", 0, end)
    gone |= {i for i, m in enumerate(members) if m.is_dir and m.name.endswith("/") and
             m.name in holding and m.name not in keeping}
    return [EntryEdit(members[i].name, i, remove=True) for i in sorted(gone)]


def readable_mode(member: Member) -> int:
    """644 for a file, 755 for a folder or a file someone may execute."""
    mode = member.mode or 0
    return 0o755 if member.is_dir or stat.S_IMODE(mode) & 0o111 else 0o644


def code_fix(deployment: Deployment, target: Span, advice: str,
             applicability: Applicability, codemod: str, **options: object) -> Fix:
    """``lambdalint.fix.codemods.<codemod>`` on the module ``target`` is in, at ``target``
    (imported only when fixing: it needs libcst); advice alone when the module's file is not
    one a fix can rewrite."""
    artifact = next((a for a in deployment.artifacts if a.path == target.path), None)
    tree = artifact.tree if artifact is not None else None
    if artifact is None or tree is None or tree.mount or tree.include is not None:
        return Fix(advice=advice)
    if isinstance(tree, ZipTree):
        file, member = artifact.fs_path, target.member
    else:
        relative = tree.file_of(target.member)
        if relative is None:
            return Fix(advice=advice)
        file, member = (artifact.fs_path / relative if relative else artifact.fs_path), None
    span = (target.line, target.column, target.end_line, target.end_column)

    def rewrite(text: str) -> str | None:
        from lambdalint.fix import codemods

        rewritten: str | None = getattr(codemods, codemod)(text, codemods.Where(*span),
                                                           **options)
        return rewritten

    return Fix(advice=advice, applicability=applicability, file=file, member=member,
               rewrite=rewrite, title=codemod)


def generated(path: Path) -> bool:
    """A CDK cloud assembly's file: `cdk synth` writes it again from the app's code."""
    return "cdk.out" in path.parts


# Files whose values a fix edits in place: templates, serverless.yml, the TOML config.
EDITABLE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".toml")


def value_fix(value: Value, new: str, advice: str, title: str, *,
              applicability: Applicability = Applicability.UNSAFE) -> Fix:
    """The value replaced in place where the template or config writes it; advice alone for
    a value from the command line, inferred, or decided elsewhere."""
    origin = value.origin
    path = origin.path
    if path is None or origin.source not in (TEMPLATE, CONFIG) or \
            path.suffix.lower() not in EDITABLE_SUFFIXES or generated(path):
        return Fix(advice=advice)
    if origin.source == TEMPLATE and (origin.line is None or origin.column is None):
        return Fix(advice=advice)
    if origin.source == CONFIG and not origin.key:
        return Fix(advice=advice)
    old, name = value.value, path.name

    def rewrite(text: str) -> str | None:
        from lambdalint.fix.scalars import kind_of_file, replace_scalar

        kind = kind_of_file(name, text)
        if kind is None:
            return None
        return replace_scalar(text, kind, old, new, line=origin.line, column=origin.column,
                              key=origin.key or None)

    return Fix(advice=advice, applicability=applicability, file=path, rewrite=rewrite,
               title=title)
