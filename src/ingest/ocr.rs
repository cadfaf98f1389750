//! OCR of scanned PDFs and images: each PDF page is rendered by poppler's
//! `pdftoppm` (300 dpi, grey) and read by Tesseract with its
//! simplified-Chinese model (`-l chi_sim`); an image (.png, .jpg, .tif, a
//! multi-page TIFF too) goes to Tesseract as it is. Pages are read on all
//! cores, one Tesseract per core (each limited to one thread), every step
//! under its own time limit ([`run`](super::run)), with progress reported
//! page by page. Tesseract's TSV output gives each word's confidence; the
//! document's mean word confidence is kept with it. Tesseract puts spaces
//! between Chinese characters; they are taken out.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::run::{self, Scratch, Tool};
use super::{Input, Ocr, OcrMode, Options, Output};
use crate::error::{Error, Result};

pub const TESSERACT_INSTALL: &str = "install Tesseract and its simplified-Chinese model \
    (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-chi-sim; macOS: brew install tesseract tesseract-lang)";

/// Seconds one page may take to render or to read (environment variable;
/// else `POLICY_DIFF_CONVERT_TIMEOUT`).
pub const TIMEOUT_ENV: &str = "POLICY_DIFF_OCR_TIMEOUT";

pub const TESSERACT: Tool = Tool {
    program: "tesseract",
    program_env: "POLICY_DIFF_TESSERACT",
    purpose: "reading scans and images by OCR",
    install: TESSERACT_INSTALL,
    timeout_env: Some(TIMEOUT_ENV),
    default_secs: 180.0,
};

pub const PDFTOPPM: Tool = Tool {
    program: "pdftoppm",
    program_env: "POLICY_DIFF_PDFTOPPM",
    purpose: "reading scanned PDFs by OCR",
    install: super::pdf::INSTALL_HINT,
    timeout_env: Some(TIMEOUT_ENV),
    default_secs: 120.0,
};

pub const PDFINFO: Tool = Tool {
    program: "pdfinfo",
    program_env: "POLICY_DIFF_PDFINFO",
    purpose: "reading scanned PDFs by OCR",
    install: super::pdf::INSTALL_HINT,
    timeout_env: Some(TIMEOUT_ENV),
    default_secs: 60.0,
};

/// Resolution pages are rendered at (Tesseract reads body text best at 300 dpi).
const DPI: &str = "300";

/// One page's text and the confidences of its words.
#[derive(Debug, Default)]
struct PageText {
    text: String,
    confidences: Vec<f32>,
    /// Pages Tesseract saw (a multi-page TIFF has several).
    pages: u32,
}

/// An image, read by OCR (the registry's extractor for [`Format::Image`](super::Format::Image)).
pub fn image(input: &Input<'_>) -> Result<Output> {
    let path = input.path;
    if input.options.ocr == OcrMode::Never {
        return Err(Error::input(
            path,
            "an image is read by OCR, which --ocr never turns off",
        ));
    }
    let scratch = Scratch::new()?;
    let ext = super::extension_of(path)
        .filter(|e| ["png", "jpg", "jpeg", "tif", "tiff"].contains(&e.as_str()))
        .unwrap_or_else(|| "png".into());
    let img = scratch.put(&format!("image.{ext}"), input.bytes)?;
    if let Some(p) = input.options.progress {
        p.start(&format!("OCR of {}", display_name(path)), 1);
    }
    let page = tesseract(&img, &scratch, "image", path)?;
    if let Some(p) = input.options.progress {
        p.step();
        p.finish();
    }
    let pages = page.pages.max(1);
    finish(path, vec![page], pages, "the image")
}

