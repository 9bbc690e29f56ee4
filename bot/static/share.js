/* Flyer page: a Print button (without JavaScript the browser's own Print works the same). */
(function () {
  "use strict";
  var button = document.getElementById("print");
  var hint = document.getElementById("print-hint");
  if (!button || !window.print) { return; }
  button.hidden = false;
  if (hint) { hint.hidden = true; }
  button.addEventListener("click", function () { window.print(); });
})();
