#!/usr/bin/python3
"""Training losses of xgboost's hist learner, for tests/cli/cases/fit_gbdt_xgboost.sh.

    trees_xgboost.py loss CSV TARGET OBJECTIVE ROUNDS DEPTH
        trains xgboost (tree_method hist, learning rate 0.1, lambda 1, min_child_weight 1,
        256 bins, one thread) on every row of CSV and prints the mean training loss after
        ROUNDS rounds, as ml-fit gbdt -v reports it: log-loss for binary:logistic and
        multi:softprob, the mean squared error for reg:squarederror

The features are the CSV's numeric columns (missing stays missing); a text target's classes
are numbered in sorted order, as ml-load numbers them.  The base score is the training
mean for reg:squarederror and binary:logistic (what ml-fit starts from, and xgboost 2.0's
default; Debian's xgboost 1.7 starts from 0.5); for multi:softprob every row's margin starts
at the centred log of the class shares, as ml-fit's does.
"""
import sys

import numpy as np
import pandas as pd
import xgboost


def main(argv):
    if len(argv) != 7 or argv[1] != "loss":
        print(__doc__, file=sys.stderr)
        return 2
    path, target, objective, rounds, depth = argv[2], argv[3], argv[4], int(argv[5]), int(argv[6])
    frame = pd.read_csv(path)
    labels = frame.pop(target)
    features = frame.select_dtypes("number").to_numpy(dtype=np.float64)
    params = {"tree_method": "hist", "objective": objective, "eta": 0.1, "max_depth": depth,
              "lambda": 1, "min_child_weight": 1, "max_bin": 256, "nthread": 1}
    if objective == "multi:softprob":
        classes = sorted(labels.unique())
        y = labels.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=np.float64)
        params["num_class"] = len(classes)
        params["eval_metric"] = "mlogloss"
    elif objective == "binary:logistic":
        classes = sorted(labels.unique())
        y = (labels == classes[1]).to_numpy(dtype=np.float64)
        params["base_score"] = float(y.mean())
        params["eval_metric"] = "logloss"
    else:
        y = labels.to_numpy(dtype=np.float64)
        params["base_score"] = float(y.mean())
        params["eval_metric"] = "rmse"
    data = xgboost.DMatrix(features, label=y)
    if objective == "multi:softprob":
        logs = np.log(np.bincount(y.astype(int)) / len(y))
        data.set_base_margin(np.tile(logs - logs.mean(), (len(y), 1)).ravel())
    result = {}
    xgboost.train(params, data, rounds, evals=[(data, "train")], evals_result=result,
                  verbose_eval=False)
    loss = result["train"][params["eval_metric"]][-1]
    print(repr(loss ** 2 if objective == "reg:squarederror" else loss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
