"""Helper of the import_xgboost CLI case.

  import_xgboost.py fit DATA_DIR   trains xgboost boosters on bundled data, saves
      each as KIND.json (Booster.save_model, JSON) and writes Booster.predict's
      answers on the raw CSV to KIND.expected, ml-predict's arguments to KIND.data
  import_xgboost.py check KIND...  compares KIND.pred (ml-predict) with
      KIND.expected: within 1e-6 (relative above 1: xgboost sums in float32)
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

PENGUIN = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]

# kind: (data, target, features or None for all but the target, parameters, rounds)
KINDS = {
    "xgb-regression": ("diabetes", "progression", None,
                       {"objective": "reg:squarederror", "max_depth": 4}, 50),
    "xgb-binary": ("breast_cancer", "diagnosis", None,
                   {"objective": "binary:logistic", "max_depth": 3, "base_score": 0.3}, 30),
    "xgb-multi": ("penguins", "species", PENGUIN,
                  {"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, 20),
}


def fit(data_dir):
    for kind, (name, target, features, params, rounds) in KINDS.items():
        path = "%s/%s.csv" % (data_dir, name)
        frame = pd.read_csv(path)
        X = frame[features] if features else frame.drop(columns=[target])
        y = frame[target]
        classes = None
        if y.dtype == object:
            y = y.astype("category")
            classes = list(y.cat.categories)
            y = y.cat.codes
        booster = xgb.train(dict(params, seed=0), xgb.DMatrix(X, label=y), rounds)
        booster.save_model(kind + ".json")
        got = booster.predict(xgb.DMatrix(X))
        if got.ndim == 1 and classes:
            got = np.column_stack([1 - got, got])
        if got.ndim == 2:
            columns = {"p_%s" % c: got[:, k] for k, c in enumerate(classes)}
        else:
            columns = {"prediction": got}
        pd.DataFrame(columns).to_csv(kind + ".expected", index=False, float_format="%.17g")
        with open(kind + ".data", "w") as f:
            options = "--classes " + ",".join(classes) if classes else ""
            f.write("%s\n%s\n" % (options, ("--proba " if classes else "") + path))


def check(kinds):
    bad = 0
    for kind in kinds:
        want = pd.read_csv(kind + ".expected")
        got = pd.read_csv(kind + ".pred")
        for column in want.columns:
            if column not in got.columns:
                print("%s: no column %s in %s" % (kind, column, list(got.columns)))
                bad += 1
                continue
            w, g = want[column].to_numpy(float), got[column].to_numpy(float)
            error = np.abs(w - g) / np.maximum(1, np.abs(w))
            if len(w) != len(g) or not (error <= 1e-6).all():
                row = int(np.argmax(error))
                print("%s: %s row %d: %r, expected %r" % (kind, column, row + 1, g[row], w[row]))
                bad += 1
    return bad


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2])
        sys.exit(0)
    sys.exit(1 if check(sys.argv[2:]) else 0)
