"""Every command over a generated corpus of hostile inputs: exit codes, slowest cases, any exit 3.

Generates (deterministically, from --seed) damaged and crafted .docx files from the repository's
fixtures and templates (byte flips inside deflated parts, truncations, deleted entries, malformed
and hostile XML, crafted numbering, broken relationships, large documents) and mutated term sheets
(hostile values, broken lines, `extends:` to non-files), plus non-file inputs and outputs; runs
each case through `assembler build|check|check --annotate|dump|redline|batch|build --templates`
and prints the exit-code table per command, the slowest cases, and every case that ended in exit
3, a traceback, a multi-line or overlong exit-2 message, a message not naming the file, a time
over --timeout or memory over 1 GiB.

Each case runs in its own process, forked from one that has the toolkit imported (so thousands
of cases take minutes, not the hours of a cold interpreter each); --subprocess runs every case
as `python -m assembler` instead, as a user would.

    python benchmarks/hostile.py [--cases 5000] [--timeout 10] [--jobs 2] [--seed 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURES = [ROOT / "tests" / "fixtures" / "seed-numbered.docx", ROOT / "tests" / "fixtures" / "seed-literal.docx"]
TEMPLATES = ROOT / "templates"
SEED_SHEET = ROOT / "termsheets" / "ascent-series-j.yaml"
MAX_LINE = 1000
MEMORY_LIMIT = 1024 * 1024 * 1024


@dataclass
class Case:
    name: str
    command: str          # the table row: build, check, annotate, dump, redline, batch, templates
    argv: list[str]
    names: list[str]      # file names one of which an exit-2 message must mention
    result: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Hostile .docx


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _zip(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (2000, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _replace(data: bytes, part: str, new: bytes | None) -> bytes:
    out = [(i.filename, d if i.filename != part else new) for i, d in _entries(data)]
    if part not in {n for n, _ in out}:
        out.append((part, new))
    return _zip([(n, d) for n, d in out if d is not None])


def _flip_in_part(rng: random.Random, data: bytes) -> bytes:
    """A flipped byte inside the deflated data of one part (the decompressor's errors)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = [i for i in z.infolist() if i.compress_size > 8]
    info = rng.choice(infos)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = start + rng.randrange(info.compress_size)
        buf[at] ^= 1 << rng.randrange(8)
    return bytes(buf)


NUMBERING_PATCHES = [
    (rb'<w:start w:val="\d+"/>', b'<w:start w:val="1000000000000"/>'),
    (rb'<w:start w:val="\d+"/>', b'<w:start w:val="-5"/>'),
    (rb'<w:start w:val="\d+"/>', b'<w:start w:val="99999999999999999999999999"/>'),
    (rb'<w:start w:val="\d+"/>', b'<w:start w:val="x"/>'),
    (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="upperRoman"/>'),
    (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="lowerLetter"/>'),
    (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="ordinalText"/>'),
    (rb'<w:ilvl w:val="\d+"/>', b'<w:ilvl w:val="99"/>'),
    (rb'<w:ilvl w:val="\d+"/>', b'<w:ilvl w:val="-1"/>'),
    (rb'<w:numId w:val="\d+"/>', b'<w:numId w:val="4294967296"/>'),
    (rb'w:ilvl="\d+"', b'w:ilvl="99999"'),
    (rb'<w:lvlText w:val="[^"]*"/>', b'<w:lvlText w:val="%1.%2.%3.%4.%5.%6.%7.%8.%9.%99"/>'),
]


def _numbering_edit(rng: random.Random, data: bytes) -> bytes:
    parts = dict((i.filename, d) for i, d in _entries(data))
    for target in ("word/numbering.xml", "word/document.xml"):
        if target not in parts:
            continue
    choice = rng.randrange(6)
    num = parts.get("word/numbering.xml", b"")
    doc = parts.get("word/document.xml", b"")
    if choice == 0 and num:  # many patches at once
        for pattern, repl in rng.sample(NUMBERING_PATCHES, 3):
            num = re.sub(pattern, repl, num, count=rng.randint(1, 50))
            doc = re.sub(pattern, repl, doc, count=rng.randint(1, 50))
        return _replace(_replace(data, "word/numbering.xml", num), "word/document.xml", doc)
    if choice == 1 and num:  # thousands of levels
        levels = b"".join(b'<w:lvl w:ilvl="%d"><w:start w:val="%d"/><w:numFmt w:val="upperRoman"/>'
                          b'<w:lvlText w:val="%%1.%%%d"/></w:lvl>' % (i, 10 ** 12, i % 12 + 1)
                          for i in range(rng.choice([10, 2000, 20000])))
        num = re.sub(rb"(<w:abstractNum [^>]*>)", lambda m: m.group(1) + levels, num, count=1)
        return _replace(data, "word/numbering.xml", num)
    if choice == 2 and num:  # styleLink / numStyleLink cycles
        num = re.sub(rb"(<w:abstractNum [^>]*>)", lambda m: m.group(1) + b'<w:numStyleLink w:val="Cyc"/>', num)
        styles = parts.get("word/styles.xml", b"")
        cyc = (b'<w:style w:type="numbering" w:styleId="Cyc"><w:name w:val="Cyc"/><w:pPr><w:numPr>'
               b'<w:numId w:val="1"/></w:numPr></w:pPr></w:style>')
        styles = styles.replace(b"</w:styles>", cyc + b"</w:styles>")
        return _replace(_replace(data, "word/numbering.xml", num), "word/styles.xml", styles)
    if choice == 3 and num:  # startOverride out of range
        value = rng.choice([b"1000000000000", b"-3", b"4000", b"18446744073709551617"])
        num = re.sub(rb"(<w:num w:numId=\"\d+\"[^>]*>)", lambda m: m.group(1) + b'<w:lvlOverride w:ilvl="0">'
                     b'<w:startOverride w:val="' + value + b'"/></w:lvlOverride>', num)
        return _replace(data, "word/numbering.xml", num)
    if choice == 4:  # a paragraph on level 99 of list 1, and one on an unknown list
        doc = doc.replace(b"<w:body>", b'<w:body><w:p><w:pPr><w:numPr><w:ilvl w:val="99"/><w:numId w:val="1"/>'
                          b'</w:numPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/>'
                          b'<w:numId w:val="777"/></w:numPr></w:pPr></w:p>', 1)
        return _replace(data, "word/document.xml", doc)
    for pattern, repl in rng.sample(NUMBERING_PATCHES, 2):
        doc = re.sub(pattern, repl, doc)
        num = re.sub(pattern, repl, num)
    out = _replace(data, "word/document.xml", doc)
    return _replace(out, "word/numbering.xml", num) if num else out


XML_EDITS = [
    lambda x: x[: len(x) // 2],
    lambda x: x.replace(b"<w:t>", b"<w:t>&undefined;", 1) if b"<w:t>" in x else x + b"&x;",
    lambda x: re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + b'<!DOCTYPE d [<!ENTITY e SYSTEM '
                     b'"file:///etc/passwd">]>', x, count=1),
    lambda x: re.sub(rb'(<w:\w+ )', rb'\1w:x="&e;" ', x, count=1),
    lambda x: x.replace(b"<w:t>", b"<w:t>\x00", 1) if b"<w:t>" in x else b"\x00" + x,
    lambda x: x.decode("utf-8", "replace").encode("utf-16"),
    lambda x: x.replace(b">", b"", 1),
    lambda x: b"",
    lambda x: b"<?xml version='1.0'?><a><b></a>",
    lambda x: x.replace(b"xmlns:w=", b"xmlns:q=", 1),
    lambda x: x.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                        b"http://purl.oclc.org/ooxml/wordprocessingml/main"),
    lambda x: b"<?xml version='1.0'?>" + b"<w:a xmlns:w='x'>" * 5000 + b"</w:a>" * 5000,
    lambda x: x.replace(b"<w:t>", b"<w:t>\xed\xa0\x80\xff", 1),
]

REL_EDITS = [
    lambda x: re.sub(rb'Target="[^"]*"', b'Target="../../../../etc/passwd"', x, count=1),
    lambda x: re.sub(rb'Target="[^"]*"', b'Target="/word/../../evil.xml"', x),
    lambda x: re.sub(rb'Target="[^"]*"', b'Target=""', x),
    lambda x: re.sub(rb'Target="[^"]*"', b'Target="word/document.xml"', x),
    lambda x: re.sub(rb'Type="[^"]*"', b'Type="x"', x),
]


def _xml_edit(rng: random.Random, data: bytes) -> bytes:
    parts = [(i.filename, d) for i, d in _entries(data)]
    xml = [n for n, _ in parts if n.endswith(".xml") or n.endswith(".rels")]
    prefer = ["word/document.xml", "word/numbering.xml", "word/styles.xml", "word/footnotes.xml",
              "word/comments.xml", "word/settings.xml", "_rels/.rels", "word/_rels/document.xml.rels",
              "[Content_Types].xml", "docProps/core.xml"]
    name = rng.choice([p for p in prefer if p in xml] + xml)
    source = dict(parts)[name]
    edit = rng.choice(REL_EDITS if name.endswith(".rels") and rng.random() < 0.5 else XML_EDITS)
    return _replace(data, name, edit(source))


def _large(rng: random.Random, data: bytes) -> bytes:
    parts = dict((i.filename, d) for i, d in _entries(data))
    doc = parts["word/document.xml"]
    kind = rng.randrange(3)
    if kind == 0:
        n = rng.choice([20_000, 100_000])
        body = b"".join(b'<w:p><w:pPr><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="1"/></w:numPr></w:pPr>'
                        b'<w:r><w:t>Clause %d refers to Section I.A of this Agreement.</w:t></w:r></w:p>'
                        % (i % 3, i) for i in range(n))
    elif kind == 1:
        body = b"<w:p><w:r><w:t>" + b"Purchaser shall pay. " * (10 * 1024 * 1024 // 21) + b"</w:t></w:r></w:p>"
    else:
        body = b"<w:p>" + b"".join(b"<w:r><w:t>w%d </w:t></w:r>" % i for i in range(20_000)) + b"</w:p>"
    doc = doc.replace(b"<w:body>", b"<w:body>" + body, 1)
    return _replace(data, "word/document.xml", doc)


def _docx_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    kind = rng.choices(["flip", "partflip", "truncate", "delete", "xml", "numbering", "stored", "large"],
                       weights=[12, 20, 8, 10, 28, 14, 3, 1])[0]
    if kind == "flip":
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return kind, bytes(buf)
    if kind == "partflip":
        return kind, _flip_in_part(rng, data)
    if kind == "truncate":
        return kind, data[: rng.randrange(len(data))]
    if kind == "delete":
        entries = _entries(data)
        drop = rng.randrange(len(entries))
        return kind, _zip([(i.filename, d) for n, (i, d) in enumerate(entries) if n != drop])
    if kind == "xml":
        return kind, _xml_edit(rng, data)
    if kind == "numbering":
        return kind, _numbering_edit(rng, data)
    if kind == "stored":
        return kind, _zip([(i.filename, d) for i, d in _entries(data)], zipfile.ZIP_STORED)
    return kind, _large(rng, data)


# ---------------------------------------------------------------------------------------------
# Hostile term sheets

HOSTILE_VALUES = [
    '"\\ud800"', '"a\\0b"', '"\\x00"', "1e308", "1e-308", "-1e308", "1" + "0" * 400, '"' + "9" * 300 + '"',
    '"0.' + "1" * 300 + '"', '"' + "X" * 5000 + '"', "-1", "0", ".nan", ".inf", "-.inf", "true", "null", "[]",
    "{}", '"1e400"', '"1e-400"', "2015-02-30", "9999-12-31", "0001-01-01", '"\\u202e"', '"\\t\\n"',
    "!!binary aGVsbG8=", "&a [*a]", '"%s"' % ("\\u0301" * 100), "!!python/object:os.system ls", "0x7fffffffffffffff",
    "1_000_000", "'{{ 7*7 }}'", "'{% for x in range(10**9) %}{% endfor %}'", "'<w:p/>'", '"]]>&amp;<"',
]


def _sheet_mutation(rng: random.Random, text: str, folder: Path) -> str:
    lines = text.splitlines()
    kind = rng.choices(["value", "delete", "flip", "truncate", "closings", "extends", "long"],
                       weights=[50, 10, 8, 6, 4, 16, 6])[0]
    if kind == "value":
        for _ in range(rng.randint(1, 3)):
            spots = [n for n, l in enumerate(lines) if re.match(r"^\s*[\w-]+:\s*\S", l) and not l.lstrip().startswith("#")]
            n = rng.choice(spots)
            key = lines[n].split(":", 1)[0]
            lines[n] = f"{key}: {rng.choice(HOSTILE_VALUES)}"
        return "\n".join(lines) + "\n"
    if kind == "delete":
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines) + "\n"
    if kind == "flip":
        buf = bytearray(text.encode())
        for _ in range(rng.randint(1, 5)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return buf.decode("utf-8", "surrogateescape")
    if kind == "truncate":
        return text[: rng.randrange(len(text))]
    if kind == "closings":
        n = rng.choice([2, 1000, 10_000])
        shares = 3000 // n if 3000 % n == 0 else 1
        body = "".join(f"  - {{date: 2015-09-18, shares: {shares}}}\n" for _ in range(n))
        return re.sub(r"closings:.*?\n\n", "closings:\n" + body + "\n", text, count=1, flags=re.S)
    if kind == "long":
        return re.sub(r"deal_name: .*", "deal_name: " + "Long " * rng.choice([1000, 100_000]), text, count=1)
    fifo = folder / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    target = rng.choice(["/etc/passwd", "/etc/shadow", "/proc/self/environ", "/proc/self/status", "/dev/zero",
                         "/dev/urandom", str(fifo), "fifo", ".", "/", "a\\0b", "../../../../etc/hostname",
                         "/dev/stdin", str(SEED_SHEET), "deal.yaml", "x" * 5000])
    return f"extends: \"{target}\"\n" + text


# ---------------------------------------------------------------------------------------------
# The corpus


def corpus(count: int, seed: int, work: Path) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    fixtures = [p.read_bytes() for p in FIXTURES]
    templates = {p.name: p.read_bytes() for p in sorted(TEMPLATES.glob("*.docx"))}
    sheet = SEED_SHEET.read_text(encoding="utf-8")
    good = FIXTURES[0]
    out = work / "out"

    # Non-files, as inputs and outputs of every command.
    special = work / "special"
    special.mkdir()
    os.mkfifo(special / "fifo.docx")
    os.mkfifo(special / "fifo.yaml")
    (special / "empty.docx").write_bytes(b"")
    (special / "empty.yaml").write_bytes(b"")
    (special / "dir.docx").mkdir()
    (special / "dir.yaml").mkdir()
    locked = special / "locked.docx"
    locked.write_bytes(fixtures[0])
    locked.chmod(0)
    inputs = [special / "fifo.docx", special / "empty.docx", special / "dir.docx", locked, Path("/dev/null"),
              Path("/dev/zero"), Path("/proc/self/status")]
    for n, path in enumerate(inputs):
        p = str(path)
        cases += [Case(f"nonfile-check-{n}", "check", ["check", p], [path.name]),
                  Case(f"nonfile-dump-{n}", "dump", ["dump", p], [path.name]),
                  Case(f"nonfile-redline-{n}", "redline", ["redline", str(good), p, "-o", str(work / f"r{n}.docx")],
                       [path.name]),
                  Case(f"nonfile-check-ts-{n}", "check", ["check", str(good), "--termsheet", p], [path.name])]
    for n, path in enumerate([special / "fifo.yaml", special / "empty.yaml", special / "dir.yaml",
                              Path("/dev/null"), Path("/dev/zero")]):
        cases += [Case(f"nonfile-build-{n}", "build", ["build", str(path), "-o", str(out / f"nf{n}")], [path.name]),
                  Case(f"nonfile-batch-{n}", "batch", ["batch", str(path), "-o", str(out / f"nfb{n}")], [path.name])]
    device = special / "full.docx"  # a device node of our own: never point outputs at the system's /dev
    try:
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 7))
    except OSError:
        device = special / "fifo.docx"
    for n, target in enumerate([special / "dir.docx", device, special / "fifo.docx", special / "dir.docx" / "x"]):
        cases += [Case(f"nonfile-out-redline-{n}", "redline", ["redline", str(good), str(FIXTURES[1]), "-o",
                                                                 str(target)], [target.name]),
                  Case(f"nonfile-out-annotate-{n}", "annotate", ["check", str(good), "--annotate", str(target)],
                       [target.name]),
                  Case(f"nonfile-out-build-{n}", "build", ["build", str(SEED_SHEET), "-o", str(target), "--no-check"],
                       [target.name])]

    docx_dir = work / "docx"
    docx_dir.mkdir()
    sheets = work / "sheets"
    sheets.mkdir()
    tdirs = work / "templates"
    commands = ["check", "check", "dump", "redline", "annotate", "templates"]
    n = 0
    while len(cases) < count:
        n += 1
        if rng.random() < 0.3:
            name = f"s{n}.yaml"
            path = sheets / name
            text = _sheet_mutation(rng, sheet, sheets)
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            which = rng.choices(["build", "check", "batch"], weights=[6, 3, 1])[0]
            if which == "build":
                argv = ["build", str(path), "-o", str(out / f"b{n}"), "--no-check"]
            elif which == "check":
                argv = ["check", str(good), "--termsheet", str(path)]
            else:
                argv = ["batch", str(path), "-o", str(out / f"bt{n}"), "-j", "1"]
            cases.append(Case(f"sheet-{n}", which, argv, [name]))
            continue
        command = rng.choice(commands)
        if command == "templates":
            tname = rng.choice(sorted(templates))
            kind, data = _docx_mutation(rng, templates[tname])
            folder = tdirs / f"t{n}"
            folder.mkdir(parents=True)
            for other, blob in templates.items():
                (folder / other).write_bytes(data if other == tname else blob)
            cases.append(Case(f"{kind}-{n}-{tname}", "templates",
                              ["build", str(SEED_SHEET), "--templates", str(folder), "-o", str(out / f"t{n}"),
                               "--no-check"], [tname]))
            continue
        base = rng.randrange(len(fixtures))
        kind, data = _docx_mutation(rng, fixtures[base])
        name = f"{kind}-{n}.docx"
        path = docx_dir / name
        path.write_bytes(data)
        if command == "check":
            argv = ["check", str(path)] + (["--format", "json"] if rng.random() < 0.3 else [])
        elif command == "dump":
            argv = ["dump", str(path)]
        elif command == "annotate":
            argv = ["check", str(path), "--annotate", str(out / f"a{n}")]
        else:
            pair = [str(FIXTURES[base]), str(path)]
            if rng.random() < 0.5:
                pair.reverse()
            argv = ["redline", *pair, "-o", str(out / f"r{n}.docx")]
        cases.append(Case(f"{kind}-{n}", command, argv, [name]))
    return cases


# ---------------------------------------------------------------------------------------------
# Running


def _child(argv: list[str], out_fd: int, err_fd: int, subprocess_mode: bool) -> None:
    os.setsid()
    limit = 2 * MEMORY_LIMIT  # a runaway case fails here instead of taking the machine down
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    if subprocess_mode:
        os.execv(sys.executable, [sys.executable, "-m", "assembler", *argv])
    from assembler.cli import main

    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8", errors="replace")
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), encoding="utf-8", errors="replace")
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)


