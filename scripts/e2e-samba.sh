#!/usr/bin/env bash
# End-to-end proof of `ldifix scan` and `ldifix fix` on a real Active Directory (Samba AD DC).
#
# Provisions a throwaway domain CONTOSO.LOCAL in a temporary directory, loads an
# `ldifix generate` population plus hand-planted cases (testdata/samba/planted.ldif), exports it
# (ldbsearch, and an ldifde-shaped copy), runs `ldifix scan` and
# `ldifix fix --upn-suffix contoso.local=contoso.com`, applies the change file with ldbmodify
# (offline) and ldapmodify (to a DC on 127.0.0.1), and asserts after each apply that exactly the
# planned changes landed, then that the undo file restores the original directory exactly.
# It also shows that a partially applied import is fully restored by the undo file, and that
# a paged ldapsearch export from the running DC is read whole while a copy cut before its
# closing summary is refused.
#
# Facts and traps this relies on: ../../shared/samba-notes.md (sections cited as §N).
# Never touches /etc/samba or system services; the DC is stopped by its own pid.
#
# Usage: scripts/e2e-samba.sh            (as root; installs Debian packages when missing)
# Environment: LDIFIX=path     use this ldifix binary instead of building target/debug/ldifix
#              E2E_KEEP=1      keep the work directory (printed) instead of removing it
#              E2E_USERS=200   size of the generated population
# Output: one PASS/FAIL line per step, the failing step's log, and a last line
#         `e2e-samba: N passed, M failed`. Exit status 0 only when every step passed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/scripts/lib
PLANTED=$ROOT/testdata/samba/planted.ldif
USERS=${E2E_USERS:-200}

