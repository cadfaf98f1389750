//! `policy-diff add FILE|FOLDER...` and `add --manifest FILE.csv`

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use policy_diff::corpus::extract::{self, manifest, OcrMode, Progress};
use policy_diff::corpus::meta::Detected;
use policy_diff::corpus::{AddOptions, Corpus, Entry};
use policy_diff::Error;

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

/// What to do with one path found on the command line or in a folder.
enum Candidate {
    File(PathBuf),
    Skipped(PathBuf, String),
}

/// One line of the report per document.
struct Item {
    /// What names it: the file, or `row N (file)` in a manifest.
    label: String,
    file: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let given = Detected {
        title: args.title.clone(),
        doc_number: args.doc_number.clone(),
        issuer: args.issuer.clone(),
        date: args.date.clone(),
        jurisdiction: args.jurisdiction.clone(),
        level: args.level.clone(),
        ..Default::default()
    };
    // Catch a bad date before anything is read.
    policy_diff::corpus::normalize_overrides(&mut given.clone())?;
    let manifest_rows = match &args.manifest {
        Some(m) => {
            if !args.files.is_empty() {
                return Err(
                    Error::Usage("give either files or --manifest, not both".into()).into(),
                );
            }
            Some(manifest::read(m)?)
        }
        None => None,
    };
    let from_folder = args.files.iter().any(|f| f.is_dir());
    let candidates = expand(
        &args.files,
        &[&ctx.corpus_dir, &ctx.index_dir],
        args.ocr == Ocr::Always,
    );
    // (what to report it as, the file, the fields given by hand)
    let mut items: Vec<(Item, Detected)> = vec![];
    let mut skipped_lines = vec![];
    match &manifest_rows {
        Some(rows) => {
            for r in rows {
                // A row's cells win over the flags given for every row.
                let mut fields = given.clone();
                macro_rules! take {
                    ($($f:ident),*) => { $( if r.fields.$f.is_some() { fields.$f = r.fields.$f.clone(); } )* };
                }
                take!(title, doc_number, issuer, date, jurisdiction, level);
                items.push((
                    Item {
                        label: format!("row {} ({})", r.line, r.path.display()),
                        file: r.path.clone(),
                    },
                    fields,
                ));
            }
        }
        None => {
            for c in &candidates {
                match c {
                    Candidate::File(p) => items.push((
                        Item {
                            label: p.display().to_string(),
                            file: p.clone(),
                        },
                        given.clone(),
                    )),
                    Candidate::Skipped(p, why) => {
                        skipped_lines.push(format!("skipped {}: {why}", p.display()))
                    }
                }
            }
        }
    }
    if items.is_empty() {
        for l in &skipped_lines {
            eprintln!("{l}");
        }
        let what = match &args.manifest {
            Some(m) => m.display().to_string(),
            None => args
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        return Err(Error::Usage(format!(
            "no documents to add in {what} (policy-diff reads .{})",
            extract::EXTENSIONS.join(" .")
        ))
        .into());
    }
    if manifest_rows.is_none()
        && items.len() > 1
        && (args.title.is_some() || args.doc_number.is_some())
    {
        return Err(Error::Usage(
            "--title and --doc-number describe one document: give them with a single file".into(),
        )
        .into());
    }

    std::fs::create_dir_all(&ctx.corpus_dir)?;
    stop_converters_on_ctrl_c();
    ctx.sweep_interrupted_add()?;
    if !args.no_index {
        ctx.prepare_indexing();
    }
    let (mut corpus, _lock) = Corpus::open_for_writing(&ctx.corpus_dir)?;
    let tty = std::io::stderr().is_terminal();
    let multi = indicatif::MultiProgress::new();
    let files_bar = Bar::new(&multi, "{msg} {wide_bar} {pos}/{len} files ({eta} left)");
    let pages_bar = Bar::new(&multi, "{msg} {wide_bar} {pos}/{len} pages");
    if tty && items.len() > 1 {
        files_bar.start("adding", items.len() as u64);
    }
    let empty_path_refusals: Vec<bool> = items
        .iter()
        .map(|(i, _)| i.file.as_os_str().is_empty())
        .collect();
    let to_add: Vec<(&Path, Detected)> = items
        .iter()
        .map(|(i, d)| (i.file.as_path(), d.clone()))
        .collect();
    let options = AddOptions {
        extract: extract::Options {
            ocr: args.ocr.into(),
            progress: tty.then_some(&pages_bar as &dyn Progress),
        },
        allow_near_duplicate: args.allow_near_duplicate,
        all_or_nothing: manifest_rows.is_some() && !args.partial,
        files_progress: (tty && items.len() > 1).then_some(&files_bar as &dyn Progress),
    };
    let added = corpus.add_each(&to_add, &options);
    files_bar.finish();
    for l in &skipped_lines {
        eprintln!("{l}");
    }
    let (mut ok, mut refused) = (0, 0);
    let rolled_back = !added.committed && added.results.iter().any(|r| r.is_ok());
    for (((item, _), r), no_path) in items.iter().zip(&added.results).zip(&empty_path_refusals) {
        match r {
            Ok(e) if rolled_back => {
                ok += 1;
                eprintln!(
                    "not added {}: readable (as {}), but another row was refused",
                    item.label, e.id
                );
            }
            Ok(e) => {
                ok += 1;
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
            Err(Error::Interrupted(_)) => {
                refused += 1;
            }
            Err(_) if *no_path => {
                refused += 1;
                eprintln!(
                    "policy-diff: error: refused {}: the row has no path",
                    item.label
                );
            }
            Err(Error::Input { reason, .. }) => {
                refused += 1;
                eprintln!("policy-diff: error: refused {}: {reason}", item.label);
            }
            Err(e) => {
                refused += 1;
                eprintln!("policy-diff: error: refused {}: {e}", item.label);
            }
        }
    }
    if added
        .results
        .iter()
        .any(|r| matches!(r, Err(Error::Interrupted(_))))
    {
        let during = added.results.iter().zip(&items).find_map(|(r, (item, _))| {
            matches!(r, Err(Error::Interrupted(_))).then_some(&item.label)
        });
        eprintln!(
            "policy-diff: error: interrupted while converting {}: the converter was stopped; \
             nothing was added",
            during.map(String::as_str).unwrap_or("a file")
        );
        return Ok(130);
    }
    let added_count = if added.committed { ok } else { 0 };
    if manifest_rows.is_some() || candidates.len() > 1 || from_folder {
        let mut summary = format!("{added_count} added, {refused} refused");
        if !skipped_lines.is_empty() {
            summary.push_str(&format!(", {} skipped", skipped_lines.len()));
        }
        if rolled_back {
            summary.push_str(&format!(
                "; nothing was added because {} refused: fix {} and run the manifest again, \
                 or give --partial to add the {ok} that can be",
                if refused == 1 {
                    "a row was"
                } else {
                    "rows were"
                },
                if refused == 1 { "it" } else { "them" },
            ));
        }
        eprintln!("{summary}");
    }
    if added_count > 0 {
        if args.no_index {
            eprintln!(
                "not indexed (--no-index): the next command that reads the index will index {}",
                if added_count == 1 { "it" } else { "them" }
            );
        } else {
            match ctx.update_index(&corpus, false) {
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

/// ` (南通市, 通政发〔2022〕18号, 2022-03-15, OCR 91.3%)`, or nothing.
fn describe(e: &Entry) -> String {
    let mut what = vec![];
    for v in [&e.jurisdiction, &e.doc_number, &e.date] {
        if !v.is_empty() {
            what.push(v.clone());
        }
    }
    if !e.ocr.is_empty() {
        what.push(format!("read by OCR, mean confidence {}%", e.ocr));
    }
    if what.is_empty() {
        String::new()
    } else {
        format!(" ({})", what.join(", "))
    }
}

/// `note: X.txt: no doc number, no issuer detected; set them with policy-diff meta ID`,
/// for a document some of whose fields could not be detected (nor were given).
fn missing_note(file: &Path, e: &Entry) -> Option<String> {
    let missing = e.missing();
    if missing.is_empty() {
        return None;
    }
    let names: Vec<String> = missing
        .iter()
        .map(|f| format!("no {}", f.replace('_', " ")))
        .collect();
    let flags: Vec<String> = missing
        .iter()
        .map(|f| format!("--{} …", f.replace('_', "-")))
        .collect();
    Some(format!(
        "note: {}: {} detected; set {} with policy-diff meta {} {}",
        file.display(),
        names.join(", "),
        if missing.len() == 1 { "it" } else { "them" },
        e.id,
        flags.join(" ")
    ))
}

/// Files named on the command line, and the files of folders (recursively,
/// in name order), skipping hidden entries, the corpus and index folders,
/// symbolic links to folders, files of other types, and images unless
/// `images` (`--ocr always`).
fn expand(paths: &[PathBuf], own: &[&Path], images: bool) -> Vec<Candidate> {
    let own: Vec<PathBuf> = own
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut out = vec![];
    for p in paths {
        if p.is_dir() {
            walk(p, &own, images, &mut out);
        } else {
            out.push(Candidate::File(p.clone()));
        }
    }
    out
}

fn walk(dir: &Path, own: &[PathBuf], images: bool, out: &mut Vec<Candidate>) {
    if std::fs::canonicalize(dir).is_ok_and(|c| own.contains(&c)) {
        return;
    }
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
        Err(e) => {
            out.push(Candidate::Skipped(
                dir.to_path_buf(),
                format!("cannot read the folder: {e}"),
            ));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, own, images, out);
        } else if ft.is_symlink() && path.is_dir() {
            continue;
        } else if !images && extract::is_image_name(&path) {
            // A folder's pictures are mostly logos and photos: read them by
            // OCR only when asked.
            out.push(Candidate::Skipped(
                path,
                "an image (name it, or give --ocr always, to read it by OCR)".into(),
            ));
        } else if extract::is_supported(&path) {
            out.push(Candidate::File(path));
        } else {
            let why = match extract::extension_of(&path) {
                Some(x) => format!("not a document type policy-diff reads (.{x})"),
                None => "not a document type policy-diff reads (no extension)".to_string(),
            };
            out.push(Candidate::Skipped(path, why));
        }
    }
}
