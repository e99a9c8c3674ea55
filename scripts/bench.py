#!/usr/bin/python3
"""mlpipe benchmark harness: mlpipe programs against the peers a user would otherwise pick.

Run by `make bench`, or directly:

    /usr/bin/python3 scripts/bench.py [--bin DIR] [--repeat N] [--case NAME]... [--quick] [--list]

What it does, and the decisions behind it:

* Data are generated with fixed seeds (numpy default_rng) into a fresh temporary directory
  (tempfile.mkdtemp), cached for the rest of the run, and removed at the end (--keep keeps them).
  Nothing is ever written into the repository. Floats are written with Python's repr (shortest
  string that round-trips), the same digits pandas' to_csv writes by default; the formatting is
  spread over all cores because it dominates generation time.
* Every case runs its mlpipe command and its peer(s) in the same run, whole process to whole
  process (subprocess; wall time with time.perf_counter around spawn .. exit of every process),
  alternating mlpipe / peer repetitions, and reports medians. The ratio column is peer / mlpipe,
  so > 1 means mlpipe is faster.
* Peers run under /usr/bin/python3 (pandas, scikit-learn, numpy: Debian packages) or are Debian's
  liblinear-tools. A peer whose modules do not import or whose binary is absent, and an mlpipe
  program that is not built yet, are skipped with a one-line message. A command that fails has
  its stderr tail printed and the harness goes on with the other cases. The exit status is
  non-zero only when the harness itself is broken (an unexpected Python exception), 2 on bad usage.
* Everything that is not the thing being measured stays out of the timings: data generation, the
  LIBSVM conversion for liblinear, pickling the scikit-learn models, and all quality measurements
  (they run once more, untimed, after the timed repetitions).
* Shell pipelines (`ml-load data.csv | ml-scale > out.bin`) are spawned by the harness itself as a
  chain of processes connected by a pipe, exactly what `sh -c` would do minus the shell, because
  Debian's sh (dash) has no `pipefail` and would hide a failure of the first stage.
* Quality columns: training R^2 / test accuracy of both sides, and how closely the two agree.
  They are computed from the programs' outputs against the generated ground truth.
* BLAS: the OpenBLAS kernels in use are printed for both sides (mlpipe: the lines of
  `ml-info --version` that mention BLAS; numpy: threadpoolctl), because OpenBLAS picks different
  kernels on different (virtual) CPUs and `OPENBLAS_CORETYPE` changes them: compare like with like.

Adding a case: write a function `case_xxx(ctx)` returning a list of Row, and append a Case to
CASES at the bottom. Use ctx.mlpipe_side / ctx.python_side / ctx.binary_side to declare who runs,
ctx.data(NAME) for inputs (add a generator to DATASETS), ctx.time_sides to run them alternately.
"""

import argparse
import csv
import json
import os
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

PYTHON = "/usr/bin/python3"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TIMEOUT = 1800.0  # seconds for one run of one command


# ---------------------------------------------------------------------------------------------
# Peer scripts. Each one is what a user of pandas / scikit-learn would write, nothing more; the
# untimed extra work for quality measurements happens only when extra arguments are given.

PEER_LOAD = """\
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1]).to_numpy()
"""

PEER_SCALE = """\
import sys
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler
src, dst, fmt = sys.argv[1:4]
df = pd.read_csv(src)
z = StandardScaler().fit_transform(df.to_numpy())
if fmt == "npy":
    np.save(dst, z)
else:
    pd.DataFrame(z, columns=df.columns).to_csv(dst, index=False)
"""

# argv: kind train.csv target [model.pkl eval.csv pred.npy info.json]
PEER_FIT = """\
import sys
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
kind, path, target = sys.argv[1:4]
X = pd.read_csv(path)
y = X.pop(target).to_numpy()
if kind == "linear":
    m = LinearRegression()
else:
    m = LogisticRegression(solver="lbfgs", C=1.0, max_iter=1000)
m.fit(X, y)
if len(sys.argv) > 4:  # untimed quality run
    import json, pickle
    import numpy as np
    pkl, evalpath, predpath, infopath = sys.argv[4:8]
    with open(pkl, "wb") as f:
        pickle.dump(m, f)
    E = pd.read_csv(evalpath)
    p = np.asarray(m.predict(E[m.feature_names_in_]))
    np.save(predpath, p.astype(str) if p.dtype == object else p)
    info = {"n_iter": int(np.max(m.n_iter_))} if hasattr(m, "n_iter_") else {}
    with open(infopath, "w") as f:
        json.dump(info, f)
"""

PEER_PREDICT = """\
import sys, pickle
import pandas as pd
with open(sys.argv[1], "rb") as f:
    m = pickle.load(f)
X = pd.read_csv(sys.argv[2])
p = m.predict(X[m.feature_names_in_])
pd.DataFrame({"prediction": p}).to_csv(sys.argv[3], index=False)
"""

# argv: data.csv k labels.csv: what a pandas + scikit-learn user writes for ml-load | ml-cluster.
PEER_KMEANS = """\
import sys
import pandas as pd
from sklearn.cluster import KMeans
src, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
X = pd.read_csv(src).to_numpy()
m = KMeans(n_clusters=k, n_init=1, algorithm="lloyd", random_state=0).fit(X)
pd.DataFrame({"cluster": m.labels_}).to_csv(out, index=False)
print(f"inertia {m.inertia_!r}, {m.n_iter_} iterations", file=sys.stderr)
"""

# argv: data.npy k: KMeans.fit alone, timed inside, on an array already loaded.
PEER_KMEANS_FIT = """\
import sys, time
import numpy as np
from sklearn.cluster import KMeans
X = np.load(sys.argv[1])
k = int(sys.argv[2])
t = time.perf_counter()
m = KMeans(n_clusters=k, n_init=1, algorithm="lloyd", random_state=0).fit(X)
t = time.perf_counter() - t
print(f"clustering took {t!r} s; inertia {m.inertia_!r}, {m.n_iter_} iterations", file=sys.stderr)
"""

# argv: kind train.npy labels.npy test.npy test-labels.npy [rounds=N] [fit-only]: the peer's fit
# on arrays np.load'ed (boosting N rounds, 100 by default), then its test accuracy or RMSE on
# stderr ("accuracy A"), unless fit-only.  kind: xgboost, hgb (-reg: regression), forest, tree.
PEER_TREES = """\
import sys, time
import numpy as np
kind, X, y, Xt, yt = sys.argv[1], *(np.load(a, allow_pickle=False) for a in sys.argv[2:6])
regression = kind.endswith("-reg")
options = dict(a.partition("=")[::2] for a in sys.argv[6:])
rounds = int(options.get("rounds", "100"))  # boosting rounds
if kind.startswith("xgboost"):
    from xgboost import XGBClassifier, XGBRegressor
    # Regression starts from the target's mean, as mlpipe and HistGradientBoosting do (xgboost
    # 1.7's default is 0.5): the three then grow the same first trees, up to bin edges.
    m = (XGBRegressor if regression else XGBClassifier)(
        tree_method="hist", n_estimators=rounds, max_depth=6, learning_rate=0.1, n_jobs=2,
        max_bin=256, **({"base_score": float(np.mean(y))} if regression else {}))
elif kind.startswith("hgb"):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    m = (HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier)(
        max_iter=rounds, max_depth=6, max_leaf_nodes=None, learning_rate=0.1, early_stopping=False,
        random_state=0)  # above 200k rows its bin edges come from a random sample
elif kind == "forest":
    from sklearn.ensemble import RandomForestClassifier
    m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)
else:
    from sklearn.tree import DecisionTreeClassifier
    m = DecisionTreeClassifier(random_state=0)
m.fit(X, y)
if "fit-only" in options:  # a scaling run: the fit alone
    sys.exit(0)
t0 = time.perf_counter()
p = m.predict(Xt)
seconds = time.perf_counter() - t0
if regression:
    print(f"rmse {float(np.sqrt(np.mean((p - yt) ** 2)))!r}", file=sys.stderr)
else:
    print(f"accuracy {float((p == yt).mean())!r}", file=sys.stderr)
print(f"predict-seconds {seconds!r}", file=sys.stderr)
"""

PEER_BLAS_INFO = """\
import json
import numpy
try:
    from threadpoolctl import threadpool_info
except ImportError:
    print(json.dumps(None))
else:
    print(json.dumps([i for i in threadpool_info() if i.get("user_api") == "blas"]))
"""


# ---------------------------------------------------------------------------------------------
# Small utilities

def say(msg=""):
    print(msg, flush=True)


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


def mb(nbytes):
    return nbytes / 1e6


def tail(text, lines=8):
    rows = [r for r in text.strip().splitlines() if r.strip()]
    return "\n".join("      | " + r for r in rows[-lines:]) or "      | (no stderr output)"


def fmt_s(x):
    return f"{x:.4f}" if x < 0.1 else f"{x:.3f}" if x < 100 else f"{x:.1f}"


