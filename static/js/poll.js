/* Live progress without a reload: an element with data-poll-url fetches that URL every few
   seconds and shows the answer in place, while the server says there is more to come
   (header X-Poll-Done absent). Without JavaScript the page works as is; a reload shows the state. */
(function () {
  "use strict";
  function poll(element) {
    var url = element.getAttribute("data-poll-url");
    var interval = parseInt(element.getAttribute("data-poll-interval") || "2000", 10);
    var last = element.innerHTML;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) { return null; }
          var done = response.headers.get("X-Poll-Done") === "1";
          return response.text().then(function (text) { return { text: text, done: done }; });
        })
        .then(function (result) {
          if (result === null) { return; }
          if (result.text !== last) {
            element.innerHTML = result.text;
            last = result.text;
          }
          if (!result.done) { window.setTimeout(tick, interval); }
        })
        .catch(function () { window.setTimeout(tick, interval * 3); });
    }
    window.setTimeout(tick, interval);
  }
  document.querySelectorAll("[data-poll-url][data-poll]").forEach(poll);
})();
