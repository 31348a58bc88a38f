"""What findings_identity.py and build_identity.py share: a snapshot saved once (--save FILE) and
compared later (--compare FILE), each difference shown and the exit code 1 when any."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path


def parser(description: str) -> argparse.ArgumentParser:
    """A command line with --save FILE or --compare FILE (one of them)."""
    out = argparse.ArgumentParser(description=description)
    group = out.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    return out


def save_or_compare(args: argparse.Namespace, now: dict, summary: str, differ_word: str,
                    show: Callable[[str, object, object], None], missing: object) -> int:
    """Save *now* to args.save, or compare it with the snapshot in args.compare: *show*(key, before, now)
    for each entry that differs (*missing* for an entry one side lacks), then "*summary*; N *differ_word*"."""
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"saved {summary} to {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        show(key, before.get(key, missing), now.get(key, missing))
    print(f"{summary}; {len(differ)} {differ_word}")
    return 1 if differ else 0
