// In Procore's popup: hand the ticket to the frame that opened it (which closes the popup).
// Opened any other way: start the session here.
(function () {
  var form = document.getElementById("start-session");
  var helpers = window.ProcoreIframeHelpers;
  if (!form) { return; }
  if (window.opener && helpers) {
    helpers.initialize().authentication.notifySuccess({ticket: form.elements.ticket.value});
    return;
  }
  form.submit();
})();
