#!/usr/bin/env bash
# Before and after: `ldifix scan` of an earlier revision and of the working tree, timed in
# interleaved rounds on the same file, with the OpenLDAP parser and the memchr pass in
# every round as yardsticks.
#
# Each round runs, one after the other: the earlier revision's scan, the working tree's
# scan, `ldapmodify -n -f FILE` and the memchr pass (examples/count_records.rs, 2
# threads). On a shared virtual machine whose speed drifts within minutes, a tool timed
# three times in a row can land in a slow spell the others miss; interleaving spreads the
# drift over all of them, so the medians and ratios of one run can be compared.
#
# Usage: scripts/bench-ab.sh [--rounds 5] [--threads N] REV FILE...
#   REV      a git revision (commit, tag, branch) built into $BENCH_DIR/ab-REV
#   FILE     LDIF exports (e.g. bench-data/ldifde-users1000000-seed1.ldf from
#            scripts/bench-peers.sh or `ldifix generate`)
# Prints a Markdown table per file: median, fastest and slowest wall time of each tool,
# and its median's ratio to the working tree's scan.
# Needs ldap-utils (ldapmodify; scripts/bench-peers.sh installs it) and bash 5 (EPOCHREALTIME).
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=5
THREADS=""
. scripts/lib/cmdline.sh
CMDLINE=$(cmdline scripts/bench-ab.sh "$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        --*) echo "unknown option: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -lt 2 ]; then
    echo "usage: scripts/bench-ab.sh [--rounds 5] [--threads N] REV FILE..." >&2
    exit 2
fi
REV=$1
shift
for tool in ldapmodify; do
    command -v "$tool" >/dev/null || { echo "missing $tool (see scripts/bench-peers.sh)" >&2; exit 2; }
done
BENCH_DIR=${BENCH_DIR:-bench-data}
SHA=$(git rev-parse --short "$REV^{commit}")
HEAD_SHA="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+changes')"

echo "building the working tree ($HEAD_SHA) and $REV ($SHA), release" >&2
cargo build --release --quiet --bin ldifix --example count_records
B=$(pwd)/target/release/ldifix
COUNT=$(pwd)/target/release/examples/count_records
SRC=$BENCH_DIR/ab-$SHA
if [ ! -x "$SRC/target/release/ldifix" ]; then
    rm -rf "$SRC"
    mkdir -p "$SRC"
    git archive "$SHA" | tar -x -C "$SRC"
    (cd "$SRC" && cargo build --release --quiet --bin ldifix)
fi
A=$(pwd)/$SRC/target/release/ldifix
T=()
[ -n "$THREADS" ] && T=(--threads "$THREADS")

LABELS=("ldifix scan at $SHA" "ldifix scan at $HEAD_SHA" "ldapmodify -n" "memchr pass (2 threads)")
run() {  # run I FILE: the I-th tool on FILE, wall seconds on stdout
    local cmd
    case $1 in
        0) cmd=("$A" scan "$2" "${T[@]}") ;;
        1) cmd=("$B" scan "$2" "${T[@]}") ;;
        2) cmd=(ldapmodify -n -f "$2") ;;
        3) cmd=("$COUNT" "$2" 2) ;;
    esac
    local t0=$EPOCHREALTIME
    "${cmd[@]}" >/dev/null 2>&1 || true  # scan exits 1 when it finds something
    local t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}

echo "## ldifix before and after ($(date -u +%Y-%m-%dT%H%M%SZ))"
echo
echo "Command: \`$CMDLINE\`; $ROUNDS interleaved rounds; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
for f in "$@"; do
    cat "$f" >/dev/null  # warm the page cache (untimed)
    declare -a times=("" "" "" "")
    for r in $(seq "$ROUNDS"); do
        line=""
        for i in 0 1 2 3; do
            t=$(run "$i" "$f")
            times[$i]+="$t "
            line+=" $t s"
        done
        echo "  round $r/$ROUNDS on $(basename "$f"):$line" >&2
    done
    echo
    echo "$(basename "$f"), $(stat -c %s "$f") bytes:"
    echo
    echo "| tool | median wall | fastest | slowest | median ÷ scan at $HEAD_SHA |"
    echo "|---|--:|--:|--:|--:|"
    stats() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%s %s %s\n", m, v[1], v[NR]}'; }
    base=$(echo "${times[1]}" | stats | cut -d' ' -f1)
    for i in 0 1 2 3; do
        read -r med lo hi < <(echo "${times[$i]}" | stats)
        awk -v l="${LABELS[$i]}" -v m="$med" -v lo="$lo" -v hi="$hi" -v b="$base" \
            'BEGIN { printf "| %s | %.3f s | %.3f s | %.3f s | %.2f× |\n", l, m, lo, hi, m / b }'
    done
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
