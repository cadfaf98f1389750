//! `policy-diff add FILE|FOLDER...` and `add --manifest FILE.csv`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use policy_diff::app::add::{describe, missing_note, AddProgress, AddRequest, Outcome};
use policy_diff::corpus::extract::{self, OcrMode, Progress};
use policy_diff::corpus::meta::Detected;
use policy_diff::corpus::{Date, Level};

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders to add: .txt (UTF-8, GBK/GB18030, UTF-16, Big5...),
    /// .md, .html/.htm, .docx, .pdf (text layer via poppler's pdftotext;
    /// scans by OCR), .doc and .wps (via LibreOffice), .ofd, and scanned
    /// pages as .png/.jpg/.tif (OCR with Tesseract). Folders are read
    /// recursively, skipping hidden files and the corpus.
    #[arg(required_unless_present = "manifest", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A CSV file listing the documents to add: a header with `path` and any
    /// of title, jurisdiction, level, issuer, doc_number, date; paths are
    /// relative to the manifest. When any row is refused nothing is added
    /// (unless --partial).
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["title", "doc_number"])]
    pub manifest: Option<PathBuf>,
    /// With --manifest: add the rows that succeed even when others are refused.
    #[arg(long, requires = "manifest")]
    pub partial: bool,
    /// When to read documents by OCR (Tesseract, simplified Chinese): auto
    /// reads images and PDFs without a text layer; always also PDFs that have
    /// one; never refuses scans.
    #[arg(long, value_enum, default_value_t = Ocr::Auto)]
    pub ocr: Ocr,
    /// Add a document even when its text is at least 98% the same as one
    /// already in the corpus (the same document from another source).
    #[arg(long)]
    pub allow_near_duplicate: bool,
    /// Jurisdiction (otherwise derived from the issuer).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// Title (otherwise detected from the text).
    #[arg(long)]
    pub title: Option<String>,
    /// Document number (文号), e.g. 苏园管〔2023〕12号.
    #[arg(long)]
    pub doc_number: Option<String>,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    pub date: Option<String>,
    /// Administrative level, e.g. city, county, development zone.
    #[arg(long)]
    pub level: Option<String>,
    /// Issuing body, e.g. 南通市人民政府 (the jurisdiction follows from it).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Do not update the index now (the next command that reads it will).
    #[arg(long)]
    pub no_index: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ocr {
    Auto,
    Always,
    Never,
}

impl From<Ocr> for OcrMode {
    fn from(o: Ocr) -> OcrMode {
        match o {
            Ocr::Auto => OcrMode::Auto,
            Ocr::Always => OcrMode::Always,
            Ocr::Never => OcrMode::Never,
        }
    }
}

/// A progress bar on stderr, only on a terminal and only once the work has
/// taken a second.
struct Bar {
    multi: indicatif::MultiProgress,
    bar: Mutex<Option<(indicatif::ProgressBar, Instant)>>,
    template: &'static str,
}

impl Bar {
    fn new(multi: &indicatif::MultiProgress, template: &'static str) -> Bar {
        Bar {
            multi: multi.clone(),
            bar: Mutex::new(None),
            template,
        }
    }
}

