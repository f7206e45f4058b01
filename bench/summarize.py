#!/usr/bin/env python3
"""bench/run's summary: its raw measurements (a temporary directory) to
DATE-HOST.json and DATE-HOST.md; or, with --from-json FILE --md OUT, the
markdown of a results file again.

Throughput: per workload and mode, the rounds, their median, min, max and
spread ((max - min) / median); ratio = median(mode) / median(none).
Per program: each tool's run_time_ns / run_cnt deltas over each workload
(bpftool prog show before and after), its programs found by PID (bpftool
perf show). A row whose spread, in either compared mode, is over the limit
says "spread too wide to conclude" instead of a verdict.
"""
import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import time

WORKLOADS = {
    "redis": ("requests/s", 0.99, "redis-benchmark -t set,get on loopback (server CPU 1, client CPU 0)"),
    "pp_cross": ("round trips/s", 0.99, "pipe ping-pong, CPU 0 <-> CPU 1"),
    "pp_pinned": ("round trips/s", 0.97, "pipe ping-pong, both on CPU 1"),
    "lookups": ("calls/s", 0.97, "access() of unique missing names (nss_probe, CPU 1)"),
    "mmap": ("bogo ops/s", 0.97, "stress-ng --mmap 1 --mmap-bytes 4M (CPU 1)"),
    "mmapmany": ("bogo ops/s", 0.97, "stress-ng --mmapmany 1 (CPU 1)"),
}
MODES = ["none", "floor", "bpftrace", "libbpf", "kstall"]
LIBBPF = {"redis", "pp_cross", "pp_pinned"}
PROGRAM_GOAL = 1.2      # kstall ns per run / empty program's, same tracepoints
CHECK_GOAL = 1.3        # check CPU / cat CPU
RSS_GOAL_KB = 30 * 1024
MIN_RUNS = 1000         # per workload window: rarer programs are not rows
MD_MIN_RUNS_PER_S = 1000  # the markdown shows the programs a workload hits
TOO_WIDE = "spread too wide to conclude"


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    med = statistics.median(values)
    return {"rounds": values, "median": med, "min": min(values), "max": max(values),
            "spread": (max(values) - min(values)) / med if med else None}


def too_wide(limit, *ss):
    return any(s is None or s["spread"] is None or s["spread"] > limit for s in ss)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_raw(tmp):
    """{(round, mode, workload, key): value}"""
    raw = {}
    with open(os.path.join(tmp, "raw.tsv")) as f:
        for line in f:
            r, mode, w, key, value = line.rstrip("\n").split("\t")
            raw[(int(r), mode, w, key)] = float(value)
    return raw


def tool_programs(tmp, r, mode):
    """{prog_id: set(tracepoints)} of MODE's tools in round R."""
    perf = load_json(os.path.join(tmp, "stats", f"{r}.{mode}.perf.json")) or []
    try:
        pids = {int(p) for p in open(os.path.join(tmp, "stats", f"{r}.{mode}.pids")).read().split()}
    except OSError:
        pids = set()
    progs = {}
    for e in perf:
        if e.get("pid") in pids and e.get("tracepoint"):
            progs.setdefault(e["prog_id"], set()).add(e["tracepoint"])
    return progs


def deltas(tmp, r, mode, w, progs):
    """{prog_id: (name, d_run_time_ns, d_run_cnt)} over workload W."""
    before = load_json(os.path.join(tmp, "stats", f"{r}.{mode}.{w}.0.json"))
    after = load_json(os.path.join(tmp, "stats", f"{r}.{mode}.{w}.1.json"))
    if before is None or after is None:
        return {}
    b = {p["id"]: p for p in before}
    out = {}
    for p in after:
        if p["id"] in progs and p["id"] in b:
            dt = p.get("run_time_ns", 0) - b[p["id"]].get("run_time_ns", 0)
            dc = p.get("run_cnt", 0) - b[p["id"]].get("run_cnt", 0)
            out[p["id"]] = (p.get("name", "?"), dt, dc)
    return out


def per_event_ns(progs, d, tps):
    """What one event on TPS costs a tool: per tracepoint the sum over its
    programs of ns per run, averaged over the tracepoints by their events."""
    total_ns = total_ev = 0.0
    for tp in tps:
        ids = [i for i, t in progs.items() if tp in t and i in d and d[i][2] > 0]
        if not ids:
            continue
        events = max(d[i][2] for i in ids)
        total_ns += events * sum(d[i][1] / d[i][2] for i in ids)
        total_ev += events
    return total_ns / total_ev if total_ev else None


