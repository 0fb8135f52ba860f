#!/usr/bin/env bash
# Scaling curve of `ldifix scan` (issue 6): wall time and peak memory for 10 k, 100 k and
# 1 M users, and 10 M with --with-10m (off by default: the export is ~22 GB, generating
# it takes several minutes, and it does not fit in the page cache of a 24 GiB machine).
#
# Each size: `ldifix generate --users N --seed 1` (ldifde flavour; reused from
# $BENCH_DIR, named after the options), one untimed read of the file, then
# `ldifix scan FILE` timed as a whole process, median of --runs (default 3) wall times,
# peak RSS from `/usr/bin/time -f %M` (mapped file pages included) and peak anonymous RSS
# (RssAnon sampled every 10 ms: memory beyond the page cache). Prints a Markdown table
# (users, records, file size, wall time, MB/s, µs per user, peak RSS, peak anon RSS) and
# writes it to $BENCH_DIR/scaling-<date>.md.
#
# Usage: scripts/bench-scaling.sh [--with-10m] [--users "10000 100000 1000000"]
#                                 [--runs 3] [--wait-load 1.5] [--wait-max 600]
# Needs /usr/bin/time (Debian package `time`) and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
USERS="10000 100000 1000000"
RUNS=3
WAIT_LOAD=1.5
WAIT_MAX=600
# The command line as given, for the report.
. scripts/lib/cmdline.sh
CMDLINE=$(cmdline scripts/bench-scaling.sh "$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --with-10m) USERS="$USERS 10000000"; shift ;;
        --users) USERS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --wait-load) WAIT_LOAD=$2; shift 2 ;;
        --wait-max) WAIT_MAX=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
BENCH_DIR=${BENCH_DIR:-bench-data}
PY=$(command -v python3 || true)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if [ -z "$PY" ] || [ ! -x /usr/bin/time ]; then
    echo "needs python3 and /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
HELPER="$PY $ROOT/scripts/lib/bench_run.py"

echo "building ldifix (release)" >&2
cargo build --release --quiet --bin ldifix
LDIFIX=$ROOT/target/release/ldifix

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
# Same names as scripts/bench-peers.sh, so both reuse the same exports.
gen_file() { echo "$BENCH_DIR/ldifde-users$1-seed1.ldf"; }

DATE=$(date -u +%Y-%m-%dT%H%M%SZ)
WORK=$(mktemp -d "$BENCH_DIR/scaling-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.jsonl
VERSION="$("$LDIFIX" --version 2>/dev/null | head -1) ($(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
LOAD_START=$($HELPER loadavg)
MEM_KB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)

for n in $USERS; do
    f=$(gen_file "$n")
    if [ ! -s "$f" ]; then
        need=$((n * 2300))
        avail=$(df -P -B1 "$BENCH_DIR" | awk 'NR == 2 { print $4 }')
        if [ "$avail" -lt "$need" ]; then
            echo "not enough disk for $n users: need ~$need bytes, $avail free" >&2
            exit 2
        fi
        echo "generating $f" >&2
        "$LDIFIX" generate --users "$n" --seed 1 -o "$f" --quiet >&2
    else
        echo "reusing $f" >&2
    fi
    size=$(stat -c %s "$f")
    if [ "$size" -gt 1000000000 ]; then
        $HELPER wait-load --below "$WAIT_LOAD" --max "$WAIT_MAX" >&2
    fi
    note="load $($HELPER loadavg | cut -d' ' -f1)"
    if [ "$size" -gt $((MEM_KB * 1024 * 3 / 4)) ]; then
        note="$note; file larger than 3/4 of RAM: partly read from disk"
    fi
    cat "$f" >/dev/null  # warm the page cache (untimed)
    $HELPER time --label "ldifix scan" --file "$f" --users "$n" --out "$RESULTS" --runs "$RUNS" \
        --ok 0,1 --stdout "$WORK/scan.out" --note "$note" -- "$LDIFIX" scan "$f"
    recs=$(sed -n 's/^Inputs:.* \([0-9]*\) records.*/\1/p' "$WORK/scan.out" | head -1)
    # Attach the record count scan reported to the last result line.
    $PY - "$RESULTS" "${recs:-0}" <<'EOF'
import json, sys
path, recs = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(path) if l.strip()]
rows[-1]["note"] = f"records={recs}; " + rows[-1]["note"]
with open(path, "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
EOF
done
LOAD_END=$($HELPER loadavg)

REPORT=$BENCH_DIR/scaling-$DATE.md
{
    echo "## ldifix scan scaling ($DATE)"
    echo
    echo "Command: \`$CMDLINE\`."
    echo "Inputs: \`ldifix generate --users N --seed 1\` (ldifde flavour); \`ldifix scan FILE\` (entra"
    echo "profile, all rules, collision index, no report file) as a whole process, wall time,"
    echo "median of $RUNS runs, warm page cache; MB = 10^6 bytes; peak RSS from"
    echo "\`/usr/bin/time -f %M\` (includes the mapped file's pages); peak anon RSS: largest RssAnon"
    echo "sampled every 10 ms (memory beyond the page cache)."
    echo
    echo "Load average (1, 5, 15 min): $LOAD_START at start, $LOAD_END at end."
    echo
    $HELPER table "$RESULTS" --kind scaling
    echo
    echo "Environment:"
    echo
    $HELPER env --ldifix-version "$VERSION"
} >"$REPORT"
cat "$REPORT"
echo
echo "(written to $REPORT)"
