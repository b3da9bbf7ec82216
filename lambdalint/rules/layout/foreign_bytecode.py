from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from lambdalint.advice import entry_fix, removed
from lambdalint.data import Runtime, python_for_pyc_magic
from lambdalint.finding import Applicability, Finding, Severity
from lambdalint.model.archive import ZipTree
from lambdalint.model.context import Context
from lambdalint.model.deployment import Artifact, Deployment
from lambdalint.rules import Rule
from lambdalint.units import human_bytes

# PEP 3147 cache file: __pycache__/name.cpython-312.pyc (also .opt-1.pyc)
CACHE_TAG = re.compile(r"__pycache__/[^/]+\.(?P<tag>[a-z]+-\d+)(?:\.opt-\d)?\.pyc$")


class ForeignBytecode(Rule):
    """
    ## What it does
    Checks compiled Python files against the runtime's Python version. A *sourceless* `.pyc`
    (no `.py` beside it, so Python must load it) whose magic number belongs to another
    version is a warning; `__pycache__` entries for other versions in a zip are reported as
    dead weight (info), with the bytes they cost.

    ## Why is this bad?
    CPython refuses bytecode from another version: a sourceless module fails with
    `ImportError: bad magic number in 'app': b'\\xa7\\r\\r\\n'`. Cache files for another
    version are never used on Lambda (its file system is read-only, so they are not even
    rewritten) and only slow down the upload and cold start.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
        __pycache__/app.cpython-311.pyc  pyc=3.11
        secret_sauce.pyc  pyc=3.11
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
        secret_sauce.pyc  pyc=3.12
    ```

    ## Fix
    Compile sourceless modules with the runtime's Python (`python3.12 -m compileall -b`), or
    ship the `.py` source. Build the zip without `__pycache__` folders of other versions:
    `zip -r function.zip . -x '*__pycache__*'`. `lambdalint check --fix` drops the
    `__pycache__` entries of other versions from the zip; a sourceless `.pyc` is left to you
    (dropping it would remove the module).

    ## References
    - [PEP 3147: PYC repository directories](https://peps.python.org/pep-3147/)
    - [importlib: cache_from_source and MAGIC_NUMBER](https://docs.python.org/3/library/importlib.html#importlib.util.MAGIC_NUMBER)
    """

    id = "LL106"
    name = "foreign-bytecode"
    severity = Severity.WARNING
    summary = "Sourceless .pyc for another Python version (or __pycache__ for other versions)"
    needs = ("runtime",)
    tags = ("packaging", "runtime")
    fixes = (Applicability.SAFE, Applicability.DISPLAY_ONLY)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        runtime = deployment.target_runtime
        assert runtime is not None
        for artifact in deployment.artifacts:
            if artifact.tree is not None:
                yield from self.once_per_artifact(artifact, runtime.id, self._in, runtime, ctx)

    def _in(self, artifact: Artifact, runtime: Runtime, ctx: Context) -> Iterator[Finding]:
        own_tag = f"cpython-{runtime.python[0]}{runtime.python[1]}"
        tree = artifact.tree
        assert tree is not None
        stale: dict[str, list[tuple[str, int]]] = defaultdict(list)
        indices: dict[str, int] = {}
        for index, member in enumerate(tree.members):
            if member.is_dir:
                continue
            if not member.name.endswith(".pyc"):
                continue
            cached = CACHE_TAG.search(member.name)
            if cached:
                # A source folder's caches are the developer's, not what ships.
                if cached.group("tag") != own_tag and artifact.is_zip:
                    stale[cached.group("tag")].append((member.name, member.size))
                    indices[member.name] = index
                continue
            if member.name[:-1] in tree.by_name:
                continue  # a .py beside it is what Python imports
            header = ctx.read(artifact, member, 4)
            if header is None or len(header) < 4:
                continue
            magic = int.from_bytes(header[:2], "little")
            if header[2:4] != b"\r\n" or not runtime.accepts_pyc_magic(magic):
                version = python_for_pyc_magic(magic) if header[2:4] == b"\r\n" else None
                built = f"Python {version}" if version else f"unknown bytecode (magic {magic})"
                yield self.finding(
                    artifact, member=member.name,
                    message=(f"{member.name} is sourceless bytecode for {built}, but "
                             f"{runtime.id} only loads Python {runtime.python_version} "
                             "bytecode: import fails with \"bad magic number\""),
                    fix=f"recompile with python{runtime.python_version} -m compileall -b, "
                        "or ship the .py source")
        for tag, files in sorted(stale.items()):
            size = sum(s for _, s in files)
            yield self.finding(
                artifact, member=files[0][0], key=tag, severity=Severity.INFO,
                message=(f"{len(files)} __pycache__ files for {tag} "
                         f"({human_bytes(size)}) are never used by {runtime.id}"),
                fix=entry_fix(artifact, "install with `pip install --no-compile …`, or zip "
                              "with -x '*__pycache__*'",
                              removed(tree, (indices[name] for name, _ in files))
                              if isinstance(tree, ZipTree) else (),
                              f"dropped __pycache__ for {tag}"))
