#!/usr/bin/env bash
# Real-browser check of the HTML report (`ldifix scan --html`, src/html.rs) in headless Chromium.
#
# Renders two reports:
#   sample   `ldifix scan testdata/contoso-sample.ldf --html` (or, while scan has no --html
#            yet, its --json document through the same renderer: examples/html_report.rs);
#   hostile  the sample document plus 2,500 generated findings and injection payloads in every
#            string position (DN, value, update, collision key and holders, UPN suffix, error
#            and attribute names, input path, profile): each payload would change
#            document.title or add an element if it ever ran or became markup;
#   large    100,000 generated findings and 10,000 collision groups (speed in the browser).
# Then loads them in headless Chromium and checks:
#   --dump-dom   the script ran, the first page of rows, the four charts, the collision groups,
#                the title unchanged, no injected element;
#   CDP (Node, over --remote-debugging-pipe: no network port)  typing in the search box filters,
#                the error filter, a chart bar filters, header sort both ways, paging, the
#                collision search, the payloads shown as plain text, no script error and no
#                Content-Security-Policy violation;
#   screenshots  wide (1400x1000, Chromium's --screenshot; the table and the collision groups),
#                narrow (420 px) and print media, kept for a person to look at.
#
# Usage: scripts/html-check.sh             (as root when Chromium or Node must be installed)
# Environment: LDIFIX=path    use this ldifix binary instead of building target/debug/ldifix
#              HTML_CHECK_OUT=dir  where reports and screenshots go (default target/html-check)
# Output: one PASS/FAIL line per check and a last line `html-check: N passed, M failed`.
# Exit status 0 only when every check passed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${HTML_CHECK_OUT:-$ROOT/target/html-check}
SAMPLE=$ROOT/testdata/contoso-sample.ldf
WORK=$(mktemp -d "${TMPDIR:-/tmp}/html-check.XXXXXX")
mkdir -p "$OUT"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
finish() {
    printf 'html-check: %d passed, %d failed\n' "$PASSED" "$FAILED"
    [[ $FAILED == 0 ]]
}
# Count PASS/FAIL lines printed by a checker program (its other lines are shown as they are).
tally() {
    local line
    while IFS= read -r line; do
        case $line in
            PASS\ *) pass "${line#PASS }" ;;
            FAIL\ *) fail "${line#FAIL }" ;;
            *) printf '      %s\n' "$line" ;;
        esac
    done
}

# ---------------------------------------------------------------------------------------------
# Tools: Chromium and Node from Debian when missing.

install_pkgs() {
    if [[ $(id -u) != 0 ]]; then
        echo "html-check: $* missing and not root: install it (apt-get install $*) or run as root" >&2
        exit 2
    fi
    echo "html-check: installing $* (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v chromium >/dev/null 2>&1 || install_pkgs chromium
command -v node >/dev/null 2>&1 || install_pkgs nodejs
# Debian's /usr/bin/chromium is a wrapper script; the binary itself takes the same flags.
CHROME=/usr/lib/chromium/chromium
[[ -x $CHROME ]] || CHROME=$(command -v chromium)
CHROME_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-extensions --hide-scrollbars --mute-audio)
profile_dir() { mktemp -d "$WORK/profile.XXXXXX"; }

# ---------------------------------------------------------------------------------------------
# Reports.

cd "$ROOT"
if [[ -z ${LDIFIX:-} ]]; then
    cargo build --quiet --bin ldifix
    LDIFIX=$ROOT/target/debug/ldifix
fi
cargo build --quiet --example html_report
RENDER=$ROOT/target/debug/examples/html_report

scan() { # scan ARGS... : exit 0 (clean) or 1 (findings) is success
    local rc=0
    "$LDIFIX" scan --quiet --force "$@" >"$WORK/scan.out" 2>&1 || rc=$?
    if [[ $rc -gt 1 ]]; then
        cat "$WORK/scan.out" >&2
        return 1
    fi
}
scan "$SAMPLE" --json "$OUT/sample.json"
if "$LDIFIX" scan --help 2>/dev/null | grep -q -- '--html'; then
    scan "$SAMPLE" --html "$OUT/sample.html"
    echo "html-check: sample report from ldifix scan --html"
