/* The enrollment desk: focus on the problems, the fields each document type needs,
   the receipt's print button. Everything works without it (the server decides). */
(function () {
  "use strict";

  function showPartsFor(select) {
    var option = select.options[select.selectedIndex];
    var row = select.closest(".doc-row");
    if (!row || !option) { return; }
    var chosen = option.value !== "";
    // An empty row shows only its type; a chosen type shows the fields it has.
    var wants = {
      number: chosen,
      country: chosen && option.getAttribute("data-country") === "",
      expires: chosen && option.getAttribute("data-expiry") !== "no",
      mrz: chosen && option.getAttribute("data-mrz") !== "none"
    };
    row.querySelectorAll(".doc-part").forEach(function (part) {
      part.hidden = !wants[part.getAttribute("data-part")];
    });
    var legend = row.querySelector("legend");
    if (legend) {
      var n = Number(row.getAttribute("data-row")) + 1;
      legend.textContent = "Document " + n + (chosen ? ": " + option.textContent.replace(/ \(\d+ identity, \d+ residency\)$/, "") : "");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    document.querySelectorAll("select.doc-type").forEach(function (select) {
      showPartsFor(select);
      select.addEventListener("change", function () { showPartsFor(select); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
