//! `POST /add`: files uploaded from the Add page go through the same
//! planning, checks and refusals as `policy-diff add` (`app::add`), under
//! the corpus's write lock, and are indexed before the page answers. The
//! request must come from this server's own page: the form's CSRF token,
//! an `Origin` (when sent) naming the host asked, and a `Host` this server
//! answers to.

use std::path::{Path, PathBuf};

use crate::app::add::{describe, missing_note, AddProgress, AddRequest, Outcome};
use crate::corpus::extract::OcrMode;
use crate::corpus::meta::Detected;
use crate::corpus::{Date, Level};
use crate::Error;

use super::multipart;
use super::pages::{self, Added};
use super::routes::{Reply, Request};
use super::Config;

/// `POST /add`: the page answering an upload.
pub fn post(config: &Config, req: &Request<'_>) -> Reply {
    let refuse = |status: u16, message: &str| Reply::html(status, pages::error(status, message));
    let upload = match checked(config, req) {
        Ok(u) => u,
        Err((status, message)) => return refuse(status, &message),
    };
    match add(config, &upload) {
        Ok(done) => Reply::html(
            done.status(),
            pages::add_result(&done.rows(), done.index, &done.notices),
        ),
        Err(e) => refuse(if e.is_user_error() { 400 } else { 500 }, &e.to_string()),
    }
}

/// `POST /api/add`: the same upload, the same checks (the form's `csrf`
/// field included), answered in JSON: `{"added", "refused", "files":
/// [{"file", "outcome": "added"|"refused"|"rolled_back"|"interrupted",
/// "document" (the catalog entry), "note", "error"}], "index": {"summary"}
/// or {"error"} or null, "notices"}`; a refusal before any file is read is
/// `{"error"}` with its status.
pub fn post_api(config: &Config, req: &Request<'_>) -> Reply {
    let refuse = |status: u16, message: &str| {
        let body = serde_json::json!({ "error": message });
        json_reply(status, &body)
    };
    let upload = match checked(config, req) {
        Ok(u) => u,
        Err((status, message)) => return refuse(status, &message),
    };
    match add(config, &upload) {
        Ok(done) => json_reply(done.status(), &done.json()),
        Err(e) => refuse(if e.is_user_error() { 400 } else { 500 }, &e.to_string()),
    }
}

/// `GET /api/add`: what a script needs to post to `/api/add`.
pub fn form_api(config: &Config) -> Reply {
    let body = serde_json::json!({ "csrf": config.csrf, "max_upload": config.max_upload });
    json_reply(200, &body)
}

fn json_reply(status: u16, body: &serde_json::Value) -> Reply {
    let mut r = Reply::new(
        status,
        "application/json; charset=utf-8",
        format!("{body:#}\n").into_bytes(),
    );
    r.status = status;
    r
}

/// An upload that passed the checks: its files (name as sent, bytes) and
/// the metadata given.
struct Upload<'a> {
    files: Vec<(String, &'a [u8])>,
    given: Detected,
    allow_near_duplicate: bool,
}

/// The checks every upload passes before a file is read: the host, the
/// origin, the size, the form, its CSRF token and at least one file; else
/// the status and why.
fn checked<'a>(config: &Config, req: &Request<'a>) -> Result<Upload<'a>, (u16, String)> {
    if !host_ok(config, req.host) {
        return Err((
            403,
            format!("this server does not answer to the host '{}'", req.host),
        ));
    }
    if !req.origin.is_empty() && req.origin != format!("http://{}", req.host) {
        return Err((
            403,
            "the form was not sent from this server's own page (its Origin differs)".into(),
        ));
    }
    if req.too_large {
        return Err((
            413,
            format!(
                "the upload is larger than this server takes ({}; start it with --max-upload to change that)",
                megabytes(config.max_upload)
            ),
        ));
    }
    let Some(boundary) = multipart::boundary(req.content_type) else {
        return Err((400, "the Add page sends multipart/form-data".into()));
    };
    let parts = multipart::parse(req.body, &boundary)
        .map_err(|e| (400, format!("the form is malformed: {e}")))?;
    let field = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(p.data).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let sent = field("csrf").unwrap_or_default();
    if blake3::hash(sent.as_bytes()) != blake3::hash(config.csrf.as_bytes()) {
        return Err((
            403,
            "the form's token is missing or wrong: reload the Add page and send it again".into(),
        ));
    }
    let files: Vec<(String, &[u8])> = parts
        .iter()
        .filter_map(|p| Some((p.filename.clone()?, p.data)))
        .filter(|(name, _)| !name.is_empty())
        .collect();
    if files.is_empty() {
        return Err((400, "choose at least one file to add".into()));
    }
    Ok(Upload {
        files,
        given: Detected {
            title: field("title"),
            jurisdiction: field("jurisdiction"),
            level: field("level").map(Level::from),
            issuer: field("issuer"),
            doc_number: field("doc_number"),
            date: field("date").map(Date::from),
            ..Default::default()
        },
        allow_near_duplicate: field("allow_near_duplicate").is_some(),
    })
}

/// What became of an upload: each file under the name it was sent with and
/// its outcome, the index update (when something was added) and the
/// notices.
struct Done {
    files: Vec<(String, Outcome)>,
    added: usize,
    index: Option<Result<String, String>>,
    notices: Vec<String>,
}

