#!/usr/bin/env bash
# Benchmark: 10 minutes of mixed load (issue #7) on the seeded feed database (SQLite, see
# bench/feed.sh) at 50% of the measured peak of that mix: webhooks, Activity Feed reads and
# feed logging (GET the week, POST .../log of a suggestion) in fixed proportions, BENCH_MIX
# "W:F:L" requests (default 5:2:2: per developer and workday ~25 webhook deliveries, ~10
# feed reads of the month, ~5 worklogs logged from the feed, each a GET of the week and a
# POST). First the peak of the mix itself, closed loop (bench/lib/mix.lua, 32 connections,
# the three kinds in those proportions); then, once the inbox has drained, each kind at its
# share of 50% of that peak, paced to a fixed schedule (bench/lib/pace.lua, wrk's delay()), so that half
# the machine stays free. The rates asked and achieved are printed. serve's resident memory
# is sampled every 5 s, its CPU and the machine's over the whole soak.
# Targets: memory flat (last sample <= first sample after warm-up + 10%, and < 128 MiB);
# webhook ack p99 <= 5 ms, feed p99 <= 5 ms, feed logging p99 <= 50 ms; no failed requests.
# The webhooks add activities, so the run works on a copy of the seeded database in a
# temporary directory beside it, removed at the end: the seed stays as it was.
#   bench/soak.sh      BENCH_SOAK_SECONDS (default 600), BENCH_PEAK_SECONDS (default 10),
#                      BENCH_WARMUP_SECONDS (default 5: feed reads before the peak),
#                      BENCH_MIX (default 5:2:2), BENCH_SOAK_LOAD (default 0.5 of the peak),
#                      BENCH_SOAK_SAMPLES=FILE also writes every RSS sample (s, KiB) there,
#                      BENCH_SOAK_LOG=FILE keeps serve's log (access log: duration_ms) there
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/feed_data.sh"
soak="${BENCH_SOAK_SECONDS:-600}"
peak_seconds="${BENCH_PEAK_SECONDS:-10}"
mix="${BENCH_MIX:-5:2:2}"
load="${BENCH_SOAK_LOAD:-0.5}"
work="$(mktemp -d)"
copy=""
trap 'stop_serve; rm -rf "$work" ${copy:+"$copy"}' EXIT
export BENCH_LIB="$root/bench/lib" BENCH_PAYLOAD="$work/push.json" BENCH_USERS="$feed_users"
"$tool" payload >"$BENCH_PAYLOAD"
prepare_feed_db || { echo "soak.sh: seeding failed" >&2; exit 1; }
copy_feed_db soak || exit 1
export BENCH_TOKENS="$feed_tokens"
month_from="$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%F)"
month_to="$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%F)"
week_from="$(date -u -d '-6 days' +%F)"
week_to="$(date -u +%F)"
run_id=$(( $(date +%s) % 1000000 + 100 ))

serve_start=$SECONDS
start_serve "$feed_db" "$feed_data" "$work/serve.log" || exit 1
echo "serve listening after $((SECONDS - serve_start)) s (migrating the copy first when the seed predates a migration)"
url="http://127.0.0.1:$serve_port"
echo "soak: ${soak}s on $feed_count activities, load average $(load_average)"
# The peak of the mix, after one read per user (as feed.sh warms up): closed loop, the
# three kinds in the soak's proportions.
BENCH_FROM="$month_from" BENCH_TO="$month_to" wrk -t2 -c32 -d"${BENCH_WARMUP_SECONDS:-5}s" -s "$BENCH_LIB/feed.lua" "$url" >/dev/null
BENCH_RUN=$run_id BENCH_MIX="$mix" BENCH_FROM="$month_from" BENCH_TO="$month_to" \
  BENCH_LOG_FROM="$week_from" BENCH_LOG_TO="$week_to" \
  wrk -t2 -c32 -d"${peak_seconds}s" --latency -s "$BENCH_LIB/mix.lua" "$url" >"$work/peak-mix.txt"
mix_peak="$(wrk_field "$work/peak-mix.txt" rps)"
mix_sent="$(sed -n 's/^MIX //p' "$work/peak-mix.txt")"
# The webhooks of the peak are normalized before the soak starts (the workers lag a closed
# loop): the soak begins on an empty inbox.
pending_at_peak="$("$tool" count --db "$feed_db" | awk '{ print $2 }')"
drain_start=$SECONDS
for ((i = 0; i < 1200; i++)); do
  read -r _ pending < <("$tool" count --db "$feed_db")
  [[ "$pending" == 0 ]] && break
  sleep 0.1
done
echo "peak of the mix $mix: $mix_peak req/s (p99 $(wrk_field "$work/peak-mix.txt" p99_ms) ms; sent $mix_sent); inbox $pending_at_peak pending after it, drained in $((SECONDS - drain_start)) s"

# Each kind at its share of $load x the peak, paced (bench/lib/pace.lua: one request per
# slot of a fixed schedule per wrk thread, whatever the latency), on a few more connections
# than the rate times a slow answer (50 ms) needs.
read -r w_weight f_weight l_weight < <(tr ':' ' ' <<<"$mix")
weights=$((w_weight + f_weight + l_weight))
rate_of() { awk -v p="$mix_peak" -v l="$load" -v w="$1" -v t="$weights" 'BEGIN { printf "%.1f", p * l * w / t }'; }
connections_for() { awk -v r="$1" 'BEGIN { c = int(r * 0.05 + 0.999) + 2; if (c < 4) c = 4; if (c > 32) c = 32; print c }'; }
webhook_rate="$(rate_of "$w_weight")"
feed_rate="$(rate_of "$f_weight")"
log_rate="$(rate_of "$l_weight")"
webhook_connections="$(connections_for "$webhook_rate")"
feed_connections="$(connections_for "$feed_rate")"
log_connections="$(connections_for "$log_rate")"
per_thread() { awk -v r="$1" -v t="$2" 'BEGIN { printf "%.3f", r / t }'; }
echo "soak at $load x $mix_peak req/s: webhooks $webhook_rate/s ($webhook_connections connections)," \
  "feed reads $feed_rate/s ($feed_connections), logging $log_rate/s ($log_connections)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$serve_pid/stat"; }
