#!/bin/bash
# Loads one server with wrk (50 connections) and prints req/s, p99 and CPU per request of
# the API, the worker and Redis: the profiling companion of the request-path benchmark.
# usage: bash bench/profile/request-path.sh NAME on|off|floor SECONDS [node flags for the API]
#   BODY=batch sends `instances` of 100 instead of one `features`; WFLAGS: node flags for the worker.
#   e.g. bash bench/profile/request-path.sh on on 10 "--cpu-prof --cpu-prof-dir=/tmp/prof/cpu"
set -u
cd "$(dirname "$0")/../.."
name=$1; mode=$2; secs=${3:-15}; flags=${4:-}
out=${PROFILE_OUT:-/tmp/vigil-profile}; mkdir -p "$out"
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
node -e '
const rows = require("./artifacts/reference.json").rows;
const lua = (body) => "wrk.method=\"POST\"\nwrk.headers[\"Content-Type\"]=\"application/json\"\nwrk.body=" + JSON.stringify(JSON.stringify(body)) + "\n";
require("fs").writeFileSync(process.argv[1] + "/one.lua", lua({ features: rows[0] }));
require("fs").writeFileSync(process.argv[1] + "/batch.lua", lua({ instances: rows.slice(0, 100) }));
' "$out"
lua=$out/one.lua; [ "${BODY:-one}" = batch ] && lua=$out/batch.lua
q=profile-$name-$$; db=$out/$name.db; rm -f "$db"*
export REDIS_URL=redis://127.0.0.1:6379 QUEUE_NAME=$q SQLITE_PATH=$db LOG_LEVEL=warn SHUTDOWN_GRACE_MS=0 HOST=127.0.0.1 SPOOL_DIR=$out/journal-$name
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
wp=""
if [ "$mode" = on ]; then WORKER_METRICS_PORT=9391 node ${WFLAGS:-} --import tsx apps/worker/src/main.ts > "$out/$name-worker.log" 2>&1 & wp=$!; fi
if [ "$mode" = floor ]; then PORT=9390 node $flags --import tsx bench/baselines/floor-app.ts > "$out/$name-api.log" 2>&1 & ap=$!
else PORT=9390 PREDICTION_LOGGING=$mode node $flags --import tsx apps/api/src/main.ts > "$out/$name-api.log" 2>&1 & ap=$!; fi
for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:9390/healthz && break; sleep 0.2; done
wrk -t1 -c50 -d3s -s "$lua" http://127.0.0.1:9390/predict > /dev/null
redis=$(pgrep -f "redis-server 127.0.0.1:6379" | head -1)
t0=$(cpu $ap); w0=0; [ -n "$wp" ] && w0=$(cpu $wp); r0=$(cpu $redis)
wrk -t1 -c50 -d"${secs}"s --latency -s "$lua" http://127.0.0.1:9390/predict > "$out/$name-wrk.txt"
t1=$(cpu $ap); w1=0; [ -n "$wp" ] && w1=$(cpu $wp); r1=$(cpu $redis)
reqs=$(grep -oP '^\s*\K\d+(?= requests in)' "$out/$name-wrk.txt")
# /proc/PID/stat counts CPU in 10 ms ticks.
echo "$name: $(grep Requests/sec "$out/$name-wrk.txt") p99 $(grep ' 99%' "$out/$name-wrk.txt" | awk '{print $2}')" \
  "api_us/req $(( (t1-t0)*10000/reqs )) worker_us/req $(( (w1-w0)*10000/reqs )) redis_us/req $(( (r1-r0)*10000/reqs ))"
kill -INT $ap; wait $ap
[ -n "$wp" ] && { kill -TERM $wp; wait $wp; }
redis-cli --scan --pattern "*$q*" | xargs -r redis-cli del > /dev/null
