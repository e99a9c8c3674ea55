"""Checks `ml-fit KIND --cv K --json` against scikit-learn's cross_validate on the same folds.

usage: cv_sklearn.py KIND DATA TARGET SCORES.json TEST1.csv ... TESTK.csv [--C C]

The folds are those ml-split wrote: TESTi.csv is fold i's test part of a copy of DATA with a
first column "n" numbering its rows from 1 (ml-split deals rows by their count and target
only, so the copy's folds are DATA's).  Every fold's scores, their mean and their standard
deviation (numpy's, ddof 0) must agree to 1e-9.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import cross_validate

SCORERS = {
    "classification": [("accuracy", "accuracy", 1), ("balanced_accuracy", "balanced_accuracy", 1),
                       ("f1_macro", "f1_macro", 1)],
    "regression": [("r2", "r2", 1), ("root_mean_squared_error", "neg_root_mean_squared_error", -1),
                   ("mean_absolute_error", "neg_mean_absolute_error", -1)],
}


def estimator(kind, args):
    if kind == "linear":
        return LinearRegression(), "regression"
    if kind == "ridge":
        return Ridge(alpha=args.alpha), "regression"
    # Tight, so that both fits are the optimum and predict alike.
    return LogisticRegression(C=args.C, tol=1e-10, max_iter=100000), "classification"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["linear", "ridge", "logistic"])
    ap.add_argument("data")
    ap.add_argument("target")
    ap.add_argument("scores")
    ap.add_argument("tests", nargs="+")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--alpha", type=float, default=1.0)
    args = ap.parse_args()
    frame = pd.read_csv(args.data)
    y = frame.pop(args.target).to_numpy()
    X = frame.to_numpy(dtype=float)
    every = np.arange(len(y))
    folds = []
    for path in args.tests:
        test = np.sort(pd.read_csv(path)["n"].to_numpy() - 1)
        folds.append((np.setdiff1d(every, test), test))
    model, task = estimator(args.kind, args)
    names = SCORERS[task]
    result = cross_validate(model, X, y, cv=folds, scoring=[scorer for _, scorer, _ in names])
    ours = json.load(open(args.scores))
    worst = 0.0
    if ours["task"] != task or ours["n_folds"] != len(folds) or ours["metric"] != names[0][0]:
        print(f"task {ours['task']}, {ours['n_folds']} folds, metric {ours['metric']}")
        return 1
    for name, scorer, sign in names:
        theirs = sign * result["test_" + scorer]
        mine = np.array([fold[name] for fold in ours["folds"]], dtype=float)
        for label, a, b in [(name, mine, theirs), (name + " mean", ours["mean"][name], theirs.mean()),
                            (name + " std", ours["std"][name], theirs.std())]:
            gap = float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
            worst = max(worst, gap)
            if not gap <= 1e-9:
                print(f"{label}: ours {a}, scikit-learn {b}")
    sizes = [(len(train), len(test)) for train, test in folds]
    if sizes != [(fold["n_train"], fold["n_test"]) for fold in ours["folds"]]:
        print(f"fold sizes differ: scikit-learn {sizes}")
        return 1
    print(f"{args.kind}: largest difference from scikit-learn {worst:.3g}")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
