//! Files to text, one module per format: plain text and Markdown (`text`),
//! HTML (`html`), Word .docx (`docx`), PDF (`pdf`, through poppler's
//! `pdftotext`). Every extractor returns the text the structure parser reads:
//! one paragraph or heading per line, table rows as tab-separated cells.
//! Errors are [`Error::Input`] naming the file; no extractor panics on bad
//! input (a panic inside one is caught and reported as a refusal).

pub mod docx;
pub mod html;
pub mod pdf;
pub mod text;

use std::path::Path;

use crate::error::{Error, Result};

/// A document format that `add` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
}

/// Extensions of the formats above, as found in folders (lower case).
pub const EXTENSIONS: [&str; 8] = [
    "txt", "text", "md", "markdown", "html", "htm", "docx", "pdf",
];

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Docx => "Word .docx",
            Format::Pdf => "PDF",
        }
    }

    /// The extension given to a kept original when its own name has none.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "docx" => Format::Docx,
            "pdf" => Format::Pdf,
            _ => return None,
        })
    }
}

/// Lower-case extension of a path, if any.
pub fn extension_of(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
}

/// Is this a file `add` reads when it walks a folder?
pub fn is_supported(path: &Path) -> bool {
    extension_of(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// What the file is: its content's signature first (a PDF named .txt is a
/// PDF), then its extension, then a look at the start of its text.
pub fn detect_format(path: &Path, bytes: &[u8]) -> Result<Format> {
    let by_ext = extension_of(path)
        .as_deref()
        .and_then(Format::from_extension);
    if bytes.starts_with(b"%PDF-") || find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Docx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(Error::input(
            path,
            "an old binary Office file (Word 97-2003 .doc, .wps or .xls) cannot be read: \
             save it as .docx (or .pdf, .txt) and add that",
        ));
    }
    match by_ext {
        Some(Format::Pdf) => Err(Error::input(
            path,
            "not a PDF file (it does not start with %PDF-)",
        )),
        Some(Format::Docx) => Err(Error::input(
            path,
            "not a .docx file (a .docx is a zip archive; this is not one)",
        )),
        Some(f) => Ok(f),
        None if looks_like_html(bytes) => Ok(Format::Html),
        None => Ok(Format::Text),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let start: Vec<u8> = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
        .take(256)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || find(&start, b"<html").is_some()
}

/// Extracted text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// UTF-8 text, one paragraph per line, table rows tab-separated.
    pub text: String,
    pub format: Format,
    /// The text is the file's bytes unchanged (a UTF-8 text file without a
    /// BOM): there is no separate original to keep.
    pub verbatim: bool,
}

/// Extract the text of a file (`path` names it in errors and is what
/// `pdftotext` reads; `bytes` are its contents).
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let format = detect_format(path, bytes)?;
    let run = || -> Result<(String, bool)> {
        Ok(match format {
            Format::Text => text::extract(path, bytes)?,
            Format::Markdown => text::extract_markdown(path, bytes)?,
            Format::Html => (html::extract(path, bytes)?, false),
            Format::Docx => (docx::extract(path, bytes)?, false),
            Format::Pdf => (pdf::extract(path, bytes)?, false),
        })
    };
    // A bad file must not end the run: a panic in a parser is a refusal.
    let (text, verbatim) = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(r) => r?,
        Err(_) => {
            return Err(Error::input(
                path,
                format!("could not be read as {} (the parser failed)", format.name()),
            ))
        }
    };
    Ok(Extracted {
        text,
        format,
        verbatim,
    })
}

/// Builds text line by line: whitespace runs collapse as in HTML, except
/// that a line break between two Chinese characters (source formatting)
/// disappears; ideographic spaces (U+3000) are kept.
pub(crate) struct Lines {
    out: String,
    line: String,
    /// A whitespace run waiting for the next character: `Some(had_newline)`.
    pending: Option<bool>,
}

fn is_wide(c: char) -> bool {
    c >= '\u{2e80}' && !('\u{fe00}'..='\u{fe0f}').contains(&c)
}

impl Lines {
    pub(crate) fn new() -> Lines {
        Lines {
            out: String::new(),
            line: String::new(),
            pending: None,
        }
    }