REALM=CONTOSO.LOCAL
BASE=DC=contoso,DC=local
PARTITIONS=CN=Partitions,CN=Configuration,$BASE
ADMIN_DN=CN=Administrator,CN=Users,$BASE
ADMIN_PW='Passw0rd!Test1'
OLD_SUFFIX=contoso.local
NEW_SUFFIX=contoso.com
# The planted rewrite collisions (testdata/samba/planted.ldif): fix must refuse both.
COLLIDE_DN="CN=Collide Local,OU=Planted,$BASE"
COLLIDE_UPN=collide@contoso.com
MAILCLASH_DN="CN=Mail Clash,OU=Planted,$BASE"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/e2e-samba.XXXXXX")
D=$WORK/dc                       # the Samba instance directory
W=$WORK/files                    # exports, change files, snapshots
L=$WORK/logs                     # one log per step
mkdir -p "$W" "$L" "$W/snap"
AD=(--configfile="$D/etc/smb.conf" -H "$D/private/sam.ldb")
LDAP=(-x -H ldap://127.0.0.1 -D "$ADMIN_DN" -w "$ADMIN_PW")
START=$SECONDS

# ---------------------------------------------------------------------------------------------
# Step runner

PASSED=0
FAILED=0
declare -A RESULT=()

stop_dc() {
    local pid
    [[ -f $D/run/dc.pid ]] || return 0
    pid=$(cat "$D/run/dc.pid")
    rm -f "$D/run/dc.pid"
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    stop_dc
    if [[ ${E2E_KEEP:-0} == 1 ]]; then
        echo "e2e-samba: work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_step NAME "NEEDED STEPS" FUNCTION: runs FUNCTION with errexit in a subshell, logging to
# $L/NAME.log. A step whose prerequisites did not pass is reported as failed without running.
run_step() {
    local name=$1 needs=$2 fn=$3 dep rc t0=$SECONDS
    for dep in $needs; do
        if [[ ${RESULT[$dep]:-} != pass ]]; then
            RESULT[$name]=fail
            FAILED=$((FAILED + 1))
            printf 'FAIL  %-14s not run: needs step "%s", which did not pass\n' "$name" "$dep"
            return 0
        fi
    done
    set +e
    (set -euo pipefail; "$fn") >"$L/$name.log" 2>&1
    rc=$?
    set -e
    if [[ $rc == 0 ]]; then
        RESULT[$name]=pass
        PASSED=$((PASSED + 1))
        printf 'PASS  %-14s (%ss) %s\n' "$name" $((SECONDS - t0)) "$(grep '^SUMMARY: ' "$L/$name.log" | tail -1 | cut -c10-)"
    else
        RESULT[$name]=fail
        FAILED=$((FAILED + 1))
        printf 'FAIL  %-14s (%ss, rc %s) log %s:\n' "$name" $((SECONDS - t0)) "$rc" "$L/$name.log"
        tail -n 60 "$L/$name.log" | sed 's/^/      | /'
    fi
}

say() { printf '%s\n' "$*"; }
summary() { printf 'SUMMARY: %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*"; exit 1; }
kit() { python3 "$LIB/ldifkit.py" "$@"; }
records() { grep -c '^dn:' "$1" || true; }

# Run a command with separate stdout/stderr files; echo both into the log; return its rc.
# Usage: capture PREFIX cmd args...  -> PREFIX.out, PREFIX.err, PREFIX.rc
capture() {
    local p=$1 rc t0
    shift
    say "+ $*"
    t0=${EPOCHREALTIME/./}
    set +e
    "$@" >"$p.out" 2>"$p.err"
    rc=$?
    set -e
    echo "$rc" >"$p.rc"
    head -n 20 "$p.out" | sed 's/^/  stdout: /'
    head -n 20 "$p.err" | sed 's/^/  stderr: /'
    t0=$(((${EPOCHREALTIME/./} - t0) / 1000))
    say "  rc: $rc ($((t0 / 1000)).$(printf '%03d' $((t0 % 1000))) s)"
    return 0
}

# ldbadd/ldbmodify success (§4, §8): rc 0, stdout exactly "<Verb> N records successfully",
# no line starting with ERR on either stream.
check_ldb() {
    local p=$1 verb=$2 n=$3
    [[ $(cat "$p.rc") == 0 ]] || die "rc $(cat "$p.rc")"
    [[ $(cat "$p.out") == "$verb $n records successfully" ]] ||
        die "stdout is '$(head -c 300 "$p.out")', expected '$verb $n records successfully'"
    ! grep -q '^ERR' "$p.out" "$p.err" || die "ERR line: $(grep -h '^ERR' "$p.out" "$p.err" | head -3)"
}

# ldapmodify success (§8): rc 0 and one `modifying entry` line per record.
check_ldapmodify() {
    local p=$1 n=$2 got
    [[ $(cat "$p.rc") == 0 ]] || die "ldapmodify rc $(cat "$p.rc"): $(head -5 "$p.err")"
    got=$(grep -c '^modifying entry' "$p.out" || true)
    [[ $got == "$n" ]] || die "ldapmodify reported $got 'modifying entry' lines for $n records"
}

# snapshot NAME: full offline snapshot (§9): domain subtree plus the Partitions container.
snapshot() {
    local n=$1
    ldbsearch "${AD[@]}" -b "$BASE" '(objectClass=*)' >"$W/snap/$n.dom.ldif"
    ldbsearch "${AD[@]}" -b "$PARTITIONS" -s base '(objectClass=*)' >"$W/snap/$n.part.ldif"
    kit canon "$W/snap/$n.dom.ldif" "$W/snap/$n.part.ldif" >"$W/snap/$n.canon"
    say "snapshot $n: $(grep -c '^dn: ' "$W/snap/$n.canon") objects"
}

snapfiles() { echo "$W/snap/$1.dom.ldif" "$W/snap/$1.part.ldif"; }

# same_snapshot A B: the canonical snapshots are identical.
same_snapshot() {
    if ! diff -u "$W/snap/$1.canon" "$W/snap/$2.canon" >"$W/snap/$1-$2.diff"; then
        head -n 60 "$W/snap/$1-$2.diff"
        die "snapshot $2 differs from $1 ($(grep -c '^[-+] ' "$W/snap/$1-$2.diff") lines)"
    fi
    say "snapshot $2 is identical to $1"
}

# apply_ldb FILE: ldbmodify after normalising CRLF (ldbmodify cannot read it, §8).
apply_ldb() {
    local f=$1 base n
    base=$(basename "$f" .ldf)
    say "normalising $f for ldbmodify: BOM, CR before LF and a 'version: 1' first line removed (samba-notes §8)"
    sed '1s/^\xEF\xBB\xBF//; s/\r$//' "$f" | sed '1{/^version:[[:space:]]*1$/d}' >"$W/$base.lf.ldif"
    n=$(records "$W/$base.lf.ldif")
    capture "$W/ldbmodify-$base" ldbmodify "${AD[@]}" "$W/$base.lf.ldif"
    check_ldb "$W/ldbmodify-$base" Modified "$n"
    say "ldbmodify applied $n records of $f"
}

# apply_ldap FILE: ldapmodify with the original file, as ldifde would get it.
apply_ldap() {
    local f=$1 base n
    base=$(basename "$f" .ldf)
    n=$(records "$f")
    capture "$W/ldapmodify-$base" ldapmodify "${LDAP[@]}" -f "$f"
    check_ldapmodify "$W/ldapmodify-$base" "$n"
    say "ldapmodify applied $n records of $f"
}

# ---------------------------------------------------------------------------------------------
# Steps

PKGS=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules ldb-tools python3-samba ldap-utils winbind)

step_install() {
    local missing=()
    command -v python3 >/dev/null || missing+=(python3)
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        say "installing: ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PKGS[@]}" \
            $(command -v python3 >/dev/null || echo python3)
    fi
    for t in samba samba-tool ldbadd ldbmodify ldbsearch ldapsearch ldapmodify python3 ss; do
        command -v "$t" >/dev/null || die "$t not found after installation"
    done
    summary "$(dpkg-query -W -f='samba ${Version}' samba)${missing:+, installed ${#missing[@]} packages}"
}

step_build() {
    if [[ -n ${LDIFIX:-} ]]; then
        [[ -x $LDIFIX ]] || die "LDIFIX=$LDIFIX is not executable"
    else
        (cd "$ROOT" && cargo build --quiet --bin ldifix)
        LDIFIX=$ROOT/target/debug/ldifix
    fi
    echo "$LDIFIX" >"$W/ldifix.path"
    "$LDIFIX" --version
    summary "$("$LDIFIX" --version)"
}

ldifix() { "$(cat "$W/ldifix.path")" "$@"; }

# Does `ldifix SUBCOMMAND --help` mention OPTION?
ldifix_has() { ldifix "$1" --help 2>/dev/null | grep -q -- "$2"; }

step_provision() {
    say "provisioning $REALM in $D"
    samba-tool domain provision --realm=$REALM --domain=CONTOSO --server-role=dc \
        --dns-backend=NONE --use-rfc2307 --targetdir="$D" --adminpass="$ADMIN_PW" \
        --host-name=dc1 --option="netbios name=DC1" \
        --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
        --option="pid directory=$D/run" --option="ncalrpc dir=$D/run/ncalrpc" \
        --option="winbindd socket directory=$D/run/winbindd" \
        --option="log file=$D/log/log.%m" --option="server services=ldap" >"$W/provision.out" 2>&1 ||
        { tail -n 30 "$W/provision.out"; die "provision failed"; }
    sed -i 's/^\[global\]$/[global]\n\tldap server require strong auth = no/' "$D/etc/smb.conf"
    grep -q 'ldap server require strong auth = no' "$D/etc/smb.conf" || die "smb.conf tweak missing"
    mkdir -p "$D/run" "$D/log"

    say "extending the schema with mailNickname and targetAddress (§3)"
    cat >"$W/schema-1.ldif" <<EOF
dn: CN=ms-Exch-Mail-Nickname,CN=Schema,CN=Configuration,$BASE
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Mail-Nickname
attributeID: 1.2.840.113556.1.2.447
attributeSyntax: 2.5.5.12
oMSyntax: 64
isSingleValued: TRUE
lDAPDisplayName: mailNickname
rangeLower: 1
rangeUpper: 64
searchFlags: 5
adminDisplayName: ms-Exch-Mail-Nickname

dn: CN=ms-Exch-Target-Address,CN=Schema,CN=Configuration,$BASE
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Target-Address
attributeID: 1.2.840.113556.1.2.352
attributeSyntax: 2.5.5.12
oMSyntax: 64
isSingleValued: TRUE
lDAPDisplayName: targetAddress
rangeLower: 1
rangeUpper: 1123
searchFlags: 1
adminDisplayName: ms-Exch-Target-Address
EOF
    cat >"$W/schema-2.ldif" <<EOF
dn:
changetype: modify
add: schemaUpdateNow
schemaUpdateNow: 1
-

dn: CN=Mail-Recipient,CN=Schema,CN=Configuration,$BASE
changetype: modify
add: mayContain
mayContain: mailNickname
mayContain: targetAddress
-

dn:
changetype: modify
add: schemaUpdateNow
schemaUpdateNow: 1
-
EOF
    capture "$W/schema-1" ldbadd "${AD[@]}" --option="dsdb:schema update allowed=true" "$W/schema-1.ldif"
    check_ldb "$W/schema-1" Added 2
    capture "$W/schema-2" ldbmodify "${AD[@]}" --option="dsdb:schema update allowed=true" "$W/schema-2.ldif"
    check_ldb "$W/schema-2" Modified 3

    if ldifix_has fix --register-suffix; then
        say "the contoso.com UPN suffix is left to 'ldifix fix --register-suffix'"
        touch "$W/register-via-fix"
    else
        say "registering the contoso.com UPN suffix with ldbmodify (§4): fix has no --register-suffix"
        printf 'dn: %s\nchangetype: modify\nadd: uPNSuffixes\nuPNSuffixes: %s\n-\n' \
            "$PARTITIONS" "$NEW_SUFFIX" >"$W/suffix.ldif"
        capture "$W/suffix" ldbmodify "${AD[@]}" "$W/suffix.ldif"
        check_ldb "$W/suffix" Modified 1
    fi
    summary "domain $REALM, schema extended$([[ -f $W/register-via-fix ]] && echo ', suffix via fix' || echo ', suffix registered')"
}

step_generate() {
    # --local-upn-share 0.98: with the default --defect-rate 0.02 the shares per user add up to 1,
    # so every user has a contoso.local UPN or one planted problem (generate refuses a sum > 1).
    local gen=(generate --flavor import --users "$USERS" --groups 10 --contacts 10 --local-upn-share 0.98 --seed 7)
    capture "$W/generate" ldifix "${gen[@]}" -q -o "$W/population.ldif" --truth "$W/truth.json"
    [[ $(cat "$W/generate.rc") == 0 ]] || die "ldifix generate exit status $(cat "$W/generate.rc")"
    grep -qi '^changetype:' "$W/population.ldif" && die "generate --flavor import wrote changetype lines"
    local n u
    n=$(kit records "$W/population.ldif")
    u=$(grep -ci '^userPrincipalName:' "$W/population.ldif" || true)
    ((n >= USERS)) || die "population has $n records, expected at least $USERS"
    say "population: $n records, $u with a userPrincipalName; planted: $(kit records "$PLANTED") records"
    summary "$n generated records + $(kit records "$PLANTED") planted"
}

step_load() {
    local c n total=0
    kit chunk "$W/population.ldif" "$W/chunk-gen-" --size 500
    kit chunk "$PLANTED" "$W/chunk-planted-" --size 500
    for c in "$W"/chunk-gen-*.ldif "$W"/chunk-planted-*.ldif; do
        n=$(records "$c")
        capture "${c%.ldif}" ldbadd --nosync "${AD[@]}" "$c"
        check_ldb "${c%.ldif}" Added "$n"
        total=$((total + n))
    done
    summary "$total records added with ldbadd in $(ls "$W"/chunk-*.ldif | wc -l) checked chunks"
}

step_export() {
    ldbsearch "${AD[@]}" -b "$BASE" '(objectClass=user)' >"$W/export-samba.ldif"
    local n
    n=$(records "$W/export-samba.ldif")
    grep -q '^dn: .*Zürich' "$W/export-samba.ldif" || die "expected a raw UTF-8 DN under OU=Zürich in the ldbsearch export"
    kit ldifde "$W/export-samba.ldif" "$W/export.ldf" --fold 80
    kit ldifde "$W/export-samba.ldif" "$W/export-nofold.ldf" --fold 0
    kit ldifde "$W/export-samba.ldif" "$W/export-fold76.ldf" --fold 76
    kit ldifde "$W/export-samba.ldif" "$W/export-utf16.ldf" --fold 80 --utf16
    [[ $(records "$W/export.ldf") == "$n" ]] || die "ldifde copy has $(records "$W/export.ldf") records, export $n"
    [[ $(head -c 2 "$W/export.ldf" | od -An -tx1 | tr -d ' ') == 0d0a ]] || die "ldifde copy does not start with an empty CRLF line"
    LC_ALL=C grep -q -P '[^\x00-\x7f]' "$W/export.ldf" && die "ldifde copy is not pure ASCII"
    grep -q '^dn:: ' "$W/export.ldf" || die "ldifde copy has no dn:: line (non-ASCII DN)"
    # the parser must see the same records whatever the fold width or encoding
    local v
    dump_records "$W/export.ldf" >"$W/dump-80.jsonl"
    for v in nofold fold76 utf16; do
        dump_records "$W/export-$v.ldf" >"$W/dump-$v.jsonl"
        cmp -s "$W/dump-80.jsonl" "$W/dump-$v.jsonl" || die "ldifix dump of export-$v.ldf differs from the fold-80 export"
    done
    [[ $(wc -l <"$W/dump-80.jsonl") == "$n" ]] || die "ldifix dump gives $(wc -l <"$W/dump-80.jsonl") records, expected $n"
    summary "$n user objects; ldbsearch export + ldifde shape (fold 80/76/none, UTF-16LE) parse identically"
}

# `ldifix dump FILE` without the line numbers, which depend on folding.
dump_records() {
    ldifix dump "$1" | python3 -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    r.pop("line", None)
    print(json.dumps(r, sort_keys=True))'
}

step_scan() {
    local rc
    set +e
    say "+ ldifix scan $W/export.ldf --verified-domain $NEW_SUFFIX --json $W/scan.json"
    ldifix scan "$W/export.ldf" --verified-domain "$NEW_SUFFIX" --json "$W/scan.json" >"$W/scan.out" 2>"$W/scan.err"
    rc=$?
    set -e
    head -n 30 "$W/scan.out"
    cat "$W/scan.err"
    [[ $rc == 1 ]] || die "ldifix scan exit status $rc, expected 1 (findings)"
    python3 - "$W/scan.json" "$W/export-samba.ldif" "$LIB" "$W/truth.json" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[3])
import ldifkit
scan = json.load(open(sys.argv[1]))
export = ldifkit.read(sys.argv[2])
truth = json.load(open(sys.argv[4]))
exported = {ldifkit.dn_key(r.dn) for r in export}
found = {}
for f in scan["findings"]:
    found.setdefault((ldifkit.dn_key(f["dn"]), f["attribute"].lower()), set()).update(f["errors"])
planted = [p for p in truth["problems"] if ldifkit.dn_key(p["dn"]) in exported]
missed = [p for p in planted if not set(p["errors"]) <= found.get((ldifkit.dn_key(p["dn"]), p["attribute"].lower()), set())]
local = {ldifkit.dn_key(r.dn) for r in export
         if (u := ldifkit.first(r, "userPrincipalName")) and u.decode().rpartition("@")[2].lower() == "contoso.local"}
tld = {}
for f in scan["findings"]:
    if f["attribute"].lower() == "userprincipalname" and "TopLevelDomain" in f["errors"]:
        tld[ldifkit.dn_key(f["dn"])] = f
missing = local - set(tld)
errors = [f"planted problem not found: {p['kind']} {p['attribute']} {p['value']!r} on {p['dn']}" for p in missed]
if missing:
    errors.append(f"{len(missing)} .local UPNs without a TopLevelDomain finding, e.g. {sorted(missing)[:3]}")
for dn in ("CN=Upper Suffix,OU=Planted,DC=contoso,DC=local", "CN=Jane Mixed,OU=Planted,DC=contoso,DC=local"):
    if ldifkit.dn_key(dn) not in tld:
        errors.append(f"planted {dn}: no TopLevelDomain finding")
if not any(ldifkit.dn_key(f["dn"]) == ldifkit.dn_key("CN=Jörg Müller,OU=Zürich,DC=contoso,DC=local") for f in scan["findings"]):
    errors.append("no finding for the non-ASCII DN CN=Jörg Müller,OU=Zürich")
sfx = {k.lower(): v for k, v in scan["summary"].get("upn_suffixes", {}).items()}
if sfx.get("contoso.local") != len(local):
    errors.append(f"summary.upn_suffixes contoso.local = {sfx.get('contoso.local')}, expected {len(local)}")
for e in errors:
    print("ERROR:", e)
print(f"SUMMARY: exit 1, {scan['summary']['findings']} findings; {len(tld)} TopLevelDomain UPN findings for {len(local)} .local UPNs; "
      f"{len(planted) - len(missed)} of {len(planted)} planted problems in the export found")
sys.exit(1 if errors else 0)
EOF
}

# Refused rewrites must be reported with the other holder: in --report JSON when fix has it.
check_refused() {
    if [[ -s $W/fix-report.json ]]; then
        python3 - "$W/fix-report.json" "$LIB" "$@" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[2])
import ldifkit
rep = json.load(open(sys.argv[1]))
errors = []
for pair in sys.argv[3:]:
    dn, other = pair.split("|")
    hits = [r for r in rep.get("refused", []) if ldifkit.dn_key(r["dn"]) == ldifkit.dn_key(dn)]
    if not hits:
        errors.append(f"{dn}: not among the refused changes of the report")
    elif not any(r["reason"].startswith("collision") and any(ldifkit.dn_key(c) == ldifkit.dn_key(other)
                 for c in r.get("conflicting_dns", [])) for r in hits):
        errors.append(f"{dn}: refused, but not as a collision with {other}: {hits}")
    else:
        print(f"report: {dn} refused: {hits[0]['reason']}")
for e in errors:
    print("ERROR:", e)
sys.exit(1 if errors else 0)
EOF
    else
        local pair
        for pair in "$@"; do
            grep -qF "${pair%%|*}" "$W/fix.out" "$W/fix.err" || die "fix did not report the refused rewrite of ${pair%%|*}"
        done
    fi
}