def r2_score(y, p):
    import numpy as np
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    ss_res = float(np.sum((y - p) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - ss_res / ss_tot


def read_prediction_csv(path, numeric):
    """Column `prediction` of a CSV written by ml-predict or by a peer."""
    import numpy as np
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{os.path.basename(path)} is empty")
        if "prediction" not in header:
            raise ValueError(f"{os.path.basename(path)}: no column 'prediction' in header {header[:5]}")
        k = header.index("prediction")
        vals = [row[k] for row in reader]
    return np.array([float(v) for v in vals]) if numeric else np.array(vals)


# ---------------------------------------------------------------------------------------------
# Running commands

@dataclass
class Command:
    stages: list            # one argv per process; more than one = a pipeline stage1 | stage2 ...
    stdout: str = None      # file that receives the last stage's stdout (None: /dev/null)

    def display(self):
        def one(argv):
            if len(argv) > 2 and argv[1] == "-c":  # python3 -c <script>: do not print the script
                return " ".join([os.path.basename(argv[0]), "-c", "<peer script>"] +
                                [shlex.quote(a) for a in argv[3:]])
            return " ".join(shlex.quote(a) for a in argv)
        s = " | ".join(one(a) for a in self.stages)
        return s + (f" > {shlex.quote(self.stdout)}" if self.stdout else "")


def run_command(cmd, tmp, timeout):
    """Run cmd; return (wall seconds, None) or (None, error message with stderr tails)."""
    errfiles = [os.path.join(tmp, f"stderr.{i}") for i in range(len(cmd.stages))]
    procs, opened, prev = [], [], subprocess.DEVNULL
    try:
        out = open(cmd.stdout, "wb") if cmd.stdout else subprocess.DEVNULL
        if cmd.stdout:
            opened.append(out)
        errs = [open(p, "wb") for p in errfiles]
        opened.extend(errs)
        t0 = time.perf_counter()
        for i, argv in enumerate(cmd.stages):
            last = i == len(cmd.stages) - 1
            p = subprocess.Popen(argv, stdin=prev, stdout=out if last else subprocess.PIPE,
                                 stderr=errs[i])
            if prev is not subprocess.DEVNULL:
                prev.close()  # the next stage holds it now; its reader must see EOF/EPIPE
            prev = p.stdout if not last else None
            procs.append(p)
        deadline = t0 + timeout
        timed_out = False
        for p in procs:
            try:
                p.wait(timeout=max(0.0, deadline - time.perf_counter()))
            except subprocess.TimeoutExpired:
                timed_out = True
                break
        elapsed = time.perf_counter() - t0
    except OSError as e:
        if prev not in (None, subprocess.DEVNULL):
            prev.close()
        for p in procs:
            p.kill()
            p.wait()
        return None, f"cannot run {cmd.display()}: {e}"
    finally:
        for f in opened:
            f.close()
    if timed_out:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    problems = []
    for argv, p, ef in zip(cmd.stages, procs, errfiles):
        with open(ef, "rb") as f:
            err = f.read()[-4000:].decode("utf-8", "replace")
        if timed_out and p.returncode is not None and p.returncode < 0:
            why = f"killed after the {timeout:.0f} s timeout"
        elif p.returncode and p.returncode < 0:
            why = f"killed by signal {-p.returncode}"
        elif p.returncode:
            why = f"exit status {p.returncode}"
        else:
            continue
        problems.append(f"    {os.path.basename(argv[0])}: {why}\n{tail(err)}")
    if timed_out and not problems:
        problems.append(f"    timed out after {timeout:.0f} s")
    if problems:
        return None, f"  command: {cmd.display()}\n" + "\n".join(problems)
    return elapsed, None


@dataclass
class Side:
    """One contender in a comparison: mlpipe or a peer."""
    name: str
    skip: str = None        # reason it cannot run
    cmd: Command = None
    times: list = field(default_factory=list)
    error: str = None

    @property
    def ok(self):
        return self.skip is None and self.error is None and bool(self.times)

    @property
    def median(self):
        return statistics.median(self.times) if self.ok else None

    def cell(self):
        if self.skip is not None:
            return "skip"
        if self.error is not None:
            return "FAIL"
        return fmt_s(self.median) if self.times else "-"


@dataclass
class Row:
    case: str
    ml: str
    peer: str
    ratio: str
    notes: str = ""


def make_row(label, ml, peer, notes=""):
    ratio = "-"
    if ml is not None and peer is not None and ml.ok and peer.ok and ml.median > 0:
        ratio = f"{peer.median / ml.median:.2f}"
    return Row(label, ml.cell() if ml else "n/a", peer.cell() if peer else "n/a", ratio, notes)


# ---------------------------------------------------------------------------------------------
# Data generation

def _format_block(job):
    """Worker: format rows `prefix[i], X[i, 0..k-1], suffix[i]` with a %-format per row."""
    fmt, X, prefix, suffix = job
    rows = X.tolist()
    if prefix is not None:
        rows = [[p] + r for p, r in zip(prefix, rows)]
    if suffix is not None:
        rows = [r + [s] for r, s in zip(rows, suffix)]
    return "".join(fmt % tuple(r) for r in rows)


def write_rows(path, header, fmt, X, prefix=None, suffix=None, block=20000):
    """Write formatted rows using all cores (float repr is the expensive part)."""
    import multiprocessing
    n = X.shape[0]
    jobs = ((fmt, X[i:i + block],
             None if prefix is None else list(prefix[i:i + block]),
             None if suffix is None else list(suffix[i:i + block])) for i in range(0, n, block))
    procs = os.cpu_count() or 1
    with open(path, "w") as f:
        if header is not None:
            f.write(header + "\n")
        if procs > 1 and n > block:
            with multiprocessing.get_context("fork").Pool(procs) as pool:
                for s in pool.imap(_format_block, jobs):
                    f.write(s)
        else:
            for job in jobs:
                f.write(_format_block(job))


def write_csv(path, names, X, labels=None):
    """CSV with header `names`; float columns X, then labels (strings) if given."""
    k = X.shape[1]
    fmt = ",".join(["%r"] * k) + (",%s" if labels is not None else "") + "\n"
    write_rows(path, ",".join(names), fmt, X, suffix=labels)


def write_libsvm(path, X, labels):
    """LIBSVM format (dense: every feature written), labels as given (+1 / -1)."""
    k = X.shape[1]
    fmt = "%s " + " ".join(f"{j + 1}:%r" for j in range(k)) + "\n"
    write_rows(path, None, fmt, X, prefix=labels)


@dataclass
class Dataset:
    name: str
    path: str
    rows: int
    cols: int           # columns in the file, target included
    extra: dict = field(default_factory=dict)

    @property
    def bytes(self):
        return os.path.getsize(self.path)

    def describe(self):
        return f"{os.path.basename(self.path)}: {self.rows} rows x {self.cols} cols, {mb(self.bytes):.1f} MB"


def gen_numeric(ctx):
    """1,000,000 x 20 normal floats, per-column scales 1e-2 .. 1e3, header x1..x20."""
    import numpy as np
    n, k = ctx.size(1_000_000), 20
    rng = np.random.default_rng(20240101)
    X = rng.standard_normal((n, k)) * (10.0 ** rng.uniform(-2, 3, k))
    path = ctx.path("numeric.csv")
    write_csv(path, [f"x{j + 1}" for j in range(k)], X)
    return {"numeric": Dataset("numeric", path, n, k)}


def _regression(seed, n, k=50):
    import numpy as np
    w_rng = np.random.default_rng(4242)  # the true model, apart so that more sets can share it
    w = w_rng.normal(0, 1, k)
    mu = w_rng.normal(0, 2, k)
    sd = 10.0 ** w_rng.uniform(-1, 1, k)
    rng = np.random.default_rng(seed)
    X = mu + sd * rng.standard_normal((n, k))
    y = X @ w + 3.0 + rng.normal(0, 5.0, n)
    return X, y


def gen_regression(ctx):
    """1,000,000 x 50 regression (y = X w + 3 + noise), target column y."""
    import numpy as np
    n, k = ctx.size(1_000_000), 50
    X, y = _regression(1, n, k)
    path = ctx.path("regression.csv")
    write_csv(path, [f"x{j + 1}" for j in range(k)] + ["y"], np.column_stack([X, y]))
    return {"regression": Dataset("regression", path, n, k + 1, {"y": y})}


def gen_classification(ctx):
    """500,000 x 50 binary classification (labels neg/pos, 3% flipped) plus a 100,000-row test set."""
    import numpy as np
    k = 50
    n_train, n_test = ctx.size(500_000), ctx.size(100_000)
    rng = np.random.default_rng(7)
    w = rng.normal(0, 1, k) * (rng.uniform(size=k) < 0.6)  # some useless features
    X = rng.standard_normal((n_train + n_test, k))
    pos = X @ w + 0.5 > 0
    flip = rng.uniform(size=pos.size) < 0.03
    labels = np.where(pos ^ flip, "pos", "neg")
    names = [f"x{j + 1}" for j in range(k)] + ["label"]
    out = {}
    for name, sl in (("classification", slice(0, n_train)),
                     ("classification-test", slice(n_train, n_train + n_test))):
        path = ctx.path(f"{name}.csv")
        write_csv(path, names, X[sl], labels[sl])
        out[name] = Dataset(name, path, sl.stop - sl.start, k + 1,
                            {"X": X[sl], "labels": labels[sl], "features": names[:-1]})
    return out


def gen_classification_libsvm(ctx):
    """The classification sets converted to LIBSVM format for liblinear (+1 = pos, -1 = neg)."""
    import numpy as np
    out = {}
    for name in ("classification", "classification-test"):
        d = ctx.data(name)
        path = ctx.path(f"{name}.libsvm")
        write_libsvm(path, d.extra["X"], np.where(d.extra["labels"] == "pos", "+1", "-1"))
        out[name + "-libsvm"] = Dataset(name + "-libsvm", path, d.rows, d.cols)
    return out


def gen_blobs(ctx):
    """1,000,000 x 20: 8 Gaussian blobs (unit spread, centres uniform in [-10, 10]^20), as CSV and
    as .npy (the same doubles: the CSV holds each value's shortest exact form)."""
    import numpy as np
    n, k = ctx.size(1_000_000), 20
    rng = np.random.default_rng(88)
    centres = rng.uniform(-10, 10, (8, k))
    X = centres[rng.integers(0, 8, n)] + rng.standard_normal((n, k))
    path, npy = ctx.path("blobs.csv"), ctx.path("blobs.npy")
    write_csv(path, [f"x{j + 1}" for j in range(k)], X)
    np.save(npy, X)
    return {"blobs": Dataset("blobs", path, n, k, {"npy": npy})}


def gen_quoted(ctx):
    """1,000,000 rows: 10 normal floats and two quoted text columns holding commas (40 and 7
    distinct values, one-hot encoded by ml-load), header x1..x10,city,kind."""
    import numpy as np
    n, k = ctx.size(1_000_000), 10
    rng = np.random.default_rng(31)
    X = rng.standard_normal((n, k)) * (10.0 ** rng.uniform(-2, 3, k))
    cities = np.array([f'"Town {i}, ""Region"" {i % 4}"' for i in range(40)])
    kinds = np.array([f'"kind {i}, type {i * 3}"' for i in range(7)])
    labels = [f"{c},{t}" for c, t in zip(cities[rng.integers(0, 40, n)], kinds[rng.integers(0, 7, n)])]
    path = ctx.path("quoted.csv")
    write_csv(path, [f"x{j + 1}" for j in range(k)] + ["city", "kind"], X, np.array(labels))
    return {"quoted": Dataset("quoted", path, n, k + 2)}


def _trees_problem(n, seed=31):
    """The trees' problem: 20 standard normal features; z mixes a product, a sine, a step, a
    square, a linear term and noise; the class is z above its median.
    The product x1 x2 has no marginal effect: greedy trees find it late (from round ~40 at 1M
    rows) and at a round that any small change moves (the data's seed, the bin edges, lambda
    1.01 for 1, xgboost's base score), while the loss still falls steeply at round 100, so
    one regression RMSE after 100 rounds is a draw from a wide spread (issue #8, 1M rows, data
    seeds 31 to 40: mlpipe 0.53 to 0.83, xgboost 0.56 to 0.84, mlpipe the lower on 8 of 10;
    seed 31 alone, mlpipe with --max-bins 254 / 200 / 128, --lambda 1.01: 0.61 / 0.46 / 0.70 /
    0.64 against 0.83 with the defaults).  So the case judges gbdt regression's score over
    data seeds after 300 rounds, once every side has found x1 x2 (trees_seeds_rows: mean, min
    and max RMSE per side, how often mlpipe's is the lower), and the gbdt regression row's
    single RMSE is only that seed's draw at round 100."""
    import numpy as np
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 20))
    z = (X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + (X[:, 3] > 0.5) * X[:, 4]
         - 0.7 * X[:, 5] ** 2 + 0.5 * X[:, 6] + 0.3 * rng.standard_normal(n))
    return X, z, (z > np.median(z)).astype(np.int64)


def gen_trees(ctx):
    """A nonlinear two-class problem, 20 features (interactions, thresholds, noise), 1,000,000
    rows split 75/25, and the first 200,000 training rows for forests and single trees (whose
    peers take minutes on more): CSV for mlpipe, .npy (features; labels 0/1) for the peers.
    The regression sets hold the same rows with z itself as the target: .npy for both sides
    (mlpipe's with the target as a 21st column, c21)."""
    import numpy as np
    n, k = ctx.size(1_000_000), 20
    X, z, y = _trees_problem(n)
    names = [f"x{j + 1}" for j in range(k)] + ["label"]
    labels = np.where(y == 1, "yes", "no")
    n_train, n_small = n * 3 // 4, ctx.size(200_000)
    out = {}
    for name, sl in (("trees-train", slice(0, n_train)), ("trees-test", slice(n_train, n)),
                     ("trees-small", slice(0, n_small))):
        path, npy, lab = ctx.path(f"{name}.csv"), ctx.path(f"{name}.npy"), ctx.path(f"{name}-y.npy")
        write_csv(path, names, X[sl], labels[sl])
        np.save(npy, X[sl])
        np.save(lab, y[sl])
        out[name] = Dataset(name, path, sl.stop - sl.start, k + 1,
                            {"npy": npy, "y": lab, "labels": labels[sl]})
    for name, sl in (("trees-reg-train", slice(0, n_train)), ("trees-reg-test", slice(n_train, n))):
        path, lab = ctx.path(f"{name}.npy"), ctx.path(f"{name}-y.npy")
        np.save(path, np.column_stack([X[sl], z[sl]]))
        np.save(lab, z[sl])
        out[name] = Dataset(name, path, sl.stop - sl.start, k + 1,
                            {"npy": out[name.replace("-reg", "")].extra["npy"], "y": lab,
                             "target": z[sl]})
    return out


# dataset name -> generator (a generator may produce several datasets at once)
DATASETS = {
    "quoted": gen_quoted,
    "numeric": gen_numeric,
    "regression": gen_regression,
    "classification": gen_classification,
    "classification-test": gen_classification,
    "classification-libsvm": gen_classification_libsvm,
    "classification-test-libsvm": gen_classification_libsvm,
    "blobs": gen_blobs,
    "trees-train": gen_trees,
    "trees-test": gen_trees,
    "trees-small": gen_trees,
    "trees-reg-train": gen_trees,
    "trees-reg-test": gen_trees,
}


# ---------------------------------------------------------------------------------------------
# The run context: paths, availability checks, data and artifact caches, timing

