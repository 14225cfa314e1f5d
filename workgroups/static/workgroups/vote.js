// Tap-to-rank for ranked-choice ballots. Without JavaScript the page works with the
// rank menus alone; with it, tapping an option gives it the next free rank, and
// "Start again" clears every rank. The menus stay the source of truth.
(function () {
  "use strict";
  var list = document.querySelector("[data-rank-list]");
  if (!list) return;
  var rows = Array.prototype.slice.call(list.querySelectorAll("[data-rank-option]"));
  var hint = list.querySelector(".rank-hint");
  if (hint) hint.hidden = false;

  function selectOf(row) { return row.querySelector("select"); }
  function used() {
    return rows.map(function (r) { return selectOf(r).value; }).filter(Boolean).map(Number);
  }
  function paint() {
    rows.forEach(function (r) { r.classList.toggle("is-ranked", Boolean(selectOf(r).value)); });
  }
  rows.forEach(function (row) {
    var select = selectOf(row);
    select.addEventListener("change", paint);
    row.addEventListener("click", function (event) {
      if (event.target === select || event.target.tagName === "OPTION") return;
      event.preventDefault();
      if (select.value) {
        select.value = "";
      } else {
        var taken = used();
        var next = 1;
        while (taken.indexOf(next) !== -1) next += 1;
        if (next < select.options.length) select.value = String(next);
      }
      paint();
    });
  });
  var clear = list.querySelector("[data-rank-clear]");
  if (clear) {
    clear.addEventListener("click", function () {
      rows.forEach(function (r) { selectOf(r).value = ""; });
      paint();
    });
  }
  paint();
})();
