// Slate's few behaviours beyond htmx. Loaded from a file: the CSP forbids
// inline script. The pages work without it; it only makes failures visible
// and asks before destructive submits.
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

  // The sentence a Slate error page or fragment carries in `.error-message`.
  function sentenceFrom(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.responseText && type.indexOf("html") !== -1) {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var element = page.querySelector(".error-message");
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

  // 1. An error response to an htmx request: say why, in the messages.
  document.addEventListener("htmx:responseError", function (event) {
    showError(sentenceFrom(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showError("Slate can't be reached; check your connection.");
  });

  // 2. The next request that succeeds makes earlier errors stale. Cleared
  // before the swap, so messages the response itself brings (out of band)
  // stay.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.isError) {
      clearErrors();
    }
  });

  // 3. Ask before a form marked data-confirm (archive, remove from crew) is
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
