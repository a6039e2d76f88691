"""Peak memory and time to load a 1,000,000-row time_entries export.

Why a child process: ``ru_maxrss`` is a high-water mark, so measuring in the
process that also generated the CSV would report the generator's peak.
Run: ``python benchmarks/activity_rss.py [ROWS]``.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = [f"cust-{i:03d}" for i in range(200)]
ROLES = ["tech", "engineer", "architect", "pm"]
WORK = ["remote", "onsite", "after_hours", "project"]

CHILD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from engine.activity import load_activity
t0 = time.perf_counter()
activity, diags = load_activity(sys.argv[1])
elapsed = time.perf_counter() - t0
print(len(activity.time_entries), len(diags), f"{elapsed:.2f}")
"""


def generate(path: Path, rows: int) -> None:
    """Realistic shape: 1 year of dates, 200 customers, quarter-hour amounts."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,date,customer,contract,ticket,resource,role,work_type,hours,billable,"
                 "approved,description\n")
        for i in range(rows):
            month, day = 1 + i % 12, 1 + (i // 12) % 28
            c = CUSTOMERS[i % len(CUSTOMERS)]
            quarters = i % 32 + 1                     # 0.25 .. 8.00 hours, as text
            hours = f"{quarters // 4}.{quarters % 4 * 25:02d}"
            fh.write(f"TE-{i},2026-{month:02d}-{day:02d},{c},{c}-managed,T-{i // 7},"
                     f"tech{i % 40},{ROLES[i % 4]},{WORK[(i // 4) % 4]},{hours},"
                     f"{'true' if i % 9 else 'false'},true,Work on ticket T-{i // 7}\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        generate(Path(tmp) / "time_entries.csv", rows)
        size = (Path(tmp) / "time_entries.csv").stat().st_size
        print(f"generated {rows:,} rows ({size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, tmp, str(ROOT)], check=True,
                             capture_output=True, text=True).stdout.split()
        wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss   # KiB on Linux
    print(f"loaded {int(out[0]):,} entries, {out[1]} diagnostics")
    print(f"load_activity: {out[2]} s (child wall incl. start-up {wall:.2f} s)")
    print(f"child peak RSS: {peak_kb / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
