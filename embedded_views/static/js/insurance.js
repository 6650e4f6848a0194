// The Insurance view: while files are being read, follow their progress, then show the new result in place
// (with the Projects and the Requests and emails boxes beside it).
(function () {
  "use strict";

  function updateFiles(section, files) {
    files.forEach(function (file) {
      var item = section.querySelector('.document[data-file-id="' + file.file_id + '"]');
      if (!item) { return; }
      item.dataset.state = file.state;
      item.querySelector("[data-role=state]").textContent = file.words;
    });
  }

  function replaceSection(section) {
    // Reading finished: fetch this same page and swap in its Insurance view (status, lines, gaps, history).
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("insurance");
        if (!fresh) { return; }
        section.replaceWith(fresh);
        // The boxes beside it follow the same reading: the projects' statuses, the requests and emails.
        ["vendor-projects", "outreach"].forEach(function (id) {
          var old = document.getElementById(id), replacement = doc.getElementById(id);
          if (old && replacement) { old.replaceWith(replacement); }
        });
        Array.prototype.forEach.call(document.querySelectorAll("main .flash-ok"), function (old) { old.remove(); });
        var notice = document.createElement("p");
        notice.className = "flash flash-ok";
        notice.setAttribute("role", "status");
        notice.textContent = "Reading finished: the status and gaps below are up to date.";
        fresh.insertBefore(notice, fresh.firstChild);
        follow(fresh);
      });
  }

  function follow(section) {
    if (!section || section.dataset.reading !== "yes") { return; }
    var url = section.dataset.readingUrl;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          updateFiles(section, data.files || []);
          if (data.reading) { window.setTimeout(poll, 1500); } else { replaceSection(section); }
        })
        .catch(function () { window.setTimeout(poll, 4000); });
    }
    window.setTimeout(poll, 1000);
  }

  follow(document.getElementById("insurance"));
}());
