"""The reader places the bookmarks its walk does not see (between paragraphs, repeated, in a revision or a text
box) by looking up only those, not every bookmark of a story: each bookmark lands on the paragraph it did before.
The old placement is kept here as the reference, run on the fixtures, the shared corpus when present, and
generated bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.docmodel.fields import bookmarks
from assembler.docmodel.labels import stories
from assembler.docmodel.ooxml import read_package, story_paragraphs
from assembler.docmodel.parse import _BOOKMARK, _Scan, _walk, read_document
from model_dump import corpus_files, fixture_files
from test_parse import write_docx

DOCUMENTS = fixture_files() + corpus_files()


def placed_as_before(path: Path) -> dict[str, tuple[str, int]]:
    """Bookmark name -> (story, paragraph index), placed as the reader placed them before."""
    placed: dict[str, tuple[str, int]] = {}
    element_of: dict[int, tuple[str, int]] = {}
    elements: list = []         # each paragraph's element held, as its Paragraph holds it
    for part, root in stories(read_package(path)):
        before = len(placed)
        stack: list = []
        for index, p in enumerate(story_paragraphs(root)):
            elements.append(p)
            scan = _Scan()
            _walk(p, scan, stack, False)
            element_of[id(p)] = (part, index)
            for name in scan.bookmarks:
                placed.setdefault(name, (part, index))
        if sum(1 for _ in root.iter(_BOOKMARK)) > len(placed) - before:
            for name, element in bookmarks(root).items():
                if name not in placed and element is not None and id(element) in element_of:
                    placed[name] = element_of[id(element)]
    return placed


def placed(path: Path) -> dict[str, tuple[str, int]]:
    document = read_document(path)
    return {name: (para.part, para.index) for name, para in document.bookmarks.items()}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_bookmarks_are_placed_as_before_in_real_documents(path):
    assert placed(path) == placed_as_before(path)


def test_a_bookmark_left_out_as_known_is_not_looked_up():
    root = next(r for _part, r in stories(read_package(fixture_files()[0])))
    everything = bookmarks(root)
    some = set(list(everything)[::2])
    assert bookmarks(root, some) == {k: v for k, v in everything.items() if k not in some}


def mark(name: str) -> str:
    return f'<w:bookmarkStart w:id="1" w:name="{name}"/>' if name else '<w:bookmarkStart w:id="1"/>'


def pieces(name: str) -> list[str]:
    run = '<w:r><w:t>text</w:t></w:r>'
    return [
        f"<w:p>{mark(name)}{run}</w:p>",                                 # in a paragraph, seen by the walk
        mark(name),                                                      # between paragraphs: the next one
        f"<w:p>{run}</w:p>",
        f"<w:p><w:r>{mark(name)}<w:t>in a run</w:t></w:r></w:p>",
        f"<w:p><w:del><w:r>{mark(name)}<w:delText>gone</w:delText></w:r></w:del></w:p>",   # out of the walk's sight
        f"<w:p><w:pPr><w:rPr>{mark(name)}</w:rPr></w:pPr>{run}</w:p>",
        f'<w:tbl><w:tr><w:tc>{mark(name)}<w:p>{run}</w:p></w:tc><w:tc><w:p>{mark(name)}</w:p></w:tc></w:tr></w:tbl>',
        f"<w:p><w:r><w:pict><w:txbxContent><w:p>{mark(name)}{run}</w:p></w:txbxContent></w:pict></w:r></w:p>",
        f"<w:sdt><w:sdtContent>{mark(name)}<w:p>{run}</w:p></w:sdtContent></w:sdt>",
        f"<w:p><w:hyperlink>{mark(name)}{run}</w:hyperlink></w:p>",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b", "_Ref1", ""])), max_size=12))
def test_bookmarks_are_placed_as_before_in_any_body(tmp_path_factory, chosen):
    body = "".join(pieces(name)[which] for which, name in chosen)
    path = write_docx(tmp_path_factory.mktemp("b"), body + "<w:p/>" * (len(chosen) % 2))
    assert placed(path) == placed_as_before(path)
