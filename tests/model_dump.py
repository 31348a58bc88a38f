"""The whole document model of a file as plain data, and its digest, to prove a change to the reader changes nothing.

    python tests/model_dump.py --digest           writes tests/fixtures/model-digest.json (repository fixtures)
    python tests/model_dump.py --full OUT FILE..  writes the whole dump of each FILE to OUT (to diff two versions)

Every field of every paragraph (its parent and its Word list label included), and every list and map of
the document, in their order; a paragraph is named by its position in ``Document.paragraphs``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DIGEST = FIXTURES / "model-digest.json"
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_SHEET = ROOT / "termsheets" / "ascent-series-j.yaml"


def fixture_files() -> list[Path]:
    """The repository's .docx fixtures."""
    return sorted(FIXTURES.glob("*.docx")) + sorted((FIXTURES / "word-saved").glob("*.docx"))


def corpus_files() -> list[Path]:
    """The shared corpus beside the repository (none in a fresh clone)."""
    return sorted(CORPUS.glob("*/*.docx"))


def _label(label) -> list | None:
    if label is None:
        return None
    return [label.text, label.ilvl, label.num_id, label.abstract_id, list(label.counters), list(label.level_texts),
            [list(r) for r in label.level_refs], list(label.path)]


def dump_document(document) -> dict:
    """Every field of *document* and of each of its paragraphs, definitions, references and fields."""
    where = {id(p): i for i, p in enumerate(document.paragraphs)}

    def key(para):
        return None if para is None else where.get(id(para), f"foreign:{para.document}:{para.part}:{para.index}")

    def pairs(mapping):
        return [[k, key(v)] for k, v in mapping.items()]

    paragraphs = [[p.document, p.part, p.index, p.text, p.label, p.number, p.level, p.literal, p.heading, p.section,
                   p.section_heading, p.style, p.exhibit, key(p.parent), _label(p.list_label),
                   None if p.element is None else [p.element.tag, p.element.sourceline]]
                  for p in document.paragraphs]
    return {
        "path": document.path, "name": document.name,
        "paragraphs": paragraphs,
        "outline": pairs(document.outline),
        "outline_is_first": (next(iter(document.outlines.values()), None) is document.outline),
        "outlines": [[k, pairs(o)] for k, o in document.outlines.items()],
        "definitions": [[d.term, d.kind, d.wording, key(d.paragraph), d.target, d.start, d.end]
                        for d in document.definitions],
        "references": [[r.kind, r.text, r.target, key(r.paragraph), r.start, r.end, r.local, r.direction, r.in_field,
                        r.other_document] for r in document.references],
        "ref_fields": [[f.bookmark, f.instruction, f.cached, key(f.paragraph), f.start, f.end]
                       for f in document.ref_fields],
        "bookmarks": pairs(document.bookmarks),
        "comments": document.comments, "revisions": document.revisions, "exhibit": document.exhibit,
        "literal_numbering": document.literal_numbering,
        "exhibits": pairs(document.exhibits), "schedules": pairs(document.schedules),
        "aliases": [[k, pairs(a)] for k, a in document.aliases.items()],
    }


def dump_files(paths, sources=None) -> list[dict]:
    """The dump of each document of the package *paths* make, read as `load_documents` reads them."""
    from assembler.docmodel.parse import load_documents

    return [dump_document(d) for d in load_documents(paths, sources).documents]


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:16]


def digest(dump: dict) -> dict:
    """A short hash of each paragraph and of each other field of one document's dump (path left out)."""
    out = {k: _hash(v) for k, v in dump.items() if k not in ("path", "paragraphs")}
    out["paragraphs"] = [_hash(p[1:]) for p in dump["paragraphs"]]   # the path a file is read from left out
    return out


def build_sample(folder: Path):
    """The sample package (three documents and the combined file) built from the seed term sheet."""
    from assembler.build import build

    return build(SAMPLE_SHEET, folder, combined=True)


def sample_dumps(folder: Path) -> tuple[dict, list[dict], list[dict]]:
    """(sha256 of each built file, the dumps read from the files, the dumps read from the build's parts in memory)."""
    built = build_sample(folder)
    files = sorted(Path(f) for f in built.files.values() if str(f).endswith(".docx"))
    hashes = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    from_files = [d for f in files for d in dump_files([f])]
    in_memory = [d for f in files for d in dump_files([f], built.sources)]
    return hashes, from_files, in_memory


def long_agreement(folder: Path) -> Path:
    """The 1,624-paragraph agreement drafted from the seed text (benchmarks/check_speed.py's)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from check_speed import write_seed_agreement
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return write_seed_agreement(folder, LONG_PARAGRAPHS)[0]


LONG_PARAGRAPHS = 1500


def write_digest() -> None:
    import tempfile

    out: dict = {"fixtures": {}, "sample": {}, "long": {}}
    for path in fixture_files():
        (dump,) = dump_files([path])
        out["fixtures"][str(path.relative_to(ROOT))] = digest(dump)
    with tempfile.TemporaryDirectory() as tmp:
        hashes, from_files, _ = sample_dumps(Path(tmp) / "sample")
        out["sample"] = {"files": hashes, "documents": {Path(d["path"]).name: digest(d) for d in from_files}}
        long = long_agreement(Path(tmp))
        (dump,) = dump_files([long])
        out["long"] = {"file": hashlib.sha256(long.read_bytes()).hexdigest(), "document": digest(dump)}
    DIGEST.write_text(json.dumps(out, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--digest"]:
        write_digest()
        return 0
    if argv[:1] == ["--full"] and len(argv) >= 3:
        dumps = [d for f in argv[2:] for d in dump_files([Path(f)])]
        Path(argv[1]).write_text(json.dumps(dumps, ensure_ascii=False, indent=0), encoding="utf-8")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
