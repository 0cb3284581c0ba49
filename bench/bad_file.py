"""How much memory and output a huge file of bad rows costs: every row invalid, a bounded report.

    python bench/bad_file.py [--megabytes 200] [--dir DIR]

Writes a ``bookings.csv`` of about ``--megabytes`` MB in which every row has
a bad email and a bad status, imports it with ``scplearn import`` in a child
process and prints, as JSON, the file's size and rows, the child's peak
resident memory (``ru_maxrss``), its exit status, the bytes and lines it
printed and the seconds it took. The import must fail (exit 1), print a
handful of lines and keep its memory far below the file's size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_bad_file(path: Path, megabytes: float) -> int:
    """A bookings file of about ``megabytes`` MB where every row has two bad values; returns its rows."""
    target, rows = megabytes * 1024 * 1024, 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("session,email,status\n")
        written = 0
        while written < target:
            block = "".join(f"SESSION-{rows + n},not-an-email-{rows + n},maybe\n" for n in range(10_000))
            handle.write(block)
            written += len(block)
            rows += 10_000
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="Where to write the file [default: a temporary folder]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        folder = Path(folder)
        path = folder / "bookings.csv"
        rows = write_bad_file(path, args.megabytes)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "scplearn", "import", str(folder / "t.db"), str(path)],
                              capture_output=True)
        seconds = time.monotonic() - started
        output = done.stdout + done.stderr
        print(json.dumps({
            "file_bytes": path.stat().st_size, "rows": rows, "exit_status": done.returncode,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "output_bytes": len(output), "output_lines": output.count(b"\n"), "seconds": round(seconds, 1),
            "first_lines": output.decode("utf-8", "replace").splitlines()[:4],
        }, indent=2))


if __name__ == "__main__":
    main()
