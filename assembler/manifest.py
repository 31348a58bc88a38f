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


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise OutputError(Problem(Location(str(path)), f"unreadable manifest ({exc}); delete it to rebuild "
                                                       "from scratch")) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise OutputError(Problem(Location(str(path)), f"not a manifest of this tool (schema {SCHEMA})"))
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


def plan_rebuild(out_dir: Path, manifest: dict | None, inputs: dict, names: list[str]) -> Plan:
    """Compare what is on disk with the manifest: up to date, edited by hand, or previous versions."""
    plan = Plan()
    recorded = (manifest or {}).get("outputs", {})
    for name in names:
        path = Path(out_dir) / name
        if not path.exists():
            continue
        data = path.read_bytes()
        if recorded.get(name) != sha256(data):
            plan.edited.append(name)
        else:
            plan.previous[name] = data
    if manifest is not None:
        same_inputs = all(manifest.get(k) == v for k, v in inputs.items())
        plan.up_to_date = (same_inputs and not plan.edited
                           and sorted(plan.previous) == sorted(names) == sorted(recorded))
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
