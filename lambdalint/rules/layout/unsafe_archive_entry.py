from __future__ import annotations

from collections.abc import Iterator

from lambdalint.advice import entry_fix
from lambdalint.finding import Applicability, EntryEdit, Finding, Fix, Severity
from lambdalint.model.archive import Tree, ZipTree, link_target_anomaly
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.rules import Rule

LINK_TARGET_LIMIT = 4096


class UnsafeArchiveEntry(Rule):
    """
    ## What it does
    Reports zip entries that are unsafe or ambiguous to extract: absolute paths, `..`
    components, symlinks that point outside the package, duplicate entry names and encrypted
    entries. lambdalint never extracts them; it only reads the central directory (and a
    symlink's target).

    ## Why is this bad?
    Such entries either escape the folder Lambda extracts into, extract differently depending
    on the tool (which of two duplicates wins is undefined), or cannot be extracted at all
    (encryption). Either the upload is rejected or the function runs code nobody reviewed.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
        ../outside.py
        config  link=../../etc/passwd
        app.py
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
        outside.py
        config  link=settings/config
        settings/config
    ```

    ## Fix
    Rebuild the zip from a clean folder with `zip -r` (which stores relative paths and each
    file once); replace symlinks that leave the package with the files themselves
    (`zip -r --symlinks` is not needed for Lambda); do not encrypt deployment packages.
    `lambdalint check --fix` drops duplicate entries that are exact copies of each other
    (same content, size and mode), keeping the last, which is the one `unzip -o` and Python's
    `zipfile` use; duplicates that differ are left to you.

    ## References
    - [Zip Slip vulnerability](https://security.snyk.io/research/zip-slip-vulnerability)
    - [Lambda deployment packages](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-package.html)
    """

    id = "LL105"
    name = "unsafe-archive-entry"
    severity = Severity.ERROR
    summary = "Absolute, '..', escaping-symlink, duplicate or encrypted zip entry"
    tags = ("security", "packaging", "external/cwe/cwe-22")
    security_severity = "7.5"  # an entry that writes outside the folder it is extracted to
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for artifact in deployment.artifacts:
            tree = artifact.tree
            if tree is None:
                continue
            anomalies = list(tree.anomalies)
            if artifact.is_zip:
                for member in tree.members:
                    if member.is_symlink:
                        target = ctx.read(artifact, member, LINK_TARGET_LIMIT)
                        anomaly = link_target_anomaly(
                            member, (target or b"").decode("utf-8", "replace"))
                        if anomaly is not None:
                            anomalies.append(anomaly)
            # Where each duplicated name's copies are, found in one pass.
            copies: dict[str, list[int]] = {a.member: [] for a in anomalies if a.duplicate}
            if copies and isinstance(tree, ZipTree):
                for index, member in enumerate(tree.members):
                    if member.name in copies:
                        copies[member.name].append(index)
            for anomaly in anomalies:
                yield self.finding(artifact, member=anomaly.member, key=anomaly.problem,
                                   message=f"{anomaly.member}: {anomaly.problem}",
                                   fix=self._fix(artifact, tree, copies.get(anomaly.member))
                                   if anomaly.duplicate else None)

    @staticmethod
    def _fix(artifact: Artifact, tree: Tree, indices: list[int] | None) -> Fix | None:
        """Exact copies of one entry: all but the last dropped."""
        if not indices or not isinstance(tree, ZipTree):
            return None
        copies = [(i, tree.members[i]) for i in indices]
        first = copies[0][1]
        if any((m.crc, m.size, m.mode, m.is_dir, m.is_symlink) !=
               (first.crc, first.size, first.mode, first.is_dir, first.is_symlink)
               for _, m in copies):
            return None
        return entry_fix(artifact, "keep one copy of the entry",
                         (EntryEdit(m.name, i, remove=True) for i, m in copies[:-1]),
                         "dropped exact duplicates")
