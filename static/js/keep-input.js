// Input that is never lost, and the session-timeout warning. Progressive enhancement: every
// form works without this file; with it, what is typed survives a refused or timed-out send.
//
// What is typed in a form is kept in this tab's sessionStorage (it ends with the tab, and
// logging out clears it). A page with a success message confirms the sent forms: their kept
// copy is dropped. A form shown again empty after a send that was not confirmed (the session
// had ended, the sign-in came in between) gets its text back, with a notice.
(function () {
  "use strict";

  var PREFIX = "caseapp.kept:";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keepable(form) {
    return form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-keep") &&
      !form.querySelector("input[type=password]");
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.disabled) { return false; }
      var tag = el.tagName.toLowerCase();
      if (tag === "textarea") { return true; }
      if (tag === "select") { return true; }
      if (tag !== "input") { return false; }
      var type = (el.getAttribute("type") || "text").toLowerCase();
      return ["text", "search", "email", "tel", "number", "date", "url", "checkbox", "radio"].indexOf(type) >= 0;
    });
  }

  function keyOf(form) {
    return PREFIX + new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
  }

  function read(key) {
    var store = storage();
    if (!store) { return null; }
    try {
      var entry = JSON.parse(store.getItem(key) || "null");
      if (entry && Date.now() - entry.t > MAX_AGE_MS) { store.removeItem(key); return null; }
      return entry;
    } catch (e) { return null; }
  }

  function valuesOf(form) {
    var values = {}, typed = false;
    fields(form).forEach(function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[el.name] = values[el.name] || [];
        if (el.checked) { values[el.name].push(el.value); }
      } else if (el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
        if (el.tagName.toLowerCase() !== "select" && el.value.trim()) { typed = true; }
      }
    });
    return typed ? values : null;
  }

  function save(form, sent) {
    var store = storage();
    if (!store || !keepable(form)) { return; }
    var key = keyOf(form), values = valuesOf(form), before = read(key);
    if (!values) { if (!sent) { store.removeItem(key); } return; }
    store.setItem(key, JSON.stringify({ t: Date.now(), sent: sent || Boolean(before && before.sent), values: values }));
  }

  function forEachKept(callback) {
    var store = storage();
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { callback(key, store); }
    }
  }

  function clearAll() { forEachKept(function (key, store) { store.removeItem(key); }); }

  // Everything typed and not sent is marked as to be put back (the session is about to end).
  function keepAllForLater() {
    Array.prototype.forEach.call(document.forms, function (form) { save(form, true); });
  }

  function restore(form) {
    var entry = read(keyOf(form));
    if (!entry || !entry.sent) { return false; }
    var empty = fields(form).every(function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      return type === "checkbox" || type === "radio" || el.tagName.toLowerCase() === "select" || !el.value.trim();
    });
    if (!empty) { return false; }  // the server showed the form again with what was typed
    fields(form).forEach(function (el) {
      var value = entry.values[el.name], type = (el.getAttribute("type") || "").toLowerCase();
      if (value === undefined) { return; }
      if (type === "checkbox" || type === "radio") {
        el.checked = value.indexOf(el.value) >= 0;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
      } else {
        el.value = value;
      }
    });
    return true;
  }

  function showRestoredNotice(form) {
    var template = document.getElementById("kept-input-notice");
    if (!template) { return; }
    var notice = document.createElement("p");
    notice.className = "flash flash-info kept-input-notice";
    notice.setAttribute("role", "status");
    notice.textContent = template.getAttribute("data-text");
    form.insertBefore(notice, form.firstChild);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector(".flash-success")) {
      forEachKept(function (key, store) {
        var entry = read(key);
        if (entry && entry.sent) { store.removeItem(key); }
      });
    }
    Array.prototype.forEach.call(document.forms, function (form) {
      if (!keepable(form)) { return; }
      if (restore(form)) { showRestoredNotice(form); }
      form.addEventListener("input", function () { save(form, false); });
      form.addEventListener("change", function () { save(form, false); });
      form.addEventListener("submit", function () { save(form, true); });
    });
    var logout = document.getElementById("logout-form");
    if (logout) { logout.addEventListener("submit", clearAll); }
    startTimeoutWarning();
  });

  // --- the timeout warning (GOV.UK pattern): a modal dialog before the idle timeout ---------------

  function startTimeoutWarning() {
    var body = document.body, dialog = document.getElementById("timeout-warning");
    if (!dialog || !body.hasAttribute("data-session-left") || typeof dialog.showModal !== "function") { return; }
    var warn = parseInt(body.getAttribute("data-session-warn"), 10);
    var countdown = dialog.querySelector(".timeout-countdown"), live = dialog.querySelector(".timeout-live");
    var timer = null, ticker = null, deadline = 0, lastSpoken = -1;

    function say(seconds) {
      var minutes = Math.floor(seconds / 60), rest = seconds % 60, parts = [];
      if (minutes) { parts.push(minutes === 1 ? dialog.dataset.oneMinute : dialog.dataset.minutes.replace("{n}", minutes)); }
      if (rest || !minutes) { parts.push(rest === 1 ? dialog.dataset.oneSecond : dialog.dataset.seconds.replace("{n}", rest)); }
      return parts.join(" ");
    }

    function schedule(seconds) {
      clearTimeout(timer);
      timer = setTimeout(check, Math.max(0, seconds - warn) * 1000);
    }

    function check() {
      fetch(body.dataset.sessionStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { seconds_left: 0 }; })
        .then(function (data) {
          if (data.seconds_left > warn) { schedule(data.seconds_left); } else { open(data.seconds_left); }
        })
        .catch(function () { open(Math.max(0, Math.round((deadline - Date.now()) / 1000))); });
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = say(left);
      // Screen readers hear the time left at the start, then every 15 seconds, not every second.
      if (lastSpoken < 0 || lastSpoken - left >= 15 || left === 0) {
        live.textContent = dialog.dataset.live.replace("{t}", say(left));
        lastSpoken = left;
      }
      if (left <= 0) { clearInterval(ticker); whenEnded(); }
    }

    // The server has the last word: go to the login page once it says the session is over.
    function whenEnded() {
      fetch(body.dataset.sessionStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { seconds_left: 0 }; })
        .then(function (data) {
          if (data.seconds_left > 0) { setTimeout(whenEnded, (data.seconds_left + 1) * 1000); } else { signedOut(); }
        })
        .catch(function () { setTimeout(whenEnded, 5000); });
    }

    function open(seconds) {
      deadline = Date.now() + seconds * 1000;
      lastSpoken = -1;
      if (!dialog.open) {
        keepAllForLater();
        dialog.showModal();
        dialog.querySelector("[data-timeout-stay]").focus();
      }
      tick();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    }

    function close() {
      clearInterval(ticker);
      if (dialog.open) { dialog.close(); }
    }

    function signedOut() {
      close();
      keepAllForLater();
      window.location.assign(body.dataset.sessionLoginUrl + "?next=" + encodeURIComponent(window.location.pathname));
    }

    function stay() {
      fetch(body.dataset.sessionExtendUrl, {
        method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": body.dataset.csrfToken }
      })
        .then(function (r) { return r.ok ? r.json() : { seconds_left: 0 }; })
        .then(function (data) {
          if (data.seconds_left > 0) { close(); schedule(data.seconds_left); } else { signedOut(); }
        })
        .catch(function () { /* the network is down: keep the dialog, the user can try again */ });
    }

    dialog.querySelector("[data-timeout-stay]").addEventListener("click", stay);
    dialog.querySelector("[data-timeout-signout]").addEventListener("click", function () {
      close();
      var logout = document.getElementById("logout-form");
      if (logout) { clearAll(); logout.submit(); } else { signedOut(); }
    });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });  // Escape = stay
    schedule(parseInt(body.getAttribute("data-session-left"), 10));
  }
}());
