//! Diff and reuse requests: two documents aligned clause by clause; one
//! document's passages found nearly verbatim elsewhere.

use crate::compare::{self, diff::DocumentDiff, reuse};
use crate::corpus::Provision;
use crate::Result;

use super::Workspace;

/// `diff A B` as a user asks for it.
#[derive(Debug, Clone)]
pub struct DiffRequest {
    /// The documents: id, 文号 or a unique part of the title.
    pub a: String,
    pub b: String,
    /// Minimum score (0–1] of a clause link.
    pub threshold: f64,
}

impl Workspace {
    /// Align two documents. The index is brought up to date (a reading
    /// request), though the alignment needs only the two documents: IDF
    /// comes from them and a fixed background, so the rest of the corpus
    /// never moves the result.
    pub fn diff(&self, req: &DiffRequest) -> Result<DocumentDiff> {
        super::check_threshold(req.threshold)?;
        let corpus = self.corpus()?;
        let entry_a = corpus.entry(&req.a)?.clone();
        let entry_b = corpus.entry(&req.b)?.clone();
        self.refresh(&corpus)?;
        let (doc_a, doc_b) = (corpus.document(&entry_a)?, corpus.document(&entry_b)?);
        let tax = self.taxonomy()?;
        let topics = |p: &Provision| crate::classify::topics::topic_ids(tax, p);
        let settings = compare::clauses::Settings {
            close: req.threshold,
            related: compare::clauses::RELATED_THRESHOLD.min(req.threshold),
            ..Default::default()
        };
        Ok(compare::diff::diff_documents_by_topic(
            &doc_a, &doc_b, &settings, &topics,
        ))
    }

    /// The passages of `doc` (id, 文号 or a unique part of the title) found
    /// nearly verbatim in other documents, longest first; stock phrases
    /// found in most documents only with `boilerplate`.
    pub fn reuse(&self, doc: &str, boilerplate: bool) -> Result<reuse::Report> {
        let corpus = self.corpus()?;
        let entry = corpus.entry(doc)?.clone();
        let reader = self.fresh_reader(&corpus)?;
        let doc = corpus.document(&entry)?;
        let mut report = reuse::reuse(&reader, &corpus.catalog, &doc)?;
        if !boilerplate {
            report.passages.retain(|p| !p.boilerplate);
        }
        Ok(report)
    }
}
