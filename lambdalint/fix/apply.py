"""`--fix`, `--unsafe-fixes`, `--diff`, `--fix-only`: fixes applied until nothing is left.

A pass takes the reported findings whose fix edits something and that the flags allow
(safe ones, and with ``--unsafe-fixes`` the unsafe ones), groups their edits by the file
they change, and writes each changed file's new version to a staged copy: a zip rewritten
entry by entry, a text whose rewrites are merged like ruff merges edits (a fix whose changed
lines overlap another's waits for the next pass). Then the deployment is checked again,
reading the staged copies (``lambdalint.files``): a fix may uncover work for another (the
handler module is found once the function's folder is lifted to the zip root, and its code
is judged) or settle another. When a pass changes nothing, ``--fix`` writes each staged
copy over its file, atomically, and ``--diff`` prints what it would write.

A file is left alone, with one line saying why, when it is reached through a symlink, is
read-only (by its mode bits: root could write it anyway), lies outside the folders given,
is generated (a CDK cloud assembly), is a zip that is not plain, or changed on disk while
the fixes were worked out.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from lambdalint import files
from lambdalint.advice import generated
from lambdalint.config import discover as discover_config
from lambdalint.discover import inside
from lambdalint.engine import Options, Result, run
from lambdalint.finding import Applicability, EntryEdit, Fix, ReportedFinding, one_line
from lambdalint.model.archive import ArchiveError, Member, MemberError, ZipTree
from lambdalint.records import field, record

# Each pass can only uncover what the previous one made reachable; real deployments settle
# in two or three.
MAX_PASSES = 8
# Entries of a zip being rewritten: its check has already read it within the configured cap.
_MAX_ENTRIES = 1_000_000
_MAX_TEXT_BYTES = 16 * 1024 * 1024


@record
class Outcome:
    """What the fixes did (``--fix``) or would do (``--diff``)."""

    result: Result  # the check of the fixed files (--fix), else of the staged ones
    fixed: dict[str, list[str]] = field(default_factory=dict)  # file shown → rule ids
    left_alone: list[str] = field(default_factory=list)  # "file: why", one per file
    notes: list[str] = field(default_factory=list)  # fixes dropped, and why
    diff: str = ""  # what --diff prints (not worked out for --fix)
    passes: int = 0

    @property
    def count(self) -> int:
        return sum(len(rules) for rules in self.fixed.values())


@record(eq=False)
class _Staged:
    """One file the fixes change: where it is, what it was, and its staged new version."""

    path: Path  # absolute
    shown: str
    is_zip: bool
    signature: tuple[int, ...]  # os.stat of the file when first read
    original: bytes = b""  # a text file's bytes when first read
    mode: int = 0o644
    owner: tuple[int, int] = (0, 0)  # uid, gid
    current: Path | None = None  # the staged copy (None: nothing changed yet)
    # For a zip: each entry of the staged copy's index in the original.
    lineage: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    seen: set[bytes] = field(default_factory=set)  # digests of the texts staged so far

    @property
    def reading(self) -> Path:
        return self.current or self.path


def fix(options: Options, *, unsafe: bool, write: bool) -> Outcome:
    """Check, fix, check again… then write the fixed files (``write``) or diff them."""
    fixer = _Fixer(options, unsafe=unsafe)
    try:
        result = run(options)
        options.progress = None  # one bar for the first check is enough
        passes = 0
        while fixer.one_pass(result.report.findings):
            passes += 1
            result = run(options)
            if passes == MAX_PASSES:
                if any(fixer.allowed(f) for f in result.report.findings):
                    fixer.notes.append(f"the fixes did not settle after {MAX_PASSES} "
                                       "passes; please report this")
                break
        files.unstage_all()  # from here on the user's files are read as they are
        fixer.unfixed(result.report.findings)
        outcome = Outcome(result=result, fixed={}, left_alone=fixer.left_alone,
                          notes=list(dict.fromkeys(fixer.notes)), passes=passes)
        changed = [s for s in fixer.staged.values() if s.current is not None]
        outcome.fixed = {s.shown: s.rules for s in sorted(changed, key=lambda s: s.shown)}
        if not write:
            outcome.diff = "".join(_diff(s) for s in sorted(changed, key=lambda s: s.shown))
        if write and changed:
            refused = False
            for staged in changed:
                refusal = _commit(staged)
                if refusal is not None:
                    outcome.left_alone.append(f"{staged.shown}: {refusal}")
                    del outcome.fixed[staged.shown]
                    refused = True
            # The last pass checked exactly what was written; when a file could not be
            # written, the files on disk are checked again for the report and exit code.
            if refused:
                outcome.result = run(options)
        return outcome
    finally:
        files.unstage_all()
        fixer.close()


class _Fixer:
    def __init__(self, options: Options, *, unsafe: bool) -> None:
        self.options = options
        self.unsafe = unsafe
        self.roots = _roots(options)
        self.staged: dict[str, _Staged] = {}
        self.refused: dict[str, str] = {}
        self.left_alone: list[str] = []
        self.notes: list[str] = []
        self.explained: set[tuple[str, str]] = set()  # (file shown, rule) with a note
        self.temp: Path | None = None  # made when a first file is staged
        self.copies = 0

    def close(self) -> None:
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)

    def allowed(self, reported: ReportedFinding) -> Fix | None:
        """The finding's fix, when it edits something and the flags allow it."""
        fix = reported.finding.fix
        if fix is None or not fix.edits or fix.file is None:
            return None
        if fix.applicability is Applicability.UNSAFE and not self.unsafe:
            return None
        return fix

    def unfixed(self, findings: list[ReportedFinding]) -> None:
        """A note for each fix still offered after the last pass, in a file not left alone:
        its code or value was not exactly in the shape the fix handles."""
        for reported in findings:
            fix = self.allowed(reported)
            if fix is None or fix.file is None or files.key(fix.file) in self.refused:
                continue
            finding = reported.finding
            place = ":".join(part for part in (finding.path, finding.member) if part)
            if (place, finding.rule) in self.explained:
                continue  # a note already says why (the result would not parse…)
            where = f"{place}:{finding.line}" if finding.line else place
            self.notes.append(f"{one_line(where)}: the {finding.rule} fix could not be made "
                              "(not exactly in the shape it handles): fix it by hand")

    def one_pass(self, findings: list[ReportedFinding]) -> bool:
        """Apply what this check's findings allow; whether any file changed."""
        by_file: dict[str, list[tuple[str, Fix]]] = {}
        for reported in findings:
            fix = self.allowed(reported)
            if fix is not None and fix.file is not None:
                by_file.setdefault(files.key(fix.file), []).append((reported.finding.rule,
                                                                    fix))
        changed = False
        for key, fixes in sorted(by_file.items()):
            staged = self._staged(key, fixes[0][1])
            if staged is None:
                continue
            was_staged = staged.current is not None
            try:
                applied = self._zip(staged, fixes) if staged.is_zip else \
                    self._text(staged, fixes)
            except (OSError, ArchiveError, MemberError) as exc:
                # The file, or the room to stage it, went away meanwhile.
                self._leave(staged, f"cannot be fixed ({_reason(exc)})")
                applied = []
            if applied:
                staged.rules.extend(applied)
                changed = True
            elif was_staged and staged.current is None:
                changed = True  # given up on: the next check reads the file as it is
        return changed

    # -- which files may change ----------------------------------------------------------

    def _staged(self, key: str, first: Fix) -> _Staged | None:
        if key in self.refused:
            return None
        if key in self.staged:
            return self.staged[key]
        path = Path(key)
        shown = _shown(path, self.options.cwd)
        try:
            status = os.lstat(path)
            why = self._refusal(path, status, first)
            original = b""
            if why is None and not (first.entries or first.member is not None):
                with open(path, "rb") as handle:
                    original = handle.read(_MAX_TEXT_BYTES + 1)
        except OSError as exc:
            why = f"cannot read it ({_reason(exc)})"
        if why is not None:
            self.refused[key] = why
            self.left_alone.append(f"{shown}: left alone: {why}")
            return None
        staged = self.staged[key] = _Staged(
            path=path, shown=shown, is_zip=first.entries != () or first.member is not None,
            signature=_signature(status), original=original,
            mode=stat.S_IMODE(status.st_mode), owner=(status.st_uid, status.st_gid))
        return staged

    def _refusal(self, path: Path, status: os.stat_result, fix: Fix) -> str | None:
        if not any(inside(path, r) for r in self.roots):
            return "it is outside the folders given"
        if _through_symlink(path, self.roots):
            return "it is reached through a symlink"
        if not stat.S_ISREG(status.st_mode):
            return "not a regular file"
        if not status.st_mode & stat.S_IWUSR:
            return "it is read-only"
        if hasattr(os, "geteuid") and os.geteuid() not in (0, status.st_uid):
            # Replacing it would make it ours (root gives the new file the old owner).
            return "it belongs to another user"
        if generated(path):
            return "it is generated by `cdk synth`: fix the CDK app instead"
        if fix.entries or fix.member is not None:
            from lambdalint.fix.zipwrite import plain_zip_problem

            problem = plain_zip_problem(path)
            if problem is not None:
                return f"not a plain zip: {problem}"
        elif status.st_size > _MAX_TEXT_BYTES:
            return "too large to rewrite"
        return None

    # -- zips ------------------------------------------------------------------------------

    def _zip(self, staged: _Staged, fixes: list[tuple[str, Fix]]) -> list[str]:
        from lambdalint.fix.zipwrite import NotPlainZip, Output, rewrite

        tree = ZipTree(staged.reading, max_entries=_MAX_ENTRIES)  # errors: one_pass's
        members = tree.members
        if not staged.lineage:
            staged.lineage = list(range(len(members)))
        plan = _EntryPlan([m.name for m in members])
        applied = [rule for rule, fix in fixes if fix.entries and plan.accept(fix.entries)]
        # Code fixes inside the zip: each module's rewrites, merged.
        modules: dict[str, list[tuple[str, Fix]]] = {}
        for rule, fix in fixes:
            if fix.rewrite is not None and fix.member is not None:
                modules.setdefault(fix.member, []).append((rule, fix))
        for member_name, rewrites in sorted(modules.items()):
            index = plan.index_of(member_name)
            if index is None:
                continue
            if members[index].size > _MAX_TEXT_BYTES:
                continue  # not read whole: it could only be written back cut short
            try:
                data = tree.read(members[index], _MAX_TEXT_BYTES)
            except MemberError:
                continue
            if len(data) != members[index].size:
                continue
            merged = self._merged(f"{staged.shown}:{member_name}", data, rewrites,
                                  python=member_name.endswith(".py"))
            if merged is not None:
                plan.content[index] = merged[0]
                applied += merged[1]
        if not applied:
            return []
        outputs = [Output(source=i, name=plan.names[i], mode=plan.modes[i],
                          content=plan.content.get(i))
                   for i in range(len(members)) if not plan.removed[i]]
        target = self._copy_path(staged)
        try:
            rewrite(staged.reading, target, outputs)
        except NotPlainZip as exc:
            self._leave(staged, f"not rewritten: {exc}")
            return []
        staged.lineage = [staged.lineage[i] for i in range(len(members))
                          if not plan.removed[i]]
        self._stage(staged, target)
        return applied

    # -- text files --------------------------------------------------------------------------

    def _text(self, staged: _Staged, fixes: list[tuple[str, Fix]]) -> list[str]:
        with open(staged.reading, "rb") as handle:  # errors: one_pass's
            data = handle.read(_MAX_TEXT_BYTES + 1)
        rewrites = [(rule, fix) for rule, fix in fixes if fix.rewrite is not None]
        merged = self._merged(staged.shown, data, rewrites,
                              python=staged.path.suffix == ".py")
        if merged is None:
            return []
        digest = hashlib.sha256(merged[0]).digest()
        if digest in staged.seen or merged[0] == staged.original:
            # Fixes that undo each other (one function's handler name, then another's, in
            # a value they share): the file is left as it was.
            self._leave(staged, f"the fixes of {', '.join(sorted(set(merged[1])))} undo each "
                                "other")
            return []
        staged.seen.add(digest)
        target = self._copy_path(staged)
        with open(target, "xb") as handle:
            handle.write(merged[0])
        self._stage(staged, target)
        return merged[1]

    def _leave(self, staged: _Staged, why: str) -> None:
        """Give up on a staged file: unstaged, its fixes undone, one line saying why."""
        key = files.key(staged.path)
        self.refused[key] = why
        self.left_alone.append(f"{staged.shown}: left alone: {why}")
        files.unstage(staged.path)
        if staged.current is not None:
            staged.current.unlink(missing_ok=True)
        staged.current, staged.rules = None, []

    def _merged(self, shown: str, data: bytes, rewrites: list[tuple[str, Fix]], *,
                python: bool) -> tuple[bytes, list[str]] | None:
        """The text with every rewrite that fits applied, and their rules; None: none did."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.notes.append(f"{shown}: not UTF-8: its fixes were not applied")
            self.explained.update((shown, rule) for rule, _ in rewrites)
            return None
        parses = _parser() if python else None
        accepted: list[_Hunk] = []
        rules: list[str] = []
        for rule, fix in rewrites:
            assert fix.rewrite is not None
            try:
                new = fix.rewrite(text)
            except Exception as exc:  # a bug in one fix must not stop the others
                self.notes.append(f"{shown}: the {rule} fix failed ({type(exc).__name__}: "
                                  f"{exc}); please report this")
                self.explained.add((shown, rule))
                continue
            if new is None or new == text:
                continue
            if parses is not None and not parses(new):
                self.notes.append(f"{shown}: the {rule} fix was dropped: the fixed code would "
                                  "not parse")
                self.explained.add((shown, rule))
                continue
            hunks = _hunks(text, new)
            if any(_conflict(h, a) for h in hunks for a in accepted):
                continue  # it overlaps a fix already taken: the next pass retries it
            accepted += [h for h in hunks if h not in accepted]
            rules.append(rule)
        if not rules:
            return None
        result = _applied(text, accepted)
        if parses is not None and not parses(result):
            self.notes.append(f"{shown}: the fixes of {', '.join(rules)} were dropped: "
                              "together they would not parse")
            self.explained.update((shown, rule) for rule in rules)
            return None
        return result.encode("utf-8"), rules

    # -- staging -----------------------------------------------------------------------------

    def _copy_path(self, staged: _Staged) -> Path:
        if self.temp is None:
            self.temp = Path(tempfile.mkdtemp(prefix="lambdalint-fix-"))
        self.copies += 1
        return self.temp / f"{self.copies}{staged.path.suffix}"

    def _stage(self, staged: _Staged, target: Path) -> None:
        previous = staged.current
        staged.current = target
        files.stage(staged.path, target)
        if previous is not None:
            previous.unlink(missing_ok=True)


class _EntryPlan:
    """What becomes of each entry of a zip, as the fixes of one pass say."""

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        self.modes: list[int | None] = [None] * len(names)
        self.removed = [False] * len(names)
        self.moved = [False] * len(names)
        self.content: dict[int, bytes] = {}
        self._original = names
        # How many kept entries hold each name, and how many beyond one in all: a fix may
        # not add to the latter (a zip that already repeats a name keeps doing so).
        self._holding: Counter[str] = Counter(names)
        self._clashes = len(names) - len(self._holding)
        self._last: dict[str, int] = {name: i for i, name in enumerate(names)}

    def index_of(self, name: str) -> int | None:
        """The entry the check read under ``name``: the last of its copies, as readers
        take it, if the fixes keep it."""
        index = self._last.get(name)
        return index if index is not None and not self.removed[index] else None

    def accept(self, edits: tuple[EntryEdit, ...]) -> bool:
        """Take a fix's edits when they fit those already taken: the entries are still what
        the check saw, no entry moves to two places, and no two entries end up with one
        name that did not share it before. Edits are made in place and undone on refusal,
        so a pass costs the edits it takes, not the zip's size per fix."""
        undo: list[tuple[int, str, int | None, bool, bool]] = []
        clashes = self._clashes
        fits = True
        for edit in edits:
            i = edit.index
            if not 0 <= i < len(self.names) or self._original[i] != edit.member or \
                    (edit.move_to is not None and self.moved[i] and
                     self.names[i] != edit.move_to) or \
                    (edit.mode is not None and self.modes[i] not in (None, edit.mode)):
                fits = False
                break
            undo.append((i, self.names[i], self.modes[i], self.removed[i], self.moved[i]))
            if edit.remove and not self.removed[i]:
                self._drop(self.names[i])
                self.removed[i] = True
            if edit.move_to is not None:
                if not self.removed[i]:
                    self._drop(self.names[i])
                    self._hold(edit.move_to)
                self.names[i], self.moved[i] = edit.move_to, True
            if edit.mode is not None:
                self.modes[i] = edit.mode
        if fits and self._clashes <= clashes:
            return True
        for i, name, mode, removed, moved in reversed(undo):
            if not self.removed[i]:
                self._drop(self.names[i])
            if not removed:
                self._hold(name)
            self.names[i], self.modes[i], self.removed[i], self.moved[i] = \
                name, mode, removed, moved
        return False

    def _drop(self, name: str) -> None:
        self._holding[name] -= 1
        if self._holding[name] >= 1:
            self._clashes -= 1

    def _hold(self, name: str) -> None:
        self._holding[name] += 1
        if self._holding[name] >= 2:
            self._clashes += 1


