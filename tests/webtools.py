"""Helpers of the web page's tests: a workspace, a client, a draft with a stray series."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

with warnings.catch_warnings():  # starlette's test client warns when it runs over httpx rather than httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: F401

def stray_series_lines() -> list[str]:
    """The series rule's first failing example: a stray Series G in a Series J certificate."""
    from assembler.check.registry import all_rules

    rule = next(r for r in all_rules() if r.code == "series")
    return list(rule.fails[0].documents[0][1])


def make_workspace(folder: Path) -> Path:
    """A workspace holding a copy of the repository's term sheets."""
    shutil.copytree(ROOT / "termsheets", folder / "termsheets")
    return folder


def stray_series_draft(path: Path) -> Path:
    """A certificate draft that names Series G in a Series J deal."""
    from assembler.drafting import draft_document
    from assembler.render.write import save_docx

    save_docx(draft_document(stray_series_lines(), prefix="SPA"), path)
    return path


def csrf_of(client) -> str:
    """The page's CSRF token (the cookie set on the first page view)."""
    if "assembler_csrf" not in client.cookies:
        client.get("/")
    return client.cookies["assembler_csrf"]
