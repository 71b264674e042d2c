#!/usr/bin/env bash
# Installs the npm tool git-hours@1.5.0 (our external check of the duration engine, DESIGN
# §3.4) into a cache directory outside the clone and prints the path of its executable.
# Idempotent: when the cached install is complete it does no network or build work.
#   tests/git-hours/install.sh            install if needed, print the bin path
#   GIT_HOURS_CACHE=/dir tests/git-hours/install.sh
# git-hours needs nodegit, whose native build needs Debian's libkrb5-dev and libssl-dev and
# takes ~10 minutes on 2 cores. Exit status 1 (with the npm log's tail) when it cannot be built.
set -euo pipefail

version=1.5.0
cache_root="${GIT_HOURS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/worklog/git-hours}"
prefix="$cache_root/$version"
bin="$prefix/node_modules/.bin/git-hours"
stamp="$prefix/.install-complete"

if [[ -f "$stamp" && -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

command -v npm >/dev/null || { echo "install.sh: npm is not installed" >&2; exit 1; }
mkdir -p "$cache_root"
# One installer at a time (ctest -j2, bench and a developer may all call this).
exec 9>"$cache_root/.lock"
flock 9
if [[ -f "$stamp" && -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

rm -rf "$prefix"
mkdir -p "$prefix"
log="$cache_root/install-$version.log"
echo "install.sh: installing git-hours@$version into $prefix (nodegit builds from source, ~10 min)" >&2
# JOBS: node-gyp's parallelism; the machines have 2 cores.
if ! (cd "$prefix" && echo '{"private":true}' >package.json &&
      JOBS="${JOBS:-2}" npm install --no-audit --no-fund --no-save "git-hours@$version") \
      >"$log" 2>&1; then
  echo "install.sh: npm install git-hours@$version failed; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
# Make sure the native module really loads, not just that npm finished.
if ! (cd "$prefix" && node -e 'require("nodegit")') >>"$log" 2>&1; then
  echo "install.sh: nodegit was installed but does not load; see $log" >&2
  tail -n 10 "$log" >&2
  exit 1
fi
touch "$stamp"
echo "$bin"
