//! `policy-diff compare --topic T`: side-by-side report of the provisions on
//! one topic, parallel provisions of different jurisdictions (or documents)
//! aligned in rows.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use policy_diff::compare::side_by_side::{
    self as sbs, By, Compared, DocTopics, Options, Selection, ROW_THRESHOLD,
};
use policy_diff::corpus::{Corpus, Document, Entry};
use policy_diff::topics::Taxonomy;
use policy_diff::Error;

use super::{stdout, ByArg, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The topic: its id (`fiscal`), Chinese label (`人才`) or an alias
    /// (`financial-autonomy`, `财政自主权`). `policy-diff topics` lists them.
    #[arg(long, value_name = "T")]
    pub topic: String,
    /// Compare this jurisdiction: a province or city in Chinese or pinyin
    /// (`江苏`, `连云港`, `nantong`: everything in it), or a jurisdiction in
    /// full or by an unambiguous part (`开发区`); repeat for more. Columns
    /// follow the order given.
    #[arg(long = "jurisdiction", short = 'j', value_name = "J")]
    pub jurisdictions: Vec<String>,
    /// Compare this document (id, 文号 or a unique part of the title); repeat for more. With --jurisdiction, the
    /// documents of both are compared. Default: every document.
    #[arg(long = "doc", short = 'd', value_name = "D")]
    pub docs: Vec<String>,
    /// One column per province, city, jurisdiction or document.
    #[arg(long, value_enum, default_value = "jurisdiction")]
    pub by: ByArg,
    /// Refuse a report with more columns than this (columns without
    /// provisions on the topic are left out first), saying how to narrow it.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub max_columns: usize,
    /// Output: md, html (one self-contained file), json or csv. Default:
    /// from the extension of the --output file (.md, .html/.htm, .json,
    /// .csv), else md.
    #[arg(long, value_parser = super::formats(&[Format::Md, Format::Html, Format::Json, Format::Csv]))]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Minimum score (0–1] of a clause link that puts two sentences of two
    /// documents in one row (as `diff --threshold`).
    #[arg(long, default_value_t = ROW_THRESHOLD)]
    pub threshold: f64,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    if let Some(path) = &args.output {
        check_output(path)?;
        check_extension(path)?;
    }
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(format_of))
        .unwrap_or(Format::Md);
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        return Err(Error::Usage(format!(
            "--threshold must be in (0, 1], got {}",
            args.threshold
        ))
        .into());
    }
    let timing = std::env::var_os("POLICY_DIFF_TIMING").is_some();
    let started = Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("timing: {what} at {:.3}s", started.elapsed().as_secs_f64());
        }
    };
    let tax = ctx.taxonomy()?;
    let topic = tax.resolve(&args.topic)?;
    let corpus = ctx.corpus()?;
    // Names first: a typo fails fast, before any parsing.
    let jurisdictions = corpus.jurisdictions_of(&args.jurisdictions)?;
    let doc_ids = corpus.doc_ids(&args.docs)?;
    // IDF over every provision of the corpus (cached beside the index, which
    // this brings up to date), so boilerplate every document repeats weighs little.
    let model = ctx.similarity_model(&corpus)?;
    lap("index checked, IDF weights loaded");

    // Load the segmentation dictionary (rows need it) meanwhile.
    let warm = std::thread::spawn(|| policy_diff::text::segment::words("开发区").len());
    let by = By::from(args.by);
    let mut entries = select(&corpus.catalog.documents, &jurisdictions, &doc_ids);
    // The topics of every document (cached beside the index); parsed text
    // only for the documents with provisions on this topic.
    let (classified, mut docs) = classified_corpus(ctx, &corpus, tax)?;
    lap("provisions classified");
    let on_topic = |e: &Entry| classified.get(&e.id).is_some_and(|t| t.has(&topic.id));
    let left_out = drop_empty_columns(&mut entries, by, on_topic);
    if !left_out.is_empty() {
        eprintln!(
            "policy-diff: left out {} column{} without provisions on {}: {}",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" },
            topic.id,
            abbreviated(&left_out, 8)
        );
    }
    let columns = column_names(&entries, by);
    if columns.len() > args.max_columns {
        return Err(Error::Usage(format!(
            "the report would have {} columns (one per {} with provisions on {}: {}), more than --max-columns {}\nhint: narrow it with --jurisdiction (a province or city takes everything in it: -j 江苏) or --doc, group with --by {}, or raise --max-columns",
            columns.len(),
            by.name(),
            topic.id,
            abbreviated(&columns, 6),
            args.max_columns,
            match by {
                By::Doc => "jurisdiction, city or province",
                By::Jurisdiction => "city or province",
                By::City | By::Province => "province",
            }
        ))
        .into());
    }
    let missing: Vec<&Entry> = entries
        .iter()
        .copied()
        .filter(|e| classified.get(&e.id).is_some_and(|t| t.has(&topic.id)))
        .filter(|e| !docs.iter().any(|d| d.entry.id == e.id))
        .collect();
    docs.extend(parse_all(&corpus, &missing)?);
    lap("documents on the topic parsed");
    let empty = DocTopics {
        doc_id: String::new(),
        substantive: 0,
        provisions: vec![],
    };
    let compared: Vec<Compared> = entries
        .iter()
        .map(|e| Compared {
            entry: e,
            topics: classified.get(&e.id).unwrap_or(&empty),
            doc: docs.iter().find(|d| d.entry.id == e.id),
        })
        .collect();
    let selection = Selection::new(tax, topic, &compared, by);
    let _ = warm.join();
    let report = sbs::compare(
        &selection,
        &model,
        &Options {
            threshold: args.threshold,
        },
    );
    lap("rows");

    let bytes = match format {
        Format::Json => match ctx.stale() {
            None => sbs::json(&report).into_bytes(),
            Some(_) => {
                let mut s = serde_json::to_string_pretty(&ctx.with_stale(&report))?;
                s.push('\n');
                s.into_bytes()
            }
        },
        Format::Html => sbs::html(&report).into_bytes(),
        Format::Csv => {
            let mut buf = vec![];
            sbs::csv(&report, &mut buf)?;
            buf
        }
        _ => sbs::markdown(&report).into_bytes(),
    };
    lap("rendered");
    match &args.output {
        Some(path) => {
            write_atomic(path, &bytes)?;
            eprintln!(
                "policy-diff: wrote {} ({}, {} with counterparts in several columns)",
                path.display(),
                policy_diff::report::count(report.rows.len(), "row"),
                report.aligned_rows()
            );
        }
        None => {
            let mut out = stdout();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(0)
}

/// `entries` parsed on all cores, in the order given. Workers take the next
/// document as they finish one, so a few very long documents (a civil
/// code) do not leave a core idle.
fn parse_all(corpus: &Corpus, entries: &[&Entry]) -> policy_diff::Result<Vec<Document>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(entries.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let parsed: Vec<Vec<(usize, policy_diff::Result<Document>)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = vec![];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(e) = entries.get(i) else { break };
                        out.push((i, corpus.document(e)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("parser thread panicked"))
            .collect()
    });
    let mut all: Vec<(usize, policy_diff::Result<Document>)> =
        parsed.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, d)| d).collect()
}

