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
    const escape = function (text) {
      const span = document.createElement("span");
      span.textContent = text;
      return span.innerHTML;
    };
    select.removeAttribute("size");
    const combobox = new TomSelect(select, {
      plugins: multiple ? {remove_button: {title: removeLabel, label: "×"}} : {},
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
    // Items removed with the mouse give the removal its own accessible name.
    combobox.on("item_add", function () {
      combobox.wrapper.querySelectorAll(".item .remove").forEach(function (button) {
        const item = button.parentElement;
        button.setAttribute("aria-label", removeLabel + " " + item.textContent.replace("×", "").trim());
      });
    });
    combobox.trigger("item_add");
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
