"""Would a user notice it gone? Each piece of speed machinery, measured with and without it.

    python bench/machinery.py [--records 1000000] [--requests 80] [--rounds 3]

Serving (against the goal: every public page at p95 within 100 ms at
concurrency 8, 1,000,000 records): the public site of the kit's programme
served by Datasette as ``scplearn serve`` runs it, then without each of
scplearn's Datasette plugins that exist for speed (``scplearn_gc``, start-up objects frozen out of
the garbage collector's way; ``scplearn_descriptions``, the public database's
descriptions served from a file of their own rather than from metadata.json),
then without both. Each variant is a fresh server; each page's p95 is the
median over the rounds.

Importing (against the goal: at least half the rate of raw ``executemany``):
the programme's evaluation records imported into a copy of a store holding
the rest of the programme, as scplearn does it and without the
column-at-a-time path (``read_batches``), against bench/raw_import.py.

Results go to bench/results/machinery.json and, as a section, to
docs/performance.md (between its ``machinery`` markers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import run as kit  # noqa: E402

SPEED_PLUGINS = ("scplearn_gc", "scplearn_descriptions")
SERVE_GOAL_MS = 100
IMPORT_GOAL = 0.5
MARKERS = ("<!-- machinery -->", "<!-- /machinery -->")
WITHOUT = """
import sys
from datasette.plugins import pm
names = sys.argv[1].split(",") if sys.argv[1] else []
for name in names:
    pm.unregister(name=name)
sys.argv = ["datasette", *sys.argv[2:]]
from datasette.cli import cli
cli()
"""
"""Datasette with the named plugins unregistered: ``python -c WITHOUT names datasette-arguments...``"""
IMPORT = """
import sys, time, json
import scplearn
variant, db, path = sys.argv[1:4]
if variant == "without read_batches":
    from scplearn.importers.canonical import CanonicalImporter
    del CanonicalImporter.read_batches
started = time.perf_counter()
with scplearn.open(db) as store:
    scplearn.import_files(store, [path])
print(json.dumps({"seconds": time.perf_counter() - started}))
"""
IMPORT_VARIANTS = ("as shipped", "without read_batches")


def serve_variants(db: Path, work: Path, requests: int, rounds: int, only=()) -> dict:
    from scplearn.publish import serve as serving

    print("serve: building the public site", flush=True)
    site = serving.serve_site(db)
    described = json.loads(site.path(site.descriptions).read_text())
    metadata = json.loads(site.path(site.metadata).read_text())
    merged = _merged(metadata, described)
    merged_path = work / "metadata-merged.json"
    merged_path.write_text(json.dumps(merged))
    variants = {
        "as shipped": ((), None),
        "without scplearn_gc": (("scplearn_gc",), None),
        "without scplearn_descriptions": (("scplearn_descriptions",), merged_path),
        "without both": (SPEED_PLUGINS, merged_path),
    }
    variants = {name: variant for name, variant in variants.items() if not only or name in only}
    with sqlite3.connect(site.path(site.public)) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    pages = [("baseline", "/-/versions.json")] + kit.public_pages(merged, tables)
    found = {}
    for name, (without, metadata_file) in variants.items():
        port = kit.free_port()
        command = serving.datasette_command(site, program=(sys.executable, "-c", WITHOUT, ",".join(without)),
                                            port=port)
        if metadata_file:
            command[command.index("-m") + 1] = str(metadata_file)
        found[name] = _measure(command, site.directory, port, pages, requests, rounds, work, name)
        print(f"serve {name}: slowest p95 {found[name]['slowest_p95_ms']:.0f} ms "
              f"({found[name]['slowest_page']})", flush=True)
    return {"pages": len(pages) - 1, "requests": requests, "rounds": rounds, "variants": found}


def _merged(metadata: dict, described: dict) -> dict:
    """metadata.json with the descriptions file's databases and plugin settings put back into it."""
    merged = json.loads(json.dumps(metadata))
    for database, entry in described.get("databases", {}).items():
        merged.setdefault("databases", {}).setdefault(database, {}).update(entry)
    merged.setdefault("plugins", {}).update(described.get("plugins", {}))
    return merged


def _measure(command, directory, port, pages, requests, rounds, work, name) -> dict:
    log = work / f"logs/machinery-{name.replace(' ', '-')}.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(log, "w") as output:
        process = subprocess.Popen([str(part) for part in command], cwd=directory, stdout=output,
                                   stderr=subprocess.STDOUT, env=environment)
    try:
        kit.wait_for(port, process, timeout=600)
        p95s: dict[str, list[float]] = {}
        failed: dict[str, dict] = {}
        for _ in range(rounds):
            measured = kit.run([sys.executable, BENCH / "load.py", "--port", port, "--concurrency", 8,
                                "--requests", requests, *[path for _, path in pages]], log=log.with_suffix(".load"))
            for page in kit.last_json(measured):
                if page["statuses"] != {"200": page["requests"]}:
                    failed[page["path"]] = page["statuses"]
                p95s.setdefault(page["path"], []).append(page["p95_ms"])
    finally:
        process.terminate()
        process.wait(timeout=30)
    medians = {path: statistics.median(values) for path, values in p95s.items()}
    baseline = medians.pop("/-/versions.json")
    slowest = max(medians, key=medians.get)
    return {"baseline_p95_ms": baseline, "slowest_page": slowest, "slowest_p95_ms": medians[slowest],
            "p95_ms": medians, "failed": failed}


