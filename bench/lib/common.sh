# Shared by the bench/*.sh scripts: the release binaries, a throw-away `worklog serve`, a
# database per backend, and small helpers. Source it; it sets `root`, `worklog`, `tool`.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BENCH_BUILD_DIR:-build/release}"
worklog="${WORKLOG_BINARY:-$root/$build/src/cli/worklog}"
tool="$root/$build/bench/worklog_bench_tool"
for binary in "$worklog" "$tool"; do
  [[ -x "$binary" ]] || { echo "bench: no $binary (make build-release)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench: wrk is not installed (scripts/install-deps --test)" >&2; exit 2; }

serve_pid=""
serve_port=""
# start_serve DB_URL DATA_DIR LOG [extra serve flags...]: starts serve on 127.0.0.1:0 and
# sets serve_pid and serve_port once it listens. Waits up to BENCH_START_SECONDS (default
# 900): serve migrates the database first (a copy of a seed made before a migration that
# rewrites activities takes minutes on 10 M).
start_serve() {
  local db="$1" data="$2" log="$3"
  shift 3
  local out="$log.stdout"
  "$worklog" serve --db "$db" --listen 127.0.0.1:0 --data-dir "$data" --poll-interval 86400 \
    "$@" >"$out" 2>"$log" &
  serve_pid=$!
  local i
  for ((i = 0; i < ${BENCH_START_SECONDS:-900} * 10; i++)); do
    serve_port="$(sed -n 's|^worklog: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$out" 2>/dev/null)"
    [[ -n "$serve_port" ]] && return 0
    kill -0 "$serve_pid" 2>/dev/null || { echo "bench: serve exited:" >&2; tail -5 "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "bench: serve did not start" >&2
  return 1
}

stop_serve() {
  if [[ -n "$serve_pid" ]]; then
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
    serve_pid=""
  fi
}

# vm_kib FIELD: VmRSS / VmHWM of serve, in KiB.
vm_kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$serve_pid/status"; }

# A fresh database per backend: "sqlite" -> a file under DIR; "postgresql" -> a new database
# on the cluster of scripts/with-postgres (WORKLOG_TEST_PG_URL).
fresh_db() {
  local backend="$1" dir="$2" name="$3"
  if [[ "$backend" == sqlite ]]; then
    echo "sqlite:$dir/$name.db"
  else
    local base="${WORKLOG_TEST_PG_URL%/*}"
    psql -q "$WORKLOG_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "$base/$name"
  fi
}

backends() {
  echo sqlite
  [[ -n "${WORKLOG_TEST_PG_URL:-}" ]] && echo postgresql
  return 0
}

# wrk_field FILE NAME: a value from the "BENCH k=v ..." line our wrk scripts print.
wrk_field() { sed -n "s/^BENCH .*\b$2=\([^ ]*\).*/\1/p" "$1" | tail -1; }

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }
# meets VALUE OP TARGET -> exit status
meets() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { exit !((op == "<=" && v <= t) || (op == ">=" && v >= t) || (op == "<" && v < t)) }'; }
