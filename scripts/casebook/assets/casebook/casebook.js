/* 社区治理实践案例库: catalogue filters, side-by-side comparison and sortable tables.
   Plain JavaScript, no build step; works from file:// (all state lives in the address's #fragment). */
(function () {
  "use strict";

  function readHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var kv = pair.split("=");
      try { params[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || ""); } catch (e) { /* ignore malformed */ }
    });
    return params;
  }

  function writeHash(params) {
    var parts = Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]).replace(/%2C/g, ",").replace(/%2F/g, "/");
    });
    var hash = parts.length ? "#" + parts.join("&") : " ";
    try { history.replaceState(null, "", hash === " " ? location.pathname + location.search : hash); }
    catch (e) { location.hash = hash; }
  }

  /* Long listings (listing.py): the page holds the first rows; its row holder's data-cb-rest names the
     scripts holding the others, loaded by <script> tags (file:// too) the first time the reader asks
     for more, filters or sorts. Their HTML was escaped by the same row template as the page's own rows. */
  var rests = {};
  window.casebookRows = function (key, number, html) {
    if (rests[key]) rests[key].arrived(number, html);
  };

  function loadRest(holder, then) {
    var srcs = holder ? (holder.getAttribute("data-cb-rest") || "").split(" ").filter(Boolean) : [];
    if (!srcs.length) { then(); return; }
    var key = holder.getAttribute("data-cb-rest-key"), rest = rests[key];
    if (!rest) {
      var parts = new Array(srcs.length), count = 0;
      rest = rests[key] = {waiting: [], arrived: function (i, html) {
        if (parts[i] !== undefined) return;
        parts[i] = html;
        if (++count < parts.length) return;
        var box = document.createElement("template");
        box.innerHTML = parts.join("");
        holder.appendChild(box.content);
        holder.removeAttribute("data-cb-rest");
        holder.dispatchEvent(new Event("cb:rows"));
        rest.waiting.splice(0).forEach(function (f) { f(); });
      }};
      srcs.forEach(function (src) {
        var el = document.createElement("script");
        el.src = src;
        el.async = true;
        document.head.appendChild(el);
      });
    }
    rest.waiting.push(then);
  }

  // "显示全部" under a listing without filters (matrix, outcomes, category pages).
  function setupRestButton(button) {
    var key = button.getAttribute("data-cb-rest-more");
    var holder = Array.prototype.filter.call(document.querySelectorAll("[data-cb-rest-key]"), function (h) {
      return h.getAttribute("data-cb-rest-key") === key;
    })[0];
    if (!holder || !holder.hasAttribute("data-cb-rest")) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      loadRest(holder, function () { button.hidden = true; });
    });
  }

  /* Catalogue: each filter's select says where a row keeps its value (a cell or a data attribute,
     one value or a space-separated list); rows are read once, then each change only compares strings. */
  function setupFilters(form) {
    var table = document.querySelector("[data-cb-rows]");
    if (!table) return;
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var total = rows.length + +(body.getAttribute("data-cb-rest-count") || 0);  // with the rows not loaded yet
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-source]"));
    var count = form.querySelector(".cb-count");
    var empty = document.querySelector(".cb-empty");
    var more = document.querySelector(".cb-more");
    var PAGE = 200, limit = PAGE; // with thousands of cases, laying out every matching row is what is slow
    var matching = [], download = form.querySelector("[data-cb-download]");
    function read(row) {
      return selects.map(function (s) {
        var source = s.getAttribute("data-source").split(":");
        var raw = source[0] === "cell" ? row.cells[+source[1]].textContent : row.getAttribute("data-" + source[1]) || "";
        raw = raw.trim();
        return s.hasAttribute("data-list") ? raw.split(/\s+/) : [raw];
      });
    }
    var values = rows.map(read);
    body.addEventListener("cb:rows", function () {
      rows = Array.prototype.slice.call(body.rows);
      values = rows.map(read);
    });
    // Filtering and paging need every row: the first time, the rest of them is loaded.
    function whole(then) { loadRest(body, then); }

    function apply(keepLimit) {
      if (keepLimit !== true) limit = PAGE;
      var wanted = selects.map(function (s) {
        var option = s.options[s.selectedIndex];
        return s.value ? option.getAttribute("data-code") || s.value : null;
      });
      var shown = 0, chosen = {};
      selects.forEach(function (s) { if (s.value) chosen[s.name] = s.value; });
      matching = [];
      for (var i = 0; i < rows.length; i++) {
        var ok = true;
        for (var j = 0; j < selects.length && ok; j++) {
          if (wanted[j] !== null) ok = values[i][j].indexOf(wanted[j]) !== -1;
        }
        if (ok) { shown++; matching.push(rows[i]); }
        var show = ok && shown <= limit;
        if (rows[i].hidden === show) rows[i].hidden = !show;
      }
      var active = Object.keys(chosen).length;
      count.textContent = active ? "符合条件：" + shown + " / " + Math.max(total, rows.length) + " 个案例" : "";
      if (empty) empty.hidden = shown > 0;
      if (download) download.disabled = shown === 0;
      if (more) {
        var left = Math.max(0, shown - limit) + (body.hasAttribute("data-cb-rest") ? total - rows.length : 0);
        more.hidden = left <= 0;
        more.textContent = "显示更多（还有 " + left + " 个）";
      }
      writeHash(chosen);
    }

    function load() {
      var params = readHash();
      selects.forEach(function (s) {
        var value = params[s.name] || "";
        s.value = Array.prototype.some.call(s.options, function (o) { return o.value === value; }) ? value : "";
      });
      if (selects.some(function (s) { return s.value; })) whole(apply); else apply();
    }

    // A sorted catalogue pages through its rows in the new order.
    table.addEventListener("cb:sorted", function () {
      var byRow = new Map(rows.map(function (r, i) { return [r, values[i]]; }));
      rows = Array.prototype.slice.call(table.tBodies[0].rows);
      values = rows.map(function (r) { return byRow.get(r); });
      apply(true);
    });
    if (download) download.addEventListener("click", function () {
      whole(function () { apply(true); downloadRows(table, matching, download); });  // rows not loaded yet count too
    });
    form.hidden = false;
    form.addEventListener("change", function () { whole(apply); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    if (more) more.addEventListener("click", function () { limit += PAGE * 5; whole(function () { apply(true); }); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    window.addEventListener("hashchange", load);
    load();
  }

  /* Download what you see: every row the filters let through (not only the page laid out), in the order shown,
     as CSV built here from the table itself, so it works from file:// too. Excel-safe as the site's own CSV files
     are (opendata.py): a BOM for UTF-8, CRLF, quoting, and a leading ' before what a spreadsheet would run. */
  var FORMULA_START = /^[=+\-@\t\r]/;

  function csvCell(value) {
    var text = String(value);
    if (FORMULA_START.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function shownText(cell, skip) {
    var copy = cell.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(skip), function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function downloadRows(table, rows, button) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var header = [button.getAttribute("data-slug-label")];
    heads.forEach(function (th) {
      header.push(th.textContent.trim());
      if (th.hasAttribute("data-csv-undone")) header.push(th.getAttribute("data-csv-undone"));
    });
    header.push(button.getAttribute("data-url-label"));
    var lines = [header.map(csvCell).join(",")];
    rows.forEach(function (row) {
      var link = row.querySelector("a[href]"), href = link ? link.getAttribute("href") : "";
      // A case page's address ends in its slug (routes.case): cases/SLUG/ or cases/SLUG.html.
      var out = [href.replace(/[?#].*$/, "").replace(/(\/index\.html|\/|\.html)$/, "").split("/").pop()];
      heads.forEach(function (th, i) {
        out.push(shownText(row.cells[i], ".cb-undone"));
        if (th.hasAttribute("data-csv-undone")) {
          var later = row.cells[i].querySelector(".cb-undone");
          out.push(later ? later.textContent.replace(/^[^：]*：/, "").trim() : "");
        }
      });
      out.push(link ? new URL(href, location.href).href : "");
      lines.push(out.map(csvCell).join(","));
    });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], {type: "text/csv;charset=utf-8"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = button.getAttribute("data-filename") || "cases.csv";
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  /* Comparison: each chosen case's data comes from its own script (address in data-case-data), loaded by a script tag
     so that it also works from file://; text is set with textContent, never as HTML. */
  function setupCompare(form) {
    var table = document.querySelector("[data-cb-compare-table]");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var base = form.getAttribute("data-base");
    var dataUrl = form.getAttribute("data-case-data");
    var store = window.casebookCompare = window.casebookCompare || {};

    function need(slug, done) {
      if (store[slug]) return done();
      var script = document.createElement("script");
      script.src = dataUrl.replace("SLUG", slug);
      script.onload = done;
      script.onerror = done;
      document.head.appendChild(script);
    }

    function cell(tag, content) {
      var el = document.createElement(tag);
      if (Array.isArray(content)) {
        if (!content.length) { el.textContent = "—"; return el; }
        var ul = document.createElement("ul");
        content.forEach(function (item) { var li = document.createElement("li"); li.textContent = item; ul.appendChild(li); });
        el.appendChild(ul);
      } else if (content && content.nodeType) {
        el.appendChild(content);
      } else {
        el.textContent = content === null || content === undefined || content === "" ? "—" : String(content);
      }
      return el;
    }

    function draw(slugs) {
      var cases = slugs.map(function (s) { return store[s]; }).filter(Boolean);
      table.textContent = "";
      table.hidden = !cases.length;
      if (!cases.length) return;
      var head = table.createTHead().insertRow();
      head.appendChild(document.createElement("th"));
      cases.forEach(function (c) {
        var a = document.createElement("a");
        a.href = base + c.url;
        a.textContent = c.name;
        head.appendChild(cell("th", a));
      });
      var categories = [];
      cases.forEach(function (c) { Object.keys(c.practices).forEach(function (k) { if (categories.indexOf(k) < 0) categories.push(k); }); });
      var rows = [["标题", "title"], ["地点", "place"], ["年份", "year"], ["社区概况", "profile"], ["治理模式", "models"]];
      var body = table.createTBody();
      function addRow(label, get) {
        var tr = body.insertRow();
        tr.appendChild(cell("th", label));
        // data-case names the case above its value when a phone shows the row as a block
        cases.forEach(function (c) { var td = cell("td", get(c)); td.setAttribute("data-case", c.name); tr.appendChild(td); });
      }
      rows.forEach(function (r) { addRow(r[0], function (c) { return c[r[1]]; }); });
      categories.forEach(function (k) { addRow("做法：" + k, function (c) { return c.practices[k] || []; }); });
      addRow("成效", function (c) { return c.outcomes; });
    }

    function apply() {
      var slugs = selects.map(function (s) { return s.value; }).filter(Boolean);
      slugs = slugs.filter(function (s, i) { return slugs.indexOf(s) === i; });
      writeHash(slugs.length ? { c: slugs.join(",") } : {});
      var pending = slugs.length;
      if (!pending) return draw([]);
      slugs.forEach(function (s) { need(s, function () { if (--pending === 0) draw(slugs); }); });
    }

    /* The address says which cases to compare. On a slow phone a reader may choose before this script has run:
       at the start, a choice already made stays wherever the address names no case. */
    function load(keepChosen) {
      var slugs = (readHash().c || "").split(",").filter(Boolean);
      selects.forEach(function (s, i) {
        var wanted = slugs[i] || (keepChosen ? s.value : "");
        s.value = wanted;
        if (s.value !== wanted) s.value = "";
      });
      apply();
    }

    form.addEventListener("change", apply);
    window.addEventListener("hashchange", function () { load(false); });
    load(true);
  }

  function cellKey(cell) {
    return (cell.getAttribute("data-sort") || cell.textContent).trim();
  }

  /* Sortable tables: click a header to sort by it; numbers sort as numbers. A page may also offer
     a select (data-cb-sort) for where the header row is not shown (the catalogue's cards on a phone). */
  function setupSortable(table) {
    var headers = table.tHead.rows[0].cells, body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    // Rows loaded later (listing.py) arrive before any sorting (which waits for them): in the page's order.
    body.addEventListener("cb:rows", function () { original = Array.prototype.slice.call(body.rows); });
    var chooser = table.getAttribute("data-cb-rows") !== null ? document.querySelector("[data-cb-sort]") : null;

    // Sorting needs every row: the first time, the rest of them is loaded.
    function sortBy(index, dir) { if (index < 0) sortNow(index, dir); else loadRest(body, function () { sortNow(index, dir); }); }

    // index < 0: the order the page came in.
    function sortNow(index, dir) {
      Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
      var rows = original.slice();
      if (index >= 0) {
        headers[index].setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) {
          // A cell may say what it sorts by (data-sort): "约50人" sorts as 50.
          var x = cellKey(a.cells[index]), y = cellKey(b.cells[index]);
          var nx = parseFloat(x), ny = parseFloat(y);
          if (!isNaN(nx) && !isNaN(ny)) return (nx - ny) * dir;
          if (!x || !y) return x ? -1 : (y ? 1 : 0);
          return x.localeCompare(y, "zh-CN") * dir;
        });
      }
      rows.forEach(function (r) { body.appendChild(r); });
      if (chooser) chooser.value = index < 0 ? "" : index + ":" + dir;
      table.dispatchEvent(new Event("cb:sorted"));
    }

    Array.prototype.forEach.call(headers, function (th, index) {
      th.classList.add("cb-sortable");
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      function sort() { sortBy(index, th.getAttribute("aria-sort") === "ascending" ? -1 : 1); }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
      if (chooser) {
        var name = th.textContent.trim();
        [[1, "升序"], [-1, "降序"]].forEach(function (d) {
          chooser.add(new Option(name + "（" + d[1] + "）", index + ":" + d[0]));
        });
      }
    });
    if (!chooser) return;
    chooser.addEventListener("change", function (e) {
      e.stopPropagation();  // a new order is no new filter
      var choice = chooser.value.split(":");
      sortBy(chooser.value ? +choice[0] : -1, +choice[1]);
    });
    if (chooser.form) chooser.form.addEventListener("reset", function () { setTimeout(function () { sortBy(-1, 1); }, 0); });
  }

  /* Material's search panel is a dialog without a name; screen readers announce it as "搜索". */
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "搜索");
  }

  /* Citations: without a configured site address, a page served over http(s) knows its own. */
  function fillAddresses() {
    if (!/^https?:$/.test(location.protocol)) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-cb-address]"), function (el) {
      if (el.textContent.charAt(0) === "/") el.textContent = new URL(el.getAttribute("data-cb-address"), location.href).href;
    });
  }

  /* Copy link: readers forward a case in a chat. A phone offers its share sheet; elsewhere the page's address
     (without the #place in it) goes to the clipboard, and the button says so. */
  function setupCopyLink(button) {
    var label = button.textContent;
    function said(text) {
      button.textContent = text;
      setTimeout(function () { button.textContent = label; }, 2500);
    }
    function copyByHand(address) {
      var field = document.createElement("textarea");
      field.value = address;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(field);
      said(ok ? "已复制链接" : "请从地址栏复制");
    }
    button.addEventListener("click", function () {
      var canonical = document.querySelector("link[rel=canonical]");
      var address = /^https?:$/.test(location.protocol) || !canonical ? location.href.split("#")[0] : canonical.href;
      if (navigator.share && matchMedia("(pointer: coarse)").matches) {
        navigator.share({title: document.title, url: address}).catch(function () { /* the reader closed the sheet */ });
      } else if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(address).then(function () { said("已复制链接"); }, function () { copyByHand(address); });
      } else {
        copyByHand(address);
      }
    });
  }

  function init() {
    nameSearchDialog();
    Array.prototype.forEach.call(document.querySelectorAll("[data-cb-copy-link]"), setupCopyLink);
    fillAddresses();
    var filters = document.querySelector("[data-cb-filters]");
    if (filters) setupFilters(filters);
    var compare = document.querySelector("[data-cb-compare]");
    if (compare) setupCompare(compare);
    Array.prototype.forEach.call(document.querySelectorAll("[data-cb-sortable]"), setupSortable);
    Array.prototype.forEach.call(document.querySelectorAll("[data-cb-rest-more]"), setupRestButton);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
