// Sort and filter the ranking table (ranking.html). Without this script the table is complete,
// in rank order. A nationwide table has 10,000 rows, so nothing walks them when the page loads,
// and nothing in or above the table changes size (that would lay it all out again): a column's
// values are read the first time it is sorted, the names the first time the table is filtered
// by name, and the rows only when a filter is set (or the address sets one).
(function () {
  "use strict";
  var table = document.querySelector("table[data-sortable]");
  if (!table || !window.cqdt) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows); // in rank order
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var collator = new Intl.Collator("vi");
  var LEVELS = { "1": 1, "2": 2, "3": 3, "4": 4, none: 9, missing: 10 };
  var columns = {};

  // A number as the site writes it (1.234,5; −3), or null for "–".
  function number(text) {
    var value = parseFloat(text.replace(/\./g, "").replace(",", ".").replace("−", "-"));
    return isNaN(value) ? null : value;
  }

  function read(row, index, kind) {
    if (kind === "level") { return LEVELS[row.getAttribute("data-level")]; }
    var cell = row.cells[index];
    if (kind === "value") { return number(cell.getAttribute("data-value") || ""); }
    if (kind === "num") { return number(cell.textContent); }
    return cell.textContent.trim();
  }

  function values(index, kind) {
    if (!columns[index]) { columns[index] = rows.map(function (row) { return read(row, index, kind); }); }
    return columns[index];
  }

  // Rows without a value ("–") stay last either way; equal values keep the rank order.
  function sort(th, index, kind) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var keys = values(index, kind);
    var order = rows.map(function (row, at) { return at; });
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x === null || y === null) { return x === y ? a - b : (x === null ? 1 : -1); }
      var found = kind === "text" ? collator.compare(x, y) : x - y;
      return (ascending ? found : -found) || a - b;
    });
    var sorted = document.createDocumentFragment();
    order.forEach(function (at) { sorted.appendChild(rows[at]); });
    tbody.appendChild(sorted);
    headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  // The headers' buttons are in the page, disabled until this script can sort.
  headers.forEach(function (th, index) {
    var button = th.querySelector("button[data-sort]");
    if (!button) { return; }
    var kind = button.getAttribute("data-sort");
    button.disabled = false;
    button.addEventListener("click", function () { sort(th, index, kind); });
  });

  var form = document.getElementById("bo-loc");
  var count = document.getElementById("so-dong");
  if (!form) { return; }
  var box = document.getElementById("loc");
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  var names = null;
  var filtered = false;

  function apply() {
    var query = window.cqdt.fold(form.elements.q.value);
    var level = form.elements.muc.value;
    var status = form.elements["trang-thai"].value;
    var district = form.elements.huyen ? form.elements.huyen.value : "";
    var words = query ? query.split(" ").map(function (word) { return " " + word; }) : [];
    if (words.length && !names) {
      names = rows.map(function (row) { return " " + window.cqdt.fold(row.cells[1].textContent); });
    }
    var shown = 0;
    if (query || level || status || district || filtered) {
      rows.forEach(function (row, at) {
        var visible = words.every(function (word) { return names[at].indexOf(word) !== -1; }) &&
          (!level || row.getAttribute("data-level") === level) &&
          (!status || row.getAttribute("data-status") === status) &&
          (!district || row.getAttribute("data-district") === district);
        if (row.hidden === visible) { row.hidden = !visible; }
        if (visible) { shown += 1; }
      });
      filtered = shown !== rows.length;
    } else {
      shown = rows.length;
    }
    count.textContent = shown === rows.length
      ? rows.length + " đơn vị."
      : "Đang hiển thị " + shown + " trên " + rows.length + " đơn vị.";
    var next = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value) { next.set(field.name, field.value); }
    });
    var search = next.toString();
    try {
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    } catch (error) {
      // Pages opened from disk may refuse address changes; filtering still works.
    }
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  var params = new URLSearchParams(window.location.search);
  var asked = false;
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && params.has(field.name)) {
      field.value = params.get(field.name);
      asked = true;
    }
  });
  if (asked) {
    box.open = true;
    apply();
  }
}());
