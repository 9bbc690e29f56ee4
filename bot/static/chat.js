/* Clearline web chat: sends answers with fetch and shows replies without reloading.
   Without this script the same forms post to the server and the page reloads. */
(function () {
  "use strict";
  var log = document.getElementById("log");
  var region = document.getElementById("log-region");
  var choices = document.getElementById("choices");
  var compose = document.getElementById("compose");
  var input = document.getElementById("answer");
  var typing = document.getElementById("typing");
  var errorBox = document.getElementById("error");
  var strings = document.getElementById("strings").dataset;
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!log || !region || !compose || !window.fetch || !window.JSON) { return; }
  var busy = false;
  try {
    if (window.sessionStorage.getItem("clearline-focus") === "latest") {
      window.sessionStorage.removeItem("clearline-focus");
      var latest = document.getElementById("latest");
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

  function addMessage(who, text) {
    var li = document.createElement("li");
    li.className = "msg " + (who === "me" ? "me" : "bot");
    var label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = (who === "me" ? log.dataset.you : log.dataset.bot) + ": ";
    li.appendChild(label);
    li.appendChild(document.createTextNode(text));
    log.appendChild(li);
    return li;
  }

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
      box.appendChild(b);
    });
    choices.hidden = list.length === 0;
    var legend = document.getElementById("choices-label");
    if (legend) { legend.textContent = strings.choicesLabel; }
  }

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
    if (text) { input.setAttribute("aria-invalid", "true"); }
    else { input.removeAttribute("aria-invalid"); }
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    region.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(document.querySelectorAll(".choice, .send"), function (b) {
      b.disabled = on;
    });
  }

  function scrollToEnd(el) {
    if (el && el.scrollIntoView) { el.scrollIntoView({block: "nearest"}); }
  }

  function send(text, shown, mineBefore) {
    if (busy) { return; }
    text = (text || "").trim();
    if (!text) { showError(strings.errorEmpty); input.focus(); return; }
    if (text.length > 500) { showError(strings.errorTooLong); input.focus(); return; }
    showError("");
    var mine = mineBefore || addMessage("me", shown || text);
    scrollToEnd(mine);
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
      body: JSON.stringify({text: text, id: id})
    }).then(function (res) {
      return res.json().then(function (data) { return {status: res.status, data: data}; },
        function () { return {status: res.status || 500, data: {}}; });
    }).then(function (r) {
      setBusy(false);
      if (r.status === 403 && r.data.csrf_token && !mineBefore) {
        tokenMeta.content = r.data.csrf_token;
        send(text, shown, mine);
        return;
      }
      if (r.status !== 200) { undo(r.data.message || strings.errorServer); return; }
      if (r.data.notice) {  // slow down / try again later: the question stays as it was
        undo(r.data.replies.map(function (x) { return x.text; }).join(" "));
        return;
      }
      input.value = "";
      if (!r.data.replies.length) { input.focus(); return; }
      var erase = document.getElementById("erase");
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
      var first = null;
      r.data.replies.forEach(function (reply) {
        var li = addMessage("bot", reply.text);
        first = first || li;
      });
      var last = r.data.replies[r.data.replies.length - 1];
      showChoices(last ? last.choices : []);
      scrollToEnd(first);
      var firstChoice = choices.hidden ? null : choices.querySelector(".choice");
      (firstChoice || input).focus();
    }).catch(function () {
      setBusy(false);
      undo(strings.errorNetwork);
    });
  }

  choices.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button || !button.value) { return; }
    send(button.value, button.textContent);
  });

  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
  });

  // Enhanced forms keep working for browsers without event.submitter (old Safari).
  choices.addEventListener("click", function (event) {
    var t = event.target;
    if (t && t.classList && t.classList.contains("choice") && (typeof SubmitEvent === "undefined" || !("submitter" in SubmitEvent.prototype))) {
      event.preventDefault();
      send(t.value, t.textContent);
    }
  });
})();
