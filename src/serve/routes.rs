//! Requests to replies: one function per route, each a request to the
//! application layer and a page or the CLI's bytes.

use crate::app::compare::CompareRequest;
use crate::app::diff::DiffRequest;
use crate::app::search::SearchRequest;
use crate::compare::side_by_side::{self as sbs, By, ROW_THRESHOLD};
use crate::compare::{clauses::CLOSE_THRESHOLD, render};
use crate::corpus::Level;
use crate::Error;

use super::params::Params;
use super::{pages, Config};

/// Hits per page of search results.
pub const PAGE: usize = 20;
/// Hits counted for the facets beside the results.
pub const FACET_HITS: usize = 2000;

/// A reply: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(super) fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
                ("Referrer-Policy".into(), "no-referrer".into()),
            ],
            body,
        }
    }

    pub(super) fn html(status: u16, page: String) -> Reply {
        let mut r = Reply::new(status, "text/html; charset=utf-8", page.into_bytes());
        // Pages run only their own inline script and style; no framing by
        // other sites (the compare and diff frames are same-origin).
        r.headers.push((
            "Content-Security-Policy".into(),
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'".into(),
        ));
        r
    }

    fn json(body: Vec<u8>) -> Reply {
        Reply::new(200, "application/json; charset=utf-8", body)
    }

    fn download(content_type: &str, name: &str, body: Vec<u8>) -> Reply {
        let mut r = Reply::new(200, content_type, body);
        r.headers.push((
            "Content-Disposition".into(),
            format!("inline; filename=\"{name}\""),
        ));
        r
    }

    fn redirect(to: &str) -> Reply {
        let mut r = Reply::new(303, "text/plain; charset=utf-8", vec![]);
        r.headers.push(("Location".into(), to.into()));
        r
    }

    /// An error: a page naming what was wrong (status by kind), or JSON
    /// `{"error": …}` under /api/.
    fn error(api: bool, e: &Error) -> Reply {
        let status = match e {
            Error::Unknown { .. } => 404,
            e if e.is_user_error() => 400,
            _ => 500,
        };
        let message = e.to_string();
        if api {
            let body = serde_json::json!({ "error": message });
            let mut r = Reply::json(format!("{body:#}\n").into_bytes());
            r.status = status;
            r
        } else {
            Reply::html(status, pages::error(status, &message))
        }
    }
}

/// The URL for the log: the token left out.
pub fn loggable(url: &str) -> String {
    match url.find("token=") {
        Some(i) => format!("{}token=…", &url[..i]),
        None => url.to_string(),
    }
}

/// One request as the handler sees it: no socket, so tests build it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path and query string.
    pub url: &'a str,
    pub cookie: &'a str,
    /// The `Host` header (empty when absent).
    pub host: &'a str,
    /// The `Origin` header (empty when absent).
    pub origin: &'a str,
    pub content_type: &'a str,
    /// The body, at most `Config::max_upload` bytes.
    pub body: &'a [u8],
    /// The body was longer than `Config::max_upload` (not read beyond it).
    pub too_large: bool,
}

