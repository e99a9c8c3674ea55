"""Checks ml-poly's CSV output against scikit-learn, bit for bit.

usage: poly_sklearn.py MANIFEST

Each line of MANIFEST is one case (one Python start-up checks them all):

    DATA.csv TARGET OUTPUT.csv DEGREE [--interaction-only] [--bias] [--columns a,b,...]

DATA.csv is what ml-poly read; OUTPUT.csv what it wrote (--csv).  The
expected output is PolynomialFeatures on the expanded columns (every column
but the target when --columns is absent), followed by the other columns in
their input order, as ColumnTransformer(remainder="passthrough") lays them
out.  Names must match get_feature_names_out with "*" for the space, and
every value must have the same bits.  Numbers are read with float(), which
is exact, never with pandas' faster but inexact default parser.
"""
import argparse
import csv
import sys

import numpy as np
from sklearn.preprocessing import PolynomialFeatures


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def check(case):
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("target")
    parser.add_argument("output")
    parser.add_argument("degree", type=int)
    parser.add_argument("--interaction-only", action="store_true")
    parser.add_argument("--bias", action="store_true")
    parser.add_argument("--columns")
    args = parser.parse_args(case)

    header, rows = read_csv(args.data)
    if args.columns:
        expanded = args.columns.split(",")
    else:
        expanded = [name for name in header if name != args.target]
    passed = [name for name in header if name not in expanded]
    index = {name: i for i, name in enumerate(header)}
    features = np.array([[float(row[index[name]]) for name in expanded] for row in rows])

    poly = PolynomialFeatures(degree=args.degree, interaction_only=args.interaction_only,
                              include_bias=args.bias)
    want = poly.fit_transform(features)
    want_names = [name.replace(" ", "*") for name in poly.get_feature_names_out(expanded)]

    got_header, got_rows = read_csv(args.output)
    where = " ".join(case)
    if got_header != want_names + passed:
        sys.exit("%s: names differ:\n got  %s\n want %s" % (where, got_header, want_names + passed))
    if len(got_rows) != len(rows):
        sys.exit("%s: %d rows, want %d" % (where, len(got_rows), len(rows)))
    n_terms = len(want_names)
    got = np.array([[float(cell) for cell in row[:n_terms]] for row in got_rows])
    differ = got.view(np.uint64) != want.view(np.uint64)
    if differ.any():
        r, c = np.argwhere(differ)[0]
        sys.exit("%s: %d values differ; first at row %d, column '%s': got %r, want %r"
                 % (where, differ.sum(), r + 1, want_names[c], got[r, c], want[r, c]))
    for r, (row, got_row) in enumerate(zip(rows, got_rows)):
        for j, name in enumerate(passed):
            mine, theirs = got_row[n_terms + j], row[index[name]]
            if mine != theirs and float(mine) != float(theirs):
                sys.exit("%s: row %d, passed-through column '%s': got %r, want %r"
                         % (where, r + 1, name, mine, theirs))
    print("%s: %d rows x %d columns agree bit for bit" % (where, len(rows), len(got_header)))


def main():
    with open(sys.argv[1]) as manifest:
        for line in manifest:
            if line.strip():
                check(line.split())


if __name__ == "__main__":
    main()
