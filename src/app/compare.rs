//! Compare requests: the provisions on one topic of the documents a user
//! names, one column per province, city, jurisdiction or document, aligned
//! in rows of one measure each.

use std::collections::HashMap;

use crate::classify::topics::Taxonomy;
use crate::compare::side_by_side::{
    self as sbs, By, Compared, DocTopics, Options, Selection, TopicComparison,
};
use crate::corpus::{Corpus, Document, Entry};
use crate::{Error, Result};

use super::Workspace;

/// A side-by-side report as a user asks for it.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// The topic: id, label or alias.
    pub topic: String,
    /// Jurisdictions compared (a province or city: everything in it), in
    /// column order; with `docs`, the documents of both.
    pub jurisdictions: Vec<String>,
    /// Documents compared (id, 文号 or a unique part of the title).
    pub docs: Vec<String>,
    /// What a column stands for.
    pub by: By,
    /// Refuse a report with more columns than this (saying how to narrow it).
    pub max_columns: usize,
    /// Minimum score (0–1] of a clause link that puts two sentences in one row.
    pub threshold: f64,
}

/// The answer to a [`CompareRequest`].
pub struct Comparison {
    pub report: TopicComparison,
    /// Columns left out because none of their documents has provisions on
    /// the topic (also told to the observer).
    pub left_out: Vec<String>,
}

impl Workspace {
    /// Compare the provisions on one topic: names are resolved first (a
    /// typo fails before any parsing), the index is brought up to date, and
    /// only the documents with provisions on the topic are parsed.
    pub fn compare(&self, req: &CompareRequest) -> Result<Comparison> {
        super::check_threshold(req.threshold)?;
        let tax = self.taxonomy()?;
        let topic = tax.resolve(&req.topic)?;
        let corpus = self.corpus()?;
        // Names first: a typo fails fast, before any parsing.
        let jurisdictions = corpus.jurisdictions_of(&req.jurisdictions)?;
        let doc_ids = corpus.doc_ids(&req.docs)?;
        // IDF over every provision of the corpus (cached beside the index, which
        // this brings up to date), so boilerplate every document repeats weighs little.
        let model = self.similarity_model(&corpus)?;
        self.mark("index checked, IDF weights loaded");

        // Load the segmentation dictionary (rows need it) meanwhile.
        let warm = std::thread::spawn(|| crate::text::segment::words("开发区").len());
        let by = req.by;
        let mut entries = select(&corpus.catalog.documents, &jurisdictions, &doc_ids);
        // The topics of every document (cached beside the index); parsed text
        // only for the documents with provisions on this topic.
        let (classified, mut docs) = classified_corpus(self, &corpus, tax)?;
        self.mark("provisions classified");
        let on_topic = |e: &Entry| classified.get(&e.id).is_some_and(|t| t.has(&topic.id));
        let left_out = drop_empty_columns(&mut entries, by, on_topic);
        if !left_out.is_empty() {
            self.notice(&format!(
                "policy-diff: left out {} column{} without provisions on {}: {}",
                left_out.len(),
                if left_out.len() == 1 { "" } else { "s" },
                topic.id,
                abbreviated(&left_out, 8)
            ));
        }
        let columns = column_names(&entries, by);
        if columns.len() > req.max_columns {
            return Err(Error::Usage(format!(
                "the report would have {} columns (one per {} with provisions on {}: {}), more than --max-columns {}\nhint: narrow it with --jurisdiction (a province or city takes everything in it: -j 江苏) or --doc, group with --by {}, or raise --max-columns",
                columns.len(),
                by.name(),
                topic.id,
                abbreviated(&columns, 6),
                req.max_columns,
                match by {
                    By::Doc => "jurisdiction, city or province",
                    By::Jurisdiction => "city or province",
                    By::City | By::Province => "province",
                }
            )));
        }
        let missing: Vec<&Entry> = entries
            .iter()
            .copied()
            .filter(|e| classified.get(&e.id).is_some_and(|t| t.has(&topic.id)))
            .filter(|e| !docs.iter().any(|d| d.entry.id == e.id))
            .collect();
        docs.extend(corpus.documents_of(&missing)?);
        self.mark("documents on the topic parsed");
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
                threshold: req.threshold,
            },
        );
        self.mark("rows");

        Ok(Comparison { report, left_out })
    }
}

/// Prefix of the classification cache files in the index directory.
const CACHE_NAME: &str = "compare-topics";

/// The topics of every provision of the corpus, by document id: read from
/// the cache beside the index when it matches, else classified now (every
/// document parsed; the parsed documents are returned too) and cached.
///
/// The cache key ([`Workspace::cache_key`]) covers what classification depends
/// on: each document's fingerprint as the (just refreshed) index recorded
/// it, the taxonomy's fingerprint, and this build of the program.
fn classified_corpus(
    ctx: &Workspace,
    corpus: &Corpus,
    tax: &Taxonomy,
) -> Result<(HashMap<String, DocTopics>, Vec<Document>)> {
    let payload = ctx.fresh_reader(corpus)?.payload;
    let key = ctx.cache_key("compare-topics-1", corpus, &payload);
    let cache = super::cache::Cache::new(&ctx.index_dir, CACHE_NAME, "json");
    if let Some(cached) = cache
        .read(&key)
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
    let docs = corpus.documents_of(&all)?;
    let refs: Vec<&Document> = docs.iter().collect();
    let topics = sbs::classify_documents(tax, &refs);
    if let Ok(bytes) = serde_json::to_vec(&topics) {
        cache.write(&key, &bytes);
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
