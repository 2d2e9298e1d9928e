/* Live updates of the public alerts page (progressive enhancement: without JavaScript the page is
   complete and a reload shows the news). The server answers /alerts/live at once and closes
   (Server-Sent Events with a retry: hint, see docs/adr/0002-alert-live-updates.md); EventSource
   reconnects by itself. When the version changes, the list of current alerts is fetched again. */
(function () {
  "use strict";
  var section = document.getElementById("current-alerts");
  if (!section || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("live-status");
  var version = section.getAttribute("data-version") || "";
  var source = new EventSource(section.getAttribute("data-live-url") + "?since=" + encodeURIComponent(version));

  function refresh(next) {
    fetch(section.getAttribute("data-fragment-url"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        section.replaceChildren.apply(section, Array.prototype.slice.call(parsed.body.childNodes));
        version = next;
        section.setAttribute("data-version", next);
        if (status) {
          status.textContent = status.getAttribute("data-updated-text") + " " + new Date().toLocaleTimeString();
        }
      })
      .catch(function () { /* keep the list shown; the next event tries again */ });
  }

  source.addEventListener("alerts", function (event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (data && data.version && data.version !== version) {
      refresh(data.version);
    }
  });
})();
