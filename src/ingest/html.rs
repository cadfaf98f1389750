//! HTML: parsed the way a browser parses it (html5ever through scraper),
//! then the body walked in document order. Headings, paragraphs, list items,
//! divisions and `<br>` end lines; a table row becomes one line of
//! tab-separated cells (a row with a single cell, as in layout tables, keeps
//! that cell's own lines); script, style, navigation and form controls are
//! dropped. The encoding comes from a BOM, valid UTF-8, the page's
//! `<meta charset>`, or detection, in that order.

use std::path::Path;

use encoding_rs::{Encoding, GB18030, GBK};
use scraper::{Html, Node};

use super::{emit_table, Lines};
use crate::corpus::load;
use crate::error::{Error, Result};

/// Elements whose content is not part of the document.
const DROPPED: [&str; 17] = [
    "head", "script", "style", "nav", "noscript", "template", "iframe", "object", "embed", "svg",
    "canvas", "select", "option", "button", "input", "textarea", "map",
];

/// Elements that start and end a line.
const BLOCKS: [&str; 31] = [
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "caption",
    "center",
    "hr",
    "form",
    "fieldset",
    "details",
];

/// Blocks followed by a blank line, as paragraphs are in the seed texts.
const PARAGRAPHS: [&str; 8] = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"];

/// `class`/`id`/`role` words of site furniture (menus, breadcrumbs, footers).
fn is_furniture(e: &scraper::node::Element) -> bool {
    if matches!(
        e.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "search" | "menu")
    ) {
        return true;
    }
    if e.attr("hidden").is_some()
        || e.attr("style").is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            s.to_ascii_lowercase().contains("display:none")
        })
    {
        return true;
    }
    let words = e
        .id()
        .into_iter()
        .chain(e.classes())
        .map(|w| w.to_ascii_lowercase());
    for w in words {
        if [
            "nav",
            "menu",
            "breadcrumb",
            "crumb",
            "footer",
            "skip-link",
            "share",
        ]
        .iter()
        .any(|f| w == *f || w.starts_with(&format!("{f}-")) || w.starts_with(&format!("{f}_")))
            || w == "navbar"
        {
            return true;
        }
    }
    false
}

/// Decode the page's bytes to text.
fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    if Encoding::for_bom(bytes).is_some() || std::str::from_utf8(bytes).is_ok() {
        return Ok(load::decode(path, bytes)?.text);
    }
    if let Some(enc) = meta_charset(bytes) {
        let enc = if enc == GBK { GB18030 } else { enc };
        let (text, _, had_errors) = enc.decode(bytes);
        let bad = text.chars().filter(|c| *c == '\u{fffd}').count();
        if !had_errors || bad * 100 < text.chars().count() {
            if bytes.contains(&0) {
                return Err(Error::input(
                    path,
                    "not a text file (it contains NUL bytes)",
                ));
            }
            return Ok(text.into_owned());
        }
    }
    Ok(load::decode(path, bytes)?.text)
}

/// The encoding named by `<meta charset=…>` or `content="…; charset=…"`
/// near the start of the page.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head: Vec<u8> = bytes[..bytes.len().min(4096)]
        .iter()
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let key = b"charset=";
    let pos = head.windows(key.len()).position(|w| w == key)? + key.len();
    let label: Vec<u8> = head[pos..]
        .iter()
        .copied()
        .skip_while(|b| *b == b'"' || *b == b'\'' || *b == b' ')
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .collect();
    Encoding::for_label(&label)
}

struct Table {
    rows: Vec<Vec<String>>,
    row: Option<Vec<String>>,
}

/// Extract the text of an HTML page.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<String> {
    let source = decode(path, bytes)?;
    Ok(html_to_text(&source))
}

