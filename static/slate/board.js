// The board re-renders its columns after a move, which removes the button
// that had keyboard focus; put focus back on the moved card's link so a
// keyboard user keeps their place. A column opens with its first few cards
// only, so when the moved card is not among them, focus goes to the top of
// the column it moved to.
(function () {
  "use strict";
  var moved = null;

  document.body.addEventListener("task-moved", function (event) {
    var board = document.getElementById("board-columns");
    if (board && board.contains(event.target) && event.detail) {
      moved = event.detail;
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!moved || event.target.id !== "board-columns") {
      return;
    }
    var card = document.getElementById("card-" + moved.key);
    var link = card
      ? card.querySelector("a.key")
      : event.target.querySelector(".column.status-" + moved.status + " a");
    moved = null;
    if (link) {
      link.focus();
    }
  });
})();
