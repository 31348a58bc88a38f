"""`--baseline FILE`: findings a lawyer has judged acceptable, recorded once and left out afterwards.

The file is JSON (schema ``assembler.baseline/1``), one entry per accepted finding: its code, the
file's name, its snippet and the text of the paragraph it stands in (spaces collapsed). Entries
match findings by those, never by paragraph index or section number, so they survive the next turn
of the draft with paragraphs added above or sections renumbered; a finding in a paragraph whose text
changed is shown again. Matching counts: two accepted identical findings hide two, not three.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assembler.check.rule import Finding
from assembler.docmodel.model import Package
from assembler.errors import AssemblerError, Location, Problem
from assembler.render.write import atomic_write
from assembler.report.common import paragraph_of

SCHEMA = "assembler.baseline/1"
KEYS = ("code", "file", "snippet", "text")


def _entry(finding: Finding, package: Package | None) -> dict[str, str]:
    para = paragraph_of(package, finding)
    return {"code": finding.code, "file": Path(finding.file).name, "snippet": " ".join(finding.snippet.split()),
            "text": " ".join(para.text.split()) if para is not None else ""}


def _key(entry: dict[str, str]) -> tuple[str, ...]:
    return tuple(entry[k] for k in KEYS)


def write_baseline(path: Path, findings: list[Finding], package: Package | None) -> None:
    data = {"schema": SCHEMA, "accepted": [_entry(f, package) for f in findings]}
    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def read_baseline(path: Path) -> Counter:
    """The accepted findings of *path* (AssemblerError, exit 2, for a file that is not a baseline)."""
    where = Location(str(path))
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssemblerError(Problem(where, f"cannot read the baseline: {exc.strerror or exc}")) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise AssemblerError(Problem(Location(str(path), line), "not a baseline written by --baseline "
                                     "(not valid JSON); delete it to record the current findings")) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("accepted"), list):
        raise AssemblerError(Problem(where, f"not a baseline written by --baseline (expected schema {SCHEMA}); "
                                     "delete it to record the current findings"))
    accepted: Counter = Counter()
    for i, entry in enumerate(data["accepted"]):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in KEYS):
            raise AssemblerError(Problem(Location(str(path), field=f"accepted[{i}]"),
                                         f"an entry needs the text values {', '.join(KEYS)}"))
        accepted[_key(entry)] += 1
    return accepted


def new_findings(findings: list[Finding], accepted: Counter, package: Package | None) -> tuple[list[Finding], int]:
    """The findings not accepted, in order, and how many were left out."""
    left = Counter(accepted)
    out, hidden = [], 0
    for f in findings:
        key = _key(_entry(f, package))
        if left[key] > 0:
            left[key] -= 1
            hidden += 1
        else:
            out.append(f)
    return out, hidden