/// The text of an HTML document (pure).
pub fn html_to_text(source: &str) -> String {
    let html = Html::parse_document(source);
    // One sink per open table cell, the document's at the bottom.
    let mut sinks: Vec<Lines> = vec![Lines::new()];
    let mut tables: Vec<Table> = vec![];
    let mut pre = 0usize;
    let mut stack = vec![(html.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(t) if !closing => {
                let sink = sinks.last_mut().expect("document sink");
                if pre > 0 {
                    let mut parts = t.split('\n');
                    if let Some(first) = parts.next() {
                        sink.push_raw(first);
                    }
                    for p in parts {
                        sink.newline();
                        sink.push_raw(p);
                    }
                } else {
                    sink.push_text(t);
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if !closing {
                    if DROPPED.contains(&name) || is_furniture(e) {
                        continue;
                    }
                    stack.push((node, true));
                    for child in node.children().rev() {
                        stack.push((child, false));
                    }
                }
                let open_cells = sinks.len() - 1;
                let sink = sinks.last_mut().expect("document sink");
                match (name, closing) {
                    ("br", false) => sink.newline(),
                    ("pre", false) => {
                        sink.newline();
                        pre += 1;
                    }
                    ("pre", true) => {
                        pre = pre.saturating_sub(1);
                        sink.blank();
                    }
                    ("table", false) => {
                        sink.blank();
                        tables.push(Table {
                            rows: vec![],
                            row: None,
                        });
                    }
                    ("tr", false) => {
                        if let Some(t) = tables.last_mut() {
                            t.row = Some(vec![]);
                        }
                    }
                    ("td" | "th", false) if tables.last().is_some_and(|t| t.row.is_some()) => {
                        sinks.push(Lines::new());
                    }
                    ("td" | "th", true)
                        if open_cells > 0 && tables.last().is_some_and(|t| t.row.is_some()) =>
                    {
                        let cell = sinks.pop().expect("cell sink").finish();
                        if let Some(row) = tables.last_mut().and_then(|t| t.row.as_mut()) {
                            row.push(cell);
                        }
                    }
                    ("tr", true) => {
                        if let Some(t) = tables.last_mut() {
                            if let Some(row) = t.row.take() {
                                t.rows.push(row);
                            }
                        }
                    }
                    ("table", true) => {
                        if let Some(t) = tables.pop() {
                            let sink = sinks.last_mut().expect("document sink");
                            emit_table(sink, &t.rows);
                            sink.blank();
                        }
                    }
                    (n, false) if BLOCKS.contains(&n) => sink.newline(),
                    (n, true) if PARAGRAPHS.contains(&n) => sink.blank(),
                    (n, true) if BLOCKS.contains(&n) => sink.newline(),
                    _ => {}
                }
            }
            _ => {
                if !closing {
                    for child in node.children().rev() {
                        stack.push((child, false));
                    }
                }
            }
        }
    }
    while sinks.len() > 1 {
        let cell = sinks.pop().expect("cell sink").finish();
        sinks[0].push_text(&cell);
    }
    sinks.pop().expect("document sink").finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_tables_and_dropped_elements() {
        let page = r#"<!DOCTYPE html><html><head><title>站点</title><style>p{}</style></head>
<body><nav><a href="/">首页</a></nav><div class="breadcrumb">当前位置</div>
<h1>苏州工业园区
数据资源管理办法</h1>
<p>第一条　为了规范
数据资源管理，制定本办法。</p><p>第二条 适用<br>范围。</p>
<table><tr><th>事项</th><th>责任单位</th></tr><tr><td>数据<p>开放</p></td><td>大数据局</td></tr></table>
<ul><li>（一）甲</li><li>（二）乙</li></ul>
<script>var x = "不要";</script><div style="display: none">隐藏</div></body></html>"#;
        let t = html_to_text(page);
        assert_eq!(
            t,
            "苏州工业园区数据资源管理办法\n\n第一条　为了规范数据资源管理，制定本办法。\n\n第二条 适用\n范围。\n\n事项\t责任单位\n数据 开放\t大数据局\n\n（一）甲\n（二）乙\n"
        );
    }

    #[test]
    fn layout_tables_keep_their_lines() {
        let page = "<table><tr><td><p>标题</p><p>第一条 内容。</p>\
                    <table><tr><td>甲</td><td>乙</td></tr></table></td></tr></table>";
        assert_eq!(html_to_text(page), "标题\n\n第一条 内容。\n\n甲\t乙\n");
    }

    #[test]
    fn meta_charset_gbk() {
        let body = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>第一条 总则</p></body></html>";
        let (bytes, _, _) = GBK.encode(body);
        let t = extract(Path::new("a.html"), &bytes).unwrap();
        assert_eq!(t, "第一条 总则\n");
    }
}
