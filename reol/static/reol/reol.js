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

  function setUp() {
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
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
