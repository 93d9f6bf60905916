// The console's small script. Every page works without it; the security policy lets a page run
// only scripts served from here, never inline handlers, so each behaviour is bound by attribute.
"use strict";

// <button data-print> prints the page (receipts, reminder notices, the fee schedule).
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-print]");
  if (button) {
    e.preventDefault();
    window.print();
  }
});

// <select data-autosubmit> sends its form as soon as a choice is made (the community pickers).
document.addEventListener("change", function (e) {
  var select = e.target;
  if (select.hasAttribute && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});
