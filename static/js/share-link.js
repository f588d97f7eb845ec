// "Copy share link" on the change page of a draft or scheduled item (home.previews).
// Copies the signed link with the asynchronous clipboard; where that is missing or refused
// (plain HTTP, older browsers, a denied permission), copies the link written out below the
// form title with execCommand; failing that too, selects it and says how to copy it.
(function () {
  "use strict";

  var RESET_AFTER_MS = 4000;

  function say(text) {
    var status = document.querySelector("[data-share-link-status]");
    if (status) status.textContent = text;
  }

  function selectWrittenLink() {
    var link = document.querySelector("[data-share-link]");
    if (!link) return false;
    var range = document.createRange();
    range.selectNodeContents(link);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }

  function copyWithSelection() {
    if (!selectWrittenLink()) return false;
    try {
      return document.execCommand("copy") === true;
    } catch (error) {
      return false;
    }
  }

  function copyWithClipboard(text) {
    if (!navigator.clipboard || !window.isSecureContext) return Promise.resolve(false);
    return navigator.clipboard.writeText(text).then(
      function () { return true; },
      function () { return false; }
    );
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-share-link]");
    if (!button) return;
    event.preventDefault();
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    copyWithClipboard(button.href).then(function (copied) {
      if (!copied) copied = copyWithSelection();
      if (copied) {
        button.textContent = "Link copied";
        say("Share link copied: paste it into a message to your reviewer.");
      } else {
        selectWrittenLink();
        say("Your browser did not let the page copy: the link below is selected, press Ctrl+C (⌘C on a Mac).");
      }
      window.setTimeout(function () { button.textContent = label; }, RESET_AFTER_MS);
    });
  });
})();
