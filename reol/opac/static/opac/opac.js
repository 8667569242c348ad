// The search box's suggestions as an ARIA 1.2 combobox: the input keeps the focus, the list is
// its listbox, and aria-activedescendant says which option the arrow keys are on.
//   Down/Up  move through the options (Down opens the list again after Escape)
//   Enter    opens the chosen option (with none chosen, the form searches as usual)
//   Escape   closes the list (a second Escape clears the box, as the browser does)
// htmx fills the list; without JavaScript there is no list and the form still searches.
(function () {
  "use strict";

  function setUp(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list || input.dataset.combobox) return;
    input.dataset.combobox = "on";
    let active = -1;

    const options = () => Array.from(list.querySelectorAll('[role="option"]'));

    function show(open) {
      const some = options().length > 0;
      list.hidden = !(open && some);
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      if (list.hidden) choose(-1);
    }

    function choose(index) {
      const all = options();
      active = index;
      all.forEach((option, i) => {
        const on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
        if (on) option.scrollIntoView({ block: "nearest" });
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(option) {
      const href = option && option.getAttribute("data-href");
      if (href) window.location.assign(href);
    }

    input.addEventListener("keydown", (event) => {
      const all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (list.hidden) {
          show(true);
          choose(event.key === "ArrowDown" ? 0 : all.length - 1);
          return;
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        let next = active + step;
        if (next >= all.length) next = 0;
        if (next < -1) next = all.length - 1;
        choose(next); // -1: back in the box, nothing chosen
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && all[active]) {
          event.preventDefault();
          go(all[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          show(false);
        }
      }
    });

    // A tap or click on an option opens it; pressing down on the list keeps the focus in the
    // box, so the list does not close under the finger.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) go(option);
    });
    input.addEventListener("blur", () => show(false));
    input.addEventListener("focus", () => show(true));

    // New suggestions arrived (htmx swapped the list's content): nothing is chosen yet.
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target !== list) return;
      active = -1;
      show(document.activeElement === input);
      choose(-1);
    });
  }

  function init() {
    document.querySelectorAll('input[role="combobox"][aria-controls]').forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