step_fix() {
    local upn=(--upn-suffix "$OLD_SUFFIX=$NEW_SUFFIX") rep=() v
    ldifix_has fix --report && rep=(--report "$W/fix-report.json")
    capture "$W/fix" ldifix fix "$W/export.ldf" "${upn[@]}" -o "$W/changes.ldf" --undo "$W/undo.ldf" "${rep[@]}"
    [[ $(cat "$W/fix.rc") == 0 || $(cat "$W/fix.rc") == 1 ]] || die "ldifix fix exit status $(cat "$W/fix.rc")"
    [[ -s $W/changes.ldf && -s $W/undo.ldf ]] || die "fix wrote no change or undo file"
    kit check-fix --export "$W/export-samba.ldif" --changes "$W/changes.ldf" --undo "$W/undo.ldf" \
        --old "$OLD_SUFFIX" --new "$NEW_SUFFIX" --must-refuse "$COLLIDE_DN" --must-refuse "$MAILCLASH_DN" |
        tee "$W/check-fix.out"
    check_refused "$COLLIDE_DN|CN=Collide Com,OU=Planted,$BASE" "$MAILCLASH_DN|CN=Mail Owner,OU=Planted,$BASE"
    if [[ -f $W/register-via-fix ]]; then
        say "--- the same with --register-suffix (used for the offline apply)"
        capture "$W/fix-reg" ldifix fix "$W/export.ldf" "${upn[@]}" --register-suffix \
            -o "$W/changes-reg.ldf" --undo "$W/undo-reg.ldf"
        [[ $(cat "$W/fix-reg.rc") == 0 || $(cat "$W/fix-reg.rc") == 1 ]] ||
            die "ldifix fix --register-suffix exit status $(cat "$W/fix-reg.rc")"
        kit check-fix --export "$W/export-samba.ldif" --changes "$W/changes-reg.ldf" --undo "$W/undo-reg.ldf" \
            --old "$OLD_SUFFIX" --new "$NEW_SUFFIX" --must-refuse "$COLLIDE_DN" --must-refuse "$MAILCLASH_DN" \
            --register-suffix
        kit same-records "$W/changes.ldf" "$W/changes-reg.ldf"
        cmp "$W/undo.ldf" "$W/undo-reg.ldf" || die "undo files differ with and without --register-suffix"
    fi
    # --line-ending lf (for ldapmodify/ldbmodify): the same records, no CR, no leading empty line
    capture "$W/fix-lf" ldifix fix "$W/export.ldf" "${upn[@]}" --line-ending lf -o "$W/changes-lf.ldf" \
        --undo "$W/undo-lf.ldf"
    kit same-records "$W/changes.ldf" "$W/changes-lf.ldf"
    kit same-records "$W/undo.ldf" "$W/undo-lf.ldf"
    ! grep -q $'\r' "$W/changes-lf.ldf" "$W/undo-lf.ldf" || die "--line-ending lf output holds CR"
    [[ $(head -c 3 "$W/changes-lf.ldf") == "dn:" ]] || die "--line-ending lf output does not start with dn:"
    # the same plan whatever the export's fold width or encoding
    for v in nofold fold76 utf16; do
        capture "$W/fix-$v" ldifix fix "$W/export-$v.ldf" "${upn[@]}" -o "$W/changes-$v.ldf" --undo "$W/undo-$v.ldf"
        cmp "$W/changes.ldf" "$W/changes-$v.ldf" || die "changes from export-$v.ldf differ"
        cmp "$W/undo.ldf" "$W/undo-$v.ldf" || die "undo from export-$v.ldf differs"
    done
    summary "$(records "$W/changes.ldf") change records, $(records "$W/undo.ldf") undo records; $(grep -c 'refused collision' "$W/check-fix.out") collisions refused$([[ -f $W/register-via-fix ]] && echo '; --register-suffix adds only the suffix record'); same output for fold 80/76/none and UTF-16"
}

