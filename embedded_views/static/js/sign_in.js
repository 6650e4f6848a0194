// Procore's login page will not render in a frame: sign-in, reconnect and re-consent all go through a
// popup, which hands back a one-use ticket; the frame then starts its own session with it (its cookies
// may be partitioned). Without the helper script the link still opens in a new window, never in the frame.
(function () {
  var helpers = window.ProcoreIframeHelpers;
  var links = document.querySelectorAll("[data-procore-popup]");
  if (!links.length || !helpers || window.opener) { return; }
  var context = helpers.initialize();
  Array.prototype.forEach.call(links, function (link) {
    var box = link.closest(".procore-popup");
    var form = box.querySelector("[data-start-session]");
    var status = box.querySelector("[data-popup-status]");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      context.authentication.authenticate({
        url: link.href,
        onSuccess: function (payload) {
          form.elements.ticket.value = (payload && payload.ticket) || "";
          form.elements.next.value = window.location.pathname + window.location.search;
          form.submit();
        },
        onFailure: function (error) {
          if (status) { status.textContent = "Sign-in did not finish: " + (error.reason || error.type); }
        }
      });
    });
  });
})();
