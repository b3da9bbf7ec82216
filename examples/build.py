#!/usr/bin/env python3
"""Build lambdalint's example deployments: a broken one and its fixed twin.

    python3 examples/build.py [FOLDER]      (default: the folder holding this script)

writes FOLDER/broken/*.zip and FOLDER/fixed/*.zip. The output is the same bytes on every
machine and every Python >= 3.9: entries are sorted, dated 1980-01-01 00:00, carry explicit
Unix modes, and are stored uncompressed (deflate output depends on the zlib build). Only the
standard library is used.

The function is a small API Gateway handler that uses ``requests`` from a layer. The
packages in the layers are stubs: their file names and ``*.dist-info`` metadata are real,
their code is not.

broken/ makes five classic mistakes, all of which `lambdalint check --fix --unsafe-fixes`
repairs:

- function.zip was made by zipping the folder, not its contents (``my_function/app.py``):
  the handler ``app.handler`` is not at the root (LL103, hence LL401);
- ``my_function/config.json`` has mode 0600, so the Lambda user cannot read it (LL104);
- it ships ``__pycache__`` from the developer's Python 3.11, never used (LL106);
- layer-requests.zip was zipped from inside ``python/`` (``requests/__init__.py``), so
  nothing in it is importable from /opt (LL101);
- the handler creates its CloudWatch client on every invocation (LL505; found once the code
  is at the root), and the config still says ``python3.9``, a deprecated runtime (LL208).

fixed/ is the same deployment packaged correctly, on python3.12.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
DIR_MODE = 0o755

# name -> (mode, content) of one zip; folders are derived from the file names.
Entries = dict[str, tuple[int, bytes]]

APP = b'''\
"""Health check behind API Gateway: says whether the upstream service answers, and
records the answer as a CloudWatch metric."""

import boto3

from helpers import upstream_is_up


def handler(event, context):
    cloudwatch = boto3.client("cloudwatch")
    up = upstream_is_up()
    cloudwatch.put_metric_data(Namespace="HealthCheck", MetricData=[
        {"MetricName": "UpstreamUp", "Value": 1 if up else 0}])
    if not up:
        return {"statusCode": 503, "body": "upstream unavailable"}
    return {"statusCode": 200, "body": "ok"}
'''

# The same handler with its client made once per execution environment.
FIXED_APP = APP.replace(
    b'''

def handler(event, context):
    cloudwatch = boto3.client("cloudwatch")
''', b'''
cloudwatch = boto3.client("cloudwatch")


def handler(event, context):
''')
assert FIXED_APP != APP

HELPERS = b'''\
"""Settings from config.json, and one HTTP session per execution environment."""

import json
from pathlib import Path

import requests

CONFIG = json.loads(Path(__file__).with_name("config.json").read_text())
SESSION = requests.Session()


def upstream_is_up():
    try:
        response = SESSION.head(CONFIG["upstream_url"], timeout=CONFIG["timeout_seconds"])
    except requests.RequestException:
        return False
    return response.status_code < 500
'''

CONFIG_JSON = b'{"upstream_url": "https://example.com/health", "timeout_seconds": 2}\n'

COMMON = {
    "common/__init__.py": b'"""Code shared by our functions (an in-house layer)."""\n',
    "common/log.py": b'''\
"""One logger setup for every function."""

import logging


def get_logger(name):
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    return logger
''',
}

# Distributions as pip installs them from their py3-none-any wheels:
# (name, version, top-level package, modules, metadata lines after Name/Version).
DISTRIBUTIONS = {
    "requests": ("requests", "2.32.3", "requests", ("__init__.py", "api.py", "sessions.py"), (
        "Requires-Python: >=3.8",
        "Requires-Dist: charset-normalizer<4,>=2",
        "Requires-Dist: idna<4,>=2.5",
        "Requires-Dist: urllib3<3,>=1.21.1",
        "Requires-Dist: certifi>=2017.4.17",
        "Provides-Extra: socks",
        'Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    )),
    "urllib3": ("urllib3", "2.2.3", "urllib3", ("__init__.py", "poolmanager.py"), (
        "Requires-Python: >=3.8",
        "Provides-Extra: socks",
        "Requires-Dist: pysocks!=1.5.7,<2.0,>=1.5.6; extra == 'socks'",
    )),
    "idna": ("idna", "3.10", "idna", ("__init__.py", "core.py"), (
        "Requires-Python: >=3.6",
    )),
    "certifi": ("certifi", "2024.8.30", "certifi", ("__init__.py", "core.py"), (
        "Requires-Python: >=3.6",
    )),
    "charset-normalizer": ("charset-normalizer", "3.4.0", "charset_normalizer",
                           ("__init__.py", "api.py"), (
        "Requires-Python: >=3.7.0",
    )),
}


def _record_hash(content: bytes) -> str:
    digest = hashlib.sha256(content).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def distribution(key: str) -> Entries:
    """Files of one installed distribution, relative to site-packages."""
    name, version, package, modules, metadata = DISTRIBUTIONS[key]
    stub = f'"""{name} {version}: a stub for lambdalint\'s examples."""\n'.encode()
    files = {f"{package}/{module}": stub for module in modules}
    files[f"{package}/__init__.py"] += f'__version__ = "{version}"\n'.encode()
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    files[f"{info}/INSTALLER"] = b"pip\n"
    files[f"{info}/METADATA"] = "\n".join(
        ("Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *metadata, "")
    ).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: lambdalint-example\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = [f"{path},{_record_hash(data)},{len(data)}" for path, data in sorted(files.items())]
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,", ""]).encode()
    return {path: (FILE_MODE, data) for path, data in files.items()}


def under(prefix: str, entries: Entries) -> Entries:
    return {prefix + name: value for name, value in entries.items()}


def layer(*keys: str, prefix: str = "python/") -> Entries:
    merged: Entries = {}
    for key in keys:
        merged.update(under(prefix, distribution(key)))
    return merged


def function(prefix: str, config_mode: int, app: bytes, caches: bool) -> Entries:
    entries = {
        f"{prefix}app.py": (FILE_MODE, app),
        f"{prefix}helpers.py": (FILE_MODE, HELPERS),
        f"{prefix}config.json": (config_mode, CONFIG_JSON),
    }
    if caches:
        # What `python3.11 -m pytest` leaves next to the code: a header, then code objects
        # (their bytes do not matter to the example).
        header = (3495).to_bytes(2, "little") + b"\r\n" + bytes(12)
        for module in ("app", "helpers"):
            entries[f"{prefix}__pycache__/{module}.cpython-311.pyc"] = \
                (FILE_MODE, header + b"\xe3" + bytes(64))
    return entries


def with_folders(entries: Entries) -> Entries:
    """Add an entry for every folder, as `zip -r` does."""
    complete = dict(entries)
    for name in entries:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            complete.setdefault("/".join(parts[:depth]) + "/", (DIR_MODE, b""))
    return complete


def write_zip(path: Path, entries: Entries) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, (mode, content) in sorted(with_folders(entries).items()):
            info = zipfile.ZipInfo(name, EPOCH)
            info.create_system = 3  # Unix, so that external_attr holds the mode
            is_dir = name.endswith("/")
            kind = 0o040000 if is_dir else 0o100000
            info.external_attr = ((kind | mode) << 16) | (0x10 if is_dir else 0)
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, content)


def deployments() -> dict[str, dict[str, Entries]]:
    common = under("python/", {name: (FILE_MODE, data) for name, data in COMMON.items()})
    return {
        "broken": {
            "function.zip": function("my_function/", 0o600, APP, caches=True),
            "layer-requests.zip": layer("requests", prefix=""),
            "layer-urllib3.zip": layer("urllib3"),
            "layer-idna-certifi.zip": layer("idna", "certifi"),
            "layer-charset-normalizer.zip": layer("charset-normalizer"),
            "layer-common.zip": common,
        },
        "fixed": {
            "function.zip": function("", FILE_MODE, FIXED_APP, caches=False),
            "layer-requests.zip": layer("requests"),
            "layer-urllib3.zip": layer("urllib3"),
            "layer-idna-certifi.zip": layer("idna", "certifi"),
            "layer-charset-normalizer.zip": layer("charset-normalizer"),
            "layer-common.zip": common,
        },
    }


def build(folder: Path) -> list[Path]:
    written = []
    for twin, zips in deployments().items():
        (folder / twin).mkdir(parents=True, exist_ok=True)
        for name, entries in zips.items():
            path = folder / twin / name
            write_zip(path, entries)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent
    for path in build(folder):
        print(f"{path}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
