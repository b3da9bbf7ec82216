"""Well-known public layers, recognised from a layer ARN alone.

lambdalint never downloads a layer, so when a template attaches a public one by ARN, the
publisher's account and the layer name are all there is to go on: most publishers spell the
runtime and architecture into the name, and what each family installs under ``/opt`` is data
(``data/public_layers.json``).

Imported on every template run: only the standard library's lightest modules belong here.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lambdalint.data import ARCHITECTURES, DataError, _load
from lambdalint.records import field, record

_FILE = "public_layers.json"


@record(frozen=True)
class PublicLayer:
    family: str  # record id
    publisher: str
    arn: str  # as given
    name: str  # layer name parsed from the ARN
    version: str | None  # layer version number if present in the ARN
    runtimes: tuple[str, ...] | None  # Lambda runtime ids it was built for; None = any/unknown
    architectures: tuple[str, ...] | None  # None = not stated
    kind: str  # python | extension | native | node
    install: str | None  # "python" (/opt/python) | "site-packages" (one minor only) | None
    modules: frozenset[str]  # top-level import names known to be provided
    distributions: frozenset[str]
    complete: bool  # False when the layer may provide more than `modules`
    removed: frozenset[str]  # deleted from the layer although what it carries uses them
    notes: str
    compiled: bool = False  # binaries tied to `runtimes` (Python kinds) and `architectures`
    excluded: frozenset[str] = frozenset()  # documented as absent, whatever `complete` says
    wrapper: str | None = None  # the handler or exec wrapper the layer expects
    # distribution -> version range every version of the layer holds (pydantic v1 in v2)
    versions: dict[str, str] = field(default_factory=dict, compare=False)


@record(frozen=True)
class _Family:
    id: str
    publisher: str
    accounts: frozenset[str] | None  # None: one account per region, the name decides
    pattern: re.Pattern[str]
    distinctive: bool
    arch: str | None  # an architecture, "from-name" or None
    arch_names: dict[str, str]
    runtimes: str | tuple[str, ...]  # "from-name", "any" or the declared runtimes
    kind: str
    install: str | None
    modules: frozenset[str]
    distributions: frozenset[str]
    modules_from_package: bool
    complete: bool
    compiled: bool
    removed: frozenset[str]
    excluded: frozenset[str]
    versions: dict[str, str]
    wrapper: str | None
    notes: str
    examples: tuple[str, ...]


# --- ARN parsing -------------------------------------------------------------------------

# Far above the API's 140 characters, because placeholders lengthen a template's ARN; the cap
# keeps a hostile template from costing more than a glance.
_MAX_TEXT = 2048
_PARTITION = re.compile(r"aws(?:-[a-z0-9]+)*")
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ACCOUNT = re.compile(r"\d{12}")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,140}")
_VERSION = re.compile(r"\d+")
# What templates and code leave where a value goes: ${AWS::Region}, {region}, #{AWS::Region},
# <region>, *, %s, $REGION, ' + self.region + '. A literal AWS never contains any of these.
_PLACEHOLDER = re.compile(r"""[${}<>*%'"+\s]""")


def _split(text: str) -> list[str] | None:
    """Split at the colons outside braces: ``${AWS::Region}`` is one field, not three."""
    fields, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
        elif char == ":" and depth == 0:
            fields.append(text[start:index])
            start = index + 1
    if depth:
        return None
    fields.append(text[start:])
    return fields


def _part(value: str, literal: re.Pattern[str]) -> tuple[bool, str | None]:
    """(acceptable, value): a placeholder is acceptable but unknown; other junk is not."""
    if literal.fullmatch(value):
        return True, value
    return bool(_PLACEHOLDER.search(value)), None


def parse_layer_arn(
    text: str,
) -> tuple[str | None, str | None, str | None, str | None, str | None] | None:
    """(partition, region, account, layer name, version) of a layer ARN, else None.

    A part a template left as a placeholder is None, and so is a missing version (Terraform's
    data source takes the unversioned ARN).
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        return None
    fields = _split(text.strip())
    if fields is None or len(fields) not in (7, 8):
        return None
    if fields[0] != "arn" or fields[2] != "lambda" or fields[5] != "layer":
        return None
    parts: list[str | None] = []
    for value, literal in zip(fields[1:2] + fields[3:5] + fields[6:],
                              (_PARTITION, _REGION, _ACCOUNT, _NAME, _VERSION)):
        acceptable, known = _part(value, literal)
        if not acceptable:
            return None
        parts.append(known)
    parts.extend([None] * (5 - len(parts)))
    partition, region, account, name, version = parts
    return partition, region, account, name, version


# --- identification ----------------------------------------------------------------------


# Public SSM parameters whose value is a publisher's layer ARN, as templates reference them
# (`{{resolve:ssm:/aws/service/powertools/python/arm64/python3.13/latest}}`): the path names
# the layer as its ARN would.
_SSM_PARAMETERS = (
    (re.compile(r"/aws/service/powertools/python/(?P<arch>x86_64|arm64)/python3\.(?P<minor>\d+)"
                r"/[^}/]+"),
     "arn:aws:lambda:*:017000801446:layer:AWSLambdaPowertoolsPythonV3-python3{minor}-{arch}"),
    (re.compile(r"/aws/service/aws-sdk-pandas/[^/]+/py3\.(?P<minor>\d+)/"
                r"(?P<arch>x86_64|arm64)/layer-arn"),
     "arn:aws:lambda:*:*:layer:AWSSDKPandas-Python3{minor}{suffix}"),
)


def _from_ssm_parameter(text: str) -> str | None:
    """The ARN a well-known public SSM parameter stands for, when the text resolves one."""
    # CloudFormation's {{resolve:ssm:…}} and the Serverless Framework's ${ssm:…}
    if not isinstance(text, str) or ("resolve:ssm" not in text and "${ssm:" not in text):
        return None
    for pattern, arn in _SSM_PARAMETERS:
        match = pattern.search(text)
        if match is not None:
            return arn.format(minor=match["minor"], arch=match["arch"],
                              suffix="-Arm64" if match["arch"] == "arm64" else "")
    return None


def identify(arn: str) -> PublicLayer | None:
    """The public layer an ARN names, or None for a layer lambdalint does not know.

    The account and the name decide. When a template leaves the account as a placeholder,
    the name alone decides, and only for names no one else would choose. A reference to a
    publisher's public SSM parameter counts as the ARN it holds.
    """
    parts = parse_layer_arn(_from_ssm_parameter(arn) or arn)
    if parts is None:
        return None
    _, _, account, name, version = parts
    if name is None:
        return None
    families, import_names = _table()
    for family in families:
        match = family.pattern.fullmatch(name)
        if match is None:
            continue
        if account is None:
            if not family.distinctive:
                continue
        elif family.accounts is not None and account not in family.accounts:
            continue
        return _layer(family, match, arn, name, version, import_names)
    return None


def _layer(family: _Family, match: re.Match[str], arn: str, name: str, version: str | None,
           import_names: dict[str, tuple[str, ...]]) -> PublicLayer:
    groups = match.groupdict()
    runtimes: tuple[str, ...] | None
    if family.runtimes == "from-name":
        runtimes = (f"python{groups.get('major') or 3}.{int(groups['minor'])}",)
    elif family.runtimes == "any":
        runtimes = None
    else:
        runtimes = tuple(family.runtimes)
    architectures: tuple[str, ...] | None = None
    if family.arch == "from-name":
        arch = family.arch_names.get(groups["arch"] or "")
        architectures = (arch,) if arch else None
    elif family.arch is not None:
        architectures = (family.arch,)
    modules, distributions = family.modules, family.distributions
    if family.modules_from_package:
        package = _normalize(groups["package"])
        modules = frozenset(import_names.get(package) or (package.replace("-", "_"),))
        distributions = frozenset({package})
    return PublicLayer(
        family=family.id, publisher=family.publisher, arn=arn, name=name, version=version,
        runtimes=runtimes, architectures=architectures, kind=family.kind,
        install=family.install, modules=modules, distributions=distributions,
        complete=family.complete, removed=family.removed, notes=family.notes,
        compiled=family.compiled, excluded=family.excluded, wrapper=family.wrapper,
        versions=dict(family.versions),
    )


def _normalize(distribution: str) -> str:
    # PEP 503, so that Klayers-p312-Pillow and a hand-written Klayers-p312-pillow agree
    return re.sub(r"[-_.]+", "-", distribution).lower()


# --- the table and its invariants --------------------------------------------------------


def _read() -> Any:
    # apart from _table so that a test can hand the loader a broken table
    return _load(_FILE)


@functools.cache
def _table() -> tuple[tuple[_Family, ...], dict[str, tuple[str, ...]]]:
    raw = _read()
    try:
        import_names = _import_names(raw["klayers_import_names"])
        families: list[_Family] = []
        for row in raw["layers"]:
            family = _family(row)
            if any(f.id == family.id for f in families):
                raise DataError(f"{_FILE}: {family.id}: duplicate id")
            families.append(family)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise DataError(f"{_FILE}: malformed table: {error!r}") from error
    _check_unambiguous(families)
    return tuple(families), import_names


_REQUIRED = frozenset({
    "id", "publisher", "accounts", "name_pattern", "name_distinctive", "examples", "arch",
    "runtimes", "kind", "install", "modules", "distributions", "complete", "compiled",
    "removed", "excluded", "versions", "wrapper", "notes", "sources",
})
_OPTIONAL = frozenset({"arch_names", "region_accounts", "modules_from_package"})
_GROUPS = frozenset({"major", "minor", "arch", "package"})
_KINDS = frozenset({"python", "extension", "native", "node"})
_INSTALLS = frozenset({"python", "site-packages", None})
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RUNTIME_ID = re.compile(r"python[23]\.\d{1,2}|nodejs\d{1,2}\.x")
_REGION_KEY = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d+|default")
_DISTRIBUTION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _import_names(raw: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for package, modules in raw.items():
        if package != _normalize(package) or not modules or not _identifiers(modules):
            raise DataError(f"{_FILE}: klayers_import_names: {package!r} must be a normalized "
                            "name mapped to a non-empty list of import names")
        table[package] = tuple(modules)
    return table


def _identifiers(names: list[str]) -> bool:
    return isinstance(names, list) and all(isinstance(n, str) and n.isidentifier() for n in names)


def _family(row: dict[str, Any]) -> _Family:
    problems: list[str] = []
    fields = set(row)
    missing, unknown = sorted(_REQUIRED - fields), sorted(fields - _REQUIRED - _OPTIONAL)
    if missing or unknown:
        wrong = [f"{what} fields {names}" for what, names in
                 (("missing", missing), ("unknown", unknown)) if names]
        raise DataError(f"{_FILE}: {row.get('id')}: " + "; ".join(wrong))
    ident: str = row["id"]
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        problems.append("id must be lower-case words joined by -")
    if not isinstance(row["publisher"], str) or not row["publisher"]:
        problems.append("publisher must be named")
    try:
        pattern = re.compile(row["name_pattern"])
    except re.error as error:
        raise DataError(f"{_FILE}: {ident}: name_pattern does not compile: {error}") from None
    groups = set(pattern.groupindex)
    if not groups <= _GROUPS:
        problems.append(f"name_pattern groups must be among {sorted(_GROUPS)}")

    accounts = row["accounts"]
    if accounts is None:
        if row["name_distinctive"] is not True:
            problems.append("without accounts the name alone decides, so it must be distinctive")
    elif not accounts or not all(isinstance(a, str) and _ACCOUNT.fullmatch(a) for a in accounts):
        problems.append("accounts must be null or a non-empty list of 12-digit ids")
    problems += _region_accounts_problems(row.get("region_accounts", {}))

    arch, arch_names = row["arch"], row.get("arch_names", {})
    if arch == "from-name":
        if "arch" not in groups or not arch_names:
            problems.append("arch from-name needs an 'arch' group and arch_names")
        if not set(arch_names.values()) <= set(ARCHITECTURES):
            problems.append(f"arch_names must map to {ARCHITECTURES}")
    elif arch is not None and arch not in ARCHITECTURES:
        problems.append(f"arch must be one of {ARCHITECTURES}, from-name or null")
    elif "arch" in groups or arch_names:
        problems.append("an 'arch' group or arch_names need arch from-name")

    runtimes = row["runtimes"]
    if runtimes == "from-name":
        if "minor" not in groups:
            problems.append("runtimes from-name needs a 'minor' group")
    elif "minor" in groups or "major" in groups:
        problems.append("a 'minor' or 'major' group needs runtimes from-name")
    elif runtimes != "any" and (
            not isinstance(runtimes, list) or not runtimes or len(set(runtimes)) != len(runtimes)
            or not all(isinstance(r, str) and _RUNTIME_ID.fullmatch(r) for r in runtimes)):
        problems.append("runtimes must be from-name, any or distinct runtime ids (python3.N)")

    kind, install = row["kind"], row["install"]
    if kind not in _KINDS:
        problems.append(f"kind must be one of {sorted(_KINDS)}")
    if install not in _INSTALLS:
        problems.append("install must be python, site-packages or null")
    if (kind == "python") != (install is not None):
        problems.append("a python layer, and only one, has an install location")
    if install == "site-packages" and runtimes != "from-name":
        problems.append("a site-packages layer serves one minor, which its name must give")

    modules, distributions = row["modules"], row["distributions"]
    for key in ("modules", "removed", "excluded"):
        if not _identifiers(row[key]):
            problems.append(f"{key} must be a list of import names")
    if not isinstance(distributions, list) or not all(
            isinstance(d, str) and _DISTRIBUTION.fullmatch(d) for d in distributions):
        problems.append("distributions must be normalized distribution names")
    if kind != "python" and (modules or distributions or row["complete"] is not True):
        problems.append("a layer with nothing to import has no modules and is complete")
    if set(modules) & (set(row["removed"]) | set(row["excluded"])):
        problems.append("a module cannot be both provided and removed or excluded")
    from_package = row.get("modules_from_package", False)
    if from_package is not ("package" in groups) or (from_package and row["complete"]):
        problems.append("modules_from_package, a 'package' group and complete false go together")
    versions = row["versions"]
    if not isinstance(versions, dict) or not set(versions) <= set(distributions):
        problems.append("versions must map distributions the layer provides")

    for key in ("name_distinctive", "complete", "compiled"):
        if not isinstance(row[key], bool):
            problems.append(f"{key} must be true or false")
    if row["wrapper"] is not None and (not isinstance(row["wrapper"], str) or not row["wrapper"]):
        problems.append("wrapper must be null or a description")
    if not isinstance(row["notes"], str) or not row["sources"]:
        problems.append("notes and sources must be given")

    examples = row["examples"]
    if not examples:
        problems.append("examples must show at least one name")
    for example in examples:
        match = pattern.fullmatch(example)
        if match is None:
            problems.append(f"name_pattern does not match its example {example!r}")
        elif arch == "from-name" and (match.groupdict().get("arch") or "") not in arch_names:
            problems.append(f"arch_names does not name the architecture of {example!r}")
    if problems:
        raise DataError(f"{_FILE}: {ident}: " + "; ".join(problems))

    return _Family(
        id=ident, publisher=row["publisher"],
        accounts=None if accounts is None else frozenset(accounts),
        pattern=pattern, distinctive=row["name_distinctive"], arch=arch,
        arch_names=dict(arch_names),
        runtimes=runtimes if isinstance(runtimes, str) else tuple(runtimes),
        kind=kind, install=install, modules=frozenset(modules),
        distributions=frozenset(distributions), modules_from_package=from_package,
        complete=row["complete"], compiled=row["compiled"], removed=frozenset(row["removed"]),
        excluded=frozenset(row["excluded"]), versions=dict(versions), wrapper=row["wrapper"],
        notes=row["notes"], examples=tuple(examples),
    )


def _region_accounts_problems(table: dict[str, Any]) -> list[str]:
    for region, account in table.items():
        accounts = account.items() if isinstance(account, dict) else [("x86_64", account)]
        if not _REGION_KEY.fullmatch(region) or not all(
                arch in ARCHITECTURES and isinstance(a, str) and _ACCOUNT.fullmatch(a)
                for arch, a in accounts):
            return [f"region_accounts: {region!r} must map a region to 12-digit account ids"]
    return []


def _check_unambiguous(families: list[_Family]) -> None:
    # identify() takes the first family that matches: a name two families claim would make
    # the table's order decide who published it.
    for family in families:
        for example in family.examples:
            for other in families:
                if other is not family and other.pattern.fullmatch(example):
                    raise DataError(f"{_FILE}: {family.id}'s example {example!r} also matches "
                                    f"{other.id}")
