from __future__ import annotations

from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.context import Context
from lambdalint.model.declared import declarations
from lambdalint.model.deployment import Deployment
from lambdalint.model.distributions import normalize
from lambdalint.model.importview import import_view
from lambdalint.model.requirements import applies, environments
from lambdalint.rules import Rule


class RequirementsDrift(Rule):
    """
    ## What it does
    Compares the requirements declared beside the function's code (`requirements.txt`, or
    `[project] dependencies` in `pyproject.toml`, at the root of the function's folder or
    zip) with what the deployment really contains (function and layers): a declared
    distribution that is missing, or installed at a version outside its pin. Markers are
    evaluated for the target. Unbuilt source folders without layers are not judged (nothing
    is installed yet; LL301 uses the declarations there).

    ## Why is this bad?
    The artifact was built from other requirements than the ones in the repository: a stale
    zip, a layer built for another branch. What is deployed is not what was reviewed.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
        requirements.txt  text=requests==2.32.3\\n
        requests/__init__.py
        requests-2.31.0.dist-info/RECORD  text=requests/__init__.py,,
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 function.zip
    function.zip:
        app.py
        requirements.txt  text=requests==2.32.3\\n
        requests/__init__.py
        requests-2.32.3.dist-info/RECORD  text=requests/__init__.py,,
    ```

    ## Fix
    Rebuild the zip and layers from the current requirements, from an empty folder.

    ## References
    - [Requirements file format](https://pip.pypa.io/en/stable/reference/requirements-file-format/)
    - [pyproject.toml: dependencies](https://packaging.python.org/en/latest/specifications/pyproject-toml/#dependencies-optional-dependencies)
    """

    id = "LL306"
    name = "requirements-drift"
    severity = Severity.WARNING
    function_code = True
    summary = "Declared requirements disagree with what the function and layers contain"
    needs = ("runtime",)
    tags = ("dependencies",)

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        from packaging.version import InvalidVersion, Version

        function = deployment.function
        if function is None or deployment.from_source or \
                (not function.is_zip and not deployment.layers):
            return  # a build of the source installs what it declares
        view = import_view(deployment, ctx)
        assert view is not None
        envs = environments(deployment)
        for declared in declarations(deployment, ctx):
            requirement = declared.requirement
            if not applies(requirement, envs, set()):
                continue
            copy = view.distribution(normalize(requirement.name))
            if copy is None:
                problem = "is not installed in the function or its layers"
            elif copy.artifact is None:
                continue  # the runtime's own copy: present, version unknown
            else:
                try:
                    version = Version(copy.dist.version)
                except InvalidVersion:
                    continue
                if requirement.specifier.contains(version, prereleases=True):
                    continue
                problem = (f"is installed at {copy.dist.version} "
                           f"({copy.artifact.path}: {copy.dist.dist_info})")
            yield self.finding(
                function, member=declared.source, key=normalize(requirement.name),
                message=f"{declared.source} declares {requirement}, but it {problem}",
                fix="rebuild the package from the current requirements")
