// Small conveniences on top of server-rendered pages; every page works without them.
"use strict";
document.addEventListener("click", (event) => {
  // A copy button copies the text of the element its data-copy names.
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.dataset.copied = "true";
      const status = document.getElementById(button.dataset.copy + "-status");
      if (status) status.textContent = status.dataset.done || "Copied";
    });
  }
});

// --- Review queue (review_pages.py) -----------------------------------------------
// Single-key shortcuts: a key clicks the decision button that shows it; the buttons
// themselves stay the accessible path. Never while typing, never with a modifier, and
// a person can turn them off (WCAG 2.1.4), remembered in this browser.
(() => {
  const STORE = "formgen.review-shortcuts";
  const enabled = () => {
    try { return localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  };
  const typing = (el) =>
    el instanceof Element &&
    (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    if (typing(event.target) || !enabled()) return;
    const button = Array.from(document.querySelectorAll("#review button[data-shortcut]"))
      .find((b) => b.dataset.shortcut === event.key && !b.disabled);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
  const box = document.querySelector("[data-shortcuts-box]");
  const toggle = document.querySelector("[data-shortcuts-toggle]");
  if (box && toggle) {
    box.hidden = false;
    toggle.checked = enabled();
    toggle.addEventListener("change", () => {
      try { localStorage.setItem(STORE, toggle.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  }
  // The next item swapped in: its heading takes the focus, so keyboard and screen
  // reader users go on from there.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "review") {
      const heading = document.getElementById("rev-heading");
      if (heading) heading.focus();
    }
  });
})();

// Recording pages: show buttons that only work with script, print, and the drop zone for
// scans (dropped files go into the ordinary file input, which works without script).
(() => {
  const reveal = (root) => {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-needs-js]").forEach((el) => { el.hidden = false; });
  };
  document.addEventListener("DOMContentLoaded", () => reveal(document));
  document.addEventListener("htmx:load", (event) => reveal(event.detail.elt));
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
  });
  const zoneOf = (event) =>
    event.target instanceof Element ? event.target.closest(".dropzone") : null;
  document.addEventListener("dragover", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.dataset.over = "true";
  });
  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event);
    if (zone) zone.dataset.over = "false";
  });
  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.dataset.over = "false";
    const input = zone.querySelector("input[type=file]");
    if (input && event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const chosen = document.getElementById(input.id + "-chosen");
    if (chosen) chosen.textContent = Array.from(input.files, (f) => f.name).join(", ");
  });
})();
// Review queue: a decision sent after the session ended comes back as the sign-in page;
// go there instead of showing it inside the queue.
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const url = event.detail.xhr && event.detail.xhr.responseURL;
  if (target && target.id === "review" && url && new URL(url).pathname === "/sign-in") {
    event.detail.shouldSwap = false;
    window.location.assign("/sign-in");
  }
});
