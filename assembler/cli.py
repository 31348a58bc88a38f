"""The command line. Exit codes: 0 done and clean, 1 findings of error severity, 2 unusable input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assembler import __version__
from assembler.errors import AssemblerError

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

    s = sub.add_parser("schema", help="print the JSON Schema of the term sheet (for YAML editors)")
    s.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")

    d = sub.add_parser("dump", help="print a .docx template's text with its tags, one paragraph a line "
                                    "(usable as a git textconv driver)")
    d.add_argument("file", type=Path, metavar="FILE")
    return parser


def _cmd_build(args) -> int:
    from assembler.build import TEMPLATES_DIR, build

    result = build(args.termsheet, args.output, combined=args.package, pdf=args.pdf,
                   templates_dir=args.templates or TEMPLATES_DIR)
    for path in result.files.values():
        print(f"wrote {path}")
    for path in result.pdfs:
        print(f"wrote {path}")
    for note in result.notes:
        print(f"assembler: {note}", file=sys.stderr)
    return EXIT_OK


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


COMMANDS = {"build": _cmd_build, "schema": _cmd_schema, "dump": _cmd_dump}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AssemblerError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assembler: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so plainly, without a traceback
        print(f"assembler: internal error ({type(exc).__name__}: {exc}); please report it with the input "
              "that caused it", file=sys.stderr)
        return EXIT_INTERNAL