def import_variants(records: int, seed: int, work: Path) -> dict:
    data, counts = kit.programme(records, seed, work)
    support = [data / f"{name}.csv" for name in kit.SUPPORT_FILES]
    evaluations = data / "evaluations.csv"
    prepared = kit.fresh(work / "machinery-support") / "training.db"
    print(f"import: the programme without evaluations into {prepared}", flush=True)
    kit.run(kit.scplearn("import", prepared, *support), log=work / "logs/machinery-support.txt")
    raw_db = kit.fresh(work / "machinery-raw") / "raw.db"
    kit.run([sys.executable, BENCH / "raw_import.py", raw_db, *support], log=work / "logs/machinery-raw-support.txt")
    raw = kit.last_json(kit.run([sys.executable, BENCH / "raw_import.py", raw_db, evaluations],
                                log=work / "logs/machinery-raw.txt"))
    found = {"records": counts["evaluations"], "raw_seconds": raw["seconds"], "variants": {}}
    for variant in IMPORT_VARIANTS:
        copy = kit.fresh(work / f"machinery-{variant.replace(' ', '-')}")
        for source in prepared.parent.iterdir():
            shutil.copy(source, copy / source.name)
        print(f"import {variant}: {counts['evaluations']:,} evaluation records", flush=True)
        measured = kit.run([sys.executable, "-c", IMPORT, variant, copy / prepared.name, evaluations],
                           log=work / f"logs/machinery-import-{variant.replace(' ', '-')}.txt")
        seconds = kit.last_json(measured)["seconds"]
        found["variants"][variant] = {"seconds": seconds, "of_raw": raw["seconds"] / seconds}
        print(f"import {variant}: {seconds:.1f} s, {raw['seconds'] / seconds:.2f}× raw", flush=True)
    return found


SERVED = "machinery-as-shipped"
"""The copy imported as scplearn does it, which the serving variants then serve."""


def section(results: dict) -> str:
    """The Markdown section of docs/performance.md."""
    lines = [MARKERS[0], "", "## Machinery kept for speed, measured without it", "",
             f"`python bench/machinery.py` ({results['records']:,} evaluation records, {results['when']}). "
             "Each piece of machinery that exists only for speed is taken away in turn; it stays only if a "
             "goal fails without it.", ""]
    serve = results.get("serve")
    if serve:
        lines += [f"Serving: the slowest of {serve['pages']} public pages at p95, concurrency 8 "
                  f"({serve['requests']} requests a page, median of {serve['rounds']} rounds; goal ≤ "
                  f"{SERVE_GOAL_MS} ms).", "",
                  "| Variant | Slowest page | p95 ms | Met | `/-/versions.json` p95 ms |", "|---|---|---:|---|---:|"]
        for name, variant in serve["variants"].items():
            met = variant["slowest_p95_ms"] <= SERVE_GOAL_MS and not variant["failed"]
            lines.append(f"| {name} | `{kit_short(variant['slowest_page'])}` | {variant['slowest_p95_ms']:.0f} | "
                         f"{'yes' if met else '**no**'} | {variant['baseline_p95_ms']:.0f} |")
        for name, variant in serve["variants"].items():
            for path, statuses in variant["failed"].items():
                lines.append(f"\n{name}: `{kit_short(path)}` answered {statuses}.")
        lines.append("")
    imported = results.get("import")
    if imported:
        lines += [f"Importing {imported['records']:,} evaluation records (raw `executemany`: "
                  f"{imported['raw_seconds']:.1f} s; goal ≥ {IMPORT_GOAL}× its rate).", "",
                  "| Variant | Seconds | Rate against raw | Met |", "|---|---:|---:|---|"]
        for name, variant in imported["variants"].items():
            lines.append(f"| {name} | {variant['seconds']:.1f} | {variant['of_raw']:.2f}× | "
                         f"{'yes' if variant['of_raw'] >= IMPORT_GOAL else '**no**'} |")
        lines.append("")
    lines += [results.get("verdict", ""), "", MARKERS[1]]
    return "\n".join(lines)


def kit_short(path: str, width: int = 60) -> str:
    return path if len(path) <= width else path[: width - 1] + "…"


def write_section(text: str, page: Path) -> None:
    """Put ``text`` between the page's markers (at its end when it has none)."""
    current = page.read_text(encoding="utf-8")
    start, end = current.find(MARKERS[0]), current.find(MARKERS[1])
    if start >= 0 and end >= 0:
        current = current[:start] + text + current[end + len(MARKERS[1]):]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    page.write_text(current, encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=BENCH / "results")
    parser.add_argument("--skip", action="append", choices=("serve", "import"), default=[])
    parser.add_argument("--verdict", default="", help="A sentence on what was kept and why, for the page")
    parser.add_argument("--only", action="append", default=[], help="Serve only this variant (repeat for several)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    saved = args.work / "machinery.json"
    results = json.loads(saved.read_text()) if saved.exists() else {}  # a part skipped keeps its last figures
    results.update({"records": args.records, "when": time.strftime("%Y-%m-%d")})
    if "import" not in args.skip:
        results["import"] = import_variants(args.records, args.seed, args.work)
    if "serve" not in args.skip:
        db = args.work / SERVED / "training.db"
        if not db.exists():
            raise SystemExit("serve needs the imported programme: run without --skip import first")
        results["serve"] = serve_variants(db, args.work, args.requests, args.rounds, args.only)
    results["verdict"] = args.verdict
    saved.write_text(json.dumps(results, indent=2))
    write_section(section(results), ROOT / "docs" / "performance.md")
    print(section(results))


if __name__ == "__main__":
    main()
