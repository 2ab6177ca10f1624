#!/usr/bin/env bash
# Builds the solution and runs every test suite, as CI does (.ci/run). Runnable from any folder.
# Installs what the tests need on a fresh Debian 12 machine (as root, or through sudo).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

configuration=Release
results="$repo/artifacts/test-results"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Browser tests drive Debian's Chromium (Playwright cannot download its own here);
# mail tests deliver to aiosmtpd run by Debian's Python;
# tests on PostgreSQL start a throwaway server of Debian's postgresql package themselves (initdb into a temp folder);
# the test of scripts/cluster.sh puts nginx in front of two nodes, as the script does for people.
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || packages+=(python3-aiosmtpd)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
[ -x /usr/sbin/nginx ] || packages+=(nginx-light)
# The example kubectl template runs in the tests (offline, dry run).
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
# The vSphere tests run against VMware's simulator, vcsim, built below from Debian's govmomi source with Go.
command -v go >/dev/null 2>&1 || packages+=(golang-go)
[ -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ] || packages+=(golang-github-vmware-govmomi-dev)
# Spectral (lints the OpenAPI document) and axe-core (accessibility, in the browser tests) come from npm.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "${#packages[@]}" -gt 0 ]; then
    echo "Installing ${packages[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi

# Exactly the versions of tools/node/package-lock.json; again only when the lock file changed since.
if [ ! -f tools/node/node_modules/.package-lock.json ] || ! cmp -s tools/node/package-lock.json tools/node/node_modules/.package-lock.json.installed 2>/dev/null; then
    echo "Installing tools/node (npm ci)"
    npm ci --prefix tools/node --no-audit --no-fund --loglevel=error
    cp tools/node/package-lock.json tools/node/node_modules/.package-lock.json.installed
fi

# Built once per govmomi version and launcher (cached outside the repository); the tests find it through this.
PORTAL_TEST_VCSIM="$(bash scripts/vcsim.sh --build)"
export PORTAL_TEST_VCSIM

rm -rf "$results"
mkdir -p "$results"

dotnet build Portal.sln -c "$configuration" -warnaserror

# name=project; each run writes <name>.trx, whatever happens to the others.
suites=(portal-tests=tests/Portal.Tests e2e=tests/E2E)
runs=()
status=0
for suite in "${suites[@]}"; do
    name="${suite%%=*}"
    project="${suite#*=}"
    echo "== $name ($project)"
    if dotnet test --project "$project" -c "$configuration" --no-build \
        --results-directory "$results" --report-xunit-trx --report-xunit-trx-filename "$name.trx"; then
        runs+=("$name:0")
    else
        runs+=("$name:$?")
        status=1
    fi
done

# One closing line for people and CI: "N passed, N failed[, N skipped]".
# A run that failed without a failed test in its report (crash, no test found, no report) counts as one failure.
/usr/bin/python3 - "$results" "${runs[@]}" <<'PY'
import os
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
results, runs = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
for run in runs:
    name, exit_code = run.rsplit(":", 1)
    p = f = s = 0
    path = os.path.join(results, name + ".trx")
    try:
        root = ET.parse(path).getroot()
        counters = root.find(f"{NS}ResultSummary/{NS}Counters")
        if counters is not None:
            count = lambda *keys: sum(int(counters.get(k, "0")) for k in keys)
            p = count("passed")
            f = count("failed", "error", "timeout", "aborted")
            s = count("notExecuted", "notRunnable", "inconclusive")
        else:
            outcomes = [r.get("outcome", "") for r in root.iter(f"{NS}UnitTestResult")]
            p = outcomes.count("Passed")
            f = sum(o in ("Failed", "Error", "Timeout", "Aborted") for o in outcomes)
            s = len(outcomes) - p - f
    except (OSError, ET.ParseError) as e:
        print(f"{name}: no test report ({e})", file=sys.stderr)
    if exit_code != "0" and f == 0:
        print(f"{name}: test run exited with {exit_code}", file=sys.stderr)
        f = 1
    print(f"  {name}: passed {p}, failed {f}, skipped {s}")
    passed, failed, skipped = passed + p, failed + f, skipped + s

line = f"{passed} passed, {failed} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
PY

exit "$status"