class Context:
    def __init__(self, args, tmp):
        self.bin = args.bin
        self.repeat = args.repeat
        self.quick = args.quick
        self.timeout = args.timeout
        self.tmp = tmp
        self._data = {}
        self._py_ok = {}
        self.artifacts = {}   # e.g. "mlpipe:logistic" -> model path
        self.generated = []   # datasets in generation order, for the summary

    def size(self, n):
        return max(n // 10, 1) if self.quick else n

    def rows(self, n):
        """Row count for labels: 1M, 500k, 50k ..."""
        n = self.size(n)
        return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (
            f"{n // 1000}k" if n % 1000 == 0 else str(n))

    def path(self, name):
        return os.path.join(self.tmp, name)

    # --- data -------------------------------------------------------------------------------
    def data(self, name):
        if name not in self._data:
            t0 = time.perf_counter()
            made = DATASETS[name](self)
            dt = time.perf_counter() - t0
            for d in made.values():
                self._data[d.name] = d
                self.generated.append(d)
                say(f"  data {d.describe()}")
            say(f"       (generated in {dt:.1f} s, untimed)")
        return self._data[name]

    # --- who can run ------------------------------------------------------------------------
    def prog(self, name):
        p = os.path.join(self.bin, name)
        return p if os.path.isfile(p) and os.access(p, os.X_OK) else None

    def mlpipe_side(self, case, programs, name="mlpipe"):
        missing = [p for p in programs if self.prog(p) is None]
        if missing:
            why = f"{', '.join(missing)} not built (looked in {self.bin})"
            say(f"  skip {case} {name}: {why}")
            return Side(name, skip=why)
        return Side(name)

    def python_has(self, modules):
        key = tuple(modules)
        if key not in self._py_ok:
            if not os.access(PYTHON, os.X_OK):
                self._py_ok[key] = f"{PYTHON} not found"
            else:
                r = subprocess.run([PYTHON, "-c", "import " + ", ".join(modules)],
                                   capture_output=True, text=True)
                last = (r.stderr.strip().splitlines() or [""])[-1]
                self._py_ok[key] = None if r.returncode == 0 else f"{PYTHON}: {last}"
        return self._py_ok[key]

    def python_side(self, case, name, modules):
        why = self.python_has(modules)
        if why:
            say(f"  skip {case} peer {name}: {why}")
            return Side(name, skip=why)
        return Side(name)

    def binary_side(self, case, name, binary):
        if shutil.which(binary) is None:
            why = f"{binary} not found (Debian package liblinear-tools)"
            say(f"  skip {case} peer {name}: {why}")
            return Side(name, skip=why)
        return Side(name)

    @staticmethod
    def runnable(*sides):
        return [s for s in sides if s is not None and s.skip is None]

    # --- running ----------------------------------------------------------------------------
    def run_once(self, label, cmd):
        """An untimed run (training a model for a later case, a quality measurement)."""
        t, err = run_command(cmd, self.tmp, self.timeout)
        if err:
            say(f"  FAIL {label} (untimed)\n{err}")
            return False
        return True

    def time_sides(self, case, sides, on_run=None, repeat=None):
        """Alternate the sides' commands `repeat` times (--repeat unless given); a failing side
        stops, the others go on. on_run(side, stderr), when given, sees the standard error of
        each run's last process."""
        active = [s for s in sides if s.skip is None and s.cmd is not None]
        for i in range(self.repeat if repeat is None else repeat):
            for s in active:
                if s.error is not None:
                    continue
                t, err = run_command(s.cmd, self.tmp, self.timeout)
                if err:
                    s.error = err
                    say(f"  FAIL {case} {s.name} (repetition {i + 1})\n{err}")
                else:
                    s.times.append(t)
                    progress(f"    {case} {s.name} #{i + 1}: {t:.3f} s")
                    if on_run:
                        last = os.path.join(self.tmp, f"stderr.{len(s.cmd.stages) - 1}")
                        with open(last, errors="replace") as f:
                            on_run(s, f.read())

    # --- models shared between cases --------------------------------------------------------
    @staticmethod
    def fit_sets(kind):
        """(training set, evaluation / prediction input, target) for a model kind. The linear
        model is evaluated on (and predicts) its 1,000,000-row training set: a second 1 GB CSV
        would only add a minute of generation."""
        return (("regression", "regression", "y") if kind == "linear"
                else ("classification", "classification-test", "label"))

    def mlpipe_model(self, kind):
        """Path of an mlpipe model of `kind`, training it (untimed) unless a fit case did."""
        key = f"mlpipe:{kind}"
        if key not in self.artifacts:
            train, _, target = self.fit_sets(kind)
            path = self.path(f"{kind}.model")
            cmd = Command([[self.prog("ml-fit"), kind, "-t", target, self.data(train).path,
                            "-o", path]])
            self.artifacts[key] = path if self.run_once(f"ml-fit {kind}", cmd) else None
        return self.artifacts[key]

    def sklearn_model(self, kind):
        """(pickle path, predictions on the eval set, info) of the scikit-learn model of `kind`,
        training it once, untimed. Linear models are evaluated on their training set (R^2), logistic
        ones on the test set (accuracy)."""
        import numpy as np
        key = f"sklearn:{kind}"
        if key not in self.artifacts:
            train, ev, target = self.fit_sets(kind)
            pkl, pred, info = (self.path(f"{kind}.pkl"), self.path(f"{kind}-sk-pred.npy"),
                               self.path(f"{kind}-sk-info.json"))
            cmd = Command([[PYTHON, "-c", PEER_FIT, kind, self.data(train).path, target,
                            pkl, self.data(ev).path, pred, info]])
            if self.run_once(f"scikit-learn {kind} fit", cmd):
                with open(info) as f:
                    self.artifacts[key] = (pkl, np.load(pred), json.load(f))
            else:
                self.artifacts[key] = None
        return self.artifacts[key]


def quality(fn):
    """Quality notes must never break the harness's table: report the problem in the cell."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any error here is about a program's output
        traceback.print_exc(file=sys.stderr)
        return f"quality n/a: {e}"


# ---------------------------------------------------------------------------------------------
# Cases

def case_load(ctx):
    ml = ctx.mlpipe_side("load", ["ml-load"])
    peer = ctx.python_side("load", "pandas.read_csv", ["pandas"])
    if ctx.runnable(ml, peer):
        d = ctx.data("numeric")
        out = ctx.path("load-out.bin")
        ml.cmd = Command([[ctx.prog("ml-load"), d.path]], stdout=out)
        peer.cmd = Command([[PYTHON, "-c", PEER_LOAD, d.path]])
        ctx.time_sides("load", [ml, peer])

        def notes():
            return join_notes(
                f"CSV {mb(d.bytes):.0f} MB",
                scores("MB/s", [(s.name, mb(d.bytes) / s.median) for s in (ml, peer) if s.ok], 0),
                ml.ok and f"binary out {mb(os.path.getsize(out)):.0f} MB")
        return [make_row("load csv -> bin", ml, peer, quality(notes))]
    return [make_row("load csv -> bin", ml, peer)]


def peak_rss_mib(ctx, cmd):
    """Peak resident memory (MiB) of a command's last process (the one measured: `cat f | ml-load`
    is ml-load's), from one more untimed run under GNU time; None when /usr/bin/time is missing
    or the run fails."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    report = ctx.path("time.out")
    stages = list(cmd.stages)
    stages[-1] = ["/usr/bin/time", "-f", "%M", "-o", report] + stages[-1]
    timed = Command(stages, cmd.stdout)
    if not ctx.run_once("peak RSS", timed):
        return None
    with open(report) as f:
        return int(f.read().split()[-1]) / 1024


def case_csv_parallel(ctx):
    """ml-load CSV -> binary on 1 and 2 threads, and from a pipe, against pandas.read_csv, for the
    numeric file and for one with quoted text columns: MB/s and peak RSS in the notes."""
    rows = []
    machine = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start"
    for data_name in ("numeric", "quoted"):
        sides = {}
        for variant in ("file -j 1", "file -j 2", "pipe"):
            sides[variant] = ctx.mlpipe_side("csv-parallel", ["ml-load"], f"ml-load {variant}")
        peer = ctx.python_side("csv-parallel", "pandas.read_csv", ["pandas"])
        if not ctx.runnable(peer, *sides.values()):
            rows.append(make_row(f"csv-parallel {data_name}", None, peer))
            continue
        d = ctx.data(data_name)
        out = ctx.path("csv-parallel-out.bin")
        prog = ctx.prog("ml-load")
        sides["file -j 1"].cmd = Command([[prog, "-j", "1", d.path]], stdout=out)
        sides["file -j 2"].cmd = Command([[prog, "-j", "2", d.path]], stdout=out)
        sides["pipe"].cmd = Command([["cat", d.path], [prog]], stdout=out)
        peer.cmd = Command([[PYTHON, "-c", PEER_LOAD, d.path]])
        ctx.time_sides(f"csv-parallel {data_name}", list(sides.values()) + [peer])
        rss = {v: peak_rss_mib(ctx, s.cmd) for v, s in sides.items() if s.ok}
        rss["pandas"] = peak_rss_mib(ctx, peer.cmd) if peer.ok else None
        def rss_note(variant):
            mine, theirs = rss.get(variant), rss.get("pandas")
            return join_notes(mine and f"peak RSS {mine:.0f} MiB",
                              theirs and f"pandas {theirs:.0f} MiB")

        for variant, side in sides.items():
            def notes(side=side, variant=variant):
                return join_notes(
                    f"{data_name} CSV {mb(d.bytes):.0f} MB",
                    scores("MB/s", [(n, mb(d.bytes) / s.median)
                                    for n, s in ((variant, side), ("pandas", peer)) if s.ok], 0),
                    rss_note(variant), machine)
            rows.append(make_row(f"csv {data_name} {variant}", side, peer, quality(notes)))
    return rows


def case_scale(ctx):
    rows = []
    # binary out: ml-load | ml-scale  vs  read_csv + fit_transform + np.save
    ml = ctx.mlpipe_side("scale", ["ml-load", "ml-scale"], "mlpipe (bin)")
    peer = ctx.python_side("scale", "sklearn StandardScaler", ["pandas", "sklearn"])
    if ctx.runnable(ml, peer):
        d = ctx.data("numeric")
        ml.cmd = Command([[ctx.prog("ml-load"), d.path], [ctx.prog("ml-scale")]],
                         stdout=ctx.path("scale-out.bin"))
        peer.cmd = Command([[PYTHON, "-c", PEER_SCALE, d.path, ctx.path("scale-peer.npy"), "npy"]])
        ctx.time_sides("scale-bin", [ml, peer])
    rows.append(make_row("scale load|scale -> bin", ml, peer))

    # CSV in -> CSV out: ml-scale data.csv  vs  read_csv + fit_transform + to_csv
    ml = ctx.mlpipe_side("scale", ["ml-scale"], "mlpipe (csv)")
    peer = ctx.python_side("scale", "sklearn StandardScaler", ["pandas", "sklearn"])
    if ctx.runnable(ml, peer):
        d = ctx.data("numeric")
        ml_out, peer_out = ctx.path("scale-out.csv"), ctx.path("scale-peer.csv")
        ml.cmd = Command([[ctx.prog("ml-scale"), d.path]], stdout=ml_out)
        peer.cmd = Command([[PYTHON, "-c", PEER_SCALE, d.path, peer_out, "csv"]])
        ctx.time_sides("scale-csv", [ml, peer])

        def notes():
            if not (ml.ok and peer.ok):
                return ""
            try:
                import pandas as pd
            except ImportError:
                return "(pandas missing in harness: outputs not compared)"
            a, b = pd.read_csv(ml_out), pd.read_csv(peer_out)
            if list(a.columns) != list(b.columns) or a.shape != b.shape:
                return f"outputs differ in shape/columns: {a.shape} vs {b.shape}"
            return f"max |mlpipe - sklearn| = {abs(a.to_numpy() - b.to_numpy()).max():.2e}"
        rows.append(make_row("scale csv -> csv", ml, peer, quality(notes)))
    else:
        rows.append(make_row("scale csv -> csv", ml, peer))
    return rows


def ml_predictions(ctx, model, data, numeric):
    """Untimed `ml-predict MODEL DATA` for quality notes: the `prediction` column, or None."""
    if not ctx.prog("ml-predict"):
        return None
    out = ctx.path(f"quality-{os.path.basename(model)}-{os.path.basename(data.path)}.pred.csv")
    cmd = Command([[ctx.prog("ml-predict"), model, data.path]], stdout=out)
    if not ctx.run_once(f"ml-predict {os.path.basename(model)} {os.path.basename(data.path)}", cmd):
        return None
    return read_prediction_csv(out, numeric)


def scores(metric, pairs, digits):
    """'train R2: mlpipe 0.952404, sklearn 0.952404' from [(name, value or None)]."""
    pairs = [(n, v) for n, v in pairs if v is not None]
    return f"{metric}: " + ", ".join(f"{n} {v:.{digits}f}" for n, v in pairs) if pairs else ""


def join_notes(*parts):
    return "; ".join(p for p in parts if p)


def case_linear_fit(ctx):
    ml = ctx.mlpipe_side("linear-fit", ["ml-fit"])
    peer = ctx.python_side("linear-fit", "sklearn LinearRegression", ["pandas", "sklearn"])
    label = f"linear-fit ({ctx.rows(1_000_000)} x 50)"
    if not ctx.runnable(ml, peer):
        return [make_row(label, ml, peer)]
    d = ctx.data("regression")
    model = ctx.path("linear.model")
    ml.cmd = Command([[ctx.prog("ml-fit"), "linear", "-t", "y", d.path, "-o", model]])
    peer.cmd = Command([[PYTHON, "-c", PEER_FIT, "linear", d.path, "y"]])
    ctx.time_sides("linear-fit", [ml, peer])
    if ml.ok:
        ctx.artifacts["mlpipe:linear"] = model

    def notes():  # untimed: R^2 on the training data of both fits, and how close they are
        y = d.extra["y"]
        ml_pred = ml_predictions(ctx, model, d, numeric=True) if ml.ok else None
        sk = ctx.sklearn_model("linear") if peer.ok else None
        sk_pred = sk[1] if sk else None
        diff = ""
        if ml_pred is not None and sk_pred is not None:
            diff = f"max |pred diff| {abs(ml_pred - sk_pred).max():.2e}"
        return join_notes(scores("train R2", [
            ("mlpipe", None if ml_pred is None else r2_score(y, ml_pred)),
            ("sklearn", None if sk_pred is None else r2_score(y, sk_pred))], 6), diff)
    return [make_row(label, ml, peer, quality(notes))]


def case_logistic_fit(ctx):
    ml = ctx.mlpipe_side("logistic-fit", ["ml-fit"])
    sk = ctx.python_side("logistic-fit", "sklearn LogisticRegression", ["pandas", "sklearn"])
    ll = ctx.binary_side("logistic-fit", "liblinear", "liblinear-train")
    label_sk = f"logistic-fit ({ctx.rows(500_000)} x 50) vs sklearn"
    label_ll = "logistic-fit vs liblinear (LIBSVM input)"
    if not ctx.runnable(ml, sk, ll):
        return [make_row(label_sk, ml, sk), make_row(label_ll, ml, ll)]
    d = ctx.data("classification")
    test = ctx.data("classification-test")
    truth = test.extra["labels"]
    model = ctx.path("logistic.model")
    ml.cmd = Command([[ctx.prog("ml-fit"), "logistic", "-t", "label", d.path, "-o", model]])
    sk.cmd = Command([[PYTHON, "-c", PEER_FIT, "logistic", d.path, "label"]])
    if ll.skip is None:
        # liblinear reads its own format: converted once here, untimed; -B 1 adds the intercept
        # that mlpipe and scikit-learn fit (liblinear regularizes it, they do not).
        lsv, lsv_test = ctx.data("classification-libsvm"), ctx.data("classification-test-libsvm")
        ll_model = ctx.path("liblinear.model")
        ll.cmd = Command([["liblinear-train", "-q", "-s", "0", "-c", "1", "-B", "1",
                           lsv.path, ll_model]])
    ctx.time_sides("logistic-fit", [ml, sk, ll])
    if ml.ok:
        ctx.artifacts["mlpipe:logistic"] = model

    # untimed: test accuracy of each, and how often mlpipe and scikit-learn agree
    def acc(p):
        return None if p is None else float((p == truth).mean())

    ml_pred = quality(lambda: ml_predictions(ctx, model, test, numeric=False)) if ml.ok else None
    if isinstance(ml_pred, str):  # quality() returned its error text
        ml_note, ml_pred = ml_pred, None
    else:
        ml_note = ""

    def notes_sk():
        m = ctx.sklearn_model("logistic") if sk.ok else None
        sk_pred = m[1] if m else None
        extra = [f"sklearn n_iter {m[2]['n_iter']}"] if m and "n_iter" in m[2] else []
        if ml_pred is not None and sk_pred is not None:
            extra.append(f"agree {(ml_pred == sk_pred).mean():.4f}")
        return join_notes(ml_note, scores("test acc", [("mlpipe", acc(ml_pred)),
                                                       ("sklearn", acc(sk_pred))], 4), *extra)

    def notes_ll():
        import numpy as np
        ll_pred = None
        if ll.ok:
            out = ctx.path("liblinear-test-pred.txt")
            if ctx.run_once("liblinear-predict",
                            Command([["liblinear-predict", "-q", lsv_test.path, ll_model, out]])):
                with open(out) as f:
                    ll_pred = np.array(["pos" if float(v) > 0 else "neg" for v in f.read().split()])
        return join_notes(ml_note, scores("test acc", [("mlpipe", acc(ml_pred)),
                                                       ("liblinear", acc(ll_pred))], 4))

    return [make_row(label_sk, ml, sk, quality(notes_sk)),
            make_row(label_ll, ml, ll, quality(notes_ll))]


def case_predict(ctx):
    rows = []
    for kind, label in (("logistic", f"predict logistic ({ctx.rows(100_000)} rows)"),
                        ("linear", f"predict linear ({ctx.rows(1_000_000)} rows)")):
        case = f"predict-{kind}"
        ml = ctx.mlpipe_side(case, ["ml-fit", "ml-predict"])
        peer = ctx.python_side(case, "sklearn", ["pandas", "sklearn"])
        if not ctx.runnable(ml, peer):
            rows.append(make_row(label, ml, peer))
            continue
        _, test_name, _ = ctx.fit_sets(kind)
        test = ctx.data(test_name)
        ml_out, peer_out = ctx.path(f"{case}-ml.csv"), ctx.path(f"{case}-peer.csv")
        if ml.skip is None:
            model = ctx.mlpipe_model(kind)
            if model:
                ml.cmd = Command([[ctx.prog("ml-predict"), model, test.path]], stdout=ml_out)
            else:
                ml.error = "no model"
        if peer.skip is None:
            m = ctx.sklearn_model(kind)
            if m:
                peer.cmd = Command([[PYTHON, "-c", PEER_PREDICT, m[0], test.path, peer_out]])
            else:
                peer.error = "no model"
        ctx.time_sides(case, [ml, peer])

        def notes():
            numeric = kind == "linear"
            preds = {s.name: read_prediction_csv(out, numeric)
                     for s, out in ((ml, ml_out), (peer, peer_out)) if s.ok}
            both = list(preds.values()) if len(preds) == 2 else None
            if numeric:
                y = test.extra["y"]
                return join_notes(
                    scores("R2", [(n, r2_score(y, p)) for n, p in preds.items()], 6),
                    both and f"max |pred diff| {abs(both[0] - both[1]).max():.2e}")
            truth = test.extra["labels"]
            return join_notes(
                scores("test acc", [(n, float((p == truth).mean())) for n, p in preds.items()], 4),
                both and f"agree {(both[0] == both[1]).mean():.4f}")
        rows.append(make_row(label, ml, peer, quality(notes)))
    return rows


def parse_cluster_stderr(text):
    """(inertia, iterations, seconds inside) from ml-cluster -v or a peer script's stderr."""
    import re
    inertia = re.findall(r"inertia ([-+0-9.eE]+)(?:,|$)", text, re.M)
    took = re.findall(r"clustering took ([0-9.eE+-]+) s", text)
    iters = re.findall(r"(\d+) iterations", text) or re.findall(r"iteration (\d+):", text)
    return (float(inertia[-1]) if inertia else None, int(iters[-1]) if iters else None,
            float(took[-1]) if took else None)


def case_cluster(ctx):
    """k = 8 and 64 on 1M x 20 blobs: the whole process (ml-load | ml-cluster against pandas +
    KMeans, labels written by both), and the clustering alone, timed inside each program
    (ml-cluster -v's "clustering took" against KMeans.fit on an array np.load'ed)."""
    rows = []
    for k in (8, 64):
        for alone in (False, True):
            label = f"cluster k={k} {'fit alone' if alone else 'whole'} ({ctx.rows(1_000_000)} x 20)"
            case = f"cluster-{k}-{'fit' if alone else 'whole'}"
            ml = ctx.mlpipe_side(case, ["ml-load", "ml-cluster"])
            peer = ctx.python_side(case, "sklearn KMeans", ["pandas", "sklearn"])
            if not ctx.runnable(ml, peer):
                rows.append(make_row(label, ml, peer))
                continue
            d = ctx.data("blobs")
            bin_path = ctx.path("blobs.bin")
            if alone and ml.skip is None and not os.path.exists(bin_path) and not ctx.run_once(
                    "ml-load blobs", Command([[ctx.prog("ml-load"), d.path, "-o", bin_path]])):
                ml.error = "no binary input"
            ml_out, peer_out = ctx.path(f"{case}-ml.out"), ctx.path(f"{case}-peer.csv")
            cluster = [ctx.prog("ml-cluster"), "-k", str(k), "-v"]
            ml.cmd = (Command([cluster + [bin_path]], stdout=ml_out) if alone else
                      Command([[ctx.prog("ml-load"), d.path], cluster], stdout=ml_out))
            peer.cmd = (Command([[PYTHON, "-c", PEER_KMEANS_FIT, d.extra["npy"], str(k)]])
                        if alone else
                        Command([[PYTHON, "-c", PEER_KMEANS, d.path, str(k), peer_out]]))
            seen = {ml.name: [], peer.name: []}
            ctx.time_sides(case, [ml, peer],
                           lambda side, err: seen[side.name].append(parse_cluster_stderr(err)))
            if alone:  # the times inside the programs, not the processes'
                for side in (ml, peer):
                    inside = [t for _, _, t in seen[side.name] if t is not None]
                    if side.ok and len(inside) == len(side.times):
                        side.times = inside
                    elif side.ok:
                        side.error = "no 'clustering took' line in its stderr"

            def notes(seen=seen, ml=ml, peer=peer):
                found = {n: v[-1] for n, v in seen.items() if v}
                (mi, mn, _), (pi, pn, _) = found.get(ml.name, (None,) * 3), found.get(
                    peer.name, (None,) * 3)
                gap = f"inertia ml/sk - 1 = {mi / pi - 1:+.3%}" if mi and pi else ""
                return join_notes(gap, mn is not None and pn is not None and
                                  f"iterations ml {mn}, sk {pn}",
                                  mi and f"inertia ml {mi:.10g}", pi and f"sk {pi:.10g}")
            rows.append(make_row(label, ml, peer, quality(notes)))
    return rows


def with_rss(ctx, cmd, name):
    """cmd run under GNU time writing its peak RSS (KiB) to a file: (command, file), or (cmd,
    None) without /usr/bin/time. Costs no extra run; the file holds the last run's figure."""
    if len(cmd.stages) != 1 or not os.access("/usr/bin/time", os.X_OK):
        return cmd, None
    report = ctx.path(f"{name}.rss")
    timed = Command([["/usr/bin/time", "-f", "%M", "-o", report] + cmd.stages[0]], cmd.stdout)
    return timed, report


def read_rss(report):
    try:
        with open(report) as f:
            return int(f.read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError, TypeError):
        return None


TREES_REPEAT = 3  # repetitions of each trees fit at most: the full case stays within ~15 minutes


def trees_predict_row(ctx, kind, model, test_bin, n_test, peers, predict_seconds, repeat):
    """ml-predict -v MODEL on the binary test set against each peer's predict() on the same rows
    (timed inside its fit runs: no process start, no loading).  Two rows per peer: mlpipe's
    whole process (start, model file, reading, predicting, writing to /dev/null), and its
    predicting alone (what -v says the model's predict calls took), the like of the peer's."""
    import re
    rows = []
    ml = ctx.mlpipe_side(f"trees-{kind}-predict", ["ml-predict"])
    inside = []
    if ml.skip is None:
        ml.cmd = Command([[ctx.prog("ml-predict"), "-v", model, test_bin]])
        ctx.time_sides(f"trees-{kind}-predict", [ml], lambda side, err: inside.extend(
            float(v) for v in re.findall(r"predicting took ([0-9.eE+-]+) s", err)),
            repeat=repeat)
    alone = Side("mlpipe", skip=ml.skip)
    alone.times, alone.error = list(inside), ml.error
    if ml.ok and len(inside) != len(ml.times):
        alone.error = "no 'predicting took' line in ml-predict -v's stderr"
    for side in peers:
        peer = Side(f"{side.name} predict()", skip=side.skip)
        peer.times = list(predict_seconds.get(side.name, []))
        if side.skip is None and not peer.times:
            peer.error = "no predict time"
        form = os.path.splitext(test_bin)[1] or "binary"
        for mine, what in ((ml, f"whole ml-predict process on the {form} test set"),
                           (alone, "ml-predict -v's predicting time (the model alone)")):
            def notes(peer=peer, mine=mine, what=what):
                rates = [(n, n_test / s.median / 1e6)
                         for n, s in (("mlpipe", mine), (peer.name, peer))
                         if s.ok and s.median > 0]
                return join_notes(scores("M rows/s", rates, 2),
                                  f"mlpipe: {what}; peer: its predict() call alone")
            scope = "whole process" if mine is ml else "model alone"
            rows.append(make_row(f"{kind} predict, {scope} ({ctx.rows(1_000_000 // 4)} rows) vs "
                                 f"{peer.name}", mine, peer, quality(notes)))
    return rows


def case_trees(ctx):
    """gbdt (100 rounds, depth 6, lr 0.1) on 750k x 20, classification and regression, against
    xgboost hist and HistGradientBoosting; forest (100 trees) and a single tree on 200k rows
    against scikit-learn; predict throughput of each model against the peer's predict(); the
    peak RSS of every fit; gbdt's fit time at 250k, 1M and 4M rows against xgboost (not with
    --quick). Whole processes reading the data's binary form (mlpipe: ml-load'ed once, untimed,
    or .npy; peers: .npy, so their times include Python's start, about a second); test scores
    on the same 250k held-out rows.  gbdt regression's RMSE is judged over data seeds, in rows of
    its own (trees_seeds_rows), not from the one seed of the regression fit row."""
    rows = []
    repeat = min(ctx.repeat, TREES_REPEAT)
    machine = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start"
    test = ctx.data("trees-test")
    boost = boost_options(100)
    xgb, hgb = ("xgboost hist", "xgboost", ["xgboost"]), ("sklearn HistGradientBoosting", "hgb",
                                                          ["sklearn"])
    plans = [("gbdt", "trees-train", "trees-test", [xgb, hgb], boost),
             ("gbdt regression", "trees-reg-train", "trees-reg-test",
              [(n, k + "-reg", m) for n, k, m in (xgb, hgb)], boost),
             ("forest", "trees-small", "trees-test",
              [("sklearn RandomForest", "forest", ["sklearn"])], ["--trees", "100"]),
             ("tree", "trees-small", "trees-test",
              [("sklearn DecisionTree", "tree", ["sklearn"])], [])]
    for kind, train_name, test_name, peers, options in plans:
        regression = kind.endswith("regression")
        train, test = ctx.data(train_name), ctx.data(test_name)
        label = f"{kind} fit ({train.rows} x 20)"
        case = f"trees-{kind.replace(' ', '-')}"
        ml = ctx.mlpipe_side(case, ["ml-load", "ml-fit", "ml-predict"])
        sides = [ctx.python_side(case, name, ["numpy"] + mods) for name, _, mods in peers]
        if not ctx.runnable(ml, *sides):
            rows += [make_row(label + f" vs {p.name}", ml, p) for p in sides]
            continue
        model = ctx.path(f"{case}.model")
        if regression:
            fit_input, test_bin, target = train.path, test.path, ["-t", "c21"]
        else:
            fit_input, test_bin, target = (ctx.path(f"{train_name}.bin"),
                                           ctx.path(f"{test_name}.bin"), ["-t", "label"])
            for name, data, out in ((train_name, train, fit_input), (test_name, test, test_bin)):
                if ml.skip is None and not os.path.exists(out) and not ctx.run_once(
                        f"ml-load {name}", Command([[ctx.prog("ml-load"), "-t", "label",
                                                     data.path, "-o", out]])):
                    ml.error = "no binary input"
        ml.cmd, ml_rss = with_rss(ctx, Command([[ctx.prog("ml-fit"), kind.split()[0], *target,
                                                 "-j", "2", *options, fit_input, "-o", model]]),
                                  f"{case}-ml")
        rss, score, predict_seconds = {}, {}, {}
        for side, (_, peer_kind, _) in zip(sides, peers):
            side.cmd, rss[side.name] = with_rss(ctx, Command([[
                PYTHON, "-c", PEER_TREES, peer_kind, train.extra["npy"], train.extra["y"],
                test.extra["npy"], test.extra["y"]]]), f"{case}-{peer_kind}")
        metric = "rmse" if regression else "accuracy"

        def seen(side, err):
            import re
            found = re.findall(metric + r" ([0-9.eE+-]+)", err)
            if found:
                score[side.name] = float(found[-1])
            predict_seconds.setdefault(side.name, []).extend(
                float(v) for v in re.findall(r"predict-seconds ([0-9.eE+-]+)", err))
        ctx.time_sides(case, [ml, *sides], seen, repeat=repeat)

        def ml_score(ml=ml, model=model, test=test):
            pred = ml_predictions(ctx, model, test, numeric=regression) if ml.ok else None
            if pred is None:
                return None
            if regression:
                import numpy as np
                return float(np.sqrt(np.mean((pred - test.extra["target"]) ** 2)))
            return float((pred == test.extra["labels"]).mean())
        mine = quality(ml_score)
        mine = mine if isinstance(mine, float) else None
        for side in sides:
            def notes(side=side):
                peak = [(n, read_rss(r)) for n, r in (("mlpipe", ml_rss),
                                                      (side.name, rss.get(side.name)))]
                return join_notes(
                    scores(f"test {'RMSE' if regression else 'acc'}",
                           [("mlpipe", mine), (side.name, score.get(side.name))], 4),
                    scores("peak RSS MiB", peak, 0), machine)
            rows.append(make_row(f"{label} vs {side.name}", ml, side, quality(notes)))
        if ml.ok:
            rows += trees_predict_row(ctx, kind, model, test_bin, test.rows, sides,
                                      predict_seconds, repeat)
    rows += trees_seeds_rows(ctx, machine, plans[1][3])
    if not ctx.quick:
        rows += trees_scaling_rows(ctx, machine)
    return rows


TREES_SEEDS = (31, 32, 33, 34, 35)  # data seeds of gbdt regression's RMSE judged over seeds
TREES_SEEDS_ROUNDS = 300  # rounds by which every side has found x1*x2 on every seed


def boost_options(rounds):
    """ml-fit gbdt's options for the peers' settings: depth 6, learning rate 0.1."""
    return ["--trees", str(rounds), "--max-depth", "6", "--learning-rate", "0.1"]


def trees_seeds_rows(ctx, machine, peers):
    """gbdt regression's test RMSE over the data seeds TREES_SEEDS against each peer, after
    TREES_SEEDS_ROUNDS rounds: one fit per side and seed, on the gbdt rows' 750k training rows
    (75k with --quick) and 250k test rows of _trees_problem(seed).  After 100 rounds one seed's
    RMSE is a draw from a wide spread (_trees_problem's docstring says why); by 300 every side
    has found x1*x2 on every seed and the test RMSEs sit within a few percent of the noise
    floor, so equal scores can be judged, and the summed fit times are the time ratio at that
    score (about four minutes in all on a quiet 2-core machine).  The row's seconds are each
    side's fit times summed over the seeds (peers: whole processes, predict included, as in
    the gbdt regression row); mlpipe's RMSE comes from an untimed ml-predict."""
    import numpy as np
    n = ctx.size(1_000_000)
    rounds = TREES_SEEDS_ROUNDS
    label = (f"gbdt regression test RMSE, {rounds} rounds, over {len(TREES_SEEDS)} data seeds "
             f"({n * 3 // 4} x 20)")
    ml = ctx.mlpipe_side("trees-seeds", ["ml-fit", "ml-predict"])
    sides = [ctx.python_side("trees-seeds", name, ["numpy"] + mods) for name, _, mods in peers]
    if not ctx.runnable(ml, *sides):
        return [make_row(f"{label} vs {p.name}", ml, p) for p in sides]
    table = {}  # seed -> {side name: test RMSE}
    for seed in TREES_SEEDS:
        table[seed] = got = {}
        X, z, _ = _trees_problem(n, seed)
        t = n * 3 // 4
        arrays = {"train": np.column_stack([X[:t], z[:t]]), "x": X[:t], "y": z[:t], "tx": X[t:],
                  "ty": z[t:], "test": np.column_stack([X[t:], z[t:]])}
        files = {name: ctx.path(f"seeds-{name}.npy") for name in arrays}
        for name, a in arrays.items():
            np.save(files[name], a)
        del arrays
        model = ctx.path("seeds.model")
        runs = [Side(s.name) for s in (ml, *sides)]
        runs[0].cmd = Command([[ctx.prog("ml-fit"), "gbdt", "-t", "c21", "-j", "2",
                                *boost_options(rounds), files["train"], "-o", model]])
        for run, (_, peer_kind, _) in zip(runs[1:], peers):
            run.cmd = Command([[PYTHON, "-c", PEER_TREES, peer_kind, files["x"], files["y"],
                                files["tx"], files["ty"], f"rounds={rounds}"]])
        for agg, run in zip((ml, *sides), runs):
            run.cmd = run.cmd if agg.error is None else None  # a side that failed once stops

        def seen(side, err):
            import re
            found = re.findall(r"rmse ([0-9.eE+-]+)", err)
            if found:
                got[side.name] = float(found[-1])
        ctx.time_sides(f"trees-seeds-{seed}", runs, seen, repeat=1)
        pred = (ml_predictions(ctx, model, Dataset("seeds-test", files["test"], n - t, 21), True)
                if runs[0].ok else None)
        if pred is not None:
            got[ml.name] = float(np.sqrt(np.mean((pred - z[t:]) ** 2)))
        for agg, run in zip((ml, *sides), runs):
            if run.ok and run.name in got:
                agg.times.extend(run.times)
            elif agg.error is None:
                agg.error = run.error or "no test RMSE"
        say(f"    seed {seed} ({t} training rows): test RMSE " +
            ", ".join(f"{name} {v:.4f}" for name, v in got.items()))
        for path in files.values():
            os.remove(path)
    for s in (ml, *sides):
        s.times = [sum(s.times)] if s.ok else s.times
    rows = []
    for side in sides:
        def notes(side=side):
            both = [(r[ml.name], r[side.name]) for r in table.values()
                    if ml.name in r and side.name in r]
            spread = [(who, [r[who] for r in table.values() if who in r])
                      for who in (ml.name, side.name)]
            return join_notes(
                "test RMSE mean (min..max): " + ", ".join(
                    f"{who} {np.mean(v):.4f} ({min(v):.4f}..{max(v):.4f})" for who, v in spread if v),
                f"mlpipe lower on {sum(a < b for a, b in both)} of {len(both)} seeds "
                f"{TREES_SEEDS[0]}..{TREES_SEEDS[-1]}", "seconds: fits summed over the seeds",
                machine)
        rows.append(make_row(f"{label} vs {side.name}", ml, side, quality(notes)))
    return rows


def trees_scaling_rows(ctx, machine):
    """gbdt's fit time at 250k, 1M and 4M rows of the same problem against xgboost hist, one run
    each (the 4M fits take minutes): .npy inputs made for each size and deleted after it."""
    import numpy as np
    rows = []
    ml = ctx.mlpipe_side("trees-scaling", ["ml-fit"])
    peer = ctx.python_side("trees-scaling", "xgboost hist", ["numpy", "xgboost"])
    if not ctx.runnable(ml, peer):
        return [make_row("gbdt fit scaling vs xgboost hist", ml, peer)]
    previous = None
    for n in (250_000, 1_000_000, 4_000_000):
        X, _, y = _trees_problem(n, seed=37)
        both, xs, ys = (ctx.path(f"scaling-{n}.npy"), ctx.path(f"scaling-{n}-X.npy"),
                        ctx.path(f"scaling-{n}-y.npy"))
        np.save(both, np.column_stack([X, y]))
        np.save(xs, X)
        np.save(ys, y)
        del X, y
        ml_n, peer_n = Side("mlpipe"), Side("xgboost hist")
        ml_n.cmd, ml_rss = with_rss(ctx, Command([[
            ctx.prog("ml-fit"), "gbdt", "-t", "c21", "--task", "classification", "-j", "2",
            *boost_options(100), both,
            "-o", ctx.path("scaling.model")]]), "scaling-ml")
        peer_n.cmd, peer_rss = with_rss(ctx, Command([[PYTHON, "-c", PEER_TREES, "xgboost", xs, ys,
                                                       xs, ys, "fit-only"]]), "scaling-xgb")
        ctx.time_sides(f"trees-scaling-{n}", [ml_n, peer_n], repeat=1)
        for path in (both, xs, ys):
            os.remove(path)

        def notes(ml_n=ml_n, peer_n=peer_n, previous=previous, ml_rss=ml_rss, peer_rss=peer_rss):
            growth = None
            if previous and ml_n.ok and previous[0].ok:
                growth = f"x{n // previous[1]} rows: mlpipe x{ml_n.median / previous[0].median:.2f}"
                if peer_n.ok and previous[2].ok:
                    growth += f", xgboost x{peer_n.median / previous[2].median:.2f}"
            return join_notes("one run each", growth,
                              scores("peak RSS MiB", [("mlpipe", read_rss(ml_rss)),
                                                      ("xgboost", read_rss(peer_rss))], 0),
                              machine)
        rows.append(make_row(f"gbdt fit scaling ({n // 1000}k x 20) vs xgboost hist", ml_n, peer_n,
                             quality(notes)))
        previous = (ml_n, n, peer_n)
    return rows


class LineReader:
    """Read lines from a pipe with a timeout, so a program that never answers cannot hang us."""

    def __init__(self, fd):
        self.fd, self.buf = fd, b""

    def readline(self, timeout):
        deadline = time.perf_counter() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no answer line within {timeout:.0f} s")
            if select.select([self.fd], [], [], left)[0]:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise EOFError("output closed before an answer arrived")
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")


def case_service_latency(ctx):
    label = "service-latency (per row)"
    ml = ctx.mlpipe_side("service-latency", ["ml-fit", "ml-predict"])
    if ml.skip is not None:
        return [make_row(label, ml, None)]
    model = ctx.mlpipe_model("logistic")
    if not model:
        ml.error = "no model"
        return [make_row(label, ml, None, "could not train the logistic model")]
    test = ctx.data("classification-test")
    n = min(ctx.size(2000), test.rows - 1)  # timed requests, after one warm-up request
    X = test.extra["X"][:n + 1].tolist()
    header = (",".join(test.extra["features"]) + "\n").encode()  # a request carries no label
    requests = [(",".join(repr(v) for v in r) + "\n").encode() for r in X]

    argv = [ctx.prog("ml-predict"), "--line-buffered", model]
    errpath = ctx.path("service.stderr")
    lat, answers, failure = [], [], None
    try:
        with open(errpath, "wb") as err:
            t_start = time.perf_counter()
            p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                 bufsize=0)
    except OSError as e:
        ml.error = str(e)
        say(f"  FAIL service-latency: cannot start {argv[0]}: {e}")
        return [make_row(label, ml, None)]
    reader = LineReader(p.stdout.fileno())
    try:
        # Untimed warm-up: the first answer also pays for start-up and model loading. The output
        # header `prediction` may come right after the input header or with the first answer.
        p.stdin.write(header + requests[0])
        line = reader.readline(30.0)
        if line.strip() == "prediction":
            line = reader.readline(30.0)
        startup = time.perf_counter() - t_start
        for req in requests[1:]:
            t0 = time.perf_counter()
            p.stdin.write(req)
            line = reader.readline(10.0)
            lat.append(time.perf_counter() - t0)
            answers.append(line.strip())
    except (OSError, TimeoutError, EOFError) as e:
        failure = f"after {len(answers)} answers: {e}"
    finally:
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()
    if failure is None and p.returncode:
        failure = f"exit status {p.returncode} after all answers"
    if failure:
        with open(errpath, "rb") as f:
            errtext = f.read()[-4000:].decode("utf-8", "replace")
        ml.error = failure
        say(f"  FAIL service-latency: {' '.join(shlex.quote(a) for a in argv)}: {failure}\n"
            f"{tail(errtext)}")
        return [make_row(label, ml, None)]
    import numpy as np
    us = np.array(lat) * 1e6
    acc = (np.array(answers) == test.extra["labels"][1:n + 1]).mean()
    row = make_row(label, ml, None,
                   f"median of {n} round trips; p99 {np.percentile(us, 99):.0f} us, "
                   f"max {us.max():.0f} us; start-up to first answer {startup * 1e3:.0f} ms; "
                   f"answers' accuracy {acc:.4f}")
    row.ml = f"{np.median(us):.0f} us"
    return [row]


