"""The scplearn benchmark: one command, results in docs/performance.md.

    python bench/run.py                      # 1,000,000 evaluation records (tens of minutes)
    python bench/run.py --records 200000     # any size
    python bench/run.py --quick              # 20,000 records, fewer requests: a smoke run
    python bench/run.py --reliability        # also run the reliability tests' long profile

Every figure is a ratio against a baseline measured in the same run on the
same machine, because shared machines are noisy:

- import: ``scplearn import`` of the N evaluation records (into a store that
  already holds the rest of the programme) against the same rows written by
  ``executemany`` with no validation (bench/raw_import.py) and against
  ``sqlite-utils insert --csv``; the whole programme against the raw writes too;
- memory: peak RSS of the import of N records against one of N/10;
- evaluate: every built-in evaluator grouped by year and course against one
  bare ``GROUP BY`` scan computing the three mean changes;
- serve: p50 and p95 latency of every public page, canned query and
  dashboard (and the SQL behind each chart) behind ``scplearn serve``, at
  concurrency 1 and 8, against Datasette's own ``/-/versions.json`` measured
  in the same round (three rounds; the median ratio counts);
- report: ``scplearn report`` on a database whose publication is up to date
  against ``scplearn evaluate`` (and the first report, which publishes);
- publication (bench/publication.py): publishing from saved results against
  evaluating every published grouping, the audit's wall time, ``scplearn
  serve``'s first page on an unchanged database, and publishing again after
  one more session against a full build.

Commands run as separate processes; their wall time, CPU time and peak RSS
come from ``os.wait4``. Generated data and databases go to bench/results/
(ignored by git); the JSON of every measurement is kept there too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

SUPPORT_FILES = ("partnerships", "agencies", "courses", "sessions", "delegates", "bookings", "followups", "spend")
SERVE_ROUNDS = 3
"""Rounds of the serve measurement: its ratios are the median over rounds, so one burst of other work on a
shared machine cannot decide a goal alone (every round's figures are kept in the JSON)."""
GOALS = {"import_raw": 0.5, "import_sqlite_utils": 5.0, "memory": 1.5, "evaluate": 2.0, "serve_p95_ms": 100,
         "report": 3.0, "publish": 2.0, "audit_seconds": 60, "first_page_seconds": 5, "update": 0.1}


def environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def run(command, *, log: Path, cwd=None, check=True) -> dict:
    """Run ``command`` to its end; its wall time, CPU time and peak RSS (MiB), output in ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as output:
        started = time.perf_counter()
        process = subprocess.Popen([str(part) for part in command], stdout=output, stderr=subprocess.STDOUT,
                                   env=environment(), cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if check and process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({process.returncode}); see {log}:\n"
                         + log.read_text()[-2000:])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "status": process.returncode, "output": log.read_text()[-4000:], "log": str(log)}


def last_json(measured: dict):
    """The JSON a command printed on its last line."""
    return json.loads(Path(measured["log"]).read_text().strip().splitlines()[-1])


def scplearn(*arguments) -> list:
    return [sys.executable, "-m", "scplearn", *arguments]


def programme(records: int, seed: int, work: Path) -> tuple[Path, dict]:
    """The generated programme of ``records`` evaluations (reused when already there)."""
    directory = work / f"programme-{records}-{seed}"
    done = directory / "counts.json"
    if not done.exists():
        print(f"generating {records:,} evaluation records in {directory}", flush=True)
        shutil.rmtree(directory, ignore_errors=True)
        counts = generate.generate(directory, records, seed)
        done.write_text(json.dumps(counts))
    return directory, json.loads(done.read_text())


def fresh(directory: Path) -> Path:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def import_benchmark(data: Path, counts: dict, work: Path, label: str) -> dict:
    """scplearn, raw executemany and sqlite-utils on the same programme."""
    support = [data / f"{name}.csv" for name in SUPPORT_FILES]
    evaluations = data / "evaluations.csv"
    support_rows = sum(counts[name] for name in SUPPORT_FILES)
    result = {"records": counts["evaluations"], "support_rows": support_rows}

    db = fresh(work / f"scplearn-{label}") / "training.db"
    print(f"[{label}] scplearn import: the programme without evaluations ({support_rows:,} rows)", flush=True)
    result["scplearn_support"] = run(scplearn("import", db, *support), log=work / f"logs/{label}-scplearn-support.txt")
    print(f"[{label}] scplearn import: {counts['evaluations']:,} evaluation records", flush=True)
    result["scplearn"] = run(scplearn("import", db, evaluations), log=work / f"logs/{label}-scplearn-evaluations.txt")
    result["db"] = str(db)
    with sqlite3.connect(db) as connection:
        found = connection.execute("SELECT count(*) FROM evaluations").fetchone()[0]
    if found != counts["evaluations"]:
        raise SystemExit(f"scplearn imported {found} evaluations, not {counts['evaluations']}")

    raw = fresh(work / f"raw-{label}") / "raw.db"
    print(f"[{label}] raw executemany", flush=True)
    result["raw_support"] = run([sys.executable, BENCH / "raw_import.py", raw, *support],
                                log=work / f"logs/{label}-raw-support.txt")
    result["raw"] = run([sys.executable, BENCH / "raw_import.py", raw, evaluations],
                        log=work / f"logs/{label}-raw-evaluations.txt")
    for key in ("raw_support", "raw"):
        result[key]["inner"] = last_json(result[key])
    return result


def sqlite_utils_benchmark(data: Path, work: Path, label: str) -> dict:
    db = fresh(work / f"sqlite-utils-{label}") / "evaluations.db"
    print(f"[{label}] sqlite-utils insert --csv", flush=True)
    program = Path(sys.executable).parent / "sqlite-utils"
    command = [program] if program.exists() else [sys.executable, "-m", "sqlite_utils"]
    return run([*command, "insert", db, "evaluations", data / "evaluations.csv", "--csv", "--silent"],
               log=work / f"logs/{label}-sqlite-utils.txt")


EVALUATE_SCRIPT = r"""
import json, statistics, sys, time
import scplearn
from scplearn import evaluation, plugins
from scplearn.results.stage import drop_results
BARE = '''SELECT sessions.year, sessions.course,
    avg(knowledge_post - knowledge_pre), avg(skills_post - skills_pre), avg(confidence_post - confidence_pre)
FROM evaluations JOIN sessions ON sessions.code = evaluations.session
GROUP BY sessions.year, sessions.course'''
repeats = int(sys.argv[2])
store = scplearn.open(sys.argv[1])
built_in = [name for name, source in plugins.sources("register_evaluators").items() if source == "built-in"]
def bare():
    return store.db.execute(BARE).fetchall()
def afresh():
    # Forget the kept results and the remembered counts: each pass pays for everything, as `scplearn evaluate`
    # on a database just imported would.
    drop_results(store.db)
    evaluation.forget(store)
def every():
    afresh()
    return {name: len(scplearn.evaluate(store, name, by=["year", "course"], keep=True)) for name in built_in}
bare(); rows = every()  # warm the page cache for both
times = {"bare": [], "evaluate": []}
for _ in range(repeats):
    for key, function in (("bare", bare), ("evaluate", every)):
        started = time.perf_counter(); function(); times[key].append(time.perf_counter() - started)
each = {}
for name in built_in:
    afresh()
    started = time.perf_counter(); scplearn.evaluate(store, name, by=["year", "course"], keep=True); each[name] = time.perf_counter() - started
print(json.dumps({"evaluators": built_in, "rows": rows, "bare_groups": len(bare()),
                  "bare": statistics.median(times["bare"]), "evaluate": statistics.median(times["evaluate"]),
                  "each": each, "all_times": times}))
"""


def evaluate_benchmark(db: Path, work: Path, repeats: int) -> dict:
    print("evaluate: built-in evaluators by year and course, and the bare GROUP BY", flush=True)
    result = run([sys.executable, "-c", EVALUATE_SCRIPT, db, repeats], log=work / "logs/evaluate.txt")
    return {**last_json(result), "process": result}


def report_benchmark(db: Path, work: Path) -> dict | None:
    from scplearn import cli

    if "report" not in cli.cli.commands:
        return None
    with sqlite3.connect(db) as connection:
        years = [row[0] for row in connection.execute("SELECT DISTINCT year FROM sessions ORDER BY year")]
    out = fresh(work / "report")
    print(f"report: scplearn report --year {years[-1]} --compare {years[-2]}", flush=True)
    evaluate = run(scplearn("evaluate", db, "--by", "year", "--by", "course"), log=work / "logs/evaluate-cli.txt")
    # The first report publishes every year (the policy and its audit) before it writes; the second finds the
    # publication up to date, as after `scplearn serve` or `scplearn publish`.
    first, report = (run(scplearn("report", db, "--year", years[-1], "--compare", years[-2], "--out", out / name),
                         log=work / f"logs/report-{name}.txt") for name in ("first", "published"))
    return {"evaluate_cli": evaluate, "first_report": first, "report": report, "year": years[-1],
            "compare": years[-2]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped ({process.returncode}) before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no server on port {port} after {timeout:.0f} s")


def public_pages(metadata: dict, tables: list[str]) -> list[tuple[str, str]]:
    """(kind, path) of every public page the metadata describes, and of the SQL behind each chart."""
    public = next(name for name, database in metadata["databases"].items() if "allow" not in database)
    pages = [("index", "/"), ("database", f"/{public}")]
    pages += [("table", f"/{public}/{urllib.parse.quote(table)}") for table in tables]
    pages += [("canned query", f"/{public}/{urllib.parse.quote(name)}")
              for name in metadata["databases"][public].get("queries", {})]
    for slug, dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).items():
        # A visit without filters is redirected to the filters' defaults: time the page it lands on.
        chosen = {key: f["default"] for key, f in dashboard.get("filters", {}).items() if f.get("default")}
        pages.append(("dashboard", f"/-/dashboards/{slug}" + (f"?{urllib.parse.urlencode(chosen)}" if chosen else "")))
        for chart_slug, chart in dashboard.get("charts", {}).items():
            if "query" not in chart:
                continue  # a heading, drawn with the page
            parameters = {"sql": chart_sql(chart["query"], chosen), "_shape": "array", **chosen}
            pages.append(("chart SQL", f"/{chart['db']}.json?" + urllib.parse.urlencode(parameters)))
    return pages


def chart_sql(query: str, chosen: dict) -> str:
    """A chart's SQL as the dashboard's script sends it: each ``[[ ... ]]`` kept (without the brackets)
    when the filter it names is chosen, dropped when not."""
    def option(match):
        inside = match.group(1)
        return inside if any(f":{name}" in inside for name in chosen) else ""
    return re.sub(r"\[\[(.*?)\]\]", option, query, flags=re.S)


def serve_benchmark(db: Path, work: Path, requests: dict, rounds: int) -> dict:
    """Latency of every public page at each concurrency (``{concurrency: requests a page}``), in ``rounds``
    rounds: each measures the baseline and then every page, so that each page can be compared with the
    baseline of its own round (see performance_page.serve_summary)."""
    from scplearn import cli

    port = free_port()
    log = work / "logs/serve.txt"
    if "serve" in cli.cli.commands:
        command, server = scplearn("serve", db, "--port", port), "scplearn serve"
    else:
        command, server = [sys.executable, "-m", "datasette", "serve", db, "-p", port], "datasette serve"
    print(f"serve: {server} on port {port} (building the public database first)", flush=True)
    started = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen([str(part) for part in command], stdout=output, stderr=subprocess.STDOUT,
                                   env=environment())
    try:
        wait_for(port, process, timeout=3600)
        startup = time.perf_counter() - started
        if server == "scplearn serve":
            site = db.parent / f"{db.stem}-public"
            # As Datasette serves it: metadata.json merged with the public database's descriptions.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/metadata.json", timeout=60) as response:
                metadata = json.loads(response.read())
            with sqlite3.connect(site / "public.db") as connection:
                tables = [row[0] for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                    "ORDER BY name")]
        else:
            metadata = {"databases": {db.stem: {}}}
            with sqlite3.connect(db) as connection:
                tables = [row[0] for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        pages = [("baseline", "/-/versions.json")] + public_pages(metadata, tables)
        runs = {concurrency: [] for concurrency in requests}
        for round_ in range(1, rounds + 1):
            for concurrency, number in requests.items():
                print(f"serve: round {round_} of {rounds}, {len(pages)} pages at concurrency {concurrency}, "
                      f"{number} requests each", flush=True)
                measured = run([sys.executable, BENCH / "load.py", "--port", port, "--concurrency", concurrency,
                                "--requests", number, *[path for _, path in pages]],
                               log=work / f"logs/load-{concurrency}-{round_}.txt")
                runs[concurrency].append(last_json(measured))
        return {"server": server, "startup_seconds": startup, "kinds": dict((path, kind) for kind, path in pages),
                "runs": runs}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def reliability_long_profile(work: Path) -> dict:
    print("reliability: the long profile of the reliability tests", flush=True)
    tests = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").glob("test_reliability_*.py"))
    tests.append("tests/test_backup.py")
    env_before = os.environ.get("SCPLEARN_LONG_TESTS")
    os.environ["SCPLEARN_LONG_TESTS"] = "1"
    try:
        result = run([sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
                     log=work / "logs/reliability.txt", cwd=ROOT, check=False)
    finally:
        if env_before is None:
            os.environ.pop("SCPLEARN_LONG_TESTS")
        else:
            os.environ["SCPLEARN_LONG_TESTS"] = env_before
    summary = [line for line in result["output"].splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return {"tests": tests, "status": result["status"], "summary": summary[-1] if summary else "",
            "wall": result["wall"]}


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    import scplearn as package

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "scplearn": package.__version__,
            "commit": commit, "load": " ".join(f"{value:.2f}" for value in os.getloadavg())}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, help="evaluation records [default: 1,000,000; 20,000 with --quick]")
    parser.add_argument("--quick", action="store_true", help="a small, fast run to check the kit works")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--work", type=Path, default=BENCH / "results", help="where data and databases go")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--skip", action="append", default=[], choices=["serve", "report", "evaluate", "publication"],
                        help="leave out a measurement (repeat for several)")
    parser.add_argument("--reliability", action="store_true", help="also run the reliability tests' long profile")
    args = parser.parse_args(argv)
    records = args.records or (20_000 if args.quick else 1_000_000)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    results = {"command": command, "records": records, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": machine()}

    data, counts = programme(records, args.seed, work)
    small_data, small_counts = programme(max(1, records // 10), args.seed, work)
    results["counts"] = counts
    results["import"] = import_benchmark(data, counts, work, "full")
    results["import_small"] = import_benchmark(small_data, small_counts, work, "tenth")
    results["sqlite_utils"] = sqlite_utils_benchmark(data, work, "full")
    db = Path(results["import"]["db"])
    if "evaluate" not in args.skip:
        results["evaluate"] = evaluate_benchmark(db, work, repeats=3)
    results["report"] = None if "report" in args.skip else report_benchmark(db, work)
    if "publication" not in args.skip:
        import publication

        results["publication"] = publication.measure(db, work / "publication")
    if "serve" not in args.skip:
        requests = {1: 5, 8: 16} if args.quick else {1: 40, 8: 80}
        results["serve"] = serve_benchmark(db, work, requests, rounds=2 if args.quick else SERVE_ROUNDS)
    if args.reliability:
        results["reliability"] = reliability_long_profile(work)
    results["machine"]["load_after"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    results["seconds"] = time.perf_counter() - started
    (work / f"results-{records}.json").write_text(json.dumps(results, indent=2, default=str))
    import performance_page

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(performance_page.markdown(results, GOALS))
    print(f"wrote {args.output} ({results['seconds'] / 60:.1f} minutes)")


if __name__ == "__main__":
    main()
