//! Step 1: which provisions are on the topic, in which column, and the
//! topic × column coverage.
//!
//! Classification ([`classify_documents`]) is separate from selection
//! ([`Selection::new`]) so a caller can keep it: it depends only on the
//! documents' text and the taxonomy, and on a large corpus it is most of the
//! work. A selection then needs parsed provisions only for the documents
//! that have some on the topic.

use serde::{Deserialize, Serialize};

use super::TopicInfo;
use crate::classify::topics::{classify, Taxonomy, Topic, TopicScore};
use crate::corpus::regions::regions;
use crate::corpus::{AsText, Document, Entry, Provision};

/// Column name of documents without a jurisdiction.
pub const NO_JURISDICTION: &str = "(no jurisdiction)";

/// What a column stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// One column per province ([`crate::corpus::regions`]): a city's and
    /// its zones' documents under 江苏省; national documents under their
    /// jurisdiction (全国).
    Province,
    /// One column per prefecture-level city: a zone's documents under its
    /// city; a province's own documents under the province.
    City,
    /// One column per jurisdiction (the documents' `jurisdiction`).
    Jurisdiction,
    /// One column per document (its id).
    Doc,
}

impl By {
    /// The column a document belongs to.
    pub fn column_of(self, e: &Entry) -> String {
        let j = e.jurisdiction.trim();
        if j.is_empty() && self != By::Doc {
            return NO_JURISDICTION.to_string();
        }
        let table = regions();
        match self {
            By::Province => table
                .place_of(j)
                .map_or(j, |r| table.province_of(r).name)
                .to_string(),
            By::City => table.place_of(j).map_or(j, |r| r.name).to_string(),
            By::Jurisdiction => j.to_string(),
            By::Doc => e.id.clone(),
        }
    }

    /// What a column stands for, in words: `province`, `document`.
    pub fn name(self) -> &'static str {
        match self {
            By::Province => "province",
            By::City => "city",
            By::Jurisdiction => "jurisdiction",
            By::Doc => "document",
        }
    }

    /// What a column is called in reports: its name, or for a document its
    /// jurisdiction and a short title (the name, its id, is listed beside).
    pub fn label_of(self, e: &Entry, column: &str) -> String {
        match self {
            By::Doc if e.jurisdiction.trim().is_empty() => short_title(&e.title, ""),
            By::Doc => format!(
                "{} · {}",
                e.jurisdiction.trim(),
                short_title(&e.title, &e.jurisdiction)
            ),
            _ => column.to_string(),
        }
    }
}

/// Most characters of a short title; longer ones keep their opening and
/// their kind (…实施方案).
const SHORT_TITLE_CHARS: usize = 20;

/// A title without what the column label already says (the jurisdiction,
/// 关于, book-title marks), shortened to its opening and its end.
pub fn short_title(title: &str, jurisdiction: &str) -> String {
    let mut t = title.trim().trim_matches(['《', '》']);
    let place = regions().place_of(jurisdiction).map(|r| r.name);
    for prefix in [jurisdiction.trim(), place.unwrap_or("")] {
        if !prefix.is_empty() {
            t = t.strip_prefix(prefix).unwrap_or(t);
        }
    }
    for prefix in ["人民政府", "市政府", "政府", "关于"] {
        t = t.strip_prefix(prefix).unwrap_or(t);
    }
    if t.is_empty() {
        t = title.trim();
    }
    let chars: Vec<char> = t.chars().collect();
    if chars.len() <= SHORT_TITLE_CHARS {
        return t.to_string();
    }
    let head: String = chars[..SHORT_TITLE_CHARS - 7].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

/// A topic score of one provision (what [`classify`] returns, storable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub topic: String,
    pub score: f64,
    pub evidence: Vec<String>,
}

/// The topics of one provision (only provisions with at least one are kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisionTopics {
    /// The provision's `seq` (1-based position in the document).
    pub seq: usize,
    pub topics: Vec<Scored>,
}

