#!/usr/bin/python3
"""Cross-checks ml-cluster against scikit-learn (used by tests/cli/cases/cluster_sklearn.sh).

    cluster_sklearn.py blobs OUT.csv N_ROWS N_FEATURES N_CENTERS
        writes make_blobs(random_state=0) as CSV, columns x1..xN (no target)
    cluster_sklearn.py kmeans CSV TARGET|- K N_INIT LABELS MODEL [--rtol R] [--same-partition]
                       [--reference INERTIA]
        LABELS: ml-cluster's output (a `cluster` column), MODEL: its model file.  Checks that
        the model's inertia is the labels' (the sum of squared distances of the rows to the
        model's centres, relative 1e-9), and within R (default 0.01, relative) of the inertia
        of KMeans(K, n_init=N_INIT, algorithm="lloyd") on the features of CSV (all columns but
        TARGET), or of INERTIA when given; --same-partition: the labels are scikit-learn's up
        to a renaming of the clusters.
    cluster_sklearn.py silhouette CSV TARGET|- LABELS VALUE
        VALUE (ml-cluster --elbow's silhouette) equals sklearn.metrics.silhouette_score on the
        features and LABELS to 1e-12, relative.

Prints what it compared; exit status 0 agree, 1 differ, 2 bad usage.
"""
import argparse
import sys

import numpy as np
import pandas as pd


def features(path, target):
    frame = pd.read_csv(path)
    if target != "-":
        frame = frame.drop(columns=[target])
    return frame.to_numpy(dtype=float)


def model_centres_and_inertia(path):
    centres, inertia = [], None
    with open(path) as f:
        for line in f:
            words = line.split()
            if words and words[0] == "centre":
                centres.append([float(v) for v in words[2:]])
            elif words and words[0] == "inertia":
                inertia = float(words[1])
    return np.array(centres), inertia


def labels_of(path):
    return pd.read_csv(path)["cluster"].to_numpy()


def cmd_blobs(args):
    from sklearn.datasets import make_blobs
    X, _ = make_blobs(n_samples=args.n_rows, n_features=args.n_features,
                      centers=args.n_centers, cluster_std=1.0, random_state=0)
    pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(args.n_features)]).to_csv(
        args.out, index=False, float_format="%.17g")
    return 0


def cmd_kmeans(args):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    X = features(args.csv, args.target)
    labels = labels_of(args.labels)
    centres, inertia = model_centres_and_inertia(args.model)
    if len(labels) != len(X) or centres.shape != (args.k, X.shape[1]):
        print(f"shapes: {len(labels)} labels, {X.shape} rows, centres {centres.shape}")
        return 1
    recomputed = float(((X - centres[labels]) ** 2).sum())
    ok = abs(recomputed - inertia) <= 1e-9 * inertia
    print(f"model inertia {inertia!r}, from the labels {recomputed!r}")
    if args.reference is None:
        km = KMeans(n_clusters=args.k, n_init=args.n_init, algorithm="lloyd",
                    random_state=0).fit(X)
        reference = km.inertia_
    else:
        reference = args.reference
    gap = (inertia - reference) / reference
    print(f"reference inertia {reference!r}: ours is {gap:+.3%} off (allowed {args.rtol:.1%})")
    ok = ok and abs(gap) <= args.rtol
    if args.same_partition:
        ari = adjusted_rand_score(km.labels_, labels)
        print(f"adjusted Rand index against scikit-learn's labels {ari!r}")
        ok = ok and ari == 1.0
    return 0 if ok else 1


def cmd_silhouette(args):
    from sklearn.metrics import silhouette_score
    X = features(args.csv, args.target)
    expected = silhouette_score(X, labels_of(args.labels))
    gap = abs(args.value - expected) / abs(expected)
    print(f"silhouette {args.value!r}, scikit-learn {expected!r}, relative gap {gap:.2e}")
    return 0 if gap <= 1e-12 else 1


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    blobs = commands.add_parser("blobs")
    blobs.add_argument("out")
    blobs.add_argument("n_rows", type=int)
    blobs.add_argument("n_features", type=int)
    blobs.add_argument("n_centers", type=int)
    kmeans = commands.add_parser("kmeans")
    kmeans.add_argument("csv")
    kmeans.add_argument("target")
    kmeans.add_argument("k", type=int)
    kmeans.add_argument("n_init", type=int)
    kmeans.add_argument("labels")
    kmeans.add_argument("model")
    kmeans.add_argument("--rtol", type=float, default=0.01)
    kmeans.add_argument("--same-partition", action="store_true")
    kmeans.add_argument("--reference", type=float)
    silhouette = commands.add_parser("silhouette")
    silhouette.add_argument("csv")
    silhouette.add_argument("target")
    silhouette.add_argument("labels")
    silhouette.add_argument("value", type=float)
    args = parser.parse_args()
    return {"blobs": cmd_blobs, "kmeans": cmd_kmeans, "silhouette": cmd_silhouette}[
        args.command](args)


if __name__ == "__main__":
    sys.exit(main())
