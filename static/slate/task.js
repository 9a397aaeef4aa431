// The task page (templates/production/task_detail.html), with JavaScript:
// 1. Archive asks in a <dialog> on the page rather than on a page of its own
//    (the link's href, which still asks without JavaScript);
// 2. after a move made on the page, the status region comes back (htmx,
//    on the event task-moved) without the button that made it: the focus
//    goes to the new next step, or to the status when there is none, rather
//    than falling back to the top of the page;
// 3. a note form's Back closes its <details> in place, dropping the note
//    (a half-written one would hold back the region's polls, live.js), and
//    gives the focus back to its toggle; without JavaScript it is a link to
//    the task page, where the form is closed.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("a[data-opens]");
    var dialog = opener && document.getElementById(opener.getAttribute("data-opens"));
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    event.preventDefault();
    dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    var back = event.target.closest && event.target.closest("a[data-closes-note]");
    var details = back && back.closest("details");
    if (!details) {
      return;
    }
    event.preventDefault();
    back.closest("form").reset();
    details.open = false;
    details.querySelector("summary").focus();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    var config = event.detail.requestConfig;
    var cause = config && config.triggeringEvent;
    if (region.id !== "task-state" || !cause || cause.type !== "task-moved") {
      return;
    }
    var next =
      region.querySelector(".moves .primary") ||
      document.getElementById("task-state-title");
    if (next) {
      next.focus();
    }
  });
})();
