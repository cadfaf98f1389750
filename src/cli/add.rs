//! `policy-diff add FILE|FOLDER...`

use std::path::{Path, PathBuf};

use policy_diff::corpus::extract;
use policy_diff::corpus::meta::Detected;
use policy_diff::corpus::{Corpus, Entry};
use policy_diff::Error;

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders to add: .txt (UTF-8, GBK/GB18030, UTF-16, Big5...),
    /// .md, .html/.htm, .docx, .pdf (text layer, via poppler's pdftotext).
    /// Folders are read recursively, skipping hidden files and the corpus.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
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

/// What to do with one path found on the command line or in a folder.
enum Candidate {
    File(PathBuf),
    Skipped(PathBuf, String),
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let from_folder = args.files.iter().any(|f| f.is_dir());
    let candidates = expand(&args.files, &[&ctx.corpus_dir, &ctx.index_dir]);
    let files: Vec<&Path> = candidates
        .iter()
        .filter_map(|c| match c {
            Candidate::File(p) => Some(p.as_path()),
            Candidate::Skipped(..) => None,
        })
        .collect();
    if files.is_empty() && !candidates.is_empty() {
        for c in &candidates {
            if let Candidate::Skipped(p, why) = c {
                eprintln!("skipped {}: {why}", p.display());
            }
        }
    }
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "no documents to add in {} (policy-diff reads .{})",
            args.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            extract::EXTENSIONS.join(" .")
        ))
        .into());
    }
    if files.len() > 1 && (args.title.is_some() || args.doc_number.is_some()) {
        return Err(Error::Usage(
            "--title and --doc-number describe one document: give them with a single file".into(),
        )
        .into());
    }
    let overrides = Detected {
        title: args.title,
        doc_number: args.doc_number,
        issuer: args.issuer,
        date: args.date,
        jurisdiction: args.jurisdiction,
        level: args.level,
        ..Default::default()
    };
    // Catch a bad date before anything is read.
    policy_diff::corpus::normalize_overrides(&mut overrides.clone())?;

    std::fs::create_dir_all(&ctx.corpus_dir)?;
    ctx.sweep_interrupted_add()?;
    let (mut corpus, _lock) = Corpus::open_for_writing(&ctx.corpus_dir)?;
    let mut results = corpus.add_files(&files, &overrides).into_iter();
    let (mut added, mut refused, mut skipped) = (0, 0, 0);
    for c in &candidates {
        match c {
            Candidate::Skipped(p, why) => {
                skipped += 1;
                eprintln!("skipped {}: {why}", p.display());
            }
            Candidate::File(file) => match results.next().expect("one result per file") {
                Ok(e) => {
                    added += 1;
                    let mut what = vec![];
                    if !e.jurisdiction.is_empty() {
                        what.push(e.jurisdiction.clone());
                    }
                    if !e.doc_number.is_empty() {
                        what.push(e.doc_number.clone());
                    }
                    if !e.date.is_empty() {
                        what.push(e.date.clone());
                    }
                    println!(
                        "added {} as {}: 《{}》{}",
                        file.display(),
                        e.id,
                        e.title,
                        if what.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", what.join(", "))
                        }
                    );
                    if let Some(note) = missing_note(file, &e) {
                        eprintln!("{note}");
                    }
                }
                Err(Error::Input { reason, .. }) => {
                    refused += 1;
                    eprintln!("policy-diff: error: refused {}: {reason}", file.display());
                }
                Err(e) => {
                    refused += 1;
                    eprintln!("policy-diff: error: refused {}: {e}", file.display());
                }
            },
        }
    }
    if candidates.len() > 1 || from_folder {
        let mut summary = format!("{added} added, {refused} refused");
        if skipped > 0 {
            summary.push_str(&format!(", {skipped} skipped"));
        }
        eprintln!("{summary}");
    }
    if added > 0 {
        if args.no_index {
            eprintln!(
                "not indexed (--no-index): the next command that reads the index will index {}",
                if added == 1 { "it" } else { "them" }
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
/// symbolic links to folders, and files of other types.
fn expand(paths: &[PathBuf], own: &[&Path]) -> Vec<Candidate> {
    let own: Vec<PathBuf> = own
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut out = vec![];
    for p in paths {
        if p.is_dir() {
            walk(p, &own, &mut out);
        } else {
            out.push(Candidate::File(p.clone()));
        }
    }
    out
}

fn walk(dir: &Path, own: &[PathBuf], out: &mut Vec<Candidate>) {
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
            walk(&path, own, out);
        } else if ft.is_symlink() && path.is_dir() {
            continue;
        } else if extract::is_supported(&path) {
            out.push(Candidate::File(path));
        } else if extract::extension_of(&path).is_some_and(|x| x == "doc" || x == "wps") {
            // Documents, but in a format we cannot read: say so as a refusal.
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
