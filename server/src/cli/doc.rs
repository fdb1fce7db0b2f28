//! `ward doc [DIR|FILE] [--out DIR]`: HTML documentation of a project (or
//! one program) and of the standard library, from `///` comments and the
//! std table (`ward_compiler::doc`): a page per module with each public
//! item's signature (elided lifetimes written out), the capabilities a
//! function needs, its documentation and a type's methods, and a search
//! box over every item (`search-index.js`, no server needed: the pages
//! open from disk).

use super::status;
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use ward_compiler::doc::{DocItem, DocModule, document};

pub fn run(source: super::Source, package: &str, version: &str, out: &Path) -> u8 {
    let (path, loader) = source.loader();
    let analysis = ward_compiler::analysis::analyze(&path, &loader);
    if analysis.has_errors() {
        super::check::render_human(&analysis, &path);
        return status::PROGRAM_ERRORS;
    }
    let modules = document(&analysis, package);
    let site = Site {
        package,
        version,
        modules: &modules,
    };
    match site.write(out) {
        Ok(pages) => {
            if !super::quiet() {
                eprintln!(
                    "documented `{package}` and std: {pages} pages in {} (open {})",
                    out.display(),
                    out.join("index.html").display()
                );
            }
            status::OK
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the documentation to {}: {e}",
                out.display()
            );
            status::USAGE
        }
    }
}

struct Site<'a> {
    package: &'a str,
    version: &'a str,
    modules: &'a [DocModule],
}

/// The page of a module: `vitals::alarms` → `vitals.alarms.html`.
fn page_of(path: &str) -> String {
    format!("{}.html", path.replace("::", "."))
}

fn anchor(item: &DocItem) -> String {
    format!("{}.{}", item.kind, item.name)
}

impl Site<'_> {
    /// Writes every page, the search index, the script and the style;
    /// returns the number of pages. Each file goes through a temporary
    /// file renamed into place.
    fn write(&self, out: &Path) -> std::io::Result<usize> {
        std::fs::create_dir_all(out)?;
        let mut files: Vec<(PathBuf, String)> = vec![
            (out.join("index.html"), self.index()),
            (out.join("search-index.js"), self.search_index()),
            (out.join("search.js"), SEARCH_JS.to_string()),
            (out.join("style.css"), STYLE_CSS.to_string()),
        ];
        for m in self.modules {
            files.push((out.join(page_of(&m.path)), self.module_page(m)));
        }
        let pages = files
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
            .count();
        for (path, text) in files {
            crate::project::write_atomically(&path, text.as_bytes())
                .map_err(std::io::Error::other)?;
        }
        Ok(pages)
    }

    fn head(&self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n<script src=\"search-index.js\"></script>\n<script src=\"search.js\" defer></script>\n</head>\n<body>\n<header><a class=\"home\" href=\"index.html\">{} {}</a>\n<input id=\"search\" type=\"search\" placeholder=\"Search {} and std…\" autocomplete=\"off\" aria-label=\"Search\">\n</header>\n<ul id=\"results\" hidden></ul>\n<main>\n",
            escape(title),
            escape(self.package),
            escape(self.version),
            escape(self.package)
        )
    }

    fn index(&self) -> String {
        let mut html = self.head(&format!(
            "{} {} — documentation",
            self.package, self.version
        ));
        let _ = writeln!(
            html,
            "<h1>{} <span class=\"version\">{}</span></h1>",
            escape(self.package),
            escape(self.version)
        );
        for (title, std) in [("Modules", false), ("Standard library", true)] {
            let _ = writeln!(html, "<h2>{title}</h2>\n<table class=\"modules\">");
            for m in self.modules.iter().filter(|m| m.is_std == std) {
                let _ = writeln!(
                    html,
                    "<tr><td><a href=\"{}\">{}</a></td><td>{}</td></tr>",
                    page_of(&m.path),
                    escape(&m.path),
                    m.doc
                        .as_deref()
                        .map(|d| inline(summary(d)))
                        .unwrap_or_default()
                );
            }
            html.push_str("</table>\n");
        }
        html.push_str("</main>\n</body>\n</html>\n");
        html
    }

    fn module_page(&self, m: &DocModule) -> String {
        let mut html = self.head(&format!("{} — {}", m.path, self.package));
        let _ = writeln!(html, "<h1>Module <code>{}</code></h1>", escape(&m.path));
        if let Some(doc) = &m.doc {
            html.push_str(&markdown(doc));
        }
        for (title, kinds) in [
            ("Modules", &["mod"][..]),
            ("Structs", &["struct"][..]),
            ("Enums", &["enum"][..]),
            ("Functions", &["fn"][..]),
            ("Constants", &["const"][..]),
        ] {
            let items: Vec<&DocItem> = m.items.iter().filter(|i| kinds.contains(&i.kind)).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(html, "<h2>{title}</h2>");
            for item in items {
                if item.kind == "mod" {
                    let _ = writeln!(
                        html,
                        "<section class=\"item\" id=\"{}\"><h3><a href=\"{}\">{}</a></h3>{}</section>",
                        anchor(item),
                        page_of(&format!("{}::{}", m.path, item.name)),
                        escape(&item.name),
                        item.doc
                            .as_deref()
                            .map(|d| format!("<p>{}</p>", inline(summary(d))))
                            .unwrap_or_default()
                    );
                } else {
                    html.push_str(&item_html(item));
                }
            }
        }
        html.push_str("</main>\n</body>\n</html>\n");
        html
    }

    fn search_index(&self) -> String {
        let mut entries = Vec::new();
        for m in self.modules {
            let page = page_of(&m.path);
            for item in &m.items {
                let url = if item.kind == "mod" {
                    page_of(&format!("{}::{}", m.path, item.name))
                } else {
                    format!("{page}#{}", anchor(item))
                };
                entries.push(json!({
                    "n": item.name,
                    "p": m.path,
                    "k": item.kind,
                    "u": url,
                    "s": item.doc.as_deref().map(summary).unwrap_or_default(),
                }));
                for method in &item.methods {
                    entries.push(json!({
                        "n": method.name,
                        "p": format!("{}::{}", m.path, item.name),
                        "k": method.kind,
                        "u": format!("{page}#{}.{}", anchor(item), method.name),
                        "s": method.doc.as_deref().map(summary).unwrap_or_default(),
                    }));
                }
            }
        }
        format!(
            "// Generated by `ward doc`.\nwindow.searchIndex = {};\n",
            serde_json::Value::Array(entries)
        )
    }
}