# The change file for the offline apply: with the suffix registration when fix writes it.
ldb_changes() { if [[ -f $W/register-via-fix ]]; then echo "$W/changes-reg.ldf"; else echo "$W/changes.ldf"; fi; }

# Offline apply (§8): snapshot, ldbmodify changes, snapshot, check, ldbmodify undo, snapshot.
step_apply_ldb() {
    local ch n v
    ch=$(ldb_changes)
    n=$(records "$ch")
    snapshot before
    apply_ldb "$ch"
    snapshot ldb-after
    kit check-apply --before $(snapfiles before) --after $(snapfiles ldb-after) --changes "$ch" --changed "$n"
    diff "$W/snap/before.canon" "$W/snap/ldb-after.canon" | head -n 20 || true
    # the checks must be able to fail: a plan missing its last record, and unchanged snapshots
    kit head "$ch" $((n - 1)) >"$W/changes-short.ldif"
    if kit check-apply --before $(snapfiles before) --after $(snapfiles ldb-after) \
        --changes "$W/changes-short.ldif" >"$W/check-short.out"; then
        die "check-apply accepted a plan missing one record"
    fi
    cmp -s "$W/snap/before.canon" "$W/snap/ldb-after.canon" && die "the snapshots do not show the change"
    say "control: check-apply rejects a plan missing one record ($(grep -c '^ERROR' "$W/check-short.out") error)"
    apply_ldb "$W/undo.ldf"
    snapshot ldb-undone
    if [[ -f $W/register-via-fix ]]; then
        say "undo keeps the registered suffix (by design): undone = before + the suffix record"
        kit suffix-records "$ch" >"$W/suffix-only.ldif"
        kit check-apply --before $(snapfiles before) --after $(snapfiles ldb-undone) \
            --changes "$W/suffix-only.ldif" --changed 1
    else
        same_snapshot before ldb-undone
    fi
    # the baseline for the LDAP steps
    for v in dom.ldif part.ldif canon; do cp "$W/snap/ldb-undone.$v" "$W/snap/base.$v"; done
    summary "$n records changed exactly as planned; undo restored the directory$([[ -f $W/register-via-fix ]] && echo ' (suffix stays registered)')"
}

