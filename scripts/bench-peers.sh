#!/usr/bin/env bash
# ldifix side by side with the tools users would otherwise pick (issue 6).
#
# On the same generated ldifde exports (100 k and 1 M users by default), in the same run,
# each tool timed as a whole process: wall time, median of 3, warm page cache (one
# untimed read of the file first), peak RSS from `/usr/bin/time -f %M`:
#   - ldifix scan FILE                 all rules and the collision index, no report file
#   - ldifix scan FILE --json TMP      the same plus the JSON report
#   - ldifix fix FILE --upn-suffix contoso.local=contoso.com -o TMP --undo TMP2 --force
#                                      (the generated forest's few .local UPNs; all collide)
#   - ldifix fix FILE --upn-suffix contoso.com=fabrikam.com -o TMP --undo TMP2 --force
#                                      (a change and an undo record for nearly every user)
#                                      Before each fix run its previous outputs are removed,
#                                      untimed (replacing them would time the kernel
#                                      freeing their pages too, which a first run never pays).
#   - memchr pass                      examples/count_records.rs: mmap, count record
#                                      separators with memchr::memmem on 2 threads
#   - ldapmodify -n -f FILE            OpenLDAP's C parser, no server
#   - python-ldap ldif.LDIFParser      scripts/lib/bench_pyldap.py
# python-ldap on a file whose three runs would take longer than PY_BUDGET seconds
# (projected from its speed on the smaller file) is timed on the first PY_PREFIX_MB MB of
# that file and extrapolated linearly; the table says so.
#
# Prints the environment, the load average at start and end, and a Markdown table; the
# same report goes to $BENCH_DIR/peers-<date>.md.
#
# Usage: scripts/bench-peers.sh [--users "100000 1000000"] [--runs 3] [--wait-load 1.5]
#                               [--wait-max 600] [--py-budget 600] [--py-prefix-mb 256]
# Environment: BENCH_DIR (default bench-data, git-ignored) holds the generated exports,
# reused across runs (named after the generator options); BENCH_GEN_ARGS adds options to
# `ldifix generate` (and to the file names).
# Installs ldap-utils, python3-ldap and time from Debian when missing (needs root).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
USERS="100000 1000000"
RUNS=3
WAIT_LOAD=1.5
WAIT_MAX=600
PY_BUDGET=600
PY_PREFIX_MB=256
# The command line as given, for the report.
. scripts/lib/cmdline.sh
CMDLINE=$(cmdline scripts/bench-peers.sh "$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --users) USERS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --wait-load) WAIT_LOAD=$2; shift 2 ;;
        --wait-max) WAIT_MAX=$2; shift 2 ;;
        --py-budget) PY_BUDGET=$2; shift 2 ;;
        --py-prefix-mb) PY_PREFIX_MB=$2; shift 2 ;;
        -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
BENCH_DIR=${BENCH_DIR:-bench-data}
BENCH_GEN_ARGS=${BENCH_GEN_ARGS:-}
PY=/usr/bin/python3
HELPER="$PY $ROOT/scripts/lib/bench_run.py"

# --- tools -----------------------------------------------------------------------------
missing=()
command -v ldapmodify >/dev/null 2>&1 || missing+=(ldap-utils)
[ -x /usr/bin/python3 ] && $PY -c 'import ldif' >/dev/null 2>&1 || missing+=(python3-ldap)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
        exit 2
    fi
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "building ldifix and examples/count_records (release)" >&2
cargo build --release --quiet --bin ldifix --example count_records
LDIFIX=$ROOT/target/release/ldifix
COUNT=$ROOT/target/release/examples/count_records

# --- data ------------------------------------------------------------------------------
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
# The exported bytes depend only on the generator options, so the name is the options.
gen_file() {
    local n=$1 tag=""
    if [ -n "$BENCH_GEN_ARGS" ]; then
        tag=-$(printf '%s' "$BENCH_GEN_ARGS" | tr -c 'A-Za-z0-9.=\n' '_' )
    fi
    echo "$BENCH_DIR/ldifde-users$n-seed1$tag.ldf"
}
ensure_file() {
    local n=$1 f
    f=$(gen_file "$n")
    if [ ! -s "$f" ]; then
        echo "generating $f" >&2
        # shellcheck disable=SC2086
        "$LDIFIX" generate --users "$n" --seed 1 $BENCH_GEN_ARGS -o "$f" --quiet >&2
    else
        echo "reusing $f" >&2
    fi
}
for n in $USERS; do ensure_file "$n"; done

