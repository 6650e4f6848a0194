// In Procore's popup: tell the frame that opened it why sign-in failed.
(function () {
  var helpers = window.ProcoreIframeHelpers;
  var reason = document.getElementById("reason");
  if (window.opener && helpers && reason) {
    helpers.initialize().authentication.notifyFailure({type: "oauth_failure", reason: reason.textContent});
  }
})();
