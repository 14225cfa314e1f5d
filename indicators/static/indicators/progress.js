// The live progress bar of an upload (templates/indicators/_progress.html).
// Polls the upload's progress.json every second; when the job is no longer running,
// reloads the page, which shows the report or the saved dataset. Without JavaScript,
// the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.querySelector(".ind-progress[data-progress-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector(".ind-progress-label");
  var percent = box.querySelector(".ind-progress-percent");
  var url = box.getAttribute("data-progress-url");
  var doneUrl = box.getAttribute("data-done-url");
  var failures = 0;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    percent.textContent = data.percent + "%";
    label.textContent = data.label;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.active) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.assign(doneUrl);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 1000);
})();
