"""Helper of the import_sklearn_* CLI cases.

  import_sklearn.py fit DATA_DIR KIND...   trains each KIND on bundled data,
      pickles it to KIND.pkl (joblib for the *-joblib kinds) and writes
      scikit-learn's answers on the raw CSV to KIND.expected
      (prediction[,p_CLASS...]), and ml-predict's arguments (--proba, the CSV)
      to KIND.data
  import_sklearn.py check KIND...          compares KIND.pred (ml-predict
      --proba) with KIND.expected: class labels identical, values and
      probabilities within 1e-9 relative (1e-12 absolute near zero)

The pickles are made here, at test time, never committed.
"""
import math
import pickle
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder,
                                   PolynomialFeatures, RobustScaler, StandardScaler)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

NUMERIC_PENGUIN = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def penguin_pipeline(model):
    columns = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         NUMERIC_PENGUIN),
        ("island", OneHotEncoder(handle_unknown="ignore"), ["island"]),
        ("year", OrdinalEncoder(), ["year"]),
    ])
    return make_pipeline(columns, model)


# kind: (data file, target, columns dropped from X, model); X = the rest.
KINDS = {
    "linear": ("diabetes", "progression", [], lambda: LinearRegression()),
    "ridge": ("diabetes", "progression", [], lambda: Ridge(alpha=2.5)),
    "logistic-binary": ("breast_cancer", "diagnosis", [],
                        lambda: make_pipeline(StandardScaler(), LogisticRegression())),
    "logistic-multi": ("iris", "species", [], lambda: LogisticRegression(max_iter=1000)),
    "minmax-poly": ("diabetes", "progression", [],
                    lambda: make_pipeline(MinMaxScaler((-1, 2)), PolynomialFeatures(2),
                                          Ridge(alpha=0.1))),
    "maxabs": ("diabetes", "progression", [],
               lambda: make_pipeline(MaxAbsScaler(), LinearRegression())),
    "robust-impute": ("penguins", "body_mass_g", ["species", "island", "sex"],
                      lambda: make_pipeline(SimpleImputer(strategy="mean"), RobustScaler(),
                                            Ridge())),
    "columns": ("penguins", "species", ["sex"],
                lambda: penguin_pipeline(LogisticRegression(max_iter=1000))),
    "columns-joblib": ("penguins", "species", ["sex"],
                       lambda: penguin_pipeline(LogisticRegression(C=0.5, max_iter=1000))),
    "tree-classifier": ("wine", "class", [], lambda: DecisionTreeClassifier(random_state=0)),
    "tree-regressor": ("diabetes", "progression", [],
                       lambda: DecisionTreeRegressor(max_depth=6, random_state=0)),
    "forest-classifier": ("breast_cancer", "diagnosis", [],
                          lambda: RandomForestClassifier(n_estimators=25, random_state=0)),
    "forest-regressor": ("diabetes", "progression", [],
                         lambda: RandomForestRegressor(n_estimators=20, max_depth=8,
                                                       random_state=0)),
    "gb-binary": ("breast_cancer", "diagnosis", [],
                  lambda: GradientBoostingClassifier(n_estimators=30, random_state=0)),
    "gb-multi": ("iris", "species", [],
                 lambda: GradientBoostingClassifier(n_estimators=20, random_state=0)),
    "gb-regressor": ("diabetes", "progression", [],
                     lambda: GradientBoostingRegressor(n_estimators=40, random_state=0)),
    "hgb-binary": ("breast_cancer", "diagnosis", [],
                   lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0)),
    "hgb-multi": ("wine", "class", [],
                  lambda: HistGradientBoostingClassifier(max_iter=20, random_state=0)),
    "hgb-regressor": ("penguins", "body_mass_g", ["species", "island", "sex"],
                      lambda: HistGradientBoostingRegressor(max_iter=40, random_state=0)),
    "kmeans": ("iris", "species", [],
               lambda: make_pipeline(StandardScaler(), KMeans(4, n_init=3, random_state=0))),
    "tree-pipeline": ("penguins", "species", ["sex"],
                      lambda: penguin_pipeline(RandomForestClassifier(n_estimators=10,
                                                                      random_state=0))),
}


def fit(data_dir, kinds):
    for kind in kinds:
        name, target, dropped, make = KINDS[kind]
        path = "%s/%s.csv" % (data_dir, name)
        frame = pd.read_csv(path)
        X = frame.drop(columns=[target] + dropped)
        y = frame[target]
        if y.isna().any():
            keep = ~y.isna()
            X, y = X[keep], y[keep]
        model = make().fit(X, y) if kind != "kmeans" else make().fit(X)
        if kind.endswith("-joblib"):
            import joblib
            joblib.dump(model, kind + ".pkl")
        else:
            with open(kind + ".pkl", "wb") as f:
                pickle.dump(model, f)
        everything = frame.drop(columns=[target] + dropped)
        prediction = model.predict(everything)
        columns = {"cluster" if kind == "kmeans" else "prediction": prediction}
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(everything)
            for k, label in enumerate(model.classes_):
                columns["p_%s" % label] = proba[:, k]
        pd.DataFrame(columns).to_csv(kind + ".expected", index=False, float_format="%.17g")
        with open(kind + ".data", "w") as f:
            f.write(("--proba " if hasattr(model, "predict_proba") else "") + path + "\n")


def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) or abs(a - b) <= 1e-12


def check(kinds):
    bad = 0
    for kind in kinds:
        want = pd.read_csv(kind + ".expected", dtype=str, keep_default_na=False)
        got = pd.read_csv(kind + ".pred", dtype=str, keep_default_na=False)
        if list(want.columns) != list(got.columns) or len(want) != len(got):
            print("%s: columns %s / %d rows, expected %s / %d rows" % (
                kind, list(got.columns), len(got), list(want.columns), len(want)))
            bad += 1
            continue
        worst, first = 0.0, None
        for column in want.columns:
            for row, (w, g) in enumerate(zip(want[column], got[column])):
                try:
                    wf, gf = float(w), float(g)
                except ValueError:
                    if w != g and first is None:
                        first = "row %d %s: %s, expected %s" % (row + 1, column, g, w)
                    continue
                if not close(wf, gf):
                    if first is None:
                        first = "row %d %s: %r, expected %r" % (row + 1, column, gf, wf)
                worst = max(worst, abs(wf - gf) / max(abs(wf), 1e-300))
        if first:
            print("%s: %s" % (kind, first))
            bad += 1
    return bad


def main():
    if sys.argv[1] == "fit":
        fit(sys.argv[2], sys.argv[3:])
        return 0
    return 1 if check(sys.argv[2:]) else 0


if __name__ == "__main__":
    sys.exit(main())
