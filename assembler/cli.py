"""The command line. Exit codes: 0 done and clean, 1 findings of error severity, 2 unusable input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assembler import __version__
from assembler.errors import AssemblerError, Location, Problem

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assembler",
        description="Draft a preferred-stock financing package in Word from a YAML term sheet, "
                    "and check Word agreements for drafting defects.")
    parser.add_argument("--version", action="version", version=f"assembler {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the agreement, glossary and certificate from a term sheet")
    b.add_argument("termsheet", type=Path, metavar="TERMSHEET")
    b.add_argument("-o", "--output", type=Path, default=Path("output"), metavar="DIR",
                   help="folder under which <deal-name>/ is written (default: output)")
    b.add_argument("--package", action="store_true",
                   help="also write one combined file: agreement, then each exhibit in its own section")
    b.add_argument("--pdf", action="store_true", help="also convert each file to PDF with LibreOffice")
    b.add_argument("--templates", type=Path, default=None, metavar="DIR",
                   help="folder holding agreement.docx, glossary.docx and certificate.docx")
    b.add_argument("--no-check", action="store_true", help="do not run the consistency pass on the result")
    b.add_argument("--force", action="store_true",
                   help="rebuild even over outputs edited by hand (each edited copy is kept as NAME.edited.docx)")
    _library_option(b)

    s = sub.add_parser("schema", help="print the JSON Schema of the term sheet (for YAML editors)")
    s.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")

    c = sub.add_parser("check", help="check Word agreements for drafting defects (files named together "
                                     "are one package)")
    c.add_argument("files", type=Path, nargs="+", metavar="FILE")
    c.add_argument("--termsheet", type=Path, default=None, metavar="T",
                   help="also check every party, figure, date and governing law against this term sheet")
    c.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    c.add_argument("--annotate", type=Path, default=None, metavar="DIR",
                   help="write a copy of each document into DIR with a Word comment at each finding")
    c.add_argument("--select", default=None, metavar="CODES",
                   help="only these rule codes, comma-separated; a prefix selects a family (e.g. defs)")
    c.add_argument("--ignore", default=None, metavar="CODES", help="leave out these rule codes (as --select)")
    c.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="YAML with allowed_series, known_terms, report_unused, report_undefined")
    c.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                   help="accepted findings: a missing FILE is written with the current findings; an existing "
                        "one leaves its findings out of the report")
    _library_option(c)
    _size_option(c)

    bt = sub.add_parser("batch", help="build and check many term sheets (files, globs, folders) in parallel")
    bt.add_argument("paths", nargs="+", metavar="PATH")
    bt.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: one per core)")
    bt.add_argument("-o", "--output", type=Path, default=Path("output"), metavar="DIR",
                    help="folder under which each variant's <deal-name>/ and the batch summary are written")
    bt.add_argument("--force", action="store_true",
                    help="rebuild even over outputs edited by hand (each edited copy is kept as NAME.edited.docx)")
    _library_option(bt)

    r = sub.add_parser("redline", help="compare two Word documents: write NEW with tracked changes against OLD")
    r.add_argument("old", type=Path, metavar="OLD.docx")
    r.add_argument("new", type=Path, metavar="NEW.docx")
    r.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.docx")
    r.add_argument("--author", default="assembler", help="author of the tracked changes (default: assembler)")
    _size_option(r)

    lb = sub.add_parser("labels", help="print the list number Word displays before each paragraph; --verify "
                                       "compares them with the numbers Word cached in REF fields and the TOC")
    lb.add_argument("file", type=Path, metavar="FILE")
    lb.add_argument("--verify", action="store_true",
                    help="compare every REF field's and TOC entry's cached number with the engine's label and "
                         "list each disagreement (exit 1 if any)")
    lb.add_argument("--all", action="store_true", help="print unnumbered paragraphs too")
    _size_option(lb)

    sv = sub.add_parser("serve", help="serve the local web page: edit term sheets, build, check drafts, "
                                      "build variants (needs the 'web' extra)")
    sv.add_argument("--workspace", type=Path, default=Path("."), metavar="DIR",
                    help="folder holding termsheets/ and output/ (default: the current folder)")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine "
                                                        "only; any other needs --token)")
    sv.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    sv.add_argument("--token", default=None, help="access token every request must carry (default: the "
                                                  "ASSEMBLER_TOKEN environment variable)")
    sv.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                    help="worker processes for the variants page (default: one per core)")

    d = sub.add_parser("dump", help="print a .docx template's text with its tags, one paragraph a line "
                                    "(usable as a git textconv driver)")
    d.add_argument("file", type=Path, metavar="FILE")
    _size_option(d)
    return parser


def _size_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-paragraphs", type=int, default=None, metavar="N",
                        help="refuse documents with more paragraphs than N (default 25,000)")


def _library_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder whose term sheets may be named by 'extends:' (besides the term sheet's "
                             "own folder and the current folder); may be repeated")


def _use_libraries(args) -> None:
    """Libraries named on the command line, for this process and its batch workers (the term-sheet
    loader is imported only when some are named: `check` without a term sheet does not need it)."""
    import os

    if getattr(args, "max_paragraphs", None):
        from assembler.docmodel.ooxml import MAX_PARAGRAPHS_ENV

        os.environ[MAX_PARAGRAPHS_ENV] = str(args.max_paragraphs)
    if getattr(args, "library", None):
        from assembler.termsheet.load import use_libraries

        use_libraries(args.library)


def _cmd_build(args) -> int:
    from assembler.build import TEMPLATES_DIR, build

    result = build(args.termsheet, args.output, combined=args.package, pdf=args.pdf,
                   templates_dir=args.templates or TEMPLATES_DIR, check=not args.no_check, force=args.force)
    if result.up_to_date:
        print(f"up to date: {result.out_dir} (term sheet, templates and outputs unchanged; nothing rewritten)")
    for name, path in result.files.items():
        if name in result.written:
            print(f"wrote {path}")
        elif not result.up_to_date:
            print(f"unchanged {path}")
    for name, kept in result.kept.items():
        print(f"kept your edited copy of {name} as {kept}")
    if result.changes and not result.up_to_date:
        print("term sheet changes since the last build:")
        for line in result.changes:
            print(f"  {line}")
    for path, lines in result.redlines.values():
        print(f"redline {path}")
        for line in lines:
            print(f"  {line}")
    for path in result.pdfs:
        print(f"wrote {path}")
    for note in result.notes:
        print(f"assembler: {note}", file=sys.stderr)
    if result.findings is None:
        return EXIT_OK
    from assembler.report.text import render_text

    sys.stdout.write("\n" + render_text(result.checked, result.findings, result.package))
    return _exit_for(result.findings)


def _exit_for(findings) -> int:
    from assembler.check.rule import Severity

    return EXIT_FINDINGS if any(Severity(f.severity) is Severity.ERROR for f in findings) else EXIT_OK


def _codes(value: str | None, option: str) -> list[str] | None:
    """Comma-separated rule codes; each must be a registered code or a prefix of one (exit 2 if not)."""
    from assembler.check.registry import all_rules

    if value is None:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    known = [r.code for r in all_rules()]
    unknown = [c for c in codes if not any(k == c or k.startswith(c + ".") for k in known)]
    if unknown:
        raise AssemblerError(Problem(Location(option), f"unknown rule code {', '.join(unknown)}; "
                                     f"known codes: {', '.join(known)}"))
    return codes


CONFIG_KEYS = {"allowed_series": list, "known_terms": list, "report_unused": bool, "report_undefined": bool}


def _load_config(path: Path | None):
    """The check configuration from a YAML file (exit 2 on a bad file)."""
    from assembler.check.rule import Config

    if path is None:
        return Config()
    import yaml

    from assembler.safeio import read_input

    where = Location(str(path))
    raw = read_input(path, limit=1_000_000, what="configuration file (YAML)", empty_ok=True)
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise AssemblerError(Problem(where, f"not valid YAML: {(str(exc).splitlines() or [''])[0]}")) from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise AssemblerError(Problem(where, "the configuration must be a mapping of settings"))
    problems = []
    for key, value in data.items():
        kind = CONFIG_KEYS.get(key)
        if kind is None:
            problems.append(Problem(Location(str(path), field=str(key)),
                                    f"unknown setting; known: {', '.join(CONFIG_KEYS)}"))
        elif kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(Problem(Location(str(path), field=key), "must be a list of text values"))
        elif kind is bool and not isinstance(value, bool):
            problems.append(Problem(Location(str(path), field=key), "must be true or false"))
    if problems:
        raise AssemblerError(problems)
    return Config.from_dict(data)


def _cmd_check(args) -> int:
    from assembler.check.runner import check_paths
    from assembler.report.json import render_json
    from assembler.report.text import render_text

    select, ignore = _codes(args.select, "--select"), _codes(args.ignore, "--ignore")
    config = _load_config(args.config)
    termsheet = None
    if args.termsheet is not None:
        from assembler.termsheet import load_termsheet

        termsheet = load_termsheet(args.termsheet)
    if args.annotate is not None:  # refuse a bad target before any work
        from assembler.report.annotate import annotation_targets

        annotation_targets(args.files, args.annotate)
    from assembler import outdir

    for folder in dict.fromkeys(Path(f).parent for f in args.files):
        if outdir.incomplete(folder) is not None:
            print(f"assembler: {outdir.unfinished_note(folder)}; build again before relying on them", file=sys.stderr)
    accepted = None
    if args.baseline is not None and args.baseline.exists():
        from assembler.report.baseline import read_baseline

        accepted = read_baseline(args.baseline)
    package, findings = check_paths(args.files, termsheet, config, select, ignore)
    if args.baseline is not None:
        from assembler.report.baseline import new_findings, write_baseline

        if accepted is None:
            write_baseline(args.baseline, findings, package)
            print(f"assembler: wrote {args.baseline}: {len(findings)} findings accepted; a later run with "
                  f"--baseline {args.baseline} reports only new ones", file=sys.stderr)
        else:
            findings, hidden = new_findings(findings, accepted, package)
            print(f"assembler: {hidden} accepted findings in {args.baseline} not shown", file=sys.stderr)
    files = [str(f) for f in args.files]
    if args.format == "json":
        sys.stdout.write(render_json(files, findings))
    else:
        sys.stdout.write(render_text(files, findings, package))
    if args.annotate is not None:
        from assembler.report.annotate import annotate

        for path in annotate(args.files, findings, args.annotate):
            print(f"assembler: wrote {path}", file=sys.stderr)
    return _exit_for(findings)


def _cmd_schema(args) -> int:
    from assembler.render.write import atomic_write
    from assembler.termsheet import termsheet_json_schema

    text = json.dumps(termsheet_json_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_dump(args) -> int:
    from assembler.dump import dump_docx

    sys.stdout.write(dump_docx(args.file))
    return EXIT_OK


def _cmd_batch(args) -> int:
    from assembler import batch

    return batch.main(args.paths, args.jobs, args.output, force=args.force)


def _cmd_redline(args) -> int:
    from assembler.redline import redline

    out = args.output.resolve()
    if out in (args.old.resolve(), args.new.resolve()):
        raise AssemblerError(Problem(Location(str(args.output)), "the redline would overwrite one of the documents "
                                                                 "it compares; choose another -o"))
    summary = redline(args.old, args.new, args.output, author=args.author)
    print(f"wrote {args.output}")
    lines = summary.describe()
    for line in lines:
        print(f"  {line}")
    if not lines:
        print("  no differences")
    return EXIT_OK


def _cmd_serve(args) -> int:
    try:
        from assembler.web.app import serve
    except ImportError as exc:
        raise AssemblerError(Problem(Location("serve"), f"the web page needs its optional dependencies "
                                     f"({exc.name} is missing): pip install 'assembler[web]'")) from None
    if not 0 < args.port < 65536:
        raise AssemblerError(Problem(Location("--port"), f"must be from 1 to 65535, got {args.port}"))
    return serve(args.workspace, args.host, args.port, args.token, args.jobs)


def _cmd_labels(args) -> int:
    from assembler.docmodel.labels import label_package, render_labels, render_verification, verify
    from assembler.docmodel.ooxml import read_package

    package = read_package(args.file)
    if args.verify:
        result = verify(package)
        sys.stdout.write(render_verification(str(args.file), result))
        return EXIT_FINDINGS if result.disagreements else EXIT_OK
    sys.stdout.write(render_labels(label_package(package), every=args.all))
    return EXIT_OK


COMMANDS = {"build": _cmd_build, "check": _cmd_check, "schema": _cmd_schema, "dump": _cmd_dump, "redline": _cmd_redline,
            "batch": _cmd_batch, "labels": _cmd_labels, "serve": _cmd_serve}


def _inputs_of(args) -> str:
    """The files a command was given, for a message that cannot say which one is at fault."""
    from assembler.errors import one_line

    names = []
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path) or (args.command == "batch" and isinstance(item, str) and item in args.paths):
                names.append(str(item))
    return one_line(", ".join(names) or "assembler", 300)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _use_libraries(args)
        return COMMANDS[args.command](args)
    except AssemblerError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exc.exit_code
    except RecursionError:
        print(f"{_inputs_of(args)}: nested too deeply to process (XML or YAML elements within elements); "
              "refused", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print(f"{_inputs_of(args)}: needs more memory than there is; refused", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("assembler: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so plainly, without a traceback
        from assembler.errors import one_line

        print(one_line(f"assembler: internal error ({type(exc).__name__}: {exc}); please report it with the input "
                       "that caused it", 1000), file=sys.stderr)
        return EXIT_INTERNAL
