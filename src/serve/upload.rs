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
use crate::Error;

use super::multipart;
use super::pages::{self, Added};
use super::routes::{Reply, Request};
use super::Config;

pub fn post(config: &Config, req: &Request<'_>) -> Reply {
    let refuse = |status: u16, message: &str| Reply::html(status, pages::error(status, message));
    if !host_ok(config, req.host) {
        return refuse(
            403,
            &format!("this server does not answer to the host '{}'", req.host),
        );
    }
    if !req.origin.is_empty() && req.origin != format!("http://{}", req.host) {
        return refuse(
            403,
            "the form was not sent from this server's own page (its Origin differs)",
        );
    }
    if req.too_large {
        return refuse(
            413,
            &format!(
                "the upload is larger than this server takes ({}; start it with --max-upload to change that)",
                megabytes(config.max_upload)
            ),
        );
    }
    let Some(boundary) = multipart::boundary(req.content_type) else {
        return refuse(400, "the Add page sends multipart/form-data");
    };
    let parts = match multipart::parse(req.body, &boundary) {
        Ok(p) => p,
        Err(e) => return refuse(400, &format!("the form is malformed: {e}")),
    };
    let field = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(p.data).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let sent = field("csrf").unwrap_or_default();
    if blake3::hash(sent.as_bytes()) != blake3::hash(config.csrf.as_bytes()) {
        return refuse(
            403,
            "the form's token is missing or wrong: reload the Add page and send it again",
        );
    }
    let files: Vec<(&str, &[u8])> = parts
        .iter()
        .filter_map(|p| Some((p.filename.as_deref()?, p.data)))
        .filter(|(name, _)| !name.is_empty())
        .collect();
    if files.is_empty() {
        return refuse(400, "choose at least one file to add");
    }
    let given = Detected {
        title: field("title"),
        jurisdiction: field("jurisdiction"),
        level: field("level"),
        issuer: field("issuer"),
        doc_number: field("doc_number"),
        date: field("date"),
        ..Default::default()
    };
    match add(
        config,
        &files,
        given,
        field("allow_near_duplicate").is_some(),
    ) {
        Ok((status, page)) => Reply::html(status, page),
        Err(e) => {
            let status = if e.is_user_error() { 400 } else { 500 };
            refuse(status, &e.to_string())
        }
    }
}

/// Save the files in a scratch folder under their own names, add them as
/// `add` does, index what was added while holding the lock, and describe
/// the result (200 when something was added, 400 when everything was
/// refused).
fn add(
    config: &Config,
    files: &[(&str, &[u8])],
    given: Detected,
    allow_near_duplicate: bool,
) -> crate::Result<(u16, String)> {
    let scratch = tempfile::Builder::new()
        .prefix("policy-diff-upload-")
        .tempdir()
        .map_err(|e| Error::io("creating a scratch folder for the upload", e))?;
    let mut paths = vec![];
    let mut names = vec![];
    for (i, (name, data)) in files.iter().enumerate() {
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
        allow_near_duplicate,
        given,
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
    let mut rows = vec![];
    for (item, outcome) in plan.items.iter().zip(&done.outcomes) {
        rows.push(match outcome {
            Outcome::Added(e) => Added::Yes {
                name: item.label.clone(),
                id: e.id.clone(),
                title: e.title.clone(),
                about: describe(e),
                note: missing_note(Path::new(&item.label), e),
            },
            Outcome::RolledBack(e) => Added::No {
                name: item.label.clone(),
                why: format!("readable (as {}), but another file was refused", e.id),
            },
            Outcome::Refused(why) => Added::No {
                name: item.label.clone(),
                why: why.clone(),
            },
            Outcome::Interrupted => Added::No {
                name: item.label.clone(),
                why: "the server is stopping: its conversion was stopped, nothing was added"
                    .to_string(),
            },
        });
    }
    let status = if done.added > 0 { 200 } else { 400 };
    Ok((status, pages::add_result(&rows, index, &notices.take())))
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
