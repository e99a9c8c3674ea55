# ml-from-sklearn refuses what it cannot convert, naming it and listing what
# it supports; a model fitted without column names needs --columns.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
/usr/bin/python3 - "$DATA_DIR" <<'PY' || fail "training in scikit-learn"
import pickle, sys
import pandas as pd
from sklearn.svm import SVC
from sklearn.linear_model import LinearRegression
frame = pd.read_csv(sys.argv[1] + "/iris.csv")
X, y = frame.drop(columns="species"), frame["species"]
pickle.dump(SVC().fit(X, y), open("svc.pkl", "wb"))
pickle.dump(LinearRegression().fit(X.values[:, :3], X.values[:, 3]),
            open("bare.pkl", "wb"))
PY
expect_fail 1 "svc.pkl: estimator SVC is not supported; supported: .*LinearRegression" \
	ml-from-sklearn svc.pkl -o svc.model
[ ! -e svc.model ] || fail "a model was written for SVC"
expect_fail 1 "without column names: name them with --columns" \
	ml-from-sklearn bare.pkl -o bare.model
expect_fail 1 "2 column names for 3 features" \
	ml-from-sklearn --columns a,b bare.pkl -o bare.model
run_ok ml-from-sklearn --columns sepal_length,sepal_width,petal_length bare.pkl -o bare.model
run_ok ml-predict bare.model "$DATA_DIR/iris.csv"
[ "$(wc -l < out)" -eq 151 ] || fail "bare: rows"
expect_fail 1 "bare.pkl: a feature is called 'sepal_length', the target's name" \
	ml-from-sklearn --columns sepal_length,sepal_width,petal_length -t sepal_length \
	bare.pkl -o bare.model
printf 'not a pickle' > junk.pkl
expect_fail 1 "junk.pkl: cannot read the model" ml-from-sklearn junk.pkl -o junk.model
expect_fail 1 "missing.pkl: cannot read the model" ml-from-sklearn missing.pkl -o m.model
expect_fail 2 "required: -o" ml-from-sklearn bare.pkl
run_ok ml-from-sklearn --help
grep -q "Supported:" out || fail "--help lists what is supported"
