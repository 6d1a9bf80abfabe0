#!/usr/bin/env python3
"""Independent references for the Planning module's tests (Tests/PlanningTests).

    python3 scripts/planning_reference.py gistar in.json out.json   # esda G_Local(star=True, transform='B')
    python3 scripts/planning_reference.py mclp   in.json out.json   # exact budgeted max covering, HiGHS MILP
    python3 scripts/planning_reference.py did    in.json out.json   # statsmodels OLS count ~ treated*post

Exits non-zero (so the Swift test fails) when a package is missing:
    python3 -m pip install -r scripts/requirements-test.txt
"""
import json
import sys
import time
import warnings


def gistar(spec):
    import numpy as np
    from esda.getisord import G_Local
    from libpysal.weights import KNN, DistanceBand

    points = np.asarray(spec["points"], dtype=float)
    y = np.asarray(spec["values"], dtype=float)
    weights = spec["weights"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if weights["kind"] == "distance":
            w = DistanceBand(points, threshold=weights["threshold"], binary=True, silence_warnings=True)
        else:
            w = KNN(points, k=weights["k"])
        g = G_Local(y, w, transform="B", star=True, permutations=0)
    return {"z": [float(v) for v in g.Zs], "pOneSided": [float(v) for v in g.p_norm], "g": [float(v) for v in g.Gs]}


def mclp(spec):
    import highspy
    import numpy as np

    weights = spec["weights"]
    candidates = spec["candidates"]
    budget = float(spec["budget"])
    n_c, n_d = len(candidates), len(weights)
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    # Columns: x_j (binary) for candidates, then y_i in [0, 1] for demand points.
    costs = np.concatenate([np.zeros(n_c), np.asarray(weights, dtype=float)])
    lower = np.zeros(n_c + n_d)
    upper = np.ones(n_c + n_d)
    h.addVars(n_c + n_d, lower, upper)
    h.changeColsCost(n_c + n_d, np.arange(n_c + n_d, dtype=np.int32), costs)
    h.changeColsIntegrality(n_c, np.arange(n_c, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * n_c))
    covering = [[] for _ in range(n_d)]
    for j, c in enumerate(candidates):
        for i in c["covers"]:
            covering[i].append(j)
    # y_i - sum_{j covers i} x_j <= 0
    for i in range(n_d):
        idx = np.array([n_c + i] + covering[i], dtype=np.int32)
        val = np.array([1.0] + [-1.0] * len(covering[i]))
        h.addRow(-inf, 0.0, len(idx), idx, val)
    # budget
    h.addRow(-inf, budget, n_c, np.arange(n_c, dtype=np.int32), np.array([float(c["cost"]) for c in candidates]))
    # at most one heading per site
    sites = {}
    for j, c in enumerate(candidates):
        sites.setdefault(c["site"], []).append(j)
    for js in sites.values():
        if len(js) > 1:
            h.addRow(-inf, 1.0, len(js), np.array(js, dtype=np.int32), np.ones(len(js)))
    t0 = time.time()
    h.run()
    status = h.getModelStatus()
    sol = h.getSolution()
    chosen = [j for j in range(n_c) if sol.col_value[j] > 0.5]
    # Recompute the objective from the chosen set, so it is exact.
    covered = set()
    for j in chosen:
        covered.update(candidates[j]["covers"])
    objective = sum(weights[i] for i in covered)
    return {"status": h.modelStatusToString(status), "objective": objective, "chosen": chosen,
            "seconds": time.time() - t0}


def did(spec):
    import pandas as pd
    import statsmodels.formula.api as smf

    df = pd.DataFrame(spec["rows"])
    model = smf.ols("count ~ treated + post + treated:post", data=df)
    fit = model.fit()
    hc1 = model.fit(cov_type="HC1")
    names = ["Intercept", "treated", "post", "treated:post"]
    return {"params": [float(fit.params[n]) for n in names], "se": [float(fit.bse[n]) for n in names],
            "seHC1": [float(hc1.bse[n]) for n in names], "residualDF": float(fit.df_resid)}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("gistar", "mclp", "did"):
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[2]) as f:
        spec = json.load(f)
    run = {"gistar": gistar, "mclp": mclp, "did": did}[sys.argv[1]]
    # {"cases": [...]} is answered as {"results": [...]}: importing esda alone takes seconds.
    result = {"results": [run(case) for case in spec["cases"]]} if "cases" in spec else run(spec)
    with open(sys.argv[3], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
