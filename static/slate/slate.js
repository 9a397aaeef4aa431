// Slate's few behaviours beyond htmx. Loaded from a file: the CSP forbids
// inline script. The pages work without it; it shows what went wrong where
// it belongs, moves the focus to a form's error summary, and asks before
// destructive submits.
//
// How Slate answers htmx when something goes wrong (views/fragments.py): a
// 400 (the form again, with its errors) or a 409 (the task changed: the
// messages, out of band) is a fragment to swap in like a success; a 403 or
// 404 is an error page whose sentence (`.error-message`) goes to the page's
// messages.
(function () {
  "use strict";

  function messageList() {
    return document.getElementById("messages");
  }

  function showError(text) {
    var list = messageList();
    if (!list) {
      return;
    }
    clearErrors();
    var message = document.createElement("p");
    message.className = "message error";
    message.setAttribute("role", "alert");
    message.textContent = text; // text, never HTML: it came from a response
    list.appendChild(message);
  }

  function clearErrors() {
    var list = messageList();
    if (!list) {
      return;
    }
    list.querySelectorAll(".message.error").forEach(function (message) {
      message.remove();
    });
  }

  // The sentence a Slate error page or fragment carries in `.error-message`
  // (a page's own, in <main>, before any in its messages).
  function sentenceFrom(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.responseText && type.indexOf("html") !== -1) {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var element =
        page.querySelector("main .error-message") ||
        page.querySelector(".error-message");
      var text = element && element.textContent.replace(/\s+/g, " ").trim();
      if (text) {
        return text;
      }
    }
    if (xhr.status === 403) {
      return "You don't have permission to do that (error 403).";
    }
    if (xhr.status === 404) {
      return "That is no longer there, or you are not on its production (error 404).";
    }
    if (xhr.status >= 500) {
      return "Something went wrong on our side (error " + xhr.status + "). Please try again.";
    }
    return "That didn't work (error " + xhr.status + "). Please check and try again.";
  }

  // 1. With DEBUG on, {% htmx_script %} adds django-htmx's debug helper,
  // which replaces the whole document with any 400, 403, 404 or 500 answer
  // to htmx: right for Django's traceback pages, wrong for Slate's
  // fragments and refusals, shown here instead. Only a crash (5xx) is left
  // to it. Capturing on window runs before its listener on the document.
  window.addEventListener(
    "htmx:beforeOnLoad",
    function (event) {
      if (event.detail.xhr.status < 500) {
        event.stopPropagation();
      }
    },
    true
  );

  // 2. htmx 2 swaps no 4xx answer by default. A 400 or 409 fragment is
  // swapped like a success; a whole page (Slate's 400 page for a malformed
  // request) never goes inside a region: its sentence is shown instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    var page = /^\s*<!doctype/i.test(detail.serverResponse || "");
    if ((status === 400 || status === 409) && !page) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // 3. Any other error answer to an htmx request: say why, in the messages.
  document.addEventListener("htmx:responseError", function (event) {
    showError(sentenceFrom(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showError("Slate can't be reached; check your connection.");
  });

  // 4. What the person does next makes earlier errors stale: cleared when
  // a form is sent or a link followed, not when a region refreshes itself
  // (after a 409 the regions refetch, and its message must stay).
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A live region's poll (the bell is a link) is not the person's doing.
    var elt = event.detail.elt;
    if (elt.closest("form, a") && !elt.hasAttribute("data-live")) {
      clearErrors();
    }
  });

  // 5. A form's error summary takes the focus, so the person hears what went
  // wrong and can follow its links: on a page that arrives with one, and in
  // what an htmx answer swaps in.
  function focusSummary(root) {
    var summary =
      root.matches && root.matches(".error-summary")
        ? root
        : root.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }
  focusSummary(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    focusSummary(event.target);
  });

  // A summary's link puts the focus in its field, opening the <details>
  // that holds it (a move's note); without this script it still scrolls there.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var details = field.closest("details");
    if (details) {
      details.open = true;
    }
    field.focus();
  });

  // 6. Ask before a form marked data-confirm (archive, remove from crew) is
  // sent. Capturing on the document runs before htmx's own submit handler on
  // the form, so stopping here stops both the plain and the htmx submit.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question =
        (event.submitter && event.submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );
})();
