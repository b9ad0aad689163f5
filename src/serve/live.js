// Showroom preview only (never in `showroom build`): follows rebuilds over Server-Sent
// Events. Reloads this page when a rebuild changed it, swaps stylesheets in place when
// only CSS changed, and shows build problems over the page until the next good build.
(function () {
  "use strict";
  var OVERLAY = "showroom-overlay";
  var events = new EventSource("/__showroom/events");
  // Lets tests (and the curious) see that the page is following rebuilds.
  events.onopen = function () { window.showroomLive = true; };

  function ownFile() {
    var path = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  events.addEventListener("reload", function (e) {
    var files = JSON.parse(e.data);
    var mine = ownFile();
    var affected =
      files === null ||
      document.getElementById(OVERLAY) !== null ||
      files.some(function (f) {
        return f === mine || !/\.(html|css)$/.test(f);
      });
    if (affected) location.reload();
  });

  events.addEventListener("css", function (e) {
    var renamed = JSON.parse(e.data);
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var next = renamed[new URL(link.href, location.href).pathname];
      if (!next) return;
      var fresh = link.cloneNode();
      fresh.href = next;
      fresh.onload = function () { link.remove(); };
      link.after(fresh);
    });
  });

  events.addEventListener("problems", function (e) {
    var problems = JSON.parse(e.data);
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("style", "STYLE");
    var title = document.createElement("h2");
    title.textContent = "TITLE";
    var list = document.createElement("pre");
    list.textContent = problems.join("\n");
    box.append(title, list);
    document.body.append(box);
  });
})();
