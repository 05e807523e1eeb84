// The exchange form: show only the details of the chosen kind of exchange.
// Without JavaScript every kind's section stays visible (the page says which one to fill in);
// the details of the other kinds are cleared on save whatever the browser sends.
(function () {
  "use strict";

  function setUp(form) {
    var kind = form.querySelector("select[name='kind']");
    var sections = form.querySelectorAll("fieldset[data-kind]");
    if (!kind || !sections.length) {
      return;
    }
    var note = form.querySelector("[data-kind-note]");
    function show() {
      for (var i = 0; i < sections.length; i++) {
        // a section with a refused value stays, so the summary's link leads to it
        var other = sections[i].getAttribute("data-kind") !== kind.value;
        sections[i].hidden = other && !sections[i].querySelector(".field-invalid");
      }
      if (note) {
        note.hidden = true;
      }
    }
    kind.addEventListener("change", show);
    show();
  }

  function start() {
    var forms = document.querySelectorAll("form[data-exchange-form]");
    for (var i = 0; i < forms.length; i++) {
      setUp(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