# --- ml-serve against the Python web services a team would write ----------------------------

PEER_FASTAPI = """\
import os, pickle
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel
with open(os.environ["MODEL_PKL"], "rb") as f:
    model = pickle.load(f)
app = FastAPI()
class Rows(BaseModel):
    rows: list
@app.post("/v1/models/iris/predict")
def predict(body: Rows):
    X = pd.DataFrame(body.rows)[model.feature_names_in_]
    return {"predictions": model.predict(X).tolist()}
"""

PEER_FLASK = """\
import os, pickle
import pandas as pd
from flask import Flask, jsonify, request
with open(os.environ["MODEL_PKL"], "rb") as f:
    model = pickle.load(f)
app = Flask(__name__)
@app.post("/v1/models/iris/predict")
def predict():
    X = pd.DataFrame(request.get_json()["rows"])[model.feature_names_in_]
    return jsonify(predictions=model.predict(X).tolist())
"""

PEER_FIT_IRIS = """\
import pickle, sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
df = pd.read_csv(sys.argv[1])
y = df.pop("species")
with open(sys.argv[2], "wb") as f:
    pickle.dump(LogisticRegression(max_iter=1000).fit(df, y), f)
"""

WRK_POST = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY"), "rb")
wrk.body = f:read("*a")
f:close()
local pause = tonumber(os.getenv("PAUSE_MS") or "0")
if pause > 0 then
    -- Pauses drawn evenly from 0..2*pause whole milliseconds (wrk's timers count whole
    -- ms): the same mean rate, but connections that start together do not stay in step
    -- and fire in bursts, which would measure queueing behind the burst, not the server.
    math.randomseed(os.time())
    function delay() return math.random(0, 2 * pause) end
