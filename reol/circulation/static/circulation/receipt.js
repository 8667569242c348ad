// The receipt's Print button (no inline script: the CSP allows only 'self').
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("receipt-print");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  });
})();
