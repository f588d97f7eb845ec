"""Source code in WordPress posts: the code shortcodes of SyntaxHighlighter Evolved as
HTML code blocks, and the language a `<pre>` says it is in, however the plugin that
highlighted it spelled it."""

import html
import re

from bs4 import Tag

from wordpress import shortcodes

# SyntaxHighlighter Evolved's shortcodes, and the fence language each one means.
CODE_LANGUAGES = {
    "as3": "actionscript3", "actionscript3": "actionscript3", "bash": "bash",
    "shell": "bash", "coldfusion": "cfm", "cf": "cfm", "clojure": "clojure", "clj": "clojure",
    "cpp": "cpp", "c": "c", "c-sharp": "csharp", "csharp": "csharp", "css": "css",
    "delphi": "delphi", "pas": "pascal", "pascal": "pascal", "diff": "diff", "patch": "diff",
    "erl": "erlang", "erlang": "erlang", "fsharp": "fsharp", "go": "go", "golang": "go",
    "groovy": "groovy", "haskell": "haskell", "java": "java", "jfx": "javafx",
    "javafx": "javafx", "js": "javascript", "jscript": "javascript",
    "javascript": "javascript", "json": "json", "latex": "latex", "tex": "latex",
    "matlab": "matlab", "objc": "objective-c", "obj-c": "objective-c", "perl": "perl",
    "pl": "perl", "php": "php", "plain": "", "text": "", "ps": "powershell",
    "powershell": "powershell", "py": "python", "python": "python", "r": "r", "splus": "r",
    "rails": "ruby", "rb": "ruby", "ror": "ruby", "ruby": "ruby", "rust": "rust",
    "scala": "scala", "sql": "sql", "swift": "swift", "ts": "typescript",
    "typescript": "typescript", "vb": "vbnet", "vbnet": "vbnet", "xml": "xml",
    "xhtml": "html", "xslt": "xml", "html": "html", "yaml": "yaml", "yml": "yaml",
}  # fmt: skip
CODE_SHORTCODES = ["code", "sourcecode", *CODE_LANGUAGES]


def code_block(sc: shortcodes.Shortcode) -> str:
    if sc.name in ("code", "sourcecode"):
        language = sc.get("language", "lang", "brush").lower()
        if not language and sc.positional:
            language = sc.positional[0].lower()
        language = CODE_LANGUAGES.get(language, language)
    else:
        language = CODE_LANGUAGES[sc.name]
    code = sc.content or ""
    # The editors store code either as typed or HTML-escaped; escaped code has entities
    # and no raw markup.
    if re.search(r"&(lt|gt|amp|quot|#0?39);", code) and not re.search(r"<[a-zA-Z/]", code):
        code = html.unescape(code)
    code = code.strip("\n")
    css = (
        f' class="language-{html.escape(language)}"' if re.fullmatch(r"[\w+#.-]+", language) else ""
    )
    return f"<pre><code{css}>{html.escape(code, quote=False)}</code></pre>"


def code_language(el: Tag) -> str:
    for node in (el, el.find("code")):
        if not isinstance(node, Tag):
            continue
        for cls in node.get("class") or []:
            for prefix in ("language-", "lang-"):
                if cls.startswith(prefix):
                    return cls[len(prefix) :]
        if node.get("data-lang"):
            return node["data-lang"]
        if node.get("lang") and node.name == "pre":
            return node["lang"]
    brush = re.search(r"brush:\s*([\w+#-]+)", " ".join(el.get("class") or []))
    if brush:
        return CODE_LANGUAGES.get(brush.group(1).lower(), brush.group(1).lower())
    return ""
