"""Command line: `lambdalint check|rules|rule`, `--version`.

Imports stay light here: `lambdalint --version` must not pay for the engine, rich or libcst.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lambdalint import __version__

if TYPE_CHECKING:
    from lambdalint.engine import Result
    from lambdalint.finding import ReportedFinding
    from lambdalint.fix.apply import Outcome

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One clear line, exit 2 (argparse's own exit code, without the usage dump).
        sys.stderr.write(f"lambdalint: error: {message} (see `lambdalint {self._sub} --help`)\n")
        sys.exit(EXIT_ERROR)

    _sub = ""


def _id_list(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def build_parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The program's parser and its `check` subparser."""
    parser = _Parser(prog="lambdalint",
                     description="Catch AWS Lambda Python deployment failures before deploy.")
    parser.add_argument("--version", action="version", version=f"lambdalint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser(
        "check", help="check function zips, layers and source",
        description="Check deployments: function code (zip, folder or .py) with its layers. "
                    "A zip whose entries all sit under python/ (or bin/, lib/, extensions/), "
                    "or whose file name contains 'layer', is a layer; any other input is "
                    "function code. Each function is checked with every layer, in order.")
    check._sub = "check"
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="zips, source folders or Python files (default: the deployments "
                            "in the config, else the current folder)")
    target = check.add_argument_group("target")
    target.add_argument("--function", action="append", default=[], metavar="PATH",
                        help="function code (zip or folder), whatever its name")
    target.add_argument("--layer", action="append", default=[], metavar="PATH",
                        help="a layer zip; repeat in attach order (later layers win)")
    target.add_argument("--runtime", help="python3.9 … python3.14")
    target.add_argument("--architecture", help="x86_64 or arm64")
    target.add_argument("--handler", help="module.function, as configured on the function")
    target.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help="date to judge runtime deprecation against (default: today)")
    rules = check.add_argument_group("rule selection")
    rules.add_argument("--select", type=_id_list, action="extend", default=None,
                       metavar="IDS", help="only these rules (ids or prefixes, comma-separated)")
    rules.add_argument("--extend-select", type=_id_list, action="extend", default=[],
                       metavar="IDS", help="add rules to the selection")
    rules.add_argument("--ignore", type=_id_list, action="extend", default=[],
                       metavar="IDS", help="skip these rules")
    rules.add_argument("--severity-threshold", choices=("error", "warning", "info"),
                       help="lowest severity that fails the run (default: warning)")
    rules.add_argument("--config", metavar="FILE",
                       help="pyproject.toml or lambdalint.toml (default: nearest one)")
    rules.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    rules.add_argument("--report-unused-ignores", action="store_true",
                       help="report suppression comments that suppressed nothing (LL004)")
    rules.add_argument("--write-baseline", metavar="FILE",
                       help="record the current findings in FILE")
    fixes = check.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true",
                       help="apply the safe fixes, then report what remains")
    fixes.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix, --diff or --fix-only: the unsafe fixes too")
    fixes.add_argument("--diff", action="store_true",
                       help="print what --fix would change and change nothing (exit 1 if "
                            "there is something to change)")
    fixes.add_argument("--fix-only", action="store_true",
                       help="apply the fixes and report nothing else")
    output = check.add_argument_group("output")
    output.add_argument("--format", choices=("text", "json", "sarif", "github"),
                        default="text")
    output.add_argument("--output", metavar="FILE",
                        help="write the report to FILE (the summary still goes to the terminal)")
    output.add_argument("--sarif-category", metavar="NAME",
                        help="SARIF only: the code-scanning category of this run (one per "
                             "lambdalint run of a repository, e.g. one per function folder)")
    output.add_argument("--no-color", action="store_true", help="never colour the output")
    output.add_argument("-q", "--quiet", action="store_true", help="only the finding lines")
    output.add_argument("-v", "--verbose", action="store_true",
                        help="also list every input with its entries and sizes")

    commands.add_parser("rules", help="list every rule")
    rule = commands.add_parser("rule", help="print one rule's documentation")
    rule._sub = "rule"
    rule.add_argument("rule_id", metavar="ID")
    return parser, check


