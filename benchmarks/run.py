"""Benchmark tenor at MSP scale (issue "Performance at MSP scale").

Usage::

    python benchmarks/run.py [--size small|full] [--runs 3] [--out benchmarks/out/results.json]

Generates the synthetic repo with ``benchmarks/generate.py`` (or reuses the
copy cached under ``benchmarks/out/data/`` for the same parameters and the same
generator source), then measures, each in fresh child processes:

(a) the floor: a bare ``csv.reader`` pass over the same activity files, every
    cell of every row touched -- what reading the exports costs at minimum;
(b) ``tenor preview --format json`` of the latest month over the full history, as
    users run it (``--jobs auto``, the default: the machine's CPUs on data this size)
    and in one process (``--jobs 1``);
(c) ``tenor validate`` of the generated repo;
(d) ``tenor diff`` with one changed contract, when the command exists.

Why child processes: wall time then includes interpreter start-up and imports,
as a user sees it, and ``ru_maxrss`` is a high-water mark, so it is read per
child with ``os.wait4`` (Linux reports KiB) rather than in this process,
whose own peak comes from generating the data.

Reports medians of N runs, the ratios preview/floor and diff/preview, peak RSS
(the largest single process) and the peak of all its processes together (sampled
Pss, for the runs that fork workers), and machine info; writes JSON; prints each target as PASS/FAIL. The exit code
is 0 even when a target fails (it is a measurement, not a gate), 1 when a
command itself failed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (sibling module)

SIZES: dict[str, dict[str, int]] = {
    "full": dict(contracts=2000, customers=1000, time_entries=1_000_000, tickets=100_000,
                 charges=50_000, devices=60_000, users=40_000, months=12, seed=1),
    "small": dict(contracts=200, customers=100, time_entries=100_000, tickets=10_000,
                  charges=5_000, devices=6_000, users=4_000, months=12, seed=1),
}
GIB = 1024 ** 3

FLOOR = r"""
import csv, os, sys
folder = sys.argv[1]
rows = cells = chars = 0
for name in sorted(os.listdir(folder)):
    if not name.endswith(".csv"):
        continue
    with open(os.path.join(folder, name), encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh, strict=True):
            rows += 1
            cells += len(row)
            chars += sum(map(len, row))      # every cell touched, at C speed
print(rows, cells, chars)
"""


def tenor_cmd(*args: str) -> list[str]:
    """The CLI as a user runs it, from this checkout (not whatever is installed)."""
    return [sys.executable, "-m", "cli", *args]


class TreeMemory(threading.Thread):
    """Peak memory of a process and all its descendants together, sampled ten
    times a second from /proc (Linux; elsewhere it stays 0). ``ru_maxrss`` is
    the largest single process, which undercounts a run whose forked workers
    are alive at once; the sum of their Pss (shared pages split between the
    processes sharing them) is what the machine must hold."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, sum(map(_pss, _tree(self.pid))))

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _pss(pid: int) -> int:
    """Bytes of proportional set size (resident size where Pss is not reported)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def measure(cmd: Sequence[str], *, cwd: Path = ROOT) -> dict[str, Any]:
    """Run one child; wall seconds, peak RSS (bytes) and exit code via os.wait4,
    and the peak memory of its whole process tree (TreeMemory)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err)
        tree = TreeMemory(proc.pid)
        tree.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        tree_peak = tree.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)   # already reaped by wait4
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"seconds": wall, "rss": usage.ru_maxrss * 1024, "tree": tree_peak,
            "code": proc.returncode,
            "cpu": usage.ru_utime + usage.ru_stime, "stdout": stdout, "stderr": stderr}


def bench(name: str, cmd: Sequence[str], runs: int, ok_codes: Sequence[int] = (0,)
          ) -> dict[str, Any]:
    samples = []
    for i in range(runs):
        r = measure(cmd)
        print(f"  {name} run {i + 1}/{runs}: {r['seconds']:.2f} s, "
              f"peak RSS {r['rss'] / 2**20:.0f} MiB (all processes {r['tree'] / 2**20:.0f} "
              f"MiB), exit {r['code']}", flush=True)
        if r["code"] not in ok_codes:
            tail = "\n".join(r["stderr"].splitlines()[-10:])
            raise RuntimeError(f"{name} exited {r['code']}: {' '.join(cmd)}\n{tail}")
        samples.append(r)
    return {
        "command": [Path(c).name if c == sys.executable else c for c in cmd],
        "runs": runs,
        "seconds": [round(s["seconds"], 3) for s in samples],
        "median_seconds": round(statistics.median(s["seconds"] for s in samples), 3),
        "median_cpu_seconds": round(statistics.median(s["cpu"] for s in samples), 3),
        "peak_rss_bytes": max(s["rss"] for s in samples),
        "peak_rss_mib": round(max(s["rss"] for s in samples) / 2**20, 1),
        # sampled; may miss a short spike, so the larger of the two is what targets use
        "peak_tree_pss_mib": round(max(s["tree"] for s in samples) / 2**20, 1),
        "peak_memory_bytes": max(max(s["rss"], s["tree"]) for s in samples),
        "exit_code": samples[-1]["code"],
        "_last_stdout": samples[-1]["stdout"],
    }


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 0
    try:
        load = os.getloadavg()
    except OSError:  # pragma: no cover
        load = (0.0, 0.0, 0.0)
    return {"nproc": usable, "cpu_count": os.cpu_count(), "cpu_model": model or platform.processor(),
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "loadavg_at_start": [round(x, 2) for x in load]}


