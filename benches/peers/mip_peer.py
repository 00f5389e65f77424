#!/usr/bin/env python3
"""Solve an MPS exported by `cargo bench -p hubplan-benches --bench solver -- ... --mps DIR`
with HiGHS (highspy) or SCIP (pyscipopt), in the same session as hubplan.

usage: mip_peer.py highs|scip FILE.mps [--rel GAP] [--abs GAP] [--threads N] [--tl SECS]

Prints one line: file, solver, status, objective, dual bound, seconds, nodes.
The time is the solver's own run (reading the file is not counted).
"""
import argparse
import time

ap = argparse.ArgumentParser()
ap.add_argument("solver", choices=["highs", "scip"])
ap.add_argument("mps")
ap.add_argument("--rel", type=float, default=1e-4)
ap.add_argument("--abs", type=float, default=0.0)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--tl", type=float, default=300.0)
a = ap.parse_args()

if a.solver == "highs":
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(a.mps)
    h.setOptionValue("mip_rel_gap", a.rel)
    if a.abs > 0:
        h.setOptionValue("mip_abs_gap", a.abs)
    h.setOptionValue("threads", a.threads)
    h.setOptionValue("time_limit", a.tl)
    t = time.time()
    h.run()
    dt = time.time() - t
    i = h.getInfo()
    print(a.mps, "highs", h.modelStatusToString(h.getModelStatus()), i.objective_function_value,
          i.mip_dual_bound, f"{dt:.3f}s", i.mip_node_count)
else:
    from pyscipopt import Model

    m = Model()
    m.hideOutput()
    m.readProblem(a.mps)
    m.setParam("limits/gap", a.rel)
    if a.abs > 0:
        m.setParam("limits/absgap", a.abs)
    m.setParam("limits/time", a.tl)
    m.setParam("parallel/maxnthreads", a.threads)
    t = time.time()
    m.optimize()
    dt = time.time() - t
    print(a.mps, "scip", m.getStatus(), m.getObjVal() if m.getNSols() else "none", m.getDualbound(),
          f"{dt:.3f}s", m.getNNodes())
