"""The batch's faster paths give what the code before them gave: a term sheet loaded again from the same
bytes (kept by `load_termsheet`), `atomic_write` without its folder made first, and phase 1 of a batch
with several term sheets a task. The code as it was is kept here as the reference."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
import yaml

from assembler import batch, memo
from assembler.errors import AssemblerError, Location, OutputError, Problem, TermSheetError
from assembler.render import write
from assembler.safeio import check_output
from assembler.termsheet import load as load_module
from assembler.termsheet.load import LIBRARY_ENV, load_termsheet

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "termsheets" / "ascent-series-j.yaml"
SHEETS = sorted({*ROOT.glob("termsheets/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")})


# --------------------------------------------------------------------------------------------
# load_termsheet as it was: read and check the file (and its bases) every time


def _old_load_termsheet(path):
    file = os.fspath(path)
    doc, files = load_module._resolve(file, [os.path.realpath(file)])
    return load_module._validate(doc, files)


def _outcome(load, path):
    """What loading *path* gives: the term sheet's values, or the problems raised."""
    try:
        ts = load(path)
    except TermSheetError as exc:
        return "error", [str(p) for p in exc.problems]
    return "ok", (type(ts).__name__, ts.__dict__)


def _same_as_before(path) -> None:
    """Loading *path* now (first load, then from what was kept) gives what the code before gave."""
    expected = _outcome(_old_load_termsheet, path)
    assert _outcome(load_termsheet, path) == expected
    assert _outcome(load_termsheet, path) == expected  # from the memo when it loaded


def _variant(i: int) -> dict:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["deal_name"] = f"Variant {i:05d}"
    data["series"] = "ABCDEFGHJK"[i % 10]
    return data


@pytest.fixture(autouse=True)
def fresh_memos():
    memo.forget()
    yield
    memo.forget()


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_shipped_term_sheets_load_as_before(sheet, monkeypatch):
    monkeypatch.chdir(ROOT)
    _same_as_before(sheet)


def test_recorded_term_sheet_cases_load_as_before(tmp_path):
    """Every fifth generated case of tests/fixtures/termsheet-cases.json (fields dropped, misspelt,
    mistyped, set against each other), each written to one file in turn, as the code before loads it."""
    from termsheet_cases import FIXTURE, apply, decode, to_yaml

    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    bases = {name: decode(data) for name, data in recorded["bases"].items()}
    path = tmp_path / "case.yaml"
    for case in recorded["cases"][::5]:
        path.write_text(to_yaml(apply(bases[case["base"]], case["edits"])), encoding="utf-8")
        _same_as_before(path)


def test_generated_variants_load_as_before(tmp_path):
    for i in range(12):
        path = tmp_path / f"v{i}.yaml"
        path.write_text(yaml.safe_dump(_variant(i), sort_keys=False), encoding="utf-8")
        _same_as_before(path)


def test_a_loaded_term_sheet_is_a_new_object_each_time(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(_variant(1), sort_keys=False), encoding="utf-8")
    first, second = load_termsheet(path), load_termsheet(path)
    assert first is not second and first.closings is not second.closings
    second.closings.append("changed")  # a caller's change reaches no other caller
    assert load_termsheet(path).__dict__ == first.__dict__


def test_a_changed_file_is_loaded_again(tmp_path):
    path = tmp_path / "v.yaml"
    for i in range(3):
        path.write_text(yaml.safe_dump(_variant(i), sort_keys=False), encoding="utf-8")
        _same_as_before(path)
    assert load_termsheet(path).deal_name == "Variant 00002"
    path.write_text("deal_name: [", encoding="utf-8")  # broken after loading well
    _same_as_before(path)
    path.unlink()
    _same_as_before(path)


