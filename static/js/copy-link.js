// Copy buttons for personal links on the cycle page. Without JavaScript the buttons stay
// hidden and the link itself is selectable with one click (user-select: all).
(function () {
  "use strict";

  function copyText(text, fallbackNode) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP pages (a server on another address in development) have no clipboard API.
    return new Promise(function (resolve, reject) {
      var range = document.createRange();
      range.selectNodeContents(fallbackNode);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = document.execCommand("copy");
      selection.removeAllRanges();
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(target.textContent.trim(), target).then(
        function () { if (status) { status.textContent = "Link copied for " + button.dataset.copyName + "."; } },
        function () { if (status) { status.textContent = "Could not copy: select the link and copy it yourself."; } }
      );
    });
  });
})();
