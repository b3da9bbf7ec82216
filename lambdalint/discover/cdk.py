"""A CDK cloud assembly (`cdk.out`): the stacks `cdk synth` wrote, and their assets.

`manifest.json` lists the stacks (`aws:cloudformation:stack` artifacts, each with its
template) and nested assemblies (CDK Pipelines stages); a stack's template may hold nested
stacks (`AWS::CloudFormation::Stack` whose template is an asset, which the template
reader reports). Each template is read as
any CloudFormation template; a function's or layer's `aws:asset:path` metadata names the
folder or zip in cdk.out that holds its code, so that is what gets checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdalint.discover import Project, sam
from lambdalint.discover.decode import DecodeError, read_regular
from lambdalint.model.spec import TEMPLATE, Discovery, Origin, SpecProblem

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 8  # nested assemblies and nested stacks; CDK apps nest two or three deep
MAX_TEMPLATES = 500


def discover(path: Path, project: Project) -> Discovery:
    shown = project.display(path)
    discovery = Discovery(source=shown, kind="cdk")
    _Assembly(project, discovery, set()).read(path, 0)
    if not discovery.functions and not discovery.problems and not discovery.other_functions:
        discovery.notes.append(f"{shown}: no Lambda function in the cloud assembly")
    return discovery


class _Assembly:
    def __init__(self, project: Project, discovery: Discovery, seen: set[Path]) -> None:
        self.project = project
        self.discovery = discovery
        self.seen = seen

    def problem(self, message: str, where: Path) -> None:
        shown = self.project.display(where)
        self.discovery.problems.append(SpecProblem(f"{shown}: {message}",
                                                   Origin(TEMPLATE, shown)))

    def read(self, folder: Path, depth: int) -> None:
        found = self.project.local("manifest.json", folder,
                                   Origin(TEMPLATE, self.project.display(folder)), "manifest")
        if isinstance(found, SpecProblem):
            self.discovery.problems.append(found)
            return
        manifest_path = found
        manifest = self._json(manifest_path)
        if not isinstance(manifest, dict):
            return
        artifacts = manifest.get("artifacts")
        if not isinstance(artifacts, dict):
            self.problem("no artifacts: not a CDK cloud assembly manifest", manifest_path)
            return
        for name, artifact in sorted(artifacts.items()):
            if not isinstance(artifact, dict):
                continue
            properties = artifact.get("properties")
            properties = properties if isinstance(properties, dict) else {}
            if artifact.get("type") == "aws:cloudformation:stack":
                template = properties.get("templateFile")
                if isinstance(template, str):
                    self.template(folder, template, f"stack {name}", depth)
            elif artifact.get("type") == "cdk:cloud-assembly":
                directory = properties.get("directoryName")
                if not isinstance(directory, str):
                    continue
                if depth >= MAX_DEPTH:
                    self.problem(f"assemblies nested more than {MAX_DEPTH} deep: "
                                 f"{directory} not read", manifest_path)
                    continue
                found = self.project.local(directory, folder, Origin(
                    TEMPLATE, self.project.display(manifest_path)), f"assembly {name}")
                if isinstance(found, SpecProblem):
                    self.discovery.problems.append(found)
                elif found.resolve() not in self.seen:
                    self.seen.add(found.resolve())
                    self.read(found, depth + 1)

    def template(self, folder: Path, name: str, what: str, depth: int) -> None:
        found = self.project.local(name, folder, Origin(
            TEMPLATE, self.project.display(folder / "manifest.json")), what)
        if isinstance(found, SpecProblem):
            self.discovery.problems.append(found)
            return
        if found.resolve() in self.seen:
            return  # one template reached twice (a stack and its stage) is read once
        if len(self.seen) >= MAX_TEMPLATES:
            self.problem(f"more than {MAX_TEMPLATES} templates: {name} not read", found)
            return
        self.seen.add(found.resolve())
        read = sam.discover(found, self.project)
        self.discovery.functions += read.functions
        self.discovery.problems += read.problems
        self.discovery.notes += read.notes
        self.discovery.other_functions += read.other_functions
        for nested in read.nested_templates:
            if depth >= MAX_DEPTH:
                self.problem(f"stacks nested more than {MAX_DEPTH} deep: {nested} not read",
                             found)
                continue
            self.template(found.parent, nested, f"nested stack {nested}", depth + 1)

    def _json(self, path: Path) -> Any:
        try:
            return json.loads(read_regular(path, MAX_MANIFEST_BYTES))
        except DecodeError as exc:
            self.problem(exc.message, path)
        except (ValueError, RecursionError) as exc:
            self.problem(f"cannot read: {exc}", path)
        return None