def test_the_same_bytes_under_another_name_are_located_at_that_name(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("shares: 3000  ", "shares: lots  ", 1)
    good = yaml.safe_dump(_variant(3), sort_keys=False)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(good, encoding="utf-8")
        _same_as_before(tmp_path / name)
    for name in ("c.yaml", "d.yaml"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        _same_as_before(tmp_path / name)


def test_a_variant_sees_a_change_to_its_base(tmp_path, monkeypatch):
    base = tmp_path / "base.yaml"
    base.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: base.yaml\ndeal_name: Deal V\n", encoding="utf-8")
    _same_as_before(variant)
    base.write_text(SEED.read_text(encoding="utf-8").replace("series: J", "series: K"), encoding="utf-8")
    _same_as_before(variant)
    assert load_termsheet(variant).series == "K"
    base.write_text("purchase: [", encoding="utf-8")  # the base broken
    _same_as_before(variant)
    base.unlink()
    _same_as_before(variant)


def test_a_variant_sees_its_base_swapped_or_refused(tmp_path, monkeypatch):
    library = tmp_path / "library"
    library.mkdir()
    (library / "one.yaml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (library / "two.yaml").write_text(SEED.read_text(encoding="utf-8").replace("series: J", "series: L"),
                                      encoding="utf-8")
    deals = tmp_path / "deals"
    deals.mkdir()
    link = deals / "base.yaml"
    link.symlink_to(library / "one.yaml")
    variant = deals / "variant.yaml"
    variant.write_text("extends: base.yaml\ndeal_name: Deal W\n", encoding="utf-8")
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    _same_as_before(variant)
    link.unlink()
    link.symlink_to(library / "two.yaml")  # the same name, another base (same bytes as the first but one)
    _same_as_before(variant)
    monkeypatch.delenv(LIBRARY_ENV)  # the library no longer named: the base is refused
    _same_as_before(variant)
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    _same_as_before(variant)


def test_hostile_term_sheets_load_as_before(tmp_path):
    cases = {
        "empty.yaml": "",
        "list.yaml": "- a\n- b\n",
        "dupe.yaml": "deal_name: A\ndeal_name: B\n",
        "alias.yaml": "a: &x [1, 2]\nb: *x\n",
        "bad-utf8.yaml": None,
        "cycle.yaml": "extends: cycle.yaml\n",
        "outside.yaml": "extends: /etc/passwd.yaml\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is None:
            path.write_bytes(b"deal_name: \xff\xfe\n")
        else:
            path.write_text(text, encoding="utf-8")
        _same_as_before(path)
    _same_as_before(tmp_path)  # a folder
    _same_as_before(tmp_path / "missing.yaml")


def test_what_is_kept_is_bounded(tmp_path):
    path = tmp_path / "v.yaml"
    for i in range(load_module.LOADED_KEPT + 5):
        path.write_text(f"# {i}\n" + yaml.safe_dump(_variant(1), sort_keys=False), encoding="utf-8")
        load_termsheet(path)
    assert len(load_module._LOADED) == load_module.LOADED_KEPT


def test_what_is_kept_holds_digests_not_the_files(tmp_path):
    """A term sheet padded to near the largest size read (comments), and its variant, are kept by
    digests: no kept key or base holds a file's bytes."""
    base = tmp_path / "base.yaml"
    base.write_text("#" + "x" * 900_000 + "\n" + yaml.safe_dump(_variant(1), sort_keys=False), encoding="utf-8")
    variant = tmp_path / "variant.yaml"
    variant.write_text("#" + "y" * 900_000 + "\nextends: base.yaml\ndeal_name: Padded\n", encoding="utf-8")
    _same_as_before(base)
    _same_as_before(variant)
    entries = load_module._LOADED.entries
    assert len(entries) == 2
    for (file, digest), kept in entries.items():
        assert len(digest) == 32 and len(kept.termsheet) < 10_000
        assert all(len(d) == 32 for _name, _real, d in kept.bases)


def test_a_term_sheet_too_large_to_keep_loads_as_before(tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "LOADED_MOST_BYTES", 100)
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(_variant(2), sort_keys=False), encoding="utf-8")
    _same_as_before(path)
    assert len(load_module._LOADED) == 0



@pytest.mark.parametrize("text", [
    "extends: base.yaml\ndeal_name: A\n", "'extends':  \"  sub/base.yaml \"\n", "extends: ''\n", "extends: [a.yaml]\n",
    "extends: 12\n", "extends:\n", "deal_name: No base\n", "", "# only a comment\n", "extends: " + "b" * 5000 + "\n",
    "extends: &a base.yaml\nother: *a\n", "extends: yes\n",
])
def test_declared_base_is_what_the_loader_reads(tmp_path, text):
    """declared_base (kept by the file's digest) gives the text ``extends:`` gives as the loader's own
    reading does, the first time and from what it kept, and raises what the loader raises."""
    from assembler.termsheet.load import declared_base

    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    raw = path.read_bytes()
    try:
        target = load_module._read_document(str(path), raw).data.get(load_module.EXTENDS)
        expected = ("ok", target if isinstance(target, str) else None)
    except TermSheetError as exc:
        expected = ("error", [str(p) for p in exc.problems])
    for _ in range(2):
        try:
            got = ("ok", declared_base(path))
        except TermSheetError as exc:
            got = ("error", [str(p) for p in exc.problems])
        assert got == expected


def test_declared_base_reads_the_file_each_time(tmp_path):
    from assembler.termsheet.load import declared_base

    path = tmp_path / "v.yaml"
    path.write_text("extends: one.yaml\n", encoding="utf-8")
    assert declared_base(path) == "one.yaml"
    path.write_text("extends: two.yaml\n", encoding="utf-8")
    assert declared_base(path) == "two.yaml"
    path.write_text("extends: [unclosed\n", encoding="utf-8")
    with pytest.raises(TermSheetError):
        declared_base(path)

# --------------------------------------------------------------------------------------------
# atomic_write as it was: the folder made first, the file written through a file object


def _old_atomic_write(path: Path, data: bytes) -> None:
    path = Path(path)
    check_output(path, OutputError, folder=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None


def _tree(root: Path) -> dict[str, object]:
    """Every entry under *root*: its kind, mode and bytes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = os.lstat(path)
            kind = "dir" if stat.S_ISDIR(info.st_mode) else "fifo" if stat.S_ISFIFO(info.st_mode) else "file"
            out[path.relative_to(root).as_posix()] = (kind, stat.S_IMODE(info.st_mode),
                                                      path.read_bytes() if kind == "file" else None)
    return out


def _write_outcome(function, root: Path, target: str, data: bytes):
    try:
        function(root / target, data)
        error = None
    except AssemblerError as exc:
        error = [str(p).replace(str(root), "ROOT") for p in exc.problems]
    return error, _tree(root)


def _prepare(root: Path, case: str) -> None:
    root.mkdir()
    if case == "existing":
        (root / "out").mkdir()
        (root / "out" / "a.docx").write_bytes(b"old")
    elif case == "parent-is-a-file":
        (root / "out").write_bytes(b"x")
    elif case == "target-is-a-folder":
        (root / "out" / "a.docx").mkdir(parents=True)
    elif case == "target-is-a-fifo":
        (root / "out").mkdir()
        os.mkfifo(root / "out" / "a.docx")
    elif case == "read-only-folder":
        (root / "out").mkdir()
        os.chmod(root / "out", 0o555)


WRITE_CASES = ["fresh", "existing", "parent-is-a-file", "target-is-a-folder", "target-is-a-fifo",
               "read-only-folder"]
PAYLOADS = [b"", b"x", os.urandom(70_000), bytes(range(256)) * 5000]


@pytest.mark.parametrize("case", WRITE_CASES)
@pytest.mark.parametrize("nested", ["out/a.docx", "out/deep/er/a.docx"])
def test_atomic_write_gives_the_same_files_and_errors(tmp_path, case, nested):
    target = "out/a.docx" if case in ("target-is-a-folder", "target-is-a-fifo") else nested
    for n, data in enumerate(PAYLOADS):
        old, new = tmp_path / f"old{n}", tmp_path / f"new{n}"
        _prepare(old, case)
        _prepare(new, case)
        try:
            assert _write_outcome(write.atomic_write, new, target, data) == \
                _write_outcome(_old_atomic_write, old, target, data)
        finally:
            for root in (old, new):
                if (root / "out").is_dir():
                    os.chmod(root / "out", 0o755)


def test_atomic_write_writes_every_byte_when_a_write_takes_part(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(write.os, "write", lambda fd, data: real_write(fd, bytes(data[:1000])))
    data = os.urandom(25_000)
    write.atomic_write(tmp_path / "a.docx", data)
    assert (tmp_path / "a.docx").read_bytes() == data


# --------------------------------------------------------------------------------------------
# Phase 1 of a batch: several term sheets a task, against one a task (as it was)


def test_name_tasks_give_each_name_tasks_outcome(tmp_path):
    files = []
    for i in range(5):
        path = tmp_path / f"v{i}.yaml"
        path.write_text(yaml.safe_dump(_variant(i), sort_keys=False) if i != 2 else "deal_name: [",
                        encoding="utf-8")
        files.append(str(path))
    files.append(str(tmp_path / "missing.yaml"))
    assert batch._name_tasks(tuple(files)) == tuple(batch._name_task(f) for f in files)


def _summary_bytes(out: Path) -> tuple[bytes, bytes]:
    return (out / batch.SUMMARY_CSV).read_bytes(), (out / batch.SUMMARY_JSON).read_bytes()


def test_a_batch_names_its_folders_as_with_one_term_sheet_a_task(tmp_path, monkeypatch):
    """Input order decides the folders whatever the tasks: duplicate deal names, broken term sheets
    and more term sheets than a task takes."""
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for i in range(11):
        data = _variant(i % 4)  # deal names repeat: deal, deal-2, deal-3...
        text = yaml.safe_dump(data, sort_keys=False)
        if i in (1, 6):
            text = text.replace("deal_name:", "deal_nme:")
        (sheets / f"v{i:02d}.yaml").write_text(text, encoding="utf-8")
    results = {}
    for per_task in (1, 3, 16):
        monkeypatch.setattr(batch, "NAMES_PER_TASK", per_task)
        out = tmp_path / f"out{per_task}"
        summary = batch.run_batch([str(sheets)], 2, out, progress=None)
        results[per_task] = (_summary_bytes(out), sorted(p.name for p in out.iterdir()))
        assert summary.failed == 2
    assert results[3] == results[1] and results[16] == results[1]
    names = [v["output"] for v in json.loads(results[1][0][1])["variants"]]
    assert names[:5] == ["variant-00000", "", "variant-00002", "variant-00003", "variant-00000-2"]


# --------------------------------------------------------------------------------------------
# A result with some fields changed: dataclasses.replace, against the copy through asdict it was


def _old_replace(result: batch.VariantResult, **changes) -> batch.VariantResult:
    from dataclasses import asdict

    return batch.VariantResult(**{**asdict(result), **changes})


@pytest.mark.parametrize("changes", [
    {}, {"deal_name": "Deal A"}, {"problems": ("a: b", "c")}, {"status": "ok", "files": ("x.docx", "é.docx")},
    {"errors": 3, "warnings": 0, "infos": 7, "output": "deal-2"},
])
def test_a_changed_result_is_the_result_it_was(changes):
    from dataclasses import replace

    for result in (batch.VariantResult("t.yaml", "failed", "deal"),
                   batch.VariantResult("t.yaml", "ok", "deal", "Deal", 1, 2, 3, ("E1 x2",), ("a.docx", "b.docx"))):
        new, old = replace(result, **changes), _old_replace(result, **changes)
        assert new == old and [type(getattr(new, f)) for f in new.__slots__] == \
            [type(getattr(old, f)) for f in old.__slots__]
        compact = batch._compact(new)
        assert compact == old and compact.status is batch._compact(old).status


# --------------------------------------------------------------------------------------------
# A worker's start


def _worker_state(parent: int) -> tuple[int, bool, int]:
    batch._start_worker(parent)
    import gc

    return gc.get_threshold()[0], gc.get_freeze_count() > 0, os.getppid()


def test_a_worker_starts_with_its_inheritance_frozen_and_dies_with_its_parent():
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        threshold, frozen, parent = pool.submit(_worker_state, os.getpid()).result()
    assert (threshold, frozen, parent) == (batch.WORKER_GC_THRESHOLD, True, os.getpid())


def test_a_check_that_cannot_be_imported_is_reported_per_variant_as_before(tmp_path, monkeypatch):
    import sys

    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for i in range(3):
        (sheets / f"v{i}.yaml").write_text(yaml.safe_dump(_variant(i), sort_keys=False), encoding="utf-8")
    monkeypatch.setitem(sys.modules, "assembler.check.runner", None)  # any import of it fails
    outcomes = []
    for before_forking in (lambda: None, batch._import_before_forking):  # as it was, as it is
        monkeypatch.setattr(batch, "_import_before_forking", before_forking)
        out = tmp_path / f"out{len(outcomes)}"
        summary = batch.run_batch([str(sheets)], 2, out, progress=None)
        outcomes.append(_summary_bytes(out))
        assert summary.failed == 3
        assert all("internal error during the check" in r.message for r in summary.results)
    assert outcomes[0] == outcomes[1]