/// Prefix of the classification cache files in the index directory.
const CACHE_PREFIX: &str = "compare-topics-";

/// The topics of every provision of the corpus, by document id: read from
/// the cache beside the index when it matches, else classified now (every
/// document parsed; the parsed documents are returned too) and cached.
///
/// The cache key ([`Ctx::cache_key`]) covers what classification depends
/// on: each document's fingerprint as the (just refreshed) index recorded
/// it, the taxonomy's fingerprint, and this build of the program.
fn classified_corpus(
    ctx: &Ctx,
    corpus: &Corpus,
    tax: &Taxonomy,
) -> anyhow::Result<(HashMap<String, DocTopics>, Vec<Document>)> {
    let payload = ctx.fresh_reader(corpus)?.payload;
    let key = ctx.cache_key("compare-topics-1", corpus, &payload);
    let file = ctx.index_dir.join(format!("{CACHE_PREFIX}{key}.json"));
    if let Some(cached) = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<DocTopics>>(&b).ok())
    {
        let map: HashMap<String, DocTopics> =
            cached.into_iter().map(|t| (t.doc_id.clone(), t)).collect();
        if corpus
            .catalog
            .documents
            .iter()
            .all(|e| map.contains_key(&e.id))
        {
            return Ok((map, vec![]));
        }
    }
    let all: Vec<&Entry> = corpus.catalog.documents.iter().collect();
    let docs = parse_all(corpus, &all)?;
    let refs: Vec<&Document> = docs.iter().collect();
    let topics = sbs::classify_documents(tax, &refs);
    // A cache that cannot be written is no error: the next run classifies again.
    if let Ok(bytes) = serde_json::to_vec(&topics) {
        if write_atomic(&file, &bytes).is_ok() {
            if let Ok(dir) = std::fs::read_dir(&ctx.index_dir) {
                for f in dir.flatten() {
                    let name = f.file_name().to_string_lossy().into_owned();
                    if name.starts_with(CACHE_PREFIX) && f.path() != file {
                        let _ = std::fs::remove_file(f.path());
                    }
                }
            }
        }
    }
    Ok((
        topics.into_iter().map(|t| (t.doc_id.clone(), t)).collect(),
        docs,
    ))
}