machine_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
serve_ticks_before="$(cpu_ticks)"
# serve's log from here on is the soak's (the lines before: start, warm-up and the peak).
soak_log_from=$(($(wc -l <"$work/serve.log") + 1))
read -r busy_before all_before < <(machine_ticks)
BENCH_RUN=$((run_id + 1)) BENCH_RATE="$webhook_rate" \
  wrk -t1 -c"$webhook_connections" -d"${soak}s" --latency -s "$BENCH_LIB/webhook.lua" "$url" >"$work/soak-webhook.txt" &
w1=$!
BENCH_FROM="$month_from" BENCH_TO="$month_to" BENCH_RATE="$feed_rate" \
  wrk -t1 -c"$feed_connections" -d"${soak}s" --latency -s "$BENCH_LIB/feed.lua" "$url" >"$work/soak-feed.txt" &
w2=$!
# One connection per wrk thread: log.lua keeps the suggestion it read and its user's token
# in the thread's state, which connections of one thread would share.
BENCH_FROM="$week_from" BENCH_TO="$week_to" BENCH_RATE="$(per_thread "$log_rate" "$log_connections")" \
  wrk -t"$log_connections" -c"$log_connections" -d"${soak}s" --latency -s "$BENCH_LIB/log.lua" "$url" >"$work/soak-log.txt" &
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
serve_ticks_after="$(cpu_ticks)"
read -r busy_after all_after < <(machine_ticks)
hz="$(getconf CLK_TCK)"
serve_cpu="$(awk -v a="$serve_ticks_before" -v b="$serve_ticks_after" -v s="$covered" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / s }')"
machine_busy="$(awk -v a="$busy_before" -v b="$busy_after" -v x="$all_before" -v y="$all_after" 'BEGIN { printf "%.0f%%", 100 * (b - a) / (y - x) }')"
pending_after="$("$tool" count --db "$feed_db" | awk '{ print $2 }')"
((${#samples[@]} > 0)) || { echo "soak.sh: no RSS sample (serve died?)" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
hwm="$(vm_kib VmHWM)"
stop_serve
[[ -n "${BENCH_SOAK_LOG:-}" ]] && cp "$work/serve.log" "$BENCH_SOAK_LOG"
worklogs="$(grep -c 'method=POST path=/api/v1/me/activity-feed/[^ ]*/log .* status=201 ' "$work/serve.log" || true)"
# What the failed requests were, from serve's access log: route status count, in the soak
# and in the peak before it. In the peak, mix.lua's 16 connections per wrk thread share
# log.lua's per-thread state (the last suggestion read, the last token used), so some
# POST .../log send one user's suggestion with another user's token: 404, as it must be.
refused_in() {
  sed -n 's/.* route=\([^ ]*\) status=\([45][0-9][0-9]\) .*/\1 \2/p' | sort | uniq -c |
    awk '{ printf "%s %s: %s; ", $2, $3, $1 }'
}
refused="$(tail -n +"$soak_log_from" "$work/serve.log" | refused_in)"
refused_peak="$(head -n "$((soak_log_from - 1))" "$work/serve.log" | refused_in)"

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
printf '%-44s %14s\n' "  peak of the mix $mix, req/s (closed loop)" "$mix_peak"
printf '%-44s %14s\n' "  webhooks/s achieved / asked" "$(wrk_field "$work/soak-webhook.txt" rps) / $webhook_rate"
printf '%-44s %14s\n' "  feed reads/s achieved / asked" "$(wrk_field "$work/soak-feed.txt" rps) / $feed_rate"
printf '%-44s %14s\n' "  feed logging req/s achieved / asked" "$(wrk_field "$work/soak-log.txt" rps) / $log_rate"
printf '%-44s %14s\n' "  all req/s achieved / peak of the mix" "$(ratio "$(awk -v a="$(wrk_field "$work/soak-webhook.txt" rps)" -v b="$(wrk_field "$work/soak-feed.txt" rps)" -v c="$(wrk_field "$work/soak-log.txt" rps)" 'BEGIN { print a + b + c }')" "$mix_peak")"
printf '%-44s %14s\n' "  worklogs created from the feed" "$worklogs"
printf '%-44s %14s\n' "  serve CPU (cores) / machine busy" "$serve_cpu / $machine_busy"
printf '%-44s %14s\n' "  inbox pending at the end" "$pending_after"
printf '%-44s %14s\n' "  failed: webhook / feed / logging (non-2xx)" "$(for f in webhook feed log; do printf '%s(%s) ' "$(wrk_field "$work/soak-$f.txt" errors)" "$(wrk_field "$work/soak-$f.txt" non2xx)"; done)"
printf '%-44s %14s\n' "  4xx/5xx by route in the soak (serve's log)" "${refused:-none}"
printf '%-44s %14s\n' "  4xx/5xx by route in the peak (serve's log)" "${refused_peak:-none}"
printf '%-44s %14s\n' "  p50 ms: webhook / feed / logging" "$(wrk_field "$work/soak-webhook.txt" p50_ms) / $(wrk_field "$work/soak-feed.txt" p50_ms) / $(wrk_field "$work/soak-log.txt" p50_ms)"
echo "load average after: $(load_average)"
[[ $failed -eq 0 ]] || echo "soak.sh: MISSED a target (see NO above)"
exit "$failed"