/// A PDF's pages, read by OCR.
pub fn pdf(path: &Path, options: &Options<'_>) -> Result<(String, Ocr)> {
    let pages = page_count(path)?;
    if pages == 0 {
        return Err(Error::input(path, "the PDF has no pages"));
    }
    let scratch = Scratch::new()?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(pages as usize);
    if let Some(p) = options.progress {
        p.start(&format!("OCR of {}", display_name(path)), pages as u64);
    }
    let next = AtomicUsize::new(1);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<PageText>>>> =
        Mutex::new((0..pages).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n > pages as usize || failed.load(Ordering::SeqCst) {
                    break;
                }
                let r = read_page(path, &scratch, n);
                if r.is_err() {
                    failed.store(true, Ordering::SeqCst);
                }
                results.lock().expect("results lock")[n - 1] = Some(r);
                if let Some(p) = options.progress {
                    p.step();
                }
            });
        }
    });
    if let Some(p) = options.progress {
        p.finish();
    }
    let mut texts = Vec::with_capacity(pages as usize);
    for r in results.into_inner().expect("results lock") {
        match r {
            Some(Ok(t)) => texts.push(t),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    let out = finish(path, texts, pages, "its pages")?;
    Ok((out.text, out.ocr.expect("OCR output")))
}

/// The text of all pages; a refusal when no Chinese was recognized.
fn finish(path: &Path, pages: Vec<PageText>, count: u32, what: &str) -> Result<Output> {
    let mut text = String::new();
    let mut confidences = vec![];
    for p in pages {
        text.push_str(&p.text);
        if !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
        confidences.extend(p.confidences);
    }
    let confidence = if confidences.is_empty() {
        0.0
    } else {
        confidences.iter().sum::<f32>() / confidences.len() as f32
    };
    if !text.chars().any(crate::text::is_han) {
        return Err(Error::input(
            path,
            format!(
                "no text layer, and OCR found no Chinese text on {what} \
                 ({count} read; a photo or drawing, or a scan too faint to read?)"
            ),
        ));
    }
    Ok(Output {
        text,
        verbatim: false,
        ocr: Some(Ocr {
            pages: count,
            confidence,
        }),
    })
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Pages of a PDF, from `pdfinfo`.
fn page_count(path: &Path) -> Result<u32> {
    let mut cmd = PDFINFO.command();
    cmd.arg(super::pdf::safe_arg(path));
    let done = run::run(&PDFINFO, cmd, path)?;
    if !done.status.success() {
        return Err(Error::input(
            path,
            format!("not a readable PDF (pdfinfo: {})", done.why()),
        ));
    }
    String::from_utf8_lossy(&done.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| Error::input(path, "not a readable PDF (pdfinfo gave no page count)"))
}

/// Render page `n` (1-based) and read it.
fn read_page(path: &Path, scratch: &Scratch, n: usize) -> Result<PageText> {
    let stem = scratch.path().join(format!("page-{n}"));
    let mut cmd = PDFTOPPM.command();
    cmd.args(["-r", DPI, "-gray", "-png", "-singlefile"])
        .args(["-f", &n.to_string(), "-l", &n.to_string()])
        .arg(super::pdf::safe_arg(path))
        .arg(&stem);
    let done = run::run(&PDFTOPPM, cmd, path).map_err(|e| on_page(e, n))?;
    let png = stem.with_extension("png");
    if !done.status.success() || !png.is_file() {
        return Err(Error::input(
            path,
            format!("page {n} could not be rendered (pdftoppm: {})", done.why()),
        ));
    }
    let page = tesseract(&png, scratch, &format!("page-{n}"), path).map_err(|e| on_page(e, n))?;
    let _ = std::fs::remove_file(&png);
    Ok(page)
}

/// "… did not finish" on page N.
fn on_page(e: Error, n: usize) -> Error {
    match e {
        Error::Input { path, reason } if reason.contains("did not finish") => Error::Input {
            path,
            reason: format!("page {n}: {reason}"),
        },
        e => e,
    }
}

/// Read an image with Tesseract: its text and word confidences.
fn tesseract(image: &Path, scratch: &Scratch, stem: &str, file: &Path) -> Result<PageText> {
    let base = scratch.path().join(format!("{stem}-ocr"));
    let mut cmd = TESSERACT.command();
    cmd.arg(image)
        .arg(&base)
        .args([
            "-l",
            "chi_sim",
            "--psm",
            "3",
            "-c",
            "preserve_interword_spaces=1",
        ])
        .args(["txt", "tsv"])
        .env("OMP_THREAD_LIMIT", "1");
    let done = run::run(&TESSERACT, cmd, file)?;
    let txt = std::fs::read_to_string(base.with_extension("txt"));
    let tsv = std::fs::read_to_string(base.with_extension("tsv"));
    let (Ok(txt), Ok(tsv)) = (txt, tsv) else {
        let why = done.why();
        let hint = if why.contains("chi_sim") || why.contains("language") {
            format!("; {TESSERACT_INSTALL}")
        } else {
            String::new()
        };
        return Err(Error::input(
            file,
            format!("Tesseract could not read it ({why}){hint}"),
        ));
    };
    let pages = tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1)?.parse::<u32>().ok())
        .max()
        .unwrap_or(1);
    Ok(PageText {
        text: tidy(&txt),
        confidences: confidences(&tsv),
        pages,
    })
}

