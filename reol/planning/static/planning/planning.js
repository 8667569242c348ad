// Copy a calendar feed's address to the clipboard. Without script the address is still in a
// read-only field to select and copy by hand.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".js-copy");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => {
    const before = button.textContent;
    button.textContent = button.dataset.copied || before;
    setTimeout(() => { button.textContent = before; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {});
  } else if (document.execCommand && document.execCommand("copy")) {
    done();
  }
});

// The coordination calendar opens at the current week (unless the address names another).
document.addEventListener("DOMContentLoaded", () => {
  if (window.location.hash) return;
  const week = [...document.querySelectorAll(".this-week")].find((el) => el.offsetParent);
  if (week) week.scrollIntoView({ block: "start" });
});
