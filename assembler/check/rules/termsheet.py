"""Rules of the 'termsheet' family."""

from __future__ import annotations

RULES: tuple = ()
