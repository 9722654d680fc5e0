/* Quoting by selection, only in a local preview (`casebook preview`, `mkdocs serve`): select text on a
   source page and copy it as the YAML line to paste, so that no quote is ever retyped.
   The YAML is a double-quoted scalar written as JSON writes strings (YAML reads JSON strings as they
   are), so quotes, backslashes and line breaks come back exactly as selected. */
(function () {
  "use strict";
  var FIELDS = [
    { label: "复制为 evidence", key: "evidence: " },
    { label: "复制为 quote", key: "text: " }
  ];
  var panel = null;
  var shown = null;
  var selected = "";

  function yamlString(text) {
    // Characters YAML takes as line breaks where JSON does not escape them.
    return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  function sourceText() {
    return document.querySelector(".cb-source-text");
  }

  function makePanel() {
    panel = document.createElement("div");
    panel.className = "cb-quote-panel";
    // Styled here: the script, and so its panel, exists only in a local preview.
    panel.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:10;max-width:min(36rem,calc(100vw - 2rem));" +
      "background:var(--md-default-bg-color,#fff);border:1px solid var(--md-default-fg-color--lighter,#ccc);" +
      "border-radius:4px;padding:.6rem .8rem;font-size:.7rem;box-shadow:0 2px 8px rgba(0,0,0,.2)";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "把选中的原文复制为案例字段");
    var note = document.createElement("p");
    note.textContent = "选中的原文（只在本机预览中显示）：点按钮复制，粘贴到案例文件里对应的位置。";
    panel.appendChild(note);
    FIELDS.forEach(function (field) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.style.cssText = "margin:0 .4rem .3rem 0;padding:.2rem .6rem";
      button.textContent = field.label;
      button.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
      button.addEventListener("click", function () { offer(field.key); });
      panel.appendChild(button);
    });
    shown = document.createElement("pre");
    shown.className = "cb-quote-yaml";
    shown.style.cssText = "white-space:pre-wrap;word-break:break-all;margin:.5rem 0 0;max-height:30vh;overflow:auto";
    panel.appendChild(shown);
    document.body.appendChild(panel);
  }

  function offer(key) {
    var line = key + yamlString(selected);
    shown.textContent = line;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(line).catch(function () {});
    }
  }

  function update() {
    var box = sourceText();
    var selection = window.getSelection();
    if (!box || !selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    if (!box.contains(range.commonAncestorContainer)) return;
    selected = selection.toString();
    if (!selected.trim()) return;
    if (!panel) makePanel();
    panel.hidden = false;
    offer(FIELDS[0].key);
  }

  document.addEventListener("mouseup", update);
  document.addEventListener("keyup", update);
})();
