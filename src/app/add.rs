//! Adding documents, whatever the front end: the files (or a manifest's
//! rows) with the metadata given by hand are planned ([`Workspace::plan_add`]:
//! folders expanded, what cannot be read skipped with a reason), checked
//! ([`AddPlan::check`]) and added under the corpus's write lock
//! ([`Workspace::add`]); the caller then indexes what was added while it
//! still holds the lock ([`AddDone::lock`]). `policy-diff add` and the
//! server's Add page call these same functions.

use std::path::{Path, PathBuf};

use crate::corpus::extract::{self, manifest, OcrMode, Progress};
use crate::corpus::meta::Detected;
use crate::corpus::{AddOptions, AsText, Corpus, Entry, WriteLock};
use crate::{Error, Result};

use super::Workspace;

/// Documents to add, as a user states them.
#[derive(Debug, Clone)]
pub struct AddRequest {
    /// Files or folders (read recursively).
    pub files: Vec<PathBuf>,
    /// A CSV manifest instead of files.
    pub manifest: Option<PathBuf>,
    /// With a manifest: add the rows that succeed even when others are refused.
    pub partial: bool,
    pub ocr: OcrMode,
    /// Keep a document nearly the same as one already in the corpus.
    pub allow_near_duplicate: bool,
    /// The metadata given by hand (for every file; a manifest's cells win).
    pub given: Detected,
}

/// One document to add: what names it in the report (the file, or `row N
/// (file)` of a manifest), the file and its metadata given by hand.
#[derive(Debug, Clone)]
pub struct AddItem {
    pub label: String,
    pub file: PathBuf,
    pub fields: Detected,
}

/// What an add will try, before anything is written.
#[derive(Debug)]
pub struct AddPlan {
    pub items: Vec<AddItem>,
    /// `skipped PATH: why` for each file of a folder that is not read.
    pub skipped: Vec<String>,
    /// Whether the report ends with a count (a manifest, several files or a folder).
    pub summarize: bool,
    /// When any row is refused, nothing is added (a manifest without --partial).
    pub all_or_nothing: bool,
    /// What the user named (for the error when there is nothing to add).
    what: String,
    /// --title or --doc-number was given (they describe one document).
    one_document_fields: bool,
    manifest: bool,
}

/// What became of one item.
#[derive(Debug)]
pub enum Outcome {
    /// Added under this entry.
    Added(Entry),
    /// Readable (as this entry), but not added because another row was refused.
    RolledBack(Entry),
    /// Refused, and why (the file is named by the item's label).
    Refused(String),
    /// Its conversion was stopped by Ctrl-C or SIGTERM; nothing was added.
    Interrupted,
}

/// What [`Workspace::add`] did. The corpus (as written) and its write lock
/// are kept so that the caller indexes the new documents before another
/// writer starts.
pub struct AddDone {
    pub corpus: Corpus,
    pub lock: WriteLock,
    /// One per item of the plan, in its order.
    pub outcomes: Vec<Outcome>,
    /// Documents added (0 when nothing was committed).
    pub added: usize,
    /// Items refused.
    pub refused: usize,
    /// Items readable but rolled back (a manifest with a refused row).
    pub rolled_back: usize,
}

/// Progress of the files and of the pages within a file (OCR); both are
/// optional.
#[derive(Clone, Copy, Default)]
pub struct AddProgress<'a> {
    pub files: Option<&'a dyn Progress>,
    pub pages: Option<&'a dyn Progress>,
}

impl AddPlan {
    /// The refusals that come before anything is read: nothing to add, or
    /// --title / --doc-number given for several files.
    pub fn check(&self) -> Result<()> {
        if self.items.is_empty() {
            return Err(Error::Usage(format!(
                "no documents to add in {} (policy-diff reads .{})",
                self.what,
                extract::EXTENSIONS.join(" .")
            )));
        }
        if !self.manifest && self.items.len() > 1 && self.one_document_fields {
            return Err(Error::Usage(
                "--title and --doc-number describe one document: give them with a single file"
                    .into(),
            ));
        }
        Ok(())
    }
}

