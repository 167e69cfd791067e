#!/usr/bin/env bash
# Runs CI (.ci/run: install, format, build, typecheck, lint, publint, the whole test suite) on a clean
# clone of HEAD under each Node version given, default 22 and 24 (20 is the machine's own, which CI
# uses). The Node binaries come from the npm registry's `node` package, so this needs nothing beyond
# npm either. Usage: bash scripts/node-versions.sh [version ...], e.g. 22 24 or 20.19.0
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
majors=("$@")
[[ ${#majors[@]} -gt 0 ]] || majors=(22 24)

work="$(mktemp -d "${TMPDIR:-/tmp}/node-versions.XXXXXX")"
trap 'rm -rf "$work"' EXIT
summary=()
status=0
for major in "${majors[@]}"; do
  echo "== Node $major"
  mkdir -p "$work/node$major"
  npm install --prefix "$work/node$major" --no-save --no-audit --no-fund "node@$major" >/dev/null 2>&1 || true
  bin="$work/node$major/node_modules/node/bin"
  [[ -x "$bin/node" ]] || { echo "npm could not install node@$major (the package's preinstall fetches the binary)"; exit 1; }
  git clone -q "$repo" "$work/clone$major"
  log="$work/node$major.log"
  if (cd "$work/clone$major" && PATH="$bin:$PATH" CI=true bash .ci/run) >"$log" 2>&1; then
    result="ok"
  else
    result="FAILED"
    status=1
    tail -40 "$log"
  fi
  # .ci/run ends with the suite's "N passed, N failed, N skipped" line.
  summary+=("Node $("$bin/node" --version): $result, $(grep -E '^[0-9]+ passed' "$log" | tail -1)")
done
printf '%s\n' "${summary[@]}"
exit $status