# -- merging text edits ------------------------------------------------------------------------

_Hunk = tuple[int, int, tuple[str, ...]]  # lines [start, end) of the old text → new lines


# Past this many differing lines, the change is one hunk: matching lines is quadratic, and
# a fix changes a few lines, not thousands.
_MATCHED_LINES = 2000


def _lines(text: str) -> list[str]:
    """Lines ended by "\n" only (``str.splitlines`` also splits at form feeds and other
    characters Python source may hold inside a line)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _hunks(old: str, new: str) -> list[_Hunk]:
    a, b = _lines(old), _lines(new)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if max(len(middle_a), len(middle_b)) > _MATCHED_LINES:
        return [(start, len(a) - end, tuple(middle_b))]
    matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
    return [(start + i1, start + i2, tuple(middle_b[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _conflict(one: _Hunk, other: _Hunk) -> bool:
    """Two changes touch the same or adjacent lines (identical changes do not conflict)."""
    if one == other:
        return False
    return not (one[1] < other[0] or other[1] < one[0])


def _applied(text: str, hunks: list[_Hunk]) -> str:
    lines = _lines(text)
    out: list[str] = []
    at = 0
    for start, end, new in sorted(hunks, key=lambda h: (h[0], h[1])):
        out += lines[at:start]
        out += new
        at = max(at, end)
    out += lines[at:]
    return "".join(out)


def _parser() -> Callable[[str], bool]:
    from lambdalint.fix.codemods import parses

    return parses


# -- writing -------------------------------------------------------------------------------------


def _commit(staged: _Staged) -> str | None:
    """Write the staged copy over the file, atomically; why not, when it must not be."""
    path = staged.path
    changed = "left alone: it changed while the fixes were worked out"
    try:
        if _signature(os.lstat(path)) != staged.signature:
            return changed
        if not staged.is_zip:
            with open(path, "rb") as handle:
                if handle.read(_MAX_TEXT_BYTES + 1) != staged.original:
                    return changed
    except OSError as exc:
        return f"left alone: it cannot be read any more ({_reason(exc)})"
    assert staged.current is not None
    # Beside the file (a rename does not cross file systems), under a name no one can
    # have prepared; removed whatever stops the copy, Ctrl-C included.
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                        suffix=".lambdalint-fix")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out, open(staged.current, "rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
            out.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), staged.mode)
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                os.fchown(out.fileno(), staged.owner[0], staged.owner[1])
            os.fsync(out.fileno())
        if not hasattr(os, "fchmod"):
            os.chmod(temporary, staged.mode)
        if _signature(os.lstat(path)) != staged.signature:
            temporary.unlink()
            return changed
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            return f"not written: {_reason(exc)}"
        raise
    return None


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or \
        type(exc).__name__


# -- where a fix may write ---------------------------------------------------------------------


def _roots(options: Options) -> list[Path]:
    """The folders a fix may write in: the current folder (the project), each folder named
    on the command line, and the config's folder. A file named on the command line is not
    a folder given: outside them, it is left alone like any other file."""
    cwd = Path(os.path.normpath(options.cwd))
    roots = [cwd]
    for name in [*options.paths, *options.functions, *options.layers]:
        path = Path(os.path.normpath(cwd / name))
        if path.is_dir():
            roots.append(path)
    config = cwd / options.config if options.config else discover_config(cwd)
    if config is not None:
        roots.append(Path(os.path.normpath(config)).parent)
    return roots


def _through_symlink(path: Path, roots: list[Path]) -> bool:
    """Whether the file, or a folder between it and the outermost folder given that holds
    it, is a symlink (a folder named on the command line may be one: it is still a way
    out of the project)."""
    outer = min((r for r in roots if inside(path, r)), key=lambda r: len(r.parts))
    current = path
    while current != outer and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def _signature(status: os.stat_result) -> tuple[int, ...]:
    """What tells that a file changed: its content (size, mtime), its metadata (mode,
    owner: ctime) or the file itself (a rename over it)."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns,
            status.st_ctime_ns, status.st_mode, status.st_uid)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return str(path)


