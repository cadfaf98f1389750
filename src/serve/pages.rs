//! The pages, as maud templates: every piece of document text and query
//! echoed into a page is escaped by maud (only the stylesheet and the SVG
//! built here from escaped parts are inserted raw).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::app::search::SearchResults;
use crate::classify::topics::{Coverage, Taxonomy, Topic};
use crate::corpus::{AsText, Document, Entry};
use crate::report::html_escape;

use super::params::Params;
use super::routes::PAGE;

/// One stylesheet: system CJK fonts, a reading line height, a measure that
/// suits Chinese text, and a layout that folds to one column on a phone.
pub const CSS: &str = r#"
:root { --ink:#1d2430; --muted:#5b6577; --line:#d9dee7; --accent:#a3262a; --bg:#fbfbfc; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:var(--bg);
  font-family: "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Hiragino Sans GB",system-ui,sans-serif;
  line-height:1.75; font-size:16px; }
header { background:#fff; border-bottom:1px solid var(--line); padding:.5rem 1rem; display:flex; gap:1.2rem; align-items:baseline; flex-wrap:wrap; }
header b { color:var(--accent); }
header a { color:var(--ink); text-decoration:none; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.cols { display:grid; grid-template-columns: 1fr 16rem; gap:1.5rem; }
@media (max-width: 50rem) { .cols { grid-template-columns: 1fr; } }
form.q { display:flex; flex-wrap:wrap; gap:.5rem; margin-bottom:1rem; }
form.q input[name=q] { flex:1 1 20rem; font-size:1.1rem; padding:.4rem .6rem; }
form.q input, form.q select, form.q button { font:inherit; padding:.3rem .5rem; }
.hit { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.6rem .9rem; margin:.6rem 0; }
.hit h3 { margin:0; font-size:1.05rem; }
.hit .cite { color:var(--muted); font-size:.9rem; }
mark { background:#ffe7a3; color:inherit; padding:0 .1em; }
.error { background:#fdecea; border:1px solid #f5c2c0; padding:.6rem .9rem; border-radius:6px; white-space:pre-wrap; }
.notice { color:var(--muted); font-size:.9rem; }
aside h4 { margin:.8rem 0 .2rem; }
aside ul { list-style:none; padding:0; margin:0; }
aside li { display:flex; justify-content:space-between; gap:.5rem; }
.prov { padding:.4rem .6rem; border-left:3px solid transparent; margin:.3rem 0; }
.prov:target { border-left-color:var(--accent); background:#fff6e0; }
.prov .id { color:var(--muted); font-size:.85rem; }
.path { color:var(--muted); }
table { border-collapse:collapse; }
td, th { border:1px solid var(--line); padding:.2rem .5rem; }
iframe { width:100%; height:80vh; border:1px solid var(--line); background:#fff; }
.downloads a { margin-right:.8rem; }
nav.pages a, nav.pages b { margin-right:.6rem; }
form.add label { display:flex; gap:.8rem; margin:.4rem 0; flex-wrap:wrap; }
form.add label > span:first-child { width:10rem; color:var(--muted); }
form.add input[type=text], form.add input:not([type]) { flex:1 1 16rem; font:inherit; padding:.3rem .5rem; }
pre.explain { white-space:pre-wrap; font-size:.85rem; background:#fff; border:1px solid var(--line); padding:.6rem; }
details.dropped { margin-top:1.5rem; color:var(--muted); }
pre.explain { white-space:pre-wrap; font-size:.85rem; background:#fff; border:1px solid var(--line); padding:.6rem; }
details.dropped { margin-top:1.5rem; color:var(--muted); }
.searchable { background:#e8f5e9; border:1px solid #b7dfb9; padding:.6rem .9rem; border-radius:6px; }
"#;

fn layout(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · policy-diff" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    b { "policy-diff" }
                    a href="/" { "检索 Search" }
                    a href="/docs" { "文件 Documents" }
                    a href="/topics" { "主题 Topics" }
                    a href="/compare" { "对标 Compare" }
                    a href="/diff" { "比对 Diff" }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

pub fn error(status: u16, message: &str) -> String {
    layout(
        &format!("{status}"),
        html! { h2 { (status) } p.error { (message) } },
    )
}

/// `text` with the character ranges `marks` in `<mark>`.
fn marked(text: &str, marks: &[(usize, usize)]) -> Markup {
    let chars: Vec<char> = text.chars().collect();
    let mut parts: Vec<(String, bool)> = vec![];
    let mut at = 0;
    for &(s, e) in marks {
        let (s, e) = (s.min(chars.len()).max(at), e.min(chars.len()));
        if s >= e {
            continue;
        }
        parts.push((chars[at..s].iter().collect(), false));
        parts.push((chars[s..e].iter().collect(), true));
        at = e;
    }
    parts.push((chars[at..].iter().collect(), false));
    html! { @for (t, m) in &parts { @if *m { mark { (t) } } @else { (t) } } }
}

fn jurisdictions(docs: &[Entry]) -> Vec<String> {
    let mut js: Vec<String> = vec![];
    for d in docs {
        if !d.jurisdiction.is_empty() && !js.contains(&d.jurisdiction) {
            js.push(d.jurisdiction.clone());
        }
    }
    js
}

/// Up to this many documents, the search form lists them to choose from.
pub const DOC_LIST: usize = 200;

/// The levels of the corpus's documents, in order.
fn levels(docs: &[Entry]) -> Vec<String> {
    let mut ls: Vec<String> = docs
        .iter()
        .filter_map(|d| d.level.as_ref())
        .map(|l| l.to_string())
        .collect();
    ls.sort();
    ls.dedup();
    ls
}

/// The search page: the form, then (with a query) the hits of this page
/// beside the counts per jurisdiction and per topic, or the query's error.
pub fn search(
    p: &Params,
    docs: &[Entry],
    topics: &[Topic],
    instruments: &[(String, String)],
    result: Option<Result<(&SearchResults, usize), String>>,
    notices: &[String],
) -> String {
    let q = p.get("q").unwrap_or_default();
    let form = html! {
        form.q method="get" action="/search" {
            input name="q" value=(q) placeholder="人才 公寓 · \"高质量发展\" · 土地 AND 指标" autofocus;
            select name="j" {
                option value="" { "所有地区 all jurisdictions" }
                @for j in jurisdictions(docs) {
                    option value=(j) selected[p.all("j").contains(&j)] { (j) }
                }
            }
            select name="t" {
                option value="" { "所有主题 all topics" }
                @for t in topics {
                    option value=(t.id) selected[p.all("t").contains(&t.id)] { (t.label) " " (t.id) }
                }
            }
            // A list of every document is kept for small corpora; past
            // DOC_LIST documents the page would weigh more than its hits
            // (1,500 documents: 150 KB), so the document is typed (id, 文号
            // or part of the title, as `--doc` takes it).
            @if docs.len() <= DOC_LIST {
                select name="d" {
                    option value="" { "所有文件 all documents" }
                    @for d in docs {
                        option value=(d.id) selected[p.all("d").contains(&d.id)] { (d.id) " " (d.title) }
                    }
                }
            } @else {
                input name="d" value=(p.get("d").unwrap_or_default()) placeholder="文件 document: id, 文号 or title" size="18";
            }
            select name="level" {
                option value="" { "所有层级 all levels" }
                @for l in levels(docs) {
                    option value=(l) selected[p.all("level").contains(&l)] { (l) }
                }
            }
            select name="i" {
                option value="" { "所有政策工具 all instruments" }
                @for (id, label) in instruments {
                    option value=(id) selected[p.all("i").contains(id)] { (label) " " (id) }
                }
            }
            input name="from" value=(p.get("from").unwrap_or_default()) placeholder="from 2021" size="8";
            input name="to" value=(p.get("to").unwrap_or_default()) placeholder="to 2022-06" size="8";
            button type="submit" { "检索" }
        }
    };
    let body = match result {
        None => html! {
            (form)
            p.notice { "Words, \"exact phrases\" (also “…” 「…」), AND / OR / NOT, -word. Filters narrow by jurisdiction, topic, document, level, policy instrument and date." }
        },
        Some(Err(message)) => html! {
            (form)
            p.error { (message) }
        },
        Some(Ok((res, page))) => {
            let shown: Vec<_> = res.hits.iter().skip((page - 1) * PAGE).take(PAGE).collect();
            let pages = res.hits.len().div_ceil(PAGE).max(1);
            let mut by_jur: Vec<(String, usize)> = vec![];
            let mut by_topic: Vec<(String, usize)> = vec![];
            for f in &res.hits {
                bump(&mut by_jur, &f.entry.jurisdiction);
                for t in &f.hit.topics {
                    bump(&mut by_topic, t);
                }
            }
            by_jur.sort_by_key(|x| std::cmp::Reverse(x.1));
            by_topic.sort_by_key(|x| std::cmp::Reverse(x.1));
            let label = |id: &str| {
                topics
                    .iter()
                    .find(|t| t.id == id)
                    .map_or(id.to_string(), |t| t.label.clone())
            };
            html! {
                (form)
                @for n in notices { p.notice { (n) } }
                div.cols {
                    section {
                        p { (res.total) " provisions match" @if res.hits.len() < res.total { " (the first " (res.hits.len()) " are counted beside)" } }
                        @for (i, f) in shown.iter().enumerate() {
                            article.hit {
                                h3 {
                                    span.id { ((page - 1) * PAGE + i + 1) ". " }
                                    a href=(format!("/p/{}", f.hit.provision_id)) { (f.hit.heading) }
                                }
                                div.cite { (crate::report::search::citation(&f.entry, &f.hit)) " · " (f.hit.provision_id) }
                                p { (marked(&f.snippet.text, &f.snippet.highlights)) }
                            }
                        }
                        @if pages > 1 {
                            nav.pages {
                                @for n in 1..=pages.min(50) {
                                    @if n == page { b { (n) } } @else { a href=(format!("/search?{}", p.with("page", Some(&n.to_string())))) { (n) } }
                                }
                            }
                        }
                    }
                    aside {
                        h4 { "地区 Jurisdictions" }
                        ul { @for (j, n) in &by_jur { li { a href=(format!("/search?{}", p.adding("j", j))) { (j) } span { (n) } } } }
                        h4 { "主题 Topics" }
                        ul { @for (t, n) in &by_topic { li { a href=(format!("/search?{}", p.adding("t", t))) { (label(t)) } span { (n) } } } }
                        p.notice { a href=(format!("/api/search?{}", p.with("page", None))) { "JSON" } }
                    }
                }
            }
        }
    };
    layout(if q.is_empty() { "检索" } else { q }, body)
}

fn bump(counts: &mut Vec<(String, usize)>, key: &str) {
    match counts.iter_mut().find(|(k, _)| k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key.to_string(), 1)),
    }
}

pub fn docs(entries: &[Entry], can_add: bool) -> String {
    layout(
        "文件",
        html! {
            h2 { (entries.len()) " documents" }
            @if can_add { p { a href="/add" { "添加文件 Add documents" } } }
            table {
                tr { th { "id" } th { "地区" } th { "日期" } th { "文号" } th { "标题" } }
                @for e in entries {
                    tr {
                        td { a href=(format!("/doc/{}", e.id)) { (e.id) } }
                        td { (e.jurisdiction) } td { (e.date.text()) } td { (e.doc_number) }
                        td { a href=(format!("/doc/{}", e.id)) { (e.title) } }
                    }
                }
            }
        },
    )
}

/// A document: metadata, then every provision with its anchor (`#p9`,
/// reached by `/p/DOC:9` and highlighted), path, topics and units.
pub fn document(doc: &Document, tax: &Taxonomy) -> String {
    let e = &doc.entry;
    // The section headings to print above each provision: those that
    // differ from the previous provision's path.
    let mut last_path: &[String] = &[];
    let new_paths: Vec<Vec<&String>> = doc
        .provisions
        .iter()
        .map(|p| {
            let new = p
                .path
                .iter()
                .enumerate()
                .filter(|(d, h)| last_path.get(*d) != Some(*h))
                .map(|(_, h)| h)
                .collect();
            last_path = &p.path;
            new
        })
        .collect();
    let body = html! {
        h2 { (e.title) }
        p.cite {
            @for f in [e.jurisdiction.text(), e.issuer.text(), e.doc_number.text(), e.date.text(), e.level.text()] {
                @if !f.trim().is_empty() { (f) " · " }
            }
            (e.id)
        }
        @for (i, p) in doc.provisions.iter().enumerate() {
            @for h in &new_paths[i] { div.path { (h) } }
            div.prov id=(format!("p{}", i + 1)) {
                div.id {
                    a href=(format!("/p/{}", p.id)) { (p.id) }
                    @let topics = crate::classify::topics::topic_ids(tax, p);
                    @for (k, t) in topics.iter().enumerate() {
                        (if k == 0 { " · " } else { ", " })
                        a.topic href=(format!("/explain/{}#{}", p.id, t)) title="why this topic (topics --explain)" { (t) }
                    }
                }
                strong { (p.heading) }
                @if !p.text.is_empty() && p.text != p.heading { p { (p.text) } }
                @if !p.responsible_units.is_empty() { div.cite { "责任单位: " (p.responsible_units.join("、")) } }
            }
        }
        @if !doc.layout_dropped.is_empty() {
            @let lines: Vec<&str> = doc.text.lines().collect();
            details.dropped {
                summary { "未收录的行 Dropped lines (" (doc.layout_dropped.len()) "): page numbers, table of contents, running headers and footers the parser left out" }
                table {
                    tr { th { "line" } th { "why" } th { "text" } }
                    @for d in &doc.layout_dropped {
                        tr {
                            td { (d.line + 1) }
                            td { (dropped_reason(d.reason)) }
                            td { (lines.get(d.line).copied().unwrap_or_default().trim_end()) }
                        }
                    }
                }
            }
        }
        p.notice { a href=(format!("/api/doc/{}", e.id)) { "JSON" } }
    };
    layout(&e.title, body)
}

fn dropped_reason(r: crate::corpus::layout::DropReason) -> &'static str {
    use crate::corpus::layout::DropReason as R;
    match r {
        R::PageNumber => "page number",
        R::TableOfContents => "table of contents",
        R::RunningHeader => "running header",
        R::Footer => "footer",
        R::Comment => "markup comment",
    }
}

/// Why a document's (or one provision's) provisions are on their topics:
/// `topics --explain ID` as the CLI prints it, each provision's topics
/// linked to its search.
pub fn explain(ex: &crate::app::topics::TopicsExplained, text: &str) -> String {
    layout(
        &format!("{} · topics", ex.doc_id),
        html! {
            h2 { "主题说明 Why these topics" }
            p.cite { a href=(format!("/doc/{}", ex.doc_id)) { (ex.title) } " · " (ex.doc_id) }
            @for r in &ex.rows {
                p {
                    a href=(format!("/p/{}", r.provision_id)) { (r.provision_id) } " " (r.heading) " → "
                    @if r.topics.is_empty() { "—" }
                    @for t in &r.topics { b id=(t) { (t) } " " }
                }
            }
            p.notice { "Each topic's score: heading, parent section and body parts, and the words that gave it; * marks the topics at or above the threshold." }
            pre.explain { (text) }
        },
    )
}

/// The topic × jurisdiction heat map (SVG): each cell links to the search
/// for that topic in that jurisdiction.
pub fn topics(cov: &Coverage) -> String {
    let (cw, ch, left, top) = (110.0, 26.0, 190.0, 40.0);
    let max = cov
        .topics
        .iter()
        .flat_map(|t| cov.jurisdictions.iter().map(|j| t.counts.get(j)))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let w = left + cw * cov.jurisdictions.len() as f64 + 10.0;
    let h = top + ch * cov.topics.len() as f64 + 10.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" role="img" aria-label="topic coverage">"#
    );
    for (c, j) in cov.jurisdictions.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>"#,
            left + cw * c as f64 + cw / 2.0,
            top - 12.0,
            html_escape(j)
        ));
    }
    for (r, t) in cov.topics.iter().enumerate() {
        let y = top + ch * r as f64;
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="13" text-anchor="end">{} {}</text>"#,
            left - 8.0,
            y + ch * 0.68,
            html_escape(&t.label),
            html_escape(&t.id)
        ));
        for (c, j) in cov.jurisdictions.iter().enumerate() {
            let n = t.counts.get(j);
            let shade = (n as f64 / max).sqrt();
            let fill = format!(
                "rgb({},{},{})",
                (255.0 - 92.0 * shade) as u8,
                (255.0 - 217.0 * shade) as u8,
                (255.0 - 213.0 * shade) as u8
            );
            let href = format!(
                "/search?q={}&t={}&j={}",
                form_urlencoded::byte_serialize(t.label.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(t.id.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(j.as_bytes()).collect::<String>()
            );
            svg.push_str(&format!(
                r##"<a href="{}"><rect x="{}" y="{y}" width="{}" height="{}" fill="{fill}" stroke="#fff"><title>{} · {}: {n}</title></rect><text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{n}</text></a>"##,
                html_escape(&href),
                left + cw * c as f64,
                cw - 2.0,
                ch - 2.0,
                html_escape(j),
                html_escape(&t.label),
                left + cw * c as f64 + cw / 2.0,
                y + ch * 0.68,
                if shade > 0.6 { "#fff" } else { "#1d2430" }
            ));
        }
    }
    svg.push_str("</svg>");
    layout(
        "主题",
        html! {
            h2 { "主题 × 地区 Topic coverage" }
            p.notice { "Provisions per topic and jurisdiction (taxonomy " (cov.taxonomy_version) ", threshold " (cov.threshold) "). A cell opens those provisions." }
            (PreEscaped(svg))
            p.notice { a href="/api/topics" { "JSON" } }
        },
    )
}

/// The compare and diff pages: a form, the report in a frame (the same
/// self-contained HTML the CLI writes), and the downloads.
pub fn frame_page(kind: &str, p: &Params, docs: &[Entry]) -> String {
    let qs = p.with("token", None);
    let ready = match kind {
        "compare" => p.get("topic").is_some(),
        _ => p.get("a").is_some() && p.get("b").is_some(),
    };
    let formats: &[&str] = if kind == "compare" {
        &["md", "html", "json", "csv"]
    } else {
        &["md", "html", "json"]
    };
    let doc_select = |name: &str| {
        html! {
            select name=(name) {
                option value="" { "—" }
                @for d in docs {
                    option value=(d.id) selected[p.get(name) == Some(d.id.as_str())] { (d.id) " " (d.jurisdiction) " " (d.title) }
                }
            }
        }
    };
    let form = if kind == "compare" {
        html! {
            form.q method="get" action="/compare" {
                input name="topic" value=(p.get("topic").unwrap_or_default()) placeholder="topic: talent, 人才, land, fiscal …";
                select name="by" {
                    @for b in ["jurisdiction", "city", "province", "doc"] {
                        option value=(b) selected[p.get("by").unwrap_or("jurisdiction") == b] { "by " (b) }
                    }
                }
                input name="j" value=(p.get("j").unwrap_or_default()) placeholder="jurisdiction (optional)";
                button type="submit" { "对标" }
            }
        }
    } else {
        html! {
            form.q method="get" action="/diff" {
                (doc_select("a")) (doc_select("b"))
                button type="submit" { "比对" }
            }
        }
    };
    layout(
        if kind == "compare" {
            "对标"
        } else {
            "比对"
        },
        html! {
            (form)
            @if ready {
                p.downloads {
                    "Download: "
                    @for f in formats { a href=(format!("/{kind}.{f}?{qs}")) download { (f) } }
                }
                iframe src=(format!("/{kind}.html?{qs}")) title=(kind) {}
            }
        },
    )
}

/// The Add page: files and the metadata `add` takes by flag, with this
/// server's CSRF token.
pub fn add_form(csrf: &str, max_upload: usize) -> String {
    let field = |name: &str, label: &str, hint: &str| {
        html! {
            label { span { (label) } input name=(name) placeholder=(hint); }
        }
    };
    layout(
        "添加",
        html! {
            h2 { "添加文件 Add documents" }
            form.add method="post" action="/add" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label { span { "文件 Files" } input type="file" name="files" multiple required; }
                p.notice {
                    "Text in any common encoding, .md, .html, .docx, .pdf, .doc, .wps, .ofd, scans; at most "
                    (super::upload::megabytes(max_upload)) " in all. The fields below are optional: what is left empty is detected from the text (title and 文号 describe one file)."
                }
                (field("title", "标题 Title", ""))
                (field("doc_number", "文号 Doc number", "苏园管〔2023〕12号"))
                (field("issuer", "发文机关 Issuer", "南通市人民政府"))
                (field("jurisdiction", "地区 Jurisdiction", "南通市"))
                (field("level", "层级 Level", "city"))
                (field("date", "日期 Date", "2023-05-01"))
                label { span { "" } span { input type="checkbox" name="allow_near_duplicate"; " add even when nearly the same as a document already in the corpus" } }
                button type="submit" { "添加 Add" }
            }
        },
    )
}

/// What became of one uploaded file.
pub enum Added {
    Yes {
        name: String,
        id: String,
        title: String,
        /// ` (南通市, 通政发〔2022〕18号, 2022-03-15)`.
        about: String,
        /// Fields not detected.
        note: Option<String>,
    },
    No {
        name: String,
        why: String,
    },
}

/// The answer to an upload: each file added (with its link) or refused
/// (why), then whether the index now holds the new documents.
pub fn add_result(
    rows: &[Added],
    index: Option<Result<String, String>>,
    notices: &[String],
) -> String {
    layout(
        "添加",
        html! {
            h2 { "添加文件 Add documents" }
            @for n in notices { p.notice { (n) } }
            ul.added {
                @for r in rows {
                    @match r {
                        Added::Yes { name, id, title, about, note } => li {
                            "added " (name) " as " a href=(format!("/doc/{id}")) { (id) } ": 《" (title) "》" (about)
                            @if let Some(n) = note { div.notice { (n) } }
                        },
                        Added::No { name, why } => li.error { "refused " (name) ": " (why) },
                    }
                }
            }
            @match &index {
                Some(Ok(summary)) => p.searchable { "Searchable now: the index holds the new documents (" (summary) ")." },
                Some(Err(e)) => p.error { "The documents are in the corpus, but indexing them failed (the next search will try again): " (e) },
                None => p.notice { "Nothing was added; the corpus and the index are unchanged." },
            }
            p { a href="/add" { "添加更多 Add more" } " · " a href="/docs" { "文件 Documents" } }
        },
    )
}
