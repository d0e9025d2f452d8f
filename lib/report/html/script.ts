/**
 * The page's only script (vanilla, no library, nothing fetched): reads the JSON data element and
 * follows the location hash. `#c<n>`: the list of the measurements behind a table cell, and the
 * countries their paths reach shaded by how many of them. `#m-<i>`: measurement i's page and its
 * paths on the map as country-to-country arcs (network path, application path of side A and of
 * side B), its vantage nodes and service endpoints marked. Text from records is only ever set
 * with textContent / setAttribute, never parsed as markup.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var arcs = document.getElementById('arcs');
  var marks = document.getElementById('marks');
  var countries = Array.prototype.slice.call(document.querySelectorAll('#countries path[data-cc]'));
  var caption = document.getElementById('map-caption');
  var panel = document.getElementById('cell-list');
  var shown = null;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    parent.appendChild(e);
    return e;
  }
  function shade(counts, max) {
    countries.forEach(function (p) {
      var n = counts[p.getAttribute('data-cc')] || 0;
      p.style.fill = n ? 'rgba(203, 24, 29, ' + (0.15 + 0.75 * n / max).toFixed(3) + ')' : '';
      if (n) p.setAttribute('data-n', String(n)); else p.removeAttribute('data-n');
    });
  }
  function arc(a, b, cls, m) {
    var p = D.p[a], q = D.p[b];
    if (!p || !q || a === b) return;
    var dx = q[0] - p[0], dy = q[1] - p[1];
    var cx = (p[0] + q[0]) / 2 - dy * 0.2, cy = (p[1] + q[1]) / 2 + dx * 0.2;
    el('path', { d: 'M' + p[0] + ' ' + p[1] + 'Q' + cx.toFixed(1) + ' ' + cy.toFixed(1) + ' ' + q[0] + ' ' + q[1], 'class': 'arc ' + cls, 'data-m': String(m), 'data-from': a, 'data-to': b }, arcs);
  }
  function sequences(list, cls, m) {
    list.forEach(function (s) { for (var i = 1; i < s.length; i++) arc(s[i - 1], s[i], cls, m); });
  }
  function mark(cc, cls, label, m) {
    var p = D.p[cc];
    if (!p) return;
    if (cls === 'end') el('rect', { x: p[0] - 4, y: p[1] - 4, width: 8, height: 8, 'class': 'mark end', 'data-m': String(m), 'data-cc': cc }, marks);
    else el('circle', { cx: p[0], cy: p[1], r: 4, 'class': 'mark node', 'data-m': String(m), 'data-cc': cc }, marks);
    if (label) el('text', { x: p[0] + 6, y: p[1] - 6, 'class': 'label' }, marks).textContent = label;
  }
  function clearMap() {
    arcs.textContent = '';
    marks.textContent = '';
    shade({}, 1);
  }
  function showMeasurement(i) {
    var g = D.g[i], info = D.m[i];
    if (!g) return;
    if (shown) shown.classList.remove('shown');
    shown = document.getElementById('m-' + i);
    if (shown) shown.classList.add('shown');
    clearMap();
    sequences(g.net, 'net', i);
    sequences(g.appA, 'appA', i);
    sequences(g.appB, 'appB', i);
    g.ends.forEach(function (cc) { mark(cc, 'end', '', i); });
    g.nodes.forEach(function (n) { mark(n.cc, 'node', n.id, i); });
    caption.textContent = info[1] + ': ' + info[2] + ' \\u2194 ' + info[3] + ' (' + info[0] + ')';
  }
  function showCell(id) {
    var c = D.c[id];
    if (shown) { shown.classList.remove('shown'); shown = null; }
    clearMap();
    var counts = {}, max = 1;
    c.m.forEach(function (i) {
      var g = D.g[i];
      (c.k === 'network' ? g.netCountries : g.appCountries).forEach(function (cc) {
        counts[cc] = (counts[cc] || 0) + 1;
        if (counts[cc] > max) max = counts[cc];
      });
    });
    shade(counts, max);
    caption.textContent = c.t + ': countries its ' + c.k + ' paths reach (darker: more of its ' + c.m.length + ' measurements)';
    panel.hidden = false;
    panel.querySelector('h3').textContent = c.t + ' (' + c.m.length + ')';
    var ul = panel.querySelector('ul');
    ul.textContent = '';
    c.m.forEach(function (i) {
      var info = D.m[i];
      var a = document.createElement('a');
      a.href = '#m-' + i;
      a.textContent = info[1] + ': ' + info[2] + ' \\u2194 ' + info[3];
      a.title = info[0];
      var li = document.createElement('li');
      li.appendChild(a);
      ul.appendChild(li);
    });
  }
  function route() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (/^m-\\d+$/.test(h)) showMeasurement(Number(h.slice(2)));
    else if (Object.prototype.hasOwnProperty.call(D.c, h)) showCell(h);
  }
  window.addEventListener('hashchange', route);
  route();
})();
`;
