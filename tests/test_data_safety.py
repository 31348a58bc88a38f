"""Data safety of `build` and `batch`: kill -9 at any write, full disks, two builds at once, a damaged
manifest, hand-edited redlines, outputs replaced by folders, and batch workers that outlive their parent."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assembler import outdir
from assembler.cli import main
from conftest import ROOT, write_termsheet

DOCS = ["exhibit-1-glossary-of-defined-terms.docx", "exhibit-2-certificate-of-designations.docx",
        "securities-purchase-agreement.docx"]


def build(capsys, sheet: Path, out: Path, *extra) -> tuple[int, str, str]:
    code = main(["build", str(sheet), "-o", str(out), "--no-check", *extra])
    o, e = capsys.readouterr()
    return code, o, e


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.docx")}


def consistent(folder: Path) -> bool:
    """Every output matches manifest.json (a set made by one build)."""
    recorded = json.loads((folder / "manifest.json").read_text())["outputs"]
    return all(recorded.get(name) == digest for name, digest in hashes(folder).items())


def built_then_changed(capsys, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The seed deal built into tmp_path/out, then its term sheet changed: (sheet, folder, hashes before)."""
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    before = hashes(folder)
    write_termsheet(tmp_path / "in", {"dividend_rate": "9"})
    return sheet, folder, before


KILLER = """
import os, signal, sys
import assembler.build as b
import assembler.outdir as o
count = {"n": 0}
real = b.atomic_write
def dying(path, data):
    count["n"] += 1
    if count["n"] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(path, data)
b.atomic_write = dying
o.atomic_write = dying
import assembler.manifest as m
m.atomic_write = dying
import assembler.redline as r
r.atomic_write = dying
from assembler.cli import main
sys.exit(main(sys.argv[2:]))
"""


def redlined(folder: Path) -> dict[str, str]:
    """Each redline in *folder*/redlines: its document's name -> the redline's main part."""
    import zipfile

    out = {}
    for path in sorted((folder / "redlines").glob("*.redline.docx")):
        with zipfile.ZipFile(path) as zf:
            out[path.name.replace(".redline", "")] = zf.read("word/document.xml").decode()
    return out


# A rebuild after a change of series (which every document names) makes eight writes: the
# unfinished record, three redlines, three documents, the manifest. Killing at each in turn (and
# not at all, at 9) covers every moment.
@pytest.mark.parametrize("at", range(1, 10))
def test_kill_9_at_any_write_leaves_a_folder_that_says_so_and_the_next_build_recovers(capsys, tmp_path, at):
    sheet = write_termsheet(tmp_path / "in", {"dividend_rate": "8"})
    assert build(capsys, sheet, tmp_path / "out")[0] == 0
    folder = next((tmp_path / "out").iterdir())
    old = hashes(folder)
    write_termsheet(tmp_path / "in", {"dividend_rate": "8", "series": "K"})
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(at), "build", str(sheet), "-o", str(tmp_path / "out"),
                           "--no-check"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == (0 if at == 9 else -signal.SIGKILL), proc.stderr
    now = hashes(folder)
    mixed = now != old
    if mixed and at < 9:  # some files replaced: the folder, check and the next build all say the build did not finish
        assert (folder / outdir.INCOMPLETE).exists()
        assert "did not finish" in (folder / outdir.INCOMPLETE).read_text()
        main(["check", *[str(folder / d) for d in DOCS]])
        assert "did not finish" in capsys.readouterr().err
    code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 0, err  # the tool's own files are never taken for hand edits
    assert not list(folder.glob("*.edited.docx"))
    assert not (folder / outdir.INCOMPLETE).exists()
    assert not [p for p in folder.rglob("*.tmp")]
    assert consistent(folder)
    # Every document the change touched has its redline, showing the change, whenever the kill came.
    changed = sorted(name for name, digest in hashes(folder).items() if digest != old[name])
    redlines = redlined(folder)
    assert changed and sorted(redlines) == changed
    for name in changed:
        assert "<w:ins " in redlines[name] and "<w:del " in redlines[name], name
    recorded = json.loads((folder / "manifest.json").read_text())["outputs"]
    assert all(f"redlines/{Path(n).stem}.redline.docx" in recorded for n in changed)
    redline = folder / "redlines" / f"{Path(changed[0]).stem}.redline.docx"  # and stays protected
    redline.write_bytes(redline.read_bytes() + b"my notes")
    write_termsheet(tmp_path / "in", {"dividend_rate": "10"})
    code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 2 and redline.name in err


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(capsys, tmp_path):
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    stale = folder / ".securities-purchase-agreement.docx.k3j_x9q2.tmp"
    stale.write_bytes(b"half a file")
    (folder / "redlines").mkdir(exist_ok=True)
    stale_redline = folder / "redlines" / ".x.redline.docx.abcdefgh.tmp"
    stale_redline.write_bytes(b"half")
    assert build(capsys, sheet, tmp_path / "out")[0] == 0
    assert not stale.exists() and not stale_redline.exists()


