/* Clearline web chat: sends answers with fetch and shows replies without reloading.
   Without this script the same forms post to the server and the page reloads.
   Safety for nervous fingers: nothing is pre-selected; while an answer is on its way and
   for a moment after a new question appears, the choices and "Erase" do not react, so a
   double tap or a second Enter never answers the next question. */
(function () {
  "use strict";
  var log = document.getElementById("log");
  var region = document.getElementById("log-region");
  var choices = document.getElementById("choices");
  var compose = document.getElementById("compose");
  var input = document.getElementById("answer");
  var typing = document.getElementById("typing");
  var errorBox = document.getElementById("error");
  var progress = document.getElementById("progress");
  var erase = document.getElementById("erase");
  var strings = document.getElementById("strings").dataset;
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!log || !region || !compose || !window.fetch || !window.JSON) { return; }
  var SETTLE_MS = 700;  // how long new choices (and Erase) ignore taps after they appear
  var maxText = parseInt(compose.dataset.max, 10) || 1600;
  var busy = false;
  var settlingNow = false;
  var settleTimer = null;

  function showPrintButtons() {
    if (!window.print) { return; }
    Array.prototype.forEach.call(log.querySelectorAll("[data-print]"), function (b) {
      b.hidden = false;
    });
  }
  showPrintButtons();
  log.addEventListener("click", function (event) {
    var t = event.target;
    if (t && t.hasAttribute && t.hasAttribute("data-print")) { window.print(); }
  });

  try {
    if (window.sessionStorage.getItem("clearline-focus") === "latest") {
      window.sessionStorage.removeItem("clearline-focus");
      var latest = document.getElementById("latest") || document.getElementById("result");
      if (latest) { latest.focus(); }
    }
  } catch (e) { /* storage may be off */ }

  function messageId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function addMine(text) {
    var li = document.createElement("li");
    li.className = "msg me";
    var label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = log.dataset.you + ": ";
    li.appendChild(label);
    li.appendChild(document.createTextNode(text));
    log.appendChild(li);
    return li;
  }

  function addReplies(html) {  // server-rendered <li> items (escaped there)
    ["latest", "result"].forEach(function (id) {
      var old = document.getElementById(id);
      if (old) { old.removeAttribute("id"); }
    });
    var count = log.children.length;
    log.insertAdjacentHTML("beforeend", html);
    showPrintButtons();
    return Array.prototype.slice.call(log.children, count);
  }

  function settle() {  // new choices ignore taps for a moment (double tap, second Enter)
    settlingNow = true;
    choices.classList.add("settling");
    if (settleTimer) { window.clearTimeout(settleTimer); }
    settleTimer = window.setTimeout(function () {
      settlingNow = false;
      choices.classList.remove("settling");
      if (!busy) { setDisabled(false); }
    }, SETTLE_MS);
  }

  function settling() { return settlingNow; }

  function showChoices(list) {
    var box = choices.querySelector(".choice-list");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    list.forEach(function (c) {
      var b = document.createElement("button");
      b.type = "submit";
      b.name = "text";
      b.value = c.id;
      b.className = "choice";
      b.textContent = c.label;
      b.disabled = true;
      box.appendChild(b);
    });
    choices.hidden = list.length === 0;
    var legend = document.getElementById("choices-label");
    if (legend) { legend.textContent = strings.choicesLabel; }
  }

  function showProgress(text) {
    progress.textContent = text || "";
    progress.hidden = !text;
  }

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
    if (text) { input.setAttribute("aria-invalid", "true"); }
    else { input.removeAttribute("aria-invalid"); }
  }

  function setDisabled(on) {  // the choices; Send only while busy (Enter must still work)
    Array.prototype.forEach.call(document.querySelectorAll(".choice"), function (b) {
      b.disabled = on;
    });
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    region.setAttribute("aria-busy", on ? "true" : "false");
    compose.querySelector(".send").disabled = on;
    setDisabled(on || settling());
  }

  function send(text, shown, typed, mineBefore) {
    if (busy) { return; }
    text = (text || "").trim();
    if (!text) {
      if (typed && settling()) { return; }  // a second Enter just after a reply: ignore
      showError(strings.errorEmpty); input.focus(); return;
    }
    showError("");
    var mine = mineBefore || addMine(shown || text);
    if (mine.scrollIntoView) { mine.scrollIntoView({block: "nearest"}); }
    setBusy(true);
    var id = messageId();
    var intro = document.querySelector(".intro");
    if (intro) { intro.hidden = true; }

    function undo(message) {  // not delivered: take the bubble back, keep what was typed
      if (mine.parentNode) { mine.parentNode.removeChild(mine); }
      showError(message);
      if (!input.value && !shown) { input.value = text; }
      input.focus();
    }

    fetch(compose.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": tokenMeta.content},
      // over the limit: the server cuts it there and says so
      body: JSON.stringify({text: text.slice(0, maxText + 1), id: id, choice: !typed})
    }).then(function (res) {
      return res.json().then(function (data) { return {status: res.status, data: data}; },
        function () { return {status: res.status || 500, data: {}}; });
    }).then(function (r) {
      setBusy(false);
      if (r.status === 403 && r.data.csrf_token && !mineBefore) {
        tokenMeta.content = r.data.csrf_token;
        send(text, shown, typed, mine);
        return;
      }
      if (r.status !== 200) { undo(r.data.message || strings.errorServer); return; }
      if (r.data.notice) {  // slow down / try again later: the question stays as it was
        undo(r.data.replies.map(function (x) { return x.text; }).join(" "));
        return;
      }
      if (typed) { input.value = ""; }
      if (!r.data.replies.length) { input.focus(); return; }
      if (erase) { erase.hidden = false; }
      if (r.data.lang && r.data.lang !== document.documentElement.lang) {
        // The conversation changed language: load the page again so all of it follows.
        try { window.sessionStorage.setItem("clearline-focus", "latest"); } catch (e) { /* private mode */ }
        if (window.location.search || window.location.hash) {
          window.location.replace(window.location.pathname);
        } else {
          window.location.reload();
        }
        return;
      }
      var added = addReplies(r.data.html || "");
      showChoices(r.data.choices || []);
      showProgress(r.data.progress);
      settle();
      setDisabled(true);
      var card = document.getElementById("result");
      var target = (card && added.indexOf(card) >= 0) ? card : added[0];
      if (target && target.scrollIntoView) {
        target.scrollIntoView({block: target === card ? "start" : "nearest"});
      }
      if (typed && target !== card) {
        input.focus();  // the text box stays ready; the log announces the reply
      } else if (target) {
        if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
        target.focus({preventScroll: true});  // the newest message, not a choice
      }
    }).catch(function () {
      setBusy(false);
      undo(strings.errorNetwork);
    });
  }

  choices.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button || !button.value || button.disabled || busy || settling()) { return; }
    send(button.value, button.textContent, false);
  });

  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value, null, true);
  });

  if (erase) {  // just after a reply the page moves: a tap meant for an answer is ignored
    erase.addEventListener("submit", function (event) {
      if (busy || settling()) { event.preventDefault(); }
    });
  }

  // Enhanced forms keep working for browsers without event.submitter (old Safari).
  choices.addEventListener("click", function (event) {
    var t = event.target;
    if (t && t.classList && t.classList.contains("choice") && (typeof SubmitEvent === "undefined" || !("submitter" in SubmitEvent.prototype))) {
      event.preventDefault();
      if (!t.disabled && !busy && !settling()) { send(t.value, t.textContent, false); }
    }
  });
})();
