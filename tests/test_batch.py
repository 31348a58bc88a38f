"""`assembler batch`: many variants built and checked in worker processes, with a summary."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from assembler import batch
from assembler.batch import (BatchSummary, VariantResult, assign_folders, exit_code, expand_paths,
                             format_table, run_batch)
from assembler.build import DOCUMENTS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "termsheets" / "ascent-series-j.yaml"
OUTPUTS = sorted([spec.output for spec in DOCUMENTS] + ["manifest.json"])


@pytest.fixture(scope="module", autouse=True)
def seed_library():
    """The variants here live in temporary folders and extend the repository's seed term sheet:
    its folder is named as a library, as a deal team names the firm's folder of base terms."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSEMBLER_LIBRARY", str(SEED.parent))
        yield


def variant(folder: Path, name: str, body: str) -> Path:
    """A variant of the seed term sheet: ``extends`` the seed, then ``body``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"extends: {SEED}\n{body}", encoding="utf-8")
    return path


def read_summary(out: Path) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader(io.StringIO((out / batch.SUMMARY_CSV).read_text(encoding="utf-8"))))
    return rows, json.loads((out / batch.SUMMARY_JSON).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deals(tmp_path_factory) -> Path:
    """Four variants, one broken (a bad share count written on line 4 of its file)."""
    folder = tmp_path_factory.mktemp("deals")
    variant(folder, "a-us.yaml", "deal_name: Deal A\npurchaser:\n  us_person: true\n"
                                 "exemptions: [section_4_2, rule_506]\n")
    variant(folder, "b-broken.yaml", 'deal_name: Deal B\npurchase:\n  shares: "abc"\n')
    variant(folder, "c-series-k.yaml", "deal_name: Deal C\nseries: K\n")
    variant(folder, "nested/d-cap.yaml", "deal_name: Deal D\nconversion_price: '0.10'\n")
    return folder


@pytest.fixture(scope="module")
def first_run(deals, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "batch"
    progress = io.StringIO()
    summary = run_batch([str(deals)], 2, out, progress=progress)
    return summary, out, progress.getvalue()


# ---------------------------------------------------------------------------------------------
# A batch with a broken variant


def test_it_builds_every_good_variant_past_a_broken_one(first_run, deals):
    summary, out, _ = first_run
    assert [Path(r.termsheet).relative_to(deals).as_posix() for r in summary.results] == [
        "a-us.yaml", "b-broken.yaml", "c-series-k.yaml", "nested/d-cap.yaml"]
    assert [r.status for r in summary.results] == ["ok", "failed", "ok", "ok"]
    for r in summary.results:
        if r.status == "ok":
            assert sorted(p.name for p in (out / r.output).iterdir()) == OUTPUTS
            assert sorted(r.files) == sorted(spec.output for spec in DOCUMENTS)
    assert [r.output for r in summary.results] == ["deal-a", "", "deal-c", "deal-d"]
    assert not (out / "deal-b").exists()
    assert (summary.ok, summary.failed) == (3, 1)
    assert exit_code(summary) == 2


def test_it_keeps_the_broken_variants_located_error(first_run, deals):
    summary, out, _ = first_run
    broken = summary.results[1]
    expected = f"{deals / 'b-broken.yaml'}:4:11: purchase.shares: must be a whole number, got 'abc'"
    assert broken.problems == (expected,)
    rows, data = read_summary(out)
    assert rows[1]["status"] == "failed" and rows[1]["message"] == expected
    assert data["variants"][1]["problems"] == [expected]
    assert data["totals"] == {"variants": 4, "ok": 3, "failed": 1, "errors": data["totals"]["errors"],
                              "warnings": data["totals"]["warnings"], "infos": data["totals"]["infos"]}
    assert data["exit_code"] == 2 and data["version"] == batch.SUMMARY_VERSION
    assert [row["output"] for row in rows] == ["deal-a", "", "deal-c", "deal-d"]


def test_it_counts_findings_by_severity(first_run):
    summary, _, _ = first_run
    _, data = read_summary(summary.out_root)
    for result, row in zip(summary.results, data["variants"]):
        assert (row["errors"], row["warnings"], row["infos"]) == (
            result.errors, result.warnings, result.infos)
        assert min(result.errors, result.warnings, result.infos) >= 0


def test_it_prints_a_line_per_variant_when_not_a_tty(first_run):
    _, _, progress = first_run
    lines = progress.splitlines()
    assert len(lines) == 4 and "\r" not in progress
    assert sorted(line.split("]")[0] for line in lines) == ["[1/4", "[2/4", "[3/4", "[4/4"]
    assert sum("failed" in line and "b-broken.yaml" in line and ":4:11:" in line for line in lines) == 1


def test_a_rerun_gives_the_same_summary_files_byte_for_byte(first_run, deals):
    summary, out, _ = first_run
    before = {name: (out / name).read_bytes() for name in (batch.SUMMARY_CSV, batch.SUMMARY_JSON)}
    docs = {p: p.read_bytes() for p in out.rglob("*.docx")}
    again = run_batch([str(deals)], 1, out, progress=None)
    assert again.results == summary.results
    for name, data in before.items():
        assert (out / name).read_bytes() == data
    assert {p: p.read_bytes() for p in out.rglob("*.docx")} == docs


def test_the_table_shows_each_variant(first_run):
    summary, out, _ = first_run
    table = format_table(summary)
    lines = table.splitlines()
    assert lines[0].split() == ["variant", "status", "output", "errors", "warnings", "message"]
    assert any("b-broken.yaml" in line and "failed" in line and "purchase.shares" in line
               for line in lines)
    assert any(str(out / "deal-c") in line and " ok " in line for line in lines)
    assert "4 variant(s): 3 ok, 1 failed" in table
    assert str(out / batch.SUMMARY_CSV) in table


# ---------------------------------------------------------------------------------------------
# Output folders


def test_hostile_deal_names_stay_inside_the_output_root(tmp_path):
    deals = tmp_path / "deals"
    names = ["../../evil", "/etc/passwd", "..", "."]
    for i, name in enumerate(names):
        variant(deals, f"{i}.yaml", f"deal_name: {json.dumps(name)}\n")
    out = tmp_path / "work" / "out"
    summary = run_batch([str(deals)], 2, out, progress=None)
    assert [r.status for r in summary.results] == ["ok"] * 4
    root = out.resolve()
    for r in summary.results:
        folder = (out / r.output).resolve()
        assert folder.parent == root
        assert sorted(p.name for p in folder.iterdir()) == OUTPUTS
    assert len({r.output for r in summary.results}) == 4
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"deals", "work"}
    assert not (tmp_path / "evil").exists() and not (tmp_path / "work" / "evil").exists()


def test_a_folder_that_would_leave_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "deal-a").symlink_to(outside, target_is_directory=True)
    deals = tmp_path / "deals"
    variant(deals, "a.yaml", "deal_name: Deal A\n")
    summary = run_batch([str(deals)], 1, out, progress=None)
    [result] = summary.results
    assert result.status == "failed"
    assert "outside the output root" in result.message
    assert list(outside.iterdir()) == []


def test_same_deal_name_gets_distinct_folders(tmp_path):
    deals = tmp_path / "deals"
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        variant(deals, name, "series: K\n")  # all keep the seed's deal name
    out = tmp_path / "out"
    summary = run_batch([str(deals / "*.yaml")], 2, out, progress=None)
    assert [r.output for r in summary.results] == [
        "ascent-series-j", "ascent-series-j-2", "ascent-series-j-3"]
    for r in summary.results:
        assert sorted(p.name for p in (out / r.output).iterdir()) == OUTPUTS


def test_folder_names_are_assigned_in_input_order():
    assert assign_folders(["Deal", "deal", None, "Deal 2", "DEAL", "../..", ""]) == [
        "deal", "deal-2", None, "deal-2-2", "deal-3", "deal-4", "deal-5"]


# ---------------------------------------------------------------------------------------------
# Inputs


def test_paths_are_files_globs_and_folders_each_once(tmp_path):
    for name in ("b.yaml", "a.yml", "sub/c.yaml", ".hidden/x.yaml", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n", encoding="utf-8")
    found = expand_paths([str(tmp_path / "b.yaml"), str(tmp_path), str(tmp_path / "*.y*ml"),
                          str(tmp_path / "none-*.yaml"), str(tmp_path / "missing.yaml")])
    assert [(Path(f).relative_to(tmp_path).as_posix(), p) for f, p in found] == [
        ("b.yaml", None),
        ("a.yml", None),
        ("sub/c.yaml", None),
        ("none-*.yaml", "no file matches this pattern"),
        ("missing.yaml", None),
    ]


def test_missing_files_and_empty_patterns_are_failed_variants(tmp_path):
    out = tmp_path / "out"
    summary = run_batch([str(tmp_path / "missing.yaml"), str(tmp_path / "none-*.yaml"), str(SEED)],
                        2, out, progress=None)
    assert [r.status for r in summary.results] == ["failed", "failed", "ok"]
    assert summary.results[0].problems == (f"{tmp_path / 'missing.yaml'}: term sheet not found",)
    assert summary.results[1].problems == (f"{tmp_path / 'none-*.yaml'}: no file matches this pattern",)
    assert exit_code(summary) == 2


def test_a_template_error_fails_each_variant_with_its_location(tmp_path):
    summary = run_batch([str(SEED)], 1, tmp_path / "out", progress=None,
                        templates_dir=tmp_path / "no-templates")
    [result] = summary.results
    assert result.status == "failed"
    assert result.problems[0].startswith(f"{tmp_path / 'no-templates' / 'agreement.docx'}: ")


# ---------------------------------------------------------------------------------------------
# Worker failures, progress bar, exit codes


def test_an_unexpected_exception_is_an_internal_error_without_traceback(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(batch, "build", boom)
    result = batch._build_task(str(SEED), str(tmp_path), "deal", "templates")
    assert result.status == "failed"
    assert result.problems == ("internal error during the build: KeyError: 'surprise'",)
    assert result.output == "deal"


def _die(*args):
    os._exit(3)  # a worker process that ends abruptly (a crash, the OOM killer)


def test_a_worker_that_dies_is_reported_and_the_batch_ends_cleanly(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "_build_task", _die)
    deals = tmp_path / "deals"
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        variant(deals, name, f"deal_name: Deal {name[0]}\n")
    summary = run_batch([str(deals)], 2, tmp_path / "out", progress=None)
    assert [r.status for r in summary.results] == ["failed"] * 3
    for r in summary.results:
        [message] = r.problems
        assert message.startswith("internal error: RuntimeError: a worker process ended unexpectedly")
        assert "Traceback" not in message
    assert (tmp_path / "out" / batch.SUMMARY_JSON).exists()
    assert exit_code(summary) == 2


def test_the_progress_bar_on_a_tty(tmp_path):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    run_batch([str(SEED), str(tmp_path / "missing.yaml")], 2, tmp_path / "out", progress=stream)
    text = stream.getvalue()
    assert text.startswith("\r[..............................] 0/2 ok 0 failed 0")
    assert text.endswith("\r[" + "#" * 30 + "] 2/2 ok 1 failed 1\n")
    assert "\n" not in text[:-1]


@pytest.mark.parametrize(("results", "code"), [
    ([VariantResult("a", "ok"), VariantResult("b", "ok", warnings=3)], 0),
    ([VariantResult("a", "ok", errors=1), VariantResult("b", "ok")], 1),
    ([VariantResult("a", "ok", errors=1), VariantResult("b", "failed")], 2),
])
def test_exit_code(results, code):
    assert exit_code(BatchSummary(Path("out"), results)) == code


def test_main_prints_the_table_and_returns_the_exit_code(tmp_path):
    out, progress = io.StringIO(), io.StringIO()
    code = batch.main([str(SEED)], 1, tmp_path / "out", out=out, progress=progress)
    assert code in (0, 1)  # 1 only if a check rule finds an error in the seed
    assert "1 variant(s): 1 ok, 0 failed" in out.getvalue()
    assert batch.main([str(SEED)], 0, tmp_path / "out", out=out) == 2


def test_a_rerun_protects_a_hand_edited_output(tmp_path):
    deals = tmp_path / "deals"
    variant(deals, "a.yaml", "deal_name: Deal A\n")
    out = tmp_path / "out"
    assert batch.run_batch([str(deals)], 1, out, progress=None).results[0].status == "ok"
    edited = out / "deal-a" / DOCUMENTS[0].output
    edited.write_bytes(edited.read_bytes() + b"\0")  # any change since the last build
    before = edited.read_bytes()
    again = batch.run_batch([str(deals)], 1, out, progress=None).results[0]
    assert again.status == "failed" and "edited since the last build" in again.message
    assert edited.read_bytes() == before
    forced = batch.run_batch([str(deals)], 1, out, progress=None, force=True).results[0]
    assert forced.status == "ok"
    assert (out / "deal-a" / "securities-purchase-agreement.edited.docx").read_bytes() == before