fn item_html(item: &DocItem) -> String {
    let mut html = format!(
        "<section class=\"item\" id=\"{}\">\n<h3><span class=\"kind\">{}</span> {}</h3>\n<pre class=\"sig\">{}</pre>\n",
        anchor(item),
        item.kind,
        escape(&item.name),
        escape(&item.signature)
    );
    if item.lifetimes_shown {
        html.push_str("<p class=\"note\">Elided lifetimes are written out.</p>\n");
    }
    if !item.caps.is_empty() {
        let _ = writeln!(
            html,
            "<p class=\"caps\">Needs: {}</p>",
            item.caps
                .iter()
                .map(|c| format!("<code class=\"cap\">{}</code>", escape(c)))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    if let Some(doc) = &item.doc {
        html.push_str(&markdown(doc));
    }
    if !item.methods.is_empty() {
        html.push_str("<h4>Methods</h4>\n");
        for method in &item.methods {
            let mut inner = item_html(method);
            // Methods are anchored under their type.
            inner = inner.replacen(
                &format!("id=\"{}\"", anchor(method)),
                &format!("id=\"{}.{}\"", anchor(item), method.name),
                1,
            );
            html.push_str(&inner);
        }
    }
    html.push_str("</section>\n");
    html
}

/// The first sentence or line of a doc comment.
fn summary(doc: &str) -> &str {
    let first = doc.lines().next().unwrap_or("").trim();
    match first.find(". ") {
        Some(i) => &first[..=i],
        None => first,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline markdown: `code` spans, the rest escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

/// The markdown of doc comments: paragraphs, fenced code blocks, `-`
/// lists and inline code.
fn markdown(doc: &str) -> String {
    let mut html = String::from("<div class=\"doc\">\n");
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list = false;
    let mut code: Option<Vec<&str>> = None;
    let flush = |html: &mut String, paragraph: &mut Vec<&str>| {
        if !paragraph.is_empty() {
            let _ = writeln!(html, "<p>{}</p>", inline(&paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for line in doc.lines() {
        let t = line.trim();
        if let Some(block) = &mut code {
            if t.starts_with("```") {
                let _ = writeln!(
                    html,
                    "<pre><code>{}</code></pre>",
                    escape(&block.join("\n"))
                );
                code = None;
            } else {
                block.push(line);
            }
            continue;
        }
        if t.starts_with("```") {
            flush(&mut html, &mut paragraph);
            code = Some(Vec::new());
        } else if let Some(entry) = t.strip_prefix("- ") {
            flush(&mut html, &mut paragraph);
            if !list {
                html.push_str("<ul>\n");
                list = true;
            }
            let _ = writeln!(html, "<li>{}</li>", inline(entry));
        } else {
            if list {
                html.push_str("</ul>\n");
                list = false;
            }
            if t.is_empty() {
                flush(&mut html, &mut paragraph);
            } else {
                paragraph.push(t);
            }
        }
    }
    if let Some(block) = code {
        let _ = writeln!(
            html,
            "<pre><code>{}</code></pre>",
            escape(&block.join("\n"))
        );
    }
    flush(&mut html, &mut paragraph);
    if list {
        html.push_str("</ul>\n");
    }
    html.push_str("</div>\n");
    html
}

const SEARCH_JS: &str = r#"// Search over window.searchIndex (search-index.js): names first by how
// well they match, the project's before std's, then shorter names.
// `?search=text` in the address searches too.
(function () {
  "use strict";
  const input = document.getElementById("search");
  const results = document.getElementById("results");
  const index = window.searchIndex || [];
  // The project's own items come before std's equally good ones.
  function isStd(entry) {
    return entry.p === "std" || entry.p.startsWith("std::") ? 1 : 0;
  }
  function rank(entry, query) {
    const name = entry.n.toLowerCase();
    const full = (entry.p + "::" + entry.n).toLowerCase();
    if (name === query) return 0;
    if (name.startsWith(query)) return 1;
    if (name.includes(query)) return 2;
    if (full.includes(query)) return 3;
    return -1;
  }
  function show(text) {
    const query = text.trim().toLowerCase();
    results.innerHTML = "";
    if (!query) { results.hidden = true; return; }
    const found = index
      .map(e => [rank(e, query), e])
      .filter(([r]) => r >= 0)
      .sort((a, b) => a[0] - b[0] || isStd(a[1]) - isStd(b[1]) ||
        a[1].n.length - b[1].n.length || a[1].p.localeCompare(b[1].p))
      .slice(0, 50);
    for (const [, e] of found) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = e.u;
      a.className = "result";
      a.textContent = e.p + "::" + e.n;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.k;
      const summary = document.createElement("span");
      summary.className = "summary";
      summary.textContent = e.s;
      li.append(kind, a, summary);
      results.append(li);
    }
    if (!found.length) {
      const li = document.createElement("li");
      li.textContent = "No item matches “" + text + "”.";
      results.append(li);
    }
    results.hidden = false;
  }
  input.addEventListener("input", () => show(input.value));
  const initial = new URLSearchParams(location.search).get("search");
  if (initial) { input.value = initial; show(initial); }
})();
"#;

const STYLE_CSS: &str = "body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d1f21; background: #fff; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1.5em; background: #123d5a; }
header .home { color: #fff; font-weight: 600; text-decoration: none; }
#search { flex: 1; max-width: 36em; padding: .4em .6em; font-size: 1em; border: 0; border-radius: 4px; }
#results { margin: 0; padding: .5em 1.5em; list-style: none; background: #f3f6f9; border-bottom: 1px solid #d0d7de; }
#results li { padding: .2em 0; display: flex; gap: .8em; align-items: baseline; }
#results .summary { color: #57606a; font-size: .9em; }
main { max-width: 60em; padding: 0 1.5em 3em; }
.version { color: #57606a; font-size: .6em; }
.kind { color: #8250df; font-family: ui-monospace, monospace; font-size: .85em; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; }
pre { background: #f6f8fa; padding: .7em 1em; border-radius: 6px; overflow-x: auto; }
.item { border-top: 1px solid #eaeef2; padding-top: .4em; margin-top: 1em; }
.item .item { margin-left: 1.5em; }
.caps .cap { background: #fff1e5; color: #953800; padding: .1em .4em; border-radius: 3px; }
.note { color: #57606a; font-size: .85em; }
table.modules td { padding: .2em 1.2em .2em 0; vertical-align: top; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_has_paragraphs_code_and_lists() {
        let html = markdown("Reads `hl7`.\nMore.\n\n- one\n- two\n\n```ward\nlet x = 1;\n```\n");
        assert_eq!(
            html,
            "<div class=\"doc\">\n<p>Reads <code>hl7</code>. More.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<pre><code>let x = 1;</code></pre>\n</div>\n"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b> & \"c\""), "a&lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(summary("First. Second."), "First.");
    }
}
