// Clicks made before the page's scripts have run (they are deferred: on a slow network a user can click first) are
// held and made again once console.js is ready, so that they do what they do on a loaded page (open the dialog in
// place, open the menu, load the list) instead of following the link to the page without JavaScript. Submissions of
// forms that htmx sends are held the same way. If the scripts never arrive, what was held goes through as it would
// have without JavaScript when the page has loaded. Loaded in the head, not deferred: it must listen before the first
// element can be clicked. No words a user reads.
"use strict";

(function () {
  const ENHANCED = "[aria-haspopup=\"menu\"], [role=\"menuitem\"], a[data-dialog], [data-dismiss-notice], "
    + "[data-close-dialog], [data-copy], [data-refresh-list], a[hx-get], a[hx-post], button[hx-get], button[hx-post]";
  const held = [];
  const heldTargets = new Set();
  let released = false;

  function holdClick(event) {
    const target = event.target.closest && event.target.closest(ENHANCED);
    if (!target || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    // A double click while waiting is one click: a dialog opened twice would be sent for twice.
    if (heldTargets.has(target)) return;
    heldTargets.add(target);
    held.push(() => target.click());
  }

  function holdSubmit(event) {
    const form = event.target;
    if (!form.matches("form[hx-get], form[hx-post]")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    held.push(() => (submitter && form.contains(submitter) ? form.requestSubmit(submitter) : form.requestSubmit()));
  }

  document.addEventListener("click", holdClick, true);
  document.addEventListener("submit", holdSubmit, true);

  // console.js calls this when it and htmx are ready; the page's load calls it if they never became so.
  window.imsReleaseHeld = function () {
    if (released) return;
    released = true;
    document.removeEventListener("click", holdClick, true);
    document.removeEventListener("submit", holdSubmit, true);
    held.splice(0).forEach((again) => again());
  };
  window.addEventListener("load", () => window.imsReleaseHeld());
})();
