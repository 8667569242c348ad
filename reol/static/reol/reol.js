// Small progressive enhancements; every page works without them.
// Selects never submit their form on change: keyboard users move through the options with the
// arrow keys, and each move would leave the page (WCAG 3.2.2). Each form has its own button.
document.documentElement.classList.add("js");
