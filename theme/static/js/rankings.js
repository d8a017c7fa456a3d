// Sort and filter the ranking table. Without this script the table is complete, in rank order.
(function () {
  "use strict";
  var table = document.querySelector("table[data-sortable]");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var collator = new Intl.Collator("vi");

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (kind === "num") { return parseFloat(raw === null ? cell.textContent : raw); }
    return cell.textContent.trim();
  }

  headers.forEach(function (th, index) {
    var kind = th.getAttribute("data-sort");
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
        var order = kind === "num" ? x - y : collator.compare(x, y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });

  var form = document.getElementById("bo-loc");
  var count = document.getElementById("so-dong");
  if (!form) { return; }
  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  var params = new URLSearchParams(window.location.search);
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && params.has(field.name)) { field.value = params.get(field.name); }
  });

  function apply() {
    var query = form.elements.q.value.trim().toLocaleLowerCase("vi");
    var level = form.elements["muc"].value;
    var status = form.elements["trang-thai"].value;
    var district = form.elements.huyen ? form.elements.huyen.value : "";
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      var visible = (!query || row.getAttribute("data-name").indexOf(query) !== -1) &&
        (!level || row.getAttribute("data-level") === level) &&
        (!status || row.getAttribute("data-status") === status) &&
        (!district || row.getAttribute("data-district") === district);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown === tbody.rows.length
      ? tbody.rows.length + " đơn vị."
      : "Đang hiển thị " + shown + " trên " + tbody.rows.length + " đơn vị.";
    var next = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value) { next.set(field.name, field.value); }
    });
    var search = next.toString();
    try {
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    } catch (error) {
      // Pages opened from disk may refuse URL changes; filtering still works.
    }
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
}());
