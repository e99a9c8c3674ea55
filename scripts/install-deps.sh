#!/bin/sh
# Installs what mlpipe needs to build and test on Debian 12 (apt-get, as root).
# Does nothing when everything is there; when not root, prints the command.
# MLPIPE_PEERS=1 also installs the Python peers used by cross-checks and
# benchmarks (scikit-learn, pandas, numpy, xgboost, liblinear-tools), gnuplot, which
# the optional --plot of ml-eval and ml-cluster needs (their tests skip
# without it), curl for the ml-serve tests, and wrk with the Python web
# services ml-serve is measured against (FastAPI + uvicorn, Flask + gunicorn).
# MLPIPE_FUZZ=1 also installs clang, whose libFuzzer runtime `make fuzz` needs, and
# its OpenMP runtime, for the sanitizer build with clang that CI runs (.ci/run).
set -eu

packages="build-essential pkg-config libcsv-dev libopenblas-dev libxxhash-dev zlib1g-dev libzstd-dev
	check libmicrohttpd-dev libcjson-dev"
peers="python3-sklearn python3-pandas python3-numpy python3-xgboost liblinear-tools socat gnuplot-nox curl
	wrk python3-fastapi python3-uvicorn python3-flask gunicorn"
if [ "${MLPIPE_PEERS:-0}" = 1 ]; then
	packages="$packages $peers"
fi
if [ "${MLPIPE_FUZZ:-0}" = 1 ]; then
	packages="$packages clang libomp-dev"
fi

missing=""
for package in $packages; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $package"
done
[ -z "$missing" ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "mlpipe needs:$missing" >&2
	echo "run as root:  $command" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
