"""The text report: findings grouped by document, each with its section, severity, code and excerpt."""

from __future__ import annotations

from assembler.check.rule import Finding, Severity
from assembler.docmodel.model import Package
from assembler.report.common import excerpt, paragraph_of, place, summary


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(files: list[str], findings: list[Finding], package: Package | None = None) -> str:
    """The report as text; *findings* are expected in runner order (sorted), *files* as given."""
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    order = list(files) + sorted(k for k in by_file if k not in files)
    for name in order:
        own = by_file.get(name)
        if not own:
            continue
        lines.append(f"{name}")
        for f in own:
            where = place(f, package)
            lines.append(f"  {where}  {Severity(f.severity).value}  {f.code}: {f.message}")
            p = paragraph_of(package, f)
            shown = excerpt(p.text, f.snippet, offset=f.offset) if p is not None else f.snippet
            lines.append(f"      {shown}")
        lines.append("")
    counts = summary(findings)
    total = len(findings)
    if total:
        lines.append(f"{_plural(total, 'finding')} in {_plural(len(files), 'file')}: "
                     f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
                     f"{counts['info']} info")
    else:
        lines.append(f"no findings in {_plural(len(files), 'file')}")
    return "\n".join(lines) + "\n"