# `fix --upn-from-mail` on the planted OU (offline): a user without a UPN gets one, and the
# undo removes it again — with `replace:` + `delete:`, as Samba refuses an empty
# `replace: userPrincipalName`; verify passes the pair, and the directory is restored.
step_from_mail() {
    local ou="OU=Planted,$BASE" dn="CN=No Upn Mail,OU=Planted,$BASE"
    capture "$W/fix-mail" ldifix fix "$W/export.ldf" --upn-from-mail --verified-domain "$NEW_SUFFIX" \
        --include-ou "$ou" --line-ending lf -o "$W/changes-mail.ldf" --undo "$W/undo-mail.ldf"
    [[ $(cat "$W/fix-mail.rc") == 0 || $(cat "$W/fix-mail.rc") == 1 ]] ||
        die "ldifix fix --upn-from-mail exit status $(cat "$W/fix-mail.rc")"
    grep -qx "dn: $dn" "$W/changes-mail.ldf" || die "no change for $dn"
    capture "$W/verify-mail" ldifix verify "$W/changes-mail.ldf" --against "$W/export.ldf" \
        --undo "$W/undo-mail.ldf" --line-ending lf
    [[ $(cat "$W/verify-mail.rc") == 0 ]] || die "verify of the --upn-from-mail pair: $(cat "$W/verify-mail.out")"
    snapshot mail-before
    apply_ldb "$W/changes-mail.ldf"
    snapshot mail-after
    ldbsearch "${AD[@]}" -b "$dn" -s base userPrincipalName | grep -qx "userPrincipalName: noupn.mail@$NEW_SUFFIX" ||
        die "$dn did not get the UPN noupn.mail@$NEW_SUFFIX"
    apply_ldb "$W/undo-mail.ldf"
    snapshot mail-undone
    same_snapshot mail-before mail-undone
    summary "$(records "$W/changes-mail.ldf") --upn-from-mail changes applied; the undo removed the UPN it gave a user without one"
}

