/* Share kit: "Copy link" buttons; flyer: a Print button. Without JavaScript, links can be
   long-pressed or right-clicked to copy, and the browser's own Print works the same. */
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentNode.querySelector("[role=status]");
    if (status) { status.textContent = text; }
  }

  function selectLink(button) {
    var link = button.parentNode.previousElementSibling;
    var range = document.createRange();
    range.selectNodeContents(link);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var failed = function () { selectLink(button); say(button, button.dataset.failed); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          say(button, button.dataset.done);
        }, failed);
      } else {
        failed();
      }
    });
  });

  var print = document.getElementById("print");
  var hint = document.getElementById("print-hint");
  if (print && window.print) {
    print.hidden = false;
    if (hint) { hint.hidden = true; }
    print.addEventListener("click", function () { window.print(); });
  }
})();
