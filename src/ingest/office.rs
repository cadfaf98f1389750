//! Word 97-2003 (.doc) and WPS Office (.wps), and RTF saved under those
//! names: LibreOffice in headless mode
//! converts the file to .docx, which [`docx`](super::docx) reads (tables
//! stay rows of tab-separated cells; numbering typed as text is kept, and
//! Word's generated list numbers are not rendered, as for .docx). Each
//! conversion runs through [`run`](super::run) with its own temporary user
//! profile (`-env:UserInstallation`), so conversions at once do not hand
//! their work to each other's office process, and the file is copied into
//! the scratch folder under a plain name (a name starting with `-`, or with
//! characters LibreOffice reads as a URL, cannot confuse it). OLE files are
//! read with the Word 97 filter forced (WPS Office writes .wps in that
//! format since WPS 2005), so a damaged file is refused instead of being
//! read as plain text.
//!
//! Measured against antiword and catdoc on the same documents (BENCHMARKS.md):
//! those are 100 times faster but lose table rows (antiword draws them with
//! `|` and wraps cells) or hard-wrap every paragraph, and read no .wps
//! variant but the Word-compatible one; LibreOffice reads all of them.

use std::path::Path;

use super::run::{self, Scratch, Tool};
use crate::error::{Error, Result};

pub const INSTALL_HINT: &str = "install LibreOffice's Writer \
    (Debian/Ubuntu: apt-get install libreoffice-writer-nogui; macOS: brew install --cask libreoffice)";

pub const SOFFICE: Tool = Tool {
    program: "soffice",
    program_env: "POLICY_DIFF_SOFFICE",
    purpose: "reading .doc and .wps files",
    install: INSTALL_HINT,
    timeout_env: None,
    default_secs: 180.0,
};

const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The text of a .doc or .wps file (via LibreOffice and .docx).
pub fn extract(path: &Path, bytes: &[u8]) -> Result<String> {
    let docx = to_docx(path, bytes)?;
    super::docx::extract(path, &docx).map_err(|e| match e {
        Error::Input { reason, .. } => Error::input(
            path,
            format!("LibreOffice converted it, but its output could not be read: {reason}"),
        ),
        e => e,
    })
}

/// The file converted to .docx by LibreOffice.
pub fn to_docx(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    let scratch = Scratch::new()?;
    // Kingsoft's .wps files since WPS 2005 are Word-compatible OLE files:
    // LibreOffice reads them as .doc. Other names keep their extension for
    // its type detection.
    let ole = bytes.starts_with(&OLE);
    let input = scratch.put(if ole { "input.doc" } else { "input.rtf" }, bytes)?;
    let out_dir = scratch.path().join("out");
    let profile = scratch.path().join("profile");
    let mut cmd = SOFFICE.command();
    if ole {
        // Without it, a damaged file falls through LibreOffice's type
        // detection to its plain-text filter and comes back as garbage.
        cmd.arg("--infilter=MS Word 97");
    }
    cmd.arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(&input)
        // LibreOffice writes into $HOME without a profile of its own; keep even
        // that inside the scratch folder.
        .env("HOME", scratch.path());
    let done = run::run(&SOFFICE, cmd, path)?;
    let out = out_dir.join("input.docx");
    match std::fs::read(&out) {
        Ok(b) if !b.is_empty() && done.status.success() => Ok(b),
        _ => {
            let said = format!("{}\n{}", String::from_utf8_lossy(&done.stdout), done.stderr);
            let said: Vec<&str> = said
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.contains("javaldx") && !l.starts_with("convert "))
                .take(2)
                .collect();
            let why = if said.is_empty() {
                done.status.to_string()
            } else {
                said.join("; ")
            };
            Err(Error::input(
                path,
                format!("LibreOffice could not read it as a Word or WPS document ({why})"),
            ))
        }
    }
}

/// A `file://` URL for a local path (percent-encoding what URLs reserve).
fn file_url(p: &Path) -> String {
    let mut s = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls_are_escaped() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/配置")),
            "file:///tmp/a%20b/%E9%85%8D%E7%BD%AE"
        );
    }
}
