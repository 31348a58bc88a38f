"""The term sheet: typed model, YAML loader with located errors, JSON Schema for editors.

The names below are imported when first used, so that importing the model (as the check's rules
do) does not load the YAML reader."""

__all__ = ["TermSheet", "load_termsheet", "termsheet_json_schema"]


def __getattr__(name: str):
    if name in ("load_termsheet", "termsheet_json_schema"):
        from assembler.termsheet import load

        return getattr(load, name)
    if name == "TermSheet":
        from assembler.termsheet.model import TermSheet

        return TermSheet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
