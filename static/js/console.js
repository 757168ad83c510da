// IMS Console behaviour. Everything here enhances pages that already work without JavaScript.
// Its words come from Django's JavaScript catalog (gettext, ngettext, interpolate), loaded before it in the page's
// language; there are no English strings here that a user reads.
"use strict";

document.documentElement.classList.add("js");

// ---- Menus (More, user menu): a button with aria-haspopup="menu" controls a role="menu" list.
function menuItems(menu) {
  return Array.from(menu.querySelectorAll('[role="menuitem"]'));
}

function closeMenu(button, focusButton) {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  button.setAttribute("aria-expanded", "false");
  if (menu) menu.classList.remove("open");
  if (focusButton) button.focus();
}

function closeAllMenus(except) {
  document.querySelectorAll('[aria-haspopup="menu"][aria-expanded="true"]').forEach((b) => {
    if (b !== except) closeMenu(b, false);
  });
}

let loadedMenus = 0;

function openMenu(button, focusLast) {
  closeAllMenus(button);
  let menu = document.getElementById(button.getAttribute("aria-controls"));
  if (button.hasAttribute("data-menu") && !(menu && menu.getAttribute("role") === "menu")) {
    // A list row's menu is loaded the first time it is opened, from the button's own link (which without
    // JavaScript is a page of the same actions), into a placeholder made here: the list carries no menus.
    if (!menu) {
      // A stable id (from the row) lets htmx keep the focus on this button when a refresh replaces the row.
      loadedMenus += 1;
      button.id = button.id || `menu-button-${loadedMenus}`;
      menu = document.createElement("span");
      menu.id = `menu-${button.id}`;
      menu.hidden = true;
      button.after(menu);
      button.setAttribute("aria-controls", menu.id);
    }
    if (menu.dataset.loading) return;  // a second click while the menu is on its way
    menu.dataset.loading = "1";
    htmx.ajax("GET", button.getAttribute("href"), { source: button, target: menu, swap: "outerHTML" })
      .then(() => openMenu(button, focusLast));
    return;
  }
  if (!menu) return;
  button.setAttribute("aria-expanded", "true");
  menu.classList.add("open");
  const items = menuItems(menu);
  if (items.length) (focusLast ? items[items.length - 1] : items[0]).focus();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest('[aria-haspopup="menu"]');
  if (button) {
    event.preventDefault();  // a menu button may be a link to the same actions as a page, for use without JavaScript
    if (button.getAttribute("aria-expanded") === "true") closeMenu(button, false);
    else openMenu(button, false);
    return;
  }
  const item = event.target.closest('[role="menuitem"]');
  if (item && item.getAttribute("aria-disabled") === "true") {
    event.preventDefault();
    return;
  }
  closeAllMenus(null);
});

document.addEventListener("keydown", (event) => {
  const button = event.target.closest('[aria-haspopup="menu"]');
  if (button && event.key === " " && button.getAttribute("role") === "button") {
    // A link with role="button" answers Space as a button does.
    event.preventDefault();
    button.click();
    return;
  }
  if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    openMenu(button, event.key === "ArrowUp");
    return;
  }
  const menu = event.target.closest('[role="menu"]');
  if (!menu) return;
  const owner = document.querySelector(`[aria-controls="${menu.id}"]`);
  const items = menuItems(menu);
  const index = items.indexOf(event.target);
  if (event.key === "Escape") {
    event.preventDefault();
    if (owner) closeMenu(owner, true);
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    items[(index + step + items.length) % items.length].focus();
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    items[event.key === "Home" ? 0 : items.length - 1].focus();
  } else if (event.key === "Tab" && owner) {
    closeMenu(owner, false);
  }
});

// ---- The modal dialog: htmx loads a dialog's content into <dialog id="modal">.
function modal() {
  return document.getElementById("modal");
}

document.addEventListener("htmx:beforeRequest", (event) => {
  // Remember which control opened a dialog, so focus can go back to it (even if a list refresh replaced it).
  const dialog = modal();
  if (dialog && event.detail.target === dialog && !dialog.open) {
    // An item of a row's menu stands for the row's More button, which a list refresh may replace: remember it by
    // what survives a refresh (its link), not only by the element.
    let opener = event.detail.elt;
    const menu = opener && opener.closest('[role="menu"]');
    opener = (menu && document.querySelector(`[aria-controls="${menu.id}"]`)) || opener;
    const hxGet = opener && opener.getAttribute("hx-get");
    const href = opener && opener.getAttribute("href");
    dialog.dataset.openerId = (opener && opener.id) || "";
    dialog.dataset.openerSelector = hxGet ? `[hx-get="${CSS.escape(hxGet)}"]` : href ? `[href="${CSS.escape(href)}"]` : "";
    // A new action begins: the last one's message has been read.
    clearNotices();
  }
});

// ---- Links marked data-dialog open their page as a dialog (the same as hx-get into #modal, written once here
// instead of on every row of a long list).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-dialog]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  htmx.ajax("GET", link.getAttribute("href"), { source: link, target: "#modal", swap: "innerHTML" });
});

