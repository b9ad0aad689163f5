// Filters, sorts and searches the car lists in the browser, reading only the parts of
// the search index (/cars/search/<version>/, see src/search/mod.rs) that a query needs.
// Without JavaScript the form stays hidden and the paginated lists work as they are.
// Text from the index (titles, suppliers, places) is only ever set as text, never as HTML.
(function () {
  "use strict";
  var form = document.querySelector("[data-car-filter]");
  var results = document.querySelector("[data-car-results]");
  if (!form || !results || !window.fetch || !window.URLSearchParams) return;
  var F = form.elements;
  var tpl = form.querySelector("[data-labels]");
  var L = JSON.parse(tpl.content ? tpl.content.textContent : tpl.textContent);
  var status = form.querySelector("[data-filter-status]");
  var toggle = form.querySelector("[data-filter-toggle]");
  var prefix = form.dataset.prefix || "";
  var pageMake = form.dataset.make || "";
  var pagePath = location.pathname;
  var original = results.innerHTML;
  var base = form.dataset.index.replace(/[^/]*$/, "");
  var FACETS = ["body", "fuel", "gearbox", "supplier", "location", "price", "year", "mileage"];
  var CATEGORICAL = FACETS.slice(0, 5);
  var PARAMS = ["q", "make", "model"].concat(CATEGORICAL, ["cur", "min", "max", "year_min", "year_max", "mileage", "sort"]);

  // ---- Decoding (src/search/codec.rs) ----
  var DIGIT = new Int8Array(128);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("").forEach(function (ch, i) { DIGIT[ch.charCodeAt(0)] = i; });
  function column(s, w) {
    var out = new Uint16Array(s.length / w);
    for (var i = 0, k = 0; i < out.length; i++) {
      var v = 0;
      for (var j = 0; j < w; j++) v = v * 64 + DIGIT[s.charCodeAt(k++)];
      out[i] = v;
    }
    return out;
  }
  function numbers(s) {
    var out = [], n = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var v = DIGIT[s.charCodeAt(i)];
      n += (v & 31) * mul; mul *= 32;
      if (v < 32) { out.push(n); n = 0; mul = 1; }
    }
    return out;
  }
  function set(s) {
    var ns = numbers(s), out = [], end = 0;
    for (var i = 0; i < ns.length; i++) {
      var start = end + Math.floor(ns[i] / 2), len = ns[i] % 2 ? ns[++i] + 2 : 1;
      for (var c = start; c < start + len; c++) out.push(c);
      end = start + len;
    }
    return out;
  }

  // ---- Fetching, each file once ----
  var files = {};
  function get(name) {
    if (!files[name]) {
      files[name] = fetch(base + name).then(function (r) {
        if (!r.ok) throw new Error(name + ": " + r.status);
        return r.json();
      });
      files[name].catch(function () { delete files[name]; });
    }
    return files[name];
  }
  function all(list) { return Promise.all(list); }

  // ---- The index's metadata, and what follows from it ----
  var M, makeOf, modelOf, widths;
  var loading;
  function meta() {
    if (loading) return loading;
    loading = get("meta.json").then(function (m) {
      M = m; widths = m.widths;
      makeOf = new Uint16Array(m.n); modelOf = new Uint16Array(m.n);
      m.makes.forEach(function (k, i) { makeOf.fill(i + 1, k[2], k[2] + k[3]); });
      m.models.forEach(function (k, i) { modelOf.fill(i + 1, k[2], k[2] + k[3]); });
      fillOptions();
      return m;
    });
    // A failed first read is tried again by the next query, not remembered.
    loading.catch(function () { loading = null; });
    return loading;
  }
  function size(f) {
    if (f === "make") return M.makes.length + 1;
    if (f === "model") return M.models.length + 1;
    return M.totals[f].length;
  }

  // ---- Words, as src/search/words.rs splits a query ----
  var PAIRED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u, WORD = /[\p{L}\p{N}]/u;
  function queryWords(q) {
    var text = q.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase(), out = [], run = "", kind = 0;
    function end() {
      var chars = Array.from(run);
      if (kind === 2) {
        if (chars.length === 1) out.push(run);
        for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else if (kind === 1 && run) out.push(run);
      run = "";
    }
    for (var ch of text) {
      var k = PAIRED.test(ch) ? 2 : WORD.test(ch) ? 1 : 0;
      if (k !== kind) { end(); kind = k; }
      if (k) run += ch;
    }
    end();
    return out;
  }
  // The cars whose words include every query word: as a prefix, except a single
  // letter or digit, which must be a whole word.
  function textCars(q) {
    var words = queryWords(q);
    if (!words.length) return Promise.resolve(null);
    var shards = {};
    words.forEach(function (w) {
      var longest = -1;
      M.text.forEach(function (key, i) {
        if (key.startsWith(w)) shards[i] = 1;
        else if (w.startsWith(key) && (longest < 0 || key.length > M.text[longest].length)) longest = i;
      });
      if (longest >= 0) shards[longest] = 1;
    });
    return all(Object.keys(shards).map(function (i) { return get("t/" + i + ".json"); })).then(function (parts) {
      var hits = new Uint8Array(M.n);
      words.forEach(function (w) {
        var whole = !PAIRED.test(w) && Array.from(w).length === 1, seen = new Uint8Array(M.n);
        parts.forEach(function (part) {
          for (var token in part) {
            if (whole ? token !== w : !token.startsWith(w)) continue;
            set(part[token]).forEach(function (c) { if (!seen[c]) { seen[c] = 1; hits[c]++; } });
          }
        });
      });
      var out = [];
      for (var c = 0; c < M.n; c++) if (hits[c] === words.length) out.push(c);
      return out;
    });
  }

  // ---- State: the form, the URL and back ----
  function readForm() {
    var s = {};
    PARAMS.forEach(function (p) { s[p] = F[p] ? F[p].value.trim() : ""; });
    if (s.sort === "newest") s.sort = "";
    s.page = 1;
    return s;
  }
  function readURL() {
    var u = new URLSearchParams(location.search), s = {};
    PARAMS.forEach(function (p) { s[p] = (u.get(p) || "").trim(); });
    if (u.has("year") && !s.year_min) s.year_min = u.get("year");
    if (!s.make && location.pathname === pagePath) s.make = pageMake;
    if (s.sort === "newest") s.sort = "";
    s.page = Math.max(1, parseInt(u.get("page"), 10) || 1);
    return s;
  }
  function url(s, page) {
    var u = new URLSearchParams(), path = prefix + "/cars/";
    if (s.make === pageMake && pageMake) path = pagePath;
    PARAMS.forEach(function (p) {
      if (s[p] && !(p === "make" && path === pagePath && s.make === pageMake)) u.set(p, s[p]);
    });
    if (page > 1) u.set("page", page);
    var q = u.toString();
    return path + (q ? "?" + q : "");
  }
  function writeForm(s) {
    PARAMS.forEach(function (p) { if (F[p]) F[p].value = s[p] || (p === "sort" ? "newest" : ""); });
  }
  function isEmpty(s) {
    return PARAMS.every(function (p) { return !s[p] || (p === "make" && s[p] === pageMake); }) && s.page === 1;
  }

  // ---- Constraints: the filters of a state, as tests on a car's codes ----
  function find(list, key) {
    var k = key.toLowerCase();
    for (var i = 0; i < list.length; i++) if (list[i][0] === k || String(list[i][1]).toLowerCase() === k) return i + 1;
    return 0;
  }
  function currency(s) {
    var i = -1;
    M.prices.forEach(function (p, j) { if (p[0].toLowerCase() === s.cur.toLowerCase()) i = j; });
    if (i >= 0) return i;
    var best = 0, most = -1;
    M.prices.forEach(function (p, j) {
      var n = sum(M.totals.price, p[1] + 1, p[1] + 2 * p[2].length + 1);
      if (n > most) { most = n; best = j; }
    });
    return best;
  }
  function sum(v, lo, hi) { var t = 0; for (var i = lo; i <= hi && i < v.length; i++) t += v[i] || 0; return t; }
  // A boundary's code, snapped inward so that a typed amount never widens the filter.
  function boundCode(bounds, amount, up) {
    var i = up ? bounds.findIndex(function (b) { return b >= amount; }) : bounds.length - 1 - bounds.slice().reverse().findIndex(function (b) { return b <= amount; });
    if (up ? i < 0 : i >= bounds.length) i = up ? bounds.length - 1 : 0;
    return 2 * i + 2;
  }
  // Each constraint: its facet, a test on a code, and the signed atoms (count files)
  // whose sum is its set of cars.
  function constraints(s) {
    var cons = [];
    var make = s.make ? find(M.makes, s.make) : 0;
    if (make) {
      var mk = M.makes[make - 1];
      cons.push({ key: "make", code: make, test: function (c) { return makeOf[c] === make; } });
      var first = mk[4], count = (M.makes[make] ? M.makes[make][4] : M.models.length) - first;
      var model = s.model ? find(M.models.slice(first, first + count), s.model) : 0;
      if (model) {
        model += first;
        cons.push({ key: "model", code: model, test: function (c) { return modelOf[c] === model; } });
      }
    }
    CATEGORICAL.forEach(function (f) {
      var code = s[f] ? find(M.values[f][0].map(function (k, i) { return [k, M.values[f][1][i]]; }), s[f]) : 0;
      if (code) cons.push(range(f, code, code, [[1, f + "-" + code]]));
    });
    if (s.min || s.max) {
      var p = M.prices[currency(s)], b0 = p[1], top = b0 + 2 * p[2].length + 1;
      var lo = s.min ? b0 + boundCode(p[2], +s.min, true) : b0 + 1;
      var hi = s.max ? b0 + boundCode(p[2], +s.max, false) : top;
      if (lo <= hi) cons.push(range("price", lo, hi, cumulative("price", lo, hi, b0)));
      else cons.push(range("price", 1, 0, []));
    }
    if (s.year_min || s.year_max) {
      var ys = M.years, ylo = 1, yhi = ys.length;
      if (s.year_min) { ylo = ys.findIndex(function (y) { return y >= +s.year_min; }) + 1 || ys.length + 1; }
      if (s.year_max) { for (yhi = ys.length; yhi > 0 && ys[yhi - 1] > +s.year_max; yhi--); }
      cons.push(range("year", ylo, yhi, ylo <= yhi ? cumulative("year", ylo, yhi, 0) : []));
    }
    if (s.mileage && M.mileage[1].length) {
      var mhi = boundCode(M.mileage[1], +s.mileage, false);
      cons.push(range("mileage", 1, mhi, [[1, "mileage-" + mhi]]));
    }
    return cons;
  }
  function range(f, lo, hi, atoms) {
    return { key: f, lo: lo, hi: hi, atoms: atoms, test: function (c) { var v = code(f, c); return v >= lo && v <= hi; } };
  }
  // Codes lo..hi as differences of running totals, which start after `base`.
  function cumulative(f, lo, hi, base) {
    var out = [[1, f + "-" + hi]];
    if (lo - 1 > base) out.push([-1, f + "-" + (lo - 1)]);
    return out;
  }

  // ---- Cars' codes: from their make's file, or a facet's column for every car ----
  var blocks = {}, cols = {};
  function code(f, c) {
    if (f === "make") return makeOf[c];
    if (f === "model") return modelOf[c];
    var g = cols[f];
    if (g) return g[c];
    var b = blocks[makeOf[c]];
    return b.c[f][c - b.start];
  }
  function loadBlocks(makes) {
    return all(makes.map(function (m) {
      if (blocks[m]) return blocks[m];
      return get("b/" + m + ".json").then(function (b) {
        var start = m ? M.makes[m - 1][2] : 0, c = {};
        FACETS.forEach(function (f) { c[f] = column(b.c[f], widths[f]); });
        blocks[m] = { start: start, c: c, m: column(b.m, widths.model) };
        return blocks[m];
      });
    }));
  }
  function loadColumns(facets) {
    return all(facets.map(function (f) {
      if (cols[f] || f === "make" || f === "model") return cols[f];
      return get("g/" + f + ".json").then(function (g) { return (cols[f] = column(g.v, widths[f])); });
    }));
  }
  function makeRange(m) { return m ? [M.makes[m - 1][2], M.makes[m - 1][2] + M.makes[m - 1][3]] : [0, M.makes.length ? M.makes[0][2] : M.n]; }

  // ---- Counting ----
  // Counts, over the cars `each` visits, how many match every constraint (`total`, and
  // by every facet in `want`), and for each facet how many match all constraints but its
  // own: the numbers the form shows. A make's count ignores the model too.
  function tally(each, cons, want) {
    var counts = {}, total = 0, inR = [];
    want.forEach(function (f) { counts[f] = new Int32Array(size(f)); });
    each(function (c) {
      var fails = 0, k1 = "", k2 = "";
      for (var i = 0; i < cons.length; i++) {
        if (!cons[i].test(c)) { fails++; if (fails === 1) k1 = cons[i].key; else if (fails === 2) k2 = cons[i].key; else break; }
      }
      if (!fails) {
        total++; inR.push(c);
        for (var j = 0; j < want.length; j++) counts[want[j]][code(want[j], c)]++;
      } else if (fails === 1) {
        if (counts[k1]) counts[k1][code(k1, c)]++;
        if (k1 === "model" && counts.make) counts.make[makeOf[c]]++;
      } else if (fails === 2 && k1 === "make" && k2 === "model" && counts.make) counts.make[makeOf[c]]++;
    });
    return { counts: counts, total: total, cars: inR };
  }
  // Counts of `want` over the cars of up to two constraints, from count files; null when
  // the files for them are not all there.
  function fromFiles(cons, want) {
    if (!cons.length) {
      var c0 = {};
      want.forEach(function (f) { c0[f] = Int32Array.from(M.totals[f]); });
      return Promise.resolve({ counts: c0, total: M.n });
    }
    if (cons.length > 2 || !M.counted) return Promise.resolve(null);
    var singles = [];
    cons.forEach(function (k) { k.atoms.forEach(function (a) { singles.push(a[1]); }); });
    return all(singles.map(function (a) { return get("c/" + a + ".json"); })).then(function (one) {
      var terms = [];
      if (cons.length === 1) {
        cons[0].atoms.forEach(function (a, i) { terms.push([a[0], Promise.resolve(one[i])]); });
      } else {
        var a = cons[0], b = cons[1];
        if (FACETS.indexOf(a.key) > FACETS.indexOf(b.key)) { var t = a; a = b; b = t; }
        if (M.pairs_skipped.some(function (p) { return p[0] === a.key && p[1] === b.key; })) return null;
        var single = {};
        cons.forEach(function (k) { k.atoms.forEach(function (x) { single[x[1]] = one[singles.indexOf(x[1])]; }); });
        for (var i = 0; i < a.atoms.length; i++) for (var j = 0; j < b.atoms.length; j++) {
          var x = a.atoms[i], y = b.atoms[j];
          var yc = +y[1].split("-")[1], yFrom = b.key === "price" || b.key === "year" || b.key === "mileage" ? runStart(b.key, yc) : yc;
          var both = sum(single[x[1]][b.key] || [], yFrom, yc);
          if (!both) continue;
          if (atomSize(a.key, x[1]) < M.pair_floor || atomSize(b.key, y[1]) < M.pair_floor) return null;
          terms.push([x[0] * y[0], get("p/" + x[1] + "-" + y[1] + ".json")]);
        }
      }
      return all(terms.map(function (t) { return t[1]; })).then(function (vs) {
        var out = { counts: {}, total: 0 };
        want.forEach(function (f) { out.counts[f] = new Int32Array(size(f)); });
        vs.forEach(function (v, i) {
          var sign = terms[i][0];
          out.total += sign * v.t;
          want.forEach(function (f) { (v[f] || []).forEach(function (n, k) { out.counts[f][k] += sign * n; }); });
        });
        return out;
      });
    });
  }
  function runStart(f, c) {
    if (f !== "price") return 1;
    var s = 1;
    M.prices.forEach(function (p) { if (p[1] < c) s = p[1] + 1; });
    return s;
  }
  function atomSize(f, atom) {
    var c = +atom.split("-")[1];
    return f === "price" || f === "year" || f === "mileage" ? sum(M.totals[f], runStart(f, c), c) : M.totals[f][c];
  }

  // ---- Sorting and paging ----
  var SORTS = { "": "newest", price_asc: "price", price_desc: "price", mileage: "mileage", year: "year" };
  // The cars of `cars` (all of one make, loaded) in the state's order.
  function sortLocal(cars, s, make) {
    var b = blocks[make], start = b.start, n = b.m.length;
    // A make's cars arrived in the order its file gives as runs: cars without a model
    // (run 0, first in the make), then each model's, each run newest first.
    var runStarts = [start], seen = new Int32Array(n + 1), pos = new Int32Array(n);
    if (make) {
      var last = M.makes[make] ? M.makes[make][4] : M.models.length;
      for (var r = M.makes[make - 1][4]; r < last; r++) runStarts.push(M.models[r][2]);
    }
    for (var i = 0; i < n; i++) { var run = b.m[i]; pos[runStarts[run] + seen[run]++ - start] = i; }
    var keyed = cars.slice().sort(function (x, y) { return pos[x - start] - pos[y - start]; });
    var sort = SORTS[s.sort] || "newest";
    if (sort === "newest") return Promise.resolve(keyed);
    if (sort === "year") {
      var yr = b.c.year;
      return Promise.resolve(keyed.sort(function (x, y) { return (yr[y - start] || -1) - (yr[x - start] || -1) || pos[x - start] - pos[y - start]; }));
    }
    return get((sort === "price" ? "kp/" : "km/") + make + ".json").then(function (k) {
      var v = numbers(k.v), desc = s.sort === "price_desc";
      return keyed.sort(function (x, y) {
        var a = v[x - start], z = v[y - start];
        if (sort === "mileage") { a = a || Infinity; z = z || Infinity; }
        var d = (a - z) || pos[x - start] - pos[y - start];
        return desc ? -d : d;
      });
    });
  }
  // The cars at `from..to` of the matches in a sort order, reading the order's files
  // from the start (from the end for price, high to low) until enough matched.
  function scan(test, s, from, to, total) {
    var sort = SORTS[s.sort] || "newest", desc = s.sort === "price_desc";
    var chunks = Math.ceil(M.n / M.chunk), found = [];
    var want = Math.min(to, total);
    var ahead = Math.max(1, Math.min(chunks, Math.ceil(want / Math.max(total, 1) * M.n / M.chunk)));
    function step(k) {
      if (found.length >= want || k >= chunks) return Promise.resolve(found.slice(from, to));
      var list = [];
      for (var j = k; j < Math.min(chunks, k + ahead); j++) list.push(get("o/" + sort + "-" + (desc ? chunks - 1 - j : j) + ".json"));
      return all(list).then(function (parts) {
        parts.forEach(function (part) {
          var cars = numbers(part.n), c = {};
          FACETS.forEach(function (f) { c[f] = column(part.c[f], widths[f]); });
          var order = cars.map(function (_, i) { return i; });
          if (desc) order.reverse();
          order.forEach(function (i) { if (found.length < want && test(cars[i], c, i)) found.push(cars[i]); });
        });
        ahead = Math.min(ahead * 2, 8);
        return step(k + list.length);
      });
    }
    return step(0);
  }

  // ---- One query, start to end ----
  function query(s) {
    var cons = constraints(s), make = 0, model = null;
    cons.forEach(function (k) { if (k.key === "make") make = k.code; if (k.key === "model") model = k; });
    var per = M.page, from = (s.page - 1) * per, to = from + per;
    var wantAll = ["make", "model"].concat(FACETS);
    return (s.q ? textCars(s.q) : Promise.resolve(null)).then(function (text) {
      if (text) {
        // The text narrows every count: read the codes of its cars.
        var makes = {};
        text.forEach(function (c) { makes[makeOf[c]] = 1; });
        // The makes' files or every facet's column, whichever is smaller.
        var list = Object.keys(makes).map(Number), bytes = 0, columns = 0;
        list.forEach(function (m) { if (!blocks[m]) bytes += M.sizes[0][m]; });
        FACETS.forEach(function (f) { if (!cols[f]) columns += M.sizes[1][f]; });
        var load = bytes <= columns ? loadBlocks(list) : loadColumns(FACETS);
        return load.then(function () {
          var t = tally(function (f) { text.forEach(f); }, cons, wantAll);
          var single = t.cars.length && t.cars.every(function (c) { return makeOf[c] === makeOf[t.cars[0]]; });
          if (single && blocks[makeOf[t.cars[0]]]) {
            return sortLocal(t.cars, s, makeOf[t.cars[0]]).then(function (sorted) { return [t, sorted.slice(from, to)]; });
          }
          var member = new Uint8Array(M.n);
          t.cars.forEach(function (c) { member[c] = 1; });
          return scan(function (c) { return member[c]; }, s, from, to, t.total).then(function (page) { return [t, page]; });
        });
      }
      if (make) {
        // Every count but the makes' is over this make's cars.
        var r = makeRange(make);
        var others = cons.filter(function (k) { return k.key !== "make" && k.key !== "model"; });
        return all([loadBlocks([make]), makeCounts(others)]).then(function (x) {
          var t = tally(function (f) { for (var c = r[0]; c < r[1]; c++) f(c); }, cons, ["model"].concat(FACETS));
          t.counts.make = x[1];
          return sortLocal(t.cars, s, make).then(function (sorted) { return [t, sorted.slice(from, to)]; });
        });
      }
      return fromFiles(cons, FACETS.concat(["make"])).then(function (t) {
        if (t) {
          // Nothing narrower than the whole catalog: count files give every number, and
          // the results come from the sort order's files.
          t.counts = blankOwn(t.counts, cons);
          return all(cons.map(function (k) {
            return fromFiles(cons.filter(function (o) { return o !== k; }), [k.key]);
          })).then(function (own) {
            own.forEach(function (o, i) { t.counts[cons[i].key] = o.counts[cons[i].key]; });
            var test = function (c, codes, i) {
              for (var j = 0; j < cons.length; j++) { var v = codes[cons[j].key][i]; if (v < cons[j].lo || v > cons[j].hi) return false; }
              return true;
            };
            return scan(test, s, from, to, t.total).then(function (page) { return [t, page]; });
          });
        }
        // Three filters or more over every car: read each facet's column.
        return loadColumns(FACETS).then(function () {
          var t2 = tally(function (f) { for (var c = 0; c < M.n; c++) f(c); }, cons, ["make"].concat(FACETS));
          var member = new Uint8Array(M.n);
          t2.cars.forEach(function (c) { member[c] = 1; });
          return scan(function (c) { return member[c]; }, s, from, to, t2.total).then(function (page) { return [t2, page]; });
        });
      });
    });
  }
  // A count file's counts of a facet are over the cars of the filters, its own included:
  // the form shows them only for facets without a filter.
  function blankOwn(counts, cons) {
    cons.forEach(function (k) { delete counts[k.key]; });
    return counts;
  }
  // Make counts when a make is chosen: over the other filters, every make.
  function makeCounts(others) {
    return fromFiles(others, ["make"]).then(function (t) {
      if (t) return t.counts.make;
      return loadColumns(others.map(function (k) { return k.key; })).then(function () {
        return tally(function (f) { for (var c = 0; c < M.n; c++) f(c); }, others, ["make"]).counts.make;
      });
    });
  }

  // ---- Drawing ----
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function label(select, value) {
    var o = select && select.querySelector('option[value="' + CSS.escape(value) + '"]');
    return o ? o.dataset.label || o.textContent : value;
  }
  function card(r) {
    var li = el("li", "car-card");
    if (r[6]) {
      var img = el("img");
      // Lazy before the address: set first, the address would start a download at once.
      img.loading = "lazy"; img.width = 480; img.height = 360; img.alt = r[1]; img.src = r[6];
      li.appendChild(img);
    } else li.appendChild(el("div", "no-photo", L.no_photo));
    var body = el("div", "body"), h = el("h3"), a = el("a", null, r[1]);
    a.href = prefix + "/cars/" + r[0] + "/";
    h.appendChild(a); body.appendChild(h);
    var price = el("p", "price", r[2]);
    if (r[3]) { price.appendChild(document.createTextNode(" ")); price.appendChild(el("del", null, r[3])); }
    body.appendChild(price);
    body.appendChild(el("p", "facts", [r[4] || "", r[5], r[9] && label(F.fuel, r[9]), r[10] && label(F.gearbox, r[10])].filter(Boolean).join(" · ")));
    // The badges of partials/car_card.html, in its order.
    var badges = el("p");
    [[4, "badge new", L.new_badge], [8, "badge reduced", L.reduced], [1, "badge sold", L.reserved], [2, "badge stale", L.stale]].forEach(function (b) {
      if (!(r[11] & b[0])) return;
      if (badges.firstChild) badges.appendChild(document.createTextNode(" "));
      badges.appendChild(el("span", b[1], b[2]));
    });
    body.appendChild(badges);
    body.appendChild(el("p", "supplier-line", [r[7], r[8]].filter(Boolean).join(" · ")));
    li.appendChild(body);
    return li;
  }
  function pageLink(s, page, text, rel) {
    var a = el("a", null, text);
    a.href = url(s, page); a.rel = rel;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      s.page = page;
      history.pushState(null, "", url(s, page));
      run(s, true);
    });
    return a;
  }
  function draw(s, t, page, rows) {
    var list = el("ul", "car-grid"), pages = Math.max(1, Math.ceil(t.total / M.page));
    page.forEach(function (c) { list.appendChild(card(rows[c])); });
    var parts = [list];
    if (!t.total) parts = [el("p", "empty", L.none)];
    if (pages > 1) {
      var nav = el("nav", "pagination");
      nav.setAttribute("aria-label", L.pagination);
      if (s.page > 1) nav.appendChild(pageLink(s, s.page - 1, L.previous, "prev"));
      nav.appendChild(el("span", null, L.page + " " + s.page + " / " + pages));
      if (s.page < pages) nav.appendChild(pageLink(s, s.page + 1, L.next, "next"));
      parts.push(nav);
    }
    results.replaceChildren.apply(results, parts);
  }
  function rowsOf(page) {
    var shards = {};
    page.forEach(function (c) { shards[Math.floor(c / M.rows)] = 1; });
    var names = Object.keys(shards);
    return all(names.map(function (n) { return get("r/" + n + ".json"); })).then(function (parts) {
      var rows = {};
      names.forEach(function (n, i) { parts[i].forEach(function (r, j) { rows[n * M.rows + j] = r; }); });
      return rows;
    });
  }
  function say(n) {
    status.textContent = n === 1 ? L.found_one : n + " " + L.found;
    buttonCount(n);
  }
  function buttonCount(n) {
    if (toggle) toggle.querySelector("[data-filter-count]").textContent = "(" + n + ")";
  }
  function counts(s, c, n) {
    showCounts(s, c);
    buttonCount(n);
  }

  // ---- The form's options, with counts ----
  function option(select, value, text) {
    var o = el("option", null, text);
    o.value = value; o.dataset.label = text;
    select.appendChild(o);
  }
  function refill(select, items) {
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    items.forEach(function (i) { option(select, i[0], i[1]); });
    select.value = keep;
  }
  function fillOptions() {
    refill(F.make, M.makes.map(function (m) { return [m[0], m[1]]; }));
    ["supplier", "location"].forEach(function (f) {
      refill(F[f], M.values[f][0].map(function (k, i) { return [k, M.values[f][1][i]]; }));
    });
    if (F.cur) {
      refill(F.cur, M.prices.map(function (p) { return [p[0].toLowerCase(), p[0]]; }));
      F.cur.closest("label").hidden = M.prices.length < 2;
    }
    refill(F.year_min, M.years.map(function (y) { return [y, y]; }));
    refill(F.year_max, M.years.map(function (y) { return [y, y]; }).reverse());
    refill(F.mileage, M.mileage[1].map(function (b, i) { return [b, M.mileage[2][i]]; }));
    fillPrices(readForm());
  }
  function fillPrices(s) {
    var p = M.prices[currency(s)];
    refill(F.min, p[2].map(function (b, i) { return [b, p[3][i]]; }));
    refill(F.max, p[2].map(function (b, i) { return [b, p[3][i]]; }));
  }
  function fillModels(s) {
    var make = s.make ? find(M.makes, s.make) : 0, items = [];
    if (make) {
      var first = M.makes[make - 1][4], last = M.makes[make] ? M.makes[make][4] : M.models.length;
      items = M.models.slice(first, last).map(function (m) { return [m[0], m[1]]; });
    }
    refill(F.model, items);
    F.model.disabled = !make;
  }
  // Shows each option's count; an option no car would match is disabled, unless chosen.
  function counted(select, countOf) {
    if (!select) return;
    for (var i = 1; i < select.options.length; i++) {
      var o = select.options[i], n = countOf(o.value, i);
      if (!o.dataset.label) o.dataset.label = o.textContent;
      o.textContent = n == null ? o.dataset.label : o.dataset.label + " (" + n + ")";
      o.disabled = n === 0 && o.value !== select.value;
    }
  }
  function showCounts(s, counts) {
    var idx = function (f) { return function (v, i) { return counts[f] ? counts[f][i] : null; }; };
    counted(F.make, function (v) { var m = find(M.makes, v); return counts.make ? counts.make[m] : null; });
    if (s.make && counts.model) {
      var first = M.makes[find(M.makes, s.make) - 1][4];
      counted(F.model, function (v, i) { return counts.model[first + i]; });
    }
    CATEGORICAL.forEach(function (f) {
      counted(F[f], function (v) {
        var k = M.values[f][0].indexOf(v) + 1;
        return counts[f] && k ? counts[f][k] : null;
      });
    });
    var cons = constraints(s), own = {};
    cons.forEach(function (k) { own[k.key] = k; });
    var pc = counts.price, p = M.prices[currency(s)], b0 = p[1], top = b0 + 2 * p[2].length + 1;
    var plo = own.price && s.min ? own.price.lo : b0 + 1, phi = own.price && s.max ? own.price.hi : top;
    counted(F.min, function (v, i) { return pc ? sum(pc, b0 + 2 * i, phi) : null; });
    counted(F.max, function (v, i) { return pc ? sum(pc, plo, b0 + 2 * i) : null; });
    var yc = counts.year, n = M.years.length;
    var ylo = own.year && s.year_min ? own.year.lo : 1, yhi = own.year && s.year_max ? own.year.hi : n;
    counted(F.year_min, function (v, i) { return yc ? sum(yc, i, yhi) : null; });
    counted(F.year_max, function (v, i) { return yc ? sum(yc, ylo, n + 1 - i) : null; });
    counted(F.mileage, function (v, i) { return counts.mileage ? sum(counts.mileage, 1, 2 * i) : null; });
  }

  // ---- Running ----
  var latest = 0;
  function run(s, focus) {
    var mine = ++latest;
    if (isEmpty(s)) {
      results.innerHTML = original;
      results.removeAttribute("aria-busy");
      status.textContent = "";
      meta().then(function () {
        if (mine !== latest) return;
        fillModels(s);
        writeForm(s);
        if (!pageMake) return counts(s, M.totals, M.n);
        // A brand's own counts need its cars: read once the visitor turns to the form.
        if (engaged) return query(s).then(function (x) { if (mine === latest) counts(s, x[0].counts, x[0].total); });
      });
      return;
    }
    results.setAttribute("aria-busy", "true");
    meta().then(function () {
      fillModels(s); fillPrices(s); writeForm(s);
      return query(s);
    }).then(function (x) {
      if (mine !== latest) return;
      var t = x[0], page = x[1];
      return rowsOf(page).then(function (rows) {
        if (mine !== latest) return;
        draw(s, t, page, rows);
        showCounts(s, t.counts);
        say(t.total);
        results.removeAttribute("aria-busy");
        if (focus) results.focus();
      });
    }).catch(function (e) {
      if (mine !== latest) return;
      results.removeAttribute("aria-busy");
      status.textContent = L.failed;
      if (window.console) console.error(e);
    });
  }

  // Puts the state in the address: a new history entry, or the current one amended.
  function go(s, amend) {
    var next = url(s, 1);
    if (next === location.pathname + location.search) return;
    if (amend) history.replaceState(null, "", next);
    else history.pushState(null, "", next);
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "q") return;
    if (e.target.name === "make" && F.model) F.model.value = "";
    if (e.target.name === "cur") F.min.value = F.max.value = "";
    var s = readForm();
    history.pushState(null, "", url(s, 1));
    run(s);
  });
  // Every keystroke searches at once: an answer overtaken by a later one is dropped
  // (`latest`), and each file is fetched once, so no delay is needed.
  form.addEventListener("input", function (e) {
    if (e.target.name !== "q") return;
    var s = readForm();
    // One history entry per search: the first keystroke adds it, the next ones amend it.
    go(s, new URLSearchParams(location.search).has("q"));
    run(s);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var s = readForm();
    go(s, false);
    run(s);
  });
  form.addEventListener("reset", function () {
    setTimeout(function () {
      var s = readForm();
      s.make = pageMake;
      history.pushState(null, "", url(s, 1));
      writeForm(s);
      run(s);
    });
  });
  window.addEventListener("popstate", function () {
    var s = readURL();
    writeForm(s);
    run(s);
  });
  if (toggle) toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    form.classList.toggle("open", open);
  });
  // The first time the visitor turns to the form, the counts of a brand's page.
  var engaged = false;
  function engage() {
    if (engaged) return;
    engaged = true;
    var s = readURL();
    if (isEmpty(s) && pageMake) run(s);
  }
  form.addEventListener("focusin", engage);
  form.addEventListener("pointerdown", engage);
  results.tabIndex = -1;
  form.hidden = false;
  var first = readURL();
  writeForm(first);
  if (!isEmpty(first)) run(first);
  else {
    // The form's lists and counts come with the index's metadata, once the page is idle.
    var later = window.requestIdleCallback || function (f) { setTimeout(f, 1); };
    later(function () { run(first); });
  }
})();
