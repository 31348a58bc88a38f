"""The JSON report, schema ``assembler.check/1`` (documented in README.md, "Consistency pass").

Keys are written in a fixed order and findings in runner order, so the same input gives the same
bytes. A change that removes or renames a key, or changes a value's meaning, bumps the version.
"""

from __future__ import annotations

import json

from assembler.check.rule import Finding, Severity
from assembler.report.common import summary

SCHEMA = "assembler.check/1"
FINDING_KEYS = ("code", "rule", "severity", "file", "part", "paragraph", "section", "snippet", "message")


def finding_dict(f: Finding) -> dict:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": Severity(f.severity).value,
        "file": f.file,
        "part": f.part,
        "paragraph": f.paragraph,
        "section": f.section,
        "snippet": f.snippet,
        "message": f.message,
    }


def report_dict(files: list[str], findings: list[Finding]) -> dict:
    return {
        "schema": SCHEMA,
        "files": list(files),
        "summary": summary(findings),
        "findings": [finding_dict(f) for f in findings],
    }


def render_json(files: list[str], findings: list[Finding]) -> str:
    return json.dumps(report_dict(files, findings), indent=2, ensure_ascii=False) + "\n"
