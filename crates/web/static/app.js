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

// <form data-confirm="…"> (or a submit button with it) asks before an action that cannot be
// undone quietly (红冲, 作废, 日结, a bill run, a delete); the text says what will happen.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var button = e.submitter;
  var ask = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (ask && !window.confirm(ask)) {
    e.preventDefault();
    return;
  }
  // A sent form's buttons wait for the answer: no second payment or bill run from a double
  // click. Forms that open elsewhere (a new tab) or stay (a PDF or .xlsx download) keep theirs.
  var download = /\.(pdf|xlsx)(\?|$)/.test((button && button.getAttribute("formaction")) || form.getAttribute("action") || "");
  if (!form.hasAttribute("target") && !download) {
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-busy", "true");
      });
      form.classList.add("busy");
    }, 0);
  }
});

// Back to a page from the browser's cache: its buttons work again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form.busy").forEach(function (form) {
    form.classList.remove("busy");
    form.querySelectorAll("[aria-busy]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
  });
});