impl<'a> Request<'a> {
    /// A GET of `url` with no headers.
    pub fn get(url: &'a str) -> Request<'a> {
        Request {
            method: "GET",
            url,
            cookie: "",
            host: "",
            origin: "",
            content_type: "",
            body: &[],
            too_large: false,
        }
    }
}

/// Answer a request without a body (GET, HEAD; other methods are refused).
pub fn handle(config: &Config, method: &str, url: &str, cookie: &str) -> Reply {
    respond(
        config,
        &Request {
            method,
            cookie,
            ..Request::get(url)
        },
    )
}

/// Answer one request.
pub fn respond(config: &Config, req: &Request<'_>) -> Reply {
    let p = Params::parse(req.url);
    let mut set_cookie = None;
    if let Some(token) = &config.token {
        let cookie_ok = req
            .cookie
            .split(';')
            .any(|c| c.trim() == format!("pd_token={token}"));
        let param_ok = p.get("token") == Some(token.as_str());
        if !cookie_ok && !param_ok {
            return Reply::html(
                403,
                pages::error(
                    403,
                    "this server asks for its token: open the URL it printed",
                ),
            );
        }
        if param_ok && !cookie_ok {
            set_cookie = Some(format!(
                "pd_token={token}; Path=/; HttpOnly; SameSite=Strict"
            ));
        }
    }
    let mut reply = match req.method {
        "GET" | "HEAD" => route(config, &p),
        "POST" if p.path == "/add" && !config.read_only => super::upload::post(config, req),
        "POST" if p.path == "/api/add" && !config.read_only => super::upload::post_api(config, req),
        _ => {
            let writable = matches!(p.path.as_str(), "/add" | "/api/add") && !config.read_only;
            let why = if config.read_only {
                "this server is read-only"
            } else if writable {
                "the Add page takes GET and POST"
            } else {
                "only GET is served here"
            };
            let mut r = if p.path.starts_with("/api/") {
                Reply::error(true, &Error::Usage(why.into()))
            } else {
                Reply::html(405, pages::error(405, why))
            };
            r.status = 405;
            let allow = if writable {
                "GET, HEAD, POST"
            } else {
                "GET, HEAD"
            };
            r.headers.push(("Allow".into(), allow.into()));
            r
        }
    };
    if let Some(c) = set_cookie {
        reply.headers.push(("Set-Cookie".into(), c));
    }
    reply
}

fn route(config: &Config, p: &Params) -> Reply {
    let path = p.path.as_str();
    let api = path.starts_with("/api/");
    let result = match path {
        "/" | "/search" => search_page(config, p),
        "/api/search" => api_search(config, p),
        "/docs" => docs_page(config),
        "/add" if !config.read_only => Ok(Reply::html(
            200,
            pages::add_form(&config.csrf, config.max_upload),
        )),
        "/api/add" if !config.read_only => Ok(super::upload::form_api(config)),
        "/topics" => topics_page(config),
        "/api/topics" => api_topics(config),
        "/compare" => Ok(Reply::html(
            200,
            pages::frame_page("compare", p, &config_docs(config)),
        )),
        "/diff" => Ok(Reply::html(
            200,
            pages::frame_page("diff", p, &config_docs(config)),
        )),
        "/style.css" => Ok(Reply::new(
            200,
            "text/css; charset=utf-8",
            pages::CSS.as_bytes().to_vec(),
        )),
        _ => {
            if let Some(ext) = path.strip_prefix("/compare.") {
                compare_file(config, p, ext)
            } else if path == "/api/compare" {
                compare_file(config, p, "json")
            } else if let Some(ext) = path.strip_prefix("/diff.") {
                diff_file(config, p, ext)
            } else if path == "/api/diff" {
                diff_file(config, p, "json")
            } else if let Some(name) = path.strip_prefix("/doc/") {
                doc_page(config, name)
            } else if let Some(name) = path.strip_prefix("/api/doc/") {
                api_doc(config, name)
            } else if let Some(id) = path.strip_prefix("/explain/") {
                explain_page(config, id)
            } else if let Some(id) = path.strip_prefix("/api/explain/") {
                api_explain(config, id)
            } else if let Some(id) = path.strip_prefix("/p/") {
                provision_link(config, id)
            } else {
                return Reply::html(404, pages::error(404, &format!("no page at {path}")));
            }
        }
    };
    result.unwrap_or_else(|e| Reply::error(api, &e))
}

/// The documents of the corpus for the pages' pickers (empty on error),
/// from the snapshot searches share.
fn config_docs(config: &Config) -> Vec<crate::corpus::Entry> {
    let (ws, _) = config.workspace();
    config
        .shared
        .get(&ws)
        .map(|s| s.corpus.catalog.documents.clone())
        .unwrap_or_default()
}

fn search_request(p: &Params, limit: usize) -> SearchRequest {
    SearchRequest {
        query: p.get("q").unwrap_or_default().to_string(),
        jurisdictions: p.all("j"),
        docs: p.all("d"),
        topics: p.all("t"),
        instruments: p.all("i"),
        levels: p.all("level").into_iter().map(Level::from).collect(),
        from: p.get("from").map(String::from),
        to: p.get("to").map(String::from),
        limit,
        explain: false,
    }
}

/// The built-in framework's instruments (id, label) for the filter.
fn instrument_names() -> crate::Result<&'static [(String, String)]> {
    static NAMES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    if let Some(n) = NAMES.get() {
        return Ok(n);
    }
    let names = crate::classify::instruments::Framework::resolve(None)?
        .instruments
        .into_iter()
        .map(|i| (i.id, i.label))
        .collect();
    Ok(NAMES.get_or_init(|| names))
}

