#!/usr/bin/env bash
# Builds a git repository of empty commits from a history TSV (author_time, committer_time,
# author_email, author_name[, message]; oldest first; see /work/shared/data/README.md) with
# `git fast-import`: branch "main" holds every commit; branch "side" points at the commit
# two thirds of the way, so commits reachable from both branches exist (git-hours counts
# them twice).
#   tests/git-hours/make-repo.sh HISTORY.tsv DEST_DIR
set -euo pipefail

history="$1"
dest="$2"
[[ -f "$history" ]] || { echo "make-repo.sh: no history file $history" >&2; exit 2; }
rm -rf "$dest"
git init -q --initial-branch=main "$dest"

awk -F'\t' '
  NR == 1 { next }                       # header
  {
    n++
    msg = (NF >= 5 && $5 != "") ? $5 : "commit " n
    printf "commit refs/heads/main\nmark :%d\n", n
    printf "author %s <%s> %s +0000\n", $4, $3, $1
    printf "committer %s <%s> %s +0000\n", $4, $3, $2
    printf "data %d\n%s\n", length(msg), msg
    if (n > 1) printf "from :%d\n", n - 1
    printf "\n"
  }
  END {
    if (n > 0) printf "reset refs/heads/side\nfrom :%d\n\n", int(n * 2 / 3) + 1
  }
' "$history" | git -C "$dest" fast-import --quiet
git -C "$dest" symbolic-ref HEAD refs/heads/main
