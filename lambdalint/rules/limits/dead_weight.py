from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lambdalint.advice import entry_fix, removed
from lambdalint.finding import Applicability, Finding, Severity
from lambdalint.model.archive import Member, Tree, ZipTree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.model.distributions import distributions, owner_of
from lambdalint.model.layout import site_root, top_level
from lambdalint.rules import Rule
from lambdalint.units import human_bytes

TOOLING_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox",
                ".pytest_cache", ".mypy_cache", ".ruff_cache", ".idea", ".vscode",
                ".ipynb_checkpoints"}
TEST_DIRS = {"tests", "test", "testing_data"}
DOC_DIRS = {"docs", "doc"}
DOC_SUFFIXES = (".md", ".rst", ".ipynb")
# Reported only when the package is big enough for the bytes to matter to a cold start.
MIN_REPORTED_BYTES = 64 * 1024

CATEGORIES = {
    "tooling": "version-control and tool folders",
    "tests": "test suites",
    "docs": "documentation",
    "pycache": "__pycache__ bytecode",
    "orphans": "files no installed distribution lists in its RECORD",
}


class DeadWeight(Rule):
    """
    ## What it does
    Adds up, per zip, the bytes that only cost upload and cold-start time: version-control
    and tool folders (`.git`, `node_modules`, `.venv` …), test suites (`tests/` in the
    function and inside vendored packages), documentation, `__pycache__` (bytecode for
    *other* Python versions is reported by LL106 instead), and files inside an installed
    distribution's folder that its `RECORD` does not list (left over from another version).
    Each category is one finding with the bytes saved; small amounts are not reported.

    ## Why is this bad?
    Lambda downloads and extracts the whole package on every cold start, and the 250 MB
    unzipped quota (LL601) counts these bytes too.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
        __pycache__/app.cpython-312.pyc  size=100K
        tests/test_app.py  size=300K
        .git/objects/pack/pack-1.pack  size=2M
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py
    ```

    ## Fix
    Exclude them when zipping: `zip -r function.zip . -x '.git/*' '*/tests/*' 'tests/*'
    '*__pycache__*'`; for a pip-built layer,
    `find python -type d \\( -name tests -o -name __pycache__ \\) -prune -exec rm -rf {} +`.
    `lambdalint check --fix` drops the `__pycache__` entries from the zip; tests, docs and
    the rest are left to you (code may import them).

    ## References
    - [Best practices for working with Lambda functions: minimize package size](https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html)
    """

    id = "LL605"
    name = "dead-weight"
    severity = Severity.INFO
    summary = "Bundled tests, docs, .git, __pycache__ or orphaned files: bytes that only cost"
    tags = ("size", "cold-start")
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        own_tag = f".cpython-{runtime.python[0]}{runtime.python[1]}" if runtime else None
        for artifact, tree in deployment.zips():
            yield from self.once_per_artifact(artifact, own_tag or "", self._in, tree, own_tag,
                                              ctx)

    def _in(self, artifact: Artifact, tree: Tree, own_tag: str | None,
            ctx: Context) -> Iterator[Finding]:
        found: dict[str, list[Member]] = defaultdict(list)
        caches: list[int] = []
        listed = self._recorded_files(artifact, ctx)
        for index, member in enumerate(tree.members):
            if member.is_dir:
                continue
            category = self._category(artifact, member, own_tag, listed, ctx)
            if category:
                found[category].append(member)
            if category == "pycache":
                caches.append(index)
        for category, members in sorted(found.items()):
            size = sum(m.size for m in members)
            if size < MIN_REPORTED_BYTES:
                continue
            yield self.finding(
                artifact, member=members[0].name, key=category,
                message=(f"{human_bytes(size)} in {len(members)} files of "
                         f"{CATEGORIES[category]} (e.g. {members[0].name}) are shipped "
                         "but never used: they only slow every cold start"),
                fix=entry_fix(artifact, "exclude them when building the zip (see "
                              "`lambdalint rule LL605`)",
                              removed(tree, caches) if category == "pycache" and
                              isinstance(tree, ZipTree) else (),
                              "dropped __pycache__"))

    @staticmethod
    def _recorded_files(artifact: Artifact, ctx: Context) -> set[str]:
        return {name for dist in distributions(artifact, ctx) for name in dist.files}

    @staticmethod
    def _category(artifact: Artifact, member: Member, own_tag: str | None,
                  listed: set[str], ctx: Context) -> str | None:
        folder, _, base = member.name.rpartition("/")
        folders = set(folder.split("/"))
        if not TOOLING_DIRS.isdisjoint(folders):
            return "tooling"
        if "__pycache__" in folders:
            other_version = own_tag is not None and own_tag not in base
            return None if other_version else "pycache"
        if not TEST_DIRS.isdisjoint(folders):
            return "tests"
        in_dist_info = ".dist-info/" in member.name or ".egg-info/" in member.name
        if not in_dist_info and (not DOC_DIRS.isdisjoint(folders)
                                 or base.endswith(DOC_SUFFIXES)):
            return "docs"
        if listed and member.name not in listed and not in_dist_info:
            root = site_root(artifact, member.name)
            if root is not None and member.name.count("/") > root.count("/"):
                owners = owner_of(artifact, ctx)
                if root + top_level(member.name, root) in owners:
                    return "orphans"
        return None