/// Word confidences (level-5 rows of Tesseract's TSV with text).
fn confidences(tsv: &str) -> Vec<f32> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() < 12 || cols[0] != "5" || cols[11].trim().is_empty() {
                return None;
            }
            cols[10].parse::<f32>().ok().filter(|c| *c >= 0.0)
        })
        .collect()
}

fn is_cjk(c: char) -> bool {
    crate::text::is_han(c)
        || ('\u{3000}'..='\u{303f}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// Tesseract's text without the spaces it puts between Chinese characters
/// (and around full-width punctuation), form feeds as line breaks.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split(['\n', '\u{c}']) {
        let chars: Vec<char> = line.chars().collect();
        let mut l = String::with_capacity(line.len());
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let prev = chars[..i].iter().rev().find(|c| **c != ' ');
                let next = chars[i + 1..].iter().find(|c| **c != ' ');
                match (prev, next) {
                    (Some(p), Some(n)) if is_cjk(*p) || is_cjk(*n) => continue,
                    (None, _) => continue,
                    _ => {
                        if !l.ends_with(' ') {
                            l.push(' ');
                        }
                        continue;
                    }
                }
            }
            l.push(c);
        }
        out.push_str(&full_width_punctuation(l.trim_end()));
        out.push('\n');
    }
    // At most one blank line in a row.
    let mut tidy = String::with_capacity(out.len());
    for line in out.split('\n') {
        if line.is_empty() && (tidy.is_empty() || tidy.ends_with("\n\n")) {
            continue;
        }
        tidy.push_str(line);
        tidy.push('\n');
    }
    tidy.trim_end().to_string() + "\n"
}

/// Tesseract often reads Chinese punctuation as its ASCII look-alike
/// (`(一)`, `，` as `,`): next to a Chinese character it is put back.
fn full_width_punctuation(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let han = |c: Option<&char>| c.is_some_and(|c| crate::text::is_han(*c));
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j));
            let next = chars.get(i + 1);
            let wide = match c {
                '(' => han(next).then_some('（'),
                ')' => han(prev).then_some('）'),
                ',' | ';' | ':' | '?' | '!' if han(prev) => Some(match c {
                    ',' => '，',
                    ';' => '；',
                    ':' => '：',
                    '?' => '？',
                    _ => '！',
                }),
                _ => None,
            };
            wide.unwrap_or(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_go() {
        assert_eq!(
            tidy("第 一 条 为 了 规 范 ， 制 定 本 办 法 。\n\n\n\nArticle 2 of 3\u{c}"),
            "第一条为了规范，制定本办法。\n\nArticle 2 of 3\n"
        );
        assert_eq!(tidy("到 2025 年"), "到2025年\n");
        assert_eq!(
            tidy("(一) 指 导 思 想 , 坚 持 创 新 ; 见 (2) 项: a, b"),
            "（一）指导思想，坚持创新；见(2)项： a, b\n"
        );
    }

    #[test]
    fn word_confidences_from_tsv() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t10\t20\t20\t96.5\t第一条\n\
                   5\t1\t1\t1\t1\t2\t40\t10\t20\t20\t81.5\t规定\n\
                   5\t1\t1\t1\t1\t3\t70\t10\t20\t20\t30\t \n";
        assert_eq!(confidences(tsv), vec![96.5, 81.5]);
    }
}
