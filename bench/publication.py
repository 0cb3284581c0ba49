"""Publishing at scale: the exact results, the audit, serving and updating, on an imported programme.

    python bench/publication.py DB              # DB: a database bench/run.py (or scplearn import) built
    python bench/publication.py DB --work DIR   # where the copies go [default: bench/results/publication]

On copies of DB, never DB itself:

1. **evaluate**: every evaluator over every published grouping, year by
   year, into the results stage (what publishing computes before the
   policy, and what ``scplearn evaluate --year Y --by ...`` computes);
2. **publish from saved results**: ``scplearn serve``'s build of the public
   site on that copy, the exact results already saved; the audit's share
   (each year through the policy and its audit, in parallel over the cores)
   timed apart;
3. **full build**: the same on a fresh copy, nothing saved;
4. **serve, unchanged**: ``scplearn serve`` on the built copy, to its first
   page;
5. **update**: one more session (20 delegates already there,
   in the latest year) imported, and the site built again.

Each step is its own process. Prints the JSON of every figure on its last
line; bench/run.py puts them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from run import environment, fresh, free_port, last_json, run, scplearn  # noqa: E402

EVALUATE = r"""
import json, sys, time
import scplearn
from scplearn.results import publication
from scplearn.results.stage import Stage
with scplearn.open(sys.argv[1]) as store:
    started = time.perf_counter()
    stage = Stage(store)
    several = publication.broken_down(store)
    pairs = [(e, by) for e in publication.in_order(stage.evaluators) for by in publication.groupings(e, several)]
    rows = 0
    for year in store.years():
        for evaluator, by in pairs:
            rows += len(stage.run(evaluator.name, by, year=year)[1])
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows, "tables": len(pairs),
                      "years": len(store.years())}))
"""

BUILD = r"""
import json, sys, time
from scplearn.results import publication
from scplearn.publish.serve import serve_site
audit = [0.0]
original = publication._Auditors.results
def timed(self):
    found = original(self)
    while True:
        started = time.perf_counter()
        try:
            item = next(found)
        except StopIteration:
            return
        finally:
            audit[0] += time.perf_counter() - started
        yield item
publication._Auditors.results = timed
started = time.perf_counter()
site = serve_site(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "audit": audit[0], "audited": site.audited}))
"""


def copy_store(db: Path, directory: Path) -> Path:
    """A copy of the database, its private database and key, without any results or publication."""
    fresh(directory)
    for suffix in (".db", ".private.db", ".key"):
        source = db.with_name(db.stem + suffix) if suffix != ".db" else db
        if source.exists():
            shutil.copy(source, directory / source.name)
    copy = directory / db.name
    import sqlite3

    with sqlite3.connect(copy) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            if name.endswith(("_results", "_published")) or name in ("evaluation_runs", "published_blocks"):
                connection.execute(f"DROP TABLE [{name}]")
    return copy


def first_page(db: Path, log: Path) -> dict:
    """``scplearn serve`` on a database published already: seconds to its first page, and the page's status."""
    port = free_port()
    started = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen([str(part) for part in scplearn("serve", db, "--port", port)], stdout=output,
                                   stderr=subprocess.STDOUT, env=environment())
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"scplearn serve stopped ({process.returncode}); see {log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
                    return {"seconds": time.perf_counter() - started, "status": response.status}
            except OSError:
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)


def one_more_session(db: Path, directory: Path) -> list[Path]:
    """Files of one more session in the latest year: a course and partnership already there, 20 delegates
    already there, each attending and rating."""
    import sqlite3

    import scplearn as package

    with sqlite3.connect(db) as connection:
        year, course, partnership, date = connection.execute(
            "SELECT year, course, partnership, max(date) FROM sessions WHERE year = (SELECT max(year) FROM sessions)"
        ).fetchone()
    with package.open(db) as store:
        emails = [row[0] for row in store.private.execute("SELECT email FROM people ORDER BY rowid LIMIT 20")]
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "sessions.csv": [["code", "course", "date", "mode", "capacity", "partnership"],
                         ["BENCH-EXTRA", course, date, "virtual", 25, partnership]],
        "bookings.csv": [["session", "email", "status"]] + [["BENCH-EXTRA", email, "attended"] for email in emails],
        "evaluations.csv": [["session", "email", "knowledge_pre", "knowledge_post", "skills_pre", "skills_post",
                             "confidence_pre", "confidence_post"]]
        + [["BENCH-EXTRA", email, 4, 7, 5, 7, 3, 6] for email in emails],
    }
    written = []
    for name, rows in files.items():
        with open(directory / name, "w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        written.append(directory / name)
    return written


def measure(db: Path, work: Path) -> dict:
    logs = work / "logs"
    saved = copy_store(db, work / "saved")
    print("publication: evaluating every published grouping, year by year", flush=True)
    evaluate = last_json(run([sys.executable, "-c", EVALUATE, saved], log=logs / "publication-evaluate.txt"))
    print("publication: building the site from the saved results", flush=True)
    from_saved = last_json(run([sys.executable, "-c", BUILD, saved], log=logs / "publication-from-saved.txt"))
    full_db = copy_store(db, work / "full")
    print("publication: building the site from nothing saved", flush=True)
    full = last_json(run([sys.executable, "-c", BUILD, full_db], log=logs / "publication-full.txt"))
    print("publication: scplearn serve on the unchanged database, to its first page", flush=True)
    serve = first_page(full_db, logs / "publication-serve.txt")
    print("publication: one more session imported, and the site built again", flush=True)
    files = one_more_session(full_db, work / "one-more-session")
    imported = run(scplearn("import", full_db, *files), log=logs / "publication-import-one.txt")
    update = last_json(run([sys.executable, "-c", BUILD, full_db], log=logs / "publication-update.txt"))
    return {
        "evaluate": evaluate, "from_saved": from_saved, "full": full, "serve": serve, "update": update,
        "import_one_session": {"wall": imported["wall"], "output": imported["output"]},
        "ratios": {
            "publish_without_audit_to_evaluate": (from_saved["seconds"] - from_saved["audit"]) / evaluate["seconds"],
            "update_to_full": update["seconds"] / full["seconds"],
        },
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="an imported scplearn database (left unchanged)")
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "publication")
    args = parser.parse_args(argv)
    result = measure(args.db.resolve(), args.work.resolve())
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
