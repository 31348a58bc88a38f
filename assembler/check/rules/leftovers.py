"""Rules of the 'leftovers' family."""

from __future__ import annotations

RULES: tuple = ()
