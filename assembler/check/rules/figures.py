"""Rules of the 'figures' family."""

from __future__ import annotations

RULES: tuple = ()