/// The classification of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocTopics {
    pub doc_id: String,
    /// Substantive (non-front-matter) provisions.
    pub substantive: usize,
    /// Provisions on at least one topic, in document order.
    pub provisions: Vec<ProvisionTopics>,
}

impl DocTopics {
    /// Has the document a provision on `topic`?
    pub fn has(&self, topic: &str) -> bool {
        self.provisions
            .iter()
            .any(|p| p.topics.iter().any(|s| s.topic == topic))
    }
}

/// Classify every substantive provision of `docs` (on all cores).
pub fn classify_documents(tax: &Taxonomy, docs: &[&Document]) -> Vec<DocTopics> {
    let work: Vec<(usize, &Provision)> = docs
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            d.provisions
                .iter()
                .filter(|p| p.is_substantive())
                .map(move |p| (i, p))
        })
        .collect();
    let scores = parallel_map(&work, |(_, p)| classify(tax, p));
    let mut out: Vec<DocTopics> = docs
        .iter()
        .map(|d| DocTopics {
            doc_id: d.entry.id.clone(),
            substantive: 0,
            provisions: vec![],
        })
        .collect();
    for ((i, p), ts) in work.iter().zip(scores) {
        out[*i].substantive += 1;
        if !ts.is_empty() {
            out[*i].provisions.push(ProvisionTopics {
                seq: p.seq,
                topics: ts
                    .into_iter()
                    .map(|s| Scored {
                        topic: s.topic,
                        score: s.score,
                        evidence: s.evidence,
                    })
                    .collect(),
            });
        }
    }
    out
}

/// One document taking part: its catalog entry, its classification and —
/// when it has provisions on the topic — the parsed document.
#[derive(Debug, Clone, Copy)]
pub struct Compared<'a, 't> {
    pub entry: &'t Entry,
    pub topics: &'t DocTopics,
    pub doc: Option<&'a Document>,
}

/// A document taking part in the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocInfo {
    pub id: String,
    pub title: String,
    pub doc_number: String,
    pub date: String,
    pub jurisdiction: String,
    /// Content hash of the document's file (`blake3:…`).
    pub hash: String,
    /// The column it is shown in.
    pub column: String,
}

/// A column of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// What reports call it: the name, or for a document its jurisdiction
    /// and short title.
    pub label: String,
    /// Ids of the documents in this column.
    pub documents: Vec<String>,
    /// Provisions on the topic in this column.
    pub provisions: usize,
    /// Substantive provisions of the column's documents.
    pub substantive: usize,
}

/// The topic × column coverage: how many provisions of each column are on
/// each topic of the taxonomy (the counts of [`crate::classify::topics::coverage`],
/// restricted to the documents compared).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heatmap {
    pub columns: Vec<String>,
    pub topics: Vec<HeatRow>,
    /// Substantive provisions per column.
    pub provisions: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatRow {
    pub id: String,
    pub label: String,
    /// Per column, in column order.
    pub counts: Vec<usize>,
    pub total: usize,
}

/// One provision on the topic, with its column and classification.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub column: usize,
    pub doc: &'a Document,
    pub provision: &'a Provision,
    /// The provision's score on the topic, with the matched terms.
    pub topic: TopicScore,
}

/// The provisions on one topic, grouped by column.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub topic: TopicInfo,
    pub by: By,
    pub columns: Vec<Column>,
    /// In document order (columns interleaved as the documents come).
    pub candidates: Vec<Candidate<'a>>,
    pub heatmap: Heatmap,
    pub documents: Vec<DocInfo>,
    pub taxonomy_version: String,
    pub taxonomy_fingerprint: String,
    pub taxonomy_source: String,
}

impl<'a> Selection<'a> {
    /// Classify `docs` and select: see [`Selection::new`].
    pub fn of_documents(
        tax: &Taxonomy,
        topic: &Topic,
        docs: &[&'a Document],
        by: By,
    ) -> Selection<'a> {
        let topics = classify_documents(tax, docs);
        let compared: Vec<Compared> = docs
            .iter()
            .zip(&topics)
            .map(|(d, t)| Compared {
                entry: &d.entry,
                topics: t,
                doc: Some(*d),
            })
            .collect();
        Selection::new(tax, topic, &compared, by)
    }

