// Narrows the municipality list to the options whose name or district contains the typed text.
// Without JavaScript the list still works: the select jumps to the letters typed into it.
(function () {
  "use strict";
  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) { return; }
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase("de");
      select.querySelectorAll("optgroup").forEach(function (group) {
        var visible = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var match = !needle || option.textContent.toLocaleLowerCase("de").indexOf(needle) !== -1;
          option.hidden = !match;
          option.disabled = !match && !option.selected;
          if (match) { visible += 1; }
        });
        group.hidden = visible === 0;
      });
    });
  });
})();
