/* The admin's Markdown editor, on top of django-markdownx's editor and live preview.

   - Images (dropped, pasted or chosen with the "Upload image…" button) are uploaded here
     rather than by markdownx, whose script inserts the words "Invalid response" into the
     text when the server refuses a file. A refused upload inserts nothing and shows the
     server's reason under the editor; a successful one asks for the image's alt text.
   - Word count and reading time of the preview (the same rendering readers get).
   - A draft's text is saved to the server while the author types (the textarea carries
     data-autosave-url); every editor also keeps a copy in this browser, offered back
     when the page is opened again without it having been saved.
   - Leaving the page with unsaved changes asks first.

   No inline script or style anywhere: the admin runs under a strict CSP. */
(function () {
  "use strict";

  var WORDS_PER_MINUTE = 230; // as blog.models.WORDS_PER_MINUTE
  var AUTOSAVE_DELAY_MS = 1500;
  var LOCAL_COPY_DELAY_MS = 400;
  var IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp";
  var numbers = new Intl.NumberFormat();
  var submitting = false;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /* ---- Uploads ---------------------------------------------------------------------- */

  // Every message in a Django form-errors object ({"image": ["…"], "__all__": ["…"]}),
  // whatever the field, including the {"message": …} shape of get_json_data().
  function errorMessages(payload) {
    var found = [];
    (function walk(value) {
      if (typeof value === "string") found.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === "object") {
        if (typeof value.message === "string") found.push(value.message);
        else Object.keys(value).forEach(function (key) { walk(value[key]); });
      }
    })(payload);
    return found;
  }

  function upload(url, file) {
    var data = new FormData();
    data.append("image", file);
    data.append("csrfmiddlewaretoken", csrfToken());
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(
      function (response) {
        return response.json().catch(function () { return null; }).then(function (payload) {
          if (response.ok && payload && typeof payload.image_code === "string") {
            var match = /\]\((.*)\)\s*$/.exec(payload.image_code);
            if (match) return match[1];
          }
          var reasons = payload ? errorMessages(payload) : [];
          if (reasons.length) throw new Error(reasons.join(" "));
          if (response.redirected) {
            throw new Error("Your session has ended: log in again (in another tab), then retry.");
          }
          throw new Error("The server could not store it (HTTP " + response.status + ") and gave no reason. Try again in a moment.");
        });
      },
      function () {
        throw new Error("The upload did not reach the server. Check the connection and try again.");
      }
    );
  }

  // "my-chart_2024.png" → "my chart 2024": a start the author can improve.
  function altFromFileName(name) {
    return name.replace(/\.[^.]+$/, "").replace(/[-_.]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function markdownAlt(text) {
    return text.replace(/[\\\[\]]/g, "\\$&").replace(/\s+/g, " ");
  }

  var altDialog = null;

  function askForAltText(url, fileName) {
    if (!altDialog) {
      altDialog = element("dialog", { "class": "editor-alt-dialog", "aria-labelledby": "editor-alt-title" });
      var form = element("form", { method: "dialog" });
      form.append(
        element("h2", { id: "editor-alt-title" }, "Describe this image"),
        element("img", { "class": "editor-alt-thumbnail", alt: "" }),
        element("label", { "for": "editor-alt-text" }, "Alt text"),
        element("input", { type: "text", id: "editor-alt-text", autocomplete: "off" }),
        element("p", { "class": "help" }, "What the image shows, for readers who can't see it (screen readers read this out)."),
      );
      var buttons = element("div", { "class": "editor-alt-buttons" });
      buttons.append(
        element("button", { type: "submit", value: "insert", "class": "button default" }, "Insert image"),
        element("button", { type: "submit", value: "cancel", "class": "button" }, "Don't insert")
      );
      form.append(buttons);
      altDialog.append(form);
      document.body.append(altDialog);
    }
    var input = altDialog.querySelector("input");
    altDialog.querySelector("img").src = url;
    input.value = altFromFileName(fileName);
    altDialog.returnValue = "";
    return new Promise(function (resolve) {
      altDialog.addEventListener("close", function onClose() {
        altDialog.removeEventListener("close", onClose);
        resolve(altDialog.returnValue === "insert" ? input.value.trim() : null);
      });
      altDialog.showModal();
      input.select();
    });
  }

  /* ---- One editor --------------------------------------------------------------------- */

  function Editor(root) {
    this.root = root;
    this.textarea = root.querySelector("textarea.markdownx-editor");
    this.preview = root.querySelector(".markdownx-preview");
    this.uploadUrl = this.textarea.getAttribute("data-markdownx-upload-urls-path");
    this.autosaveUrl = this.textarea.getAttribute("data-autosave-url");
    this.version = this.textarea.getAttribute("data-autosave-version");
    this.localKey = "editor:" + location.pathname + ":" + this.textarea.name;
    this.queue = Promise.resolve();
    this.buildBar();
    this.listen();
    this.offerLocalCopy();
  }

  Editor.prototype.buildBar = function () {
    var bar = element("div", { "class": "editor-bar" });
    var id = this.textarea.id || this.textarea.name;
    this.fileInput = element("input", { type: "file", accept: IMAGE_TYPES, multiple: "", hidden: "", "class": "editor-file", id: id + "-image-file" });
    this.uploadButton = element("button", { type: "button", "class": "button editor-upload", "aria-controls": id }, "Upload image…");
    this.counts = element("span", { "class": "editor-counts", "aria-live": "polite" });
    this.status = element("span", { "class": "editor-status", role: "status" });
    this.error = element("p", { "class": "editor-error", role: "alert", hidden: "" });
    this.notice = element("div", { "class": "editor-notice", hidden: "" });
    bar.append(this.uploadButton, this.fileInput, this.counts, this.status, this.error, this.notice);
    this.root.append(bar);
  };

  Editor.prototype.listen = function () {
    var self = this;
    // Capture on the editor's container: runs before markdownx's own listeners on the
    // textarea, which are then never reached for files.
    this.root.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        event.stopPropagation();
        self.uploadAll(files);
      }
    }, true);
    this.root.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        event.stopPropagation();
        self.uploadAll(files);
      }
    }, true);
    this.uploadButton.addEventListener("click", function () { self.fileInput.click(); });
    this.fileInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(self.fileInput.files);
      self.fileInput.value = ""; // the same file can be chosen again, and is never submitted
      self.uploadAll(files);
    });
    this.root.addEventListener("markdownx.update", function () { self.count(); });
    this.textarea.addEventListener("input", function () { self.changed(); });
    // A tab closed within the copy's delay still leaves the copy behind.
    window.addEventListener("pagehide", function () {
      if (self.localTimer && !submitting) self.keepLocalCopy();
    });
  };

  Editor.prototype.uploadAll = function (files) {
    var self = this;
    this.error.hidden = true;
    Array.prototype.forEach.call(files, function (file) {
      self.queue = self.queue.then(function () { return self.uploadOne(file); });
    });
  };

  Editor.prototype.uploadOne = function (file) {
    var self = this;
    this.root.classList.add("editor-uploading");
    this.status.textContent = "Uploading " + file.name + "…";
    return upload(this.uploadUrl, file).then(
      function (url) {
        self.root.classList.remove("editor-uploading");
        self.status.textContent = "";
        return askForAltText(url, file.name).then(function (alt) {
          if (alt !== null) self.insert("![" + markdownAlt(alt) + "](" + url + ")");
          self.textarea.focus();
        });
      },
      function (error) {
        self.root.classList.remove("editor-uploading");
        self.status.textContent = "";
        self.error.textContent = "“" + file.name + "” was not uploaded: " + error.message;
        self.error.hidden = false;
      }
    );
  };

  Editor.prototype.insert = function (text) {
    var area = this.textarea;
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    // markdownx refreshes the preview on input; autosave and the local copy follow it too.
    area.dispatchEvent(new Event("input", { bubbles: true }));
  };

  Editor.prototype.count = function () {
    var words = (this.preview.textContent.match(/\S+/g) || []).length;
    var minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    this.counts.textContent = numbers.format(words) + (words === 1 ? " word" : " words") +
      " · " + minutes + " min read";
  };

  /* ---- Autosave and the local copy ------------------------------------------------------ */

  Editor.prototype.changed = function () {
    var self = this;
    clearTimeout(this.localTimer);
    this.localTimer = setTimeout(function () { self.keepLocalCopy(); }, LOCAL_COPY_DELAY_MS);
    if (this.autosaveUrl && !this.autosaveStopped) {
      clearTimeout(this.autosaveTimer);
      this.autosaveTimer = setTimeout(function () { self.autosave(); }, AUTOSAVE_DELAY_MS);
    }
  };

  Editor.prototype.keepLocalCopy = function () {
    this.localTimer = null;
    if (submitting) return;
    try {
      localStorage.setItem(this.localKey, JSON.stringify({ text: this.textarea.value, at: Date.now() }));
    } catch (error) { /* storage full or disabled: autosave and the warning still work */ }
  };

  Editor.prototype.dropLocalCopy = function () {
    clearTimeout(this.localTimer);
    this.localTimer = null;
    try { localStorage.removeItem(this.localKey); } catch (error) { /* nothing kept */ }
  };

  Editor.prototype.offerLocalCopy = function () {
    var self = this, copy = null;
    try { copy = JSON.parse(localStorage.getItem(this.localKey) || "null"); } catch (error) { copy = null; }
    if (!copy || typeof copy.text !== "string") return;
    if (copy.text === this.textarea.value) { this.dropLocalCopy(); return; }
    var restore = element("button", { type: "button", "class": "button" }, "Restore it");
    var discard = element("button", { type: "button", "class": "button" }, "Discard it");
    this.notice.append(
      element("span", {}, "This browser kept unsaved text from " + new Date(copy.at).toLocaleString() + ". "),
      restore, " ", discard
    );
    this.notice.hidden = false;
    restore.addEventListener("click", function () {
      self.textarea.value = copy.text;
      self.textarea.dispatchEvent(new Event("input", { bubbles: true }));
      self.notice.hidden = true;
    });
    discard.addEventListener("click", function () {
      self.dropLocalCopy();
      self.notice.hidden = true;
    });
  };

  Editor.prototype.autosave = function () {
    var self = this;
    if (submitting) return;
    if (this.saving) { this.saveAgain = true; return; }
    var text = this.textarea.value;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    data.append("version", this.version || "");
    data.append(this.textarea.name, text);
    this.saving = true;
    this.status.textContent = "Saving draft…";
    fetch(this.autosaveUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .catch(function () {
        throw new Error("the server could not be reached; trying again as you type.");
      })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (payload) {
          if (response.ok && payload && payload.version) return payload;
          var refusal = new Error((payload && payload.error) || "the server answered HTTP " + response.status + ".");
          // The server said no (published meanwhile, saved elsewhere, gone): asking again
          // would get the same answer. Other failures are tried again with the next edit.
          refusal.final = Boolean(payload && payload.error) && response.status >= 400 && response.status < 500;
          throw refusal;
        });
      })
      .then(function (payload) {
        self.version = payload.version;
        self.status.textContent = "Draft saved at " + clock(new Date(payload.saved_at));
        markSaved(self.textarea.name, text);
        if (self.textarea.value === text) self.dropLocalCopy();
      }, function (error) {
        self.status.textContent = "Not saved: " + error.message.replace(/^./, function (c) { return c.toLowerCase(); }) +
          " A copy is kept in this browser.";
        if (error.final) self.autosaveStopped = true;
      })
      .then(function () {
        self.saving = false;
        if (self.saveAgain) { self.saveAgain = false; self.autosave(); }
      });
  };

  /* ---- Unsaved changes -------------------------------------------------------------------- */

  var form = null, baseline = null;

  function formState() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      entries.push([name, typeof value === "string" ? value : value.name]);
    });
    return JSON.stringify(entries);
  }

  var savedValues = {};

  function markSaved(name, text) {
    savedValues[name] = text;
  }

  function hasUnsavedChanges() {
    if (!form || baseline === null) return false;
    // What autosave stored counts as saved: compare with the page as first loaded, but
    // with the autosaved fields at their autosaved values.
    var now = JSON.parse(formState());
    var then = JSON.parse(baseline);
    now = now.map(function (entry) {
      return Object.prototype.hasOwnProperty.call(savedValues, entry[0]) && savedValues[entry[0]] === entry[1]
        ? [entry[0], "\u0000saved"] : entry;
    });
    then = then.map(function (entry) {
      return Object.prototype.hasOwnProperty.call(savedValues, entry[0]) ? [entry[0], "\u0000saved"] : entry;
    });
    return JSON.stringify(now) !== JSON.stringify(then);
  }

  function setUp(container) {
    return Array.prototype.map.call(container.querySelectorAll(".markdownx"), function (root) {
      // An inline's hidden template row is cloned by the admin: it gets its bar once added.
      var usable = root.querySelector("textarea.markdownx-editor") && !root.closest(".empty-form") &&
        !root.querySelector(".editor-bar");
      return usable ? new Editor(root) : null;
    }).filter(Boolean);
  }

  function start() {
    var editors = setUp(document);
    document.addEventListener("formset:added", function (event) {
      Array.prototype.push.apply(editors, setUp(event.target));
    });
    if (!editors.length) return;
    form = editors[0].textarea.form;
    if (!form) return;
    form.addEventListener("submit", function () {
      submitting = true;
      editors.forEach(function (editor) {
        clearTimeout(editor.autosaveTimer);
        editor.dropLocalCopy();
      });
    });
    // The baseline is taken once the admin's own scripts (filters, date widgets) are set up.
    window.addEventListener("load", function () { baseline = formState(); });
    if (document.readyState === "complete") baseline = formState();
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && hasUnsavedChanges()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
