// The upload page: send the form without leaving the page, then follow the reading to its result.
(function () {
  "use strict";
  var form = document.querySelector("form.upload-form");
  var panel = document.getElementById("progress");
  if (!form || !panel) { return; }
  var stage = panel.querySelector("[data-role=stage]");
  var files = panel.querySelector("[data-role=files]");
  var result = panel.querySelector("[data-role=result]");
  var button = form.querySelector("button[type=submit]");

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function showGaps(gaps) {
    var list = element("ol", "", "gap-list");
    gaps.forEach(function (gap) {
      var item = element("li");
      item.appendChild(element("strong", gap.title));
      item.appendChild(element("span", gap.detail, "muted"));
      var fix = element("span", "What to send: " + gap.fix + " ");
      var guide = element("a", "Insurance Guide");
      guide.href = gap.guide_url;
      fix.appendChild(guide);
      item.appendChild(fix);
      list.appendChild(item);
    });
    var fold = element("details", "", "gap-fold");
    fold.open = true;
    fold.dataset.gaps = String(gaps.length);
    fold.appendChild(element("summary", "What remains to fix: " + gaps.length + " gap" + (gaps.length === 1 ? "" : "s")));
    fold.appendChild(list);
    result.appendChild(fold);
    folded(fold);
  }

  // On a phone a long list of gaps starts folded under its summary, so the page stays readable; open it to read.
  function folded(fold) {
    if (Number(fold.dataset.gaps) > 1 && window.matchMedia("(max-width: 40rem)").matches) { fold.open = false; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("#progress details.gap-fold"), folded);

  function show(data) {
    panel.hidden = false;
    stage.textContent = data.error || data.stage;
    stage.className = data.error ? "stage flash flash-error" : "stage";  // a refusal reads as one, not as progress
    if (data.error) { stage.setAttribute("role", "alert"); } else { stage.removeAttribute("role"); }
    files.textContent = "";
    (data.files || []).forEach(function (name) { files.appendChild(element("li", name)); });
    result.textContent = "";
    if (data.done && data.status) {
      var verdict = element("p", "", "result " + (data.compliant ? "result-ok" : "result-gaps"));
      verdict.appendChild(element("strong", data.status));
      result.appendChild(verdict);
      if (data.gaps && data.gaps.length) { showGaps(data.gaps); }
    }
    panel.dataset.state = data.error ? "error" : data.state;
  }

  function poll(url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (!data.done && !data.error) { window.setTimeout(function () { poll(url); }, 1000); }
        else { button.disabled = false; }
      })
      .catch(function () { window.setTimeout(function () { poll(url); }, 3000); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    show({ stage: "Uploading…", files: [], state: "uploading" });
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { show({ error: data.error, files: [] }); button.disabled = false; return; }
        form.reset();
        poll(data.progress_url);
      })
      .catch(function () {
        show({ error: "The upload did not reach us. Check your connection and try again.", files: [] });
        button.disabled = false;
      });
  });

  var started = new URLSearchParams(window.location.search).get("submission");
  if (started && panel.dataset.state !== "done") {
    poll(form.dataset.progressUrl.replace(/\/0$/, "/" + started));
  }
}());