else
    "$RENDER" "$OUT/sample.json" "$OUT/sample.html"
    echo "html-check: sample report from ldifix scan --json + examples/html_report (scan has no --html yet)"
fi

# The hostile document: the sample plus filler findings and payloads.
python3 - "$OUT/sample.json" "$OUT/hostile.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
P = {
    "script": "<script>document.title='PWNED-1'</script>",
    "closer": "x</script><script>document.title='PWNED-2'</script>",
    "img": "<img src=x onerror=\"document.title='PWNED-3'\">",
    "svg": "<svg onload=\"document.title='PWNED-4'\"></svg>",
    "comment": "--><!--<script>document.title='PWNED-5'</script>",
    "seps": "line\u2028sep\u2029para\u200bzw &amp; &lt;b&gt;",
}
base = doc["findings"][0]
def finding(i, dn, value, update=None, errors=("Character",), attribute="displayName"):
    f = dict(base)
    f.update({"file": base["file"], "line": 100000 + i, "dn": dn, "object_class": "user",
              "attribute": attribute, "value": value, "errors": list(errors),
              "rules": ["display-character"], "update": update, "action": "Edit"})
    return f
hostile = [finding(i, "CN=%s,OU=Hostile,DC=contoso,DC=local" % k, v, v)
           for i, (k, v) in enumerate(sorted(P.items()))]
hostile.append(finding(50, P["closer"], P["img"], None, ("Character", P["svg"]), P["script"]))
filler = [finding(1000 + i, "CN=Filler %05d,OU=Bulk,DC=contoso,DC=local" % i,
                  "filler%05d@contoso.local" % i, None, ("TopLevelDomain",), "userPrincipalName")
          for i in range(2500)]
doc["findings"] = hostile + doc["findings"] + filler
doc["profile"] = doc.get("profile", "entra") + P["script"]
doc["inputs"].append({"path": P["img"] + ".ldf", "records": 1, "bytes": 1})
doc["collisions"].append({"key": P["closer"], "namespace": P["svg"], "holders": [
    {"file": P["img"] + ".ldf", "line": 7, "dn": P["script"], "attribute": "mail", "value": P["seps"]},
    {"file": base["file"], "line": 9, "dn": "CN=Other,DC=contoso,DC=local", "attribute": "mail", "value": P["comment"]},
]})
s = doc["summary"]
s["findings"] = len(doc["findings"])
s["collisions"] = len(doc["collisions"])
s["upn_suffixes"][P["closer"]] = 3
by_error, by_attr = {}, {}
for f in doc["findings"]:
    for e in f["errors"]:
        by_error[e] = by_error.get(e, 0) + 1
    by_attr[f["attribute"]] = by_attr.get(f["attribute"], 0) + 1
