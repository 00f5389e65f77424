#!/usr/bin/env python3
"""The peer suite: hubplan against PySAL spopt + HiGHS on the same seeded instances.

One command (from the repository root):

    python3 benches/peers/suite.py [--sizes S,M] [--filter TEXT]... [--tl 60] [--gap 1e-4]
                                   [--out /tmp/hubplan-suite] [--doc docs/BENCHMARKS-solver.md]
                                   [--fixtures fixtures/reference/shapes/optima.csv]

1. Creates a venv in target/peer-venv with Python >= 3.12 (spopt 0.8 needs it;
   ~/.pyenv/versions/3.12.* is used when `python3.12` is not on PATH) and
   pip-installs spopt 0.8.0, highspy and pulp, once.
2. Runs `cargo run --release -p hubplan-solver --example suite` with RAYON_NUM_THREADS=1:
   it generates every case of `hubplan_solver::synthetic::suite` (unit/weighted
   costs x budget/p/neither x sizes x clustered/uniform points x dense/sparse
   coverage), writes NAME.json (the data) and NAME.mps, and solves with hubplan.
3. Solves each case with the peer, one thread, the same relative gap and limit:
   spopt (`from_cost_matrix`, pulp.HiGHS) for the models spopt has (LSCP with
   unit costs, MCLP with p, p-median); HiGHS (highspy) on hubplan's MPS for the
   ones spopt cannot express (site costs in LSCP, a budget). spopt's model
   building is timed apart and not counted.
4. Writes the table between the `<!-- suite:begin -->` / `<!-- suite:end -->`
   markers of --doc: seconds per tool, the ratio peer / hubplan and the worst
   ratio; with --fixtures, the peer's optima as a CSV for the test suite.
"""
import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, "target", "peer-venv")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if sys.prefix == VENV:
        return
    if not os.path.exists(py):
        base = None
        for cand in ["python3.13", "python3.12"]:
            # `which` is not enough: a pyenv shim exists for versions not selected.
            try:
                ok = subprocess.run([cand, "--version"], capture_output=True).returncode == 0
            except OSError:
                ok = False
            if ok:
                base = cand
                break
        if base is None:
            found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12.*/bin/python")))
            if not found:
                sys.exit("spopt 0.8 needs Python >= 3.12: none found (python3.12, ~/.pyenv/versions/3.12.*)")
            base = found[-1]
        subprocess.run([base, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "spopt==0.8.0", "highspy", "pulp"], check=True)
    os.execv(py, [py] + sys.argv)


def solve_spopt(d, tl, gap):
    import numpy as np
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    m, n = d["zones"], d["sites"]
    t0 = time.time()
    cm = np.full((m, n), d["missing"], dtype=float)
    for i, j, t in d["pairs"]:
        cm[i, j] = t
    w = np.array(d["need"], dtype=float)
    if d["model"] == "lscp":
        model = LSCP.from_cost_matrix(cm, service_radius=d["threshold"])
    elif d["model"] == "mclp":
        model = MCLP.from_cost_matrix(cm, w, service_radius=d["threshold"], p_facilities=d["p"])
    else:
        model = PMedian.from_cost_matrix(cm, w, p_facilities=d["p"])
    build = time.time() - t0
    solver = pulp.HiGHS(msg=False, timeLimit=tl, gapRel=gap, threads=1)
    t1 = time.time()
    try:
        model.solve(solver, results=False)
    except Exception as e:  # spopt raises when the solver reports no optimum
        return {"tool": "spopt+HiGHS", "build": build, "seconds": time.time() - t1, "status": f"error: {e}",
                "objective": None}
    secs = time.time() - t1
    prob = model.problem
    obj = pulp.value(prob.objective)
    # pulp reports a solution found at the time limit as optimal: trust it
    # only when HiGHS stopped before the limit.
    proven = prob.sol_status == pulp.LpSolutionOptimal and secs < 0.99 * tl
    status = "Optimal" if proven else pulp.LpStatus[prob.status]
    if not proven and status == "Optimal":
        status = "Time limit"  # pulp 3.3 says Optimal for a solution found at the limit
    if d["model"] == "mclp" and obj is not None:
        obj = sum(d["need"]) - obj  # spopt maximises covered need; hubplan minimises uncovered
    return {"tool": "spopt+HiGHS", "build": build, "seconds": secs,
            "status": status, "objective": obj}


def solve_highs_mps(path, tl, gap):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", tl)
    t = time.time()
    h.run()
    secs = time.time() - t
    st = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    return {"tool": "HiGHS (MPS)", "build": 0.0, "seconds": secs,
            "status": "Optimal" if st == "Optimal" else st, "objective": info.objective_function_value}