class Running:
    def __init__(self, case: Case, timeout: float, subprocess_mode: bool, scratch: Path):
        self.case = case
        self.out = open(scratch / f"{os.getpid()}-{id(case)}.out", "w+b")
        self.err = open(scratch / f"{os.getpid()}-{id(case)}.err", "w+b")
        self.start = time.monotonic()
        self.deadline = self.start + timeout
        pid = os.fork()
        if pid == 0:
            try:
                _child(case.argv, self.out.fileno(), self.err.fileno(), subprocess_mode)
            finally:
                os._exit(98)
        self.pid = pid
        self.killed = False

    def poll(self) -> bool:
        pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            if time.monotonic() > self.deadline and not self.killed:
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.killed = True
            return False
        elapsed = time.monotonic() - self.start
        if self.killed:
            code = "timeout"
        elif os.WIFSIGNALED(status):
            code = f"signal {os.WTERMSIG(status)}"
        else:
            code = os.WEXITSTATUS(status)
        try:  # workers of a batch left behind
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.out.seek(0)
        self.err.seek(0)
        stderr = self.err.read().decode("utf-8", "replace")
        self.case.result = {"code": code, "seconds": round(elapsed, 3), "rss_mib": usage.ru_maxrss // 1024,
                            "stderr": stderr[:4000], "stderr_len": len(stderr)}
        for f in (self.out, self.err):
            f.close()
            os.unlink(f.name)
        return True


