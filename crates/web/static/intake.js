// The intake form's progressive enhancements (the form works without them; the eligibility answer is
// shown after submit either way):
// - the eligibility answer, right under the items that decide it, as they are filled in, announced
//   to screen readers (the box is aria-live);
// - a search box over the home-municipality list, so a home outside the county is a few letters
//   away instead of a scroll through 290 names.
(function () {
  'use strict';
  var form = document.querySelector('form.intake');
  if (!form) { return; }

  // Municipality search: filters the options of the plain select, parties first as before.
  var sel = document.getElementById('municipality');
  if (sel) {
    var fold = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); };
    var groups = Array.prototype.map.call(sel.children, function (node) {
      var opts = node.tagName === 'OPTGROUP' ? Array.prototype.slice.call(node.children) : [node];
      return { node: node, opts: opts };
    });
    var box = document.createElement('div');
    box.className = 'field';
    var label = document.createElement('label');
    label.htmlFor = 'kommunsok';
    label.textContent = 'Sök kommun (skriv början av namnet)';
    var input = document.createElement('input');
    input.id = 'kommunsok';
    input.type = 'search';
    input.autocomplete = 'off';
    input.setAttribute('aria-controls', 'municipality');
    input.setAttribute('aria-describedby', 'kommunsok-antal');
    var count = document.createElement('p');
    count.id = 'kommunsok-antal';
    count.className = 'muted';
    count.setAttribute('aria-live', 'polite');
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    sel.parentNode.parentNode.insertBefore(box, sel.parentNode);
    // The choice to come back to when the search is emptied: what was chosen before the search
    // began, or what the person picked in the list since (a search only proposes its first hit).
    var kept = null;
    sel.addEventListener('change', function (e) { if (e.isTrusted) { kept = sel.value; } });
    input.addEventListener('input', function () {
      var q = fold(input.value.trim());
      if (kept === null) { kept = sel.value; }
      var chosen = sel.value;
      var first = null;
      var n = 0;
      var matches = function (o) {
        var name = fold(o.textContent);
        return !q || name.indexOf(q) === 0 || name.indexOf(' ' + q) >= 0 || o.value.indexOf(q) === 0;
      };
      // Nothing matches: the whole list stays, and the count says so.
      var none = !groups.some(function (g) { return g.opts.some(matches); });
      groups.forEach(function (g) {
        var hits = 0;
        g.opts.forEach(function (o) {
          var hit = none || matches(o);
          if (hit && !none) { n += 1; if (!first) { first = o; } }
          if (hit) { hits += 1; }
          if (g.node.tagName === 'OPTGROUP') {
            if (hit && o.parentNode !== g.node) { g.node.appendChild(o); }
            if (!hit && o.parentNode === g.node) { g.node.removeChild(o); }
          } else {
            o.hidden = !hit;
          }
        });
        if (g.node.tagName === 'OPTGROUP') { g.node.hidden = hits === 0; }
      });
      // Keep the options in their first order after they were taken out and put back (moving an
      // option can reset the choice, so the choice is set again after).
      groups.forEach(function (g) {
        if (g.node.tagName === 'OPTGROUP') { g.opts.forEach(function (o) { if (o.parentNode === g.node) { g.node.appendChild(o); } }); }
      });
      count.textContent = q ? (none ? 'Ingen kommun matchar; hela listan visas.' : (n === 1 ? 'En kommun matchar: ' + first.textContent + '.' : n + ' kommuner matchar.')) : '';
      var still = Array.prototype.some.call(sel.options, function (o) { return o.value === chosen && !o.hidden; });
      var target = !q ? kept : ((first && (!still || n === 1)) ? first.value : chosen);
      if (!q) { kept = null; }
      sel.value = target;
      if (target !== chosen) { sel.dispatchEvent(new Event('change')); }
    });
  }

  // The eligibility answer.
  var out = document.getElementById('behorighet');
  if (!out || !window.fetch) { return; }
  var csrf = form.querySelector('input[name="csrf"]').value;
  function value(name) {
    var el = form.querySelector('[name="' + name + '"]:checked') || form.querySelector('[name="' + name + '"]:not([type=radio])');
    return el ? el.value : '';
  }
  function update() {
    if (!value('person_type')) { return; }
    fetch('/api/v1/eligibility', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({
        agreement_id: value('agreement_id'),
        opened_on: value('opened_on'),
        person_type: value('person_type'),
        municipality: value('municipality')
      })
    }).then(function (r) { return r.json(); }).then(function (b) {
      out.textContent = '';
      if (b.error) { var e = document.createElement('p'); e.textContent = b.error.message; out.appendChild(e); out.className = 'eligibility'; return; }
      var h = document.createElement('strong');
      h.textContent = { inom: 'Inom överenskommelsen', utanfor: 'Utanför överenskommelsen', ej_faststalld: 'Inte fastställt' }[b.status] || b.status;
      out.appendChild(h);
      var p = document.createElement('p');
      p.textContent = b.explanation;
      out.appendChild(p);
      b.reasons.forEach(function (r) { var li = document.createElement('p'); li.textContent = r.text; out.appendChild(li); });
      out.className = 'eligibility el-' + b.status;
    }).catch(function () { /* the answer comes after submit instead */ });
  }
  ['person_type', 'municipality', 'opened_on', 'agreement_id'].forEach(function (n) {
    form.querySelectorAll('[name="' + n + '"]').forEach(function (el) { el.addEventListener('change', update); });
  });
  update();
})();