def dataset(size: str, data_root: Path) -> tuple[Path, dict[str, Any]]:
    """The generated repo for ``size``; regenerated only when parameters or generator change."""
    params = SIZES[size]
    source = Path(generate.__file__).read_bytes()
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode() + source).hexdigest()[:12]
    out = data_root / f"{size}-{key}"
    stamp = out / ".complete"
    info: dict[str, Any] = {"path": str(out), "params": params, "cache_key": key}
    if stamp.is_file():
        info["generated"] = False
        info["generate_seconds"] = json.loads(stamp.read_text())["seconds"]
        return out, info
    if out.exists():
        shutil.rmtree(out)                   # a half-written earlier attempt
    print(f"generating {size} data set into {out} ...", flush=True)
    t0 = time.perf_counter()
    generate.generate(out, **params, log=lambda m: print(f"  {m}", flush=True))
    seconds = round(time.perf_counter() - t0, 2)
    stamp.write_text(json.dumps({"params": params, "seconds": seconds}))
    info["generated"] = True
    info["generate_seconds"] = seconds
    return out, info


def activity_stats(folder: Path) -> dict[str, Any]:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".csv")
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def has_diff() -> bool:
    r = subprocess.run(tenor_cmd("diff", "--help"), cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=tenor-bench",
                    "-c", "user.email=bench@tenor.invalid", "-c", "commit.gpgsign=false", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bench_diff(data: Path, runs: int) -> dict[str, Any]:
    """``tenor diff --base HEAD`` against a worktree with one contract's price changed.

    The data set becomes its own git repository (inside benchmarks/out/, which is
    git-ignored) so the diff has a base revision; the edit is undone afterwards.
    """
    if not (data / ".git").is_dir():
        _git(data, "init", "-q")
        _git(data, "add", "contracts.d", "rules")
        _git(data, "commit", "-q", "-m", "generated benchmark repo")
    target = data / "contracts.d" / "customers" / "cust-0001.yaml"
    original = target.read_text(encoding="utf-8")
    # A billing change that keeps the file valid: the first price, rate or fee + 1.00.
    changed, n = _PRICE.subn(lambda m: f"{m.group(1)}: {int(m.group(2)) + 1}.{m.group(3)}",
                             original, count=1)
    if not n:
        raise RuntimeError(f"diff: no price to change in {target}")
    target.write_text(changed, encoding="utf-8")
    try:
        return bench("diff", tenor_cmd("diff", "--root", str(data), "--base", "HEAD",
                                       "--activity", str(data / "activity"), "--format", "json"),
                     runs)
    finally:
        target.write_text(original, encoding="utf-8")


_PRICE = re.compile(r"\b(price|rate|fee): ([0-9]+)\.([0-9]{2})\b")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark tenor at MSP scale.")
    p.add_argument("--size", choices=sorted(SIZES), default="full")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=HERE / "out" / "results.json")
    p.add_argument("--data-dir", type=Path, default=HERE / "out" / "data",
                   help="where generated data sets are cached (default: benchmarks/out/data)")
    a = p.parse_args(argv)
    if a.runs < 1:
        p.error("--runs must be at least 1")
    started = time.perf_counter()
    a.data_dir.mkdir(parents=True, exist_ok=True)
    ignore = HERE / "out" / ".gitignore"
    if a.data_dir.resolve().is_relative_to((HERE / "out").resolve()) and not ignore.exists():
        ignore.write_text("# benchmark outputs and generated data are never committed\n*\n")
    data, info = dataset(a.size, a.data_dir)
    act = data / "activity"
    info["activity"] = activity_stats(act)
    results: dict[str, Any] = {"size": a.size, "machine": machine(), "data": info,
                               "commands": {}, "targets": {}, "notes": []}
    cmds = results["commands"]
    print(f"floor: csv.reader over {info['activity']['files']} files "
          f"({info['activity']['bytes'] / 1e6:.0f} MB)", flush=True)
    try:
        cmds["floor"] = bench("floor", [sys.executable, "-c", FLOOR, str(act)], a.runs)
        # as users run it: --jobs auto (the default) uses the machine's CPUs on data this size
        print("preview", flush=True)
        cmds["preview"] = bench("preview", tenor_cmd(
            "preview", "--root", str(data), "--activity", str(act), "--format", "json",
            "--output", os.devnull), a.runs)
        print("preview --jobs 1", flush=True)
        cmds["preview_jobs1"] = bench("preview --jobs 1", tenor_cmd(
            "preview", "--root", str(data), "--activity", str(act), "--format", "json",
            "--output", os.devnull, "--jobs", "1"), a.runs)
        print("validate", flush=True)
        cmds["validate"] = bench("validate", tenor_cmd("validate", "--root", str(data)), a.runs)
        if has_diff():
            print("diff", flush=True)
            cmds["diff"] = bench_diff(data, a.runs)
        else:
            note = "tenor diff is not available yet (`tenor diff --help` failed); diff skipped"
            print(note, flush=True)
            results["notes"].append(note)
    except RuntimeError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    for c in cmds.values():
        c.pop("_last_stdout", None)

    floor, prev = cmds["floor"]["median_seconds"], cmds["preview"]["median_seconds"]
    one = cmds["preview_jobs1"]["median_seconds"]
    ratios = {"preview_over_floor": round(prev / floor, 2) if floor else None,
              "preview_jobs1_over_floor": round(one / floor, 2) if floor else None}
    if "diff" in cmds:
        ratios["diff_over_preview"] = round(cmds["diff"]["median_seconds"] / prev, 2)
        ratios["diff_over_preview_jobs1"] = round(cmds["diff"]["median_seconds"] / one, 2)
    results["ratios"] = ratios
    targets = results["targets"]
    targets["preview <= 3x floor"] = {"value": ratios["preview_over_floor"], "limit": 3,
                                      "pass": ratios["preview_over_floor"] <= 3}
    for key, label in (("preview", "preview"), ("preview_jobs1", "preview --jobs 1")):
        mem = cmds[key]["peak_memory_bytes"]
        targets[f"{label} peak memory <= 1 GiB"] = {
            "value": round(mem / 2**20, 1), "limit": 1024, "pass": mem <= GIB}
    targets["validate <= 5 s"] = {"value": cmds["validate"]["median_seconds"], "limit": 5,
                                  "pass": cmds["validate"]["median_seconds"] <= 5}
    if "diff" in cmds:
        targets["diff <= 2.5x preview"] = {"value": ratios["diff_over_preview"], "limit": 2.5,
                                           "pass": ratios["diff_over_preview"] <= 2.5}
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    busy = max(results["machine"]["loadavg_at_start"][0], results["machine"]["loadavg_at_end"][0])
    if busy > results["machine"]["nproc"]:
        results["notes"].append(
            f"load average {busy} exceeded {results['machine']['nproc']} CPUs: other work was "
            f"running, so wall times are inflated; compare the CPU seconds")

    m = results["machine"]
    print()
    print(f"machine: {m['cpu_model']}, {m['nproc']} CPUs, Python {m['python']}")
    print(f"data: {a.size}, {info['params']['contracts']} contracts, "
          f"{info['params']['time_entries']:,} time entries, "
          f"{info['activity']['bytes'] / 1e6:.0f} MB of CSV"
          + (f" (generated in {info['generate_seconds']} s)" if info.get("generated") else
             " (cached)"))
    for name, c in cmds.items():
        print(f"{name:>13}: median {c['median_seconds']:7.2f} s wall, "
              f"{c['median_cpu_seconds']:7.2f} s CPU   peak RSS {c['peak_rss_mib']:5.0f} MiB, "
              f"all processes {c['peak_tree_pss_mib']:5.0f} MiB")
    print(f"preview/floor = {ratios['preview_over_floor']} (--jobs 1: "
          f"{ratios['preview_jobs1_over_floor']})"
          + (f", diff/preview = {ratios['diff_over_preview']}" if "diff" in ratios else ""))
    for name, t in targets.items():
        print(f"  {verdict(t['pass'])}  {name} (measured {t['value']})")
    for note in results["notes"]:
        print(f"  note: {note}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {a.out} (total {results['total_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
