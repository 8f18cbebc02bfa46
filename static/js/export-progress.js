/* The export's progress page updates itself: it asks the JSON at data-export-progress every few
   seconds, moves the progress bar and the count, and once the job has finished puts the result
   (with the download) into the page's polite status region, which announces it once. Without
   JavaScript the button "Stand aktualisieren" reloads the page. */
(function () {
  "use strict";
  var running = document.getElementById("export-running");
  var result = document.getElementById("export-result");
  if (!running || !result) { return; }
  var url = running.getAttribute("data-export-progress");
  var count = document.getElementById("export-count");
  var bar = document.getElementById("export-progress");
  var refresh = document.getElementById("export-refresh");
  var interval = 2000;
  if (refresh) { refresh.hidden = true; }
  function show(state) {
    if (state.finished) {
      result.innerHTML = state.result_html;
      running.parentNode.removeChild(running);
      return true;
    }
    count.textContent = state.progress_text;
    bar.max = state.total || 1;
    bar.value = state.done;
    bar.textContent = state.percent + " %";
    return false;
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (!show(state)) { window.setTimeout(tick, interval); }
      })
      .catch(function () {
        if (refresh) { refresh.hidden = false; }
        window.setTimeout(tick, interval * 3);
      });
  }
  window.setTimeout(tick, interval);
})();