step_dc_start() {
    if ss -ltn | grep -E '(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):389\b'; then
        die "port 389 is already in use on this host"
    fi
    samba -s "$D/etc/smb.conf" -F --no-process-group -M single --maximum-runtime=3600 >"$D/log/samba.out" 2>&1 &
    echo $! >"$D/run/dc.pid"
    say "samba started, pid $(cat "$D/run/dc.pid")"
    local i
    for i in $(seq 1 60); do
        if ldapsearch -x -H ldap://127.0.0.1 -b "" -s base namingContexts >/dev/null 2>&1; then
            summary "DC answers on ldap://127.0.0.1 after $(((i - 1) * 5 / 10)).$(((i - 1) * 5 % 10))s (pid $(cat "$D/run/dc.pid"))"
            return 0
        fi
        kill -0 "$(cat "$D/run/dc.pid")" 2>/dev/null || { tail -n 30 "$D/log/samba.out"; die "samba exited"; }
        sleep 0.5
    done
    tail -n 30 "$D/log/samba.out"
    die "DC did not answer within 30 s"
}

# The export summaries of ldapsearch and ldbsearch (§6): a paged `ldapsearch -L` export from the
# running DC (every page headed by `version: 1`, one summary at the end) is read whole; it and
# the ldbsearch export, cut before their summaries (a copy stopped at a record boundary), are
# refused with exit 2.
step_ldap_export() {
    local paged=$W/export-ldap-paged.ldif rc n f
    ldapsearch "${LDAP[@]}" -L -E pr=50/noprompt -b "$BASE" '(objectClass=user)' >"$paged"
    n=$(records "$W/export-samba.ldif")
    [[ $(records "$paged") == "$n" ]] || die "paged ldapsearch export has $(records "$paged") records, ldbsearch $n"
    (($(grep -c '^version: 1$' "$paged") > 1)) || die "expected a 'version: 1' line on every page of $paged"
    grep -q "^# numEntries: $n\$" "$paged" || die "expected '# numEntries: $n' in $paged"
    set +e
    ldifix scan -q "$paged" >"$W/scan-paged.out" 2>"$W/scan-paged.err"
    rc=$?
    set -e
    cat "$W/scan-paged.err"
    ((rc == 0 || rc == 1)) || die "scan of the whole paged ldapsearch export exited $rc"
    for f in "$paged" "$W/export-samba.ldif"; do
        python3 - "$f" "$f.cut" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
at = max(text.rfind("\n# search result"), text.rfind("\n# returned "))
assert at > 0, "no summary block"
open(sys.argv[2], "w", encoding="utf-8").write(text[: at + 1])
PY
        set +e
        ldifix scan -q "$f.cut" >/dev/null 2>"$f.cut.err"
        rc=$?
        set -e
        cat "$f.cut.err"
        ((rc == 2)) || die "scan of $f cut before its summary exited $rc, expected 2"
        grep -q "closing summary" "$f.cut.err" || die "no word of the missing summary for $f.cut"
    done
    summary "paged ldapsearch -L export ($n records, $(grep -c '^version: 1$' "$paged") pages) read whole; it and the ldbsearch export cut before their summaries refused"
}