# --- measurements ----------------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H%M%SZ)
WORK=$(mktemp -d "$BENCH_DIR/peers-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.jsonl
VERSION="$("$LDIFIX" --version 2>/dev/null | head -1) ($(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
LOAD_START=$($HELPER loadavg)
CHECKS=()

py_rate=""  # python-ldap bytes per second, from the last full-file measurement
for n in $USERS; do
    f=$(gen_file "$n")
    size=$(stat -c %s "$f")
    if [ "$size" -gt 1000000000 ]; then
        $HELPER wait-load --below "$WAIT_LOAD" --max "$WAIT_MAX" >&2
    fi
    echo "== $(basename "$f") ($size bytes), load $($HELPER loadavg)" >&2
    cat "$f" >/dev/null  # warm the page cache (untimed)

    $HELPER time --label "ldifix scan" --file "$f" --out "$RESULTS" --runs "$RUNS" --ok 0,1 \
        --stdout "$WORK/scan.out" -- "$LDIFIX" scan "$f"
    scan_records=$(sed -n 's/^Inputs:.* \([0-9]*\) records.*/\1/p' "$WORK/scan.out" | head -1)

    $HELPER time --label "ldifix scan --json" --file "$f" --out "$RESULTS" --runs "$RUNS" --ok 0,1 \
        --note "report to a temporary file (/dev/null is refused: it exists)" \
        -- "$LDIFIX" scan "$f" --json "$WORK/scan.json" --force

    # The previous run's outputs are removed before each fix run, untimed: replacing them
    # (--force) would also time the kernel freeing their pages, which a first run never pays.
    FIX_OUTPUTS=()
    for o in changes.ldf changes.ldf.map.csv undo.ldf undo.ldf.map.csv; do
        FIX_OUTPUTS+=(--remove "$WORK/$o")
    done
    $HELPER time --label "ldifix fix" --file "$f" --out "$RESULTS" --runs "$RUNS" --ok 0,1 \
        --stdout "$WORK/fix.out" "${FIX_OUTPUTS[@]}" \
        -- "$LDIFIX" fix "$f" --upn-suffix contoso.local=contoso.com \
        -o "$WORK/changes.ldf" --undo "$WORK/undo.ldf" --force
    fix_plan=$(grep -m1 '^plan:' "$WORK/fix.out" || echo '?')

    # The same file with every routable UPN moved to another suffix: a change and an undo
    # record for nearly every user (the heaviest fix a real run would plan).
    $HELPER time --label "ldifix fix, every UPN" --file "$f" --out "$RESULTS" --runs "$RUNS" --ok 0,1 \
        --stdout "$WORK/fix-all.out" "${FIX_OUTPUTS[@]}" \
        -- "$LDIFIX" fix "$f" --upn-suffix contoso.com=fabrikam.com \
        -o "$WORK/changes.ldf" --undo "$WORK/undo.ldf" --force
    fix_all_plan=$(grep -m1 '^plan:' "$WORK/fix-all.out" || echo '?')
    rm -f "$WORK"/changes.ldf* "$WORK"/undo.ldf*

    $HELPER time --label "memchr pass (2 threads)" --file "$f" --out "$RESULTS" --runs "$RUNS" \
        --stdout "$WORK/count.out" -- "$COUNT" "$f" 2
    count_records=$(cat "$WORK/count.out")

    $HELPER time --label "ldapmodify -n" --file "$f" --out "$RESULTS" --runs "$RUNS" \
        -- ldapmodify -n -f "$f"

    # python-ldap: the whole file, unless three runs would blow the budget.
    projected=0
    if [ -n "$py_rate" ]; then
        projected=$(awk -v s="$size" -v r="$py_rate" -v k="$RUNS" 'BEGIN { printf "%d", s / r * k }')
    fi
    if [ "$projected" -gt "$PY_BUDGET" ]; then
        echo "  python-ldap: $RUNS runs projected at ${projected} s > ${PY_BUDGET} s;" \
            "timing the first ${PY_PREFIX_MB} MB and extrapolating" >&2
        $HELPER prefix "$f" "$WORK/prefix.ldf" "$PY_PREFIX_MB" >/dev/null
        cat "$WORK/prefix.ldf" >/dev/null
        $HELPER time --label "python-ldap LDIFParser" --file "$WORK/prefix.ldf" \
            --extrapolate-to "$f" --out "$RESULTS" --runs "$RUNS" --stdout "$WORK/py.out" \
            -- "$PY" "$ROOT/scripts/lib/bench_pyldap.py" "$WORK/prefix.ldf"
        py_records="(prefix: $(cat "$WORK/py.out"))"
        rm -f "$WORK/prefix.ldf"
    else
        $HELPER time --label "python-ldap LDIFParser" --file "$f" --out "$RESULTS" --runs "$RUNS" \
            --stdout "$WORK/py.out" -- "$PY" "$ROOT/scripts/lib/bench_pyldap.py" "$f"
        py_records=$(cat "$WORK/py.out")
        py_rate=$(tail -1 "$RESULTS" | $PY -c 'import json,sys; r=json.load(sys.stdin); print(r["size"]/r["median"])')
    fi

    # ldapmodify prints one "adding new entry" line per record it parsed (untimed check).
    lm_records=$(ldapmodify -n -f "$f" 2>/dev/null | grep -c '^!adding new entry' || true)
    CHECKS+=("$(basename "$f"): records counted by ldifix scan $scan_records, memchr pass $count_records, ldapmodify -n $lm_records, python-ldap $py_records; ldifix fix: $fix_plan; ldifix fix, every UPN: $fix_all_plan")
done
LOAD_END=$($HELPER loadavg)

# --- report ----------------------------------------------------------------------------
REPORT=$BENCH_DIR/peers-$DATE.md
{
    echo "## ldifix and its peers ($DATE)"
    echo
    echo "Command: \`$CMDLINE\`${BENCH_GEN_ARGS:+ with BENCH_GEN_ARGS=\"$BENCH_GEN_ARGS\"}."
    echo "Inputs: \`ldifix generate --users N --seed 1${BENCH_GEN_ARGS:+ $BENCH_GEN_ARGS}\` (ldifde flavour). Every tool timed"
    echo "as a whole process, wall time, median of $RUNS runs, warm page cache; MB = 10^6 bytes;"
    echo "peak RSS from \`/usr/bin/time -f %M\` (includes mapped file pages); peak anon RSS: largest"
    echo "RssAnon sampled every 10 ms (memory beyond the page cache)."
    echo
    echo "Load average (1, 5, 15 min): $LOAD_START at start, $LOAD_END at end."
    echo
    $HELPER table "$RESULTS" --kind peers --baseline "ldifix scan"
    echo
    for c in "${CHECKS[@]}"; do echo "- $c"; done
    echo
    echo "Environment:"
    echo
    $HELPER env --ldifix-version "$VERSION"
} >"$REPORT"
cat "$REPORT"
echo
echo "(written to $REPORT)"
