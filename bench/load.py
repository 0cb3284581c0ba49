"""Latency of a list of pages on a running server, at a given concurrency (run as its own process).

    python bench/load.py --port 8001 --concurrency 8 --requests 40 /-/versions.json /public ...

For each path in turn: one warm-up request, then ``--requests`` requests
spread over ``--concurrency`` threads, each thread with its own keep-alive
connection to 127.0.0.1. Prints JSON: per path the status codes seen and the
p50, p95 and maximum latency in milliseconds. A response other than 200 is
counted as an error (and its first bytes kept for the report).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import statistics
import threading
import time


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` from 0 to 1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def fetch(connection: http.client.HTTPConnection, path: str) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, body


def measure(port: int, path: str, requests: int, concurrency: int, timeout: float) -> dict:
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    fetch(warm, path)
    warm.close()
    latencies, statuses, errors = [], {}, []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                try:
                    status, milliseconds, body = fetch(connection, path)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                    status, milliseconds, body = 0, timeout * 1000, str(error).encode()
                with lock:
                    latencies.append(milliseconds)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200 and len(errors) < 3:
                        errors.append(body[:200].decode("utf-8", "replace"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "path": path, "concurrency": concurrency, "requests": len(latencies),
        "statuses": {str(code): number for code, number in sorted(statuses.items())}, "errors": errors,
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies), "mean_ms": statistics.fmean(latencies),
        "per_second": len(latencies) / elapsed if elapsed else None,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    results = [measure(args.port, path, args.requests, args.concurrency, args.timeout) for path in args.paths]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
