
(function () {
  'use strict';
  // Fills the static page from the JSON block #ldifix-data. Every value goes into the DOM
  // through textContent or setAttribute, never as markup. Only the visible page of a table
  // is built; sort keys and lower-cased search strings are computed once, when first needed.
  var SVGNS = 'http://www.w3.org/2000/svg';
  var d = document;

  function $(id) { return d.getElementById(id); }
  function el(tag, cls, text) {
    var e = d.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = d.createElementNS(SVGNS, tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, String(attrs[k])); }
    }
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function fmt(n) { return typeof n === 'number' && isFinite(n) ? n.toLocaleString('en-US') : '\u2014'; }
  function plural(n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : many); }
  function str(v) { return v === null || v === undefined ? '' : String(v); }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function debounce(fn, ms) {
    var t = null;
    return function () { if (t !== null) { clearTimeout(t); } t = setTimeout(function () { t = null; fn(); }, ms); };
  }

  var data;
  try {
    data = JSON.parse($('ldifix-data').textContent);
    if (!data || typeof data !== 'object' || Array.isArray(data)) { throw new Error('not a report object'); }
  } catch (e) {
    var le = $('load-error');
    le.textContent = 'The report data could not be read: ' + e.message;
    le.hidden = false;
    return;
  }

  var files = arr(data.files).map(str);
  var findings = arr(data.findings).filter(Array.isArray);
  var groups = arr(data.collisions).filter(Array.isArray);
  var inputs = arr(data.inputs).filter(Array.isArray);
  var S = data.summary && typeof data.summary === 'object' ? data.summary : {};
  function fileName(i) { return typeof i === 'number' && i >= 0 && i < files.length ? files[i] : ''; }
  // Locations show the file's base name when the base names tell the files apart (the full
  // path is the cell's tooltip and is searchable), else the full path.
  var baseNames = files.map(function (f) { return f.replace(/^.*[\\\/]/, ''); });
  var seenBase = {}, distinct = true;
  baseNames.forEach(function (b) { if (seenBase['~' + b]) { distinct = false; } seenBase['~' + b] = true; });
  var shortNames = distinct ? baseNames : files;
  function where(fi, line) {
    var i = typeof fi === 'number' && fi >= 0 && fi < files.length ? fi : -1;
    return (i >= 0 ? shortNames[i] : '') + ':' + str(line);
  }
  function locCell(fi, line) {
    var td = el('td', 'loc', where(fi, line));
    td.title = fileName(fi) + ', line ' + str(line);
    return td;
  }

  // ---- values: make invisible characters and edge spaces visible -------------------------
  var INVISIBLE = /[\u0000-\u001f\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u206a-\u206f\u3164\ufeff\ufff9-\ufffb]|^ +| +$/g;
  function hex4(c) { var h = c.toString(16).toUpperCase(); return '0000'.slice(h.length) + h; }
  function putValue(td, s, emptyText) {
    s = str(s);
    if (s === '') { td.appendChild(el('span', 'none', emptyText)); return; }
    INVISIBLE.lastIndex = 0;
    var last = 0, m;
    while ((m = INVISIBLE.exec(s)) !== null) {
      var t = m[0];
      if (m.index > last) { td.appendChild(d.createTextNode(s.slice(last, m.index))); }
      var span;
      if (t.charCodeAt(0) === 32) {
        span = el('span', 'ws', new Array(t.length + 1).join('\u2423'));
        span.title = t.length === 1 ? 'a space' : t.length + ' spaces';
      } else {
        var code = 'U+' + hex4(t.charCodeAt(0));
        span = el('span', 'ws', '\u27e8' + code + '\u27e9');
        span.title = 'invisible character ' + code;
      }
      td.appendChild(span);
      last = m.index + t.length;
    }
    if (last < s.length) { td.appendChild(d.createTextNode(s.slice(last))); }
  }

  // ---- header, summary figures, notes, inputs --------------------------------------------
  var meta = [];
  if (data.tool) { meta.push(str(data.tool)); }
  if (data.profile) { meta.push('profile ' + str(data.profile)); }
  meta.push(plural(inputs.length, 'input file', 'input files'));
  $('meta').textContent = meta.join(' \u00b7 ');

  var figs = [
    ['Objects', S.objects, false],
    ['In scope', S.in_scope, false],
    ['Skipped', S.skipped, false],
    ['Findings', S.findings, S.findings > 0],
    ['Collision groups', S.collisions, S.collisions > 0],
    ['Inputs', inputs.length, false]
  ];
  if (typeof S.entries === 'number') { figs.push(['Entries read', S.entries, false]); }
  if (S.invalid_records > 0) { figs.push(['Invalid records', S.invalid_records, true]); }
  var figBox = $('figures');
  figs.forEach(function (f) {
    var div = el('div', f[2] ? 'alert' : '');
    div.appendChild(el('dt', '', f[0]));
    div.appendChild(el('dd', '', fmt(f[1])));
    figBox.appendChild(div);
  });

  var notes = $('notes');
  var skips = arr(data.skip_reasons).filter(Array.isArray);
  if (skips.length) {
    notes.appendChild(el('li', '', 'Skipped objects: ' + skips.map(function (p) { return str(p[0]) + ' ' + fmt(p[1]); }).join(', ') + '.'));
  }
  if (S.verified_domain_rule === false) {
    notes.appendChild(el('li', '', 'The verified-domain rule did not run: give --verified-domain or --verified-domains to check UPN suffixes against the tenant\u2019s domains.'));
  }
  if (S.invalid_records > 0) {
    notes.appendChild(el('li', '', plural(S.invalid_records, 'record was', 'records were') + ' invalid and skipped (see the scan\u2019s error output).'));
  }

  var inBody = $('inputs').tBodies[0];
  inputs.forEach(function (i) {
    var tr = el('tr');
    tr.appendChild(el('td', 'v', str(i[0])));
    tr.appendChild(el('td', 'num', fmt(i[1])));
    tr.appendChild(el('td', 'num', fmt(i[2])));
    inBody.appendChild(tr);
  });
  if (!inputs.length) {
    var tr0 = el('tr'), td0 = el('td', 'none', 'No inputs listed.');
    td0.colSpan = 3; tr0.appendChild(td0); inBody.appendChild(tr0);
  }

  // ---- charts (inline SVG, sized to their box) --------------------------------------------
  function pairs(v) {
    return arr(v).filter(function (p) { return Array.isArray(p) && typeof p[1] === 'number'; });
  }
  function topN(series, n, moreLabel) {
    if (series.length <= n) { return series.map(function (p) { return [str(p[0]), p[1], false]; }); }
    var head = series.slice(0, n - 1).map(function (p) { return [str(p[0]), p[1], false]; });
    var rest = 0;
    series.slice(n - 1).forEach(function (p) { rest += p[1]; });
    head.push([moreLabel(series.length - n + 1), rest, true]);
    return head;
  }
  function truncate(s, n) { return s.length > n ? s.slice(0, Math.max(1, n - 1)) + '\u2026' : s; }

  var chartSeq = 0;
  function barChart(fig, rows, caption, pick) {
    var old = fig.querySelector('svg, p.empty');
    while (old) { fig.removeChild(old); old = fig.querySelector('svg, p.empty'); }
    if (!rows.length) { fig.appendChild(el('p', 'empty', 'Nothing to show.')); return; }
    var W = Math.max(260, Math.floor(fig.clientWidth - 24) || 480);
    var LW = Math.min(200, Math.floor(W * 0.42));
    var RH = 22, PAD = 4, CW = 64;
    var barMax = Math.max(20, W - LW - CW);
    var maxV = 1;
    rows.forEach(function (r) { if (r[1] > maxV) { maxV = r[1]; } });
    var H = rows.length * RH + 2 * PAD;
    var id = 'chart-t' + (++chartSeq);
    var s = svgEl('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-labelledby': id });
    s.appendChild(svgEl('title', { id: id }, caption + ': ' + rows.map(function (r) { return r[0] + ' ' + fmt(r[1]); }).join(', ')));
    var chars = Math.max(6, Math.floor((LW - 10) / 6.6));
    rows.forEach(function (r, i) {
      var g = svgEl('g', { transform: 'translate(0,' + (PAD + i * RH) + ')' });
      g.appendChild(svgEl('title', {}, r[0] + ': ' + fmt(r[1])));
      g.appendChild(svgEl('text', { x: LW - 6, y: RH / 2 + 4, 'text-anchor': 'end' }, truncate(r[0], chars)));
      var w = r[1] > 0 ? Math.max(2, Math.round(barMax * r[1] / maxV)) : 0;
      g.appendChild(svgEl('rect', { 'class': 'bar', x: LW, y: 3, width: w, height: RH - 6, rx: 2 }));
      g.appendChild(svgEl('text', { 'class': 'count', x: LW + w + 5, y: RH / 2 + 4 }, fmt(r[1])));
      if (pick && !r[2]) {
        g.setAttribute('class', 'pick');
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'button');
        g.setAttribute('aria-label', 'Show the findings for ' + r[0]);
        g.addEventListener('click', function () { pick(r[0]); });
        g.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(r[0]); }
        });
      }
      s.appendChild(g);
    });
    fig.appendChild(s);
  }

  var errSeries = pairs(data.by_error);
  var attrSeries = pairs(data.by_attribute);
  var sufSeries = pairs(data.upn_suffixes);
  var sizeSeries = pairs(data.group_sizes);
  function drawCharts() {
    barChart($('chart-errors'), topN(errSeries, 16, function (n) { return n + ' more errors'; }),
      'Findings by error', function (v) { pickFilter(selError, v); });
    barChart($('chart-attributes'), topN(attrSeries, 16, function (n) { return n + ' more attributes'; }),
      'Findings by attribute', function (v) { pickFilter(selAttr, v); });
    barChart($('chart-suffixes'), topN(sufSeries, 12, function (n) { return n + ' more suffixes'; }),
      'UPN suffixes', null);
    var sizes = sizeSeries.map(function (p) { return [plural(Number(p[0]), 'holder', 'holders'), p[1], false]; });
    if (sizes.length > 12) {
      var rest = 0;
      sizeSeries.slice(11).forEach(function (p) { rest += p[1]; });
      sizes = sizes.slice(0, 11);
      sizes.push(['\u2265 ' + fmt(Number(sizeSeries[11][0])) + ' holders', rest, true]);
    }
    barChart($('chart-groups'), sizes, 'Collision group sizes', null);
  }

  // ---- pager ------------------------------------------------------------------------------
  function pager(nav, page, pages, go) {
    clear(nav);
    function btn(label, aria, target, disabled) {
      var b = el('button', '', label);
      b.type = 'button';
      b.setAttribute('aria-label', aria);
      b.disabled = disabled;
      b.addEventListener('click', function () { go(target); });
      nav.appendChild(b);
    }
    btn('\u00ab First', 'First page', 0, page === 0);
    btn('\u2039 Previous', 'Previous page', page - 1, page === 0);
    nav.appendChild(el('span', '', 'Page ' + fmt(page + 1) + ' of ' + fmt(pages)));
    btn('Next \u203a', 'Next page', page + 1, page >= pages - 1);
    btn('Last \u00bb', 'Last page', pages - 1, page >= pages - 1);
  }

  // ---- findings table -----------------------------------------------------------------------
  // Row layout: [file index, line, dn, object_class, attribute, value, errors[], rules[], update, action]
  var COLS = [
    { label: 'Location', cls: 'loc', num: true },
    { label: 'DN', cls: 'dn', idx: 2 },
    { label: 'Class', idx: 3 },
    { label: 'Attribute', cls: 'attr', idx: 4 },
    { label: 'Value', cls: 'v', idx: 5 },
    { label: 'Errors', cls: 'err', idx: 6 },
    { label: 'Rules', idx: 7 },
    { label: 'Proposed update', cls: 'v', idx: 8 },
    { label: 'Action', idx: 9 }
  ];
  function cellText(r, c) {
    if (c.num) { return where(r[0], r[1]); }
    var v = r[c.idx];
    return Array.isArray(v) ? v.map(str).join(', ') : str(v);
  }

  var table = $('f-table');
  var tbody = table.tBodies[0];
  var headRow = table.tHead.rows[0];
  var search = $('f-search'), selError = $('f-error'), selAttr = $('f-attribute'), selSize = $('f-size');
  var sortCol = -1, sortDir = 1, sortKeys = [], sorted = null, hay = null, view = null, fPage = 0;

  function addOptions(sel, series) {
    series.forEach(function (p) {
      var o = el('option', '', str(p[0]) + ' (' + fmt(p[1]) + ')');
      o.value = str(p[0]);
      sel.appendChild(o);
    });
  }
  addOptions(selError, errSeries);
  addOptions(selAttr, attrSeries);

  var headers = COLS.map(function (c, ci) {
    var th = el('th');
    th.scope = 'col';
    var b = el('button', 'sort', c.label);
    b.type = 'button';
    b.title = 'Sort by ' + c.label;
    b.addEventListener('click', function () { sortBy(ci); });
    th.appendChild(b);
    headRow.appendChild(th);
    return th;
  });

  function keysFor(ci) {
    if (sortKeys[ci]) { return sortKeys[ci]; }
    var c = COLS[ci], k = new Array(findings.length);
    for (var i = 0; i < findings.length; i++) {
      var r = findings[i];
      k[i] = c.num ? (Number(r[0]) || 0) * 1e10 + (Number(r[1]) || 0) : cellText(r, c).toLowerCase();
    }
    sortKeys[ci] = k;
    return k;
  }
  function sortedOrder() {
    if (sorted) { return sorted; }
    var idx = new Array(findings.length);
    for (var i = 0; i < idx.length; i++) { idx[i] = i; }
    if (sortCol >= 0) {
      var k = keysFor(sortCol), dir = sortDir;
      idx.sort(function (a, b) { return k[a] < k[b] ? -dir : k[a] > k[b] ? dir : a - b; });
    }
    sorted = idx;
    return sorted;
  }
  function sortBy(ci) {
    if (sortCol === ci) { sortDir = -sortDir; } else { sortCol = ci; sortDir = 1; }
    headers.forEach(function (th, i) {
      if (i === sortCol) { th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending'); } else { th.removeAttribute('aria-sort'); }
    });
    sorted = null;
    filter(false);
  }
  function haystack() {
    if (hay) { return hay; }
    hay = new Array(findings.length);
    for (var i = 0; i < findings.length; i++) {
      var r = findings[i], parts = [];
      parts.push(fileName(r[0]));
      for (var c = 0; c < COLS.length; c++) { parts.push(cellText(r, COLS[c])); }
      hay[i] = parts.join('\n').toLowerCase();
    }
    return hay;
  }
  function filter(resetPage) {
    var base = sortedOrder();
    var q = search.value.trim().toLowerCase();
    var terms = q ? q.split(/\s+/) : [];
    var ef = selError.value, af = selAttr.value;
    if (!terms.length && !ef && !af) {
      view = base;
    } else {
      var h = terms.length ? haystack() : null;
      view = [];
      for (var n = 0; n < base.length; n++) {
        var i = base[n], r = findings[i], ok = true;
        if (af && str(r[4]) !== af) { continue; }
        if (ef && arr(r[6]).indexOf(ef) < 0) { continue; }
        for (var t = 0; t < terms.length; t++) {
          if (h[i].indexOf(terms[t]) < 0) { ok = false; break; }
        }
        if (ok) { view.push(i); }
      }
    }
    if (resetPage) { fPage = 0; }
    showFindings();
  }
  function showFindings() {
    var size = Number(selSize.value) || 100;
    var pages = Math.max(1, Math.ceil(view.length / size));
    if (fPage > pages - 1) { fPage = pages - 1; }
    if (fPage < 0) { fPage = 0; }
    var start = fPage * size, end = Math.min(view.length, start + size);
    var frag = d.createDocumentFragment();
    for (var n = start; n < end; n++) {
      var r = findings[view[n]], tr = el('tr');
      for (var c = 0; c < COLS.length; c++) {
        var col = COLS[c], td = el('td', col.cls || '');
        if (col.num) { td = locCell(r[0], r[1]); }
        else if (col.idx === 5) { putValue(td, r[5], '(empty)'); }
        else if (col.idx === 8) {
          if (r[8] === null || r[8] === undefined) { td.appendChild(el('span', 'none', 'none proposed')); } else { putValue(td, r[8], '(empty)'); }
        } else { td.textContent = cellText(r, col); }
        td.setAttribute('data-label', col.label);
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    if (end === start) {
      var tr0 = el('tr'), td0 = el('td', 'none', findings.length ? 'No finding matches.' : 'No findings: nothing to fix.');
      td0.colSpan = COLS.length; tr0.appendChild(td0); frag.appendChild(tr0);
    }
    clear(tbody);
    tbody.appendChild(frag);
    var msg = view.length
      ? 'Showing ' + fmt(start + 1) + '\u2013' + fmt(end) + ' of ' + plural(view.length, 'finding', 'findings')
      : 'Showing 0 findings';
    if (view.length !== findings.length) { msg += ' (filtered from ' + fmt(findings.length) + ')'; }
    $('f-status').textContent = msg + '.';
    pager($('f-pager'), fPage, pages, function (p) { fPage = p; showFindings(); table.scrollIntoView({ block: 'nearest' }); });
  }
  function pickFilter(sel, value) {
    var found = false;
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].value === value) { found = true; } }
    if (!found) { var o = el('option', '', value); o.value = value; sel.appendChild(o); }
    sel.value = value;
    filter(true);
    $('findings').scrollIntoView({ block: 'start' });
  }
  search.addEventListener('input', debounce(function () { filter(true); }, 120));
  selError.addEventListener('change', function () { filter(true); });
  selAttr.addEventListener('change', function () { filter(true); });
  selSize.addEventListener('change', function () { filter(true); });
  $('f-clear').addEventListener('click', function () {
    search.value = ''; selError.value = ''; selAttr.value = '';
    filter(true);
  });

  // ---- collision groups ---------------------------------------------------------------------
  // Group layout: [key, namespace, [[file index, line, dn, attribute, value], ...]]
  var C_SIZE = 25, HOLDER_COLS = ['Location', 'DN', 'Attribute', 'Value'];
  var cSearch = $('c-search'), cList = $('c-list'), cHay = null, cView = null, cPage = 0;
  function groupHay() {
    if (cHay) { return cHay; }
    cHay = groups.map(function (g) {
      var parts = [str(g[0]), str(g[1])];
      arr(g[2]).forEach(function (h) {
        if (Array.isArray(h)) { parts.push(fileName(h[0]), where(h[0], h[1]), str(h[2]), str(h[3]), str(h[4])); }
      });
      return parts.join('\n').toLowerCase();
    });
    return cHay;
  }
  function filterGroups() {
    var q = cSearch.value.trim().toLowerCase();
    var terms = q ? q.split(/\s+/) : [];
    cView = [];
    var h = terms.length ? groupHay() : null;
    for (var i = 0; i < groups.length; i++) {
      var ok = true;
      for (var t = 0; t < terms.length; t++) { if (h[i].indexOf(terms[t]) < 0) { ok = false; break; } }
      if (ok) { cView.push(i); }
    }
    cPage = 0;
    showGroups();
  }
  function showGroups() {
    var pages = Math.max(1, Math.ceil(cView.length / C_SIZE));
    if (cPage > pages - 1) { cPage = pages - 1; }
    var start = cPage * C_SIZE, end = Math.min(cView.length, start + C_SIZE);
    var frag = d.createDocumentFragment();
    for (var n = start; n < end; n++) {
      var g = groups[cView[n]], holders = arr(g[2]).filter(Array.isArray);
      var objects = {};
      holders.forEach(function (h) { objects[fileName(h[0]) + '\n' + str(h[2]).toLowerCase()] = true; });
      var art = el('article', 'group');
      var h3 = el('h3');
      h3.appendChild(el('span', 'key', str(g[0])));
      var sub = [];
      if (str(g[1])) { sub.push(str(g[1])); }
      sub.push(plural(holders.length, 'holder', 'holders'));
      sub.push(plural(Object.keys(objects).length, 'object', 'objects'));
      h3.appendChild(el('span', 'sub', sub.join(' \u00b7 ')));
      art.appendChild(h3);
      var wrap = el('div', 'scroll'), t = el('table', 'grid cards holders');
      t.appendChild(el('caption', 'sr', 'Holders of ' + str(g[0])));
      var thead = el('thead'), hr = el('tr');
      HOLDER_COLS.forEach(function (label) {
        var th = el('th', '', label); th.scope = 'col'; hr.appendChild(th);
      });
      thead.appendChild(hr);
      t.appendChild(thead);
      var tb = el('tbody');
      holders.forEach(function (h) {
        var tr = el('tr');
        var tv = el('td', 'v');
        putValue(tv, h[4], '(empty)');
        [locCell(h[0], h[1]), el('td', 'dn', str(h[2])), el('td', '', str(h[3])), tv].forEach(function (td, i) {
          td.setAttribute('data-label', HOLDER_COLS[i]);
          tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
      t.appendChild(tb);
      wrap.appendChild(t);
      art.appendChild(wrap);
      frag.appendChild(art);
    }
    clear(cList);
    if (end === start) {
      cList.appendChild(el('p', 'none', groups.length ? 'No collision group matches.' : 'No collisions: every value is unique in its namespace.'));
    }
    cList.appendChild(frag);
    var msg = cView.length
      ? 'Showing groups ' + fmt(start + 1) + '\u2013' + fmt(end) + ' of ' + fmt(cView.length)
      : 'Showing 0 groups';
    if (cView.length !== groups.length) { msg += ' (filtered from ' + fmt(groups.length) + ')'; }
    $('c-status').textContent = msg + '.';
    pager($('c-pager'), cPage, pages, function (p) { cPage = p; showGroups(); $('c-list').scrollIntoView({ block: 'start' }); });
  }
  cSearch.addEventListener('input', debounce(filterGroups, 120));

  // ---- start ----------------------------------------------------------------------------------
  drawCharts();
  var lastWidth = d.documentElement.clientWidth;
  window.addEventListener('resize', debounce(function () {
    var w = d.documentElement.clientWidth;
    if (w !== lastWidth) { lastWidth = w; drawCharts(); }
  }, 150));
  filter(true);
  filterGroups();
  d.documentElement.setAttribute('data-ready', 'true');
})();
