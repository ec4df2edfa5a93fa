// Small progressive enhancements; every page works without JavaScript.
// Copy buttons ([data-copy]) stay hidden unless the clipboard can be written; the text stays selectable anyway.
if (navigator.clipboard && window.isSecureContext !== false) {
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-copy][hidden]").forEach((button) => { button.hidden = false; });
  });
}

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".nav-toggle");
  if (toggle) {
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    return;
  }
  const copy = event.target.closest("[data-copy]");
  if (copy && navigator.clipboard) {
    const status = document.querySelector(".copy-status");
    navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(() => {
      const label = copy.dataset.label || copy.textContent;
      copy.dataset.label = label;
      copy.textContent = "Copied";
      if (status) status.textContent = "Copied " + copy.getAttribute("data-copy");
      setTimeout(() => { copy.textContent = label; }, 1500);
    }, () => {
      if (status) status.textContent = "Could not copy; select the link and copy it instead.";
    });
  }
});

// The portal installs as an app (web manifest) and shows an offline page without a connection.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => { navigator.serviceWorker.register("/sw.js").catch(() => {}); });
}
