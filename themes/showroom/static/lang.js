/* Remembers the language a visitor picks with the switcher, in the `showroom_lang`
 * cookie (category "preferences"). consent.js runs this file only once the visitor has
 * agreed to that category; without consent the switcher still works as plain links.
 * On the home page of the default language, a visitor who arrives from elsewhere with a
 * remembered language other than this page's is taken to that language's home page. */
(function () {
  "use strict";
  var NAME = "showroom_lang";
  var MAX_AGE = 365 * 24 * 3600;
  var d = document;
  var here = d.documentElement.getAttribute("data-lang") || "";

  function remember(lang) {
    d.cookie = NAME + "=" + encodeURIComponent(lang) + "; Max-Age=" + MAX_AGE +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function stored() {
    var found = null;
    d.cookie.split("; ").forEach(function (pair) {
      if (pair.indexOf(NAME + "=") === 0) found = decodeURIComponent(pair.slice(NAME.length + 1));
    });
    return found;
  }

  [].forEach.call(d.querySelectorAll("[data-lang-switch]"), function (a) {
    a.addEventListener("click", function () { remember(a.getAttribute("data-lang-switch")); });
  });

  var fromHere = d.referrer && d.referrer.indexOf(location.origin + "/") === 0;
  var wanted = stored();
  if (location.pathname === "/" && !fromHere && wanted && wanted !== here) {
    var target = d.querySelector('[data-lang-switch="' + wanted.replace(/[^a-z-]/gi, "") + '"]');
    if (target) location.replace(target.href);
  }
})();
