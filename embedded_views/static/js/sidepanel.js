// Procore answers {type: "initialize"} with {type: "setup", context: {company_id, project_id, id, view}}.
(function () {
  var panel = document.getElementById("panel-status");
  if (!panel) { return; }
  var allowed = JSON.parse(panel.dataset.origins);
  var companyId = panel.dataset.companyId;
  var vendorUrl = panel.dataset.vendorUrl;  // ends with "/": the Procore vendor id is appended
  window.addEventListener("message", function (event) {
    if (allowed.indexOf(event.origin) === -1 || !event.data || event.data.type !== "setup") { return; }
    var context = event.data.context || {};
    if (String(context.company_id) !== companyId || !/^\d+$/.test(String(context.id))) {
      panel.textContent = "This page is not a vendor of this company.";
      return;
    }
    var project = /^\d+$/.test(String(context.project_id)) ? "?project=" + context.project_id : "";
    window.location.replace(vendorUrl + context.id + project);
  });
  allowed.forEach(function (origin) { window.parent.postMessage({type: "initialize"}, origin); });
})();
