// Procore's login page will not render in a frame: sign in through a popup, which hands back a
// one-use ticket; the frame then starts its own session with it (its cookies may be partitioned).
(function () {
  var link = document.getElementById("sign-in");
  var form = document.getElementById("start-session");
  var helpers = window.ProcoreIframeHelpers;
  if (!link || !form || !helpers || window.opener) { return; }  // without the helper: a plain link
  var context = helpers.initialize();
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
        document.getElementById("sign-in-status").textContent =
          "Sign-in did not finish: " + (error.reason || error.type);
      }
    });
  });
})();
