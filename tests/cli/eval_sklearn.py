"""Checks ml-eval's --json reports against sklearn.metrics (tests/cli/cases/eval_sklearn.sh).

Usage: eval_sklearn.py TASK SCORED.csv TRUTH REPORT.json [TASK SCORED TRUTH REPORT]...
where TASK is classification, regression or clustering.  Every value of the
report must equal scikit-learn's to 1e-12 (relative); exits 1 naming each
that does not.  One run for all cases: importing scikit-learn takes seconds.
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.preprocessing import label_binarize


def labels_of(frame, truth):
    """The classes as ml-eval sorts them: np.unique over the truth, the
    predictions and the p_ columns' names (numbers when all are)."""
    names = [c[2:] for c in frame.columns if c.startswith("p_")]
    values = list(frame[truth]) + list(frame["prediction"]) + names
    try:
        numbers = [float(v) for v in values]
        return np.unique(numbers), True
    except ValueError:
        return np.unique([str(v) for v in values]), False


def classification(frame, truth):
    classes, numeric = labels_of(frame, truth)
    convert = (lambda v: float(v)) if numeric else (lambda v: str(v))
    y_true = np.array([convert(v) for v in frame[truth]])
    y_pred = np.array([convert(v) for v in frame["prediction"]])
    expected = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
    }
    if len(classes) == 2:
        for name, value in zip(("precision", "recall", "f1"),
                               metrics.precision_recall_fscore_support(
                                   y_true, y_pred, pos_label=classes[1], average="binary",
                                   zero_division=0)[:3]):
            expected[name] = value
    for average in ("macro", "micro", "weighted"):
        values = metrics.precision_recall_fscore_support(y_true, y_pred, average=average,
                                                         zero_division=0)[:3]
        for name, value in zip(("precision", "recall", "f1"), values):
            expected[name + "_" + average] = value
    columns = ["p_" + (c if not numeric else next(n[2:] for n in frame.columns
                                                    if n.startswith("p_") and float(n[2:]) == c))
               for c in classes] if any(c.startswith("p_") for c in frame.columns) else None
    if columns:
        proba = frame[columns].to_numpy(dtype=float)
        expected["log_loss"] = metrics.log_loss(y_true, proba, labels=classes)
        if len(classes) == 2:
            positive = y_true == classes[1]
            expected["roc_auc"] = metrics.roc_auc_score(positive, proba[:, 1])
            expected["average_precision"] = metrics.average_precision_score(positive, proba[:, 1])
        else:
            expected["roc_auc_ovr"] = metrics.roc_auc_score(y_true, proba, multi_class="ovr",
                                                            labels=classes)
            expected["average_precision"] = metrics.average_precision_score(
                label_binarize(y_true, classes=classes), proba)
    per_class = metrics.precision_recall_fscore_support(y_true, y_pred, labels=classes,
                                                        zero_division=0)
    confusion = metrics.confusion_matrix(y_true, y_pred, labels=classes)
    return expected, per_class, confusion


def regression(frame, truth):
    y_true = frame[truth].to_numpy(dtype=float)
    y_pred = frame["prediction"].to_numpy(dtype=float)
    mse = metrics.mean_squared_error(y_true, y_pred)
    return {
        "mean_squared_error": mse,
        "root_mean_squared_error": metrics.mean_squared_error(y_true, y_pred, squared=False),
        "mean_absolute_error": metrics.mean_absolute_error(y_true, y_pred),
        "r2": metrics.r2_score(y_true, y_pred),
        "max_error": metrics.max_error(y_true, y_pred),
        "mean_absolute_percentage_error": metrics.mean_absolute_percentage_error(y_true, y_pred),
        "explained_variance": metrics.explained_variance_score(y_true, y_pred),
        "median_absolute_error": metrics.median_absolute_error(y_true, y_pred),
    }


def clustering(frame, truth):
    y_true = frame[truth].astype(str)
    y_pred = frame["prediction"].astype(str)
    return {
        "adjusted_rand_score": metrics.adjusted_rand_score(y_true, y_pred),
        "normalized_mutual_info_score": metrics.normalized_mutual_info_score(y_true, y_pred),
        "homogeneity_score": metrics.homogeneity_score(y_true, y_pred),
        "completeness_score": metrics.completeness_score(y_true, y_pred),
        "v_measure_score": metrics.v_measure_score(y_true, y_pred),
        "mutual_info_score": metrics.mutual_info_score(y_true, y_pred),
    }


def close(got, want):
    if got is None:
        return math.isnan(want)
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15)


def check(task, scored, truth, report_path):
    frame = pd.read_csv(scored, keep_default_na=False)
    with open(report_path) as stream:
        report = json.load(stream)
    problems = []
    if report["task"] != task:
        problems.append(f"task {report['task']}, wanted {task}")
    if task == "classification":
        expected, per_class, confusion = classification(frame, truth)
        for k, name in enumerate(report["classes"]):
            for i, metric in enumerate(("precision", "recall", "f1", "support")):
                got = report["per_class"][name][metric]
                if not close(got, float(per_class[i][k])):
                    problems.append(f"{metric} of {name}: {got}, scikit-learn {per_class[i][k]}")
        if report["confusion_matrix"] != confusion.tolist():
            problems.append(f"confusion matrix {report['confusion_matrix']},"
                            f" scikit-learn {confusion.tolist()}")
    else:
        expected = (regression if task == "regression" else clustering)(frame, truth)
    for name, want in expected.items():
        if name not in report:
            problems.append(f"{name} missing")
        elif not close(report[name], want):
            problems.append(f"{name}: {report[name]!r}, scikit-learn {want!r}")
    for problem in problems:
        print(f"{report_path}: {problem}")
    return not problems


def main(arguments):
    ok = True
    for i in range(0, len(arguments), 4):
        ok &= check(*arguments[i:i + 4])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
