// Progressive enhancement only: every page works without this file.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

document.addEventListener("DOMContentLoaded", function () {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

// Type-ahead comboboxes (Tom Select, static/vendor/tom-select) on top of native selects marked
// data-combobox: without JavaScript the native select still works. The select's hint and error
// stay tied to the combobox; texts come from the select's data-* attributes (translated).
document.addEventListener("DOMContentLoaded", function () {
  if (typeof TomSelect === "undefined") {
    return;
  }
  document.querySelectorAll("select[data-combobox]").forEach(function (select) {
    const multiple = select.multiple;
    const noResults = select.getAttribute("data-no-results") || "No results";
    const removeLabel = select.getAttribute("data-remove-label") || "Remove";
    const addedText = select.getAttribute("data-added") || "%(item)s added";
    const removedText = select.getAttribute("data-removed") || "%(item)s removed";
    const escape = function (text) {
      const span = document.createElement("span");
      span.textContent = text;
      return span.innerHTML;
    };
    select.removeAttribute("size");
    const combobox = new TomSelect(select, {
      // Each chosen item has a real button to remove it: reachable with Tab (and Shift+Tab from the
      // box), pressed with Enter or Space; Backspace in the empty box still removes the last item.
      plugins: multiple ? {remove_button: {title: removeLabel, label: "×", tabindex: 0, html: function (data) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = data.className;
        button.title = data.title;
        button.textContent = data.label;
        return button;
      }}} : {},
      maxOptions: null,
      refreshThrottle: 0,
      allowEmptyOption: !multiple,
      closeAfterSelect: !multiple,
      clearAfterSelect: true,
      selectOnTab: false,
      hidePlaceholder: false,
      lockOptgroupOrder: true,
      placeholder: select.getAttribute("data-placeholder") || null,
      render: {
        no_results: function () {
          return '<div class="no-results">' + escape(noResults) + "</div>";
        },
        item: function (data, esc) {
          return "<div>" + esc(data.text) + "</div>";
        },
      },
    });
    // The combobox stands for the select, which is still sent with the form: hide the select from
    // everyone, or screen readers would meet the same field twice (one of them without a label).
    select.hidden = true;
    const input = combobox.control_input;
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) {
        input.setAttribute(name, select.getAttribute(name));
      }
    });
    const itemText = function (value) {
      const option = combobox.options[value];
      return option ? option.text : String(value);
    };
    // Each remove button is named after its item ("Remove Dari"), in the page's language.
    const nameButtons = function () {
      combobox.wrapper.querySelectorAll(".item").forEach(function (item) {
        const button = item.querySelector(".remove");
        if (button) {
          button.setAttribute("aria-label", removeLabel + " " + itemText(item.getAttribute("data-value")));
        }
      });
    };
    nameButtons();
    if (!multiple) {
      return;
    }
    // What is added or removed is said by screen readers (a polite live region, translated texts).
    const status = document.createElement("div");
    status.className = "visually-hidden combobox-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = select.id + "-status";
    combobox.wrapper.insertAdjacentElement("afterend", status);
    const announce = function (template, value) {
      status.textContent = template.replace("%(item)s", itemText(value));
    };
    combobox.on("item_add", function (value) {
      nameButtons();
      announce(addedText, value);
    });
    let removedWithButton = false;
    combobox.wrapper.addEventListener("click", function (event) {
      removedWithButton = Boolean(event.target.closest(".item .remove"));
    }, true);
    combobox.on("item_remove", function (value) {
      announce(removedText, value);
      if (removedWithButton) {
        // The pressed button is gone: the focus goes to the next item's button, or the box.
        removedWithButton = false;
        window.setTimeout(function () {
          const next = combobox.wrapper.querySelector(".item .remove");
          if (next && document.activeElement === document.body) {
            next.focus();
          } else if (document.activeElement === document.body) {
            input.focus();
          }
        }, 0);
      }
    });
  });
});

// Desks (caseapp/deliveries): the reference field takes the focus with its text selected,
// so the next scan or typed reference replaces what was there.
document.addEventListener("DOMContentLoaded", function () {
  const field = document.querySelector("[data-desk-focus]");
  if (field) {
    if (document.activeElement !== field) {
      field.focus();
    }
    // Only what the server put there (a refused reference): a scanner may already be typing
    // into the autofocused field before this script runs, and selecting would eat its first keys.
    if (field.value && field.value === field.defaultValue) {
      field.select();
    }
  }
});

// Print buttons (the printable action-plan summary).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The header's "More" list: Escape closes it and gives the focus back to "More"; a click
// elsewhere closes it too (a native <details>, so it opens and closes without this script).
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  const open = document.querySelector(".nav-more details[open]");
  if (open) {
    open.open = false;
    open.querySelector("summary").focus();
  }
});
document.addEventListener("click", function (event) {
  const open = document.querySelector(".nav-more details[open]");
  if (open && !open.contains(event.target)) {
    open.open = false;
  }
});
