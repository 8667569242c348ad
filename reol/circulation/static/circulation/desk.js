// The desk: the scan field keeps the focus, each answer sounds, Esc finishes the patron.
// The page works without this file (every form posts and gets the whole page back).
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

  function init() {
    var form = document.getElementById("desk-form");
    var input = document.getElementById("scan");
    if (!form || !input) { return; }
    var focusScan = function () { input.focus(); };

    // The scanner may fire the next code while this one is on its way: the parameters are
    // already taken when htmx configures the request, so the field is emptied at once.
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt === form) { input.value = ""; }
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      var answer = document.querySelector("#desk-message .desk-answer");
      if (answer) { tone(answer.getAttribute("data-level")); }
      focusScan();
    });
    var offline = function () {
      var box = document.getElementById("desk-message");
      box.textContent = "";
      var p = document.createElement("p");
      p.className = "desk-answer desk-error";
      p.setAttribute("role", "alert");
      p.textContent = form.getAttribute("data-offline") || "";
      box.appendChild(p);
      tone("error");
      focusScan();
    };
    document.body.addEventListener("htmx:sendError", offline);
    document.body.addEventListener("htmx:responseError", offline);

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        var finish = document.querySelector("#desk-panel input[name=action][value=done]");
        if (finish) { event.preventDefault(); finish.form.requestSubmit(); }
        focusScan();
        return;
      }
      // A scanner "types" into whatever has the focus: anything typed outside a field goes to
      // the scan field instead.
      var target = event.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" ||
        target.tagName === "TEXTAREA");
      if (!typing && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
        focusScan();
      }
    });
    focusScan();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
