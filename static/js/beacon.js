// Counts one read of the story on this page for Trending (articles/trending.py). No cookie, nothing about the
// reader: the page names the beacon's address in data-beacon, and only pages for readers carry it.
(function () {
  "use strict";
  var page = document.querySelector("[data-beacon]");
  if (!page || !navigator.sendBeacon) {
    return;
  }
  function send() {
    navigator.sendBeacon(page.getAttribute("data-beacon"));
  }
  // A page rendered in the background (prerendered, or opened in a tab not yet looked at) is not read yet.
  if (document.visibilityState === "visible") {
    send();
  } else {
    document.addEventListener("visibilitychange", function onVisible() {
      if (document.visibilityState === "visible") {
        document.removeEventListener("visibilitychange", onVisible);
        send();
      }
    });
  }
})();
