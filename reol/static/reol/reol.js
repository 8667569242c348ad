// Small progressive enhancements; every page works without them.
// Selects never submit their form on change: keyboard users move through the options with the
// arrow keys, and each move would leave the page (WCAG 3.2.2). Each form has its own button.
document.documentElement.classList.add("js");

// On a phone the staff menu folds behind its "Menu" button (the stylesheet shows the button
// only on narrow screens; on wider ones the menu is always open). Without JavaScript the
// button stays hidden and the menu open.
(function () {
  "use strict";

  // A form with data-confirm asks before it is sent (deleting what cannot be restored).
  // Without JavaScript it is sent at once, as it was.
  document.addEventListener("submit", (event) => {
    const question = event.target instanceof HTMLFormElement && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // After a form comes back with errors the focus goes to the summary at the top (core's
  // error_summary tag); its links move the focus to the field, not only the view.
  function showErrors() {
    const summary = document.querySelector(".error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target instanceof Element && event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus();
      (field.labels && field.labels[0] ? field.labels[0] : field).scrollIntoView({ block: "center" });
    });
  }

  // A field with data-enter-presses="<button id>": Enter in it presses that button instead of
  // the form's first (the booking form's search field searches; Enter elsewhere books).
  document.addEventListener("keydown", (event) => {
    const field = event.target instanceof HTMLElement && event.target.dataset.enterPresses;
    if (event.key !== "Enter" || !field) return;
    const button = document.getElementById(field);
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  // A "Print" button (data-print-page) opens the browser's print dialogue (no inline scripts).
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-print-page]")) {
      event.preventDefault();
      window.print();
    }
  });

  function setUp() {
    showErrors();
    document.querySelectorAll(".sidenav .menu-toggle").forEach((button) => {
      const nav = button.closest(".sidenav");
      const list = document.getElementById(button.getAttribute("aria-controls"));
      if (!nav || !list) return;
      nav.classList.add("collapsible");
      button.hidden = false;
      button.addEventListener("click", () => {
        const open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        nav.classList.toggle("open", open);
      });
      nav.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && nav.classList.contains("open")) {
          button.setAttribute("aria-expanded", "false");
          nav.classList.remove("open");
          button.focus();
        }
      });
    });
  }
  // Password fields of a form with data-show get a button that shows what was typed
  // (ASVS 2.1.12), and new passwords a meter of their strength (ASVS 2.1.8). The server's
  // rules decide; the meter only guides: length counts most, then kinds of characters.
  function strength(value) {
    if (value.length < 12) return 0;
    const kinds = [/[a-zæøå]/, /[A-ZÆØÅ]/, /[0-9]/, /[^A-Za-z0-9æøåÆØÅ]/].filter((r) =>
      r.test(value)
    ).length;
    const score = (value.length >= 16 ? 2 : 1) + (kinds >= 3 ? 2 : kinds >= 2 ? 1 : 0);
    return Math.min(4, score);
  }

  function setUpPasswords() {
    document.querySelectorAll("form[data-show]").forEach((form) => {
      const levels = (form.dataset.levels || "").split("|");
      form.querySelectorAll('input[type="password"]').forEach((input) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary show-password";
        button.textContent = form.dataset.show;
        button.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-controls", input.id);
        button.addEventListener("click", () => {
          const shown = input.type === "password";
          input.type = shown ? "text" : "password";
          button.textContent = shown ? form.dataset.hide : form.dataset.show;
          button.setAttribute("aria-pressed", shown ? "true" : "false");
        });
        input.insertAdjacentElement("afterend", button);
        if (input.autocomplete !== "new-password" || input.name.endsWith("2")) return;
        const meter = document.createElement("meter");
        meter.min = 0;
        meter.max = 4;
        meter.low = 2;
        meter.high = 3;
        meter.optimum = 4;
        meter.value = 0;
        meter.setAttribute("aria-label", form.dataset.strength);
        const words = document.createElement("span");
        words.className = "helptext";
        words.setAttribute("aria-live", "polite");
        input.addEventListener("input", () => {
          const level = input.value ? strength(input.value) : 0;
          meter.value = level;
          words.textContent = input.value ? levels[level] || "" : "";
        });
        button.insertAdjacentElement("afterend", words);
        button.insertAdjacentElement("afterend", meter);
      });
    });
  }

  function start() {
    setUp();
    setUpPasswords();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
