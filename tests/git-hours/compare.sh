#!/usr/bin/env bash
# The external check of the estimate engine (DESIGN.md §3.4): builds a git repository from a
# history TSV, runs `worklog estimate --git-hours-compatible --json` and the npm tool
# git-hours@1.5.0 on it, and compares every author's hours and commit count and the totals.
#   tests/git-hours/compare.sh WORKLOG_BINARY HISTORY.tsv WORK_DIR
# Exit 0: identical. 1: a difference, or git-hours could not be installed (never faked).
# WORKLOG_SKIP_GIT_HOURS=1 skips the check explicitly (exit 77, reported as skipped by ctest).
set -euo pipefail

worklog="$1"
history="$2"
work="$3"
here="$(cd "$(dirname "$0")" && pwd)"

if [[ "${WORKLOG_SKIP_GIT_HOURS:-}" == 1 ]]; then
  echo "compare.sh: skipped (WORKLOG_SKIP_GIT_HOURS=1)"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
"$here/make-repo.sh" "$history" "$work/repo"
echo "compare.sh: history $history ($(git -C "$work/repo" rev-list --count main) commits)"

if ! git_hours="$("$here/install.sh")"; then
  echo "compare.sh: FAILED: git-hours@1.5.0 could not be installed (see above)" >&2
  exit 1
fi

"$worklog" estimate --repo "$work/repo" --git-hours-compatible --json >"$work/worklog.json"
# git-hours reads the repository in the working directory (and checks ./.git/shallow).
(cd "$work/repo" && "$git_hours") >"$work/git-hours.json"

node - "$work/worklog.json" "$work/git-hours.json" <<'JS'
const fs = require('fs');
const [ours, theirs] = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const emails = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
let differences = 0;
const rows = [];
for (const email of emails) {
  const a = ours[email];
  const b = theirs[email];
  const same = a && b && a.hours === b.hours && a.commits === b.commits;
  if (!same) differences += 1;
  rows.push(`${same ? '  ' : '!!'} ${email.padEnd(34)} worklog ${a ? `${a.hours} h ${a.commits} c` : '-'}`
            + `   git-hours ${b ? `${b.hours} h ${b.commits} c` : '-'}`);
}
console.log(rows.join('\n'));
if (Object.keys(theirs).length < 2 || !(theirs.total && theirs.total.hours > 0)) {
  console.error('compare.sh: FAILED: git-hours reported no work; the comparison proves nothing');
  process.exit(1);
}
if (differences > 0) {
  console.error(`compare.sh: FAILED: ${differences} of ${emails.size} entries differ`);
  process.exit(1);
}
console.log(`compare.sh: OK: ${emails.size - 1} authors and the total (${theirs.total.hours} h, `
            + `${theirs.total.commits} commits) identical`);
JS
