#!/usr/bin/env bash
# `worklog estimate` (our engine) on a small scripted history with hand-computed hours.
#   tests/git-hours/estimate-cli.sh WORKLOG_BINARY WORK_DIR
set -euo pipefail
worklog="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"

# 2026-03-10 (UTC): a@x at 09:00 (no key), 09:45 and 13:00 (PROJ-7; one written A@X);
# b@x once at 10:00; c@x at 23:50 and, the next UTC day, 00:20.
t() { date -u -d "$1" +%s; }
{
  printf 'author_time\tcommitter_time\tauthor_email\tauthor_name\tmessage\n'
  printf '%s\t%s\ta@x\tAnn\tStart\n' "$(t 2026-03-10T09:00:00Z)" "$(t 2026-03-10T09:00:00Z)"
  printf '%s\t%s\tb@x\tBob\tPROJ-9 typo\n' "$(t 2026-03-10T10:00:00Z)" "$(t 2026-03-10T10:00:00Z)"
  printf '%s\t%s\tA@X\tAnn\tPROJ-7 fix login\n' "$(t 2026-03-10T09:45:00Z)" "$(t 2026-03-10T12:00:00Z)"
  printf '%s\t%s\ta@x\tAnn\tPROJ-7 test\n' "$(t 2026-03-10T13:00:00Z)" "$(t 2026-03-10T13:00:00Z)"
  printf '%s\t%s\tc@x\tCid\tlate\n' "$(t 2026-03-10T23:50:00Z)" "$(t 2026-03-10T23:50:00Z)"
  printf '%s\t%s\tc@x\tCid\tlater\n' "$(t 2026-03-11T00:20:00Z)" "$(t 2026-03-11T00:20:00Z)"
} >"$work/history.tsv"
"$here/make-repo.sh" "$work/history.tsv" "$work/repo"

check() {  # check NAME EXPECTED_JSON_MINUTES ARGS...
  local name="$1" expected="$2"
  shift 2
  "$worklog" estimate --repo "$work/repo" --json "$@" >"$work/out.json"
  python3 - "$work/out.json" "$expected" "$name" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
expected = json.loads(sys.argv[2])
got = {a["email"]: a["seconds"] // 60 for a in out["authors"]}
if got != expected or out["total"]["seconds"] // 60 != sum(expected.values()):
    sys.exit(f"estimate-cli.sh: FAILED {sys.argv[3]}: minutes {got}, expected {expected}")
print(f"estimate-cli.sh: ok {sys.argv[3]}: {got}")
PY
}

# a: unassigned 30 (lead-in) + PROJ-7 45 + 30 (13:00 starts a new session) = 105.
# c: 23:50 lead-in 30; 00:20 the next day owns the 20 minutes since midnight -> 15.
check "defaults, UTC" '{"a@x": 105, "b@x": 30, "c@x": 45}'
# In Oslo (UTC+1) c's commits are 00:50 and 01:20 on the 11th: 30 + 30 = 60.
check "Oslo days" '{"a@x": 105, "b@x": 30, "c@x": 60}' --timezone Europe/Oslo
# Lead-in 60 and max gap 4 h: a = 60 + 45 + 195 = 300; c = 60 (23:50) + 20 -> 15.
check "parameters" '{"a@x": 300, "b@x": 60, "c@x": 75}' --lead-in 60 --max-gap 240

# git-hours compatible mode: committer times, e-mails exactly as written.
"$worklog" estimate --repo "$work/repo" --git-hours-compatible --json >"$work/compat.json"
python3 - "$work/compat.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
hours = {k: v["hours"] for k, v in out.items()}
# a@x: 09:00, 13:00 (committer times; A@X is another author to git-hours) -> gap 4h: +2h.
expected = {"a@x": 2, "A@X": 0, "b@x": 0, "c@x": 1, "total": 3}
if hours != expected:
    sys.exit(f"estimate-cli.sh: FAILED compat: {hours}, expected {expected}")
print(f"estimate-cli.sh: ok compat: {hours}")
PY

if "$worklog" estimate --repo "$work/no-such-repo" 2>"$work/err.txt" >"$work/out.txt"; then
  echo "estimate-cli.sh: FAILED: a missing repository succeeded" >&2
  exit 1
fi
status=0
"$worklog" estimate --repo "$work/no-such-repo" >/dev/null 2>&1 || status=$?
[[ "$status" == 2 && ! -s "$work/out.txt" ]] || {
  echo "estimate-cli.sh: FAILED: bad input must exit 2 with nothing on stdout (got $status)" >&2
  exit 1
}
echo "estimate-cli.sh: ok bad repository: $(cat "$work/err.txt")"