    /// The provisions of `docs` on `topic`, by column, and the coverage.
    /// Columns come in the order of `docs`: every column of a document is
    /// shown, with or without provisions on the topic. Provisions of a
    /// document without its parsed text (`doc: None`) are counted in the
    /// coverage but cannot be shown; callers parse every document that
    /// [`DocTopics::has`] the topic.
    pub fn new(tax: &Taxonomy, topic: &Topic, docs: &[Compared<'a, '_>], by: By) -> Selection<'a> {
        let mut columns: Vec<Column> = vec![];
        let mut col_of_doc = Vec::with_capacity(docs.len());
        for d in docs {
            let name = by.column_of(d.entry);
            let c = match columns.iter().position(|c| c.name == name) {
                Some(c) => c,
                None => {
                    columns.push(Column {
                        label: by.label_of(d.entry, &name),
                        name,
                        documents: vec![],
                        provisions: 0,
                        substantive: 0,
                    });
                    columns.len() - 1
                }
            };
            columns[c].documents.push(d.entry.id.clone());
            col_of_doc.push(c);
        }
        let mut heat: Vec<HeatRow> = tax
            .topics()
            .iter()
            .map(|t| HeatRow {
                id: t.id.clone(),
                label: t.label.clone(),
                counts: vec![0; columns.len()],
                total: 0,
            })
            .collect();
        let mut substantive = vec![0; columns.len()];
        let mut candidates = vec![];
        for (d, &c) in docs.iter().zip(&col_of_doc) {
            substantive[c] += d.topics.substantive;
            for pt in &d.topics.provisions {
                for s in &pt.topics {
                    if let Some(t) = tax.topics().iter().position(|t| t.id == s.topic) {
                        heat[t].counts[c] += 1;
                        heat[t].total += 1;
                    }
                }
                let on_topic = pt.topics.iter().find(|s| s.topic == topic.id);
                let provision = d.doc.and_then(|doc| {
                    let at = doc.provisions.get(pt.seq.wrapping_sub(1));
                    at.filter(|p| p.seq == pt.seq)
                        .or_else(|| doc.provisions.iter().find(|p| p.seq == pt.seq))
                        .map(|p| (doc, p))
                });
                if let (Some(s), Some((doc, p))) = (on_topic, provision) {
                    candidates.push(Candidate {
                        column: c,
                        doc,
                        provision: p,
                        topic: TopicScore {
                            topic: s.topic.clone(),
                            score: s.score,
                            evidence: s.evidence.clone(),
                        },
                    });
                }
            }
        }
        for (c, col) in columns.iter_mut().enumerate() {
            col.substantive = substantive[c];
            col.provisions = candidates.iter().filter(|x| x.column == c).count();
        }
        let documents = docs
            .iter()
            .zip(&col_of_doc)
            .map(|(d, &c)| DocInfo {
                id: d.entry.id.clone(),
                title: d.entry.title.clone(),
                doc_number: d.entry.doc_number.clone(),
                date: d.entry.date.text().to_string(),
                jurisdiction: d.entry.jurisdiction.clone(),
                hash: d.entry.hash.clone(),
                column: columns[c].name.clone(),
            })
            .collect();
        Selection {
            topic: topic.into(),
            by,
            heatmap: Heatmap {
                columns: columns.iter().map(|c| c.name.clone()).collect(),
                topics: heat,
                provisions: substantive,
            },
            columns,
            candidates,
            documents,
            taxonomy_version: tax.version.clone(),
            taxonomy_fingerprint: tax.fingerprint(),
            taxonomy_source: tax.source.to_string(),
        }
    }
}

/// `f` over `items` on all cores (rayon's pool), results in order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    items.par_iter().map(f).collect()
}
