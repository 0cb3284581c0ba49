"""Heavy anonymous SQL against the site: does ``/-/versions.json`` still answer within a second?

    python bench/heavy_sql.py                    # on the bundled sample data
    python bench/heavy_sql.py --db training.db   # on a store of your own

``scplearn serve`` runs on a free port of 127.0.0.1. From this process,
``/-/versions.json`` is first asked alone, one request at a time; then
``--heavy`` threads (20) each send the public database a query that never
ends (a recursive count, which stops only at the time limit), anonymously,
again and again, and ``/-/versions.json`` is asked again while they run. The
last line printed is JSON: the latency of ``/-/versions.json`` alone and
under that load (p50, p95 and maximum, in milliseconds), how the heavy
queries ended, and whether the goal was met: a p95 under 1,000 ms under load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from load import fetch, percentile
from run import ROOT, environment, free_port, scplearn, wait_for

HEAVY_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
PROBE = "/-/versions.json"
GOAL_MS = 1000


def latencies(port: int, *, samples: int, seconds: float) -> list[float]:
    """Milliseconds of each of up to ``samples`` requests for :data:`PROBE`, one at a time, for at most ``seconds``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    until, found = time.monotonic() + seconds, []
    try:
        while len(found) < samples and time.monotonic() < until:
            status, milliseconds, body = fetch(connection, PROBE)
            if status != 200:
                raise SystemExit(f"{PROBE} answered {status}: {body[:200]!r}")
            found.append(milliseconds)
    finally:
        connection.close()
    return found


def summary(values: list[float]) -> dict:
    return {"requests": len(values), "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1), "max_ms": round(max(values), 1)}


class Load:
    """``heavy`` threads, each sending :data:`HEAVY_SQL` anonymously until stopped; counts how each ended."""

    def __init__(self, port: int, heavy: int):
        self.port, self.stop, self.lock, self.ended = port, threading.Event(), threading.Lock(), {}
        self.threads = [threading.Thread(target=self.send) for _ in range(heavy)]

    def send(self):
        path = "/public.json?" + urllib.parse.urlencode({"sql": HEAVY_SQL})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            while not self.stop.is_set():
                status, _, _ = fetch(connection, path)
                with self.lock:
                    self.ended[str(status)] = self.ended.get(str(status), 0) + 1
        finally:
            connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(1)  # every heavy query is in flight before anything is measured
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def serve(db: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen([str(part) for part in scplearn("serve", db, "--port", port)],
                                stdout=output, stderr=subprocess.STDOUT, env=environment())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="store to serve [default: the sample data, imported afresh]")
    parser.add_argument("--heavy", type=int, default=20, help="heavy queries in flight at once")
    parser.add_argument("--samples", type=int, default=200, help="requests for /-/versions.json in each phase")
    parser.add_argument("--seconds", type=float, default=60, help="longest time of each phase")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scplearn-heavy-sql-") as work:
        work = Path(work)
        db = args.db
        if db is None:
            db = work / "training.db"
            subprocess.run([str(part) for part in scplearn("import", db, ROOT / "src" / "scplearn" / "sample")],
                           check=True, capture_output=True, env=environment())
        port = free_port()
        process = serve(db, port, work / "serve.log")
        try:
            wait_for(port, process, timeout=600)
            alone = latencies(port, samples=args.samples, seconds=args.seconds)
            with Load(port, args.heavy) as load:
                loaded = latencies(port, samples=args.samples, seconds=args.seconds)
        finally:
            process.terminate()
            process.wait(timeout=60)
    result = {"heavy_queries_at_once": args.heavy, "heavy_sql": HEAVY_SQL, "alone": summary(alone),
              "under_load": summary(loaded), "heavy_queries_ended": load.ended, "goal_p95_ms": GOAL_MS,
              "met": percentile(loaded, 0.95) < GOAL_MS}
    print(f"{PROBE}: p95 {result['alone']['p95_ms']} ms alone, {result['under_load']['p95_ms']} ms under "
          f"{args.heavy} heavy anonymous queries (goal under {GOAL_MS} ms: {'met' if result['met'] else 'not met'})",
          file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
