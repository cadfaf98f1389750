//! PDF: the text layer, read by poppler's `pdftotext -enc UTF-8 FILE -` run
//! through [`run`](super::run) (poppler reads the CJK CMaps of official
//! documents, e.g. GBK-EUC-H, with the poppler-data package; Rust PDF crates
//! fail on them). Page breaks become line breaks; the layout stage drops
//! page numbers and running headers. A PDF without a text layer (a scan) is
//! read by OCR ([`ocr`](super::ocr)) unless `--ocr never`, which refuses it
//! with a hint; `--ocr always` reads every PDF by OCR.

use std::path::{Path, PathBuf};

use super::run::{self, Tool};
use super::{Ocr, OcrMode, Options, Output};
use crate::error::{Error, Result};

/// Seconds `pdftotext` may run on one file (environment variable).
pub const TIMEOUT_ENV: &str = "POLICY_DIFF_PDF_TIMEOUT";

/// The command that reads PDFs (environment variable, default `pdftotext`).
pub const PDFTOTEXT_ENV: &str = "POLICY_DIFF_PDFTOTEXT";

pub const INSTALL_HINT: &str = "install poppler-utils and poppler-data \
    (Debian/Ubuntu: apt-get install poppler-utils poppler-data; macOS: brew install poppler)";

/// What to do with a scan when OCR is off.
pub const OCR_HINT: &str = "add it with `--ocr auto` (the default) to read it by OCR, \
    or run OCR on it first, e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`, and add the result";

pub const PDFTOTEXT: Tool = Tool {
    program: "pdftotext",
    program_env: PDFTOTEXT_ENV,
    purpose: "reading PDF files",
    install: INSTALL_HINT,
    timeout_env: Some(TIMEOUT_ENV),
    default_secs: 120.0,
};

/// Extract the text layer of the PDF at `path`, or its pages' text by OCR.
pub fn extract(path: &Path, options: &Options<'_>) -> Result<Output> {
    if options.ocr == OcrMode::Always {
        return ocr_pdf(path, options);
    }
    let text = pdftotext(path)?;
    if text.trim().is_empty() {
        if options.ocr == OcrMode::Auto {
            return ocr_pdf(path, options);
        }
        return Err(Error::input(
            path,
            format!("the PDF has no text layer (a scanned document?): {OCR_HINT}"),
        ));
    }
    if !text.chars().any(crate::text::is_han) {
        return Err(Error::input(
            path,
            "no Chinese text found in the PDF's text layer (if its pages show Chinese, \
             its fonts carry no Unicode map): add it with `--ocr always` to read its pages by OCR",
        ));
    }
    Ok(Output::text(text))
}

fn ocr_pdf(path: &Path, options: &Options<'_>) -> Result<Output> {
    let (text, ocr): (String, Ocr) = super::ocr::pdf(path, options)?;
    Ok(Output {
        text,
        verbatim: false,
        ocr: Some(ocr),
    })
}

/// A relative name starting with '-' would read as an option.
pub(crate) fn safe_arg(path: &Path) -> PathBuf {
    if path.is_relative() && path.to_string_lossy().starts_with('-') {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}

/// The text layer (pages separated by line breaks).
pub fn pdftotext(path: &Path) -> Result<String> {
    let mut cmd = PDFTOTEXT.command();
    cmd.args(["-enc", "UTF-8"]).arg(safe_arg(path)).arg("-");
    let done = run::run(&PDFTOTEXT, cmd, path)?;
    if !done.status.success() {
        let why = done.why();
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
    Ok(String::from_utf8_lossy(&done.stdout).replace('\u{c}', "\n"))
}