def program_rows(tmp, rounds, w, seconds, limit):
    """Rows of kstall programs (grouped by the tracepoints they share) that
    ran at least MIN_RUNS times in workload W, against the other tools."""
    groups = {}   # frozenset(tps) -> {names, rounds: [{kstall, floor, ...}]}
    for r in rounds:
        kp = tool_programs(tmp, r, "kstall")
        kd = deltas(tmp, r, "kstall", w, kp)
        others = {m: (tool_programs(tmp, r, m), None) for m in ("floor", "bpftrace", "libbpf")}
        others = {m: (p, deltas(tmp, r, m, w, p)) for m, (p, _) in others.items()}
        by_tps = {}
        for i, tps in kp.items():
            by_tps.setdefault(frozenset(tps), []).append(i)
        for tps, ids in by_tps.items():
            ran = [i for i in ids if i in kd and kd[i][2] > 0]
            g = groups.setdefault(tps, {"names": set(), "rounds": []})
            g["names"].update(kd[i][0] for i in ids if i in kd)
            if not ran:
                continue
            row = {"runs": max(kd[i][2] for i in ran),
                   "kstall": sum(kd[i][1] / kd[i][2] for i in ran)}
            for m, (p, d) in others.items():
                row[m] = per_event_ns(p, d, tps)
            g["rounds"].append(row)
    rows = []
    for tps, g in groups.items():
        runs = stats([x["runs"] for x in g["rounds"]])
        if not runs or runs["median"] < MIN_RUNS:
            continue
        row = {"kstall_programs": sorted(g["names"]), "tracepoints": sorted(tps),
               "runs_per_s": runs["median"] / seconds}
        for m in ("kstall", "floor", "bpftrace", "libbpf"):
            row[m + "_ns"] = stats([x[m] for x in g["rounds"]])
        k, f = row["kstall_ns"], row["floor_ns"]
        if f:
            row["ratio_to_floor"] = k["median"] / f["median"]
            row["verdict"] = (TOO_WIDE if too_wide(limit, k, f) else
                              "pass" if row["ratio_to_floor"] <= PROGRAM_GOAL else "fail")
        else:
            row["ratio_to_floor"] = None
            row["verdict"] = "no floor on these tracepoints"
        b = row["bpftrace_ns"]
        row["ratio_to_bpftrace"] = k["median"] / b["median"] if b else None
        rows.append(row)
    rows.sort(key=lambda x: -x["runs_per_s"])
    return rows


def throughput(raw, rounds, w, limit):
    unit, goal, desc = WORKLOADS[w]
    out = {"unit": unit, "description": desc, "goal_ratio": goal, "modes": {}}
    for m in MODES:
        if m == "libbpf" and w not in LIBBPF:
            out["modes"][m] = {"applicable": False,
                               "reason": "no libbpf-tools peer: statsnoop misses access(2), klockstat needs kprobes"}
            continue
        s = stats([raw.get((r, m, w, "throughput")) for r in rounds])
        out["modes"][m] = s or {"missing": True}
    none = out["modes"]["none"]
    for m in MODES[1:]:
        s = out["modes"][m]
        if "median" in s and "median" in none:
            s["ratio"] = s["median"] / none["median"]
            s["conclusive"] = not too_wide(limit, s, none)
    k, b = out["modes"]["kstall"], out["modes"]["bpftrace"]
    v = {"ratio": k.get("ratio"), "goal": goal}
    if "ratio" not in k:
        v["verdict"] = "missing"
    elif not k["conclusive"]:
        v["verdict"] = TOO_WIDE
    else:
        v["verdict"] = "pass" if k["ratio"] >= goal else "fail"
    out["verdict"] = v
    c = {"kstall_cost": 1 - k["ratio"] if "ratio" in k else None,
         "bpftrace_cost": 1 - b["ratio"] if "ratio" in b else None}
    if c["kstall_cost"] is None or c["bpftrace_cost"] is None:
        c["verdict"] = "missing"
    elif not (k["conclusive"] and b["conclusive"]):
        c["verdict"] = TOO_WIDE
    elif c["bpftrace_cost"] <= 0.005:
        c["verdict"] = "pass" if c["kstall_cost"] <= 0.005 else "bpftrace's cost is below resolution"
    else:
        c["verdict"] = "pass" if c["kstall_cost"] <= c["bpftrace_cost"] / 2 else "fail"
    out["vs_bpftrace"] = c
    return out


