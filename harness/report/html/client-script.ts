// The page script of index.html, as plain browser JavaScript in a string (the
// report must be one file). It builds the detail panel from the embedded
// results with DOM calls and textContent only: no innerHTML, so nothing a
// worker reported can become markup. No backticks or "${" in here.
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('results-data').textContent);
  var cells = data.results.cells;
  var panel = document.getElementById('detail');
  var body = document.getElementById('detail-body');

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'onclick') el.addEventListener('click', v);
      else el.setAttribute(k, String(v));
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) return kid.forEach(function (k) { append(el, k); });
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  function tone(v) { return data.tones[v] || 'bad'; }
  function badge(v) {
    return h('span', { class: 'badge t-' + tone(v) }, data.symbols[tone(v)] + ' ' + v);
  }
  function stages(c) {
    if (c.fanout && c.fanout.length) return c.writer + ' → ' + [c.reader].concat(c.fanout).join(' + ');
    return [c.writer].concat(c.relays, [c.reader]).join(' → ');
  }
  function section(title, content) { return h('section', {}, h('h3', {}, title), content); }

  function show(title, content) {
    body.replaceChildren(h('h2', { id: 'detail-title' }, title), content);
    panel.hidden = false;
    panel.scrollTop = 0;
    panel.focus();
  }
  function close() {
    panel.hidden = true;
    if (location.hash) location.hash = '';
  }

  function showEntry(label, indexes) {
    if (indexes.length === 1) { location.hash = 'cell-' + indexes[0]; return; }
    // The worst cells first: they are what the click was for.
    var rank = { bad: 0, stale: 1, known: 2, ok: 3 };
    indexes = indexes.slice().sort(function (a, b) {
      return rank[tone(cells[a].verdict)] - rank[tone(cells[b].verdict)] || a - b;
    });
    var items = indexes.map(function (i) {
      var c = cells[i];
      return h('li', {}, badge(c.verdict), ' ',
        h('button', { type: 'button', class: 'link', 'data-cell': i }, c.scenario +
          (c.attempt > 1 ? ' (attempt ' + c.attempt + ')' : '')),
        h('span', { class: 'hint' }, ' ' + c.duration_ms + ' ms'));
    });
    show(label, h('div', {}, h('p', { class: 'hint' }, indexes.length + ' cells; pick one.'),
      h('ul', { class: 'entry-cells' }, items)));
  }

  function facts(c) {
    var rows = [['verdict', badge(c.verdict)], ['scenario', c.scenario], ['family', c.family],
      ['level', c.level], ['topology', stages(c)], ['engine', c.engine],
      ['attempt', String(c.attempt)], ['duration', c.duration_ms + ' ms'],
      ['throughput', c.throughput_mbps + ' Mb/s'], ['stage', c.stage]];
    if (c.listed_verdict) rows.splice(1, 0, ['before expectations', badge(c.listed_verdict)]);
    return h('dl', { class: 'facts-list' }, rows.filter(function (r) { return r[1]; })
      .map(function (r) { return [h('dt', {}, r[0]), h('dd', {}, r[1])]; }));
  }

  function same(d, e) {
    return d.bytes === e.bytes && d.sha256 === e.sha256 && d.texts_sha256 === e.texts_sha256;
  }
  function digestRows(c) {
    var rows = [['expected (from the plan)', c.expected]];
    if (c.writer_digest) {
      rows.push(['writer ' + c.writer + ' (handed to its SDK)', c.writer_digest]);
    }
    (c.hops || []).forEach(function (hop) {
      if (hop.input) rows.push([hop.role + ' ' + hop.lang + ' read', hop.input]);
      if (hop.output) rows.push([hop.role + ' ' + hop.lang + ' wrote', hop.output]);
    });
    rows.push(['reader ' + c.reader + ' (observed)', c.observed]);
    return rows;
  }
  // One column per digest, one row per field: the columns line up the same
  // field of expected, writer, relays and reader for the eye to compare.
  function digests(c) {
    var cols = digestRows(c);
    var fields = [
      ['match', function (d, i) {
        if (i === 0) return '';
        var ok = same(d, c.expected);
        var text = ok ? '= expected' : '≠ expected';
        return h('span', { class: 'badge t-' + (ok ? 'ok' : 'bad') }, text);
      }],
      ['bytes', function (d) { return d.bytes.toLocaleString('en-US'); }],
      ['sha256', function (d) { return h('span', { class: 'hash' }, d.sha256); }],
      ['texts', function (d) { return String((d.texts || []).length); }],
      ['texts sha256', function (d) { return h('span', { class: 'hash' }, d.texts_sha256); }],
      ['chunks', function (d) { return d.chunks === undefined ? '' : String(d.chunks); }],
      ['end', function (d) { return d.end || ''; }],
      ['error', function (d) {
        return d.error ? d.error.stage + ': ' + d.error.code + ' ' + (d.error.message || '') : '';
      }],
    ];
    var head = h('tr', {}, h('th', {}, ''),
      cols.map(function (col) { return h('th', {}, col[0]); }));
    var rows = fields.map(function (f) {
      return h('tr', {}, h('th', {}, f[0]), cols.map(function (col, i) {
        return h('td', {}, col[1] ? f[1](col[1], i) : i === 1 ? 'no digest reported' : '');
      }));
    });
    return h('div', { class: 'scroll' },
      h('table', { class: 'digests' }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  function divergence(c) {
    var prefix = c.id + ': ';
    var reason = c.reason.indexOf(prefix) === 0 ? c.reason.slice(prefix.length) : c.reason;
    var kids = [h('p', { class: 'reason' }, reason)];
    var source = digestRows(c).map(function (r) { return r[1]; })
      .filter(function (d) { return d && d.mismatch; })[0];
    if (source) {
      var m = source.mismatch;
      kids.push(h('dl', { class: 'facts-list single' },
        [['digest', source.role + ' ' + source.lang], ['offset', String(m.offset)],
          ['chunk', m.chunk + ' (+' + m.chunk_offset + ')'],
          ['expected', m.expected_hex || '<end of stream>'],
          ['got', m.actual_hex || '<end of stream>']]
          .map(function (r) { return [h('dt', {}, r[0]), h('dd', { class: 'hash' }, r[1])]; })));
    }
    return section('First divergence', kids);
  }

  function frameLog(c) {
    var list = Array.isArray(c.frames) ? c.frames : c.frames && c.frames.records;
    if (!Array.isArray(list) || list.length === 0) return null;
    var shown = list.slice(-400);
    var head = h('tr', {}, ['ms', 'side', 'dir', 'type', 'size', 'code']
      .map(function (t) { return h('th', {}, t); }));
    var rows = shown.map(function (f) {
      return h('tr', {}, [f.t, f.side, f.dir, f.type, f.size, f.code === undefined ? '' : f.code]
        .map(function (v) { return h('td', {}, v); }));
    });
    var note = list.length > shown.length
      ? h('p', { class: 'hint' }, 'last ' + shown.length + ' of ' + list.length + ' frames')
      : null;
    return section('Frame log (engine)', [note, h('div', { class: 'scroll short' },
      h('table', { class: 'frames' }, h('thead', {}, head), h('tbody', {}, rows)))]);
  }

  function logs(c) {
    var roles = Object.keys(c.logs || {});
    if (roles.length === 0) return null;
    return section('Log tails', roles.map(function (role) {
      var lines = c.logs[role];
      return h('details', { open: true }, h('summary', {}, role + ' (' + lines.length + ' lines)'),
        h('pre', {}, lines.join('\n')));
    }));
  }

  function rerun(c) {
    var pre = h('pre', { class: 'rerun' }, c.rerun);
    var button = h('button', { type: 'button', class: 'copy', onclick: function () {
      var done = function () { button.textContent = 'copied'; };
      if (navigator.clipboard) navigator.clipboard.writeText(c.rerun).then(done, select);
      else select();
      // file:// pages may have no clipboard access: select the text instead.
      function select() {
        var range = document.createRange();
        range.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
    } }, 'copy');
    return section('Rerun this cell', [pre, button]);
  }

  function showCell(i) {
    var c = cells[i];
    if (!c) return;
    var parts = [facts(c)];
    if (c.reason) parts.push(divergence(c));
    if (c.expectation) {
      var e = c.expectation;
      parts.push(section('Listed in the expectations file', h('p', {}, h('code', {}, e.pattern),
        ': ' + e.reason + ' (' + e.applies_to + ')')));
    }
    if (c.flaky) {
      var f = c.flaky;
      var text = f.passes + ' of ' + f.runs + ' runs passed; ' + f.needed + ' needed';
      parts.push(section('Listed as flaky', h('p', {}, text)));
    }
    parts.push(section('Digests', digests(c)), frameLog(c), logs(c), rerun(c));
    show(c.id, h('div', { class: 'cell-detail', 'data-index': i }, parts));
  }

  function route() {
    var m = /^#cell-(\d+)$/.exec(location.hash);
    if (m) showCell(Number(m[1]));
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target.closest('[data-cell], [data-cells], #detail-close');
    if (!target) return;
    if (target.id === 'detail-close') return close();
    if (target.hasAttribute('data-cell')) {
      var hash = '#cell-' + target.getAttribute('data-cell');
      if (location.hash === hash) route(); else location.hash = hash;
      return;
    }
    var list = target.getAttribute('data-cells').split(',').filter(Boolean).map(Number);
    showEntry(target.getAttribute('data-label'), list);
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && !panel.hidden) close();
  });
  window.addEventListener('hashchange', route);

  var filter = document.getElementById('cell-filter');
  var onlyBad = document.getElementById('only-bad');
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.cells tbody tr'));
  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var visible = row.getAttribute('data-search').indexOf(q) >= 0 &&
        (!onlyBad.checked || row.getAttribute('data-tone') !== 'ok');
      row.hidden = !visible;
      if (visible) shown++;
    });
    document.getElementById('cell-count').textContent = shown + ' of ' + rows.length + ' cells';
  }
  filter.addEventListener('input', applyFilter);
  onlyBad.addEventListener('change', applyFilter);
  applyFilter();
  route();
})();
`;
