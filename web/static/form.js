// Conditional requirements of a completion form: an input that says
// data-required-when="result=won|other=" becomes required (and shows its
// mark) while one of those fields holds that value (or, with no value, any
// value). The server checks the data against the form's schema in any case;
// this only says so before the user sends it.
(function () {
  "use strict";
  var form = document.getElementById("complete") || document;
  var dependents = form.querySelectorAll("[data-required-when]");
  if (!dependents.length) return;

  function valueOf(name) {
    var el = form.querySelector('[name="' + name + '"]');
    if (!el) return "";
    if (el.type === "checkbox") return el.checked ? "on" : "";
    return el.value;
  }

  function update() {
    dependents.forEach(function (el) {
      var required = el.getAttribute("data-required-when").split("|").some(function (pair) {
        var i = pair.indexOf("=");
        var value = valueOf(pair.slice(0, i));
        var want = pair.slice(i + 1);
        return want === "" ? value !== "" : value === want;
      });
      el.required = required;
      var label = form.querySelector('label[for="' + el.id + '"] [data-required-mark]');
      if (label) label.hidden = !required;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
