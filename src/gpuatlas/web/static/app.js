// GPU Atlas: small progressive enhancements (the pages work without this script).
// Click a header of a table with class "sortable" to sort it; numbers sort numerically.
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? cell.textContent.trim() : "";
    var number = parseFloat(text.replace(/[$,]/g, ""));
    return isNaN(number) ? text.toLowerCase() : number;
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (x === "—" || x === "") return 1;
      if (y === "—" || y === "") return -1;
      if (x < y) return ascending ? -1 : 1;
      if (x > y) return ascending ? 1 : -1;
      return 0;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.classList.add("sort-header");
      header.tabIndex = 0;
      header.addEventListener("click", function () { sortBy(table, index, header); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter") sortBy(table, index, header);
      });
    });
  });
  // The compare page embeds the report (a complete document) in a frame: size it to fit.
  var frame = document.getElementById("report-frame");
  function fitFrame() {
    try {
      var inner = frame.contentDocument && frame.contentDocument.documentElement;
      if (inner && inner.scrollHeight > 0) frame.style.height = (inner.scrollHeight + 4) + "px";
    } catch (error) { /* cross-origin: keep the default height */ }
  }
  if (frame) {
    frame.addEventListener("load", fitFrame);
    window.addEventListener("resize", function () { window.setTimeout(fitFrame, 100); });
    fitFrame();
  }
})();