def check_rows(tmp, limit):
    """One row per process count, from check-cost.sh's line: medians of
    its runs, with their min and max."""
    path = os.path.join(tmp, "check.tsv")
    out = []
    for line in open(path) if os.path.exists(path) else []:
        n, text = line.rstrip("\n").split("\t", 1)
        kv = {k: float(v) for k, v in (x.split("=", 1) for x in text.split()[1:] if "=" in x)}
        # nproc= is the host's processes where extra= is given too, the
        # extra ones alone otherwise (both versions of check-cost.sh)
        row = {"extra_processes": int(n), "processes": kv.get("nproc") if "extra" in kv else None,
               "runs": kv.get("runs"),
               "rss_kb_max": kv.get("rss_kb"), "goal_ratio": CHECK_GOAL}
        # min and max are optional in the line: without them the spread
        # is unknown and the verdict says so
        for tool in ("cat", "kstall"):
            med, lo, hi = (kv.get(f"{tool}_cpu_{x}s") for x in ("", "min_", "max_"))
            row[tool + "_cpu_s"] = None if med is None else {
                "median": med, "min": lo, "max": hi,
                "spread": (hi - lo) / med if med and None not in (lo, hi) else None}
        cat, k = row["cat_cpu_s"], row["kstall_cpu_s"]
        row["ratio"] = k["median"] / cat["median"] if cat and k and cat["median"] else None
        known = cat and k and cat["spread"] is not None and k["spread"] is not None
        row["verdict"] = ("missing" if row["ratio"] is None else TOO_WIDE if known and too_wide(limit, cat, k) else
                          ("pass" if row["ratio"] <= CHECK_GOAL else "fail") + ("" if known else " (spread not given)"))
        if int(n) >= 30000 and row["rss_kb_max"] is not None:
            row["rss_verdict"] = "pass" if row["rss_kb_max"] <= RSS_GOAL_KB else "fail"
        out.append(row)
    return out


def shared_tracepoints(tmp, rounds):
    """Tracepoints where kstall has more than one program (goal: none)."""
    shared = {}
    for r in rounds:
        perf = load_json(os.path.join(tmp, "stats", f"{r}.kstall.perf.json")) or []
        pids = {int(p) for p in open(os.path.join(tmp, "stats", f"{r}.kstall.pids")).read().split()}
        seen = {}
        for e in perf:
            if e.get("pid") in pids and e.get("tracepoint"):
                seen.setdefault(e["tracepoint"], set()).add(e["prog_id"])
        for tp, ids in seen.items():
            if len(ids) > 1:
                shared[tp] = max(shared.get(tp, 0), len(ids))
    return shared


def watch_memory(tmp, raw, rounds):
    """kstall watch's VmHWM, and its BPF maps' bytes_memlock (the maps its
    programs use: bpftool lists no pids for maps here)."""
    rss = [raw.get((r, "kstall", "-", "rss_kb")) for r in rounds]
    maps = []
    for r in rounds:
        progs = tool_programs(tmp, r, "kstall")
        shown = load_json(os.path.join(tmp, "stats", f"{r}.kstall.{list(WORKLOADS)[-1]}.1.json")) or []
        ids = {m for p in shown if p["id"] in progs for m in p.get("map_ids", [])}
        m = load_json(os.path.join(tmp, "stats", f"{r}.kstall.maps.json")) or []
        total = sum(x.get("bytes_memlock", 0) for x in m if x["id"] in ids)
        maps.append(total / 1024 if total else None)
    s, ms = stats(rss), stats(maps)
    out = {"rss_kb": s, "bpf_maps_kb": ms}
    if s and ms:
        out["verdict"] = "pass" if s["max"] <= RSS_GOAL_KB + ms["median"] else "fail"
    return out


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine(args):
    mem = sh("awk '/^MemTotal/ {printf \"%.0f\", $2 * 1024}' /proc/meminfo")
    return {"hostname": socket.gethostname(), "kernel": platform.release(), "arch": platform.machine(),
            "nproc": os.cpu_count(), "memory_bytes": int(mem) if mem else None,
            "cpu_model": sh("awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo"),
            "kstall_rev": sh("git rev-parse --short HEAD"),
            "kstall_tree_dirty": bool(sh("git status --porcelain -- src")),
            "bpftrace": sh("bpftrace --version"),
            "libbpf_tools": sh("dpkg-query -W -f='${Version}' libbpf-tools"),
            "stress_ng": sh("stress-ng --version"), "redis": sh("redis-server --version | awk '{print $3}'"),
            "pid_max_note": args.pid_max_note or None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-json", default="", help="re-render the markdown of a results file")
    for a in ("tmp", "json", "md", "pid-max-note"):
        ap.add_argument("--" + a, default="")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--spread", type=float, default=10)
    ap.add_argument("--smoke", type=int, default=0)
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f, open(args.md, "w") as out:
            out.write(markdown(json.load(f)))
        return
    limit = args.spread / 100
    rounds = list(range(1, args.rounds + 1))
    raw = read_raw(args.tmp)
    tps = open(os.path.join(args.tmp, "kstall.tps")).read().split()
    floor = [l.split()[0] for l in open(os.path.join(args.tmp, "floor.bt")) if l.startswith("tracepoint:")]
    floor += ["tp_btf:" + t for t in open(os.path.join(args.tmp, "kstall.btf")).read().split()]
    doc = {"suite": "kstall bench/run", "format": 1, "smoke": bool(args.smoke),
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(args),
           "settings": {"rounds": args.rounds, "seconds": args.seconds, "spread_limit": limit,
                        "modes": MODES, "bpf_stats_enabled": "only in each workload's 1 s statistics pass",
                        "min_runs_for_a_program_row": MIN_RUNS},
           "kstall_tracepoints": tps, "floor_tracepoints": floor,
           "floor_missing": [t for t in tps if not any(f.endswith(":" + t) for f in floor)],
           "kstall_shared_tracepoints": shared_tracepoints(args.tmp, rounds),
           "workloads": {}}
    for w in WORKLOADS:
        doc["workloads"][w] = throughput(raw, rounds, w, limit)
        doc["workloads"][w]["programs"] = program_rows(args.tmp, rounds, w, args.seconds, limit)
    doc["check"] = check_rows(args.tmp, limit)
    doc["watch_memory"] = watch_memory(args.tmp, raw, rounds)
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(args.md, "w") as f:
        f.write(markdown(doc))


def fmt(x, digits=0):
    if x is None:
        return "—"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.{max(digits, 1)}f} k"
    return f"{x:.{digits}f}"