def test_a_second_build_of_the_same_folder_is_refused_while_one_runs(capsys, tmp_path):
    sheet, folder, before = built_then_changed(capsys, tmp_path)
    with open(folder / outdir.LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 2 and "another build is writing this folder" in err and len(err.strip().splitlines()) == 1
    assert hashes(folder) == before


@pytest.mark.parametrize("content", [
    '{"schema": "assembler.manifest/1", "outputs": ["a", "b"]}',
    '{"schema": "assembler.manifest/1", "outputs": {"securities-purchase-agreement.docx": 7}}',
    "[" * 200_000 + "]" * 200_000,
    "not json at all",
    '{"schema": "someone else"}',
])
def test_a_hand_edited_manifest_is_a_clear_error_that_overwrites_nothing(capsys, tmp_path, content):
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    (folder / "manifest.json").write_text(content)
    write_termsheet(tmp_path / "in", {"dividend_rate": "9"})
    before = hashes(folder)
    for extra in ((), ("--force",)):
        code, out, err = build(capsys, sheet, tmp_path / "out", *extra)
        assert code == 2 and "manifest.json" in err and "nothing was overwritten" in err, err
        assert len(err.strip().splitlines()) == 1
        assert hashes(folder) == before


def test_a_deleted_manifest_never_overwrites_a_hand_edit(capsys, tmp_path):
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    (folder / "manifest.json").unlink()
    edited = folder / DOCS[2]
    edited.write_bytes(edited.read_bytes() + b"hand edit")
    code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 2 and "edited since the last build" in err
    assert edited.read_bytes().endswith(b"hand edit")


def test_a_hand_edit_to_a_redline_is_protected_like_any_output(capsys, tmp_path):
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    write_termsheet(tmp_path / "in", {"dividend_rate": "9"})
    assert build(capsys, sheet, tmp_path / "out")[0] == 0
    folder = next((tmp_path / "out").iterdir())
    redline = next((folder / "redlines").glob("*.redline.docx"))
    redline.write_bytes(redline.read_bytes() + b"my notes")
    write_termsheet(tmp_path / "in", {"dividend_rate": "10"})
    code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 2 and redline.name in err
    assert redline.read_bytes().endswith(b"my notes")


def test_an_output_replaced_by_a_folder_is_a_clear_error(capsys, tmp_path):
    sheet = write_termsheet(tmp_path / "in")
    build(capsys, sheet, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    (folder / DOCS[0]).unlink()
    (folder / DOCS[0]).mkdir()
    write_termsheet(tmp_path / "in", {"dividend_rate": "9"})
    code, out, err = build(capsys, sheet, tmp_path / "out")
    assert code == 2 and DOCS[0] in err and "directory" in err and "internal" not in err


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_file_size_limit_during_a_build_keeps_the_previous_files(capsys, tmp_path):
    sheet, folder, before = built_then_changed(capsys, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "assembler", "build", str(sheet), "-o", str(tmp_path / "out"),
                           "--no-check"], env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=_limit_file_size)
    assert proc.returncode == 2, proc.stderr
    assert "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert hashes(folder) == before
    assert not [p for p in folder.rglob("*.tmp")]
    assert build(capsys, sheet, tmp_path / "out")[0] == 0 and consistent(folder)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_killing_the_batch_parent_ends_its_workers(tmp_path):
    for n in range(6):
        write_termsheet(tmp_path / "in", {"deal_name": f"Deal {n}"}, name=f"d{n}.yaml")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "assembler", "batch", str(tmp_path / "in"), "-j", "2", "-o",
                             str(tmp_path / "out")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "no worker started"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
