#!/bin/bash
# Time a newcomer's walk-through of a scaffolded plugin's README (docs/plugins.md quotes the figure).
# Usage: bench/walkthrough.sh VENV WORKDIR — VENV is a fresh virtual environment with govhall installed
# (python3 -m venv VENV && VENV/bin/pip install govhall-or-this-checkout), WORKDIR an empty directory.
set -euo pipefail
venv=$1; work=$2
# shellcheck disable=SC1091
. "$venv/bin/activate"
cd "$work"
start=$(date +%s.%N)
govhall plugins new parking --title 停车服务
cd govhall-parking
pip install -q -e '.[test]'
export GOVHALL_DATA_DIR=$PWD/var
govhall migrate
govhall tenants apply tenants.toml
govhall plugins enable parking --tenant 360102
govhall serve --port 8765 > serve.log 2>&1 &
for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:8765/healthz && break; sleep 1; done
curl -s http://127.0.0.1:8765/t/360102/parking/ | grep '<h1'
echo "Xihu (plugin off): $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8765/t/360103/parking/)"
kill %1
pytest -q
end=$(date +%s.%N)
echo "walk-through: $(echo "$end - $start" | bc) s"
