from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import entry_fix, make_readable, readable_mode
from lambdalint.finding import Applicability, EntryEdit, Finding, Severity
from lambdalint.model.archive import Member, Tree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.rules import Rule

WORLD_READ, WORLD_EXECUTE = 0o004, 0o001


def unreadable(member: Member) -> bool:
    """True when Lambda's non-root user could not read (or, for folders, enter) the entry."""
    if member.mode is None or member.is_symlink:
        return False  # no Unix mode recorded: Lambda applies readable defaults
    if member.is_dir:
        return member.mode & (WORLD_READ | WORLD_EXECUTE) != WORLD_READ | WORLD_EXECUTE
    return not member.mode & WORLD_READ


class UnreadableEntry(Rule):
    """
    ## What it does
    Checks the Unix permissions recorded in every zip (function and layers): files need
    read for "other", folders read and execute for "other". Entries from archivers that
    record no Unix mode (for example on Windows) are not judged.

    ## Why is this bad?
    Lambda runs your code as a non-root user and keeps the zip's permissions. A module with
    mode 0600 fails at import with `PermissionError: [Errno 13] Permission denied:
    '/var/task/app.py'`; a folder without `x` for others gives `No module named 'pkg.mod'`.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py  mode=0600
        settings.json  mode=0640
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py  mode=0644
        settings.json  mode=0644
    ```

    ## Fix
    `chmod -R a+rX` the build folder before zipping (644 for files, 755 for folders and
    executables). The finding's fix line repairs the existing zip; `lambdalint check --fix`
    sets those modes on the zip's entries themselves.

    ## References
    - [Lambda deployment package file permissions](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-package.html)
    - [Why does my function fail with "permission denied"?](https://repost.aws/knowledge-center/lambda-deployment-package-errors)
    """

    id = "LL104"
    name = "unreadable-entry"
    severity = Severity.ERROR
    summary = "Zip entry without world-read (files) or world-execute (folders) permission"
    tags = ("packaging",)
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for artifact, tree in deployment.zips():
            yield from self.once_per_artifact(artifact, "", self._in, tree)

    def _in(self, artifact: Artifact, tree: Tree) -> Iterator[Finding]:
        indexed = [(i, m) for i, m in enumerate(tree.members) if unreadable(m)]
        bad = [m for _, m in indexed]
        if bad:
            first = bad[0]
            mode = f"{first.mode & 0o7777:04o}" if first.mode is not None else "?"
            others = f" and {len(bad) - 1} more entr{'y' if len(bad) == 2 else 'ies'} " \
                     f"({', '.join(m.name for m in bad[1:4])}{' …' if len(bad) > 4 else ''})" \
                if len(bad) > 1 else ""
            yield self.finding(
                artifact, member=first.name,
                message=(f"{first.name} (mode {mode}){others} cannot be read by the user "
                         "Lambda runs your code as: import fails with "
                         "\"PermissionError: [Errno 13] Permission denied\"; files need 644, "
                         "folders 755"),
                fix=entry_fix(artifact, make_readable(artifact.path),
                              (EntryEdit(m.name, i, mode=readable_mode(m)) for i, m in indexed),
                              "made readable"))
