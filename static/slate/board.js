// The board re-renders its columns after a move, which removes the button
// that had keyboard focus; put focus back on the moved card's link so a
// keyboard user keeps their place.
(function () {
  "use strict";
  var movedKey = null;

  document.body.addEventListener("task-moved", function (event) {
    var board = document.getElementById("board-columns");
    if (board && board.contains(event.target) && event.detail) {
      movedKey = event.detail.key || null;
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!movedKey || event.target.id !== "board-columns") {
      return;
    }
    var card = document.getElementById("card-" + movedKey);
    movedKey = null;
    var link = card && card.querySelector("a.key");
    if (link) {
      link.focus();
    }
  });
})();