def run_all(cases: list[Case], jobs: int, timeout: float, subprocess_mode: bool, scratch: Path) -> None:
    from assembler import cli  # noqa: F401  (imported once, before forking)
    from assembler import build, redline, dump, batch  # noqa: F401
    from assembler.check import runner  # noqa: F401
    from assembler.report import annotate  # noqa: F401

    pending = list(reversed(cases))
    running: list[Running] = []
    done = 0
    while pending or running:
        while pending and len(running) < jobs:
            running.append(Running(pending.pop(), timeout, subprocess_mode, scratch))
        time.sleep(0.005)
        still = []
        for r in running:
            if r.poll():
                done += 1
                if done % 250 == 0:
                    print(f"  {done}/{len(cases)} cases", file=sys.stderr, flush=True)
            else:
                still.append(r)
        running = still


def problems_of(case: Case) -> list[str]:
    r = case.result
    out = []
    if r["code"] == 3:
        out.append("exit 3" + (" (memory)" if "MemoryError" in r["stderr"] else ""))
    if r["code"] in ("timeout",) or str(r["code"]).startswith("signal") or r["code"] in (98, 99):
        out.append(f"exit {r['code']}")
    if "Traceback" in r["stderr"]:
        out.append("traceback")
    if r["seconds"] > LIMIT_SECONDS:
        out.append(f"{r['seconds']:.1f} s")
    if r["rss_mib"] * 1024 * 1024 > MEMORY_LIMIT:
        out.append(f"{r['rss_mib']} MiB")
    if r["code"] == 2:
        lines = r["stderr"].rstrip("\n").split("\n")
        if any(len(line) > MAX_LINE for line in lines) or r["stderr_len"] > 4000 and len(lines) < 3:
            out.append("overlong message")
        # Several problems may be reported at once, each on its own located line; a line that
        # continues another (no location of its own) is a broken message.
        if case.command != "batch" and any(not re.match(r"^(assembler: |/|\S+\.(docx|yaml|yml|json)[:!])", line)
                                           for line in lines if line):  # batch also draws its progress bar
            out.append("multi-line message")
        if not any(name in r["stderr"] for name in case.names):
            out.append("message does not name the file")
    return out


