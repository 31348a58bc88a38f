"""Generated term sheets and what the loader and the model make of each: the differential fixture.

    python tests/termsheet_cases.py      # rewrites tests/fixtures/termsheet-cases.json

A case is a base term sheet (the seed, its variants with their bases merged in, the seed with every
optional field given) and a list of edits to its data: fields dropped, renamed (misspelt), added,
groups replaced by lists or text, values replaced by wrong types, numbers as text, bad dates and
the like. The edits are targeted (each field dropped, misspelt, given each value of a pool) and
drawn by hypothesis (a fixed seed: several edits at once). Each case's data is written as YAML and
read by :func:`assembler.termsheet.load_termsheet`; its outcome is the located problems (file name
left out) or the validated values (the dump and the derived values) where they differ from the
base's. The same data is given to ``TermSheet.model_validate`` directly: its outcome is each
error's type, location and message, or "ok".

tests/test_termsheet_cases.py re-reads every case and asserts the same outcome. The fixture was
written by this script at commit 899bc0f, when the model was pydantic's; rerunning it rewrites the
expected outcomes from the code as it stands, which is only right when a change of them is meant
(and draws a slightly different set of edits: hypothesis's fixed seed does not fix every draw).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "termsheet-cases.json"
SEED = ROOT / "termsheets" / "ascent-series-j.yaml"
VARIANTS = ROOT / "termsheets" / "variants"

# --------------------------------------------------------------------------------------------
# Values in JSON: Decimals, dates, datetimes and sets are tagged


def encode(value: Any) -> Any:
    """*value* (data read from YAML) as JSON: ``{"$decimal": "0.15"}``, ``{"$date": ...}``..."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted(encode(v) for v in value)}
    if isinstance(value, dict):
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(value, dict):
        (tag, inner), = value.items()
        if tag == "$decimal":
            return Decimal(inner)
        if tag == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$set":
            return {decode(v) for v in inner}
        return {decode(k): decode(v) for k, v in inner}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Edits


def apply(data: dict, edits: list) -> dict:
    """*data* with each edit applied: ``["del", path]``, ``["set", path, value]``, ``["rename", path, name]``.

    A path is a list of keys and list positions; a missing step is skipped (the edit does
    nothing); ``set`` adds a key that is not there and appends at a position past a list's end."""
    data = copy.deepcopy(data)
    for op, path, *rest in edits:
        parent: Any = data
        for step in path[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        last = path[-1]
        if isinstance(parent, list) and isinstance(last, int):
            if op == "del" and last < len(parent):
                del parent[last]
            elif op == "set":
                value = decode(rest[0])
                if last < len(parent):
                    parent[last] = value
                else:
                    parent.append(value)
        elif isinstance(parent, dict):
            if op == "del":
                parent.pop(last, None)
            elif op == "set":
                parent[last] = decode(rest[0])
            elif op == "rename" and last in parent:
                items = [(rest[0] if k == last else k, v) for k, v in parent.items()]
                parent.clear()
                parent.update(items)
    return data


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Writes Decimals as YAML floats, which the loader reads back as the same Decimals (libyaml's
    emitter when there is one: the same text as PyYAML's, faster)."""


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float",
                                                                                str(value)))


def to_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


# --------------------------------------------------------------------------------------------
# Outcomes