impl Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_length(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(self.template) {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        *self.bar.lock().expect("bar") = Some((bar, Instant::now()));
    }

    fn step(&self) {
        if let Some((bar, started)) = self.bar.lock().expect("bar").as_ref() {
            bar.inc(1);
            if bar.is_hidden() && started.elapsed() > Duration::from_secs(1) {
                let shown = self.multi.add(bar.clone());
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        }
    }

    fn finish(&self) {
        if let Some((bar, _)) = self.bar.lock().expect("bar").take() {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let req = AddRequest {
        files: args.files.clone(),
        manifest: args.manifest.clone(),
        partial: args.partial,
        ocr: args.ocr.into(),
        allow_near_duplicate: args.allow_near_duplicate,
        given: Detected {
            title: args.title.clone(),
            doc_number: args.doc_number.clone(),
            issuer: args.issuer.clone(),
            date: args.date.clone().map(Date::from),
            jurisdiction: args.jurisdiction.clone(),
            level: args.level.clone().map(Level::from),
            ..Default::default()
        },
    };
    let plan = ctx.plan_add(&req)?;
    if plan.items.is_empty() {
        for l in &plan.skipped {
            eprintln!("{l}");
        }
    }
    plan.check()?;

    stop_converters_on_ctrl_c();
    if !args.no_index && plan.items.len() > policy_diff::index::SUBSET_MAX_DOCS {
        // jieba's dictionary loads while the files are read (a few files
        // are cut with a dictionary of only their words: see the index's
        // `index_documents`).
        ctx.prepare_indexing();
    }
    let tty = std::io::stderr().is_terminal();
    let multi = indicatif::MultiProgress::new();
    let files_bar = Bar::new(&multi, "{msg} {wide_bar} {pos}/{len} files ({eta} left)");
    let pages_bar = Bar::new(&multi, "{msg} {wide_bar} {pos}/{len} pages");
    let many = tty && plan.items.len() > 1;
    if many {
        files_bar.start("adding", plan.items.len() as u64);
    }
    let done = ctx.add(
        &req,
        &plan,
        AddProgress {
            files: many.then_some(&files_bar as &dyn Progress),
            pages: tty.then_some(&pages_bar as &dyn Progress),
        },
    )?;
    files_bar.finish();
    for l in &plan.skipped {
        eprintln!("{l}");
    }
    for (item, outcome) in plan.items.iter().zip(&done.outcomes) {
        match outcome {
            Outcome::RolledBack(e) => eprintln!(
                "not added {}: readable (as {}), but another row was refused",
                item.label, e.id
            ),
            Outcome::Added(e) => {
                println!(
                    "added {} as {}: 《{}》{}",
                    item.label,
                    e.id,
                    e.title,
                    describe(e)
                );
                if let Some(note) = missing_note(&item.file, e) {
                    eprintln!("{note}");
                }
            }
            Outcome::Refused(reason) => {
                eprintln!("policy-diff: error: refused {}: {reason}", item.label)
            }
            Outcome::Interrupted => {}
        }
    }
    if let Some((item, _)) = plan
        .items
        .iter()
        .zip(&done.outcomes)
        .find(|(_, o)| matches!(o, Outcome::Interrupted))
    {
        eprintln!(
            "policy-diff: error: interrupted while converting {}: the converter was stopped; \
             nothing was added",
            item.label
        );
        return Ok(130);
    }
    let refused = done.refused;
    if plan.summarize {
        let mut summary = format!("{} added, {refused} refused", done.added);
        if !plan.skipped.is_empty() {
            summary.push_str(&format!(", {} skipped", plan.skipped.len()));
        }
        if done.rolled_back > 0 {
            summary.push_str(&format!(
                "; nothing was added because {} refused: fix {} and run the manifest again, \
                 or give --partial to add the {} that can be",
                if refused == 1 {
                    "a row was"
                } else {
                    "rows were"
                },
                if refused == 1 { "it" } else { "them" },
                done.rolled_back,
            ));
        }
        eprintln!("{summary}");
    }
    if done.added > 0 {
        if args.no_index {
            eprintln!(
                "not indexed (--no-index): the next command that reads the index will index {}",
                if done.added == 1 { "it" } else { "them" }
            );
        } else {
            match ctx.update_index(&done.corpus, false) {
                Ok(summary) => eprintln!("{}", summary.line()),
                Err(e) => {
                    eprintln!(
                        "policy-diff: error: the documents are in the corpus, but indexing them failed \
                         (the next command that reads the index will try again): {e}"
                    );
                    return Ok(1);
                }
            }
        }
    }
    Ok(if refused > 0 { 2 } else { 0 })
}

/// Ctrl-C or SIGTERM: a running converter's process group is killed and
/// its scratch folder removed (the library undoes the add and `run`
/// returns 130); with no converter running, exit at once as the signal
/// would (an interrupted `add` is swept by the next command).
fn stop_converters_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if extract::run::interrupt() {
            // The add is being undone; should it hang, go anyway.
            std::thread::sleep(Duration::from_secs(10));
        }
        std::process::exit(130);
    });
}
