"""Rules of the 'series' family."""

from __future__ import annotations

RULES: tuple = ()
