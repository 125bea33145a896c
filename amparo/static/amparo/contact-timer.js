// The support line's call timer: the contact's duration counts up from when the page opened,
// until the operator types a duration of their own. Loaded as a file: the CSP forbids inline
// scripts.
(function () {
  "use strict";
  var field = document.querySelector("input[data-contact-timer]");
  if (!field || !field.form) {
    return;
  }
  var start = Date.now() - (parseInt(field.value, 10) || 0) * 1000;
  var typed = false;
  var paused = false;
  function tick() {
    if (!typed && !paused) {
      field.value = String(Math.max(0, Math.round((Date.now() - start) / 1000)));
    }
  }
  // While the operator is in the field the number holds still; typing keeps their number.
  field.addEventListener("focus", function () { paused = true; });
  field.addEventListener("blur", function () { paused = false; });
  field.addEventListener("input", function () { typed = true; });
  var timer = window.setInterval(tick, 1000);
  field.form.addEventListener("submit", function () {
    paused = false;
    tick();
    window.clearInterval(timer);
  });
  tick();
})();
