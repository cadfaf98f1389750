//! The provision-by-provision diff of two documents: aligned pairs with word
//! diffs and changed figures, what only one side has, a summary and the
//! provenance a report needs to be reproduced.

use serde::Serialize;

use super::align::{align, CLOSE_THRESHOLD, MAX_PARTNERS, SPLIT_THRESHOLD};
use super::figures::{self, FigureChange};
use super::similarity::SimilarityModel;
use super::worddiff::{self, Span, MIN_REUSED_CHARS};
use crate::corpus::{Document, Provision};

/// A document named in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocInfo {
    pub id: String,
    pub title: String,
}

/// A provision as reports cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionRef {
    pub doc_id: String,
    pub provision_id: String,
    pub heading: String,
    pub text: String,
}

impl From<&Provision> for ProvisionRef {
    fn from(p: &Provision) -> Self {
        ProvisionRef {
            doc_id: p.doc_id.clone(),
            provision_id: p.id.clone(),
            heading: p.heading.clone(),
            text: p.text.clone(),
        }
    }
}

/// Two aligned provisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairDiff {
    pub a: ProvisionRef,
    pub b: ProvisionRef,
    /// In [0, 1], rounded to three decimals.
    pub similarity: f64,
    /// Word diff of A's text into B's.
    pub diff: Vec<Span>,
    /// Figures that differ (numbers, ranges, deadlines, target years).
    pub figures: Vec<FigureChange>,
}

/// Counts for one side of a diff.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SideSummary {
    /// Substantive provisions (front matter excluded).
    pub provisions: usize,
    /// Paired at similarity ≥ `close_threshold`.
    pub matched: usize,
    /// Paired, below `close_threshold`.
    pub partly_matched: usize,
    /// Without a counterpart.
    pub unique: usize,
    /// Letters and digits of the folded text (substantive provisions).
    pub chars: usize,
    /// Of those, how many the other document reuses (equal runs of at least
    /// `min_reused_chars` in the paired provisions' word diffs).
    pub reused_chars: usize,
    /// `reused_chars / chars`, rounded to three decimals.
    pub reused_share: f64,
    /// The same counts per topic (a provision counts under each of its topics).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub by_topic: std::collections::BTreeMap<String, TopicCounts>,
}

/// Matched / partly matched / unique provisions on one topic.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicCounts {
    pub matched: usize,
    pub partly_matched: usize,
    pub unique: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub pairs: usize,
    pub a: SideSummary,
    pub b: SideSummary,
}

/// What produced a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub tool: &'static str,
    pub version: &'static str,
    pub a_hash: String,
    pub b_hash: String,
    /// Minimum similarity of a pair.
    pub threshold: f64,
    /// Minimum similarity of a second partner (split or merged measures).
    pub split_threshold: f64,
    pub max_partners: usize,
    /// Pairs at or above this similarity count as matched.
    pub close_threshold: f64,
    pub min_reused_chars: usize,
    /// How many provisions the IDF weights were computed over.
    pub idf_provisions: usize,
    pub method: &'static str,
}

/// The diff of two documents (JSON shape of `policy-diff diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentDiff {
    pub a: DocInfo,
    pub b: DocInfo,
    /// In A's order (then B's).
    pub pairs: Vec<PairDiff>,
    pub only_a: Vec<ProvisionRef>,
    pub only_b: Vec<ProvisionRef>,
    pub summary: Summary,
    pub provenance: Provenance,
}

