#!/usr/bin/python3
"""Expected predictions of the tree fixtures, for tests/unit/test_tree_models.c.

    tree_reference.py     prints, per fixture, the rows and what the model predicts for them

Independent of the C code: it reads the ensemble lines of each model file
(tests/fixtures/models/{tree,forest,gbdt}-*.model, grammar in mlpipe-model(5)) with plain
Python, walks every tree (x <= threshold goes left, NaN goes the recorded side) and combines
the leaves as the file's objective says: averaged class probabilities or means for trees and
forests; base score plus the sum of leaf values for gbdt, then the sigmoid (logistic) or the
softmax (one tree per class per round).  Run once; the output was pasted into the test.
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "models")
NAN = float("nan")

# Rows in each model's feature order (its inputs but the target), NaN for missing values.
ROWS = {
    "tree-iris": [[5.1, 3.5, 1.4, 0.2], [6.3, 2.5, 4.9, 1.5], [6.5, 3.0, NAN, 2.0],
                  [NAN, NAN, NAN, NAN]],
    "tree-diabetes": [[59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87],
                      [48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69],
                      [60, 2, NAN, 100.0, 200, 120.0, 50.0, 4.0, NAN, 90]],
    "forest-penguins": [[0, 0, 1, 39.1, 18.7, 181, 3750, 0, 1, 2007],
                        [1, 0, 0, 46.1, 13.2, 211, 4500, 1, 0, 2007],
                        [0, 1, 0, 46.5, 17.9, 192, 3500, 1, 0, 2007],
                        [0, 0, 1, NAN, NAN, NAN, NAN, NAN, NAN, 2007]],
    "forest-diabetes": [[59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87],
                        [48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69]],
    "gbdt-diabetes": [[59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87],
                      [48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69],
                      [NAN] * 10],
    "gbdt-breast_cancer": [
        [17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871,
         1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003,
         0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601,
         0.1189],
        [13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766,
         0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023,
         15.11, 19.26, 99.7, 711.2, 0.144, 0.1773, 0.239, 0.1288, 0.2977, 0.07259]],
    "gbdt-penguins": [[0, 0, 1, 39.1, 18.7, 181, 3750, 0, 1, 2007],
                      [1, 0, 0, 46.1, 13.2, 211, 4500, 1, 0, 2007],
                      [0, 1, 0, 46.5, 17.9, 192, 3500, 1, 0, 2007],
                      [0, 0, 1, NAN, NAN, NAN, NAN, NAN, NAN, 2007]],
}


def read_ensemble(path):
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]
    start = next(i for i, w in enumerate(lines) if w[0] == "ensemble")
    head = {w[0]: w[1:] for w in lines[start:start + 7]}
    trees, i = [], start + 7
    for _ in range(int(head["trees"][0])):
        n_nodes = int(lines[i][3])
        nodes = {}
        for words in lines[i + 1:i + 1 + n_nodes]:
            if words[0] == "split":
                nodes[int(words[1])] = ("split", int(words[2]), float(words[3]),
                                        int(words[4]), int(words[5]), words[6] == "left")
            else:
                nodes[int(words[1])] = ("leaf", [float(v) for v in words[2:-2]])
        trees.append(nodes)
        i += 1 + n_nodes
    return head, trees


def leaf(nodes, row):
    node = nodes[0]
    while node[0] == "split":
        _, feature, threshold, left, right, missing_left = node
        x = row[feature]
        go_left = missing_left if math.isnan(x) else x <= threshold
        node = nodes[left if go_left else right]
    return node[1]


def predict(head, trees, row):
    kind, objective = head["ensemble"][0], head["objective"][0]
    base = [float(v) for v in head["base-score"]]
    scores = list(base)
    if kind in ("tree", "forest"):
        sums = [0.0] * len(base)
        for nodes in trees:
            sums = [s + v for s, v in zip(sums, leaf(nodes, row))]
        scores = [s / len(trees) + b for s, b in zip(sums, base)]
    else:
        for t, nodes in enumerate(trees):
            scores[t % len(scores)] += leaf(nodes, row)[0]
    if objective == "logistic":
        p = 1 / (1 + math.exp(-scores[0]))
        return [1 - p, p]
    if objective == "softmax":
        top = max(scores)
        e = [math.exp(s - top) for s in scores]
        return [v / sum(e) for v in e]
    return scores


def main():
    for name, rows in ROWS.items():
        head, trees = read_ensemble(os.path.join(FIXTURES, name + ".model"))
        print(f"/* {name}: {len(trees)} trees, objective {head['objective'][0]} */")
        for row in rows:
            values = predict(head, trees, row)
            print("{ " + ", ".join(repr(v) for v in values) + " },")


if __name__ == "__main__":
    main()
