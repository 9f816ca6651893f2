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
