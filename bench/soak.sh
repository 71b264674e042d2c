#!/usr/bin/env bash
# Benchmark: 10 minutes of mixed load (issue #7) on the seeded feed database (SQLite, see
# bench/feed.sh): webhooks, Activity Feed reads and feed logging (GET the week, POST
# .../log of a suggestion) at the same time, webhooks and reads each at ~50% of the peak
# measured alone at the start of this run. serve's resident memory is sampled every 5 s.
# Targets: memory flat (last sample <= first sample after warm-up + 10%, and < 128 MiB);
# webhook ack p99 <= 5 ms, feed p99 <= 5 ms; no failed requests.
# The webhooks add activities (~2 M in 10 minutes), so the run works on a copy of the seeded
# database in a temporary directory beside it, removed at the end: the seed stays as it was.
#   bench/soak.sh      BENCH_SOAK_SECONDS (default 600), BENCH_PEAK_SECONDS (default 5),
#                      BENCH_WARMUP_SECONDS (default 5: feed reads before its peak),
#                      BENCH_SOAK_SAMPLES=FILE also writes every RSS sample (s, KiB) there
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/feed_data.sh"
soak="${BENCH_SOAK_SECONDS:-600}"
peak_seconds="${BENCH_PEAK_SECONDS:-5}"
work="$(mktemp -d)"
copy=""
trap 'stop_serve; rm -rf "$work" ${copy:+"$copy"}' EXIT
export BENCH_LIB="$root/bench/lib" BENCH_PAYLOAD="$work/push.json" BENCH_USERS="$feed_users"
"$tool" payload >"$BENCH_PAYLOAD"
prepare_feed_db || { echo "soak.sh: seeding failed" >&2; exit 1; }
copy="$(mktemp -d "$cache/soak.XXXXXX")"
seed_db="${feed_db#sqlite:}"
cp --reflink=auto "$seed_db" "$copy/feed.db" || { echo "soak.sh: cannot copy $seed_db" >&2; exit 1; }
[[ -f "$seed_db-wal" ]] && cp "$seed_db-wal" "$copy/feed.db-wal"
cp -r "$feed_data" "$copy/data"
feed_db="sqlite:$copy/feed.db"
feed_data="$copy/data"
export BENCH_TOKENS="$feed_tokens"
month_from="$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%F)"
month_to="$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%F)"
week_from="$(date -u -d '-6 days' +%F)"
week_to="$(date -u +%F)"
run_id=$(( $(date +%s) % 1000000 + 100 ))

start_serve "$feed_db" "$feed_data" "$work/serve.log" || exit 1
url="http://127.0.0.1:$serve_port"
echo "soak: ${soak}s on $feed_count activities, load average $(load_average)"
# Peaks, each alone. The feed first, after one read per user (as feed.sh warms up): measured
# after the webhook peak it would mostly count the renders of feeds those webhooks changed,
# on a CPU still busy normalizing them.
BENCH_FROM="$month_from" BENCH_TO="$month_to" wrk -t2 -c32 -d"${BENCH_WARMUP_SECONDS:-5}s" -s "$BENCH_LIB/feed.lua" "$url" >/dev/null
BENCH_FROM="$month_from" BENCH_TO="$month_to" wrk -t2 -c32 -d"${peak_seconds}s" -s "$BENCH_LIB/feed.lua" "$url" >"$work/peak-feed.txt"
BENCH_RUN=$run_id wrk -t2 -c32 -d"${peak_seconds}s" -s "$BENCH_LIB/webhook.lua" "$url" >"$work/peak-webhook.txt"
webhook_peak="$(wrk_field "$work/peak-webhook.txt" rps)"
feed_peak="$(wrk_field "$work/peak-feed.txt" rps)"
# Fixed rates through a pause per connection: 16 connections each at rate/16.
delay_for() { awk -v r="$1" 'BEGIN { d = 16 * 1000 / (r * 0.5); if (d < 1) d = 1; printf "%d", d }'; }
webhook_delay="$(delay_for "$webhook_peak")"
feed_delay="$(delay_for "$feed_peak")"
echo "peaks alone: webhooks $webhook_peak/s, feed $feed_peak/s -> pauses ${webhook_delay} ms / ${feed_delay} ms per connection (16 each)"

BENCH_RUN=$((run_id + 1)) BENCH_DELAY_MS="$webhook_delay" \
  wrk -t1 -c16 -d"${soak}s" --latency -s "$BENCH_LIB/webhook.lua" "$url" >"$work/soak-webhook.txt" &
w1=$!
BENCH_FROM="$month_from" BENCH_TO="$month_to" BENCH_DELAY_MS="$feed_delay" \
  wrk -t1 -c16 -d"${soak}s" --latency -s "$BENCH_LIB/feed.lua" "$url" >"$work/soak-feed.txt" &