# -- what --diff prints ----------------------------------------------------------------------


def _diff(staged: _Staged) -> str:
    assert staged.current is not None
    if staged.is_zip:
        return "".join(_zip_diff(staged))
    with open(staged.current, "rb") as handle:
        new = handle.read().decode("utf-8")
    return _text_diff(staged.original.decode("utf-8"), new, staged.shown, staged.shown)


def _text_diff(old: str, new: str, before: str, after: str) -> str:
    lines = []
    for line in difflib.unified_diff(_lines(old), _lines(new), before, after):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _zip_diff(staged: _Staged) -> Iterator[str]:
    assert staged.current is not None
    yield f"--- {one_line(staged.shown)}\n+++ {one_line(staged.shown)}\n"
    try:
        if _signature(os.lstat(staged.path)) != staged.signature:
            raise OSError("it changed while the fixes were worked out")
        before = ZipTree(staged.path, max_entries=_MAX_ENTRIES)
        after = ZipTree(staged.current, max_entries=_MAX_ENTRIES)
    except (OSError, ArchiveError) as exc:
        yield f"  (its changes cannot be listed: {one_line(_reason(exc))})\n"
        return
    kept = {original: after.members[i] for i, original in enumerate(staged.lineage)}
    contents: list[str] = []
    for index, old in enumerate(before.members):
        new = kept.get(index)
        if new is None:
            yield f"  removed {one_line(old.name)}\n"
            continue
        if new.name != old.name:
            yield f"  moved {one_line(old.name)} → {one_line(new.name)}\n"
        if _permissions(old.mode) != _permissions(new.mode):
            yield (f"  mode {one_line(new.name)} {_permissions(old.mode)} → "
                   f"{_permissions(new.mode)}\n")
        if (old.crc, old.size) != (new.crc, new.size):
            contents.append(_member_diff(staged.shown, before, old, after, new))
    yield from contents


def _member_diff(shown: str, before: ZipTree, old: Member, after: ZipTree,
                 new: Member) -> str:
    try:
        a = before.read(old, _MAX_TEXT_BYTES).decode("utf-8")
        b = after.read(new, _MAX_TEXT_BYTES).decode("utf-8")
    except (MemberError, UnicodeDecodeError):
        return f"  changed {one_line(new.name)}\n"
    return _text_diff(a, b, f"{shown}:{old.name}", f"{shown}:{new.name}")


def _permissions(mode: int | None) -> str:
    return f"{stat.S_IMODE(mode):04o}" if mode is not None else "none"
