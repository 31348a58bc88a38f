"""How long do the web page's requests take?

Makes a workspace with the repository's term sheets plus --variants copies of the seed deal (each a
variant with its own deal name: two lines that extend the seed, or with --whole the seed's whole text,
as a script generating a batch writes them), then times, through the ASGI app in one process: the deals list
before and after every deal is built, the term-sheet form, a save that changes the price, and a
build with the check. Prints the median of --runs runs of each.

    python benchmarks/web_speed.py [--variants 20] [--runs 5] [--whole]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.batch import run_batch  # noqa: E402
from assembler.web.app import create_app  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text[:300]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--whole", action="store_true", help="variants hold the whole seed term sheet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assembler-web-bench-") as tmp:
        ws = Path(tmp)
        shutil.copytree(ROOT / "termsheets", ws / "termsheets")
        seed = (ROOT / "termsheets" / "ascent-series-j.yaml").read_text(encoding="utf-8")
        for i in range(args.variants):
            text = (re.sub(r"(?m)^deal_name:.*$", f"deal_name: Copy {i:03d}", seed, count=1) if args.whole
                    else f"extends: ascent-series-j.yaml\ndeal_name: Copy {i:03d}\n")
            (ws / "termsheets" / f"copy-{i:03d}.yaml").write_text(text, encoding="utf-8")
        deals = len(list((ws / "termsheets").rglob("*.yaml")))
        client = TestClient(create_app(ws, allowed_hosts=["testserver"]))
        client.get("/")
        csrf = client.cookies["assembler_csrf"]
        print(f"{deals} term sheets")
        print(f"deals list, nothing built:      {timed(lambda: client.get('/'), args.runs) * 1000:8.1f} ms")
        run_batch([str(ws / "termsheets")], None, ws / "output", progress=None)
        client.get("/")  # first view after the builds checks each deal once (then cached)
        print(f"deals list, all built:          {timed(lambda: client.get('/'), args.runs) * 1000:8.1f} ms")
        print(f"term-sheet form:                "
              f"{timed(lambda: client.get('/deal/ascent-series-j.yaml'), args.runs) * 1000:8.1f} ms")
        sys.path.insert(0, str(ROOT / "tests"))
        from test_web import edit  # the form as a browser posts it

        price = [1000]

        def save():
            price[0] += 1
            return edit(client, "ascent-series-j.yaml", {"purchase.price_per_share": f"{price[0]}.00",
                                                         "preferred.original_issue_price": f"{price[0]}.00"})

        print(f"save (form read + save):        {timed(save, args.runs) * 1000:8.1f} ms")
        build = lambda: client.post("/build/ascent-series-j.yaml", data={"csrf": csrf})  # noqa: E731
        print(f"build + check, up to date:      {timed(build, args.runs) * 1000:8.1f} ms")

        def change_and_build():
            save()
            return build()

        print(f"save + build + check + redline: {timed(change_and_build, args.runs) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