/// The documents compared, in column order: those of each --jurisdiction
/// (in the order given), then each --doc; every document when neither is given.
fn select<'a>(entries: &'a [Entry], jurisdictions: &[String], ids: &[String]) -> Vec<&'a Entry> {
    if jurisdictions.is_empty() && ids.is_empty() {
        return entries.iter().collect();
    }
    let mut out: Vec<&Entry> = vec![];
    for j in jurisdictions {
        for e in entries.iter().filter(|e| &e.jurisdiction == j) {
            if !out.iter().any(|o| o.id == e.id) {
                out.push(e);
            }
        }
    }
    for id in ids {
        if let Some(e) = entries.iter().find(|e| &e.id == id) {
            if !out.iter().any(|o| o.id == e.id) {
                out.push(e);
            }
        }
    }
    out
}

/// Leave out the documents of columns where none has provisions on the
/// topic (unless no column has any: the report then says so); returns the
/// names of the columns left out.
fn drop_empty_columns(
    entries: &mut Vec<&Entry>,
    by: By,
    on_topic: impl Fn(&Entry) -> bool,
) -> Vec<String> {
    let kept: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| on_topic(e))
        .map(|e| by.column_of(e))
        .collect();
    if kept.is_empty() {
        return vec![];
    }
    let left_out: Vec<String> = column_names(entries, by)
        .into_iter()
        .filter(|c| !kept.contains(c))
        .collect();
    entries.retain(|e| kept.contains(&by.column_of(e)));
    left_out
}

/// The columns of `entries`, in order of first appearance.
fn column_names(entries: &[&Entry], by: By) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for e in entries {
        let c = by.column_of(e);
        if !names.contains(&c) {
            names.push(c);
        }
    }
    names
}

/// The first `n` names, and how many more.
fn abbreviated(names: &[String], n: usize) -> String {
    let mut s = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        s.push_str(&format!(" and {} more", names.len() - n));
    }
    s
}

/// The format an output file's extension asks for, if any.
fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "md" | "markdown" => Format::Md,
        "html" | "htm" => Format::Html,
        "json" => Format::Json,
        "csv" => Format::Csv,
        _ => return None,
    })
}

/// Refuse an --output whose extension names a format compare does not
/// write (`x.pdf`). A known extension gives the format unless --format
/// says otherwise; a file without extension takes --format (else md).
fn check_extension(path: &Path) -> policy_diff::Result<()> {
    match path.extension() {
        Some(ext) if format_of(path).is_none() => Err(Error::input(
            path,
            format!(
                "compare does not write .{} files\nhint: name the file .md, .html, .json or .csv (or give no extension and --format)",
                ext.to_string_lossy()
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuse an --output that cannot be a file before doing any work.
fn check_output(path: &Path) -> policy_diff::Result<()> {
    if path.is_dir() {
        return Err(Error::input(
            path,
            format!(
                "is a directory; give a file name (e.g. {})",
                path.join("report.md").display()
            ),
        ));
    }
    if path
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
    {
        return Err(Error::input(
            path,
            "names a directory, which does not exist; give a file name",
        ));
    }
    Ok(())
}

/// Write `bytes` to `path` through a temporary file in the same directory
/// and a rename: readers never see a half-written report. The file gets
/// the mode of the file it replaces, or else the mode any new file gets
/// (0666 less the umask), not a temporary file's 0600.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    check_output(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let writing = |e| Error::io(format!("writing {}", path.display()), e);
    let (tmp_path, mut file) = (0..100)
        .map(|n| dir.join(format!(".{name}.{}-{n}.tmp", std::process::id())))
        .find_map(|p| {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&p)
            {
                Ok(f) => Some(Ok((p, f))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(e)),
            }
        })
        .unwrap_or_else(|| Err(std::io::ErrorKind::AlreadyExists.into()))
        .map_err(|e| {
            Error::input(
                path,
                format!("cannot create a file in {}: {e}", dir.display()),
            )
        })?;
    let written = (|| {
        file.write_all(bytes).map_err(writing)?;
        if let Ok(old) = std::fs::metadata(path) {
            file.set_permissions(old.permissions()).map_err(writing)?;
        }
        file.sync_all().map_err(writing)?;
        drop(file);
        std::fs::rename(&tmp_path, path)
            .map_err(|e| Error::io(format!("replacing {}", path.display()), e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    Ok(written?)
}
