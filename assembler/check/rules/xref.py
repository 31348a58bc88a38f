"""Rules of the 'xref' family."""

from __future__ import annotations

RULES: tuple = ()
