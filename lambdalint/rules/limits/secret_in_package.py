from __future__ import annotations

import re
from collections.abc import Iterator

from lambdalint.finding import Finding, Severity
from lambdalint.model.archive import Member
from lambdalint.model.context import Context
from lambdalint.model.deployment import FUNCTION, Artifact, Deployment
from lambdalint.model.distributions import owner_of
from lambdalint.model.layout import site_root, top_level
from lambdalint.rules import Rule

SECRET_FILE_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc", ".pgpass"}
# Checked for a private key block: the name alone says nothing (certifi ships cacert.pem).
KEY_FILE_SUFFIXES = (".pem", ".key")
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")
TEXT_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".env", ".cfg", ".ini", ".toml", ".txt",
                 ".sh", ".conf", ".properties", ".js", ".ts", ".pem", ".key")
SCAN_LIMIT = 1024 * 1024
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
ACCESS_KEY_ID = re.compile(rb"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])")
SECRET_ACCESS_KEY = re.compile(
    rb"(?i)aws_?secret(?:_access)?_?key[\"']?\s*[:=]\s*[\"']?(?P<secret>[A-Za-z0-9/+]{40})"
    rb"(?![A-Za-z0-9/+])")


def secret_file_reason(name: str) -> str | None:
    base = name[name.rfind("/") + 1:]
    if not base.startswith(".") and base not in SECRET_FILE_NAMES and base != "credentials":
        return None  # the common case, decided without further string work
    if base.endswith(TEMPLATE_SUFFIXES):
        return None
    if base == ".env" or base.startswith(".env."):
        return "an environment file (.env) with the developer's settings"
    if name.endswith(".aws/credentials") or (base == "credentials" and "/.aws/" in f"/{name}"):
        return "an AWS shared credentials file"
    if base in SECRET_FILE_NAMES:
        return f"a credentials file ({base})"
    return None


class SecretInPackage(Rule):
    """
    ## What it does
    Looks for credentials shipped in the deployment: `.env` files, `.aws/credentials`, SSH
    private keys (`id_rsa` …), `.pem`/`.key` files holding a private key, and AWS access key
    ids (`AKIA…`, `ASIA…`) or secret access keys in the text files of the function's own code
    (vendored distributions are not scanned). The message never prints the secret.

    ## Why is this bad?
    Anyone who can download the function's code (`lambda:GetFunction`, the console, a leaked
    artifact bucket) gets the credentials. Lambda gives the function its own temporary
    credentials through its execution role; shipped keys are never needed.

    ## Example
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py  text=import boto3\\nKEY = "AKIAZ7QWERTYUIOPASDF"\\n
        .env  text=DB_PASSWORD=hunter2\\n
    ```

    ## Use instead
    ```deployment
    lambdalint check function.zip
    function.zip:
        app.py  text=import os\\nDB_SECRET_ARN = os.environ["DB_SECRET_ARN"]\\n
        .env.example  text=DB_SECRET_ARN=\\n
    ```

    ## Fix
    Remove the file or value, **rotate the credential** (it has been shipped), and read
    secrets at run time from the execution role, Secrets Manager or SSM Parameter Store.
    Exclude dotfiles from the build: `zip -r function.zip . -x '.env*' '.aws/*'`.

    ## References
    - [Lambda execution role](https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)
    - [Use Secrets Manager secrets in Lambda functions](https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html)
    """

    id = "LL604"
    name = "secret-in-package"
    severity = Severity.ERROR
    summary = "Credentials in the package: .env, key files, AWS access keys in code"
    tags = ("security", "external/cwe/cwe-798")
    security_severity = "8.0"  # credentials shipped to everyone who can read the package

    def check(self, deployment: Deployment, ctx: Context) -> Iterator[Finding]:
        for artifact in deployment.artifacts:
            if artifact.tree is not None:
                yield from self.once_per_artifact(artifact, artifact.role, self._in, ctx)

    def _in(self, artifact: Artifact, ctx: Context) -> Iterator[Finding]:
        assert artifact.tree is not None
        for member in artifact.tree.files():
            reason = secret_file_reason(member.name)
            if reason is not None:
                yield self.finding(
                    artifact, member=member.name,
                    message=f"{member.name} is {reason}: it ships with the code",
                    fix="remove it from the package and rotate what it holds")
                continue
            if artifact.role == FUNCTION and self._own_text_file(artifact, member, ctx):
                yield from self._scan(artifact, member, ctx)

    @staticmethod
    def _own_text_file(artifact: Artifact, member: Member, ctx: Context) -> bool:
        if not member.name.endswith(TEXT_SUFFIXES) or member.size > SCAN_LIMIT:
            return False
        root = site_root(artifact, member.name) or ""
        top = top_level(member.name, root)
        top = top[:-3] if top.endswith(".py") else top
        return root + top not in owner_of(artifact, ctx)

    def _scan(self, artifact: Artifact, member: Member, ctx: Context) -> Iterator[Finding]:
        data = ctx.read(artifact, member, SCAN_LIMIT)
        if not data:
            return
        hits: list[tuple[int, str]] = []
        if member.name.endswith(KEY_FILE_SUFFIXES) or b"PRIVATE KEY-----" in data:
            hits += [(m.start(), "a private key") for m in PRIVATE_KEY.finditer(data)]
        hits += [(m.start(), f"an AWS access key id ({m.group()[:4].decode()}…, redacted)")
                 for m in ACCESS_KEY_ID.finditer(data) if b"EXAMPLE" not in m.group()]
        hits += [(m.start(), "an AWS secret access key (redacted)")
                 for m in SECRET_ACCESS_KEY.finditer(data)
                 if b"EXAMPLE" not in m.group("secret")]
        for offset, what in sorted(hits):
            line = data.count(b"\n", 0, offset) + 1
            yield self.finding(
                artifact, member=member.name, line=line, column=1, key=what,
                message=f"{member.name} line {line} holds {what}: it ships with the code",
                fix="remove it, rotate it, and use the execution role or Secrets Manager")
