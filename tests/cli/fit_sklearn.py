#!/usr/bin/python3
"""Cross-checks ml-fit model files against scikit-learn (used by tests/cli/cases/fit_*.sh).

    fit_sklearn.py linear|ridge|logistic MODEL CSV TARGET [--alpha A] [--C C]
                   [--balanced] [--rtol R] [--standardise OUT.csv]

Fits the same estimator with scikit-learn on CSV and compares every coefficient and
intercept parsed from MODEL: max |ours - sklearn| / max(max |sklearn|, 1e-300) <= rtol.
The logistic reference is scikit-learn's own objective at its optimum: scikit-learn 1.2
stops L-BFGS at SciPy's default ftol (2.2e-9 relative), well before the coefficients settle
to 1e-4 on unscaled data, so its answer is carried on to the optimum of the same objective
(written out below) by SciPy's L-BFGS-B.

--standardise writes CSV standardised (StandardScaler) to OUT.csv and exits: ml-fit is then
trained on those values.  Exit status: 0 agree, 1 differ, 2 bad usage.
"""
import argparse
import sys

import numpy as np
import pandas as pd


def parse_model(path):
    coef, intercept = {}, {}
    classes = None
    with open(path) as f:
        in_estimator = False
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "estimator":
                in_estimator = True
            if not in_estimator:
                continue
            if words[0] == "coef":
                coef[tuple(words[1:-1])] = float(words[-1])
            elif words[0] == "intercept":
                intercept[tuple(words[1:-1])] = float(words[-1])
            elif words[0] == "classes":
                classes = words[2:]
    return coef, intercept, classes


def objective(params, X, Y, n_vectors, C, weight):
    """scikit-learn's lbfgs objective: sum of weighted log-losses + ||W||^2 / (2C), and its
    gradient; params = W (n_vectors x d) then the intercepts."""
    from scipy.special import expit, logsumexp
    n, d = X.shape
    W = params[:n_vectors * d].reshape(n_vectors, d)
    b = params[n_vectors * d:]
    S = X @ W.T + b
    if n_vectors == 1:
        z = S[:, 0]
        losses = np.logaddexp(0, z) - Y * z
        R = (weight * (expit(z) - Y))[:, None]
    else:
        lse = logsumexp(S, axis=1)
        losses = lse - S[np.arange(n), Y]
        R = np.exp(S - lse[:, None])
        R[np.arange(n), Y] -= 1
        R *= weight[:, None]
    value = np.sum(weight * losses) + 0.5 / C * np.sum(W * W)
    return value, np.concatenate([(R.T @ X + W / C).ravel(), R.sum(axis=0)])


def polish(m, X, y, C, balanced):
    """scikit-learn 1.2 stops L-BFGS at SciPy's default ftol (2.2e-9 relative), before the
    coefficients settle to 1e-4 on unscaled data; carry its solution on to the optimum of the
    same objective with SciPy's L-BFGS-B (gtol 1e-10, no ftol)."""
    from scipy.optimize import minimize
    X = np.asarray(X, dtype=float)
    classes = list(m.classes_)
    Y = np.array([classes.index(v) for v in y])
    counts = np.bincount(Y, minlength=len(classes))
    weight = len(Y) / (len(classes) * counts[Y]) if balanced else np.ones(len(Y))
    n_vectors = 1 if len(classes) == 2 else len(classes)
    start = np.concatenate([m.coef_.ravel(), m.intercept_])
    r = minimize(objective, start, args=(X, Y, n_vectors, C, weight), jac=True,
                 method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 0, "maxiter": 100000})
    d = X.shape[1]
    m.coef_ = r.x[:n_vectors * d].reshape(n_vectors, d)
    m.intercept_ = r.x[n_vectors * d:]
    return m


def reference(args, X, y):
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    if args.kind == "linear":
        return LinearRegression().fit(X, y)
    if args.kind == "ridge":
        return Ridge(alpha=args.alpha).fit(X, y)
    m = LogisticRegression(C=args.C, tol=1e-10, max_iter=100000,
                           class_weight="balanced" if args.balanced else None).fit(X, y)
    raw = np.concatenate([m.coef_.ravel(), m.intercept_])
    polish(m, X, y, args.C, args.balanced)
    done = np.concatenate([m.coef_.ravel(), m.intercept_])
    print(f"(polishing moved scikit-learn's own answer by "
          f"{np.max(np.abs(done - raw)) / np.max(np.abs(done)):.3g} relative)")
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["linear", "ridge", "logistic"])
    ap.add_argument("model")
    ap.add_argument("csv")
    ap.add_argument("target")
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--balanced", action="store_true")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--standardise", metavar="OUT")
    args = ap.parse_args()

    data = pd.read_csv(args.csv)
    y = data.pop(args.target).to_numpy()
    if args.standardise:
        from sklearn.preprocessing import StandardScaler
        z = pd.DataFrame(StandardScaler().fit_transform(data), columns=data.columns)
        z[args.target] = y
        z.to_csv(args.standardise, index=False, float_format="%.17g")
        return 0

    m = reference(args, data, y)
    coef, intercept, classes = parse_model(args.model)
    features = list(data.columns)
    if args.kind == "logistic":
        sk_classes = [str(c) for c in m.classes_]
        if classes != sk_classes:
            print(f"classes differ: ours {classes}, sklearn {sk_classes}")
            return 1
        vectors = sk_classes[1:] if len(sk_classes) == 2 else sk_classes
    else:
        vectors = [None]
    ours, theirs = [], []
    sk_coef = np.atleast_2d(m.coef_)
    sk_intercept = np.atleast_1d(m.intercept_)
    for k, name in enumerate(vectors):
        prefix = (name,) if name is not None else ()
        for j, feature in enumerate(features):
            key = prefix + (feature,)
            if key not in coef:
                print(f"no coefficient {' '.join(key)} in {args.model}")
                return 1
            ours.append(coef[key])
            theirs.append(sk_coef[k, j])
        ours.append(intercept[prefix])
        theirs.append(sk_intercept[k])
    ours, theirs = np.array(ours), np.array(theirs)
    scale = max(np.max(np.abs(theirs)), 1e-300)
    worst = np.max(np.abs(ours - theirs)) / scale
    print(f"{args.kind}: {len(ours)} values, max |ours - sklearn| / max |sklearn| = {worst:.3g}"
          f" (allowed {args.rtol:g})")
    return 0 if worst <= args.rtol else 1


if __name__ == "__main__":
    sys.exit(main())
