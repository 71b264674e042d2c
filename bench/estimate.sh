#!/usr/bin/env bash
# Benchmark: `worklog estimate` (release build) against `git log --format='%H %ae %at'` (the
# floor: reading the same history with git itself) and the npm tool git-hours@1.5.0, on the
# real 3,211-commit history (../shared/data; else the committed 800-commit sample).
# Targets (issue #5): worklog estimate within 2x of git log; `--git-hours-compatible` at
# least 10x faster than git-hours, with identical per-author and total hours
# (tests/git-hours/compare.sh).
#   bench/estimate.sh [WORKLOG_BINARY]      (default build/release/src/cli/worklog)
# Uses hyperfine when installed (scripts/install-deps --test), else a plain timing loop.
# Prints a table; exit 1 when `worklog estimate` misses the 2x target.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

worklog="${1:-${WORKLOG_BINARY:-$root/build/release/src/cli/worklog}}"
[[ -x "$worklog" ]] || { echo "estimate.sh: no worklog binary at $worklog (make build-release)" >&2; exit 2; }
history="$root/../shared/data/history-3211.tsv"
[[ -f "$history" ]] || history="$root/tests/git-hours/history-sample.tsv"
runs="${BENCH_RUNS:-30}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/tests/git-hours/make-repo.sh" "$history" "$work/repo"
repo="$work/repo"
commits="$(git -C "$repo" rev-list --count --all)"

git_hours=""
if git_hours_bin="$("$root/tests/git-hours/install.sh" 2>"$work/install.log")"; then
  git_hours="$git_hours_bin"
else
  echo "estimate.sh: git-hours unavailable, skipping it (see $work/install.log)" >&2
fi

names=(git-log worklog-estimate worklog-git-hours-compatible)
cmds=(
  "git -C '$repo' log --format='%H %ae %at'"
  "'$worklog' estimate --repo '$repo'"
  "'$worklog' estimate --repo '$repo' --git-hours-compatible --json"
)
if [[ -n "$git_hours" ]]; then
  names+=(git-hours-1.5.0)
  cmds+=("cd '$repo' && '$git_hours'")
fi

# Mean wall time in milliseconds of command $1 over $2 runs (after warm-up).
measure() {
  local cmd="$1" n="$2"
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 3 --runs "$n" --export-json "$work/h.json" \
      --output=null "$cmd" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %s" % (r["mean"]*1000, "-" if r["stddev"] is None else "%.1f" % (r["stddev"]*1000)))' "$work/h.json"
  else
    local i start end total=0
    for ((i = 0; i < 3; i++)); do bash -c "$cmd" >/dev/null; done
    for ((i = 0; i < n; i++)); do
      start=$(date +%s%N); bash -c "$cmd" >/dev/null; end=$(date +%s%N)
      total=$((total + end - start))
    done
    awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f -\n", t / n / 1e6 }'
  fi
}

echo "estimate benchmark: $commits commits ($(basename "$history")), $(nproc) cores, runs=$runs"
printf '%-30s %10s %10s %10s\n' command "mean ms" "stddev" "x git log"
base=""
worklog_ratio=""
for i in "${!names[@]}"; do
  n="$runs"
  [[ "${names[$i]}" == git-hours-1.5.0 ]] && n="${BENCH_GIT_HOURS_RUNS:-3}"
  read -r mean stddev < <(measure "${cmds[$i]}" "$n")
  [[ -n "$base" ]] || base="$mean"
  ratio="$(awk -v a="$mean" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
  [[ "${names[$i]}" == worklog-estimate ]] && worklog_ratio="$ratio"
  [[ "${names[$i]}" == worklog-git-hours-compatible ]] && compatible_mean="$mean"
  [[ "${names[$i]}" == git-hours-1.5.0 ]] && git_hours_mean="$mean"
  printf '%-30s %10s %10s %10s\n' "${names[$i]}" "$mean" "$stddev" "$ratio"
done
failed=0
if awk -v r="$worklog_ratio" 'BEGIN { exit !(r <= 2.0) }'; then
  echo "estimate.sh: OK: worklog estimate is ${worklog_ratio}x git log (target <= 2x)"
else
  echo "estimate.sh: SLOW: worklog estimate is ${worklog_ratio}x git log (target <= 2x)"
  failed=1
fi
if [[ -n "${git_hours_mean:-}" ]]; then
  speedup="$(awk -v a="$git_hours_mean" -v b="$compatible_mean" 'BEGIN { printf "%.1f", a / b }')"
  if awk -v r="$speedup" 'BEGIN { exit !(r >= 10) }'; then
    echo "estimate.sh: OK: --git-hours-compatible is ${speedup}x faster than git-hours (target >= 10x)"
  else
    echo "estimate.sh: SLOW: --git-hours-compatible is ${speedup}x faster than git-hours (target >= 10x)"
    failed=1
  fi
  if "$root/tests/git-hours/compare.sh" "$worklog" "$history" "$work/compare" | tail -1; then
    :
  else
    echo "estimate.sh: totals differ from git-hours"
    failed=1
  fi
else
  echo "estimate.sh: git-hours unavailable: the 10x and identical-totals checks did not run"
  failed=1
fi
exit "$failed"
