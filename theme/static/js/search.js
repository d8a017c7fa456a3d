// The search box (theme/templates/_search.html): finds any unit of the current year by its name
// however it is typed (with or without marks, đ or d, any case, composed or decomposed), with
// suggestions as you type. The index (tim-kiem/don-vi.js, written with the site) is loaded the
// first time the box is used, not with the page.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form || !window.cqdt) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");
  var root = form.getAttribute("data-root");
  var SHOWN = 10;
  var index = null;
  var names = null;
  var loading = false;

  function load() {
    if (index || loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = form.getAttribute("data-index");
    script.onload = function () {
      index = window.CQDT_SEARCH;
      names = index.units.map(function (unit) { return " " + window.cqdt.fold(unit[1]); });
      suggest();
    };
    script.onerror = function () {
      loading = false;
      status.textContent = "Không tải được danh sách đơn vị; hãy thử lại.";
    };
    document.head.appendChild(script);
  }

  // Units whose name has a word starting with each word typed ("am ha" finds "Xã Ấm Hạ"): those
  // holding the words as typed, earliest first, then the others; else in the index's order
  // (Vietnamese alphabetical order).
  function matches(query) {
    var words = query.split(" ").map(function (word) { return " " + word; });
    var phrase = " " + query;
    var found = [];
    names.forEach(function (name, at) {
      for (var i = 0; i < words.length; i += 1) {
        if (name.indexOf(words[i]) === -1) { return; }
      }
      var where = name.indexOf(phrase);
      found.push([where === -1 ? 1e9 : where, at]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.map(function (pair) { return pair[1]; });
  }

  function suggestion(unit) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = root + "/" + index.year + "/don-vi/" + unit[0] + "/";
    link.textContent = unit[1];
    item.appendChild(link);
    var where = index.tiers[unit[2]] ? index.tiers[unit[2]][1] : "";
    if (unit[3] >= 0) { where += ", " + index.units[unit[3]][1]; }
    var detail = document.createElement("span");
    detail.className = "where";
    detail.textContent = where;
    item.appendChild(detail);
    return item;
  }

  function suggest() {
    var query = window.cqdt.fold(input.value);
    list.textContent = "";
    if (!query) {
      status.textContent = "";
      return;
    }
    if (!index) {
      status.textContent = "Đang tải danh sách đơn vị…";
      load();
      return;
    }
    var found = matches(query);
    found.slice(0, SHOWN).forEach(function (at) { list.appendChild(suggestion(index.units[at])); });
    if (!found.length) {
      status.textContent = "Không có đơn vị nào tên như vậy.";
    } else if (found.length > SHOWN) {
      status.textContent = found.length + " đơn vị; đây là " + SHOWN + " đơn vị đầu, gõ thêm để thu hẹp.";
    } else {
      status.textContent = found.length + " đơn vị.";
    }
  }

  // Arrow keys move between the box and the suggestions; Escape goes back to the box.
  form.addEventListener("keydown", function (event) {
    var stops = [input].concat(Array.prototype.slice.call(list.querySelectorAll("a")));
    var at = stops.indexOf(document.activeElement);
    if (at === -1) { return; }
    var next = { ArrowDown: at + 1, ArrowUp: at - 1, Escape: 0 }[event.key];
    if (next === undefined || next < 0 || next >= stops.length) { return; }
    event.preventDefault();
    stops[next].focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) { window.location.href = window.cqdt.page(first.getAttribute("href")); }
  });
  input.addEventListener("focus", load);
  input.addEventListener("input", suggest);
  if (input.value) { suggest(); }
}());
