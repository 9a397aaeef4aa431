// Live regions: the parts of a page that bring themselves up to date with
// changes made elsewhere (production/changes.py, views/live.py). Each
// carries data-live and polls with htmx (hx-trigger "every Ns"). This script
// 1. sends the ETag of what the region shows (If-None-Match): while nothing
//    changed the answer is a 304, and nothing is swapped;
// 2. never swaps a region the person is using: a field with the focus or
//    with unsaved text, or an open <details> (a menu, a note) holding the
//    focus. The next poll tries again;
// 3. keeps the keyboard focus and the open <details> across a poll's swap;
// 4. stops a region's polls once one finds what it shows gone (403, 404).
// Without it the regions still poll, unconditionally: the server answers 200.
(function () {
  "use strict";

  var kept = {}; // region id -> what to restore once its new content settles

  function isLive(element) {
    return element && element.hasAttribute && element.hasAttribute("data-live");
  }

  // A poll: htmx's "every" trigger fires with no event, while the region's
  // other triggers (a move made on this page) come with one and always swap.
  function isPoll(requestConfig) {
    return isLive(requestConfig.elt) && !requestConfig.triggeringEvent;
  }

  function fields(region) {
    return region.querySelectorAll("input, textarea, select");
  }

  function unsaved(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  function inUse(region) {
    var active = document.activeElement;
    if (active && active !== region && region.contains(active)) {
      if (active.matches("input, textarea, select") || active.closest("details[open]")) {
        return true;
      }
    }
    return Array.prototype.some.call(fields(region), unsaved);
  }

  // Names for an element that survive its replacement by the same content.
  function focusKey(element) {
    if (element.id) {
      return "#" + element.id;
    }
    return [
      element.tagName,
      element.getAttribute("href") || "",
      element.getAttribute("aria-label") || "",
      element.textContent.trim(),
    ].join("|");
  }

  function detailsKey(details) {
    var owner = details.parentElement && details.parentElement.closest("[id]");
    var summary = details.querySelector("summary");
    return (owner ? owner.id : "") + "|" + (summary ? summary.textContent.trim() : "");
  }

  function remember(region) {
    var active = document.activeElement;
    var open = Array.prototype.map.call(
      region.querySelectorAll("details[open]"),
      detailsKey
    );
    return {
      focus: active && active !== region && region.contains(active) ? active : null,
      open: open,
    };
  }

  function restore(region, state) {
    region.querySelectorAll("details").forEach(function (details) {
      if (state.open.indexOf(detailsKey(details)) !== -1) {
        details.open = true;
      }
    });
    if (state.focus) {
      var key = focusKey(state.focus);
      var candidates = region.querySelectorAll(state.focus.tagName);
      for (var i = 0; i < candidates.length; i++) {
        if (focusKey(candidates[i]) === key) {
          candidates[i].focus({ preventScroll: true });
          break;
        }
      }
    }
  }

  // Answers to a poll after which there is nothing left to poll for.
  var GONE = [403, 404];

  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail;
    if (isPoll(detail.requestConfig) && detail.elt.hasAttribute("data-live-ended")) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var region = event.detail.elt;
    var etag = isLive(region) && region.getAttribute("data-etag");
    if (etag) {
      event.detail.headers["If-None-Match"] = etag;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var region = detail.requestConfig.elt;
    if (!isLive(region)) {
      return;
    }
    if (detail.xhr.status === 304) {
      // Unchanged: htmx would otherwise swap in the empty body.
      detail.shouldSwap = false;
      return;
    }
    if (isPoll(detail.requestConfig) && GONE.indexOf(detail.xhr.status) !== -1) {
      // What the region shows is gone (the task archived, the person taken
      // off the crew): slate.js says so once, and the region asks no more.
      region.setAttribute("data-live-ended", "");
      return;
    }
    if (!detail.shouldSwap || !isPoll(detail.requestConfig)) {
      return;
    }
    if (inUse(region)) {
      // Its ETag stays the old one, so the next poll brings the change again.
      detail.shouldSwap = false;
      return;
    }
    kept[region.id] = remember(region);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var info = event.detail;
    var old = info.requestConfig && info.requestConfig.elt;
    var region = event.target;
    if (!isLive(old) || !isLive(region) || region.id !== old.id) {
      return;
    }
    var etag = info.xhr.getResponseHeader("ETag");
    if (etag) {
      region.setAttribute("data-etag", etag);
    }
    if (kept[region.id]) {
      restore(region, kept[region.id]);
      delete kept[region.id];
    }
  });
})();
