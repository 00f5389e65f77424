#!/usr/bin/env python3
"""Checks the reconciliation lines of plan.json's `summary` against its own figures.

Usage: scripts/check-reconciliation.py PATH/TO/plan.json

Recomputes from plan.json's `sites` the running cost of the buildings that close
and of those that open, and checks that the `money` item of `summary` quotes
them, the net saving (`totals.saving`), and, for a min_cost plan, the objective
as running cost after + opening cost. Exit 0 = all checks passed, 1 = a check
failed, 2 = usage. Python 3 standard library only.
"""
import json
import sys


def pounds(x):
    return "£{:,.0f}".format(round(x))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = json.load(open(sys.argv[1], encoding="utf-8"))
    fail = []

    def need(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            fail.append(what)

    summary = {i["topic"]: i["text"] for i in d.get("summary", [])}
    need("money" in summary, "plan.json has a summary with a money item")
    money = summary.get("money", "")
    t = d["totals"]
    closed = sum(s["annual_cost"] for s in d["sites"] if s["status"] == "existing" and s["decision"] == "close")
    opened = sum(s["annual_cost"] for s in d["sites"] if s["status"] == "candidate" and s["decision"] == "open")
    need(abs(closed - opened - t["saving"]) < 1, "closures %s − openings %s = saving %s" % (pounds(closed), pounds(opened), pounds(t["saving"])))
    need(pounds(t["saving"]) in money, "the summary quotes the saving " + pounds(t["saving"]))
    if abs(closed - t["saving"]) >= 0.5:
        line = "(%s − %s = %s)" % (pounds(closed), pounds(opened), pounds(closed - opened))
        need(line in money, "the summary reconciles closures and saving: " + line)
    if d["objective_kind"] == "min_cost" and d.get("objective") is not None:
        obj, after, opening = d["objective"], t["annual_cost_after"], t["opening_cost"]
        need(abs(obj - after - opening) < 1, "objective %s = running cost after %s + opening %s" % (pounds(obj), pounds(after), pounds(opening)))
        if abs(obj - after) >= 0.5:
            line = "%s + %s = %s" % (pounds(after), pounds(opening), pounds(after + opening))
            need(line in money, "the summary reconciles objective and running cost: " + line)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
