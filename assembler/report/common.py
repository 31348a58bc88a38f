"""What every report shares: file order, severity counts and excerpts, computed the same way."""

from __future__ import annotations

import re

from collections.abc import Iterable

from assembler.check.rule import Finding, Severity
from assembler.docmodel.model import Package, Paragraph
from assembler.docmodel.places import place_in

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
EXCERPT_CONTEXT = 40


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts per severity, always all three keys, in the order error, warning, info."""
    counts = {s.value: 0 for s in SEVERITIES}
    for f in findings:
        counts[Severity(f.severity).value] += 1
    return counts


def paragraph_of(package: Package | None, finding: Finding) -> Paragraph | None:
    """The model paragraph a finding points at, or None when it cannot be found."""
    if package is None:
        return None
    index = _PARAGRAPHS.get(id(package))
    if index is None or index[0] is not package:
        _PARAGRAPHS.clear()
        index = _PARAGRAPHS[id(package)] = (package, {(p.document, p.part, p.index): p
                                                      for doc in package.documents for p in doc.paragraphs})
    return index[1].get((finding.file, finding.part, finding.paragraph))


_PARAGRAPHS: dict[int, tuple[Package, dict[tuple[str, str, int], Paragraph]]] = {}


def excerpt(text: str, snippet: str, context: int = EXCERPT_CONTEXT, offset: int = -1) -> str:
    """*snippet* with up to *context* characters either side, on one line: '…set forth in «Section IV.G».'

    With *offset* (where the snippet starts in *text*) the excerpt shows that occurrence."""
    head, snip, tail = excerpt_parts(text, snippet, context, offset)
    return f"{head}«{snip}»{tail}" if snip is not None else head


def excerpt_parts(text: str, snippet: str, context: int = EXCERPT_CONTEXT,
                  offset: int = -1) -> tuple[str, str | None, str]:
    """The excerpt as (text before, the snippet, text after); the snippet is None when it is not
    in the text (the first part then holds what is shown)."""
    if snippet and offset >= 0 and text[offset:offset + len(snippet)] == snippet:
        start, end = max(0, offset - context), min(len(text), offset + len(snippet) + context)
        one_line = lambda piece: re.sub(r"\s+", " ", piece)  # noqa: E731
        head = ("…" if start else "") + one_line(text[start:offset])
        tail = one_line(text[offset + len(snippet):end]) + ("…" if end < len(text) else "")
        return head, one_line(snippet), tail
    flat = " ".join(text.split())
    snip = " ".join(snippet.split())
    at = flat.find(snip) if snip else -1
    if at < 0:
        return snip or (flat[: 2 * context] + ("…" if len(flat) > 2 * context else "")), None, ""
    start, end = max(0, at - context), min(len(flat), at + len(snip) + context)
    head = ("…" if start else "") + flat[start:at]
    tail = flat[at + len(snip):end] + ("…" if end < len(flat) else "")
    return head, snip, tail


def place(finding: Finding, package: Package | None = None) -> str:
    """Where a finding stands, as a lawyer names it ("Section 9.4", "Recital B", "signature page")."""
    para = paragraph_of(package, finding)
    if para is not None:
        return place_in(package, para)
    where = f"Section {finding.section}" if finding.section else "the document"
    return where if finding.part == "body" else f"{where} ({finding.part})"
