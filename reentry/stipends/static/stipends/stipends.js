// Stipend pages (no inline scripts under our CSP): the Print button, and a "tick all"
// box on the approval page. Without JavaScript each line is ticked on its own.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  for (const all of document.querySelectorAll("[data-tick-all]")) {
    const boxes = document.querySelectorAll(`input[name="${all.dataset.tickAll}"]`);
    all.hidden = false;
    all.closest("[hidden]")?.removeAttribute("hidden");
    all.addEventListener("change", () => {
      for (const box of boxes) box.checked = all.checked;
    });
  }
});