def spopt_can(d):
    if d["model"] == "lscp":
        return d["unit"]
    return d["limit"] == "p" and (d["model"] == "pmedian" or d["model"] == "mclp")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="S")
    ap.add_argument("--filter", action="append", default=[])
    ap.add_argument("--tl", type=float, default=60.0)
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="/tmp/hubplan-suite")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "BENCHMARKS-solver.md"))
    ap.add_argument("--fixtures", default=None)
    ap.add_argument("--no-hubplan", action="store_true", help="reuse the hubplan results in --out")
    ap.add_argument("--render", nargs="+", default=None,
                    help="write the table from the peer-results.json of earlier runs (no solving)")
    a = ap.parse_args()
    if a.render:
        rows = []
        for path in a.render:
            rows += json.load(open(path))
        write_doc(a, rows)
        return
    if not a.no_hubplan:
        cmd = ["cargo", "run", "-q", "--release", "-p", "hubplan-solver", "--example", "suite", "--",
               "--out", a.out, "--sizes", a.sizes, "--tl", str(a.tl), "--gap", str(a.gap), "--seed", str(a.seed)]
        for f in a.filter:
            cmd += ["--filter", f]
        env = dict(os.environ, RAYON_NUM_THREADS="1")
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT, env=env)
    rows = []
    names = sorted(p[:-len(".hubplan.json")] for p in glob.glob(os.path.join(a.out, "*.hubplan.json")))
    for base in names:
        name = os.path.basename(base)
        if a.filter and not all(f in name for f in a.filter):
            continue
        if not any(name.startswith(s + "-") for s in a.sizes.split(",")):
            continue
        d = json.load(open(base + ".json"))
        hp = json.load(open(base + ".hubplan.json"))
        peer = solve_spopt(d, a.tl, a.gap) if spopt_can(d) else solve_highs_mps(base + ".mps", a.tl, a.gap)
        both_proved = hp["status"] == "Optimal" and peer["status"] == "Optimal"
        agree = both_proved and (hp["objective"] is not None and peer["objective"] is not None and
                 abs(hp["objective"] - peer["objective"]) <= 2 * a.gap * max(1.0, abs(peer["objective"])))
        ratio = peer["seconds"] / max(hp["seconds"], 1e-6)
        row = dict(name=name, model=d["model"], hp=hp, peer=peer, agree=agree, ratio=ratio)
        rows.append(row)
        with open(os.path.join(a.out, "peer-results.partial.json"), "w") as f:
            json.dump(rows, f)
        print(f"{name}: hubplan {hp['status']} {hp['objective']} {hp['seconds']:.3f}s ({hp['search']}) | "
              f"{peer['tool']} {peer['status']} {peer['objective']} {peer['seconds']:.3f}s "
              f"(+{peer['build']:.2f}s build) | ratio {ratio:.1f} {'same optimum' if agree else ('DIFFER' if both_proved else 'not both proven')}",
              flush=True)
    with open(os.path.join(a.out, "peer-results.json"), "w") as f:
        json.dump(rows, f)
    write_doc(a, rows)
    if a.fixtures:
        with open(a.fixtures, "w") as f:
            f.write("name,objective,peer\n")
            for r in rows:
                if r["peer"]["status"] == "Optimal":
                    f.write(f"{r['name']},{r['peer']['objective']!r},{r['peer']['tool']}\n")


def write_doc(a, rows):
    if not rows or not a.doc:
        return
    cpu = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    both = [r for r in rows if r["hp"]["status"] == "Optimal"]
    # Where neither tool proved the optimum within the limit the ratio means
    # nothing; those cases are listed but left out of the worst ratio.
    decided = [r for r in rows if "Optimal" in (r["hp"]["status"], r["peer"]["status"])] or rows
    worst = min(decided, key=lambda r: r["ratio"])
    neither = len(rows) - len([r for r in rows if "Optimal" in (r["hp"]["status"], r["peer"]["status"])])
    lines = [
        "<!-- suite:begin -->",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores ({cpu}), "
        f"{platform.system()}; one thread each (hubplan: `RAYON_NUM_THREADS=1`), relative gap {a.gap}, "
        f"limit {a.tl:g} s, seed {a.seed}. Command:",
        "",
        "```sh",
        "python3 benches/peers/suite.py --sizes " + a.sizes + "".join(f" --filter {f}" for f in a.filter)
        + f" --tl {a.tl:g}",
        "```",
        "",
        "Seconds are each tool's solve alone (spopt's model building is shown apart and not counted). "
        "Ratio = peer seconds / hubplan seconds (> 1: hubplan faster).",
        "",
        f"**Worst ratio: {worst['ratio']:.2f}** ({worst['name']}), over the {len(decided)} cases at least one "
        f"tool proved; hubplan proved {len(both)} of {len(rows)}, the peer "
        f"{sum(r['peer']['status'] == 'Optimal' for r in rows)}; neither proved {neither}; "
        f"same optimum wherever both proved ({sum(r['agree'] for r in rows)} cases).",
        "",
        "| case | hubplan s | search | status | peer | peer s (+build) | status | ratio | same optimum |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        hp, pe = r["hp"], r["peer"]
        lines.append(f"| {r['name']} | {hp['seconds']:.3f} | {hp['search']} | {hp['status']} | {pe['tool']} | "
                     f"{pe['seconds']:.3f} (+{pe['build']:.2f}) | {pe['status']} | {r['ratio']:.1f} | "
                     f"{'yes' if r['agree'] else ('**no**' if r['hp']['status'] == r['peer']['status'] == 'Optimal' else 'not both proven')} |")
    lines.append("<!-- suite:end -->")
    text = open(a.doc).read() if os.path.exists(a.doc) else ""
    block = "\n".join(lines)
    if "<!-- suite:begin -->" in text:
        pre = text.split("<!-- suite:begin -->")[0]
        post = text.split("<!-- suite:end -->", 1)[1]
        text = pre + block + post
    else:
        text = text.rstrip("\n") + "\n\n## Peer suite (hubplan vs spopt + HiGHS)\n\n" + block + "\n"
    open(a.doc, "w").write(text)


if __name__ == "__main__":
    ensure_venv()
    main()
