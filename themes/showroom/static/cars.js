// Filters and sorts the car lists in the browser from /cars/index.json. Without
// JavaScript the form stays hidden and the paginated lists work as they are.
(function () {
  "use strict";
  var form = document.querySelector("[data-car-filter]");
  var results = document.querySelector("[data-car-results]");
  if (!form || !results || !window.fetch) return;
  var labels = JSON.parse(form.querySelector("[data-labels]").innerHTML);
  var status = form.querySelector("[data-filter-status]");
  var original = results.innerHTML;
  var cars = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function num(name) {
    var v = form.elements[name].value;
    return v === "" ? null : Number(v);
  }
  function fillOptions(select, values) {
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (v) {
      var o = el("option", null, v.label);
      o.value = v.value;
      select.appendChild(o);
    });
    select.value = keep;
  }
  function distinct(key) {
    var seen = {};
    cars.forEach(function (c) { if (c[key]) seen[c[key]] = true; });
    return Object.keys(seen).sort().map(function (v) { return { value: v, label: v }; });
  }
  function card(c) {
    var li = el("li", "car-card");
    if (c.image) {
      var img = el("img");
      img.src = c.image; img.alt = c.title; img.loading = "lazy"; img.width = 480; img.height = 360;
      li.appendChild(img);
    } else li.appendChild(el("div", "no-photo", labels.no_photo));
    var body = el("div", "body");
    var h = el("h3"); var a = el("a", null, c.title); a.href = (form.dataset.prefix || "") + c.path; h.appendChild(a); body.appendChild(h);
    body.appendChild(el("p", "price", c.price_text));
    body.appendChild(el("p", "facts", [c.year, c.mileage_text].filter(Boolean).join(" · ")));
    if (c.reserved) { var p = el("p"); p.appendChild(el("span", "badge sold", labels.reserved)); body.appendChild(p); }
    body.appendChild(el("p", "supplier-line", c.supplier));
    li.appendChild(body);
    return li;
  }
  var sorts = {
    newest: function (a, b) { return a.arrived < b.arrived ? 1 : a.arrived > b.arrived ? -1 : 0; },
    price_asc: function (a, b) { return a.price - b.price; },
    price_desc: function (a, b) { return b.price - a.price; },
    mileage: function (a, b) { return (a.mileage == null ? Infinity : a.mileage) - (b.mileage == null ? Infinity : b.mileage); },
    year: function (a, b) { return (b.year || 0) - (a.year || 0); }
  };
  function apply() {
    var f = form.elements;
    var make = f.make.value, model = f.model.value;
    fillOptions(f.model, distinct("model").filter(function (m) {
      return !make || cars.some(function (c) { return c.make === make && c.model === m.value; });
    }));
    var min = num("min"), max = num("max"), year = num("year"), mileage = num("mileage");
    var active = make !== (form.dataset.make || "") || model || min != null || max != null ||
      year != null || mileage != null || f.fuel.value || f.body.value || f.gearbox.value ||
      f.sort.value !== "newest";
    if (!active) { results.innerHTML = original; status.textContent = ""; return; }
    var shown = cars.filter(function (c) {
      return (!make || c.make === make) && (!f.model.value || c.model === f.model.value) &&
        (min == null || c.price >= min) && (max == null || c.price <= max) &&
        (year == null || (c.year && c.year >= year)) &&
        (mileage == null || (c.mileage != null && c.mileage <= mileage)) &&
        (!f.fuel.value || c.fuel === f.fuel.value) && (!f.body.value || c.body === f.body.value) &&
        (!f.gearbox.value || c.transmission === f.gearbox.value);
    }).sort(sorts[f.sort.value] || sorts.newest);
    var list = el("ul", "car-grid");
    shown.forEach(function (c) { list.appendChild(card(c)); });
    results.replaceChildren(list);
    status.textContent = shown.length + " " + labels.found;
  }
  fetch(form.dataset.index).then(function (r) { return r.json(); }).then(function (index) {
    cars = index.cars.map(function (row) {
      var c = {};
      index.columns.forEach(function (name, i) { c[name] = row[i]; });
      return c;
    });
    var params = new URLSearchParams(location.search);
    params.forEach(function (value, key) { if (form.elements[key]) form.elements[key].value = value; });
    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    apply();
  });
})();
