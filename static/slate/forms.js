// The task form's booking fields (guest, contact, slot, place, confirmed)
// show only while the kind is Booking, and appear when it is switched to it.
// Without this script they always show, with a note that they are only for
// bookings (templates/production/task_form.html).
(function () {
  "use strict";

  function follow(fieldset) {
    if (fieldset.hasAttribute("data-following")) {
      return;
    }
    fieldset.setAttribute("data-following", "");
    var kind = fieldset.form && fieldset.form.elements.namedItem("kind");
    if (!kind) {
      return; // the kind is not editable here: the task is what it is
    }
    var note = fieldset.querySelector(".booking-note");
    if (note) {
      note.hidden = true;
    }
    function update() {
      // A field with an error stays in sight, whatever the kind.
      fieldset.hidden =
        kind.value !== fieldset.getAttribute("data-for-kind") &&
        !fieldset.querySelector("[aria-invalid='true']");
    }
    kind.addEventListener("change", update);
    update();
  }

  function followAll(root) {
    root.querySelectorAll("fieldset[data-for-kind]").forEach(follow);
  }
  followAll(document);
  // A form that htmx swaps in (a 400 with its errors) is followed too.
  document.addEventListener("htmx:load", function (event) {
    followAll(event.detail.elt);
  });
})();
