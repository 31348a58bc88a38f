"""Rules of the 'defs' family."""

from __future__ import annotations

RULES: tuple = ()
