// The definition editor: checks the YAML as the analyst types and shows the
// problems beside it, or the new diagram when there are none. The page works
// without this script; publishing checks again on the server.
(function () {
  'use strict';
  var source = document.getElementById('source');
  var form = document.getElementById('publish');
  var list = document.getElementById('problems');
  var none = document.getElementById('no-problems');
  var checking = document.getElementById('checking');
  var diagram = document.getElementById('diagram');
  if (!source || !form || !list) {
    return;
  }
  var csrf = form.querySelector('input[name="csrf"]').value;
  var url = form.getAttribute('data-validate');
  var timer = null;
  var pending = null;
  var sequence = 0;

  // Warnings (what compiles but is likely not meant) follow the problems,
  // marked with the list's data-warning label.
  function showProblems(problems, warnings) {
    var label = list.getAttribute('data-warning') || 'Warning';
    var all = problems.map(function (p) { return {p: p, warning: false}; })
      .concat((warnings || []).map(function (p) { return {p: p, warning: true}; }));
    var items = all.map(function (entry) {
      var p = entry.p;
      var li = document.createElement('li');
      if (entry.warning) {
        li.className = 'warning';
      }
      var a = document.createElement('a');
      a.href = '#source';
      a.setAttribute('data-line', p.line);
      a.setAttribute('data-column', p.column);
      a.textContent = p.line + ':' + p.column + ': ' + (entry.warning ? label + ': ' : '') + p.message;
      li.appendChild(a);
      if (p.path) {
        var code = document.createElement('code');
        code.className = 'muted';
        code.textContent = p.path;
        li.appendChild(document.createTextNode(' '));
        li.appendChild(code);
      }
      return li;
    });
    list.replaceChildren.apply(list, items);
    if (none) {
      none.hidden = all.length > 0;
    }
  }

  function showDiagram(svg) {
    if (!diagram || !svg) {
      return;
    }
    var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    var root = doc.documentElement;
    if (root && root.localName === 'svg' && !doc.querySelector('parsererror')) {
      diagram.replaceChildren(document.importNode(root, true));
    }
  }

  function validate() {
    var mine = ++sequence;
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    if (checking) {
      checking.hidden = false;
    }
    var body = new URLSearchParams();
    body.set('csrf', csrf);
    body.set('source', source.value);
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf, 'Accept': 'application/json'},
      body: body.toString(),
      signal: pending.signal
    }).then(function (resp) {
      if (!resp.ok) {
        throw new Error('validate: ' + resp.status);
      }
      return resp.json();
    }).then(function (result) {
      if (mine !== sequence) {
        return;
      }
      showProblems(result.problems || [], result.warnings);
      if (result.valid) {
        showDiagram(result.diagram);
      }
      source.setAttribute('aria-invalid', result.valid ? 'false' : 'true');
    }).catch(function () {
      // Offline or refused: the server checks again on publishing.
    }).finally(function () {
      if (mine === sequence && checking) {
        checking.hidden = true;
      }
    });
  }

  source.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(validate, 300);
  });

  // A problem's link selects its line in the editor.
  list.addEventListener('click', function (e) {
    var a = e.target.closest('a[data-line]');
    if (!a) {
      return;
    }
    e.preventDefault();
    var line = parseInt(a.getAttribute('data-line'), 10) || 1;
    var lines = source.value.split('\n');
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) {
      start += lines[i].length + 1;
    }
    var end = start + (lines[line - 1] || '').length;
    source.focus();
    source.setSelectionRange(start, end);
    var height = parseFloat(getComputedStyle(source).lineHeight) || 20;
    source.scrollTop = Math.max(0, (line - 3) * height);
  });

  validate();
})();
