// The page image shows at once as a small placeholder; the full image replaces it when it has loaded.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("img.sharpen[data-full]"), function (img) {
    var full = new Image();
    full.onload = function () { img.src = full.src; img.classList.add("sharp"); };
    full.src = img.getAttribute("data-full");
  });
})();
