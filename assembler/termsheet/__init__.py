"""The term sheet: typed model, YAML loader with located errors, JSON Schema for editors."""

from assembler.termsheet.load import load_termsheet, termsheet_json_schema
from assembler.termsheet.model import TermSheet

__all__ = ["TermSheet", "load_termsheet", "termsheet_json_schema"]
