"""The check command as users drive it: classification, targets, selection, exit codes."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lambdalint.registry import all_rules

from zipspec import Entry, build, parse, run_cli, write_zip

GOOD_LAYER = [Entry("python/requests/__init__.py")]
BAD_LAYER = [Entry("requests/__init__.py")]


def zips(folder: Path, **artifacts: list[Entry]) -> None:
    for name, entries in artifacts.items():
        write_zip(folder / f"{name}.zip", entries)


def json_run(folder: Path, *argv: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    run = run_cli(["check", *argv, "--format", "json", "--today", "2026-11-21"], folder)
    assert "Traceback" not in run.stderr
    return run.exit_code, run.json


def test_classification_by_contents_name_and_flags(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")], deps=GOOD_LAYER, common_layer=BAD_LAYER,
         other=[Entry("lib.py")])
    code, report = json_run(tmp_path, "fn.zip", "deps.zip", "common_layer.zip",
                            "--layer", "other.zip")
    (target,) = report["targets"]
    assert target["function"] == "fn.zip"
    # --layer first, then positional layers in the order given
    assert target["layers"] == ["other.zip", "deps.zip", "common_layer.zip"]
    # a layer that forgot python/ is still judged as a layer (its name says so)
    assert any(f["rule"] == "LL101" and f["path"] == "common_layer.zip"
               for f in report["findings"])
    assert code == 1


def test_text_output_says_how_each_input_was_classified(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")], deps=GOOD_LAYER, my_layer=BAD_LAYER)
    run = run_cli(["check", "fn.zip", "deps.zip", "my_layer.zip", "--runtime", "python3.12"],
                  tmp_path)
    lines = run.stdout.splitlines()
    assert any(line.split()[:4] == ["deps.zip", "layer", "zip", "contents"] for line in lines)
    assert any(line.split()[:5] == ["my_layer.zip", "layer", "zip", "file", "name"]
               for line in lines)
    assert any(line.split()[:4] == ["fn.zip", "function", "zip", "default"] for line in lines)
    assert "runtime python3.12 (from the command line)" in run.stdout
    assert run.stdout.splitlines()[0].startswith("my_layer.zip:requests/__init__.py: LL101 "
                                                 "[error] ")


def test_several_functions_share_layers_and_shared_findings_are_reported_once(
        tmp_path: Path) -> None:
    zips(tmp_path, a=[Entry("app.py")], b=[Entry("app.py")], shared_layer=BAD_LAYER)
    _, report = json_run(tmp_path, "a.zip", "b.zip", "shared_layer.zip")
    assert [t["function"] for t in report["targets"]] == ["a.zip", "b.zip"]
    assert all(t["layers"] == ["shared_layer.zip"] for t in report["targets"])
    assert [f["rule"] for f in report["findings"]].count("LL101") == 1


def test_target_sources_flag_config_inferred(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py"),
                       Entry("pkg/_speedups.cpython-311-aarch64-linux-gnu.so")])
    (tmp_path / "lambdalint.toml").write_text('handler = "app.handler"\n')
    _, report = json_run(tmp_path, "fn.zip", "--runtime", "python3.11")
    (target,) = report["targets"]
    assert target["runtime"] == "python3.11"
    assert target["architecture"] == "arm64"
    assert target["handler"] == "app.handler"
    assert target["sources"] == {"architecture": "inferred", "handler": "config",
                                 "runtime": "flag"}
    assert target["inferred"] == ["architecture"]


def test_runtime_inferred_from_layer_paths_and_disagreement_is_not_guessed(
        tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")],
         a=[Entry("python/lib/python3.11/site-packages/x/__init__.py")],
         b=[Entry("python/lib/python3.12/site-packages/y/__init__.py")])
    _, report = json_run(tmp_path, "fn.zip", "a.zip")
    assert report["targets"][0]["runtime"] == "python3.11"
    assert report["targets"][0]["inferred"] == ["runtime"]
    _, report = json_run(tmp_path, "fn.zip", "a.zip", "b.zip")
    target = report["targets"][0]
    assert target["runtime"] is None
    assert "LL102" in target["skipped"] and "LL106" in target["skipped"]
    (mixed,) = [f for f in report["findings"] if f["rule"] == "LL206"]
    assert mixed["message"].startswith("mixed targets: ")
    run = run_cli(["check", "fn.zip", "a.zip", "b.zip"], tmp_path)
    assert run.stdout.count("skipped: LL102, ") == 1


def test_select_ignore_extend_select_by_prefix(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py", {"mode": "0600"})], my_layer=BAD_LAYER)

    def rules(*argv: str) -> set[str]:
        return {f["rule"] for f in json_run(tmp_path, "fn.zip", "my_layer.zip", *argv)[1]
                ["findings"]}

    assert rules() >= {"LL101", "LL104"}
    assert rules("--select", "LL104") == {"LL104"}
    assert rules("--ignore", "LL1") == set()
    assert rules("--ignore", "LL1", "--extend-select", "LL101") == {"LL101"}
    assert rules("--select", "LL1", "--ignore", "LL10") == set()
    assert rules("--select", "ll101,LL104") == {"LL101", "LL104"}


def test_unknown_rule_id_is_a_config_error_with_exit_2(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")])
    code, report = json_run(tmp_path, "fn.zip", "--ignore", "LL9")
    assert code == 2
    (finding,) = [f for f in report["findings"] if f["rule"] == "LL003"]
    assert "'LL9'" in finding["message"] and finding["path"] == "<command line>"


def test_meta_findings_cannot_be_deselected(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_text("not a zip")
    code, report = json_run(tmp_path, "broken.zip", "--select", "LL6")
    assert code == 2
    assert [f["rule"] for f in report["findings"]] == ["LL001"]


def test_severity_threshold_and_config_override(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py"), Entry("tests/test_app.py", {"size": "200K"})])
    code, report = json_run(tmp_path, "fn.zip")
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("LL605", "info")]
    assert code == 0  # default threshold: warning
    assert json_run(tmp_path, "fn.zip", "--severity-threshold", "info")[0] == 1
    (tmp_path / "lambdalint.toml").write_text('[severity]\nLL605 = "error"\n')
    code, report = json_run(tmp_path, "fn.zip")
    assert report["findings"][0]["severity"] == "error" and code == 1


def test_unknown_config_key_names_key_and_file(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")])
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.lambdalint]\nruntime = "python3.12"\nrutnime = 1\n'
        '[[tool.lambdalint.function]]\ncode = "fn.zip"\nhandlr = "app.handler"\n')
    code, report = json_run(tmp_path)
    messages = [f["message"] for f in report["findings"] if f["rule"] == "LL003"]
    assert any(m.startswith("tool.lambdalint.rutnime: unknown key") for m in messages)
    assert any(m.startswith("tool.lambdalint.function[1].handlr: unknown key")
               for m in messages)
    assert {f["path"] for f in report["findings"] if f["rule"] == "LL003"} == \
        {"pyproject.toml"}
    assert code == 2
    # the rest of the configuration still applies
    assert report["targets"][0]["runtime"] == "python3.12"
    assert report["targets"][0]["function"] == "fn.zip"


def test_config_functions_are_checked_with_their_own_layers(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    zips(tmp_path / "dist",
         api=[Entry("app.py", {"text": "def handler(event, context):\n    return {}\n"})],
         worker=[Entry("w.py", {"text": "def main(event, context):\n    return {}\n"})],
         deps=GOOD_LAYER, bad=BAD_LAYER)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "lambdalint.toml").write_text(
        'runtime = "python3.12"\n'
        '[[function]]\nname = "api"\ncode = "../dist/api.zip"\nhandler = "app.handler"\n'
        'layers = ["../dist/deps.zip"]\nevents = ["api"]\n'
        '[[function]]\nname = "worker"\ncode = "../dist/worker.zip"\nhandler = "w.main"\n'
        'layers = ["../dist/deps.zip", "../dist/bad.zip"]\narchitecture = "arm64"\n')
    code, report = json_run(tmp_path, "--config", "deploy/lambdalint.toml")
    api, worker = report["targets"]
    assert api["function"] == "dist/api.zip" and api["layers"] == ["dist/deps.zip"]
    assert worker["layers"] == ["dist/deps.zip", "dist/bad.zip"]
    assert worker["architecture"] == "arm64" and worker["sources"]["architecture"] == "config"
    assert worker["handler"] == "w.main"
    assert [f["path"] for f in report["findings"]] == ["dist/bad.zip"]
    assert code == 1
    # a function named on the command line takes its handler from its [[function]] table,
    # whichever way the config file was named
    for config in ("deploy/lambdalint.toml", str(tmp_path / "deploy" / "lambdalint.toml")):
        _, report = json_run(tmp_path, "--config", config, "--function", "dist/worker.zip")
        assert report["targets"][0]["handler"] == "w.main"
        assert report["targets"][0]["sources"]["handler"] == "config"


def test_bad_runtime_flag_is_one_clear_config_error(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")])
    code, report = json_run(tmp_path, "fn.zip", "--runtime", "python2.7")
    assert code == 2
    (finding,) = report["findings"]
    assert finding["rule"] == "LL003" and "python2.7" in finding["message"]


def test_usage_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = run_cli(["check", "--format", "xml"], tmp_path)
    assert run.exit_code == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_json_and_text_are_deterministic(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("x/app.py", {"mode": "0600"}), Entry("b.py", {"mode": "0400"})],
         z_layer=BAD_LAYER, a_layer=[Entry("site-packages/q/__init__.py")])
    argv = ["check", "fn.zip", "z_layer.zip", "a_layer.zip", "--format", "json"]
    first, second = run_cli(argv, tmp_path).stdout, run_cli(argv, tmp_path).stdout
    assert first == second
    report = run_cli(argv, tmp_path).json
    keys = [(f["path"], f["member"] or "", f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys)


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    zips(tmp_path, my_layer=BAD_LAYER)
    run = run_cli(["check", "my_layer.zip", "--write-baseline", "baseline.json"], tmp_path)
    assert run.exit_code == 1
    code, report = json_run(tmp_path, "my_layer.zip", "--baseline", "baseline.json")
    assert (code, report["findings"]) == (0, [])
    zips(tmp_path, fn=[Entry("app.py", {"mode": "0600"})])
    code, report = json_run(tmp_path, "fn.zip", "my_layer.zip", "--baseline", "baseline.json")
    assert [f["rule"] for f in report["findings"]] == ["LL104"] and code == 1


def test_per_file_ignores_match_artifacts_and_members(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py", {"mode": "0600"})], my_layer=BAD_LAYER)
    (tmp_path / "lambdalint.toml").write_text(
        '[per-file-ignores]\n"my_layer.zip" = ["LL1"]\n"app.py" = ["LL104"]\n')
    code, report = json_run(tmp_path, "fn.zip", "my_layer.zip")
    assert (code, report["findings"]) == (0, [])


def test_rules_and_rule_commands(tmp_path: Path) -> None:
    run = run_cli(["rules"], tmp_path)
    assert run.exit_code == 0
    assert any(line.split()[:3] == ["LL101", "layer-missing-python-prefix", "error"]
               for line in run.stdout.splitlines())
    page = (Path(__file__).resolve().parent.parent / "rules" / "LL104.md").read_text("utf-8")
    run = run_cli(["rule", "ll104"], tmp_path)
    # the page of rules/LL104.md, without the examples' outputs (which take a run each)
    assert run.exit_code == 0 and run.stdout == all_rules()["LL104"].page()
    assert "```deployment" not in run.stdout and "```console" in run.stdout
    assert page.startswith(run.stdout.split("## Example")[0])
    run = run_cli(["rule", "LL999"], tmp_path)
    assert run.exit_code == 2 and "unknown rule" in run.stderr


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    from lambdalint import __version__

    result = subprocess.run([sys.executable, "-m", "lambdalint", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == f"lambdalint {__version__}"


def test_internal_error_in_a_rule_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdalint.rules.limits.too_many_layers import TooManyLayers

    def explode(self: object, deployment: object, ctx: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(TooManyLayers, "check", explode)
    zips(tmp_path, fn=[Entry("app.py", {"mode": "0600"})])
    run = run_cli(["check", "fn.zip"], tmp_path)
    assert run.exit_code == 2
    assert "internal error: LL603 failed on fn.zip: RuntimeError: boom" in run.stdout
    assert "LL104" in run.stdout  # the other rules still reported


def _pty_output(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "lambdalint", *argv], cwd=cwd,
                               stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    zips(tmp_path, my_layer=BAD_LAYER)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    assert "\x1b[" in _pty_output(["check", "my_layer.zip"], tmp_path, env)
    assert "\x1b[" not in _pty_output(["check", "my_layer.zip"], tmp_path,
                                      {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in _pty_output(["check", "my_layer.zip", "--no-color"], tmp_path, env)
    assert "\x1b[" not in run_cli(["check", "my_layer.zip"], tmp_path).stdout


@pytest.mark.skipif(not (shutil.which("zip") and shutil.which("unzip")),
                    reason="needs Info-ZIP zip and unzip")
@pytest.mark.parametrize(("rule", "block"), [
    ("LL101", "lambdalint check requests-layer.zip\nrequests-layer.zip:\n"
              "    requests/__init__.py\n    requests-2.32.3.dist-info/METADATA\n"),
    ("LL101", "lambdalint check venv-layer.zip\nvenv-layer.zip:\n"
              "    lib/python3.12/site-packages/yaml/__init__.py\n"),
    ("LL101", "lambdalint check build-layer.zip\nbuild-layer.zip:\n"
              "    build/python/yaml/__init__.py\n"),
    ("LL103", "lambdalint check --handler app.handler function.zip\nfunction.zip:\n"
              "    my_function/app.py\n    my_function/lib/util.py\n"),
    ("LL104", "lambdalint check function.zip\nfunction.zip:\n"
              "    app.py  mode=0600\n    pkg/  mode=0700\n    pkg/__init__.py\n"),
])
def test_suggested_fix_command_repairs_the_zip(rule: str, block: str, tmp_path: Path) -> None:
    spec = parse(block)
    build(spec, tmp_path)
    argv = [*spec.argv, "--format", "json"]
    (finding,) = [f for f in run_cli(argv, tmp_path).json["findings"] if f["rule"] == rule]
    subprocess.run(["bash", "-c", finding["fix"]], cwd=tmp_path, check=True)
    after = run_cli(argv, tmp_path).json["findings"]
    assert not [f for f in after if f["rule"] in ("LL101", "LL103", "LL104")], after


def test_messages_stay_one_line_whatever_the_entry_names(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("evil\nLL999 [error] forged.py", {"mode": "0600"})])
    run = run_cli(["check", "fn.zip"], tmp_path)
    finding_lines = [line for line in run.stdout.splitlines() if line.startswith("fn.zip:")]
    assert len(finding_lines) == 1 and "evil\\x0aLL999" in finding_lines[0]
    (finding,) = run_cli(["check", "fn.zip", "--format", "json"], tmp_path).json["findings"]
    assert "\n" not in finding["message"]
    assert finding["member"] == "evil\nLL999 [error] forged.py"  # data stays exact


def test_a_terminal_that_cannot_show_a_name_gets_escapes(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("café/ünïcode.py", {"mode": "0600"})])
    result = subprocess.run([sys.executable, "-m", "lambdalint", "check", "fn.zip"],
                            cwd=tmp_path, capture_output=True, check=False,
                            env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1, result.stderr
    assert b"caf\\xe9" in result.stdout and b"internal error" not in result.stdout


def test_encrypted_entries_are_reported_once_as_unsafe(tmp_path: Path) -> None:
    spec = parse("lambdalint check fn.zip\nfn.zip:\n    app.py\n    secret.py  encrypted\n")
    build(spec, tmp_path)
    run = run_cli(["check", "fn.zip", "--format", "json"], tmp_path)
    assert [(f["rule"], f["member"]) for f in run.json["findings"]] == [("LL105", "secret.py")]


@pytest.mark.parametrize(("today", "severity", "code"), [
    ("2026-10-30", None, 0),        # python3.10 before its deprecation date
    ("2026-11-21", "warning", 1),   # deprecated
    ("2027-03-03", "error", 1),     # updates blocked from this day
])
def test_deprecated_runtime_follows_the_dates(tmp_path: Path, today: str,
                                              severity: str | None, code: int) -> None:
    zips(tmp_path, fn=[Entry("app.py")])
    run = run_cli(["check", "fn.zip", "--runtime", "python3.10", "--today", today,
                   "--format", "json"], tmp_path)
    found = [f for f in run.json["findings"] if f["rule"] == "LL208"]
    assert [f["severity"] for f in found] == ([severity] if severity else [])
    assert run.exit_code == code
    if found:
        message = found[0]["message"]
        assert "python3.10 is deprecated since 2026-10-31" in message
        assert "2027-02-01" in message and "2027-03-03" in message
        assert "move to python3.14" in message


def test_layer_declarations_are_validated(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")], deps=GOOD_LAYER)
    (tmp_path / "lambdalint.toml").write_text(
        '[[layer]]\npath = "deps.zip"\ncompatible-runtimes = ["python3.12", "python9.9"]\n'
        'compatible-archs = ["arm64"]\n')
    code, report = json_run(tmp_path, "fn.zip", "deps.zip", "--runtime", "python3.11")
    problems = sorted(f["message"].split(":")[0] for f in report["findings"]
                      if f["rule"] == "LL003")
    assert problems == ["layer[1].compatible-archs", "layer[1].compatible-runtimes"]
    (mismatch,) = [f for f in report["findings"] if f["rule"] == "LL207"]
    assert mismatch["path"] == "deps.zip" and "python3.12" in mismatch["message"]
    assert code == 2


def test_paths_may_follow_options(tmp_path: Path) -> None:
    zips(tmp_path, fn=[Entry("app.py")], my_layer=BAD_LAYER)
    code, report = json_run(tmp_path, "fn.zip", "--runtime", "python3.12", "my_layer.zip")
    assert report["targets"][0]["layers"] == ["my_layer.zip"] and code == 1
