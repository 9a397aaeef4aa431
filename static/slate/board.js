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

// Dragging a card to another column makes one of the moves its buttons
// offer: the card's data-to lists their target columns. While a card is
// dragged those columns accept it (.drop-ok) and the others refuse
// (.drop-no: the browser shows no drop there). A drop clicks the card's own
// button for that column, so it posts the card's form (its CSRF token,
// version and way back) like a click would, and the board refreshes or
// says why not in the same way. A move that needs a note asks for it in the
// page's dialog first, then sends it with the card's form. The buttons stay
// for the keyboard, phones and pages without this script.
(function () {
  "use strict";
  var dragged = null; // the dragged card's id: a refetch may replace the card
  var asking = null; // the card and column a note is being asked for
  var dialog = document.getElementById("drop-dialog");

  function columns() {
    return document.querySelectorAll("#board-columns .column");
  }

  function targets(card) {
    return (card.getAttribute("data-to") || "").split(" ");
  }

  // Cards with moves can be dragged with a mouse; their title's link cannot
  // (it would drag its address instead). On touch screens the buttons do.
  function prepare(root) {
    if (!window.matchMedia("(pointer: fine)").matches || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll(".card[data-to]").forEach(function (card) {
      card.draggable = true;
      card.querySelector("a.key").draggable = false;
    });
  }
  prepare(document);
  document.addEventListener("htmx:load", function (event) {
    prepare(event.target);
  });

  function mark(card) {
    var allowed = targets(card);
    var home = card.closest(".column");
    columns().forEach(function (column) {
      if (column !== home) {
        var ok = allowed.indexOf(column.getAttribute("data-status")) !== -1;
        column.classList.add(ok ? "drop-ok" : "drop-no");
      }
    });
    card.classList.add("dragged");
  }

  function unmark() {
    document.querySelectorAll(".drop-ok, .drop-no, .drop-over, .dragged").forEach(
      function (element) {
        element.classList.remove("drop-ok", "drop-no", "drop-over", "dragged");
      }
    );
  }

  // The column under the pointer, if it accepts the dragged card.
  function accepting(event) {
    var column = dragged && event.target.closest && event.target.closest(".column");
    return column && column.classList.contains("drop-ok") ? column : null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("#board-columns .card[data-to]");
    if (!card) {
      return;
    }
    dragged = card.id;
    event.dataTransfer.effectAllowed = "move";
    // Some browsers start a drag only when it carries data.
    event.dataTransfer.setData("text/plain", card.id.replace(/^card-/, ""));
    mark(card);
  });

  document.addEventListener("dragover", function (event) {
    var column = accepting(event);
    columns().forEach(function (other) {
      other.classList.toggle("drop-over", other === column);
    });
    if (column) {
      event.preventDefault(); // accept the drop here
      event.dataTransfer.dropEffect = "move";
    }
  });

  document.addEventListener("drop", function (event) {
    var column = accepting(event);
    var card = dragged && document.getElementById(dragged);
    if (!column || !card) {
      return;
    }
    event.preventDefault();
    var status = column.getAttribute("data-status");
    if (targets(card).indexOf(status) !== -1) {
      move(card, status);
    }
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    unmark();
  });

  // A poll may refetch the columns while a card is in the air: mark the new ones.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var card = dragged && document.getElementById(dragged);
    if (card && event.target.id === "board-columns") {
      mark(card);
    }
  });

  function move(card, status) {
    var form = card.querySelector("form.moves");
    var button = form.querySelector('button[name="to"][value="' + status + '"]');
    if (button) {
      button.click();
      return;
    }
    var link = form.querySelector('a.move[href$="#move-' + status + '"]');
    if (link && dialog && dialog.showModal) {
      ask(card, status, link);
    } else if (link) {
      link.click(); // the task page's note form
    }
  }

  function ask(card, status, link) {
    asking = { card: card.id, status: status };
    dialog.querySelector("h2").textContent = link.getAttribute("aria-label");
    dialog.querySelector("textarea").value = "";
    dialog.returnValue = "";
    dialog.showModal();
  }

  if (dialog) {
    dialog.addEventListener("close", function () {
      var wanted = asking;
      asking = null;
      var card = wanted && document.getElementById(wanted.card);
      if (dialog.returnValue !== "send" || !card) {
        return;
      }
      send(card.querySelector("form.moves"), {
        to: wanted.status,
        note: dialog.querySelector("textarea").value,
      });
    });
  }

  // Post the card's form with these values added for this once (htmx reads
  // the form while the submit event runs).
  function send(form, values) {
    var added = Object.keys(values).map(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = values[name];
      return form.appendChild(input);
    });
    form.requestSubmit();
    added.forEach(function (input) {
      input.remove();
    });
  }
})();

// Compact density: each card one line. A link to the board with
// ?density=compact without this script; with it, the link flips the board
// in place and the browser remembers the choice for the next visit (an
// address that names a density keeps it).
(function () {
  "use strict";
  var KEY = "slate:board-density";
  var area = document.getElementById("board");
  var toggle = document.querySelector(".density-toggle");
  if (!area || !toggle) {
    return;
  }

  function flip() {
    var label = toggle.getAttribute("data-other");
    toggle.setAttribute("data-other", toggle.textContent);
    toggle.textContent = label;
    area.classList.toggle("compact");
  }

  function remembered() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (error) {
      return null; // storage refused (private mode, a policy): no memory
    }
  }

  if (!/[?&]density=/.test(window.location.search)) {
    var compact = remembered() === "compact";
    if (compact !== area.classList.contains("compact")) {
      flip();
    }
  }

  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    flip();
    try {
      window.localStorage.setItem(KEY, area.classList.contains("compact") ? "compact" : "full");
    } catch (error) {
      // Not remembered; the board still changed.
    }
  });
})();
