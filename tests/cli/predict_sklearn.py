#!/usr/bin/python3
"""Cross-checks ml-predict's output against scikit-learn (used by tests/cli/cases/predict_sklearn.sh).

    predict_sklearn.py [--refit] [--rtol R] MODEL CSV PREDICTIONS [MODEL CSV PREDICTIONS]...

PREDICTIONS is what `ml-predict --proba MODEL CSV` (or without --proba, for regression) wrote.
Several triples are checked in one run, as importing scikit-learn takes seconds.

Same model: scikit-learn's own estimator (LinearRegression, Ridge or LogisticRegression) is
given the coefficients and intercepts read from MODEL and predicts CSV; its predictions and
probabilities must match to rtol (default 1e-9): this checks ml-predict's arithmetic, class
decoding and column matching, not the fit.

--refit: scikit-learn also fits the estimator itself on CSV (to convergence) and its
predictions must match those of ml-predict: classes all equal, values within 1e-6.

Exit status: 0 agree, 1 differ, 2 bad usage.
"""
import argparse
import sys

import numpy as np
import pandas as pd


def parse_model(path):
    model = {"coef": {}, "intercept": {}, "classes": None}
    in_estimator = False
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "estimator":
                in_estimator = True
                model["kind"] = words[1]
            if not in_estimator:
                continue
            if words[0] == "inputs":
                model["inputs"] = words[2:]
            elif words[0] == "target":
                model["target"] = None if words[1] == "none" else words[2]
            elif words[0] == "alpha":
                model["alpha"] = float(words[1])
            elif words[0] == "coef":
                model["coef"][tuple(words[1:-1])] = float(words[-1])
            elif words[0] == "intercept":
                model["intercept"][tuple(words[1:-1])] = float(words[-1])
            elif words[0] == "classes":
                model["classes"] = words[2:]
    model["features"] = [c for c in model["inputs"] if c != model["target"]]
    return model


def sklearn_estimator(model):
    """A fitted scikit-learn estimator holding MODEL's coefficients."""
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    features = model["features"]
    if model["kind"] in ("linear", "ridge"):
        est = LinearRegression() if model["kind"] == "linear" else Ridge(alpha=model["alpha"])
        est.coef_ = np.array([model["coef"][(f,)] for f in features])
        est.intercept_ = model["intercept"].get((), 0.0)
        est.n_features_in_ = len(features)
        return est
    classes = model["classes"]
    # Two classes: one vector, for the second class (sklearn's layout too).
    vectors = classes[1:] if len(classes) == 2 else classes
    est = LogisticRegression(multi_class="ovr" if len(classes) == 2 else "multinomial")
    est.classes_ = np.array(classes, dtype=object)
    est.coef_ = np.array([[model["coef"][(k, f)] for f in features] for k in vectors])
    est.intercept_ = np.array([model["intercept"].get((k,), 0.0) for k in vectors])
    est.n_features_in_ = len(features)
    return est


def refit(model, X, y):
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    if model["kind"] == "linear":
        return LinearRegression().fit(X, y)
    if model["kind"] == "ridge":
        return Ridge(alpha=model["alpha"]).fit(X, y)
    return LogisticRegression(C=1.0, tol=1e-10, max_iter=100000).fit(X, y)


def compare(label, theirs, ours, rtol):
    """Numbers agree to rtol (relative above 1, absolute below); how many do not."""
    theirs, ours = np.asarray(theirs, dtype=float), np.asarray(ours, dtype=float)
    scale = np.maximum(np.abs(theirs), 1.0)
    bad = np.abs(theirs - ours) > rtol * scale
    if bad.any():
        i = np.argmax(np.abs(theirs - ours) / scale)
        print(f"{label}: {bad.sum()} values differ beyond {rtol:g}; worst row {i + 1}:"
              f" scikit-learn {theirs.flat[i]!r}, ml-predict {ours.flat[i]!r}", file=sys.stderr)
    return int(bad.sum())


def check(args):
    """The number of disagreements for one triple."""
    model = parse_model(args.model)
    data = pd.read_csv(args.csv)
    X = data[model["features"]].to_numpy(dtype=float)
    ours = pd.read_csv(args.predictions, dtype={"prediction": object}, keep_default_na=False)
    if len(ours) != len(X):
        print(f"{len(ours)} rows, {args.csv} has {len(X)}", file=sys.stderr)
        return 1

    est = sklearn_estimator(model)
    failures = 0
    if model["classes"] is None:
        failures += compare("same model, predictions", est.predict(X),
                            ours["prediction"].astype(float), args.rtol)
    else:
        names = ours["prediction"].to_numpy()
        wrong = (est.predict(X) != names).sum()
        if wrong:
            print(f"same model: {wrong} class predictions differ", file=sys.stderr)
        failures += wrong
        p_columns = ["p_" + k for k in model["classes"]]
        if all(c in ours for c in p_columns):
            failures += compare("same model, probabilities", est.predict_proba(X),
                                ours[p_columns].to_numpy(), args.rtol)
    if args.refit:
        y = data[model["target"]].to_numpy()
        sk = refit(model, X, y)
        if model["classes"] is None:
            failures += compare("refit, predictions", sk.predict(X),
                                ours["prediction"].astype(float), 1e-6)
        else:
            wrong = (sk.predict(X).astype(str) != ours["prediction"].to_numpy()).sum()
            if wrong:
                print(f"refit: {wrong} of {len(X)} class predictions differ", file=sys.stderr)
            failures += wrong
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refit", action="store_true")
    parser.add_argument("--rtol", type=float, default=1e-9)
    parser.add_argument("files", nargs="+", metavar="MODEL CSV PREDICTIONS")
    args = parser.parse_args()
    if len(args.files) % 3:
        parser.error("give MODEL CSV PREDICTIONS triples")
    failed = False
    for i in range(0, len(args.files), 3):
        args.model, args.csv, args.predictions = args.files[i:i + 3]
        if check(args):
            print(f"^ {args.predictions} ({args.model} on {args.csv})", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
