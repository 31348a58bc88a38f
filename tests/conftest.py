"""Shared fixtures: the seed term sheet, variants of it, and builds into temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from examples import SEED_TERMSHEET, merge

ROOT = Path(__file__).resolve().parent.parent


def write_termsheet(folder: Path, overrides: dict | None = None, name: str = "deal.yaml") -> Path:
    """The seed term sheet with *overrides* merged in, written to *folder*."""
    data = merge(yaml.safe_load(SEED_TERMSHEET.read_text(encoding="utf-8")), overrides or {})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`assembler ARGS` in a fresh process, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "assembler", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed deal built once (three documents and the combined package)."""
    from assembler.build import build

    out = tmp_path_factory.mktemp("seed-build")
    result = build(SEED_TERMSHEET, out, combined=True)
    return result