w2=$!
# One connection per wrk thread: log.lua keeps the suggestion it read and its user's token
# in the thread's state, which connections of one thread would share.
BENCH_FROM="$week_from" BENCH_TO="$week_to" BENCH_DELAY_MS=200 \
  wrk -t4 -c4 -d"${soak}s" --latency -s "$BENCH_LIB/log.lua" "$url" >"$work/soak-log.txt" &
w3=$!
samples=()
max_rss=0
started=$SECONDS
end=$((SECONDS + soak))
[[ -n "${BENCH_SOAK_SAMPLES:-}" ]] && : >"$BENCH_SOAK_SAMPLES"
while ((SECONDS < end)); do
  sleep 5
  rss="$(vm_kib VmRSS)"
  [[ -n "$rss" ]] || { echo "soak.sh: serve is gone after $((SECONDS - started)) s" >&2; break; }
  samples+=("$rss")
  ((rss > max_rss)) && max_rss=$rss
  [[ -n "${BENCH_SOAK_SAMPLES:-}" ]] && echo "$((SECONDS - started)) $rss" >>"$BENCH_SOAK_SAMPLES"
done
covered=$((SECONDS - started))
wait "$w1" "$w2" "$w3"
((${#samples[@]} > 0)) || { echo "soak.sh: no RSS sample (serve died?)" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
hwm="$(vm_kib VmHWM)"
stop_serve
worklogs="$(grep -c 'method=POST path=/api/v1/me/activity-feed/[^ ]*/log .* status=201 ' "$work/serve.log" || true)"
# What the failed requests were, from serve's access log: route status count.
refused="$(sed -n 's/.* route=\([^ ]*\) status=\([45][0-9][0-9]\) .*/\1 \2/p' "$work/serve.log" | sort | uniq -c |
  awk '{ printf "%s %s: %s; ", $2, $3, $1 }')"

# First sample after a warm-up of 30 s (or the first one of a short run).
first_index=$(( ${#samples[@]} > 7 ? 6 : 0 ))
first="${samples[$first_index]}"
last="${samples[-1]}"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
failed=0
printf '%-44s %14s %14s %6s\n' figure measured target ok
check() {
  local ok=yes
  meets "$2" "$3" "$4" || { ok=NO; failed=1; }
  printf '%-44s %14s %14s %6s\n' "$1" "$2" "$3 $4" "$ok"
}
check "webhook ack p99 ms" "$(wrk_field "$work/soak-webhook.txt" p99_ms)" "<=" 5
check "feed p99 ms" "$(wrk_field "$work/soak-feed.txt" p99_ms)" "<=" 5
check "feed logging p99 ms (GET week + POST log)" "$(wrk_field "$work/soak-log.txt" p99_ms)" "<=" 50
check "failed requests (all three)" "$(( $(wrk_field "$work/soak-webhook.txt" errors) + $(wrk_field "$work/soak-feed.txt" errors) + $(wrk_field "$work/soak-log.txt" errors) ))" "<=" 0
check "RSS last / first sample" "$(ratio "$last" "$first")" "<=" 1.10
check "serve VmHWM MiB" "$(mib "$hwm")" "<" 128
printf '%-44s %14s\n' "  RSS first (after warm-up) / last / max MiB" "$(mib "$first") / $(mib "$last") / $(mib "$max_rss")"
printf '%-44s %14s\n' "  RSS samples, seconds covered" "${#samples[@]}, $covered"
printf '%-44s %14s\n' "  RSS samples (MiB, every 5 s)" "$(for s in "${samples[@]}"; do mib "$s"; printf ' '; done | tr ' ' '\n' | awk 'NR % 12 == 1' | paste -sd' ')"
printf '%-44s %14s\n' "  webhooks/s (peak alone)" "$(wrk_field "$work/soak-webhook.txt" rps) ($webhook_peak)"
printf '%-44s %14s\n' "  feed reads/s (peak alone)" "$(wrk_field "$work/soak-feed.txt" rps) ($feed_peak)"
printf '%-44s %14s\n' "  feed logging requests/s, worklogs created" "$(wrk_field "$work/soak-log.txt" rps), $worklogs"
printf '%-44s %14s\n' "  failed: webhook / feed / logging (non-2xx)" "$(for f in webhook feed log; do printf '%s(%s) ' "$(wrk_field "$work/soak-$f.txt" errors)" "$(wrk_field "$work/soak-$f.txt" non2xx)"; done)"
printf '%-44s %14s\n' "  4xx/5xx by route (serve's log)" "${refused:-none}"
printf '%-44s %14s\n' "  webhook p50 / feed p50 ms" "$(wrk_field "$work/soak-webhook.txt" p50_ms) / $(wrk_field "$work/soak-feed.txt" p50_ms)"
echo "load average after: $(load_average)"
[[ $failed -eq 0 ]] || echo "soak.sh: MISSED a target (see NO above)"
exit "$failed"
