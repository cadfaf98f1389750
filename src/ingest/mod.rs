//! Files to text for `add` ("what text does this file hold?"), one module
//! per format behind one trait ([`Extractor`]) and a registry
//! ([`extractor`]): plain text and Markdown (`text`), HTML (`html`), Word
//! .docx (`docx`, zip + quick-xml), PDF (`pdf`, poppler's `pdftotext`), old
//! Word .doc and WPS .wps (`office`, LibreOffice converting to .docx), OFD
//! (`ofd`, zip + quick-xml, text objects put in reading order), scans and
//! images (`ocr`, `pdftoppm` + Tesseract). External programs run through
//! [`run`]: a subprocess with a time limit and a scratch folder that is
//! always removed. Every extractor returns the text the structure parser
//! reads: one paragraph or heading per line (or, from fixed layouts, one
//! printed line per line, which the layout stage rejoins), table rows as
//! tab-separated cells. Errors are [`Error::Input`] naming the file; no
//! extractor panics on bad input (a panic inside one is caught and
//! reported as a refusal).

pub mod docx;
pub mod html;
pub mod manifest;
pub mod ocr;
pub mod ofd;
pub mod office;
pub mod pdf;
pub mod run;
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
    /// Word 97-2003 (.doc), read through LibreOffice.
    Doc,
    /// WPS Office (.wps), read through LibreOffice.
    Wps,
    /// OFD (GB/T 33190), the national fixed-layout format.
    Ofd,
    /// A scanned page as a picture (.png, .jpg, .tif), read by OCR.
    Image,
}

/// Each extension `add` knows (lower case) and its format: the one list
/// behind a file's format when its signature does not decide
/// (`detect_format`) and behind what a folder walk reads (`is_supported`),
/// so that a folder and a single file accept the same extensions.
const BY_EXTENSION: [(&str, Format); 18] = [
    ("txt", Format::Text),
    ("text", Format::Text),
    ("md", Format::Markdown),
    ("markdown", Format::Markdown),
    ("html", Format::Html),
    ("htm", Format::Html),
    ("xhtml", Format::Html),
    ("shtml", Format::Html),
    ("docx", Format::Docx),
    ("pdf", Format::Pdf),
    ("doc", Format::Doc),
    ("wps", Format::Wps),
    ("ofd", Format::Ofd),
    ("png", Format::Image),
    ("jpg", Format::Image),
    ("jpeg", Format::Image),
    ("tif", Format::Image),
    ("tiff", Format::Image),
];

/// Extensions of the formats above, as found in folders (lower case).
pub const EXTENSIONS: [&str; BY_EXTENSION.len()] = {
    let mut out = [""; BY_EXTENSION.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = BY_EXTENSION[i].0;
        i += 1;
    }
    out
};

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Docx => "Word .docx",
            Format::Pdf => "PDF",
            Format::Doc => "Word .doc",
            Format::Wps => "WPS .wps",
            Format::Ofd => "OFD",
            Format::Image => "image",
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
            Format::Doc => "doc",
            Format::Wps => "wps",
            Format::Ofd => "ofd",
            Format::Image => "png",
        }
    }

    fn from_extension(ext: &str) -> Option<Format> {
        let ext = ext.to_ascii_lowercase();
        BY_EXTENSION
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|&(_, format)| format)
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

/// Is this the name of an image (read by OCR)?
pub fn is_image_name(path: &Path) -> bool {
    extension_of(path).and_then(|e| Format::from_extension(&e)) == Some(Format::Image)
}

const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Is this an image signature (PNG, JPEG, TIFF)?
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
}

