"""Drafting toolkit for preferred-stock financings: build the deal package, check Word agreements."""

__version__ = "0.1.0"