def _flat(value: Any, path: str, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        out[path or "."] = "{}"
        for k, v in value.items():
            _flat(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        out[path] = f"[{len(value)}]"
        for i, v in enumerate(value):
            _flat(v, f"{path}[{i}]", out)
    else:
        out[path] = [type(value).__name__, encode(value)]
    return out


def values(ts) -> dict[str, Any]:
    """The validated term sheet's dump and derived values, flattened, each value with its type."""
    out = _flat(ts.model_dump(), "", {})
    out["~purchase.amount"] = ["Decimal", encode(ts.purchase.amount)]
    out["~closing_amounts"] = [encode(a) for a in ts.closing_amounts()]
    out["~closings[].amount"] = [encode(c.amount) for c in ts.closings]
    out["~closings_total_shares"] = ts.closings_total_shares
    return out


def outcome(data: dict, folder: Path, base_values: dict[str, Any] | None) -> dict[str, Any]:
    """What the loader and ``TermSheet.model_validate`` make of *data*."""
    from pydantic import ValidationError

    from assembler.errors import TermSheetError
    from assembler.termsheet import TermSheet, load_termsheet
    from assembler.termsheet.load import _FastLoader, _Loader

    text = to_yaml(data)
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    result: dict[str, Any] = {}
    try:
        ts = load_termsheet(path)
    except TermSheetError as exc:
        prefix = f"{path}:"
        result["problems"] = [str(p)[len(prefix):] if str(p).startswith(prefix) else str(p)
                              for p in exc.problems]
    else:
        new = values(ts)
        base = base_values or {}
        changed = {k: v for k, v in new.items() if base.get(k) != v}
        changed.update({k: None for k in base if k not in new})
        result["values"] = changed
    loaded = yaml.load(text, Loader=_FastLoader or _Loader)  # noqa: S506 - SafeLoaders, the same values
    try:
        TermSheet.model_validate(loaded)
    except ValidationError as exc:
        result["errors"] = [[e["type"], list(e["loc"]), e["msg"]] for e in exc.errors(include_url=False)]
    else:
        result["errors"] = "ok"
    return result


# --------------------------------------------------------------------------------------------
# The bases and the edits


def bases() -> dict[str, dict]:
    from examples import merge

    seed = yaml.load(SEED.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506
    out = {"seed": seed}
    for variant in sorted(VARIANTS.glob("*.yaml")):
        data = yaml.load(variant.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506
        data.pop("extends", None)
        out[variant.stem] = merge(seed, data)
    out["all-options"] = merge(seed, {"cover_page": True, "table_of_contents": True,
                                      "draft": {"date": dt.date(2015, 9, 1), "version": 3,
                                                "document_id": "NY 1234567"},
                                      "purchaser": {"signature_chain": []},
                                      "mandatory_redemption": {"enabled": False}})
    return out


def _loader():
    from assembler.termsheet.load import _Loader

    return _Loader


POOL: list[Any] = [
    None, "", "abc", "Abc Holdings, L.P.", "Managing Member", 0, -5, 3000, "3,000", "1,000.50", "$1,000.00",
    "8%", "101", Decimal("4.99"), Decimal("0"), 2.5, True, dt.date(2015, 10, 1), dt.datetime(2015, 10, 1, 10, 0),
    "2015-02-30", "2015-10-01", "j", [], ["rule_506", "rule_506"], {"a": 1}, {"x"}, "x\ue000y", "1" * 40,
]


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, path + (i,))
    return out


def _misspell(name: str, n: int) -> str:
    if n % 3 == 0 and len(name) > 3:
        return name[:1] + name[2] + name[1] + name[3:]  # two letters swapped
    if n % 3 == 1:
        return name[:-1]  # last letter dropped
    return name + "s"


def targeted(base: dict) -> list[list]:
    """Each field dropped, misspelt and given each value of the pool; unknown and computed fields."""
    out: list[list] = []
    for n, path in enumerate(_paths(base)):
        p = list(path)
        value = apply(base, [])
        for step in path:
            value = value[step]
        out.append([["del", p]])
        if isinstance(path[-1], str):
            out.append([["rename", p, _misspell(path[-1], n)]])
        if isinstance(value, dict):
            out += [[["set", p + ["unknown_field"], 1]], [["set", p, encode(list(value.values()))]],
                    [["set", p, "text"]], [["set", p, None]]]
        elif not any(isinstance(step, int) and step > 0 for step in path):  # one item of each list
            out += [[["set", p, encode(v)]] for v in POOL]
    out += [[["set", ["purchase", "amount"], "3000000"]], [["set", ["closings", 0, "amount"], 1]],
            [["set", ["closings_total_shares"], 3000]], [["set", [7], "x"]], [["set", ["company", True], 1]]]
    return out


def _lists(edit, count: int, most: int) -> list[list]:
    """*count* lists of one to *most* edits drawn from the strategy *edit*, the same on every run."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    out: list[list] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(edit, min_size=1, max_size=most))
    def collect(edits):
        out.append([list(e) for e in edits])

    collect()
    return out


def drawn(base: dict, count: int) -> list[list]:
    """*count* lists of one to five edits, drawn by hypothesis with a fixed seed."""
    from hypothesis import strategies as st

    paths = [list(p) for p in _paths(base)]
    field = st.sampled_from(paths)
    value = st.one_of(st.sampled_from(POOL), st.integers(-10, 40000), st.dates(dt.date(2014, 1, 1),
                      dt.date(2016, 12, 31)), st.text(max_size=8),
                      st.decimals(min_value=0, max_value=200, places=2))
    edit = st.one_of(
        st.tuples(st.just("del"), field),
        st.tuples(st.just("set"), field, value.map(encode)),
        st.tuples(st.just("rename"), field.filter(lambda p: isinstance(p[-1], str)),
                  st.sampled_from(["nmae", "shares", "date", "title", "extra", "Name", "amount"])),
    )
    return _lists(edit, count, 5)


def consistent(base: dict, count: int) -> list[list]:
    """*count* lists of one to four edits that keep each value's type but may set fields against
    each other (closing dates and shares, prices, titles, signature chains...), drawn by hypothesis."""
    from hypothesis import strategies as st

    day = st.dates(dt.date(2015, 9, 1), dt.date(2015, 12, 31)).map(encode)
    shares = st.sampled_from([1, 500, 600, 2999, 3000, 3001, 30000, 25000000, 25000001])
    price = st.sampled_from(["1000.00", "1000", "999.99", "0.15", "$1,000.00"])
    percent = st.sampled_from(["4.99", "9.99", "10", "0.5", "100", "4.99%"])
    entity = st.sampled_from(["LT Asia Management Ltd., its investment manager", "RMCP GP, LLC, its general partner",
                              "Fund Manager Ltd", "Alpha Fund, L.P., as attorney-in-fact", "Beta LLC"])
    title = st.sampled_from(["Director", "Managing Member", "General Partner", "President", "Partner"])
    name = st.sampled_from(["Global Ichiban Limited", "Alpha Fund, L.P.", "Beta Capital LLC", "Gamma Inc."])
    closing = st.fixed_dictionaries({"date": day, "shares": shares}).map(lambda c: {"$map": list(map(list, c.items()))})
    fields = {
        ("closings", 0, "date"): day, ("closings", 1, "date"): day, ("closings", 5, "date"): day,
        ("closings", 0, "shares"): shares, ("closings", 3, "shares"): shares, ("closings", 6): closing,
        ("purchase", "shares"): shares, ("preferred", "shares_designated"): shares,
        ("preferred", "authorized_preferred_shares"): shares, ("purchase", "price_per_share"): price,
        ("preferred", "original_issue_price"): price, ("effective_date",): day,
        ("certificate", "execution_date"): day, ("certificate", "board_meeting_date"): day,
        ("exemptions",): st.lists(st.sampled_from(["section_4_2", "rule_506", "regulation_s", "rule_144"]),
                                  max_size=4),
        ("purchaser", "us_person"): st.booleans(), ("purchaser", "name"): name,
        ("purchaser", "signature_chain"): st.lists(entity, max_size=3),
        ("purchaser", "signatory", "title"): title, ("company", "signatory", "title"): title,
        ("company", "name"): st.sampled_from(["Ascent Solar Technologies, Inc.", "Ascent Partners, L.P.",
                                              "Ascent LLC"]),
        ("company", "state"): st.sampled_from(["Delaware", "Nevada"]),
        ("company", "entity_type"): st.sampled_from(["corporation", "limited liability company"]),
        ("beneficial_ownership", "limitation"): percent, ("beneficial_ownership", "maximum"): percent,
        ("mandatory_redemption", "enabled"): st.booleans(),
        ("mandatory_redemption", "term_years"): st.sampled_from([None, 1, 3]),
    }
    edit = st.one_of(
        st.sampled_from(sorted(fields, key=str)).flatmap(
            lambda p: fields[p].map(lambda v, p=p: ("set", list(p), v))),
        st.sampled_from([("del", ["closings", 5]), ("del", ["mandatory_redemption", "term_years"]),
                         ("del", ["purchaser", "signature_chain"])]),
    )
    return _lists(edit, count, 4)


def generate() -> dict[str, Any]:
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        all_bases = bases()
        for name, base in all_bases.items():
            base_values = outcome(base, folder, None)["values"]
            edits = [[]] + (targeted(base) if name == "seed" else [])
            edits += drawn(base, {"seed": 250, "all-options": 150}.get(name, 50))
            edits += consistent(base, {"seed": 400, "all-options": 150}.get(name, 50))
            seen = set()
            for case in edits:
                key = json.dumps(case)
                if key in seen:
                    continue
                seen.add(key)
                cases.append({"base": name, "edits": case,
                              **outcome(apply(base, case), folder, base_values if case else None)})
        return {"bases": {name: encode(base) for name, base in all_bases.items()}, "cases": cases}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    result = generate()
    FIXTURE.write_text(json.dumps(result, indent=None, separators=(",", ":")).replace('},{"base"', '},\n{"base"')
                       + "\n", encoding="utf-8")
    print(f"{len(result['cases'])} cases written to {FIXTURE.relative_to(ROOT)}")