fn search_page(config: &Config, p: &Params) -> crate::Result<Reply> {
    let (ws, notices) = config.workspace();
    let snap = config.shared.get(&ws)?;
    // Answering from an index behind the corpus (its update failed): said
    // on the page, as `stale` says it in JSON.
    let stale = snap.stale.clone().or_else(|| config.shared.failure());
    let notices = || {
        let mut n = notices.take();
        n.extend(stale.as_ref().map(|s| s.notice()));
        n
    };
    let docs = &snap.corpus.catalog.documents;
    let topics = ws.taxonomy()?.topics().to_vec();
    let instruments = instrument_names()?;
    if p.get("q").is_none() {
        return Ok(Reply::html(
            200,
            pages::search(p, docs, &topics, instruments, None, &notices()),
        ));
    }
    let page: usize = p
        .get("page")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    // Enough hits for the facets and this page.
    let wanted = FACET_HITS.max(page * PAGE);
    match ws.search_with(&snap.corpus, &snap.reader, &search_request(p, wanted)) {
        Ok(res) => Ok(Reply::html(
            200,
            pages::search(
                p,
                docs,
                &topics,
                instruments,
                Some(Ok((&res, page))),
                &notices(),
            ),
        )),
        // The query's own errors (a column) and unknown filter names are
        // shown on the page, beside the form.
        Err(e) if e.is_user_error() => Ok(Reply::html(
            400,
            pages::search(
                p,
                docs,
                &topics,
                instruments,
                Some(Err(e.to_string())),
                &notices(),
            ),
        )),
        Err(e) => Err(e),
    }
}

fn api_search(config: &Config, p: &Params) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let snap = config.shared.get(&ws)?;
    let limit = p.get("n").and_then(|s| s.parse().ok()).unwrap_or(10);
    let res = ws.search_with(&snap.corpus, &snap.reader, &search_request(p, limit))?;
    let mut out = vec![];
    let stale = snap.stale.clone().or_else(|| config.shared.failure());
    crate::report::search::json(&mut out, &res, stale.as_ref())
        .map_err(|e| Error::io("rendering", e))?;
    Ok(Reply::json(out))
}

fn docs_page(config: &Config) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let snap = config.shared.get(&ws)?;
    Ok(Reply::html(
        200,
        pages::docs(&snap.corpus.catalog.documents, !config.read_only),
    ))
}

fn topics_page(config: &Config) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let cov = ws.coverage()?;
    Ok(Reply::html(200, pages::topics(&cov)))
}

fn api_topics(config: &Config) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let cov = ws.coverage()?;
    json_of(&ws.with_stale(&cov))
}

fn json_of<T: serde::Serialize>(v: &T) -> crate::Result<Reply> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| Error::Usage(e.to_string()))?;
    s.push('\n');
    Ok(Reply::json(s.into_bytes()))
}

fn doc_page(config: &Config, name: &str) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let (doc, _) = ws.document(name)?;
    let tax = ws.taxonomy()?;
    Ok(Reply::html(200, pages::document(&doc, tax)))
}

fn api_doc(config: &Config, name: &str) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let (doc, index) = ws.document(name)?;
    match index {
        Some(i) => json_of(&ws.with_stale(&doc.provisions[i])),
        None => {
            let mut out = vec![];
            crate::report::stale::json_list(&mut out, "provisions", &doc.provisions, ws.stale())
                .map_err(|e| Error::Other(e.to_string()))?;
            Ok(Reply::json(out))
        }
    }
}

/// `/explain/DOC[:SEQ]`: `topics --explain` on a page.
fn explain_page(config: &Config, id: &str) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let ex = ws.explain_topics(id)?;
    let mut text = vec![];
    crate::report::topics::explain_text(&mut text, &ex).map_err(|e| Error::io("rendering", e))?;
    Ok(Reply::html(
        200,
        pages::explain(&ex, &String::from_utf8_lossy(&text)),
    ))
}