impl Workspace {
    /// The documents a request names: a bad date is refused before
    /// anything is read; a manifest is read; folders are expanded.
    pub fn plan_add(&self, req: &AddRequest) -> Result<AddPlan> {
        crate::corpus::normalize_overrides(&mut req.given.clone())?;
        let manifest_rows = match &req.manifest {
            Some(m) => {
                if !req.files.is_empty() {
                    return Err(Error::Usage(
                        "give either files or --manifest, not both".into(),
                    ));
                }
                Some(manifest::read(m)?)
            }
            None => None,
        };
        let from_folder = req.files.iter().any(|f| f.is_dir());
        let candidates = expand(
            &req.files,
            &[&self.corpus_dir, &self.index_dir],
            req.ocr == OcrMode::Always,
        );
        let mut items = vec![];
        let mut skipped = vec![];
        match &manifest_rows {
            Some(rows) => {
                for r in rows {
                    // A row's cells win over the fields given for every row.
                    let mut fields = req.given.clone();
                    macro_rules! take {
                        ($($f:ident),*) => { $( if r.fields.$f.is_some() { fields.$f = r.fields.$f.clone(); } )* };
                    }
                    take!(title, doc_number, issuer, date, jurisdiction, level);
                    items.push(AddItem {
                        label: format!("row {} ({})", r.line, r.path.display()),
                        file: r.path.clone(),
                        fields,
                    });
                }
            }
            None => {
                for c in &candidates {
                    match c {
                        Candidate::File(p) => items.push(AddItem {
                            label: p.display().to_string(),
                            file: p.clone(),
                            fields: req.given.clone(),
                        }),
                        Candidate::Skipped(p, why) => {
                            skipped.push(format!("skipped {}: {why}", p.display()))
                        }
                    }
                }
            }
        }
        let what = match &req.manifest {
            Some(m) => m.display().to_string(),
            None => req
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        Ok(AddPlan {
            items,
            skipped,
            summarize: manifest_rows.is_some() || candidates.len() > 1 || from_folder,
            all_or_nothing: manifest_rows.is_some() && !req.partial,
            what,
            one_document_fields: req.given.title.is_some() || req.given.doc_number.is_some(),
            manifest: manifest_rows.is_some(),
        })
    }

    /// Add the plan's documents: waits for the corpus's write lock, then
    /// reads, checks and copies each file (a refused file changes nothing;
    /// with `all_or_nothing` one refusal adds none) and writes the catalog
    /// once. The index is not touched: call [`Workspace::update_index`]
    /// with [`AddDone::corpus`] while holding [`AddDone::lock`].
    pub fn add(
        &self,
        req: &AddRequest,
        plan: &AddPlan,
        progress: AddProgress<'_>,
    ) -> Result<AddDone> {
        // (The I/O error's own words, as `add` has always said them.)
        std::fs::create_dir_all(&self.corpus_dir).map_err(|e| Error::Other(e.to_string()))?;
        self.sweep_interrupted_add()?;
        let (mut corpus, lock) = Corpus::open_for_writing(&self.corpus_dir, self.observer())?;
        let to_add: Vec<(&Path, Detected)> = plan
            .items
            .iter()
            .map(|i| (i.file.as_path(), i.fields.clone()))
            .collect();
        let options = AddOptions {
            extract: extract::Options {
                ocr: req.ocr,
                progress: progress.pages,
            },
            allow_near_duplicate: req.allow_near_duplicate,
            all_or_nothing: plan.all_or_nothing,
            files_progress: progress.files,
        };
        let added = corpus.add_each(&to_add, &options);
        let rolled_back = !added.committed && added.results.iter().any(|r| r.is_ok());
        let (mut ok, mut refused) = (0, 0);
        let outcomes = plan
            .items
            .iter()
            .zip(added.results)
            .map(|(item, r)| match r {
                Ok(e) if rolled_back => {
                    ok += 1;
                    Outcome::RolledBack(e)
                }
                Ok(e) => {
                    ok += 1;
                    Outcome::Added(e)
                }
                Err(Error::Interrupted(_)) => {
                    refused += 1;
                    Outcome::Interrupted
                }
                Err(e) => {
                    refused += 1;
                    Outcome::Refused(if item.file.as_os_str().is_empty() {
                        "the row has no path".to_string()
                    } else {
                        match e {
                            Error::Input { reason, .. } => reason,
                            e => e.to_string(),
                        }
                    })
                }
            })
            .collect();
        Ok(AddDone {
            corpus,
            lock,
            outcomes,
            added: if added.committed { ok } else { 0 },
            refused,
            rolled_back: if rolled_back { ok } else { 0 },
        })
    }
}

/// ` (南通市, 通政发〔2022〕18号, 2022-03-15, OCR 91.3%)`, or nothing.
pub fn describe(e: &Entry) -> String {
    let mut what = vec![];
    for v in [e.jurisdiction.text(), e.doc_number.text(), e.date.text()] {
        if !v.is_empty() {
            what.push(v.to_string());
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
pub fn missing_note(file: &Path, e: &Entry) -> Option<String> {
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

/// What to do with one path found on the command line or in a folder.
enum Candidate {
    File(PathBuf),
    Skipped(PathBuf, String),
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
