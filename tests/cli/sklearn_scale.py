"""Checks ml-scale's outputs against scikit-learn, for tests/cli/cases/scale_sklearn.sh.

Usage: sklearn_scale.py MANIFEST

Each line of MANIFEST is one case, tab-separated:
    name  method  impute  range  columns  target  train_matrix  test_matrix  train_out  test_out
train_matrix and test_matrix are the matrices ml-load makes of the two splits (CSV, as
`ml-load --csv` writes them); train_out and test_out are ml-scale's results on them (fitted on
train, applied to test), as CSV.  impute is "-", mean, median, most-frequent or a number; range
"A,B" or "-"; columns "-" (every feature) or a comma-separated list of names.

scikit-learn fits make_pipeline(SimpleImputer, Scaler) on the train matrix's chosen columns and
transforms both; the other columns (the target among them) must come out of ml-scale unchanged.
Prints the largest relative difference per case; exits 1 when one exceeds 1e-12.
"""

import sys

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (FunctionTransformer, MaxAbsScaler, MinMaxScaler,
                                   RobustScaler, StandardScaler)

TOLERANCE = 1e-12


def scaler(method, value_range):
    if method == "standard":
        return StandardScaler()
    if method == "minmax":
        low, high = (float(v) for v in value_range.split(",")) if value_range != "-" else (0, 1)
        return MinMaxScaler(feature_range=(low, high))
    if method == "maxabs":
        return MaxAbsScaler()
    if method == "robust":
        return RobustScaler()
    return FunctionTransformer()  # none


def imputer(impute):
    if impute == "-":
        return FunctionTransformer()
    if impute in ("mean", "median", "most-frequent"):
        return SimpleImputer(strategy=impute.replace("-", "_"))
    return SimpleImputer(strategy="constant", fill_value=float(impute))


def read(path):
    # Empty fields are missing values; nothing else is (a class could be called "NA").
    # pandas' default number parser is fast but not exact: ask for the exact one.
    return pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip")


def relative_difference(got, want):
    """Largest |got - want| / max(1, |want|); inf when missing values differ."""
    if not np.array_equal(np.isnan(got), np.isnan(want)):
        return np.inf
    present = ~np.isnan(want)
    if not present.any():
        return 0.0
    return float(np.max(np.abs(got[present] - want[present]) / np.maximum(1, np.abs(want[present]))))


def check(fields):
    name, method, impute, value_range, columns, target = fields[:6]
    train, test, train_out, test_out = (read(path) for path in fields[6:10])
    features = [c for c in train.columns if c != target] if columns == "-" else columns.split(",")
    pipeline = make_pipeline(imputer(impute), scaler(method, value_range))
    expected = {"train": pipeline.fit_transform(train[features].to_numpy(dtype=float)),
                "test": pipeline.transform(test[features].to_numpy(dtype=float))}
    worst, problems = 0.0, []
    for split, matrix, out in (("train", train, train_out), ("test", test, test_out)):
        if list(out.columns) != list(matrix.columns) or out.shape != matrix.shape:
            problems.append(f"{split}: columns or shape differ")
            continue
        got = out[features].to_numpy(dtype=float)
        worst = max(worst, relative_difference(got, expected[split]))
        untouched = [c for c in matrix.columns if c not in features]
        if not out[untouched].equals(matrix[untouched]):
            problems.append(f"{split}: a column that is not scaled changed")
    print(f"{name}: max relative difference {worst:.3g}")
    if worst > TOLERANCE:
        problems.append(f"differs from scikit-learn by {worst:.3g} (> {TOLERANCE:g})")
    for problem in problems:
        print(f"  not ok: {name}: {problem}")
    return not problems


def main():
    with open(sys.argv[1]) as manifest:
        cases = [line.rstrip("\n").split("\t") for line in manifest if line.strip()]
    results = [check(fields) for fields in cases]
    print(f"{sum(results)} of {len(results)} cases agree with scikit-learn")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
