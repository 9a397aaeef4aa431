// The task list's bulk bar: hidden until a row is ticked, then it says how
// many are; the header's box ticks (or clears) every row of this page.
// Without this script the bar always shows and each row is ticked on its
// own; either way the server checks every chosen task (views/task_list.py).
(function () {
  "use strict";

  function rows(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="tasks"]'));
  }

  function update() {
    var form = document.getElementById("bulk");
    if (!form) {
      return;
    }
    var boxes = rows(form);
    var ticked = boxes.filter(function (box) {
      return box.checked;
    }).length;
    var bar = form.querySelector(".bulk-actions");
    // A bar whose fields show errors stays: the summary links to them.
    bar.hidden = ticked === 0 && !form.querySelector(".error-summary");
    form.classList.add("bulk-live");
    form.querySelector(".bulk-count").textContent = ticked ? ticked + " selected" : "";
    var all = document.getElementById("pick-all");
    if (all) {
      all.hidden = boxes.length === 0;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.id === "pick-all") {
      rows(box.form).forEach(function (row) {
        row.checked = box.checked;
      });
    }
    if (box.id === "pick-all" || box.name === "tasks") {
      update();
    }
  });

  // On arrival, and whenever htmx brings the table again (sorting, paging,
  // the answer to a bulk action with the refused tasks still ticked).
  update();
  document.addEventListener("htmx:load", update);
})();
