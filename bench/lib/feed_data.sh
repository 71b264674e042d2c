# Source after lib/common.sh: the seeded feed database, kept in a cache directory so re-runs
# skip seeding. Sets feed_db, feed_data, feed_tokens, feed_count.
#   BENCH_FEED_ACTIVITIES (default 10,000,000), BENCH_FEED_USERS (2,000), BENCH_DATA_DIR
#   (default build/release/bench-data).
feed_total="${BENCH_FEED_ACTIVITIES:-10000000}"
feed_users="${BENCH_FEED_USERS:-2000}"
cache="${BENCH_DATA_DIR:-$root/$build/bench-data}"
mkdir -p "$cache"
# v2: a few issue keys per user per day (bench_tool seed); v1 caches are not reused.
feed_name="feed-v2-${feed_total}-${feed_users}"
feed_db="sqlite:$cache/$feed_name.db"
feed_data="$cache/$feed_name-data"
feed_tokens="$cache/$feed_name-tokens.txt"
export BENCH_HOOK_SECRET="${BENCH_HOOK_SECRET:-bench-hook-secret-0123456789abcdef}"
prepare_feed_db() {
  mkdir -p "$feed_data"
  if [[ ! -f "$cache/$feed_name.ready" ]]; then
    echo "seeding $feed_total activities for $feed_users users into $cache/$feed_name.db (once; df: $(df -h "$cache" | awk 'NR == 2 { print $4 " free" }'))"
    local start=$SECONDS
    "$tool" setup-org --db "$feed_db" --data-dir "$feed_data" --hook-secret "$BENCH_HOOK_SECRET" \
      --users "$feed_users" >/dev/null || return 1
    "$tool" seed --db "$feed_db" --users "$feed_users" --activities "$feed_total" || return 1
    # Personal API tokens the way a user makes them.
    : >"$feed_tokens.tmp"
    local u
    for ((u = 1; u <= ${BENCH_FEED_TOKENS:-100}; u++)); do
      "$worklog" token create --db "$feed_db" --email "u$((u * (feed_users / ${BENCH_FEED_TOKENS:-100})))@bench.invalid" \
        --name bench 2>/dev/null >>"$feed_tokens.tmp" || return 1
    done
    mv "$feed_tokens.tmp" "$feed_tokens"
    echo "seeded in $((SECONDS - start)) s"
    touch "$cache/$feed_name.ready"
  fi
  read -r feed_count _ < <("$tool" count --db "$feed_db")
}

# copy_feed_db NAME: the seeded database and its data directory copied into a temporary
# directory beside the seed ($copy: the caller's trap removes it), for a run that migrates
# or writes them; feed_db and feed_data then name the copy, and the seed stays as it was.
copy_feed_db() {
  copy="$(mktemp -d "$cache/$1.XXXXXX")" || return 1
  local seed_db="${feed_db#sqlite:}"
  cp --reflink=auto "$seed_db" "$copy/feed.db" || { echo "$1: cannot copy $seed_db" >&2; return 1; }
  if [[ -f "$seed_db-wal" ]]; then
    cp "$seed_db-wal" "$copy/feed.db-wal" || return 1
  fi
  cp -r "$feed_data" "$copy/data" || return 1
  feed_db="sqlite:$copy/feed.db"
  feed_data="$copy/data"
}
