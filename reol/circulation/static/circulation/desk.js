// The desk and stocktaking: every Enter sends exactly the code typed before it, once, in order.
//
// A scanner fires faster than a server answers. Each code is taken from the scan field when its
// Enter is pressed (the field is emptied at once, so nothing later reads a cleared field) and
// put in a queue that is sent one request at a time: each request carries the patron the
// previous answer selected, so a card scanned in the stream switches the patron exactly before
// the copies after it. Every scan is listed with its answer; an error stays on screen until it
// is acknowledged; codes the server could not be reached with stay listed and are sent again,
// in order, when it can. Each scan carries a key of its own (Idempotency-Key), the same on every
// try: when a request reached the server but its answer was lost, the server answers the retry
// with the answer it gave, instead of lending or returning twice. A code that is neither card
// nor copy while a patron is served may have been the next patron's card (of another school,
// or mistyped): the codes after it wait, listed, until the librarian chooses to lend them to
// the patron or to drop them (Esc drops them: nothing is lent that was not chosen).
// The page works without this file (every form posts the whole page).
(function () {
  "use strict";
  var audio = null;

  function tone(level) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      audio = audio || new Context();
      var notes = level === "error" ? [220, 180] : level === "notice" ? [660, 880] : [880];
      notes.forEach(function (frequency, n) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        var start = audio.currentTime + n * 0.12;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.08, start);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.1);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.11);
      });
    } catch (e) { /* no sound is no reason to fail */ }
  }

  var GATEWAY_DOWN = [502, 503, 504];
  var PRESSABLE = "a[href], button, summary, select, textarea, input, [tabindex], [role=button]";

  function init() {
    var form = document.getElementById("desk-form");
    var input = document.getElementById("scan");
    if (!form || !input) { return; }
    var target = document.querySelector(form.getAttribute("data-queue-target") || "#desk-panel");
    var message = document.getElementById("desk-message");
    var log = document.getElementById("desk-log");
    var logSection = document.getElementById("desk-log-section");
    var offlineNote = document.getElementById("desk-offline");
    var queue = [];
    var busy = false;
    var retryDelay = 0;
    var errors = [];  // errors not yet acknowledged, the newest last: {html, row, halt}
    var halted = false;  // an answer asked the queue to wait for the librarian's choice

    var say = function (name) { return form.getAttribute("data-" + name) || ""; };
    var focusScan = function () { input.focus(); };

    // --- The running list ------------------------------------------------------------------
    function addRow(code) {
      if (!log) { return null; }
      var row = document.createElement("tr");
      for (var n = 0; n < 5; n++) { row.appendChild(document.createElement("td")); }
      row.cells[0].className = "code";
      row.cells[0].textContent = code;
      mark(row, "waiting", say("waiting"));
      log.insertBefore(row, log.firstChild);
      if (logSection) { logSection.hidden = false; }
      return row;
    }

    function mark(row, state, text) {
      if (!row) { return; }
      row.setAttribute("data-state", state);
      row.className = "desk-log-" + state;
      row.cells[3].textContent = text;
    }

    function fill(row, result) {
      if (!row) { return; }
      if (!result) { mark(row, "ok", ""); return; }
      var data = result.dataset;
      if (data.code) { row.cells[0].textContent = data.code; }
      row.cells[1].textContent = data.title || "";
      row.cells[2].textContent = data.who || "";
      row.cells[4].textContent = data.due || "";
      mark(row, data.level || "ok", data.text || "");
      row.setAttribute("data-state", "done");
    }

    // --- Errors stay until acknowledged ------------------------------------------------------
    function button(label, className, then) {
      var made = document.createElement("button");
      made.type = "button";
      made.className = className;
      made.textContent = label;
      made.addEventListener("click", function () { then(); focusScan(); });
      return made;
    }

    function showError() {
      var shown = errors[errors.length - 1];
      message.innerHTML = shown.html;
      var box = message.querySelector(".desk-answer") || message;
      if (shown.halt) {
        box.appendChild(button(say("go-on"), "desk-go-on", acknowledge));
        box.appendChild(button(say("drop"), "secondary desk-drop", drop));
      } else {
        box.appendChild(button(say("acknowledge"), "secondary desk-acknowledge", acknowledge));
      }
    }

    function acknowledge() {
      var done = errors.pop();
      if (done && done.row) { done.row.classList.add("desk-log-acknowledged"); }
      if (errors.length) { showError(); } else { message.innerHTML = ""; }
      if (done && done.halt) { halted = false; pump(); }
    }

    function drop() {  // the waiting codes are not sent: listed as dropped
      queue.forEach(function (waiting) {
        mark(waiting.row, "dropped", say("dropped"));
        if (waiting.row) { waiting.row.setAttribute("data-state", "dropped"); }
      });
      queue = [];
      acknowledge();
    }

    function setOffline(on) {
      if (offlineNote) { offlineNote.hidden = !on; }
    }

    // --- The queue -----------------------------------------------------------------------------
    function newKey() {  // crypto.randomUUID needs a secure context; getRandomValues does not
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    }

    function enqueue(entry, code) {
      entry.key = newKey();
      entry.row = addRow(code);
      queue.push(entry);
      pump();
    }

    function send(entry) {
      var data = new FormData();
      entry.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
      if (entry.live) {  // the patron as the answer before this one left it
        var patron = document.getElementById("desk-patron");
        if (patron) { data.set("patron", patron.value); }
      }
      return fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {"HX-Request": "true", "Idempotency-Key": entry.key}
      });
    }

    function pump() {
      if (busy || halted || !queue.length) { return; }
      busy = true;
      var entry = queue[0];
      mark(entry.row, "sending", say("waiting"));
      send(entry).then(function (response) {
        if (GATEWAY_DOWN.indexOf(response.status) >= 0) { throw new Error("unreachable"); }
        return response.text().then(function (html) {
          return {ok: response.ok && !response.redirected, html: html};
        });
      }).then(function (answer) {
        queue.shift();
        retryDelay = 0;
        setOffline(false);
        try {
          if (answer.ok) { apply(answer.html, entry); } else { failed(entry); }
        } finally {
          busy = false;
          pump();
        }
      }, function () {
        // Not sent (or no answer came back): it stays first in the queue and is tried again.
        setOffline(true);
        queue.forEach(function (waiting) { mark(waiting.row, "unsent", say("offline")); });
        retryDelay = Math.min(retryDelay ? retryDelay * 2 : 500, 4000);
        busy = false;
        window.setTimeout(pump, retryDelay);
      });
    }

    function failed(entry) {
      mark(entry.row, "error", say("failed"));
      if (entry.row) { entry.row.setAttribute("data-state", "done"); }
      var box = document.createElement("div");
      box.className = "desk-answer desk-error";
      box.setAttribute("role", "alert");
      var p = document.createElement("p");
      p.textContent = say("failed");
      box.appendChild(p);
      errors.push({html: box.outerHTML, row: entry.row});
      showError();
      tone("error");
    }

    // Swap what the server sent: the pieces marked out of band go to their places (as htmx
    // would), the rest into the panel; the message waits while an error is unacknowledged.
    function apply(html, entry) {
      var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
      var result = doc.querySelector("[data-desk-result]");
      var level = result ? result.getAttribute("data-level") : "";
      var halt = !!result && result.getAttribute("data-halt") === "1";
      if (halt) { halted = true; }
      var hadFocus = document.activeElement === input;
      Array.prototype.slice.call(doc.querySelectorAll("[hx-swap-oob]")).forEach(function (el) {
        var how = el.getAttribute("hx-swap-oob");
        el.parentNode.removeChild(el);
        el.removeAttribute("hx-swap-oob");
        var here = document.getElementById(el.id);
        if (!here) { return; }
        if (here === message) {
          if (level === "error") {
            errors.push({html: el.innerHTML, row: entry.row, halt: halt});
            showError();
          } else if (!errors.length) {
            message.innerHTML = el.innerHTML;
          }
        } else if (how === "innerHTML") {
          here.innerHTML = el.innerHTML;
        } else {
          here.outerHTML = el.outerHTML;
        }
      });
      target.innerHTML = doc.body.innerHTML;
      fill(entry.row, result);
      if (level) { tone(level); }
      var lost = !document.activeElement || document.activeElement === document.body;
      if (hadFocus || lost) { focusScan(); }
    }

    // --- What goes into the queue --------------------------------------------------------------
    function takeField() {
      var code = input.value.trim();
      input.value = "";
      if (!code) { return; }
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (name !== "scan") { fields.push([name, value]); }
      });
      fields.push(["scan", code]);
      enqueue({fields: fields, live: true}, code);
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();  // the code is taken now, at its own Enter
        takeField();
      }
    });

    document.addEventListener("submit", function (event) {
      var sent = event.target;
      if (sent === form) {
        event.preventDefault();
        takeField();
        focusScan();
        return;
      }
      if (!sent.hasAttribute || !sent.hasAttribute("data-desk-queue")) { return; }
      event.preventDefault();
      var fields = [];
      new FormData(sent).forEach(function (value, name) { fields.push([name, value]); });
      var scan = sent.querySelector("input[name=scan]");
      if (message.contains(sent) && errors.length) { acknowledge(); }
      enqueue({fields: fields, live: false}, scan ? scan.value : "");
      focusScan();
    });

    document.addEventListener("keydown", function (event) {
      var at = event.target;
      if (event.key === "Escape") {
        // Esc belongs to whatever has the focus; only in the scan field does it speak to the desk.
        if (at !== input) { return; }
        event.preventDefault();
        if (errors.length) {
          if (errors[errors.length - 1].halt) { drop(); } else { acknowledge(); }
          return;
        }
        // Queued like a scan, so it finishes the patron after the codes typed before it.
        var token = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (document.getElementById("desk-patron") && token) {
          enqueue({fields: [["csrfmiddlewaretoken", token.value], ["action", "done"]], live: false}, "");
        }
        return;
      }
      if (at === input || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) {
        return;
      }
      // A scanner "types" into whatever has the focus: a character typed outside a field goes
      // to the scan field instead. Space stays with a focused button or link (it presses it).
      var inField = at && at.closest && at.closest("input, select, textarea, [contenteditable]");
      if (inField) { return; }
      if (event.key === " " && at && at !== document.body && at.closest && at.closest(PRESSABLE)) {
        return;
      }
      focusScan();
    });

    window.addEventListener("online", function () { retryDelay = 0; pump(); });
    focusScan();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
