// The checks of tests/test_a11y_crawl.py, evaluated on each page; returns what it found.
() => {
  const W = window.innerWidth;
  const out = {scrollWidth: document.documentElement.scrollWidth, offscreen: [], duplicates: [],
               unlabelled: [], rings: [], checked: 0};
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && cs.visibility !== "hidden" && cs.display !== "none";
  };
  const scrollsSideways = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === "auto" || o === "scroll") && p.scrollWidth > p.clientWidth - 1) return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.name ? "[name=" + el.name + "]" : "") + " " + (el.innerText || el.value || "").trim().slice(0, 30);
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])");
  for (const el of controls) {
    if (!visible(el) || el.closest(".skip-link")) continue;
    const r = el.getBoundingClientRect();
    if ((r.right > W + 1 || r.left < -1) && !scrollsSideways(el)) out.offscreen.push(describe(el));
  }
  const seen = {};
  for (const el of document.querySelectorAll("[id]")) seen[el.id] = (seen[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(seen)) if (n > 1) out.duplicates.push(id + " ×" + n);
  const text = (el) => (el ? (el.innerText || el.textContent || "").trim() : "");
  for (const el of document.querySelectorAll(
      "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea")) {
    const by = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
      .map((id) => text(document.getElementById(id))).join(" ").trim();
    const labels = Array.from(el.labels || []).map(text).join(" ").trim();
    const name = by || (el.getAttribute("aria-label") || "").trim() || labels || (el.title || "").trim();
    if (!name) out.unlabelled.push(describe(el));
  }
  const rgba = (s) => {
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const behind = (el) => {
    for (let p = el; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  let n = 0;
  for (const el of controls) {
    if (n >= 60 || !visible(el) || el.disabled) continue;
    el.focus({preventScroll: true});
    if (document.activeElement !== el || !el.matches(":focus-visible")) continue;
    n += 1;
    const cs = getComputedStyle(el);
    const width = parseFloat(cs.outlineWidth) || 0;
    const colour = rgba(cs.outlineColor);
    if (cs.outlineStyle === "none" || width < 2 || !colour) {
      out.rings.push(describe(el) + ": no outline");
      continue;
    }
    const offset = parseFloat(cs.outlineOffset) || 0;
    const ground = behind(offset < 0 ? el : el.parentElement);
    const [a, b] = [lum(colour), lum(ground)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 3) out.rings.push(describe(el) + ": " + ratio.toFixed(2) + ":1");
  }
  out.checked = n;
  if (document.activeElement) document.activeElement.blur();
  return out;
}