end
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc, port, timeout=30.0):
    """Wait until the server answers HTTP on port (any status); False if it exits or never does."""
    import urllib.error
    import urllib.request
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
            return True
        except urllib.error.HTTPError:
            return True  # it answers: a 404 for / is an answer
        except OSError:
            time.sleep(0.1)
    return False


def run_wrk(port, body_path, connections, seconds, tmp, pause_ms=0, wrap=()):
    """wrk against the predict endpoint: (requests/s, p50 ms, p99 ms, non-2xx) or an error.
    pause_ms > 0: each connection waits 0..2*pause_ms ms (mean pause_ms) before each request
    (a paced load). wrap: a command wrk runs under (taskset)."""
    script = os.path.join(tmp, "post.lua")
    with open(script, "w") as f:
        f.write(WRK_POST)
    argv = list(wrap) + ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s",
            script, f"http://127.0.0.1:{port}/v1/models/iris/predict"]
    r = subprocess.run(argv, capture_output=True, text=True,
                       env=dict(os.environ, BODY=body_path, PAUSE_MS=str(pause_ms)),
                       timeout=seconds + 60)
    if r.returncode != 0:
        return None, f"wrk: {tail(r.stderr)}"
    out = r.stdout

    def ms(label):
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == label:
                v = parts[1]
                for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
                    if v.endswith(unit):
                        return float(v[:-len(unit)]) * scale
        return float("nan")
    rps = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("Requests/sec")), 0)
    bad = next((int(l.split()[-1]) for l in out.splitlines() if "Non-2xx" in l), 0)
    return (rps, ms("50%"), ms("99%"), bad), None