def cell(s, ratio=True):
    """A mode's cell: the median (as a ratio to none's median), [min–max]
    on the same scale, and the spread."""
    if not s or s.get("applicable") is False:
        return "n/a"
    if "median" not in s:
        return "missing"
    if ratio and "ratio" in s:
        scale = s["ratio"] / s["median"]
        return f"{s['ratio']:.3f}x [{s['min'] * scale:.3f}–{s['max'] * scale:.3f}] ({s['spread'] * 100:.0f}%)"
    return f"{fmt(s['median'])} [{fmt(s['min'])}–{fmt(s['max'])}] ({s['spread'] * 100:.0f}%)"


def markdown(doc):
    m, st = doc["machine"], doc["settings"]
    out = [f"# kstall bench/run, {doc['date']}{' (smoke)' if doc['smoke'] else ''}", "",
           f"{m['hostname']}: Linux {m['kernel']} {m['arch']}, {m['nproc']} CPUs ({m['cpu_model']}), "
           f"{(m['memory_bytes'] or 0) / 2**30:.1f} GiB; kstall {m['kstall_rev']}"
           f"{' (src/ modified)' if m['kstall_tree_dirty'] else ''}; {m['bpftrace']}, libbpf-tools {m['libbpf_tools']}.",
           f"{st['rounds']} interleaved rounds of {st['seconds']:g} s per workload and mode; medians; "
           f"(N%) is the spread (max - min) / median; a row whose spread is over {st['spread_limit'] * 100:.0f}% "
           "in either compared mode says so instead of a verdict.", ""]
    if m.get("pid_max_note"):
        out += [m["pid_max_note"], ""]
    floor = doc["floor_tracepoints"]
    if any(f.startswith("tp_btf:") for f in floor):
        out += ["floor: an empty program of kstall's own kind on each of its tracepoints: tp_btf "
                "(build/bench/floor) where kstall's are tp_btf, bpftrace's classic tracepoint where kstall's are "
                "classic (the syscall events). Throughput is measured with the run-time statistics off "
                "(kernel.bpf_stats_enabled 0: they add two clock reads to every program run); the ns per run "
                "come from a 1 s pass of each workload with them on. kstall runs with --budget 0: the whole "
                "measurement, nothing shed.", ""]
    else:
        out += ["Caveats: the floor is bpftrace 0.17's, on classic tracepoints (it has no raw ones), where "
                "kstall attaches most programs as tp_btf, which skip the perf buffer a classic tracepoint fills: "
                "the floor's throughput cost is above an empty tp_btf program's, while its ns per run count the "
                "program alone, like kstall's. Throughput is measured with the run-time statistics off; the ns "
                "per run come from a 1 s pass of each workload with them on.", ""]
    out += ["## Host impact: throughput with each tool / with nothing", "",
            "| workload | none | floor | bpftrace | libbpf-tools | kstall | goal | verdict | kstall cost vs bpftrace's (goal ≤ ½) |",
            "|---|---|---|---|---|---|---|---|---|"]
    for w, d in doc["workloads"].items():
        md, v, c = d["modes"], d["verdict"], d["vs_bpftrace"]
        costs = (f"{c['kstall_cost'] * 100:.1f}% vs {c['bpftrace_cost'] * 100:.1f}%: {c['verdict']}"
                 if c["kstall_cost"] is not None and c["bpftrace_cost"] is not None else c["verdict"])
        out.append(f"| {w}: {d['description']} | {cell(md['none'], False)} {d['unit']} | " +
                   " | ".join(cell(md[x]) for x in ("floor", "bpftrace", "libbpf", "kstall")) +
                   f" | ≥ {d['goal_ratio']} | {v['verdict']} | {costs} |")
    out += ["", "## Per program: ns per run (kernel BPF statistics), kstall against an empty program on the same tracepoints", "",
            f"Programs that ran at least {MD_MIN_RUNS_PER_S} times a second in the workload (the JSON has "
            f"every one that ran {st['min_runs_for_a_program_row']} times). "
            "floor: the empty program; bpftrace, libbpf-tools: the peers' programs on the same tracepoints "
            "(summed where they have several on one).", "",
            "| workload | kstall program(s) | tracepoints | runs/s | kstall ns | floor ns | kstall / floor (goal ≤ 1.2) | bpftrace ns | libbpf-tools ns |",
            "|---|---|---|---|---|---|---|---|---|"]
    for w, d in doc["workloads"].items():
        for r in d["programs"]:
            if r["runs_per_s"] < MD_MIN_RUNS_PER_S:
                continue
            tps = r["tracepoints"]
            tp = tps[0] if len(tps) == 1 else f"{len(tps)}: {', '.join(tps[:3])}{', ...' if len(tps) > 3 else ''}"
            ns = {x: (f"{r[x + '_ns']['median']:.0f} ({r[x + '_ns']['spread'] * 100:.0f}%)" if r[x + "_ns"] else "—")
                  for x in ("kstall", "floor", "bpftrace", "libbpf")}
            ratio = f"{r['ratio_to_floor']:.2f}x: {r['verdict']}" if r["ratio_to_floor"] else r["verdict"]
            out.append(f"| {w} | {' + '.join(r['kstall_programs'])} | {tp} | {fmt(r['runs_per_s'])} | {ns['kstall']} | "
                       f"{ns['floor']} | {ratio} | {ns['bpftrace']} | {ns['libbpf']} |")
    shared = doc["kstall_shared_tracepoints"]
    out += ["", "Tracepoints with more than one kstall program (goal: none): " +
            (", ".join(f"{t} ({n})" for t, n in sorted(shared.items())) if shared else "none") + "."]
    if doc["floor_missing"]:
        out.append("No empty-program floor (no classic event) for: " + ", ".join(doc["floor_missing"]) + ".")
    out += ["", "## check against cat of the same files (CPU time, perf stat task-clock)", "",
            "| extra processes | processes | cat CPU s | check CPU s | check / cat (goal ≤ 1.3) | verdict | check peak RSS |",
            "|---|---|---|---|---|---|---|"]
    for r in doc["check"]:
        rss = f"{(r['rss_kb_max'] or 0) / 1024:.1f} MiB" + (f": {r['rss_verdict']} (goal ≤ 30 MiB)" if "rss_verdict" in r else "")
        cpu = {t: (f"{r[t + '_cpu_s']['median']:.4f}" +
                   (f" ({r[t + '_cpu_s']['spread'] * 100:.0f}%)" if r[t + "_cpu_s"]["spread"] is not None else "")
                   if r[t + "_cpu_s"] else "—") for t in ("cat", "kstall")}
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "—"
        procs = f"{r['processes']:.0f}" if r["processes"] is not None else "—"
        out.append(f"| {r['extra_processes']} | {procs} | {cpu['cat']} | {cpu['kstall']} | "
                   f"{ratio} | {r['verdict']} | {rss} |")
    wm = doc["watch_memory"]
    if wm.get("rss_kb"):
        maps = f"{wm['bpf_maps_kb']['median'] / 1024:.1f} MiB" if wm.get("bpf_maps_kb") else "unknown"
        out += ["", f"kstall watch peak RSS (VmHWM): {wm['rss_kb']['max'] / 1024:.1f} MiB at most over the rounds; "
                f"its BPF maps (bytes_memlock): {maps}; goal ≤ 30 MiB plus the maps: {wm.get('verdict', 'unknown')}."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