// ---- Notices: one at a time (the next replaces it), dismissible, and gone when the next action starts.
function clearNotices() {
  const notices = document.getElementById("notices");
  if (notices) notices.replaceChildren();
}

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-dismiss-notice]")) clearNotices();
});

document.addEventListener("htmx:afterSwap", (event) => {
  const dialog = modal();
  if (event.detail.target === dialog) {
    closeAllMenus(null);
    // A finished action swaps in nothing but its notice (out of band) and closes the dialog by its
    // "dialog-done" event (ims_console.dialogs.dialog_done); anything else is a dialog to show.
    if (dialog.firstElementChild) {
      if (!dialog.open) dialog.showModal();
      const first =
        dialog.querySelector("[aria-invalid=\"true\"]") ||
        dialog.querySelector("[data-autofocus]") || dialog.querySelector('input:not([type="hidden"]), textarea, select, button, a[href]');
      if (first) first.focus();
    }
  }
  const target = event.detail.target;
  if (target && target.classList && target.classList.contains("list")) updateSelection();
});

document.body.addEventListener("dialog-done", () => {
  const dialog = modal();
  if (dialog && dialog.open) dialog.close();
});

// Browser Back/Forward restores a page from htmx's history cache: its selection state must be recomputed.
document.addEventListener("htmx:historyRestore", () => updateSelection());

function restoreFocus(dialog) {
  const byId = dialog.dataset.openerId && document.getElementById(dialog.dataset.openerId);
  const bySelector = dialog.dataset.openerSelector && document.querySelector(dialog.dataset.openerSelector);
  const target = byId || bySelector;
  if (target && document.contains(target)) {
    // A row's More item lives in a closed menu: focus the More button instead.
    const menu = target.closest('[role="menu"]');
    const owner = menu && document.querySelector(`[aria-controls="${menu.id}"]`);
    (owner || target).focus();
  }
}

document.addEventListener("close", (event) => {
  const dialog = modal();
  if (event.target !== dialog) return;
  dialog.replaceChildren();
  restoreFocus(dialog);
}, true);

document.addEventListener("click", (event) => {
  const closer = event.target.closest("[data-close-dialog]");
  const dialog = modal();
  if (closer && dialog && dialog.contains(closer)) {
    event.preventDefault();
    dialog.close();
  }
});

// ---- Row selection: buttons marked data-needs-selection work only with ticked rows.
function updateSelection() {
  const list = document.querySelector(".list");
  const boxes = list ? Array.from(list.querySelectorAll('input[name="image_id"]')) : [];
  const ticked = boxes.filter((b) => b.checked).length;
  document.querySelectorAll("[data-needs-selection]").forEach((b) => {
    b.disabled = ticked === 0;
  });
  document.querySelectorAll("[data-selection-count]").forEach((el) => {
    el.textContent = ticked ? interpolate(ngettext("%s selected", "%s selected", ticked), [ticked]) : "";
  });
  document.querySelectorAll("[data-selection-badge]").forEach((el) => {
    el.textContent = ticked ? ` (${ticked})` : "";
  });
  const all = list && list.querySelector("[data-select-all]");
  if (all) {
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
}

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-select-all]")) {
    const list = event.target.closest(".list");
    list.querySelectorAll('input[name="image_id"]').forEach((b) => {
      b.checked = event.target.checked;
    });
  }
  if (event.target.matches('[data-select-all], input[name="image_id"]')) updateSelection();
});

// ---- In dialogs, Enter in a one-line field or on a checkbox must not submit by accident: only OK does.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !event.target.closest("form[data-no-enter-submit]")) return;
  if (event.target.matches("input")) event.preventDefault();
});

// ---- Copy buttons.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = gettext("Copied");
  } catch {
    button.textContent = gettext("Select and copy the text");
  }
  setTimeout(() => {
    button.textContent = label;
  }, 2000);
});

document.addEventListener("DOMContentLoaded", () => {
  updateSelection();
  // What was typed in or picked from a list's filters before the page's scripts ran (htmx listens only from now on,
  // after the JavaScript catalog has arrived) is not lost: the list is asked for again with it.
  const filters = document.getElementById("image-filters");
  if (!filters) return;
  const changed = Array.from(filters.elements).some((field) => {
    if (field.tagName === "SELECT") return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
    return field.type === "search" && field.value !== field.defaultValue;
  });
  if (changed) htmx.trigger(filters, "submit");
});

// ---- Refresh buttons: reload the list they name in place (keeping its filters, sort and page); without
// JavaScript they are links to the same page.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-refresh-list]");
  const list = button && document.getElementById(button.dataset.refreshList);
  if (!list) return;
  event.preventDefault();
  htmx.trigger(list, "list-refresh");
});

// ---- Last: htmx and this file are ready, so the clicks held while they loaded (static/js/early.js) are made again.
document.addEventListener("DOMContentLoaded", () => {
  if (window.imsReleaseHeld) window.imsReleaseHeld();
});
