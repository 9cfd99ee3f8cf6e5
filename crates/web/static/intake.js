// Shows the eligibility answer in the intake form as it is filled in (progressive enhancement: the
// form works without this, and the answer is shown after submit either way).
(function () {
  'use strict';
  var form = document.querySelector('form.intake');
  var out = document.getElementById('behorighet');
  if (!form || !out || !window.fetch) { return; }
  var csrf = form.querySelector('input[name="csrf"]').value;
  function value(name) {
    var el = form.querySelector('[name="' + name + '"]:checked') || form.querySelector('[name="' + name + '"]');
    return el ? el.value : '';
  }
  function update() {
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
      if (b.error) { out.textContent = b.error.message; out.className = 'eligibility'; return; }
      var h = document.createElement('strong');
      h.textContent = { inom: 'Inom överenskommelsen', utanfor: 'Utanför överenskommelsen', ej_faststalld: 'Inte fastställt' }[b.status] || b.status;
      out.appendChild(h);
      var p = document.createElement('p');
      p.textContent = b.explanation;
      out.appendChild(p);
      b.reasons.forEach(function (r) { var li = document.createElement('p'); li.textContent = r.text; out.appendChild(li); });
      out.className = 'eligibility el-' + b.status;
    }).catch(function () { out.textContent = ''; });
  }
  ['person_type', 'municipality', 'opened_on', 'agreement_id'].forEach(function (n) {
    form.querySelectorAll('[name="' + n + '"]').forEach(function (el) { el.addEventListener('change', update); });
  });
  update();
})();