    /// Append text to the current line, whitespace runs as one space.
    pub(crate) fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() && c != '\u{3000}' {
                let nl = c == '\n' || c == '\r';
                self.pending = Some(self.pending.unwrap_or(false) || nl);
            } else {
                self.flush_space(Some(c));
                self.line.push(c);
            }
        }
    }

    fn flush_space(&mut self, next: Option<char>) {
        if let Some(had_newline) = self.pending.take() {
            let prev = self.line.chars().next_back();
            let join = had_newline && prev.is_some_and(is_wide) && next.is_some_and(is_wide);
            if prev.is_some() && !join {
                self.line.push(' ');
            }
        }
    }

    /// Append text as is (tabs of table rows, preformatted text).
    pub(crate) fn push_raw(&mut self, s: &str) {
        self.flush_space(s.chars().next());
        self.line.push_str(s);
    }

    /// End the current line (nothing happens when it is empty).
    pub(crate) fn newline(&mut self) {
        self.pending = None;
        let l = self
            .line
            .trim_matches(|c: char| c.is_whitespace() && c != '\t' && c != '\u{3000}');
        let l = l.trim_end_matches(|c: char| c.is_whitespace() && c != '\t');
        if !l.trim().is_empty() {
            self.out.push_str(l);
            self.out.push('\n');
        }
        self.line.clear();
    }

    /// A blank line between blocks (at most one in a row).
    pub(crate) fn blank(&mut self) {
        self.newline();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    pub(crate) fn finish(mut self) -> String {
        self.newline();
        let t = self.out.trim_end().to_string();
        if t.is_empty() {
            t
        } else {
            t + "\n"
        }
    }
}

/// A table row as one line: cells (their own line breaks as spaces) joined by tabs.
pub(crate) fn row_line(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            c.split_whitespace()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if cells.iter().all(|c| c.is_empty()) {
        String::new()
    } else {
        cells.join("\t")
    }
}

/// A table: rows with two or more non-empty cells become tab-separated
/// lines; a row with one cell (a layout table, a title row) keeps that
/// cell's own lines.
pub(crate) fn emit_table(sink: &mut Lines, rows: &[Vec<String>]) {
    for row in rows {
        let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
        if filled <= 1 {
            for cell in row.iter().filter(|c| !c.trim().is_empty()) {
                for line in cell.lines() {
                    if line.trim().is_empty() {
                        sink.blank();
                    } else {
                        sink.push_raw(line);
                        sink.newline();
                    }
                }
            }
        } else {
            sink.push_raw(&row_line(row));
            sink.newline();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_signature_then_extension() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(
            detect_format(&p("a.txt"), b"%PDF-1.4\n").unwrap(),
            Format::Pdf
        );
        assert_eq!(
            detect_format(&p("a"), b"PK\x03\x04rest").unwrap(),
            Format::Docx
        );
        assert_eq!(
            detect_format(&p("a.htm"), "正文".as_bytes()).unwrap(),
            Format::Html
        );
        assert_eq!(
            detect_format(&p("a"), b"<!DOCTYPE html><p>x").unwrap(),
            Format::Html
        );
        assert_eq!(detect_format(&p("a.MD"), b"# t").unwrap(), Format::Markdown);
        assert_eq!(
            detect_format(&p("a.dat"), "正文".as_bytes()).unwrap(),
            Format::Text
        );
        let e = detect_format(&p("x.pdf"), b"hello").unwrap_err();
        assert!(e.to_string().contains("x.pdf") && e.is_user_error(), "{e}");
        let e = detect_format(
            &p("old.doc"),
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
        )
        .unwrap_err();
        assert!(e.to_string().contains(".docx"), "{e}");
    }

    #[test]
    fn lines_collapse_whitespace() {
        let mut l = Lines::new();
        l.push_text("  第一条 \n 内容  ");
        l.newline();
        l.newline();
        l.push_raw("a\tb");
        l.blank();
        l.push_text("  ");
        l.newline();
        assert_eq!(l.finish(), "第一条内容\na\tb\n");
        assert_eq!(
            row_line(&["a  b".into(), "".into(), "c\nd".into()]),
            "a b\t\tc d"
        );
    }
}