def main(argv: Sequence[str] | None = None) -> int:
    # A check allocates many small, long-lived objects (syntax trees, the code model) and
    # frees them only at exit: the cyclic garbage collector's passes over them cost about
    # 40% of a check of a large function and find nothing to free. What a run may hold is
    # bounded by the input caps (max-source-size, max-member-size, max-entries).
    collecting = gc.isenabled()
    gc.disable()
    # Hostile input nested deeper than the parser or the code model can recurse is
    # reported, not followed, and where the RecursionError comes depends on the stack
    # still free: the same headroom wherever main() is called from (a console script, a
    # test, an editor plugin) gives the same verdict on the same file.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + RECURSION_HEADROOM)
    try:
        return _main(argv)
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("lambdalint: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # one line, never a traceback
        sys.stderr.write(f"lambdalint: internal error: {type(exc).__name__}: {exc}; "
                         "please report this with the command you ran\n")
        return EXIT_ERROR
    finally:
        sys.setrecursionlimit(limit)
        if collecting:
            gc.enable()


# The frames lambdalint may use below main(): Python's default limit, what a `lambdalint`
# process starts with.
RECURSION_HEADROOM = 1000


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    return depth


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser, check = build_parsers()
    if words[:1] == ["check"]:
        # Paths may come after options (`check fn.zip --runtime python3.12 layer.zip`):
        # argparse collects such positionals only when parsing intermixed, which it refuses
        # on a parser with subcommands, so `check` parses its own words.
        args = check.parse_intermixed_args(words[1:])
        args.command = "check"
    else:
        args = parser.parse_args(words)
    if args.command == "rules":
        return _list_rules()
    if args.command == "rule":
        return _show_rule(args.rule_id)
    if args.command == "check":
        return _check(args)
    parser.print_help()
    return EXIT_ERROR


def _list_rules() -> int:
    from lambdalint.registry import entries

    rows = [(e.id, e.name, e.severity.value, e.summary) for e in entries().values()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    return EXIT_OK


def _show_rule(rule_id: str) -> int:
    from lambdalint.registry import all_rules

    cls = all_rules().get(rule_id.upper())
    if cls is None:
        sys.stderr.write(f"lambdalint: unknown rule {rule_id!r} (`lambdalint rules` lists "
                         "them)\n")
        return EXIT_ERROR
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(cls.page()))
    else:
        sys.stdout.write(cls.page())
    return EXIT_OK


# Below this, checking takes a blink and a bar would only flicker.
PROGRESS_MIN_BYTES = 50 * 1024 * 1024


class _ProgressBar:
    """A rich progress bar on stderr while rules run over large inputs."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task("checking", total=None)
        self._progress.start()

    def update(self, done: int, total: int, what: str) -> None:
        self._progress.update(self._task, completed=done, total=total, description=what)

    def close(self) -> None:
        self._progress.stop()


def _progress_bar(args: argparse.Namespace) -> _ProgressBar | None:
    if not sys.stderr.isatty():
        return None
    size = 0
    for given in [*args.paths, *args.function, *args.layer]:
        try:
            size += os.path.getsize(given) if os.path.isfile(given) else 0
        except OSError:
            continue
    return _ProgressBar() if size > PROGRESS_MIN_BYTES else None


def _write(path: str, text: str) -> bool:
    """Write a report or baseline file; a path that cannot be written is one line."""
    try:
        Path(path).write_text(text, "utf-8")
    except OSError as exc:
        sys.stderr.write(f"lambdalint: error: cannot write {path}: "
                         f"{exc.strerror or type(exc).__name__}\n")
        return False
    return True


def _errors_to_stderr(findings: Sequence[ReportedFinding]) -> None:
    """One line on stderr per input or configuration lambdalint could not use, whatever
    the report's format or destination (a CI log shows it even with --output)."""
    from lambdalint.engine import INPUT_ERRORS
    from lambdalint.finding import COMMAND_LINE

    for reported in findings:
        finding = reported.finding
        if finding.rule not in INPUT_ERRORS:
            continue
        where = finding.path + (f":{finding.line}" if finding.line else "")
        message = finding.message
        if finding.path != COMMAND_LINE and not message.startswith(f"{finding.path}:"):
            message = f"{where}: {message}"
        sys.stderr.write(f"lambdalint: error: {message}\n")


def _check(args: argparse.Namespace) -> int:
    from lambdalint.engine import Options, run

    # Entry names from zips are arbitrary text; a terminal that cannot show a character
    # gets an escape, not a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    from lambdalint.finding import Severity

    started = time.perf_counter()
    progress = _progress_bar(args) if args.format == "text" and not args.quiet else None
    options = Options(
        paths=args.paths, functions=args.function, layers=args.layer, runtime=args.runtime,
        architecture=args.architecture, handler=args.handler, select=args.select,
        ignore=args.ignore, extend_select=args.extend_select,
        severity_threshold=Severity(args.severity_threshold) if args.severity_threshold
        else None,
        config=args.config, baseline=args.baseline, today=args.today,
        report_unused_ignores=args.report_unused_ignores,
        progress=progress.update if progress else None)
    outcome = None
    try:
        if args.fix or args.diff or args.fix_only:
            from lambdalint.fix.apply import fix

            outcome = fix(options, unsafe=args.unsafe_fixes, write=not args.diff)
            result = outcome.result
        else:
            result = run(options)
    finally:
        if progress is not None:
            progress.close()
    if outcome is not None and (args.diff or args.fix_only):
        return _fixes_only(outcome, args, result)
    if args.write_baseline:
        from lambdalint.suppress import baseline_document

        if not _write(args.write_baseline, baseline_document(result.report.findings)):
            return EXIT_ERROR
    _errors_to_stderr(result.report.findings)
    code = _report(args, result, time.perf_counter() - started)
    if outcome is not None:
        _fix_lines(outcome)  # after the report: the last lines a terminal shows
    return code


def _report(args: argparse.Namespace, result: Result, elapsed: float) -> int:
    """The report in its format, to stdout or ``--output``; the exit code."""
    color = (not args.no_color and not os.environ.get("NO_COLOR")
             and sys.stdout.isatty())
    if args.format == "text" and not args.output:
        from lambdalint.reporters import text_report

        text_report.write(result, sys.stdout, color=color, quiet=args.quiet,
                          verbose=args.verbose, elapsed=elapsed)
        return result.exit_code
    from lambdalint.registry import rule_index
    from lambdalint.reporters import render

    if args.format == "text":
        from lambdalint.reporters import text_report

        rendered = text_report.render(result, elapsed=elapsed)
    else:
        rendered = render(args.format, result.report,
                          rule_index(with_help=args.format == "sarif"), version=__version__,
                          sarif_category=args.sarif_category)
    if args.output:
        from lambdalint.reporters import text_report

        if not _write(args.output, rendered):
            return EXIT_ERROR
        text_report.write(result, sys.stdout, color=color, quiet=True, summary_only=True,
                          verbose=False, elapsed=elapsed)
    else:
        sys.stdout.write(rendered)
    return result.exit_code


def _fixes_only(outcome: Outcome, args: argparse.Namespace, result: Result) -> int:
    """--diff: what --fix would change (whatever --format says); --fix-only: what it did."""
    _errors_to_stderr(result.report.findings)
    input_errors = result.exit_code == EXIT_ERROR
    if args.diff:
        sys.stdout.write(outcome.diff)
        from lambdalint.finding import one_line

        for line in [*outcome.left_alone, *outcome.notes]:
            sys.stderr.write(f"lambdalint: {one_line(line)}\n")
        return EXIT_ERROR if input_errors else EXIT_FINDINGS if outcome.diff else EXIT_OK
    _fix_lines(outcome)
    return EXIT_ERROR if input_errors else EXIT_OK


def _fix_lines(outcome: Outcome) -> None:
    """What --fix changed, on stderr (stdout keeps the report in its format)."""
    from lambdalint.finding import one_line

    for shown, rules in outcome.fixed.items():
        sys.stderr.write(f"lambdalint: fixed {one_line(shown)}: {', '.join(rules)}\n")
    for line in [*outcome.left_alone, *outcome.notes]:
        sys.stderr.write(f"lambdalint: {one_line(line)}\n")
    count = outcome.count
    sys.stderr.write(f"lambdalint: {count} finding{'s' if count != 1 else ''} fixed"
                     f"{f' in {len(outcome.fixed)} files' if len(outcome.fixed) > 1 else ''}\n")