/// How the similarity is computed, for provenance.
pub const METHOD: &str = "IDF-weighted cosine of jieba words (0.45) and character bigrams (0.25) \
of the folded text, plus heading words/bigrams (0.30); near-verbatim floor: squared Sørensen–Dice \
of character bigrams; greedy one-to-one alignment by score, then splits/merges";

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn content_chars(text: &str) -> usize {
    crate::text::fold(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .count()
}

/// Diff two documents: align their substantive provisions (front matter
/// excluded) with `model` at `threshold`, word-diff each pair, compare figures.
pub fn diff_documents(
    model: &SimilarityModel,
    a: &Document,
    b: &Document,
    threshold: f64,
) -> DocumentDiff {
    diff_documents_by_topic(model, a, b, threshold, &|_| Vec::new())
}

/// [`diff_documents`], with each side's matched / partly matched / unique
/// counts also broken down by the topics `topics` assigns.
pub fn diff_documents_by_topic(
    model: &SimilarityModel,
    a: &Document,
    b: &Document,
    threshold: f64,
    topics: &dyn Fn(&Provision) -> Vec<String>,
) -> DocumentDiff {
    let pa: Vec<&Provision> = a.provisions.iter().filter(|p| p.is_substantive()).collect();
    let pb: Vec<&Provision> = b.provisions.iter().filter(|p| p.is_substantive()).collect();
    let alignment = align(model, &pa, &pb, threshold);

    let mut pairs = Vec::with_capacity(alignment.pairs.len());
    let mut reused_a = vec![0usize; pa.len()];
    let mut reused_b = vec![0usize; pb.len()];
    // Best similarity of each provision's pairs; None when unpaired.
    let mut best_a: Vec<Option<f64>> = vec![None; pa.len()];
    let mut best_b: Vec<Option<f64>> = vec![None; pb.len()];
    for pair in &alignment.pairs {
        let (x, y) = (pa[pair.a], pb[pair.b]);
        let spans = worddiff::diff_words(&x.text, &y.text);
        let reused = worddiff::reused_chars(&spans);
        reused_a[pair.a] += reused;
        reused_b[pair.b] += reused;
        for best in [&mut best_a[pair.a], &mut best_b[pair.b]] {
            *best = Some(best.map_or(pair.similarity, |s| s.max(pair.similarity)));
        }
        pairs.push(PairDiff {
            a: x.into(),
            b: y.into(),
            similarity: round3(pair.similarity),
            figures: figures::changes(&figures::extract(&x.text), &figures::extract(&y.text)),
            diff: spans,
        });
    }

    let side = |ps: &[&Provision], reused: &[usize], best: &[Option<f64>]| {
        let mut s = SideSummary {
            provisions: ps.len(),
            ..Default::default()
        };
        for (i, p) in ps.iter().enumerate() {
            let chars = content_chars(&p.text);
            s.chars += chars;
            s.reused_chars += reused[i].min(chars);
            let status = match best[i] {
                Some(x) if x >= CLOSE_THRESHOLD => 0,
                Some(_) => 1,
                None => 2,
            };
            let bump = |c: &mut TopicCounts| match status {
                0 => c.matched += 1,
                1 => c.partly_matched += 1,
                _ => c.unique += 1,
            };
            match status {
                0 => s.matched += 1,
                1 => s.partly_matched += 1,
                _ => s.unique += 1,
            }
            for t in topics(p) {
                bump(s.by_topic.entry(t).or_default());
            }
        }
        s.reused_share = if s.chars == 0 {
            0.0
        } else {
            round3(s.reused_chars as f64 / s.chars as f64)
        };
        s
    };
    let summary = Summary {
        pairs: pairs.len(),
        a: side(&pa, &reused_a, &best_a),
        b: side(&pb, &reused_b, &best_b),
    };

    DocumentDiff {
        a: DocInfo {
            id: a.entry.id.clone(),
            title: a.entry.title.clone(),
        },
        b: DocInfo {
            id: b.entry.id.clone(),
            title: b.entry.title.clone(),
        },
        pairs,
        only_a: alignment.only_a.iter().map(|&i| pa[i].into()).collect(),
        only_b: alignment.only_b.iter().map(|&j| pb[j].into()).collect(),
        summary,
        provenance: Provenance {
            tool: "policy-diff",
            version: env!("CARGO_PKG_VERSION"),
            a_hash: a.entry.hash.clone(),
            b_hash: b.entry.hash.clone(),
            threshold,
            split_threshold: threshold.max(SPLIT_THRESHOLD),
            max_partners: MAX_PARTNERS,
            close_threshold: CLOSE_THRESHOLD,
            min_reused_chars: MIN_REUSED_CHARS,
            idf_provisions: model.provisions(),
            method: METHOD,
        },
    }
}
