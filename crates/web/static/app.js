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

// <button data-locate="lat-id lng-id"> fills a checkpoint's position from the phone's (someone
// standing at it). The position and its accuracy go to the [data-locate-status] beside it.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-locate]");
  if (!button) {
    return;
  }
  e.preventDefault();
  var ids = button.getAttribute("data-locate").split(" ");
  var status = button.parentNode.querySelector("[data-locate-status]");
  var say = function (text) {
    if (status) {
      status.textContent = text;
    }
  };
  if (!navigator.geolocation) {
    say(button.getAttribute("data-failed"));
    return;
  }
  say(button.getAttribute("data-locating"));
  navigator.geolocation.getCurrentPosition(
    function (p) {
      var set = function (id, v) {
        var input = document.getElementById(id);
        if (input) {
          input.value = v;
        }
      };
      set(ids[0], p.coords.latitude.toFixed(6));
      set(ids[1], p.coords.longitude.toFixed(6));
      say(p.coords.latitude.toFixed(6) + ", " + p.coords.longitude.toFixed(6) + " ±" + Math.round(p.coords.accuracy) + " m");
    },
    function () {
      say(button.getAttribute("data-failed"));
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
  );
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
  // An upload with data-progress (imports, photos) goes through XHR so the page can show how
  // much is sent, then that the server is working; its answer replaces the page as a normal
  // submit would (the redirect's page, its flash message, and its address).
  if (form.hasAttribute("data-progress") && sendWithProgress(form, button)) {
    e.preventDefault();
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

function sendWithProgress(form, button) {
  var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (i) {
    return i.files && i.files.length > 0;
  });
  if (!files || !window.FormData || !window.XMLHttpRequest) {
    return false;
  }
  var box = form.querySelector(".upload-progress");
  var bar = box && box.querySelector("progress");
  var said = box && box.querySelector("span");
  var started = Date.now();
  var tick = null;
  // The pressed button's name and value go too (FormData's own submitter argument is not in
  // every browser a desk may run).
  var data = new FormData(form);
  if (button && button.name) {
    data.append(button.name, button.value);
  }
  var xhr = new XMLHttpRequest();
  // Not form.action: a field named "action" would shadow it.
  var to = (button && button.getAttribute("formaction")) || form.getAttribute("action") || location.pathname;
  xhr.open(form.getAttribute("method") || "post", to);
  function show(text) {
    if (box) {
      box.hidden = false;
      said.textContent = text;
    }
  }
  xhr.upload.onprogress = function (ev) {
    if (ev.lengthComputable && bar) {
      bar.value = Math.round((ev.loaded / ev.total) * 100);
      show(box.getAttribute("data-sending").replace("{1}", bar.value));
    }
  };
  xhr.upload.onload = function () {
    if (bar) {
      bar.removeAttribute("value");
    }
    // The server checks and writes every row now: say how long it has been at it.
    var working = function () {
      var secs = Math.round((Date.now() - started) / 1000);
      show(box ? box.getAttribute("data-working").replace("{1}", secs) : "");
    };
    working();
    tick = setInterval(working, 1000);
  };
  xhr.onload = function () {
    clearInterval(tick);
    if (xhr.responseURL) {
      history.replaceState(null, "", xhr.responseURL);
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  };
  xhr.onerror = function () {
    clearInterval(tick);
    show(box ? box.getAttribute("data-failed") : "");
    form.classList.remove("busy");
    form.querySelectorAll("[aria-busy]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
  };
  show(box ? box.getAttribute("data-sending").replace("{1}", 0) : "");
  xhr.send(data);
  return true;
}

// A signature pad (<canvas data-signature="field">): drawn with a finger, a pen or the mouse;
// the drawing goes into the form's hidden field as a PNG when the form is sent. Nothing drawn
// leaves the field empty, and the server names it.
document.querySelectorAll("canvas[data-signature]").forEach(function (pad) {
  var ctx = pad.getContext("2d");
  var field = document.getElementById(pad.getAttribute("data-signature"));
  var drawn = false;
  var last = null;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
  }
  pad.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    last = at(e);
  });
  pad.addEventListener("pointermove", function (e) {
    if (!last) {
      return;
    }
    var p = at(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
    pad.addEventListener(t, function () {
      last = null;
    });
  });
  document.querySelectorAll("[data-clear-signature='" + pad.id + "']").forEach(function (b) {
    b.addEventListener("click", function () {
      ctx.clearRect(0, 0, pad.width, pad.height);
      drawn = false;
    });
  });
  pad.closest("form").addEventListener("submit", function () {
    field.value = drawn ? pad.toDataURL("image/png") : "";
  });
});
