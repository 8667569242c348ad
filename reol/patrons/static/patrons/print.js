// A "Print" button (data-print) opens the browser's print dialogue. No inline scripts (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