s["by_error"], s["by_attribute"] = by_error, by_attr
json.dump(doc, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
json.dump(P, open(sys.argv[2] + ".payloads", "w", encoding="utf-8"), ensure_ascii=False)
PY
"$RENDER" "$OUT/hostile.json" "$OUT/hostile.html"

# The large document: 100,000 findings and 10,000 collision groups, for the speed checks.
python3 - "$OUT/large.json" <<'PY'
import json, sys
n = 100000
errs = ["TopLevelDomain", "Character", "Duplicate", "Length", "Format"]
attrs = ["userPrincipalName", "mail", "proxyAddresses", "displayName", "mailNickname"]
findings = [{"file": "forest-%s.ldf" % "abc"[i % 3], "line": 1 + 31 * i,
             "dn": "CN=User %06d,OU=Dept %d,DC=contoso,DC=local" % (i, i % 97),
             "object_class": "user", "attribute": attrs[i % 5],
             "value": "user%06d@dept%d.contoso.local" % (i, i % 97),
             "errors": [errs[i % 5]], "rules": ["rule-%d" % (i % 5)],
             "update": None if i % 2 else "user%06d@contoso.com" % i, "action": "Edit"}
            for i in range(n)]
groups = [{"key": "dup%05d@contoso.com" % g, "namespace": "address", "holders": [
    {"file": "forest-a.ldf", "line": 7 + g, "dn": "CN=A %d,DC=contoso,DC=local" % g, "attribute": "mail", "value": "dup%05d@contoso.com" % g},
    {"file": "forest-b.ldf", "line": 9 + g, "dn": "CN=B %d,DC=contoso,DC=local" % g, "attribute": "proxyAddresses", "value": "smtp:dup%05d@contoso.com" % g}]}
    for g in range(n // 10)]
doc = {"tool": {"name": "ldifix", "version": "0.1.0"}, "profile": "entra",
       "inputs": [{"path": "forest-%s.ldf" % c, "records": n, "bytes": 10**8} for c in "abc"],
       "summary": {"objects": n, "in_scope": n, "skipped": 0, "findings": n,
                   "upn_suffixes": {"dept%d.contoso.local" % d: n // 97 for d in range(97)}},
       "findings": findings, "collisions": groups}
json.dump(doc, open(sys.argv[1], "w"))
PY
t0=$(date +%s%N)
"$RENDER" "$OUT/large.json" "$OUT/large.html"
echo "html-check: large report rendered in $((($(date +%s%N) - t0) / 1000000)) ms (debug build, reading the JSON included)"
pass "reports rendered ($(wc -c <"$OUT/sample.html") and $(wc -c <"$OUT/hostile.html") bytes)"

# ---------------------------------------------------------------------------------------------
# 1. --dump-dom: the DOM after the page script ran.

for name in sample hostile; do
    if "$CHROME" "${CHROME_FLAGS[@]}" --user-data-dir="$(profile_dir)" --virtual-time-budget=3000 \
        --window-size=1400,1000 --dump-dom "file://$OUT/$name.html" >"$OUT/$name.dom.html" 2>"$WORK/$name.dom.err"; then
        pass "$name: chromium --dump-dom"
    else
        fail "$name: chromium --dump-dom failed: $(tail -3 "$WORK/$name.dom.err")"
        continue
    fi
    python3 - "$OUT/$name.json" "$OUT/$name.dom.html" "$name" >"$WORK/$name.dom.checks" 2>&1 <<'PY' || true
import json, re, sys
from html.parser import HTMLParser
doc = json.load(open(sys.argv[1], encoding="utf-8"))
dom = open(sys.argv[2], encoding="utf-8").read()
name = sys.argv[3]

class Walk(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.rows, self.bars, self.charts, self.groups, self.scripts = 0, {}, set(), 0, 0
        self.imgs, self.handlers, self.ready, self.holder_rows = 0, 0, False, 0
        self.chart = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if any(k.startswith("on") for k in a):
            self.handlers += 1
        if tag == "html" and a.get("data-ready") == "true":
            self.ready = True
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.imgs += 1
        if tag == "figure" and a.get("id", "").startswith("chart-"):
            self.chart = a["id"]
        if tag == "rect" and "bar" in (a.get("class") or "").split() and self.chart:
            self.bars[self.chart] = self.bars.get(self.chart, 0) + 1
        if tag == "svg" and self.chart:
            self.charts.add(self.chart)
        if tag == "tr" and self.table == "f-table" and "tbody" in self.stack:
            self.rows += 1
        if tag == "tr" and "article" in self.stack and "tbody" in self.stack:
            self.holder_rows += 1
        if tag == "article" and "group" in (a.get("class") or "").split():
            self.groups += 1
        if tag == "table":
            self.table = a.get("id")
        if tag not in ("meta", "input", "br", "img", "link", "rect"):
            self.stack.append(tag)
    table = None
    def handle_endtag(self, tag):
        if tag == "figure":
            self.chart = None
        while self.stack:
            if self.stack.pop() == tag:
                break

w = Walk()
w.feed(dom)
def check(ok, what):
    print(("PASS " if ok else "FAIL ") + name + ": " + what)
n = len(doc["findings"])
check(w.ready, "page script ran (data-ready set)")
m = re.search(r"<title>(.*?)</title>", dom, re.S)
title = m.group(1) if m else None
check(title == "ldifix scan report", "title unchanged (%r)" % title)
check(w.rows == min(100, n) if n else w.rows == 1, "first page of the findings table: %d rows (expected %d)" % (w.rows, min(100, n)))
want = {"chart-errors", "chart-attributes", "chart-suffixes", "chart-groups"}
check(want <= w.charts, "four SVG charts drawn (%s)" % ", ".join(sorted(w.charts)))
check(all(w.bars.get(c, 0) > 0 for c in want), "every chart has bars %s" % w.bars)
check(w.bars.get("chart-errors") == min(16, len(doc["summary"]["by_error"])), "one bar per error name")
check(w.groups == min(25, len(doc["collisions"])), "collision groups listed: %d" % w.groups)
check(w.scripts == 2 and w.imgs == 0 and w.handlers == 0,
      "no injected element (scripts %d, img %d, on* attributes %d)" % (w.scripts, w.imgs, w.handlers))
holders = sum(len(c["holders"]) for c in doc["collisions"][:25])
check(w.holder_rows == holders, "every holder of the groups on page 1 listed (%d)" % holders)
PY
    tally <"$WORK/$name.dom.checks"
done

# ---------------------------------------------------------------------------------------------
# 2. Interaction over the DevTools protocol (pipe transport, no port), screenshots.

cat >"$WORK/cdp.js" <<'JS'
'use strict';
// Drives headless Chromium over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-framed JSON).
const { spawn } = require('child_process');
const fs = require('fs');
const [chrome, profile, outDir, flagsJson] = process.argv.slice(2);
const flags = JSON.parse(flagsJson);
const proc = spawn(chrome, [...flags, '--remote-debugging-pipe', '--user-data-dir=' + profile, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const toChrome = proc.stdio[3], fromChrome = proc.stdio[4];
let buf = Buffer.alloc(0), seq = 0;
const pending = new Map(), events = [];
fromChrome.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  let i;
  while ((i = buf.indexOf(0)) >= 0) {
    const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
    buf = buf.subarray(i + 1);
    if (msg.id && pending.has(msg.id)) {
      const p = pending.get(msg.id); pending.delete(msg.id);
      msg.error ? p.reject(new Error(JSON.stringify(msg.error))) : p.resolve(msg.result);
    } else if (msg.method) { events.push(msg); }
  }
});
function send(method, params = {}, sessionId) {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    const m = { id, method, params };
    if (sessionId) m.sessionId = sessionId;
    toChrome.write(JSON.stringify(m) + '\0');
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0, failed = 0;
function check(ok, what) { console.log((ok ? 'PASS ' : 'FAIL ') + what); ok ? passed++ : failed++; }

async function page(url, width, height) {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const S = (m, p) => send(m, p, sessionId);
  await S('Page.enable'); await S('Runtime.enable'); await S('Log.enable');
  await S('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  await S('Page.navigate', { url });
  const ev = async (expr) => {
    const r = await S('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error('evaluate failed: ' + JSON.stringify(r.exceptionDetails).slice(0, 400) + '\n' + expr);
    return r.result.value;
  };
  for (let i = 0; i < 100; i++) {
    try { if (await ev("document.documentElement.getAttribute('data-ready')") === 'true') break; } catch (e) { /* navigating */ }
    await sleep(100);
  }
  return { S, ev, sessionId, targetId };
}
async function shot(S, file, media) {
  await S('Emulation.setEmulatedMedia', { media: media || '' });
  await sleep(300);
  const r = await S('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
}

const rowsJs = "document.querySelectorAll('#f-table tbody tr').length";
const statusJs = "document.getElementById('f-status').textContent";
const firstJs = "(document.querySelector('#f-table tbody tr td') || {}).textContent";
async function typeInto(P, id, text) {
  await P.ev(`(() => { const e = document.getElementById(${JSON.stringify(id)}); e.focus(); e.select(); return true; })()`);
  await P.S('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Backspace', code: 'Backspace', windowsVirtualKeyCode: 8 });
  await P.S('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Backspace', code: 'Backspace', windowsVirtualKeyCode: 8 });
  if (text) await P.S('Input.insertText', { text });
  await sleep(400);
}

async function main() {
  const doc = JSON.parse(fs.readFileSync(outDir + '/hostile.json', 'utf8'));
  const payloads = JSON.parse(fs.readFileSync(outDir + '/hostile.json.payloads', 'utf8'));
  const n = doc.findings.length;
  const P = await page('file://' + outDir + '/hostile.html', 1400, 1000);
  const ev = P.ev;

  check(await ev("document.documentElement.getAttribute('data-ready')") === 'true', 'hostile: page script ran');
  check(await ev('document.title') === 'ldifix scan report', 'hostile: no payload ran (title unchanged)');
  check(await ev("document.scripts.length") === 2 && await ev("document.querySelectorAll('img,[onerror],[onload]').length") === 0,
    'hostile: no payload became an element');
  // Payloads are shown as plain text: a value cell reads exactly the payload.
  const cells = await ev("Array.from(document.querySelectorAll('#f-table td')).map(t => t.textContent)");
  for (const k of ['script', 'closer', 'img', 'svg', 'comment']) {
    check(cells.includes(payloads[k]), 'hostile: payload "' + k + '" shown as text in the table');
  }
  check(await ev("Array.from(document.querySelectorAll('.ws')).some(s => s.textContent === '\\u27e8U+2028\\u27e9')"),
    'hostile: U+2028 in a value shown as a visible marker');
  check((await ev(rowsJs)) === 100, 'table: first page holds 100 rows');
  const st = await ev(statusJs);
  check(st.includes('1\u2013100 of ' + n.toLocaleString('en-US')), 'table: status "' + st + '"');

  // Paging.
  await ev("Array.from(document.querySelectorAll('#f-pager button')).find(b => b.textContent.startsWith('Next')).click()");
  check((await ev(statusJs)).includes('101\u2013200 of'), 'paging: Next shows rows 101-200');
  await ev("Array.from(document.querySelectorAll('#f-pager button')).find(b => b.textContent.startsWith('Last')).click()");
  const lastRows = await ev(rowsJs);
  check(lastRows === (n % 100 || 100), 'paging: Last page holds ' + lastRows + ' rows');
  await ev("Array.from(document.querySelectorAll('#f-pager button')).find(b => b.textContent.includes('First')).click()");

  // Free-text search, typed.
  // The page matches a row when every word occurs in one of its cells.
  const cellsOf = (f) => [f.file + ':' + f.line, f.dn, f.object_class, f.attribute, f.value,
    f.errors.join(', '), f.rules.join(', '), f.update === null ? '' : f.update, f.action].join('\n').toLowerCase();
  const matching = (q) => doc.findings.filter(f => q.toLowerCase().split(/\s+/).every(t => cellsOf(f).includes(t))).length;
  await typeInto(P, 'f-search', 'Filler 0012');
  const want = matching('Filler 0012');
  check((await ev(rowsJs)) === want && want === 11, 'search: "Filler 0012" keeps ' + want + ' rows (00012, 00120-00129)');
  check((await ev(statusJs)).includes('filtered from'), 'search: status says filtered');
  await typeInto(P, 'f-search', 'pwned-2');
  const want2 = matching('pwned-2');
  check((await ev(rowsJs)) === want2, 'search: "pwned-2" keeps ' + want2 + ' rows');
  await typeInto(P, 'f-search', 'no-such-value-anywhere');
  check(await ev(firstJs) === 'No finding matches.', 'search: no match says so');
  await typeInto(P, 'f-search', '');
  check((await ev(rowsJs)) === 100, 'search: clearing restores the full table');

  // Error filter.
  await ev("(() => { const s = document.getElementById('f-error'); s.value = 'Duplicate'; s.dispatchEvent(new Event('change')); })()");
  const dup = doc.findings.filter(f => f.errors.includes('Duplicate')).length;
  const errCells = await ev("Array.from(document.querySelectorAll('#f-table tbody td.err')).map(t => t.textContent)");
  check(errCells.length === Math.min(100, dup) && errCells.every(t => t.split(', ').includes('Duplicate')),
    'error filter: Duplicate keeps ' + errCells.length + ' rows, all Duplicate');
  await ev("document.getElementById('f-clear').click()");

  // A chart bar filters by its attribute.
  await ev("document.querySelector('#chart-attributes g.pick').dispatchEvent(new MouseEvent('click', {bubbles: true}))");
  const attr = await ev("document.getElementById('f-attribute').value");
  const attrCount = doc.findings.filter(f => f.attribute === attr).length;
  check(attr !== '' && (await ev(statusJs)).includes(' of ' + attrCount.toLocaleString('en-US') + ' finding'),
    'chart: clicking the first attribute bar filters on "' + attr + '" (' + attrCount + ')');
  await ev("document.getElementById('f-clear').click()");

  // Sort by Location: ascending then descending.
  const locs = doc.findings.map((f, i) => [f.file, f.line]);
  await ev("document.querySelector('#f-table thead th button').click()");
  check(await ev("document.querySelector('#f-table thead th').getAttribute('aria-sort')") === 'ascending', 'sort: header marked ascending');
  const file0 = doc.inputs[0].path, base0 = file0.replace(/^.*[\\/]/, '');
  const minLine = Math.min(...doc.findings.filter(f => f.file === file0).map(f => f.line));
  check(await ev(firstJs) === base0 + ':' + minLine, 'sort: ascending starts at ' + base0 + ':' + minLine);
  check(await ev("document.querySelector('#f-table tbody td.loc').title") === file0 + ', line ' + minLine,
    'location cell: full path in its tooltip');
  await ev("document.querySelector('#f-table thead th button').click()");
  const maxLine = Math.max(...doc.findings.filter(f => f.file === file0).map(f => f.line));
  check(await ev("document.querySelector('#f-table thead th').getAttribute('aria-sort')") === 'descending'
    && await ev(firstJs) === base0 + ':' + maxLine, 'sort: descending starts at line ' + maxLine);
  // Sort by DN (column 2) ascending: rows come out ordered.
  await ev("document.querySelectorAll('#f-table thead th button')[1].click()");
  const dns = await ev("Array.from(document.querySelectorAll('#f-table tbody td.dn')).map(t => t.textContent.toLowerCase())");
  check(dns.length === 100 && dns.every((v, i) => i === 0 || dns[i - 1] <= v), 'sort: DN column ascending');
  await ev("document.querySelectorAll('#f-table thead th button')[0].click()");

  // Collision groups: all holders, search.
  const groupsShown = await ev("document.querySelectorAll('#c-list article.group').length");
  check(groupsShown === Math.min(25, doc.collisions.length), 'collisions: ' + groupsShown + ' groups shown');
  const holderRows = await ev("document.querySelectorAll('#c-list tbody tr').length");
  const wantHolders = doc.collisions.slice(0, 25).reduce((a, c) => a + c.holders.length, 0);
  check(holderRows === wantHolders, 'collisions: every holder listed (' + holderRows + ')');
  await typeInto(P, 'c-search', 'pwned-4');
  check(await ev("document.querySelectorAll('#c-list article.group').length") === 1, 'collisions: search keeps the one matching group');
  await typeInto(P, 'c-search', '');

  // Screenshots: wide, print media; narrow in a second page.
  await ev('window.scrollTo(0, 0)');
  await shot(P.S, outDir + '/hostile-wide.png');
  await ev("document.getElementById('findings').scrollIntoView()");
  await shot(P.S, outDir + '/hostile-table.png');
  await ev("document.getElementById('collisions').scrollIntoView()");
  await shot(P.S, outDir + '/hostile-groups.png');
  await ev('window.scrollTo(0, 0)');
  await shot(P.S, outDir + '/hostile-print.png', 'print');
  const N = await page('file://' + outDir + '/sample.html', 420, 900);
  const overflow = await N.ev("document.documentElement.scrollWidth - document.documentElement.clientWidth");
  check(overflow <= 0, 'narrow window (420 px): no horizontal page scroll (' + overflow + ' px)');
  await shot(N.S, outDir + '/sample-narrow.png');
  await N.ev("document.getElementById('findings').scrollIntoView()");
  await shot(N.S, outDir + '/sample-narrow-table.png');

  // 100,000 findings: time to a drawn page, to a search result, to a sorted table.
  const t0 = Date.now();
  const L = await page('file://' + outDir + '/large.html', 1400, 1000);
  const loadMs = Date.now() - t0;
  check((await L.ev(rowsJs)) === 100 && (await L.ev(statusJs)).includes('of 100,000 findings'),
    'large: 100,000 findings, first page drawn in ' + loadMs + ' ms');
  const rowsInDom = await L.ev("document.querySelectorAll('tr').length");
  check(rowsInDom < 400, 'large: only the visible page is in the DOM (' + rowsInDom + ' rows)');
  const timed = async (expr, until) => L.ev(`(async () => { const t = performance.now(); ${expr};
    for (let i = 0; i < 200 && !(${until}); i++) await new Promise(r => setTimeout(r, 5));
    return Math.round(performance.now() - t); })()`);
  const searchMs = await timed("const s = document.getElementById('f-search'); s.value = 'Dept42.CONTOSO.local edit'; s.dispatchEvent(new Event('input'))",
    "document.getElementById('f-status').textContent.includes('filtered')");
  const expect = Array.from({ length: 100000 }, (_, i) => i).filter(i => i % 97 === 42).length;
  const got = await L.ev(statusJs);
  check(got.includes(' of ' + expect.toLocaleString('en-US') + ' finding') && searchMs < 3000,
    'large: search "Dept42.CONTOSO.local edit" gives ' + expect + ' rows in ' + searchMs + ' ms (includes the 120 ms typing pause)');
  await L.ev("document.getElementById('f-clear').click()");
  const sortMs = await timed("document.querySelectorAll('#f-table thead th button')[5].click()",
    "document.querySelectorAll('#f-table thead th')[5].getAttribute('aria-sort') === 'ascending'");
  const firstErr = await L.ev("document.querySelector('#f-table tbody td.err').textContent");
  check(sortMs < 3000 && firstErr === 'Character', 'large: sort 100,000 rows by error in ' + sortMs + ' ms (first: ' + firstErr + ')');
  const pageMs = await timed("Array.from(document.querySelectorAll('#f-pager button')).find(b => b.textContent.startsWith('Last')).click()",
    "document.getElementById('f-status').textContent.includes('99,901')");
  check(pageMs < 1000, 'large: jump to the last page in ' + pageMs + ' ms');

  // Nothing went wrong in either page: no exception, no console error, no CSP violation.
  const bad = events.filter(e => e.method === 'Runtime.exceptionThrown'
    || (e.method === 'Log.entryAdded' && e.params.entry.level === 'error')
    || (e.method === 'Runtime.consoleAPICalled' && e.params.type === 'error'));
  check(bad.length === 0, 'no script error, console error or CSP violation' +
    (bad.length ? ': ' + JSON.stringify(bad[0].params).slice(0, 300) : ''));
}

main().catch((e) => { check(false, 'CDP driver: ' + (e && e.stack || e)); })
  .finally(async () => {
    try { await Promise.race([send('Browser.close'), sleep(2000)]); } catch (e) { /* gone */ }
    proc.kill();
    process.exit(failed ? 1 : 0);
  });
JS

flags_json=$(printf '%s\n' "${CHROME_FLAGS[@]}" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')
set +e
node "$WORK/cdp.js" "$CHROME" "$(profile_dir)" "$OUT" "$flags_json" >"$WORK/cdp.out" 2>"$WORK/cdp.err"
tally <"$WORK/cdp.out"
set -e
if [[ -s $WORK/cdp.err ]] && grep -qv '^\[' "$WORK/cdp.err"; then
    grep -v '^\[' "$WORK/cdp.err" | head -5 | sed 's/^/      node: /'
fi

# ---------------------------------------------------------------------------------------------
# 3. The screenshot the brief names: Chromium's own --screenshot at 1400x1000.

if "$CHROME" "${CHROME_FLAGS[@]}" --user-data-dir="$(profile_dir)" --virtual-time-budget=3000 \
    --window-size=1400,1000 --screenshot="$OUT/sample-wide.png" "file://$OUT/sample.html" \
    >"$WORK/shot.out" 2>&1 && [[ -s $OUT/sample-wide.png ]]; then
    pass "screenshot $OUT/sample-wide.png"
else
    fail "chromium --screenshot: $(tail -3 "$WORK/shot.out")"
fi
echo "html-check: reports and screenshots in $OUT"
finish
