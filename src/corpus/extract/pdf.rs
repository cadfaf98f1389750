//! PDF: the text layer, read by poppler's `pdftotext -enc UTF-8 FILE -` run
//! as a subprocess with a time limit (poppler reads the CJK CMaps of
//! official documents, e.g. GBK-EUC-H, with the poppler-data package; Rust
//! PDF crates fail on them). Page breaks become line breaks; the layout
//! stage drops page numbers and running headers. A PDF without a text layer
//! (a scan) is refused with a hint to OCR it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Seconds `pdftotext` may run on one file (environment variable).
pub const TIMEOUT_ENV: &str = "POLICY_DIFF_PDF_TIMEOUT";
const DEFAULT_TIMEOUT_SECS: f64 = 120.0;

/// The command that reads PDFs (environment variable, default `pdftotext`).
pub const PDFTOTEXT_ENV: &str = "POLICY_DIFF_PDFTOTEXT";

pub const INSTALL_HINT: &str = "install poppler-utils and poppler-data \
    (Debian/Ubuntu: apt-get install poppler-utils poppler-data; macOS: brew install poppler)";

/// What to do with a scan: OCR it into a PDF with a text layer.
pub const OCR_HINT: &str =
    "run OCR on it first, e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`, and add the result";

fn timeout() -> Duration {
    let secs = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    Duration::from_secs_f64(secs)
}

/// Extract the text layer of the PDF at `path`.
pub fn extract(path: &Path, _bytes: &[u8]) -> Result<String> {
    let text = run_pdftotext(path)?;
    let text = text.replace('\u{c}', "\n");
    if text.trim().is_empty() {
        return Err(Error::input(
            path,
            format!("the PDF has no text layer (a scanned document?): {OCR_HINT}"),
        ));
    }
    if !text.chars().any(crate::text::is_han) {
        return Err(Error::input(
            path,
            "no Chinese text found in the PDF's text layer (if its pages show Chinese, \
             its fonts carry no Unicode map): OCR it, e.g. \
             `ocrmypdf -l chi_sim --force-ocr in.pdf out.pdf`, and add the result",
        ));
    }
    Ok(text)
}

fn run_pdftotext(path: &Path) -> Result<String> {
    let program = std::env::var_os(PDFTOTEXT_ENV).unwrap_or_else(|| "pdftotext".into());
    // A relative name starting with '-' would read as an option.
    let arg: PathBuf = if path.is_relative() && path.to_string_lossy().starts_with('-') {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    };
    let mut child = Command::new(&program)
        .args(["-enc", "UTF-8"])
        .arg(&arg)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::input(
                    path,
                    format!(
                        "reading PDF files needs poppler's `pdftotext`, which was not found: {INSTALL_HINT}"
                    ),
                )
            } else {
                Error::input(path, format!("cannot run pdftotext: {e}"))
            }
        })?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.take(64 * 1024).read_to_end(&mut v);
        v
    });
    let limit = timeout();
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = out.join();
                let _ = err.join();
                return Err(Error::input(
                    path,
                    format!(
                        "pdftotext did not finish within {:.0} s (set {TIMEOUT_ENV} to allow longer)",
                        limit.as_secs_f64()
                    ),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Error::input(path, format!("waiting for pdftotext: {e}"))),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let msg: Vec<&str> = msg
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect();
        let why = if msg.is_empty() {
            status.to_string()
        } else {
            msg.join("; ")
        };
        let why = if why.to_lowercase().contains("password") {
            format!("the PDF is encrypted ({why})")
        } else {
            why
        };
        return Err(Error::input(
            path,
            format!("not a readable PDF (pdftotext: {why})"),
        ));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