impl Done {
    /// 200 when something was added, 400 when everything was refused.
    fn status(&self) -> u16 {
        if self.added > 0 {
            200
        } else {
            400
        }
    }

    /// The page's rows.
    fn rows(&self) -> Vec<Added> {
        self.files
            .iter()
            .map(|(name, outcome)| match outcome {
                Outcome::Added(e) => Added::Yes {
                    name: name.clone(),
                    id: e.id.clone(),
                    title: e.title.clone(),
                    about: describe(e),
                    note: missing_note(Path::new(name), e),
                },
                Outcome::RolledBack(e) => Added::No {
                    name: name.clone(),
                    why: format!("readable (as {}), but another file was refused", e.id),
                },
                Outcome::Refused(why) => Added::No {
                    name: name.clone(),
                    why: why.clone(),
                },
                Outcome::Interrupted => Added::No {
                    name: name.clone(),
                    why: "the server is stopping: its conversion was stopped, nothing was added"
                        .to_string(),
                },
            })
            .collect()
    }

    /// The JSON answer (see [`post_api`]).
    fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let files: Vec<_> = self
            .files
            .iter()
            .map(|(name, outcome)| match outcome {
                Outcome::Added(e) => json!({
                    "file": name, "outcome": "added", "document": e,
                    "note": missing_note(Path::new(name), e),
                }),
                Outcome::RolledBack(e) => json!({
                    "file": name, "outcome": "rolled_back", "document": e,
                    "error": "readable, but another file was refused",
                }),
                Outcome::Refused(why) => {
                    json!({ "file": name, "outcome": "refused", "error": why })
                }
                Outcome::Interrupted => json!({
                    "file": name, "outcome": "interrupted",
                    "error": "the server is stopping: its conversion was stopped",
                }),
            })
            .collect();
        let index = match &self.index {
            Some(Ok(summary)) => json!({ "summary": summary }),
            Some(Err(e)) => json!({ "error": e }),
            None => serde_json::Value::Null,
        };
        json!({
            "added": self.added,
            "refused": self.files.len() - self.added,
            "files": files,
            "index": index,
            "notices": self.notices,
        })
    }
}

/// Save the files in a scratch folder under their own names, add them as
/// `add` does and index what was added while holding the lock.
fn add(config: &Config, upload: &Upload<'_>) -> crate::Result<Done> {
    let scratch = tempfile::Builder::new()
        .prefix("policy-diff-upload-")
        .tempdir()
        .map_err(|e| Error::io("creating a scratch folder for the upload", e))?;
    let mut paths = vec![];
    let mut names = vec![];
    for (i, (name, data)) in upload.files.iter().enumerate() {
        let name = safe_name(name);
        let dir = scratch.path().join(i.to_string());
        std::fs::create_dir(&dir).map_err(|e| Error::io("saving the upload", e))?;
        let path = dir.join(&name);
        std::fs::write(&path, data).map_err(|e| Error::io("saving the upload", e))?;
        paths.push(path);
        names.push(name);
    }
    let req = AddRequest {
        files: paths,
        manifest: None,
        partial: false,
        ocr: OcrMode::Auto,
        allow_near_duplicate: upload.allow_near_duplicate,
        given: upload.given.clone(),
    };
    let (ws, notices) = config.workspace();
    let mut plan = ws.plan_add(&req)?;
    // Reported by the name it was uploaded under, not the scratch path.
    for item in &mut plan.items {
        if let Some(i) = paths_index(&req.files, &item.file) {
            item.label = names[i].clone();
        }
    }
    plan.check()?;
    let done = ws.add(&req, &plan, AddProgress::default())?;
    let index = (done.added > 0).then(|| {
        ws.update_index(&done.corpus, false)
            .map(|s| s.line())
            .map_err(|e| e.to_string())
    });
    drop(done.lock);
    let files = plan
        .items
        .iter()
        .map(|item| item.label.clone())
        .zip(done.outcomes)
        .collect();
    Ok(Done {
        files,
        added: done.added,
        index,
        notices: notices.take(),
    })
}

fn paths_index(paths: &[PathBuf], file: &Path) -> Option<usize> {
    paths.iter().position(|p| p == file)
}

/// The file's own name, as a browser sends it (some send a whole path):
/// its last component, without control characters; never hidden, never
/// empty.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "upload".to_string()
    } else {
        clean
    }
}

/// Is `host` (the `Host` header, with its port) a name this server answers
/// to? Loopback names, the address it is bound to, or anything when it
/// listens on every address (then the token guards it). A page of another
/// site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
fn host_ok(config: &Config, host: &str) -> bool {
    if host.is_empty() || config.bind.ip().is_unspecified() {
        return true;
    }
    let name = match host.rsplit_once(':') {
        Some((n, port)) if port.chars().all(|c| c.is_ascii_digit()) => n,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip == config.bind.ip())
}

/// `32 MB`, `4 KB`.
pub fn megabytes(bytes: usize) -> String {
    if bytes < 1024 * 1024 {
        return format!("{} KB", bytes.div_ceil(1024));
    }
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_stay_in_their_folder() {
        assert_eq!(safe_name("关于人才的意见.txt"), "关于人才的意见.txt");
        assert_eq!(safe_name("C:\\Users\\x\\plan.docx"), "plan.docx");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(".."), "upload");
        assert_eq!(safe_name(".hidden.txt"), "hidden.txt");
    }
}