/// Does a zip archive hold an OFD package (`OFD.xml` at its root)?
fn is_ofd_zip(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok_and(|z| {
        z.file_names()
            .any(|n| n.trim_start_matches('/').eq_ignore_ascii_case("OFD.xml"))
    })
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
        if by_ext == Some(Format::Ofd) || is_ofd_zip(bytes) {
            return Ok(Format::Ofd);
        }
        return Ok(Format::Docx);
    }
    if bytes.starts_with(&OLE) {
        // Word 97-2003 and WPS Office files are both OLE compound files;
        // so are .xls and .ppt, which LibreOffice's Writer refuses.
        return Ok(if by_ext == Some(Format::Wps) {
            Format::Wps
        } else {
            Format::Doc
        });
    }
    if is_image(bytes) {
        return Ok(Format::Image);
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
        Some(Format::Ofd) => Err(Error::input(
            path,
            "not an OFD file (an .ofd is a zip archive; this is not one)",
        )),
        Some(Format::Image) => Err(Error::input(
            path,
            "not a text file, nor a PNG, JPEG or TIFF image",
        )),
        // Sites often serve RTF or a web page under a .doc name: RTF goes to
        // LibreOffice, a web page to the HTML reader. Anything else would be
        // read by LibreOffice's plain-text fallback as garbage: refused.
        Some(f @ (Format::Doc | Format::Wps)) => {
            if bytes.starts_with(b"{\\rtf") {
                Ok(f)
            } else if looks_like_html(bytes) {
                Ok(Format::Html)
            } else {
                Err(Error::input(
                    path,
                    format!(
                        "not a {} file (neither a Word 97-2003 or WPS file, nor RTF, nor a web page)",
                        f.name()
                    ),
                ))
            }
        }
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

/// When to read a document by OCR (`add --ocr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OcrMode {
    /// Images, and PDFs without a text layer.
    #[default]
    Auto,
    /// Images and every PDF, text layer or not.
    Always,
    /// Never: scans and images are refused.
    Never,
}

/// Progress of long work, reported to whoever started it (the CLI draws a
/// bar on a terminal; the library never prints).
pub trait Progress: Sync {
    /// Work of `total` steps begins (`what`: "OCR of plan.pdf").
    fn start(&self, what: &str, total: u64);
    /// One more step done.
    fn step(&self);
    /// The work is over.
    fn finish(&self);
}

/// What an extraction may do.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    pub ocr: OcrMode,
    pub progress: Option<&'a dyn Progress>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options").field("ocr", &self.ocr).finish()
    }
}

/// How a document's text was recognized by OCR.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ocr {
    /// Pages (or images) read.
    pub pages: u32,
    /// Tesseract's mean word confidence over the document, 0 to 100.
    pub confidence: f32,
}

/// What an extractor gives back.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub text: String,
    /// The text is the file's bytes unchanged.
    pub verbatim: bool,
    /// Set when the text was recognized by OCR.
    pub ocr: Option<Ocr>,
}

impl Output {
    fn text(text: String) -> Output {
        Output {
            text,
            verbatim: false,
            ocr: None,
        }
    }
}

/// One file to read.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Names the file in errors; what external tools read.
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub options: Options<'a>,
}

