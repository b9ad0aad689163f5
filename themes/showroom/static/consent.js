/* Showroom consent banner. Plain script, no dependencies.
 * Scripts written as <script type="text/plain" data-consent="CATEGORY"> run only once the
 * visitor has agreed to CATEGORY under the cookie policy version in force (the banner's
 * data-version). The choice lives in a first-party cookie; a different version asks again.
 * Global Privacy Control refuses analytics and marketing whatever is clicked. */
(function () {
  "use strict";
  var NAME = "showroom_consent";
  var MAX_AGE = 182 * 24 * 3600; /* about six months */
  var GPC_REFUSES = ["analytics", "marketing"];
  var d = document;
  var box = d.getElementById("consent");
  if (!box) return;
  var version = box.getAttribute("data-version") || "";
  var gpc = navigator.globalPrivacyControl === true;
  var panel = d.getElementById("consent-settings");
  var toggles = [].slice.call(box.querySelectorAll("input[type=checkbox]:not([disabled])"));
  var button = function (action) { return box.querySelector('[data-consent-action="' + action + '"]'); };
  var current = read();
  var opener = null;

  function permitted(category) {
    return !(gpc && GPC_REFUSES.indexOf(category) >= 0);
  }

  /* The categories granted under this version, or null when the visitor must be asked. */
  function read() {
    var found = null;
    d.cookie.split("; ").forEach(function (pair) {
      if (pair.indexOf(NAME + "=") === 0) found = new URLSearchParams(pair.slice(NAME.length + 1));
    });
    if (!found || found.get("v") !== version) return null;
    return (found.get("granted") || "").split(",").filter(function (c) { return c && permitted(c); });
  }

  function write(granted) {
    var value = new URLSearchParams({ v: version, granted: granted.join(",") }).toString();
    d.cookie = NAME + "=" + value + "; Max-Age=" + MAX_AGE + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  /* Swaps each consented placeholder for a real script element, which the browser runs. */
  function run(granted) {
    [].forEach.call(d.querySelectorAll('script[type="text/plain"][data-consent]'), function (old) {
      if (granted.indexOf(old.getAttribute("data-consent")) < 0) return;
      var s = d.createElement("script");
      [].forEach.call(old.attributes, function (a) {
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      });
      s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }

  function sync() {
    toggles.forEach(function (t) {
      t.checked = !!current && current.indexOf(t.name) >= 0;
      if (!permitted(t.name)) { t.checked = false; t.disabled = true; }
    });
  }

  function show(focus) {
    sync();
    box.hidden = false;
    if (focus) box.focus();
  }

  function settings(open) {
    panel.hidden = !open;
    button("settings").setAttribute("aria-expanded", String(open));
    button("save").hidden = !open;
  }

  function hide() {
    box.hidden = true;
    settings(false);
    if (opener) opener.focus();
    opener = null;
  }

  function choose(granted) {
    granted = granted.filter(permitted);
    var withdrawn = current && current.some(function (c) { return granted.indexOf(c) < 0; });
    write(granted);
    current = granted;
    /* A script that already ran cannot be stopped: start the page afresh without it. */
    if (withdrawn) { location.reload(); return; }
    hide();
    run(granted);
  }

  box.addEventListener("click", function (e) {
    var action = e.target.getAttribute && e.target.getAttribute("data-consent-action");
    if (action === "accept") choose(toggles.map(function (t) { return t.name; }));
    else if (action === "reject") choose([]);
    else if (action === "save") choose(toggles.filter(function (t) { return t.checked; }).map(function (t) { return t.name; }));
    else if (action === "settings") settings(panel.hidden);
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && current) hide();
  });
  [].forEach.call(d.querySelectorAll("[data-consent-open]"), function (b) {
    var item = b.closest("[hidden]");
    if (item) item.hidden = false;
    b.addEventListener("click", function () { opener = b; show(true); });
  });
  if (gpc) box.querySelector(".consent-gpc").hidden = false;

  /* Policy-change notices: hidden for good once dismissed (a necessary, local-only record). */
  [].forEach.call(d.querySelectorAll("[data-notice]"), function (n) {
    var key = "showroom_notice_" + n.getAttribute("data-notice");
    var close = n.querySelector("[data-notice-dismiss]");
    try {
      if (localStorage.getItem(key)) { n.hidden = true; return; }
    } catch (e) { /* storage blocked: keep showing */ }
    close.hidden = false;
    close.addEventListener("click", function () {
      n.hidden = true;
      try { localStorage.setItem(key, "1"); } catch (e) { /* shown again next page */ }
    });
  });

  if (current) run(current);
  else show(false);
})();
