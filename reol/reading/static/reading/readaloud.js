// Read aloud: a button with data-read="<id>" speaks that element's text with the browser's
// own speech synthesis, in the page's language (<html lang>). Nothing leaves the device.
// Pressing it again while it speaks stops. Buttons stay hidden where there is no synthesis.
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  var speaking = null;
  var LANGS = { da: "da-DK", nb: "nb-NO", en: "en-GB" };

  function stop() {
    synth.cancel();
    if (speaking) speaking.setAttribute("aria-pressed", "false");
    speaking = null;
  }

  function textOf(el) {
    // What is shown, not what is hidden: skip hidden parts and the buttons themselves.
    var clone = el.cloneNode(true);
    clone.querySelectorAll("[hidden], [aria-hidden='true'], button, .visually-hidden-label, script")
      .forEach(function (n) { n.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  function speak(button) {
    var target = document.getElementById(button.getAttribute("data-read"));
    if (!target) return;
    if (speaking === button) { stop(); return; }
    stop();
    var said = new SpeechSynthesisUtterance(textOf(target));
    var lang = document.documentElement.lang || "da";
    said.lang = LANGS[lang] || lang;
    said.rate = 0.9;  // a little slower than default: for children learning to read
    said.onend = said.onerror = function () {
      if (speaking === button) stop();
    };
    speaking = button;
    button.setAttribute("aria-pressed", "true");
    synth.speak(said);
  }

  function wire(root) {
    root.querySelectorAll("button[data-read]").forEach(function (button) {
      if (button.dataset.readWired) return;
      button.dataset.readWired = "1";
      button.hidden = false;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () { speak(button); });
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && speaking) stop();
  });
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.body && wire(document);
  document.addEventListener("htmx:afterSwap", function (e) { wire(e.target); });
})();