/// Reads one format.
pub trait Extractor: Sync {
    fn extract(&self, input: &Input<'_>) -> Result<Output>;
}

/// A plain function as an extractor.
struct Fn(fn(&Input<'_>) -> Result<Output>);

impl Extractor for Fn {
    fn extract(&self, input: &Input<'_>) -> Result<Output> {
        (self.0)(input)
    }
}

/// The registry: the extractor of each format.
pub fn extractor(format: Format) -> &'static dyn Extractor {
    static TEXT: Fn = Fn(|i| {
        let (text, verbatim) = text::extract(i.path, i.bytes)?;
        Ok(Output {
            text,
            verbatim,
            ocr: None,
        })
    });
    static MARKDOWN: Fn = Fn(|i| {
        let (text, verbatim) = text::extract_markdown(i.path, i.bytes)?;
        Ok(Output {
            text,
            verbatim,
            ocr: None,
        })
    });
    static HTML: Fn = Fn(|i| Ok(Output::text(html::extract(i.path, i.bytes)?)));
    static DOCX: Fn = Fn(|i| Ok(Output::text(docx::extract(i.path, i.bytes)?)));
    static PDF: Fn = Fn(|i| pdf::extract(i.path, &i.options));
    static OFFICE: Fn = Fn(|i| Ok(Output::text(office::extract(i.path, i.bytes)?)));
    static OFD: Fn = Fn(|i| Ok(Output::text(ofd::extract(i.path, i.bytes)?)));
    static IMAGE: Fn = Fn(ocr::image);
    match format {
        Format::Text => &TEXT,
        Format::Markdown => &MARKDOWN,
        Format::Html => &HTML,
        Format::Docx => &DOCX,
        Format::Pdf => &PDF,
        Format::Doc | Format::Wps => &OFFICE,
        Format::Ofd => &OFD,
        Format::Image => &IMAGE,
    }
}

/// Extracted text and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// UTF-8 text, one paragraph per line, table rows tab-separated.
    pub text: String,
    pub format: Format,
    /// The text is the file's bytes unchanged (a UTF-8 text file without a
    /// BOM): there is no separate original to keep.
    pub verbatim: bool,
    /// Set when the text was recognized by OCR.
    pub ocr: Option<Ocr>,
}

/// Extract the text of a file with the default options (OCR when needed,
/// no progress): see [`extract_with`].
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    extract_with(path, bytes, &Options::default())
}

/// Extract the text of a file (`path` names it in errors and is what
/// external tools read; `bytes` are its contents).
pub fn extract_with(path: &Path, bytes: &[u8], options: &Options<'_>) -> Result<Extracted> {
    let format = detect_format(path, bytes)?;
    let input = Input {
        path,
        bytes,
        options: *options,
    };
    let run = || extractor(format).extract(&input);
    // A bad file must not end the run: a panic in a parser is a refusal.
    let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(r) => r?,
        Err(_) => {
            return Err(Error::input(
                path,
                format!("could not be read as {} (the parser failed)", format.name()),
            ))
        }
    };
    Ok(Extracted {
        text: out.text,
        format,
        verbatim: out.verbatim,
        ocr: out.ocr,
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
    fn a_folder_reads_every_extension_a_single_file_does() {
        for ext in EXTENSIONS {
            assert!(Format::from_extension(ext).is_some(), "{ext}");
        }
        for name in ["a.xhtml", "b.SHTML", "c.htm", "d.tiff", "e.Md"] {
            assert!(is_supported(Path::new(name)), "{name}");
        }
        for name in ["a.dat", "b", "c.html.bak"] {
            assert!(!is_supported(Path::new(name)), "{name}");
        }
    }

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
        assert_eq!(detect_format(&p("old.doc"), &OLE).unwrap(), Format::Doc);
        assert_eq!(detect_format(&p("a.WPS"), &OLE).unwrap(), Format::Wps);
        assert_eq!(
            detect_format(&p("misnamed.txt"), &OLE).unwrap(),
            Format::Doc
        );
        assert_eq!(
            detect_format(&p("scan"), b"\x89PNG\r\n\x1a\n...").unwrap(),
            Format::Image
        );
        assert_eq!(
            detect_format(&p("a.tif"), b"II*\0...").unwrap(),
            Format::Image
        );
        assert_eq!(
            detect_format(&p("a.doc"), b"{\\rtf1\\ansi").unwrap(),
            Format::Doc
        );
        assert_eq!(
            detect_format(&p("a.doc"), b"<html><body>x").unwrap(),
            Format::Html
        );
        let e = detect_format(&p("a.wps"), "第一条".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not a WPS .wps file"), "{e}");
        let e = detect_format(&p("x.ofd"), "不是压缩包".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not an OFD file"), "{e}");
        let e = detect_format(&p("x.jpg"), "第一条".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not a text file"), "{e}");
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