step_apply_ldap() {
    snapshot ldap-before
    same_snapshot base ldap-before
    apply_ldap "$W/changes.ldf"
    snapshot ldap-after
    kit check-apply --before $(snapfiles base) --after $(snapfiles ldap-after) --changes "$W/changes.ldf" \
        --changed "$(records "$W/changes.ldf")"
    same_snapshot ldb-after ldap-after
    apply_ldap "$W/undo.ldf"
    snapshot ldap-undone
    same_snapshot base ldap-undone
    summary "ldapmodify with the CRLF ldifde file: same result as ldbmodify; undo restored the directory"
}

# A colliding rewrite injected in the middle of the change file (§8 "Partial application").
step_partial() {
    local n k
    n=$(records "$W/changes.ldf")
    k=$((n / 2 + 1))
    kit inject "$W/changes.ldf" "$W/changes-bad.ldf" --at "$k" --dn "$COLLIDE_DN" --upn "$COLLIDE_UPN"
    snapshot partial-before
    same_snapshot base partial-before

    say "--- ldbmodify (one transaction): must refuse everything"
    sed 's/\r$//' "$W/changes-bad.ldf" >"$W/changes-bad.lf.ldif"
    say "normalised changes-bad.ldf for ldbmodify (CR removed, samba-notes §8)"
    capture "$W/partial-ldb" ldbmodify "${AD[@]}" "$W/changes-bad.lf.ldif"
    [[ $(cat "$W/partial-ldb.rc") == 19 ]] || die "ldbmodify rc $(cat "$W/partial-ldb.rc"), expected 19 (constraint violation)"
    grep -q "userPrincipalName '$COLLIDE_UPN' is already in use" "$W/partial-ldb.err" "$W/partial-ldb.out" ||
        die "ldbmodify did not report the UPN collision"
    snapshot partial-ldb
    same_snapshot base partial-ldb

    say "--- ldapmodify (entry by entry): stops at the collision with $((k - 1)) records applied"
    capture "$W/partial-ldap" ldapmodify "${LDAP[@]}" -f "$W/changes-bad.ldf"
    [[ $(cat "$W/partial-ldap.rc") == 19 ]] || die "ldapmodify rc $(cat "$W/partial-ldap.rc"), expected 19"
    snapshot partial-ldap
    kit check-apply --before $(snapfiles base) --after $(snapfiles partial-ldap) \
        --changes <(kit head "$W/changes.ldf" $((k - 1))) --changed $((k - 1))
    apply_ldap "$W/undo.ldf"
    snapshot partial-ldap-undone
    same_snapshot base partial-ldap-undone

    say "--- ldapmodify -c (continue): applies every other record"
    capture "$W/partial-ldapc" ldapmodify -c "${LDAP[@]}" -f "$W/changes-bad.ldf"
    [[ $(cat "$W/partial-ldapc.rc") == 19 ]] || die "ldapmodify -c rc $(cat "$W/partial-ldapc.rc"), expected 19"
    snapshot partial-ldapc
    kit check-apply --before $(snapfiles base) --after $(snapfiles partial-ldapc) --changes "$W/changes.ldf" \
        --changed "$n"
    apply_ldap "$W/undo.ldf"
    snapshot partial-ldapc-undone
    same_snapshot base partial-ldapc-undone
    summary "collision at record $k of $((n + 1)): ldbmodify applied 0, ldapmodify $((k - 1)), ldapmodify -c $n; undo restored each time"
}

step_dc_stop() {
    local pid
    pid=$(cat "$D/run/dc.pid")
    stop_dc
    ! kill -0 "$pid" 2>/dev/null || die "DC pid $pid still running"
    summary "DC pid $pid stopped"
}

# ---------------------------------------------------------------------------------------------

say "e2e-samba: work directory $WORK"
run_step install "" step_install
run_step build "" step_build
run_step provision "install build" step_provision
run_step generate "build" step_generate
run_step load "provision generate" step_load
run_step export "load" step_export
run_step scan "export" step_scan
run_step fix "export" step_fix
run_step apply-ldb "fix" step_apply_ldb
run_step from-mail "apply-ldb" step_from_mail
run_step dc-start "load" step_dc_start
run_step ldap-export "export dc-start" step_ldap_export
run_step apply-ldap "apply-ldb from-mail dc-start" step_apply_ldap
run_step partial "apply-ldap" step_partial
if [[ ${RESULT[dc-start]:-} == pass ]]; then
    run_step dc-stop "" step_dc_stop
fi
say "e2e-samba: wall time $((SECONDS - START)) s"
say "e2e-samba: $PASSED passed, $FAILED failed"
((FAILED == 0))
