#!/usr/bin/env python3
"""Measurement helpers for scripts/bench-peers.sh and scripts/bench-scaling.sh.

Subcommands:

  time --label L --file DATA --out RESULTS.jsonl [--runs 3] [--ok 0,1] [--users N]
       [--note TEXT] [--stdout PATH] [--extrapolate-to FULL_FILE] [--remove PATH]...
       -- CMD ARGS...
      Run CMD --runs times as a whole process under `/usr/bin/time -f %M` (peak RSS),
      measuring wall time around each run, and append one JSON line to RESULTS: every
      run's wall time and exit status, the median wall time, the largest peak RSS, and
      the largest resident *anonymous* memory (RssAnon of /proc/PID/status, sampled
      every 10 ms: memory beyond the page cache of mapped files). The first run's
      standard output goes to --stdout (default: discarded). An exit status outside
      --ok marks the measurement failed (shown in the table with the error). With
      --extrapolate-to, CMD ran on a prefix of FULL_FILE: the reported time is scaled
      by size(FULL_FILE) / size(DATA) and the row says so. Each --remove PATH is deleted
      before every run, outside the timing: a command that replaces its outputs would
      otherwise also be timed freeing the previous run's (the kernel drops a replaced
      file's pages when it is renamed over), which a first run never pays.

  prefix SRC DST MBYTES
      Copy the first MBYTES MB (10^6 bytes) of SRC to DST, cut after the last record
      separator, and print the number of bytes written.

  wait-load --below X [--max SECONDS]
      Wait until the 1-minute load average is below X (checked every 10 s), at most
      SECONDS; print what happened.

  loadavg
      Print the three load averages.

  env
      Print the measurement environment as Markdown (nproc, CPU, memory, kernel, tool
      versions).

  table RESULTS.jsonl --kind peers|scaling [--baseline LABEL]
      Print the results as a Markdown table. peers: one row per (tool, file) with the
      ratio of its time to the baseline tool on the same file. scaling: one row per
      file with the time per user.

Sizes are in MB of 10^6 bytes; MB/s is file size over median wall time.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def read_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(field.encode() + b":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


class AnonSampler(threading.Thread):
    """Samples RssAnon of the measured process (the child of /usr/bin/time)."""

    def __init__(self, time_pid):
        super().__init__(daemon=True)
        self.time_pid = time_pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self):
        target = None
        while not self.stop.is_set():
            if target is None:
                kids = children(self.time_pid)
                if kids:
                    target = kids[0]
            if target is not None:
                kb = read_status_kb(target, "RssAnon")
                if kb is not None and kb > self.peak_kb:
                    self.peak_kb = kb
            self.stop.wait(0.01)


def run_once(cmd, stdout_path):
    with tempfile.NamedTemporaryFile(prefix="bench-time.", delete=False) as tf:
        time_out = tf.name
    err = tempfile.TemporaryFile()
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(
            ["/usr/bin/time", "-f", "%M", "-o", time_out] + cmd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        sampler = AnonSampler(p.pid)
        sampler.start()
        rc = p.wait()
        wall = time.perf_counter() - t0
        sampler.stop.set()
        sampler.join()
        rss = None
        with open(time_out) as f:
            for line in f:
                line = line.strip()
                if line.isdigit():
                    rss = int(line)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        return wall, rc, rss, sampler.peak_kb, tail
    finally:
        if stdout_path:
            out.close()
        err.close()
        os.unlink(time_out)


def cmd_time(a):
    ok = {int(x) for x in a.ok.split(",") if x.strip()}
    size = os.path.getsize(a.file)
    runs = []
    failed = None
    for i in range(a.runs):
        for path in a.remove or []:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        wall, rc, rss, anon, tail = run_once(a.cmd, a.stdout if i == 0 else None)
        runs.append({"wall": wall, "rc": rc, "rss_kb": rss, "anon_kb": anon})
        print(
            f"  {a.label:<28} {os.path.basename(a.file)} run {i + 1}/{a.runs}: "
            f"{wall:.3f} s, exit {rc}, peak RSS {fmt_kb(rss)}",
            file=sys.stderr,
        )
        if rc not in ok:
            failed = {"rc": rc, "stderr": tail.strip().splitlines()[-3:]}
            print(f"  FAILED (exit {rc}):\n{tail}", file=sys.stderr)
            break
    median = statistics.median(r["wall"] for r in runs)
    rec = {
        "label": a.label,
        "file": os.path.basename(a.file),
        "size": size,
        "users": a.users,
        "runs": runs,
        "median": median,
        "rss_kb": max((r["rss_kb"] or 0) for r in runs),
        "anon_kb": max((r["anon_kb"] or 0) for r in runs),
        "rcs": sorted({r["rc"] for r in runs}),
        "note": a.note or "",
        "failed": failed,
        "cmd": " ".join(a.cmd),
    }
    if a.extrapolate_to:
        full = os.path.getsize(a.extrapolate_to)
        rec["measured_size"] = size
        rec["measured_median"] = median
        rec["size"] = full
        rec["file"] = os.path.basename(a.extrapolate_to)
        rec["median"] = median * full / size
        rec["extrapolated"] = True
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")


def cmd_prefix(a):
    limit = int(a.mbytes * 1_000_000)
    with open(a.src, "rb") as f:
        data = f.read(limit)
    cut = max(data.rfind(b"\r\n\r\n") + 4 if b"\r\n\r\n" in data else 0,
              data.rfind(b"\n\n") + 2 if b"\n\n" in data else 0)
    if cut <= 0:
        sys.exit("no record separator in the prefix")
    with open(a.dst, "wb") as f:
        f.write(data[:cut])
    print(cut)


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def cmd_wait_load(a):
    t0 = time.monotonic()
    while True:
        one = float(loadavg()[0])
        if one < a.below:
            print(f"load {one:.2f} < {a.below} after {time.monotonic() - t0:.0f} s")
            return
        if time.monotonic() - t0 >= a.max:
            print(f"load still {one:.2f} after {a.max:.0f} s; measuring anyway")
            return
        time.sleep(10)


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        text = (p.stdout + p.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def cmd_env(a):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = read_meminfo("MemTotal")
    pyldap = first_line(["/usr/bin/python3", "-c", "import ldap; print(ldap.__version__)"])
    ldapmodify = first_line(["ldapmodify", "-VV"])
    m = re.search(r"ldapmodify\s+(\S+)", ldapmodify) or re.search(r"(\d+\.\d+\.\d+)", ldapmodify)
    rows = [
        ("nproc", first_line(["nproc"])),
        ("CPU", cpu),
        ("memory", f"{mem / 1048576:.1f} GiB" if mem else "?"),
        ("kernel", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("OS", os_name()),
        ("ldifix", a.ldifix_version),
        ("rustc", first_line(["rustc", "--version"])),
        ("ldapmodify (OpenLDAP)", m.group(1) if m else ldapmodify),
        ("python-ldap", f"{pyldap} on {first_line(['/usr/bin/python3', '--version'])}"),
    ]
    print("| | |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


def os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def read_meminfo(field):
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def fmt_kb(kb):
    if not kb:
        return "?"
    if kb >= 1048576:
        return f"{kb / 1048576:.2f} GiB"
    return f"{kb / 1024:.0f} MiB"


def fmt_s(s):
    if s >= 100:
        return f"{s:.0f} s"
    if s >= 10:
        return f"{s:.1f} s"
    return f"{s:.3f} s" if s < 1 else f"{s:.2f} s"


def fmt_mb(b):
    mb = b / 1e6
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def fmt_ratio(r):
    if r >= 10:
        return f"{r:,.0f}×"
    return f"{r:.2f}×"


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def notes_of(r):
    parts = []
    if r.get("failed"):
        msg = " ".join(r["failed"]["stderr"])[:160]
        parts.append(f"**failed, exit {r['failed']['rc']}**: {msg}")
    elif r["rcs"] != [0]:
        parts.append("exit " + "/".join(str(c) for c in r["rcs"]))
    if r.get("extrapolated"):
        parts.append(
            f"extrapolated linearly from the first {r['measured_size'] / 1e6:,.0f} MB "
            f"({fmt_s(r['measured_median'])}); RSS of that run"
        )
    if r.get("note"):
        parts.append(r["note"])
    return "; ".join(parts)


def cmd_table(a):
    rows = load(a.results)
    if a.kind == "peers":
        base = {r["file"]: r["median"] for r in rows if r["label"] == a.baseline and not r.get("failed")}
        print(
            "| tool | file | size | median wall | MB/s | peak RSS | peak anon RSS "
            f"| time ÷ {a.baseline} | notes |"
        )
        print("|---|---|--:|--:|--:|--:|--:|--:|---|")
        for r in rows:
            b = base.get(r["file"])
            ratio = fmt_ratio(r["median"] / b) if b and not r.get("failed") else "–"
            mbs = r["size"] / 1e6 / r["median"] if r["median"] > 0 else 0
            print(
                f"| {r['label']} | {r['file']} | {fmt_mb(r['size'])} | {fmt_s(r['median'])} "
                f"| {mbs:,.0f} | {fmt_kb(r['rss_kb'])} | {fmt_kb(r['anon_kb'])} | {ratio} "
                f"| {notes_of(r)} |"
            )
    else:
        print(
            "| users | records | file size | median wall | MB/s | µs per user | peak RSS "
            "| peak anon RSS | notes |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for r in sorted(rows, key=lambda r: r.get("users") or 0):
            users = r.get("users") or 0
            mbs = r["size"] / 1e6 / r["median"] if r["median"] > 0 else 0
            per = r["median"] / users * 1e6 if users else 0
            recs = records_of(r)
            r = dict(r, note=re.sub(r"records=\d+;?\s*", "", r.get("note", "")))
            print(
                f"| {users:,} | {recs} | {fmt_mb(r['size'])} | {fmt_s(r['median'])} | {mbs:,.0f} "
                f"| {per:.2f} | {fmt_kb(r['rss_kb'])} | {fmt_kb(r['anon_kb'])} | {notes_of(r)} |"
            )


def records_of(r):
    m = re.search(r"records=(\d+)", r.get("note", ""))
    return f"{int(m.group(1)):,}" if m else "?"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="sub", required=True)
    t = sub.add_parser("time")
    t.add_argument("--label", required=True)
    t.add_argument("--file", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--runs", type=int, default=3)
    t.add_argument("--ok", default="0")
    t.add_argument("--users", type=int)
    t.add_argument("--note")
    t.add_argument("--stdout")
    t.add_argument("--extrapolate-to")
    t.add_argument("--remove", action="append")
    t.add_argument("cmd", nargs=argparse.REMAINDER)
    x = sub.add_parser("prefix")
    x.add_argument("src")
    x.add_argument("dst")
    x.add_argument("mbytes", type=float)
    w = sub.add_parser("wait-load")
    w.add_argument("--below", type=float, required=True)
    w.add_argument("--max", type=float, default=600)
    sub.add_parser("loadavg")
    e = sub.add_parser("env")
    e.add_argument("--ldifix-version", default="?")
    tb = sub.add_parser("table")
    tb.add_argument("results")
    tb.add_argument("--kind", choices=["peers", "scaling"], required=True)
    tb.add_argument("--baseline", default="ldifix scan")
    a = p.parse_args()
    if a.sub == "time":
        if a.cmd and a.cmd[0] == "--":
            a.cmd = a.cmd[1:]
        if not a.cmd:
            p.error("time: no command given")
        cmd_time(a)
    elif a.sub == "prefix":
        cmd_prefix(a)
    elif a.sub == "wait-load":
        cmd_wait_load(a)
    elif a.sub == "loadavg":
        print(" ".join(loadavg()))
    elif a.sub == "env":
        cmd_env(a)
    else:
        cmd_table(a)


if __name__ == "__main__":
    main()