def stop_server(proc):
    """SIGTERM (the server drains), SIGKILL after 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def at_half_rate(port, body_path, top, seconds, tmp, wrap=()):
    """Latency at half the maximum rate top (a run_wrk result): wrk has no fixed rate, so each
    connection pauses a random whole number of milliseconds (mean pause_ms) before each request,
    as many connections as make half the rate (the rate reached is reported). The run_wrk result
    plus (top rate, connections, pause_ms), or None."""
    if not top or top[0] <= 0:
        return None
    target = top[0] / 2
    pause_ms = max(1, round(16000 / target))
    paced = max(1, round(target * pause_ms / 1000))
    half = None
    # wrk's timers are coarse: the rate reached sets the connections again.
    for attempt in range(3):
        got, why = run_wrk(port, body_path, paced, seconds, tmp, pause_ms, wrap)
        if not got:
            break
        half = got + (top[0], paced, pause_ms)
        if got[0] <= 0 or abs(got[0] / target - 1) < 0.1:
            break
        paced = max(1, min(512, round(paced * target / got[0])))
    return half


# The latency rows' open-loop generator (scripts/openload.c). wrk is closed-loop with
# whole-millisecond pauses: at half rate its requests leave in bursts, one per timer tick, and a
# request held behind a slow answer is never charged for the wait. openload sends at Poisson
# arrival times kept in nanoseconds and counts each latency from when the request was due.
OPENLOAD_RUNS = 3
OPENLOAD_WARMUP = 1  # seconds sent before the measured ones, not counted


def bench_tool(ctx, name, libs, rows):
    """Path of scripts/NAME.c compiled with cc -O2 into the bench's temp dir on first use (bench
    tooling: `make` and `make install` build only the product); None, said once, if it cannot."""
    attr = "tool_" + name
    if not hasattr(ctx, attr):
        path = ctx.path(name)
        src = os.path.join(REPO, "scripts", f"{name}.c")
        try:
            r = subprocess.run(["cc", "-O2", "-o", path, src] + libs,
                               capture_output=True, text=True, timeout=120)
            why = None if r.returncode == 0 else tail(r.stderr)
        except OSError as e:
            why = str(e)
        if why:
            say(f"  skip {rows}: cannot compile scripts/{name}.c\n{why}")
            path = None
        setattr(ctx, attr, path)
    return getattr(ctx, attr)


def openload_tool(ctx):
    return bench_tool(ctx, "openload", ["-lm"], "serve Poisson-arrival rows")


def run_openload(tool, port, body_path, rate, seconds, wrap=()):
    """One openload run against the predict endpoint at a mean rate: a dict of its figures
    (scheduled, completed, rate, p50_us, p90_us, p99_us, p999_us, max_us, non2xx, errors), or
    None and why."""
    argv = list(wrap) + [tool, "-r", f"{rate:.0f}", "-d", str(seconds),
                         "-w", str(OPENLOAD_WARMUP), "-c", "16",
                         "-b", body_path, f"http://127.0.0.1:{port}/v1/models/iris/predict"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if r.returncode != 0:
        return None, f"openload: {tail(r.stderr)}"
    return {k: float(v) for k, v in (f.split("=") for f in r.stdout.split())}, None


# The floor under the Poisson rows: the same load against scripts/nullserve.c, a server that
# reads each request and answers a fixed body of ml-serve's answer's size, doing no work. Its
# latency is the machine's, the kernel's and the client's share of ml-serve's. The work floor
# is nullserve again, spending (-s) as much CPU time on each request as ml-serve spent beyond
# the floor's own in the run before: the latency of any server doing ml-serve's work in that
# time, so that what the work costs in the tail is told apart from how ml-serve does it.
def start_floor(ctx, ml_port, body_path, threads, wrap=(), spin_us=0, size=None):
    """nullserve with threads threads answering size bytes (by default as many as ml-serve
    answers body_path, asked once on ml_port), after spending spin_us of CPU time on each
    request: (process, port, answer bytes), or None, said, if it cannot."""
    import urllib.request
    tool = bench_tool(ctx, "nullserve", ["-lpthread"], "serve floor rows")
    if tool is None:
        return None
    try:
        if size is None:
            with open(body_path, "rb") as f:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{ml_port}/v1/models/iris/predict", data=f.read(),
                    headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as answer:
                size = len(answer.read())
    except OSError as e:
        say(f"  skip serve floor row: no answer from ml-serve to size it: {e}")
        return None
    proc = subprocess.Popen(list(wrap) + [tool, "-j", str(threads), "-n", str(size),
                                          "-s", f"{spin_us:.0f}", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = LineReader(proc.stdout.fileno()).readline(10)
        return proc, int(line.rsplit(":", 1)[1]), size
    except (TimeoutError, EOFError, ValueError, IndexError) as e:
        say(f"  skip serve floor row: nullserve did not say its port: {e}")
        stop_server(proc)
        return None


def stop_floor(floor):
    if floor:
        stop_server(floor[0])
        floor[0].stdout.close()


def duration_buckets(port):
    """ml-serve's request-duration histogram of the iris model, from its /metrics: the
    cumulative [(upper bound in seconds, count)] in ascending order, or None."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    prefix = 'mlpipe_serve_request_duration_seconds_bucket{model="iris",le="'
    buckets = []
    for line in text.splitlines():
        if line.startswith(prefix):
            bound, count = line[len(prefix):].split('"} ')
            buckets.append((float(bound), float(count)))
    return buckets or None


def own_p99_us(before, after):
    """The upper bound (us) of the histogram bucket that holds the 99th percentile of the
    requests answered between two duration_buckets scrapes, or None."""
    if not before or not after or len(before) != len(after):
        return None
    deltas = [(bound, a - b) for (bound, a), (_, b) in zip(after, before)]
    total = deltas[-1][1]
    return next((bound * 1e6 for bound, n in deltas if n >= 0.99 * total), None) if total > 0 else None


