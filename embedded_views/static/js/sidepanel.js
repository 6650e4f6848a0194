// Procore answers {type: "initialize"} with {type: "setup", context: {company_id, project_id, id, view}}.
(function () {
  var panel = document.getElementById("panel-status");
  if (!panel) { return; }
  var allowed = JSON.parse(panel.dataset.origins);
  var companyId = panel.dataset.companyId;
  var vendorUrl = panel.dataset.vendorUrl;  // ends with "/": the Procore vendor id is appended
  var asked = 0;
  function initialize() {  // asked again until Procore answers (a message sent before its page listens is lost)
    allowed.forEach(function (origin) { window.parent.postMessage({type: "initialize"}, origin); });
    asked += 1;
  }
  var retry = window.setInterval(function () { if (asked < 20) { initialize(); } else { window.clearInterval(retry); } }, 500);
  window.addEventListener("message", function (event) {
    if (allowed.indexOf(event.origin) === -1 || !event.data || event.data.type !== "setup") { return; }
    window.clearInterval(retry);
    var context = event.data.context || {};
    if (String(context.company_id) !== companyId || !/^\d+$/.test(String(context.id))) {
      panel.textContent = "This page is not a vendor of this company.";
      return;
    }
    var project = /^\d+$/.test(String(context.project_id)) ? "?project=" + context.project_id : "";
    window.location.replace(vendorUrl + context.id + project);
  });
  initialize();
})();
