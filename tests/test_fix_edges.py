"""--fix at its edges: fixes that undo each other, zips that repeat a name or hide one behind a
NUL byte, lines a form feed starts, large inputs that must not make a fix slow."""

from __future__ import annotations

import time
import warnings
import zipfile
from pathlib import Path

from zipspec import run_cli

WHEN = (2024, 5, 17, 9, 30, 0)


def _zip(path: Path, entries: list[tuple[str, bytes]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name, WHEN)
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                archive.writestr(info, data)


def _notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("lambdalint: ")]


def test_fixes_that_undo_each_other_leave_the_file_as_it_was(tmp_path: Path) -> None:
    # One Handler in Globals for two functions whose modules name the function differently:
    # LL402 for one sets app.handle, LL402 for the other sets app.handler back.
    template = ("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n"
                "    Handler: app.handler\n    Runtime: python3.12\nResources:\n"
                "  FnA:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      CodeUri: a/\n"
                "  FnB:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      CodeUri: b/\n")
    (tmp_path / "template.yaml").write_text(template, "utf-8")
    for folder, name in (("a", "handle"), ("b", "handler")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text(f"def {name}(event, context):\n"
                                                  "    return {}\n", "utf-8")
    before = (tmp_path / "template.yaml").stat()

    run = run_cli(["check", "--fix", "--unsafe-fixes", "--format", "json"], tmp_path)

    assert _notes(run.stderr) == [
        "lambdalint: template.yaml: left alone: the fixes of LL402 undo each other",
        "lambdalint: 0 findings fixed"]
    after = (tmp_path / "template.yaml").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The report is about the file as it is: FnA's module defines no `handler`.
    assert [(f["rule"], f["path"]) for f in run.json["findings"]] == [("LL402", "a/app.py")]
    diff = run_cli(["check", "--diff", "--unsafe-fixes"], tmp_path)
    assert (diff.exit_code, diff.stdout) == (0, "")


def test_a_code_fix_edits_the_copy_the_check_read(tmp_path: Path) -> None:
    # Two entries named app.py: readers (and the check) take the last one.
    old = b'import boto3\n\ndef handler(event, context):\n    return "old copy"\n'
    new = (b'import boto3\n\n\ndef handler(event, context):\n'
           b'    s3 = boto3.client("s3")\n    return s3.list_buckets()\n')
    _zip(tmp_path / "function.zip", [("app.py", old), ("app.py", new)])

    run = run_cli(["check", "--runtime", "python3.12", "--handler", "app.handler",
                   "--function", "function.zip", "--fix", "--format", "json"], tmp_path)

    assert "lambdalint: fixed function.zip: LL505" in _notes(run.stderr)
    with zipfile.ZipFile(tmp_path / "function.zip") as archive:
        copies = [archive.read(info) for info in archive.infolist()]
    assert copies[0] == old
    assert copies[1] == (b'import boto3\n\ns3 = boto3.client("s3")\n\n\n'
                         b'def handler(event, context):\n    return s3.list_buckets()\n')


def test_a_zip_with_a_nul_in_an_entry_name_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "function.zip"
    _zip(path, [("app.py", b"def handler(event, context):\n    return {}\n"),
                ("evil#tail.txt", b"x")])
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("secret.py", WHEN)
        info.create_system = 3
        info.external_attr = 0o100600 << 16  # LL104: a fix would rewrite the zip
        archive.writestr(info, b"KEY = 1\n")
    # zipfile cuts names at a NUL: put it in the bytes (local header and central record).
    data = path.read_bytes().replace(b"evil#tail", b"evil\x00tail")
    path.write_bytes(data)

    run = run_cli(["check", "--runtime", "python3.12", "--handler", "app.handler",
                   "--function", "function.zip", "--fix"], tmp_path)

    assert "lambdalint: function.zip: left alone: not a plain zip: an entry's name holds a " \
           "NUL byte" in _notes(run.stderr)
    assert path.read_bytes() == data


def test_a_form_feed_line_keeps_the_diff_a_valid_patch(tmp_path: Path) -> None:
    source = ('import boto3\n\n\ndef handler(event, context):\n'
              '    s3 = boto3.client("s3")\n    return s3.list_buckets()\n'
              '\x0c\n# helpers\n\ndef helper():\n    return 1\n')
    (tmp_path / "src").mkdir()
    app = tmp_path / "src" / "app.py"
    app.write_text(source, "utf-8")
    argv = ["check", "--runtime", "python3.12", "--handler", "app.handler", "src"]

    diff = run_cli([*argv, "--diff"], tmp_path)

    assert diff.exit_code == 1
    assert "\\ No newline at end of file" not in diff.stdout
    assert " \x0c\n" in diff.stdout  # the form feed line is one context line
    run_cli([*argv, "--fix"], tmp_path)
    assert "\x0c\n" in app.read_text("utf-8")


def test_a_fix_in_a_long_module_of_repeated_lines_is_quick(tmp_path: Path) -> None:
    # Matching lines is quadratic; the change is found from the ends first.
    source = ('import boto3\n\ndef handler(event, context):\n    s3 = boto3.client("s3")\n'
              + "    x = 1\n" * 30000 + "    return s3.list_buckets()\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(source, "utf-8")
    started = time.monotonic()
    run = run_cli(["check", "--runtime", "python3.12", "--handler", "app.handler", "src",
                   "--diff", "--select", "LL505"], tmp_path)
    assert run.exit_code == 1 and '+s3 = boto3.client("s3")' in run.stdout
    assert time.monotonic() - started < 30


def test_many_duplicate_entries_are_fixed_in_one_pass(tmp_path: Path) -> None:
    entries = [("app.py", b"def handler(event, context):\n    return {}\n")]
    for index in range(3000):
        entries += [(f"m{index}.py", b"x = 1\n")] * 2
    _zip(tmp_path / "function.zip", entries)
    started = time.monotonic()
    run = run_cli(["check", "--runtime", "python3.12", "--handler", "app.handler",
                   "--function", "function.zip", "--fix", "--select", "LL105"], tmp_path)
    assert run.exit_code == 0, run.stdout
    assert time.monotonic() - started < 60
    with zipfile.ZipFile(tmp_path / "function.zip") as archive:
        names = archive.namelist()
    assert len(names) == len(set(names)) == 3001
