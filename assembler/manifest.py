"""manifest.json beside each build: what went in, what came out, so rebuilds are safe and explainable.

The manifest records the term sheet (its hash and its validated values), the templates' hashes,
the tool version and each output's sha256. A rebuild compares against it: unchanged inputs
rewrite nothing; an output whose bytes differ from the manifest was edited by hand and is never
silently overwritten.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from assembler import __version__
from assembler.errors import Location, OutputError, Problem
from assembler.render.write import atomic_write

MANIFEST = "manifest.json"
SCHEMA = "assembler.manifest/1"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def termsheet_values(ts) -> dict:
    """The validated term sheet as plain JSON values (dates ISO, decimals as written)."""
    return json.loads(json.dumps(ts.model_dump(mode="python", warnings=False), default=str))


def inputs_of(termsheet_bytes: bytes, ts, templates: dict[str, str]) -> dict:
    """The part of the manifest that says what a build was made from."""
    return {"tool_version": __version__, "termsheet_sha256": sha256(termsheet_bytes),
            "templates": dict(sorted(templates.items())), "termsheet": termsheet_values(ts)}


_SAFE_CHOICE = ("nothing was overwritten. Delete it to rebuild: every output on disk is then treated as "
                "edited by hand and kept (with --force, as NAME.edited.docx)")


def read_manifest(out_dir: Path) -> dict | None:
    """The last build's manifest; None if there is none. One edited by hand into something else
    (bad JSON, wrong types, deep nesting, not a file) is an error that overwrites nothing."""
    path = Path(out_dir) / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    try:
        from assembler.safeio import read_input

        data = json.loads(read_input(path, limit=50_000_000, what="manifest", error=OutputError).decode("utf-8"))
    except OutputError as exc:
        raise OutputError(Problem(Location(str(path)), f"{exc.problems[0].message}; {_SAFE_CHOICE}")) from None
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0][:150]
        raise OutputError(Problem(Location(str(path)), f"unreadable manifest ({reason}); {_SAFE_CHOICE}")) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise OutputError(Problem(Location(str(path)), f"not a manifest of this tool (schema {SCHEMA}); "
                                                       f"{_SAFE_CHOICE}"))
    outputs = data.get("outputs", {})
    if not (isinstance(outputs, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in outputs.items())
            and isinstance(data.get("termsheet", {}), dict) and isinstance(data.get("templates", {}), dict)):
        raise OutputError(Problem(Location(str(path)), f"manifest edited into another shape (outputs, termsheet "
                                                       f"and templates must be mappings); {_SAFE_CHOICE}"))
    return data


def write_manifest(out_dir: Path, inputs: dict, hashes: dict[str, str]) -> None:
    """manifest.json: the inputs and the sha256 of each output (name -> hex digest)."""
    data = {"schema": SCHEMA, **inputs, "outputs": dict(sorted(hashes.items()))}
    atomic_write(Path(out_dir) / MANIFEST, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))


@dataclass
class Plan:
    """What a rebuild will do with each output."""

    up_to_date: bool = False
    edited: list[str] = field(default_factory=list)       # on disk, differs from the last build
    previous: dict[str, bytes] = field(default_factory=dict)  # last build's bytes, for redlines
    changes: list[str] = field(default_factory=list)      # term-sheet fields that changed


def plan_rebuild(out_dir: Path, manifest: dict | None, inputs: dict, names: list[str],
                 ours: dict[str, str] | None = None) -> Plan:
    """Compare what is on disk with the manifest: up to date, edited by hand, or previous versions.

    *ours*: hashes an unfinished build was writing; a file with one of them is the tool's own."""
    from assembler.safeio import read_input

    plan = Plan()
    recorded = (manifest or {}).get("outputs", {})
    for name in [*names, *(n for n in recorded if n.startswith("redlines/") and n not in names)]:
        path = Path(out_dir) / name
        if not path.exists():
            continue
        data = read_input(path, limit=1 << 30, what="file written by the last build", error=OutputError,
                          empty_ok=True)
        digest = sha256(data)
        if ours and ours.get(name) == digest:
            continue
        if recorded.get(name) != digest:
            plan.edited.append(name)
        else:
            plan.previous[name] = data
    if manifest is not None:
        same_inputs = all(manifest.get(k) == v for k, v in inputs.items())
        documents = sorted(n for n in recorded if not n.startswith("redlines/"))
        plan.up_to_date = (same_inputs and not plan.edited
                           and sorted(n for n in plan.previous if n in names) == sorted(names) == documents)
        plan.changes = changed_fields(manifest.get("termsheet", {}), inputs["termsheet"])
    return plan


def edited_copy_name(out_dir: Path, name: str) -> Path:
    """Where a hand-edited output is kept when --force rebuilds over it: NAME.edited.docx, then -2..."""
    stem, dot, ext = name.rpartition(".")
    candidate = Path(out_dir) / f"{stem}.edited.{ext}"
    n = 2
    while candidate.exists():
        candidate = Path(out_dir) / f"{stem}.edited-{n}.{ext}"
        n += 1
    return candidate


def _flatten(value, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value, 1):
            out.update(_flatten(item, f"{prefix}[{i}]"))
        if not out:
            out[prefix] = value
        return out
    return {prefix: value}


def changed_fields(old: dict, new: dict) -> list[str]:
    """Term-sheet fields whose values differ: 'conversion_price: 0.15 -> 0.20'."""
    before, after = _flatten(old), _flatten(new)
    lines = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            was = "(absent)" if key not in before else json.dumps(before[key])
            now = "(absent)" if key not in after else json.dumps(after[key])
            lines.append(f"{key}: {was} -> {now}")
    return lines
