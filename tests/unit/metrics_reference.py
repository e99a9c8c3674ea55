#!/usr/bin/python3
"""Reference values for tests/unit/test_metrics.c, from scikit-learn 1.2's sklearn.metrics.

    metrics_reference.py            prints the expected values, as C initialisers
    metrics_reference.py --header   writes tests/unit/metrics_data.h (model outputs on the
                                    bundled iris, breast_cancer and diabetes data)

Run once; the printed values are pasted into test_metrics.c, each block under the name of the
function here that computed it.  The synthetic cases draw their data from a Python copy of
lib/core/ml_random.c (xoshiro256** seeded by splitmix64), so the C test regenerates the very
same numbers from the same seed instead of carrying thousands of them.
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
MASK = (1 << 64) - 1


class Random:
    """lib/core/ml_random.c, step for step."""

    def __init__(self, seed):
        x = seed
        self.state = []
        for _ in range(4):
            x, z = self._splitmix64(x)
            self.state.append(z)

    @staticmethod
    def _splitmix64(x):
        x = (x + 0x9E3779B97F4A7C15) & MASK
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return x, z ^ (z >> 31)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.state
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def uniform(self):
        return float(self.next() >> 11) * 2.0**-53

    def below(self, bound):
        product = self.next() * bound
        low = product & MASK
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                product = self.next() * bound
                low = product & MASK
        return product >> 64


def synthetic_classes(seed, n_rows, n_classes):
    """Classes, tied probabilities (small integers over their sum), argmax, weights 0..1.5."""
    rng = Random(seed)
    truth, predicted, weights, probabilities = [], [], [], []
    for _ in range(n_rows):
        t = rng.below(n_classes)
        raw = []
        for k in range(n_classes):
            value = 1 + rng.below(8)
            if k == t:
                value += rng.below(8)
            raw.append(value)
        total = float(sum(raw))
        row = [value / total for value in raw]
        truth.append(t)
        predicted.append(int(np.argmax(row)))
        weights.append(rng.below(4) * 0.5)
        probabilities.append(row)
    return np.array(truth), np.array(predicted), np.array(weights), np.array(probabilities)


def synthetic_regression(seed, n_rows):
    rng = Random(seed)
    truth, predicted = [], []
    for _ in range(n_rows):
        t = rng.uniform() * 100 - 50
        truth.append(t)
        predicted.append(t + (rng.uniform() - 0.5) * 10)
    return np.array(truth), np.array(predicted)


def synthetic_clusters(seed, n_rows):
    """Truth -3..3; the prediction mostly a relabelling (x1000), else noise in -55..0."""
    rng = Random(seed)
    truth, predicted = [], []
    for _ in range(n_rows):
        t = rng.below(7) - 3
        truth.append(t)
        predicted.append(t * 1000 if rng.uniform() < 0.7 else -5 * rng.below(12))
    return np.array(truth, dtype=np.int64), np.array(predicted, dtype=np.int64)


def synthetic_blobs(seed, n_rows, n_columns):
    """Four blobs, centres 3 apart; 10% of the points mislabelled."""
    rng = Random(seed)
    points, labels = [], []
    for _ in range(n_rows):
        centre = rng.below(4)
        points.append([centre * 3.0 + rng.uniform() * 2 for _ in range(n_columns)])
        labels.append(rng.below(4) if rng.uniform() < 0.1 else centre)
    return np.array(points), np.array(labels, dtype=np.int64)


def classification_values(truth, predicted, probabilities, n_classes, weights=None):
    """What ml_classification_scores_list names, by scikit-learn."""
    w = weights
    values = {
        "accuracy": metrics.accuracy_score(truth, predicted, sample_weight=w),
        "balanced_accuracy": metrics.balanced_accuracy_score(truth, predicted, sample_weight=w),
    }
    averages = ["macro", "micro", "weighted"] + (["binary"] if n_classes == 2 else [])
    for average in averages:
        suffix = "" if average == "binary" else "_" + average
        p, r, f, _ = metrics.precision_recall_fscore_support(
            truth, predicted, average=average, sample_weight=w)
        values["precision" + suffix] = p
        values["recall" + suffix] = r
        values["f1" + suffix] = f
    if probabilities is not None:
        values["log_loss"] = metrics.log_loss(truth, probabilities, sample_weight=w,
                                              labels=list(range(n_classes)))
        if n_classes == 2:
            values["roc_auc"] = metrics.roc_auc_score(truth, probabilities[:, 1],
                                                      sample_weight=w)
            values["average_precision"] = metrics.average_precision_score(
                truth, probabilities[:, 1], sample_weight=w)
        else:
            values["roc_auc_ovr"] = metrics.roc_auc_score(
                truth, probabilities, multi_class="ovr", average="macro",
                labels=list(range(n_classes)), sample_weight=w)
            values["average_precision"] = metrics.average_precision_score(
                label_binarize(truth, classes=list(range(n_classes))), probabilities,
                average="macro", sample_weight=w)
    return values


def regression_values(truth, predicted):
    return {
        "mean_squared_error": metrics.mean_squared_error(truth, predicted),
        "root_mean_squared_error": metrics.mean_squared_error(truth, predicted, squared=False),
        "mean_absolute_error": metrics.mean_absolute_error(truth, predicted),
        "r2": metrics.r2_score(truth, predicted),
        "max_error": metrics.max_error(truth, predicted),
        "mean_absolute_percentage_error":
            metrics.mean_absolute_percentage_error(truth, predicted),
        "explained_variance": metrics.explained_variance_score(truth, predicted),
        "median_absolute_error": metrics.median_absolute_error(truth, predicted),
    }


def clustering_values(truth, predicted):
    h, c, v = metrics.homogeneity_completeness_v_measure(truth, predicted)
    return {
        "adjusted_rand_score": metrics.adjusted_rand_score(truth, predicted),
        "normalized_mutual_info_score": metrics.normalized_mutual_info_score(truth, predicted),
        "homogeneity_score": h,
        "completeness_score": c,
        "v_measure_score": v,
        "mutual_info_score": metrics.mutual_info_score(truth, predicted),
    }


def show(name, values):
    print(f"/* {name} */")
    print(f"static const ml_metric_value {name}[] = {{")
    for key, value in values.items():
        print(f'\t{{ "{key}", {float(value):.17g} }},')
    print("};")


def show_array(name, values):
    print(f"static const double {name}[] = {{")
    print("\t" + ", ".join(f"{float(v):.17g}" for v in values) + ",")
    print("};")


# The small cases built in the test, with the arrays it builds.
SMALL_TRUTH = [0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 0, 1]
SMALL_PREDICTED = [0, 1, 1, 1, 0, 2, 3, 0, 1, 1, 0, 3]
SMALL_WEIGHTS = [1, 2, 0.5, 1, 1, 3, 1, 0, 2, 1, 1, 0.25]
TIED_TRUTH = [0, 0, 1, 1, 0, 1, 1, 0, 1, 0]
TIED_SCORES = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.35, 0.6]
TIED_WEIGHTS = [1, 0, 2, 1, 0.5, 1, 3, 1, 1, 2]
MULTI_TRUTH = [0, 1, 2, 2, 1, 0, 1, 2, 0, 1]
MULTI_P = [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4],
           [0.3, 0.4, 0.3], [0.6, 0.2, 0.2], [0.2, 0.3, 0.5], [0.2, 0.4, 0.4],
           [0.4, 0.3, 0.3], [0.0, 1.0, 0.0]]
REG_TRUTH = [3.0, -0.5, 2.0, 7.0, 0.0, 1.5]
REG_PREDICTED = [2.5, 0.0, 2.0, 8.0, 0.25, 1.0]


def small_cases():
    t, p, w = np.array(SMALL_TRUTH), np.array(SMALL_PREDICTED), np.array(SMALL_WEIGHTS)
    show("small_labels", classification_values(t, p, None, 4))
    show("small_labels_weighted", classification_values(t, p, None, 4, w))
    prf = metrics.precision_recall_fscore_support(t, p, labels=[0, 1, 2, 3], average=None,
                                                  sample_weight=w)
    show_array("small_per_class_weighted", np.array(prf).T.ravel())
    # Binary labels: class 1 never predicted.
    show("binary_never_predicted",
         classification_values(np.array([0, 1, 1, 0, 1]), np.array([0, 0, 0, 0, 0]), None, 2))

    tt, ts, tw = np.array(TIED_TRUTH), np.array(TIED_SCORES), np.array(TIED_WEIGHTS)
    tp = np.column_stack([1 - ts, ts])
    show("tied_binary", classification_values(tt, (ts >= 0.5).astype(int), tp, 2))
    show("tied_binary_weighted", classification_values(tt, (ts >= 0.5).astype(int), tp, 2, tw))
    for name, w in (("tied_roc", None), ("tied_roc_weighted", tw)):
        fpr, tpr, thresholds = metrics.roc_curve(tt, ts, sample_weight=w)
        show_array(name + "_fpr", fpr)
        show_array(name + "_tpr", tpr)
        show_array(name + "_thresholds", thresholds)

    mt, mp = np.array(MULTI_TRUTH), np.array(MULTI_P)
    show("multi_probabilities", classification_values(mt, mp.argmax(axis=1), mp, 3))
    # Probabilities 0 and 1 clipped; rows not summing to 1 renormalised.
    raw = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.6], [3.0, 1.0]])
    print("/* log_loss(clip_truth, clip_p): */ %.17g" %
          metrics.log_loss([1, 1, 0, 0], raw, labels=[0, 1]))
    # Class 3 absent from the truth: average precision 0 for it (with a warning).
    p4 = np.array([[0.4, 0.3, 0.2, 0.1], [0.1, 0.6, 0.2, 0.1], [0.2, 0.2, 0.5, 0.1],
                   [0.3, 0.3, 0.3, 0.1], [0.1, 0.1, 0.1, 0.7]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print("/* average_precision, class 3 absent: */ %.17g" % metrics.average_precision_score(
            label_binarize([0, 1, 2, 0, 1], classes=[0, 1, 2, 3]), p4))

    show("small_regression", regression_values(np.array(REG_TRUTH), np.array(REG_PREDICTED)))
    show("zero_truth_regression", regression_values(np.array([0.0, 1.0, -2.0, 0.0]),
                                                    np.array([0.5, 1.0, -1.0, 0.0])))


SMALL_POINTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [5.0, 5.0], [5.0, 6.0], [5.0, 5.0],
                [9.0, 0.0], [2.5, 2.5]]
SMALL_POINT_LABELS = [7, 7, 7, -1, -1, -1, 40, 7]


def degenerate_cases():
    print("/* adjusted_rand_score([0,0,1,1], [5,5,-2,-2]): */ %.17g"
          % metrics.adjusted_rand_score([0, 0, 1, 1], [5, 5, -2, -2]))
    show("one_cluster_against_singletons", clustering_values([3, 3, 3, 3], [0, 1, 2, 3]))
    show("one_cluster_both", clustering_values([2, 2, 2], [9, 9, 9]))
    show("constant_truth_perfect", regression_values(np.array([2.0, 2.0, 2.0]),
                                                     np.array([2.0, 2.0, 2.0])))
    show("constant_truth_imperfect", regression_values(np.array([0.1, 0.1, 0.1]),
                                                       np.array([0.1, 0.2, 0.1])))
    # A singleton cluster (9, 0) and two identical points (5, 5).
    x, labels = np.array(SMALL_POINTS), np.array(SMALL_POINT_LABELS)
    show_array("small_silhouette_samples", metrics.silhouette_samples(x, labels))
    print("/* small silhouette_score: */ %.17g" % metrics.silhouette_score(x, labels))


def synthetic_cases():
    t, p, w, P = synthetic_classes(2024, 5000, 4)
    show("synthetic_4", classification_values(t, p, P, 4))
    show("synthetic_4_weighted", classification_values(t, p, P, 4, w))
    t, p, w, P = synthetic_classes(7, 3000, 2)
    show("synthetic_2", classification_values(t, p, P, 2))
    show("synthetic_2_weighted", classification_values(t, p, P, 2, w))
    fpr, tpr, thresholds = metrics.roc_curve(t, P[:, 1])
    print("/* synthetic_2 roc_curve: %d points, fpr[5] %.17g, tpr[5] %.17g, threshold[5] %.17g */"
          % (len(fpr), fpr[5], tpr[5], thresholds[5]))
    show("synthetic_regression", regression_values(*synthetic_regression(99, 100000)))
    show("synthetic_clusters", clustering_values(*synthetic_clusters(5, 100000)))
    points, labels = synthetic_blobs(11, 3000, 5)
    print("/* synthetic_blobs silhouette_score: */ %.17g"
          % metrics.silhouette_score(points, labels))


def real_data():
    iris = pd.read_csv(os.path.join(DATA, "iris.csv"))
    X = iris.iloc[:, :4].to_numpy(float)
    y = pd.factorize(iris["species"], sort=True)[0]
    proba = cross_val_predict(LogisticRegression(max_iter=1000), X, y, cv=5,
                              method="predict_proba")
    kmeans = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(X)
    cancer = pd.read_csv(os.path.join(DATA, "breast_cancer.csv"))
    Xc, yc = cancer.iloc[:, :-1].to_numpy(float), cancer.iloc[:, -1].to_numpy()
    yc = pd.factorize(yc, sort=True)[0]
    p1 = cross_val_predict(make_pipeline(StandardScaler(), LogisticRegression()), Xc, yc, cv=5,
                           method="predict_proba")[:, 1]
    diabetes = pd.read_csv(os.path.join(DATA, "diabetes.csv"))
    Xd, yd = diabetes.iloc[:, :-1].to_numpy(float), diabetes.iloc[:, -1].to_numpy(float)
    pd_ = cross_val_predict(LinearRegression(), Xd, yd, cv=5)
    return X, y, proba, kmeans, yc, p1, yd, pd_


def real_cases():
    X, y, proba, kmeans, yc, p1, yd, pd_ = real_data()
    show("iris_logistic", classification_values(y, proba.argmax(axis=1), proba, 3))
    P = np.column_stack([1 - p1, p1])
    show("cancer_logistic", classification_values(yc, (p1 > 0.5).astype(int), P, 2))
    show("diabetes_linear", regression_values(yd, pd_))
    show("iris_clusters", clustering_values(y, kmeans))
    print("/* iris_kmeans silhouette_score: */ %.17g" % metrics.silhouette_score(X, kmeans))
    print("/* iris species silhouette_score: */ %.17g" % metrics.silhouette_score(X, y))


def write_header():
    X, y, proba, kmeans, yc, p1, yd, pd_ = real_data()

    def array(ctype, name, values, fmt):
        lines, line = [], ""
        for item in (fmt(v) + "," for v in values):
            if line and 8 + len(line) + 1 + len(item) > 100:
                lines.append(line)
                line = ""
            line = f"{line} {item}" if line else item
        lines.append(line)
        return f"static const {ctype} {name}[] = {{\n\t" + "\n\t".join(lines) + "\n};\n"

    real = lambda v: repr(float(v))  # shortest text that reads back to the same double
    integer = lambda v: str(int(v))
    with open(os.path.join(HERE, "metrics_data.h"), "w") as out:
        out.write("/*\n * Generated by tests/unit/metrics_reference.py --header: model outputs on\n"
                  " * the bundled data, for test_metrics.c.  Do not edit.\n"
                  " * iris: features, species (0..2 in name order), 5-fold out-of-fold\n"
                  " * LogisticRegression(max_iter=1000) probabilities, KMeans(3, n_init=10,\n"
                  " * random_state=0) labels.  breast_cancer: target (0..1) and out-of-fold\n"
                  " * P(class 1) of StandardScaler + LogisticRegression.  diabetes: target\n"
                  " * and out-of-fold LinearRegression predictions.\n */\n")
        out.write(array("double", "iris_features", X.ravel(), real))
        out.write(array("size_t", "iris_species", y, integer))
        out.write(array("double", "iris_probabilities", proba.ravel(), real))
        out.write(array("int64_t", "iris_kmeans", kmeans, integer))
        out.write(array("size_t", "cancer_truth", yc, integer))
        out.write(array("double", "cancer_p1", p1, real))
        out.write(array("double", "diabetes_truth", yd, real))
        out.write(array("double", "diabetes_predicted", pd_, real))


if __name__ == "__main__":
    if sys.argv[1:] == ["--header"]:
        write_header()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            small_cases()
            degenerate_cases()
            synthetic_cases()
            real_cases()
