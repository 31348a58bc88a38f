"""Draft the Word templates in templates/ from the outline sources in tools/drafts/.

The .docx files in templates/ are what the build reads and what a lawyer edits in Word; this
script is how they were first drafted, kept so that a template can be redrafted from scratch
(`python tools/draft_templates.py`, which overwrites templates/*.docx).
"""

from __future__ import annotations

from pathlib import Path

from assembler.drafting import draft_document
from assembler.render.write import save_docx

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {
    # name: (source, level style prefix, footer text before the page number, document title)
    "agreement": ("agreement.txt", "SPA", "", "Securities Purchase Agreement"),
    "glossary": ("glossary.txt", None, "Exhibit 1-", "Exhibit 1 - Glossary of Defined Terms"),
    "certificate": ("certificate.txt", "COD", "Exhibit 2-", "Exhibit 2 - Form of Certificate of Designations"),
}


# The header of every page while the term sheet gives a draft (nothing in the execution version).
DRAFT_LEGEND = ("{% if draft %}Draft of {{ draft.date }} \u2013 Version {{ draft.version }} \u2013 "
                "{{ draft.document_id }}{% endif %}")


def main() -> None:
    for name, (source, prefix, footer, title) in DOCUMENTS.items():
        path = ROOT / "tools" / "drafts" / source
        doc = draft_document(path.read_text(encoding="utf-8").splitlines(), prefix=prefix, footer=footer,
                             title=title, source=str(path), header=DRAFT_LEGEND)
        out = ROOT / "templates" / f"{name}.docx"
        save_docx(doc, out)
        print(out)


if __name__ == "__main__":
    main()