/// `/api/explain/DOC[:SEQ]`: the bytes of `topics --explain ID --format json`.
fn api_explain(config: &Config, id: &str) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let ex = ws.explain_topics(id)?;
    json_of(&ex.rows)
}

/// `/p/DOC:SEQ`: the provision's place on its document's page.
fn provision_link(config: &Config, id: &str) -> crate::Result<Reply> {
    let (ws, _) = config.workspace();
    let (doc, index) = ws.document(id)?;
    let target = match index {
        Some(i) => format!("/doc/{}#p{}", doc.entry.id, i + 1),
        None => format!("/doc/{}", doc.entry.id),
    };
    Ok(Reply::redirect(&target))
}

fn threshold(p: &Params, default: f64) -> crate::Result<f64> {
    match p.get("threshold") {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| Error::Usage(format!("threshold '{s}' is not a number"))),
    }
}

/// `/compare.{md,html,json,csv}`: exactly the bytes `compare --format X` prints.
fn compare_file(config: &Config, p: &Params, ext: &str) -> crate::Result<Reply> {
    let Some(topic) = p.get("topic") else {
        return Err(Error::Usage("choose a topic (?topic=talent)".into()));
    };
    let by = match p.get("by").unwrap_or("jurisdiction") {
        "province" => By::Province,
        "city" => By::City,
        "doc" | "document" => By::Doc,
        "jurisdiction" => By::Jurisdiction,
        other => {
            return Err(Error::Usage(format!(
                "by '{other}' is not one of province, city, jurisdiction, doc"
            )))
        }
    };
    if !matches!(ext, "md" | "html" | "json" | "csv") {
        return Err(Error::Usage(format!(
            "compare does not write .{ext} (md, html, json or csv)"
        )));
    }
    let (ws, _) = config.workspace();
    let c = ws.compare(&CompareRequest {
        topic: topic.to_string(),
        jurisdictions: p.all("j"),
        docs: p.all("d"),
        by,
        max_columns: p
            .get("max_columns")
            .and_then(|s| s.parse().ok())
            .unwrap_or(12),
        threshold: threshold(p, ROW_THRESHOLD)?,
    })?;
    let name = format!("compare-{}.{ext}", c.report.topic.id);
    Ok(match ext {
        "json" => match ws.stale() {
            None => Reply::download(
                "application/json; charset=utf-8",
                &name,
                sbs::json(&c.report).into_bytes(),
            ),
            Some(_) => json_of(&ws.with_stale(&c.report))?,
        },
        "html" => {
            let mut r = Reply::html(200, sbs::html(&c.report));
            r.headers.push((
                "Content-Disposition".into(),
                format!("inline; filename=\"{name}\""),
            ));
            r
        }
        "csv" => {
            let mut buf = vec![];
            sbs::csv(&c.report, &mut buf).map_err(|e| Error::io("rendering", e))?;
            Reply::download("text/csv; charset=utf-8", &name, buf)
        }
        _ => Reply::download(
            "text/markdown; charset=utf-8",
            &name,
            sbs::markdown(&c.report).into_bytes(),
        ),
    })
}

/// `/diff.{md,html,json}`: exactly the bytes `diff --format X` prints.
fn diff_file(config: &Config, p: &Params, ext: &str) -> crate::Result<Reply> {
    let (Some(a), Some(b)) = (p.get("a"), p.get("b")) else {
        return Err(Error::Usage("choose two documents (?a=…&b=…)".into()));
    };
    if !matches!(ext, "md" | "html" | "json") {
        return Err(Error::Usage(format!(
            "diff does not write .{ext} here (md, html or json)"
        )));
    }
    let (ws, _) = config.workspace();
    let diff = ws.diff(&DiffRequest {
        a: a.to_string(),
        b: b.to_string(),
        threshold: threshold(p, CLOSE_THRESHOLD)?,
    })?;
    let name = format!("diff-{a}-{b}.{ext}");
    Ok(match ext {
        "json" => json_of(&ws.with_stale(&diff))?,
        "html" => Reply::html(200, render::html(&diff)),
        _ => Reply::download(
            "text/markdown; charset=utf-8",
            &name,
            render::markdown(&diff).into_bytes(),
        ),
    })
}
