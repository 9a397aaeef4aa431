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

  // Only once the columns have fetched themselves again: a card's form
  // targets the columns too (hx-target is inherited), and a refused move's
  // answer (a 409, swapping nothing) settles there first.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var columns = event.target;
    if (!moved || columns.id !== "board-columns") {
      return;
    }
    if (event.detail.requestConfig.elt.id !== columns.id) {
      return;
    }
    var card = document.getElementById("card-" + moved.key);
    var link = card
      ? card.querySelector("a.key")
      : event.target.querySelector(".column.status-" + moved.status + " a");
    moved = null;
    if (link) {
      // A card moved to Done or Cancelled lands in a folded column: unfold it.
      var fold = link.closest("details.fold");
      if (fold) {
        fold.open = true;
      }
      link.focus();
    }
  });
})();

// The columns refetch themselves after a move and when polling; keep a
// folded column (Done, Cancelled) or a card's menu open across the swap.
(function () {
  "use strict";
  var open = [];

  function where(details) {
    var card = details.closest(".card");
    if (card) {
      return "#" + card.id + " details.menu";
    }
    var column = details.closest(".column");
    return column ? "." + column.className.split(" ").join(".") + " > details.fold" : null;
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "board-columns") {
      return;
    }
    open = Array.prototype.map
      .call(event.detail.target.querySelectorAll("details[open]"), where)
      .filter(Boolean);
  });

  document.body.addEventListener("htmx:afterSwap", function () {
    var board = document.getElementById("board-columns");
    if (!board || !open.length) {
      return;
    }
    open.forEach(function (selector) {
      var details = board.querySelector(selector);
      if (details) {
        details.open = true;
      }
    });
    open = [];
  });
})();
