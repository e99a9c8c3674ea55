#!/usr/bin/python3
"""Scores ml-fit's tree kinds against scikit-learn (used by tests/cli/cases/fit_trees_sklearn.sh).

    trees_sklearn.py split CSV TARGET TRAIN.csv TEST.csv
        a fixed 75/25 split (random_state 0; stratified when the target is text)
    trees_sklearn.py score KIND TRAIN.csv TEST.csv TARGET PREDICTIONS.csv [NAME=VALUE]...
        fits scikit-learn's counterpart of KIND (tree: DecisionTree, forest: RandomForest,
        gbdt: HistGradientBoosting) with the settings given, scores it on TEST, scores
        PREDICTIONS (ml-predict's output for TEST) and prints both

Scores are accuracy for a text target, R^2 otherwise, in points (percent).  Exit status 0
when ours is at least scikit-learn's less 1 point, or less one test row's share of the
accuracy when that is more (a row of iris's 38 test rows is 2.6 points: the two learners may
break a tie between equally good splits differently); 1 when it is not; 2 on bad usage.

Text features are one-hot encoded (missing stays missing); the reference trees of
scikit-learn 1.2 take no NaN, so DecisionTree and RandomForest get missing values imputed
with the training median (HistGradientBoosting takes them as they are).
"""
import sys

import numpy as np
import pandas as pd

SETTINGS = {"max_depth", "min_samples_leaf", "min_samples_split", "max_features",
            "n_estimators", "max_iter", "learning_rate", "max_leaf_nodes",
            "l2_regularization", "random_state"}


def number(text):
    if text == "None":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def split(csv, target, train_path, test_path):
    from sklearn.model_selection import train_test_split
    frame = pd.read_csv(csv)
    classes = frame[target] if frame[target].dtype == object else None
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=classes)
    train.to_csv(train_path, index=False)
    test.to_csv(test_path, index=False)


def features(train, test, target):
    both = pd.get_dummies(pd.concat([train, test]).drop(columns=[target]), dtype=float)
    return both.iloc[:len(train)].to_numpy(), both.iloc[len(train):].to_numpy()


def reference(kind, classify, settings):
    from sklearn import ensemble, tree
    if kind == "tree":
        make = tree.DecisionTreeClassifier if classify else tree.DecisionTreeRegressor
    elif kind == "forest":
        make = ensemble.RandomForestClassifier if classify else ensemble.RandomForestRegressor
    else:
        make = (ensemble.HistGradientBoostingClassifier if classify
                else ensemble.HistGradientBoostingRegressor)
        settings.setdefault("early_stopping", False)
    settings.setdefault("random_state", 0)
    return make(**settings), kind != "gbdt"


def score(kind, train_path, test_path, target, predictions_path, pairs):
    from sklearn.metrics import accuracy_score, r2_score
    train, test = pd.read_csv(train_path), pd.read_csv(test_path)
    classify = train[target].dtype == object
    settings = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in SETTINGS:
            sys.exit(f"trees_sklearn.py: unknown setting {name}")
        settings[name] = number(value)
    model, impute = reference(kind, classify, settings)
    X_train, X_test = features(train, test, target)
    if impute:
        medians = np.nanmedian(X_train, axis=0)
        X_train = np.where(np.isnan(X_train), medians, X_train)
        X_test = np.where(np.isnan(X_test), medians, X_test)
    model.fit(X_train, train[target])
    metric = accuracy_score if classify else r2_score
    theirs = 100 * metric(test[target], model.predict(X_test))
    ours_predicted = pd.read_csv(predictions_path)["prediction"]
    if len(ours_predicted) != len(test):
        sys.exit(f"trees_sklearn.py: {len(ours_predicted)} predictions for {len(test)} rows")
    ours = 100 * metric(test[target], ours_predicted)
    print(f"{kind} {'accuracy' if classify else 'R^2'}: mlpipe {ours:.2f},"
          f" scikit-learn {theirs:.2f} ({type(model).__name__})")
    tolerance = max(1.0, 100.0 / len(test) if classify else 0.0)
    return 0 if ours >= theirs - tolerance - 1e-9 else 1


def main(argv):
    if len(argv) == 6 and argv[1] == "split":
        split(*argv[2:])
        return 0
    if len(argv) >= 7 and argv[1] == "score":
        return score(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