def cpu_seconds(pid):
    """The CPU time (user and system) a process has spent, in seconds; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_openload(tool, pid, port, body_path, rate, seconds, wrap=()):
    """run_openload, its figures also with the server's (pid's) CPU time per request in us
    under "cpu_us": its CPU time over the run, warm-up included, over the requests sent in
    it (those counted, scaled to the whole run)."""
    before = cpu_seconds(pid)
    got, why = run_openload(tool, port, body_path, rate, seconds, wrap)
    after = cpu_seconds(pid)
    if got and before is not None and after is not None and got["scheduled"] > 0:
        sent = got["scheduled"] * (seconds + OPENLOAD_WARMUP) / seconds
        got["cpu_us"] = 1e6 * (after - before) / sent
    return got, why


def poisson_half(ctx, server, body_path, top, seconds, wrap=(), floor=None, work_floor=None):
    """OPENLOAD_RUNS openload runs at half the maximum rate top (a run_wrk result) against
    server (process, port), each followed by one against the floor (a start_floor result)
    when given, then one against a work floor (work_floor(spin_us, answer bytes) starts one,
    a start_floor result) spending per request the CPU time the server spent beyond the
    floor's, so all see the same moments of the machine: the lists of their figures, each
    with the top rate under "top" (the floors' also with their answer's size under "answer",
    the work floor's with its spin under "spin_us"); None for a list where none ran."""
    tool = openload_tool(ctx)
    if tool is None or not top or top[0] <= 0:
        return None, None, None
    proc, port = server
    runs, floor_runs, work_runs = [], [], []
    for _ in range(OPENLOAD_RUNS):
        before = duration_buckets(port)
        got, why = measured_openload(tool, proc.pid, port, body_path, top[0] / 2, seconds, wrap)
        if why:
            say(f"  FAIL serve Poisson arrivals: {why}")
            break
        runs.append(dict(got, top=top[0], own_p99_us=own_p99_us(before, duration_buckets(port))))
        if not floor:
            continue
        got, why = measured_openload(tool, floor[0].pid, floor[1], body_path, top[0] / 2,
                                     seconds, wrap)
        if why:
            say(f"  FAIL serve floor: {why}")
            floor = None
            continue
        floor_runs.append(dict(got, top=top[0], answer=floor[2]))
        if work_floor and "cpu_us" in runs[-1] and "cpu_us" in got:
            spin = max(0.0, runs[-1]["cpu_us"] - got["cpu_us"])
            busy = work_floor(spin, floor[2])
            if busy:
                try:
                    got, why = measured_openload(tool, busy[0].pid, busy[1], body_path,
                                                 top[0] / 2, seconds, wrap)
                finally:
                    stop_floor(busy)
                if why:
                    say(f"  FAIL serve work floor: {why}")
                    work_floor = None
                else:
                    work_runs.append(dict(got, top=top[0], answer=busy[2], spin_us=spin))
    return runs or None, floor_runs or None, work_runs or None


def fig(runs, key, scale=1e3, fmt=".3f"):
    """The median (and range) over runs of a figure."""
    vals = sorted(r[key] / scale for r in runs)
    text = format(statistics.median(vals), fmt)
    return text if len(vals) < 2 else f"{text} ({format(vals[0], fmt)}-{format(vals[-1], fmt)})"


def poisson_figures(runs):
    """The latency figures of a Poisson-arrival row, and the rate reached."""
    target = runs[0]["top"] / 2
    bad = sum(r["non2xx"] + r["scheduled"] - r["completed"] for r in runs)
    return (f"p50 {fig(runs, 'p50_us')} ms, p99 {fig(runs, 'p99_us')} ms, "
            f"p99.9 {fig(runs, 'p999_us')} ms, medians (ranges) of {len(runs)} runs "
            f"(of it openload's own lag, due to written: p99 {fig(runs, 'send_lag_p99_us')} ms"
            + (f"; ml-serve's own time, from a request's head read to its answer sent, by its "
               f"/metrics histogram: p99 within {fig(runs, 'own_p99_us', fmt='g')} ms"
               if all(r.get("own_p99_us") for r in runs) else "")
            + "); "
            + f"{100 * statistics.median(r['rate'] for r in runs) / target:.0f}% of the target "
            f"{target:.0f}/s (half the {runs[0]['top']:.0f}/s above)"
            + (f"; {bad:.0f} non-2xx, failed or unanswered" if bad else ""))


def poisson_notes(runs, pinned):
    """A Poisson-arrival row's notes: the median and range over runs of each figure."""
    return (poisson_figures(runs)
            + "; openload (scripts/openload.c, 16 connections): Poisson arrivals, latency from "
            "when each request was due (wrk's whole-ms pauses send in bursts)"
            + ("; ml-serve -j 1 on CPU 1, openload on CPU 0 (taskset)" if pinned else ""))


def median_p99(runs):
    return statistics.median(r["p99_us"] for r in runs)


def floor_notes(floor_runs, runs, threads, pinned):
    """The floor row's notes: its figures, what it is, and ml-serve's p99 over it."""
    return (f"floor: the same load against nullserve (scripts/nullserve.c -j {threads}: reads "
            f"each request, answers {floor_runs[0]['answer']} bytes as ml-serve does, no work), "
            f"its runs alternating with ml-serve's: "
            + poisson_figures(floor_runs)
            + f"; ml-serve's median p99 {median_p99(runs) / median_p99(floor_runs):.1f}x "
            "the floor's"
            + ("; nullserve on CPU 1, openload on CPU 0 (taskset)" if pinned else ""))


def work_floor_notes(work_runs, runs, floor_runs, threads, pinned):
    """The work floor row's notes: what it spent, its figures, and ml-serve's p99 over it."""
    return (f"work floor: nullserve -j {threads} -s S, spending S us of CPU time on each "
            f"request, ml-serve's CPU time per request in the run before less the floor's "
            f"(S {fig(work_runs, 'spin_us', 1, '.0f')} us; ml-serve {fig(runs, 'cpu_us', 1, '.0f')}"
            f" us, the floor {fig(floor_runs, 'cpu_us', 1, '.0f')} us): any server doing "
            f"ml-serve's work in that time, at the same load; its runs alternating with the "
            f"others': " + poisson_figures(work_runs)
            + f"; ml-serve's median p99 {median_p99(runs) / median_p99(work_runs):.1f}x "
            "this floor's"
            + ("; nullserve on CPU 1, openload on CPU 0 (taskset)" if pinned else ""))


def serve_pinned(ctx, model, body_path, seconds):
    """ml-serve -j 1 on CPU 1 and wrk, then openload, on CPU 0 (taskset): the 1000-row rate and
    the latency at half of it (wrk's, openload's, and openload's against the floor, nullserve
    -j 1 on CPU 1) when neither takes the other's processor; None where taskset or a second CPU
    is missing."""
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return None
    port = free_port()
    proc = subprocess.Popen(["taskset", "-c", "1", ctx.prog("ml-serve"), "--listen",
                             f"127.0.0.1:{port}", "-j", "1", f"iris={model}"],
                            stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        if not wait_ready(proc, port):
            return None
        wrap = ("taskset", "-c", "0")
        top, why = run_wrk(port, body_path, 16, seconds, ctx.tmp, wrap=wrap)
        if why:
            return None
        half = at_half_rate(port, body_path, top, seconds, ctx.tmp, wrap)
        on_1 = ("taskset", "-c", "1")
        floor = start_floor(ctx, port, body_path, 1, on_1)
        try:
            return (top, half) + poisson_half(
                ctx, (proc, port), body_path, top, seconds, wrap, floor,
                lambda spin, size: start_floor(ctx, port, body_path, 1, on_1, spin, size))
        finally:
            stop_floor(floor)
    finally:
        stop_server(proc)


# Rounds of the maximum-rate runs: each side in turn, so that a slow moment of the machine
# falls on one run of one side, not on all of a side's; the median run counts.
SERVE_ROUNDS = 3


def serve_max_rates(ctx, servers, body_path, n, connections, seconds):
    """wrk at full rate against each running server in turn, SERVE_ROUNDS times: for each side
    its median run (requests/s, p50, p99, non-2xx) and, fifth, every run's rate sorted."""
    runs = {}
    for _ in range(1 if ctx.quick else SERVE_ROUNDS):
        for side, proc, port, err in servers:
            if side.error is not None:
                continue
            got, why = run_wrk(port, body_path, connections, seconds, ctx.tmp)
            if why:
                side.error = why
                say(f"  FAIL serve {side.name} ({n} rows): {why}")
                continue
            runs.setdefault(side.name, []).append(got)
            progress(f"    serve {side.name} {n} rows: {got[0]:.0f} req/s")
    medians = {}
    for name, got in runs.items():
        got.sort(key=lambda run: run[0])
        middle = got[(len(got) - 1) // 2]
        medians[name] = (*middle[:4], [run[0] for run in got])
    return medians


def case_serve(ctx):
    """Requests per second and latency of ml-serve against FastAPI + uvicorn and Flask +
    gunicorn serving the same logistic regression (iris), driven by wrk on the same machine;
    ml-serve's latency at half its rate also with Poisson arrivals from openload, and the same
    load against nullserve, a server that does no work, as the machine's floor."""
    import numpy as np
    rows = []
    seconds = 2 if ctx.quick else 10
    connections = 16
    if shutil.which("wrk") is None:
        say("  skip serve: wrk not found (Debian package wrk)")
        return [Row("serve", "skip", "skip", "-", "wrk not installed")]
    ml = ctx.mlpipe_side("serve", ["ml-fit", "ml-serve"])
    fastapi = ctx.python_side("serve", "fastapi+uvicorn", ["fastapi", "uvicorn", "pandas", "sklearn"])
    flask = ctx.python_side("serve", "flask+gunicorn", ["flask", "pandas", "sklearn"])
    if flask.skip is None and shutil.which("gunicorn") is None:
        flask.skip = "gunicorn not found (Debian package gunicorn)"
        say(f"  skip serve peer flask+gunicorn: {flask.skip}")
    iris = os.path.join(REPO, "tests", "data", "iris.csv")
    import csv as csvmod
    with open(iris, newline="") as f:
        records = list(csvmod.DictReader(f))
    features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    bodies = {}
    for n in (1, 1000):
        picked = [records[i % len(records)] for i in range(n)]
        text = '{"rows":[' + ",".join(
            "{" + ",".join(f'"{k}":{r[k]}' for k in features) + "}" for r in picked) + "]}"
        bodies[n] = ctx.path(f"serve-{n}.json")
        with open(bodies[n], "w") as f:
            f.write(text)
    model = ctx.path("serve-iris.model")
    pkl = ctx.path("serve-iris.pkl")
    if ml.skip is None and not ctx.run_once("ml-fit iris", Command(
            [[ctx.prog("ml-fit"), "logistic", "-t", "species", iris, "-o", model]])):
        ml.error = "no model"
    if (fastapi.skip is None or flask.skip is None) and not ctx.run_once(
            "scikit-learn iris fit", Command([[PYTHON, "-c", PEER_FIT_IRIS, iris, pkl]])):
        fastapi.error = flask.error = "no model"
    app_dir = ctx.path("serve-apps")
    os.makedirs(app_dir, exist_ok=True)
    for name, text in (("fastapi_app.py", PEER_FASTAPI), ("flask_app.py", PEER_FLASK)):
        with open(os.path.join(app_dir, name), "w") as f:
            f.write(text)
    workers = str(os.cpu_count() or 2)

    def command(side, port):
        if side is ml:
            return [ctx.prog("ml-serve"), "--listen", f"127.0.0.1:{port}", "-j", workers,
                    f"iris={model}"]
        if side is fastapi:
            return [PYTHON, "-m", "uvicorn", "--app-dir", app_dir, "--port", str(port),
                    "--workers", workers, "--log-level", "warning", "fastapi_app:app"]
        return ["gunicorn", "--chdir", app_dir, "-w", workers, "-b", f"127.0.0.1:{port}",
                "--log-level", "warning", "flask_app:app"]

    results = {}
    servers = []  # (side, process, port, stderr file): all up at once, measured in turn
    try:
        for side in (ml, fastapi, flask):
            if side.skip is not None or side.error is not None:
                continue
            port = free_port()
            err = open(ctx.path(f"serve-{side.name}.stderr"), "wb")
            proc = subprocess.Popen(command(side, port), stderr=err, stdout=subprocess.DEVNULL,
                                    env=dict(os.environ, MODEL_PKL=pkl))
            servers.append((side, proc, port, err))
            if not wait_ready(proc, port):
                side.error = "did not start"
                say(f"  FAIL serve {side.name}: did not start")
        rss = []
        ml_server = next((server for server in servers if server[0] is ml), None)
        for n in (1, 1000):
            runs = serve_max_rates(ctx, servers, bodies[n], n, connections, seconds)
            for name, got in runs.items():
                results[(name, n)] = got
            if ml_server and ml.error is None:
                with open(f"/proc/{ml_server[1].pid}/status") as f:
                    rss += [l.split()[1] for l in f if l.startswith("VmRSS")]
        if ml_server and ml.error is None:
            port = ml_server[2]
            for n in (1, 1000):
                half = at_half_rate(port, bodies[n], results.get((ml.name, n)), seconds,
                                    ctx.tmp)
                if half:
                    results[(ml.name, "half", n)] = half
                floor = start_floor(ctx, port, bodies[n], workers)
                try:
                    got = poisson_half(
                        ctx, (ml_server[1], port), bodies[n], results.get((ml.name, n)),
                        seconds, floor=floor,
                        work_floor=lambda spin, size: start_floor(
                            ctx, port, bodies[n], workers, spin_us=spin, size=size))
                finally:
                    stop_floor(floor)
                for key, runs in zip(("poisson", "poisson floor", "poisson work floor"), got):
                    if runs:
                        results[(ml.name, key, n)] = runs
            results[(ml.name, "rss")] = " -> ".join(f"{int(k) // 1024} MiB" for k in rss)
    finally:
        for side, proc, port, err in servers:
            stop_server(proc)
            err.close()

    def cell(side, n):
        if side.skip is not None:
            return "skip"
        got = results.get((side.name, n))
        return f"{got[0]:.0f}/s" if got else "FAIL"

    def spread(side, n):
        got = results.get((side.name, n))
        return f" ({got[4][0]:.0f}-{got[4][-1]:.0f}/s)" if got and len(got[4]) > 1 else ""

    for n in (1, 1000):
        for peer in (fastapi, flask):
            a, b = results.get((ml.name, n)), results.get((peer.name, n))
            ratio = f"{a[0] / b[0]:.1f}" if a and b and b[0] > 0 else "-"
            notes = []
            for side, got in ((ml, a), (peer, b)):
                if got:
                    notes.append(f"{side.name}{spread(side, n)} p50 {got[1]:.2f} ms p99 "
                                 f"{got[2]:.2f} ms" + (f" ({got[3]} non-2xx)" if got[3] else ""))
            if a and len(a[4]) > 1:
                notes.append(f"medians of {len(a[4])} runs, the sides in turn")
            rows.append(Row(f"serve {n} row{'s' if n > 1 else ''} vs {peer.name}", cell(ml, n),
                            cell(peer, n), ratio, "; ".join(notes)))
    pinned = None
    if ml.skip is None and ml.error is None:
        pinned = serve_pinned(ctx, model, bodies[1000], seconds)
    if pinned:
        results[(ml.name, "pinned", 1000)] = pinned[0]
        if pinned[1]:
            results[(ml.name, "half pinned", 1000)] = pinned[1]
        if pinned[2]:
            results[(ml.name, "poisson pinned", 1000)] = pinned[2]
        if pinned[3]:
            results[(ml.name, "poisson pinned floor", 1000)] = pinned[3]
        if pinned[4]:
            results[(ml.name, "poisson pinned work floor", 1000)] = pinned[4]
    top = results.get((ml.name, "pinned", 1000))
    if top:
        rows.append(Row("serve 1000 rows, pinned", f"{top[0]:.0f}/s", "n/a", "-",
                        f"p50 {top[1]:.2f} ms p99 {top[2]:.2f} ms; ml-serve -j 1 on CPU 1, "
                        f"wrk -c 16 on CPU 0 (taskset): neither takes the other's processor"))
    for n, key, label in ((1, "half", "at half rate"), (1000, "half", "at half rate"),
                          (1000, "half pinned", "at half rate, pinned")):
        half = results.get((ml.name, key, n))
        if half:
            rate, p50, p99, bad, top, paced, pause_ms = half
            rows.append(Row(f"serve {n} row{'s' if n > 1 else ''} {label}", f"{rate:.0f}/s",
                            "n/a", "-",
                            f"p50 {p50:.3f} ms p99 {p99:.3f} ms"
                            + (f" ({bad} non-2xx)" if bad else "")
                            + f"; {100 * rate / top:.0f}% of the {top:.0f}/s above: "
                            f"wrk -c {paced}, a mean {pause_ms} ms (0-{2 * pause_ms}) between a connection's requests"
                            + ("; ml-serve -j 1 on CPU 1, wrk on CPU 0 (taskset)"
                               if key == "half pinned" else "")))
    for n, key, label in ((1, "poisson", ""), (1000, "poisson", ""),
                          (1000, "poisson pinned", ", pinned")):
        runs = results.get((ml.name, key, n))
        if runs:
            rows.append(Row(f"serve {n} row{'s' if n > 1 else ''} at half rate, Poisson arrivals"
                            f"{label}", f"{statistics.median(r['rate'] for r in runs):.0f}/s",
                            "n/a", "-", poisson_notes(runs, key == "poisson pinned")))
        floor_runs = results.get((ml.name, key + " floor", n))
        if runs and floor_runs:
            rows.append(Row(f"serve {n} row{'s' if n > 1 else ''} at half rate, Poisson arrivals"
                            f"{label}, floor", f"{statistics.median(r['rate'] for r in floor_runs):.0f}/s",
                            "n/a", "-", floor_notes(floor_runs, runs,
                                                    1 if label else workers, bool(label))))
        work_runs = results.get((ml.name, key + " work floor", n))
        if runs and work_runs:
            rows.append(Row(f"serve {n} row{'s' if n > 1 else ''} at half rate, Poisson arrivals"
                            f"{label}, work floor",
                            f"{statistics.median(r['rate'] for r in work_runs):.0f}/s", "n/a", "-",
                            work_floor_notes(work_runs, runs, floor_runs,
                                             1 if label else workers, bool(label))))
    if (ml.name, "rss") in results:
        rows.append(Row("serve RSS", results[(ml.name, "rss")], "n/a", "-",
                        f"after the 1-row and the 1000-row runs; wrk -c {connections} "
                        f"-d {seconds}s above, ratio = ml-serve req/s / peer req/s"))
    del np
    return rows


@dataclass
class Case:
    name: str
    run: object
    about: str


CASES = [
    Case("load", case_load, "ml-load CSV 1M x 20 -> binary  vs  pandas.read_csv (MB/s)"),
    Case("csv-parallel", case_csv_parallel,
         "ml-load -j 1 / -j 2 / pipe, numeric and quoted-text CSV  vs  pandas.read_csv (MB/s, RSS)"),
    Case("scale", case_scale, "ml-load | ml-scale, and ml-scale CSV -> CSV  vs  sklearn StandardScaler"),
    Case("linear-fit", case_linear_fit, "ml-fit linear 1M x 50  vs  sklearn LinearRegression (R^2)"),
    Case("logistic-fit", case_logistic_fit,
         "ml-fit logistic 500k x 50  vs  sklearn lbfgs and liblinear -s 0 (test accuracy)"),
    Case("predict", case_predict, "ml-predict batch (logistic 100k, linear 1M)  vs  pickled sklearn"),
    Case("cluster", case_cluster,
         "ml-load | ml-cluster k=8, 64 on 1M x 20 blobs vs pandas + KMeans; and the fit alone"),
    Case("trees", case_trees,
         "ml-fit gbdt 750k x 20 (classes, regression) vs xgboost hist and HGB; forest, tree 200k "
         "vs sklearn; predict throughput; peak RSS; gbdt regression RMSE over 5 data seeds (300k); "
         "gbdt 250k/1M/4M vs xgboost"),
    Case("service-latency", case_service_latency,
         "ml-predict --line-buffered as a co-process: round-trip per row (no peer)"),
    Case("serve", case_serve,
         "ml-serve under wrk, 1 and 1000 rows  vs  FastAPI+uvicorn and Flask+gunicorn (req/s); "
         "latency at half rate, Poisson arrivals (scripts/openload.c), and its floors (scripts/nullserve.c: "
         "no work, and ml-serve's CPU time per request)"),
]


# ---------------------------------------------------------------------------------------------
# Report

def blas_report(ctx):
    say("BLAS kernels:")
    info = ctx.prog("ml-info")
    if info is None:
        say(f"  mlpipe: unknown (ml-info not built in {ctx.bin})")
    else:
        try:
            r = subprocess.run([info, "--version"], capture_output=True, text=True, timeout=30)
            lines = [l.strip() for l in (r.stdout + r.stderr).splitlines() if "blas" in l.lower()]
            say("  mlpipe: " + ("; ".join(lines) if lines else
                                "unknown (ml-info --version does not mention BLAS)"))
        except (OSError, subprocess.TimeoutExpired) as e:
            say(f"  mlpipe: unknown (ml-info --version: {e})")
    why = ctx.python_has(["numpy"])
    if why:
        say(f"  numpy:  unknown ({why})")
    else:
        r = subprocess.run([PYTHON, "-c", PEER_BLAS_INFO], capture_output=True, text=True)
        try:
            libs = json.loads(r.stdout)
        except ValueError:
            libs = "error"
        if libs is None:
            say("  numpy:  unknown (threadpoolctl not importable)")
        elif libs == "error" or not libs:
            say("  numpy:  unknown (threadpoolctl found no BLAS)")
        for lib in libs if isinstance(libs, list) else []:
            say(f"  numpy:  {lib.get('internal_api')} {lib.get('version')}, "
                f"kernels {lib.get('architecture')}, {lib.get('num_threads')} threads "
                f"({lib.get('filepath')})")
    env = {k: v for k, v in os.environ.items()
           if k.startswith("OPENBLAS") or k in ("OMP_NUM_THREADS", "GOTO_NUM_THREADS")}
    say("  environment (both sides): " + (", ".join(f"{k}={v}" for k, v in sorted(env.items()))
                                          or "no OPENBLAS_*/OMP_NUM_THREADS set") +
        f"; {os.cpu_count()} CPUs")


def print_table(rows):
    head = Row("case", "mlpipe s", "peer s", "peer/ml", "quality / notes")
    table = [head] + rows
    w = [max(len(getattr(r, a)) for r in table) for a in ("case", "ml", "peer", "ratio")]
    for i, r in enumerate(table):
        say(f"{r.case:<{w[0]}}  {r.ml:>{w[1]}}  {r.peer:>{w[2]}}  {r.ratio:>{w[3]}}  {r.notes}")
        if i == 0:
            say("-" * (sum(w) + 6 + 2 + len(head.notes)))


# ---------------------------------------------------------------------------------------------

def default_bin():
    """$BIN, else the repository's build directory (build/, or build/bin/ or bin/ if the programs
    are there)."""
    if os.environ.get("BIN"):
        return os.environ["BIN"]
    for d in ("build", "build/bin", "bin"):
        p = os.path.join(REPO, d)
        if os.path.isdir(p) and any(f.startswith("ml-") for f in os.listdir(p)):
            return p
    return os.path.join(REPO, "build")


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark mlpipe programs against scikit-learn, pandas and LIBLINEAR, "
                    "side by side in the same run (ratio = peer / mlpipe; > 1 means mlpipe is faster).")
    ap.add_argument("--bin", default=default_bin(),
                    help="directory holding ml-load, ml-fit, ... (default: $BIN or the build directory)")
    ap.add_argument("--repeat", type=int, default=5, metavar="N",
                    help="timed repetitions per side, alternating (default 5); medians are reported")
    ap.add_argument("--case", action="append", default=[], metavar="NAME",
                    help="run only this case (repeatable); see --list")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--quick", action="store_true", help="divide all data sizes by 10 (smoke run)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                    help=f"kill a command that runs longer than S seconds (default {DEFAULT_TIMEOUT:.0f})")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary data directory (its path is printed)")
    ap.add_argument("names", nargs="*", metavar="CASE", help="same as --case CASE")
    args = ap.parse_args(argv)
    # `make` passes its target name along when a recipe says "$@": it is not a case.
    args.case += [n for n in args.names if n != "bench"]
    known = [c.name for c in CASES]
    unknown = [n for n in args.case if n not in known]
    if unknown:
        ap.error(f"unknown case {', '.join(unknown)} (known: {', '.join(known)})")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def main(argv):
    args = parse_args(argv)
    if args.list:
        w = max(len(c.name) for c in CASES)
        for c in CASES:
            say(f"{c.name:<{w}}  {c.about}")
        return 0
    try:
        import numpy  # data generation needs it
        del numpy
    except ImportError:
        say(f"bench: numpy is not importable by {sys.executable}; the benchmark data cannot be "
            "generated (apt-get install python3-numpy). Nothing run.")
        return 0
    selected = [c for c in CASES if not args.case or c.name in args.case]
    args.bin = os.path.abspath(args.bin)
    tmp = tempfile.mkdtemp(prefix="mlpipe-bench-")
    ctx = Context(args, tmp)
    broken = False
    try:
        say(f"mlpipe bench: programs from {args.bin}; peers with {PYTHON}; "
            f"{args.repeat} repetition(s), medians{'; QUICK (sizes / 10)' if args.quick else ''}")
        blas_report(ctx)
        rows = []
        for c in selected:
            say(f"[{c.name}]")
            try:
                rows.extend(c.run(ctx))
            except KeyboardInterrupt:
                raise
            except Exception:  # noqa: BLE001 - a harness bug: report it, go on, exit non-zero
                broken = True
                say(f"  HARNESS ERROR in case {c.name}:")
                traceback.print_exc(file=sys.stdout)
                rows.append(Row(c.name, "ERR", "ERR", "-", "harness error (traceback above)"))
        say()
        if ctx.generated:
            say("Data:")
            for d in ctx.generated:
                say(f"  {d.describe()}")
            say()
        print_table(rows)
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130
    finally:
        if args.keep:
            say(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
