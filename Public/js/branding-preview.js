// Live preview of the portal customisation: the colour pickers and the font choice restyle the preview as they
// change, and the WCAG contrast ratios are recomputed (the server checks them again on save).
(function () {
  const preview = document.getElementById("branding-preview");
  const form = document.getElementById("branding-form");
  if (!preview || !form) return;
  const channel = (value) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const luminance = (hex) => {
    const n = parseInt(hex.slice(1), 16);
    return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const describe = (r) => (Math.floor(r * 100) / 100).toFixed(2) + ":1" + (r >= 4.5 ? " (passes)" : " (too low)");
  const brand = form.querySelector("#brand_color");
  const ink = form.querySelector("#brand_ink");
  const font = form.querySelector("#font");
  const stacks = {};
  preview.querySelectorAll("[data-font]").forEach((item) => { stacks[item.dataset.font] = item.textContent; });
  const update = () => {
    preview.style.setProperty("--brand", brand.value);
    preview.style.setProperty("--brand-ink", ink.value);
    const n = parseInt(brand.value.slice(1), 16);
    const tint = (c) => Math.round(c * 0.06 + 255 * 0.94).toString(16).padStart(2, "0");
    preview.style.setProperty("--brand-soft", "#" + tint((n >> 16) & 255) + tint((n >> 8) & 255) + tint(n & 255));
    const target = preview.querySelector("[data-font-target]");
    if (target && stacks[font.value]) target.style.fontFamily = stacks[font.value];
    const onBrand = preview.ownerDocument.querySelector("[data-contrast='on-brand']");
    const onWhite = preview.ownerDocument.querySelector("[data-contrast='on-white']");
    if (onBrand) onBrand.textContent = describe(ratio(brand.value, ink.value));
    if (onWhite) onWhite.textContent = describe(ratio(brand.value, "#ffffff"));
  };
  [brand, ink, font].forEach((input) => input && input.addEventListener("input", update));
  if (brand && ink && font) update();
})();
