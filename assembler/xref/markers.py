"""Label markers: what ``{{ anchor.name }}`` and ``{{ ref.name }}`` print into the rendered XML.

A marker is ``U+E000 kind:document:label U+E001``. The term sheet refuses private-use characters,
so no value can forge a marker; markers are replaced by bookmarks and REF fields after rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from assembler.memo import kept

OPEN, CLOSE = "\ue000", "\ue001"
LABEL_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
MARKER_RE = re.compile("\ue000([AR]):([a-z]+):([^\ue000\ue001]*)\ue001")


@dataclass(frozen=True)
class Marker:
    kind: str  # "A" anchor, "R" reference
    document: str
    label: str

    @property
    def key(self) -> tuple[str, str]:
        return self.document, self.label


def _marker(kind: str, document: str, label: str) -> Markup:
    return (_marker_of if type(label) is str else _marker_of.fresh)(label, kind, document)


@kept()
def _marker_of(label: str, kind: str, document: str) -> Markup:
    """The marker of *label*, kept for a plain string (a template prints the same few labels in every
    document it renders; the three strings are the whole of the marker, and a Markup is immutable)."""
    return Markup(f"{OPEN}{kind}:{document}:{label}{CLOSE}")


class _Namespace:
    kind = ""

    def __init__(self, document: str):
        self._document = document

    def __getattr__(self, label: str) -> Markup:
        if label.startswith("__"):
            raise AttributeError(label)
        return _marker(self.kind, self._document, label)

    __getitem__ = __getattr__


class AnchorNamespace(_Namespace):
    """``{{ anchor.closing }}``: marks the paragraph it stands in as the target labelled 'closing'."""

    kind = "A"


class RefNamespace(_Namespace):
    """``{{ ref.closing }}``: the number of the paragraph labelled 'closing', as a REF field."""

    kind = "R"


def find_markers(text: str) -> list[tuple[int, int, Marker]]:
    """Every marker in *text* as (start, end, Marker)."""
    return list(markers_in(text))


@kept()
def markers_in(text: str) -> tuple[tuple[int, int, Marker], ...]:
    """`find_markers` as a tuple, kept by the text (all it depends on; a Marker is frozen): a template's
    labelled and referring paragraphs are the same text in deal after deal."""
    return tuple((m.start(), m.end(), Marker(m.group(1), m.group(2), m.group(3))) for m in MARKER_RE.finditer(text))
