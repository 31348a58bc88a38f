"""Drafting toolkit for preferred-stock financings: build the deal package, check Word agreements."""

__version__ = "0.1.0"

from assembler import patterns as _patterns  # noqa: E402 - the toolkit's modules import with compiled patterns cached

_patterns.install()
