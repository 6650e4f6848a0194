// The compliance table: tick every vendor on the page at once, and say how many a bulk request goes to.
(function () {
  "use strict";
  var form = document.getElementById("bulk-request");
  if (!form) { return; }
  var all = document.querySelector("[data-role=pick-all]");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=vendor_id][form=bulk-request]"));
  var count = form.querySelector("[data-role=bulk-count]");
  var button = form.querySelector("[data-role=bulk-submit]");

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    count.textContent = ticked ? "for " + ticked + " ticked vendor" + (ticked === 1 ? "" : "s") : "for the vendors you tick";
    button.disabled = ticked === 0;
    if (all) {
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
}());