LIMIT_SECONDS = 10.0


def main() -> int:
    global LIMIT_SECONDS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=10.0, help="per-case time limit in seconds (default 10)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--subprocess", action="store_true", help="run each case as `python -m assembler`")
    ap.add_argument("--json", type=Path, default=None, help="also write every case and its result here")
    ap.add_argument("--keep", type=Path, default=None, help="generate the corpus here and keep it")
    args = ap.parse_args()
    LIMIT_SECONDS = args.timeout
    work = Path(tempfile.mkdtemp(prefix="assembler-hostile-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        cases = corpus(args.cases, args.seed, work)
        print(f"{len(cases)} cases generated in {time.monotonic() - started:.1f} s; running with {args.jobs} "
              f"jobs, {args.timeout:g} s each", file=sys.stderr)
        scratch = work / "scratch"
        scratch.mkdir()
        started = time.monotonic()
        run_all(cases, args.jobs, args.timeout + 5, args.subprocess, scratch)
        wall = time.monotonic() - started
        report(cases, wall)
        if args.json:
            args.json.write_text(json.dumps([{"name": c.name, "command": c.command, "argv": c.argv, **c.result}
                                             for c in cases], indent=1), encoding="utf-8")
        return 1 if any(problems_of(c) for c in cases) else 0
    finally:
        if args.keep is None:
            for p in work.rglob("*"):
                try:
                    p.chmod(0o700) if p.is_dir() and not p.is_symlink() else None
                except OSError:
                    pass
            (work / "special" / "locked.docx").chmod(0o600) if (work / "special").exists() else None
            shutil.rmtree(work, ignore_errors=True)


def report(cases: list[Case], wall: float) -> None:
    table: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        table[c.command][str(c.result["code"])] += 1
        table["all"][str(c.result["code"])] += 1
    codes = sorted({k for t in table.values() for k in t}, key=lambda k: (not k.isdigit(), k))
    width = max(len(k) for k in table) + 2
    print(f"\n{len(cases)} cases in {wall:.0f} s\n")
    print("command".ljust(width) + "".join(f"{('exit ' + k) if k.isdigit() else k:>10}" for k in codes))
    for command in sorted(table, key=lambda k: (k == "all", k)):
        print(command.ljust(width) + "".join(f"{table[command].get(k, 0):>10}" for k in codes))
    print("\nslowest:")
    for c in sorted(cases, key=lambda c: -c.result["seconds"])[:10]:
        print(f"  {c.result['seconds']:7.2f} s {c.result['rss_mib']:6d} MiB  exit {c.result['code']}  {c.name}: "
              f"{' '.join(c.argv)[:150]}")
    bad = [(c, problems_of(c)) for c in cases if problems_of(c)]
    kinds = Counter(p.split(" ")[0] if p[0].isdigit() else p for _, ps in bad for p in ps)
    print(f"\nproblem cases: {len(bad)}  " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    seen = Counter()
    for c, ps in bad:
        first = c.result["stderr"].strip().splitlines()[-1:] or [""]
        key = (tuple(ps), c.command, re.sub(r"\d+", "N", first[0])[:80])
        seen[key] += 1
        if seen[key] <= 2:
            print(f"  [{', '.join(ps)}] {c.command} {c.name}: {first[0][:300]}")


if __name__ == "__main__":
    sys.exit(main())
