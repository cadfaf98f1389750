//! Reuse: which passages of a document appear nearly verbatim in other
//! documents of the corpus, and who said them first. Candidates come from
//! the index (anchor phrases of each sentence), so the cost grows with the
//! document, not with the corpus.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::corpus::{AsText, Catalog, Document};
use crate::error::Result;
use crate::index::Reader;
use crate::text::fold;

/// Sentences shorter than this (folded characters) are not considered.
pub const MIN_SENTENCE_CHARS: usize = 14;
/// Anchor length in folded characters.
pub const ANCHOR_CHARS: usize = 8;
/// Character similarity (normalized Levenshtein) for "nearly verbatim".
pub const MIN_SIMILARITY: f64 = 0.8;
/// A sentence found in at least this share of the other documents is boilerplate.
pub const BOILERPLATE_SHARE: f64 = 0.5;
/// ...and in at least this many documents.
pub const BOILERPLATE_MIN_DOCS: usize = 3;
/// Candidate provisions examined per anchor.
const ANCHOR_CAP: usize = 400;

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub doc_id: String,
    pub provision_id: String,
    pub title: String,
    pub date: String,
    pub similarity: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// The passage as displayed in the document.
    pub text: String,
    pub provision_id: String,
    pub heading: String,
    /// Length in folded characters.
    pub chars: usize,
    /// A stock phrase, not reuse: found in most documents, or mostly
    /// political formulae (`compare::clauses::is_boilerplate`).
    pub boilerplate: bool,
    /// How many other documents contain it (for boilerplate).
    pub documents: usize,
    pub sources: Vec<Source>,
    /// The document that has it with the earliest date (may be this one);
    /// `None` for boilerplate and where a common parent is the likely
    /// source (see `common_source`). A source that is itself a document
    /// this one implements is the origin, whatever the dates.
    pub first_said_by: Option<String>,
    /// A document that this one and every source implement (the catalog's
    /// `implements`): the likely common source of the passage, which dates
    /// cannot decide between siblings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_source: Option<CommonSource>,
}

/// A parent document shared by the documents that have a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommonSource {
    pub doc_number: String,
    pub title: String,
}

/// Who said a passage first: a source this document implements (the
/// origin), else a parent every document with the passage implements (a
/// likely common source), else the earliest date.
fn lineage(
    catalog: &Catalog,
    doc: &Document,
    sources: &[Source],
) -> (Option<String>, Option<CommonSource>) {
    let entry = |id: &str| catalog.documents.iter().find(|e| e.id == id);
    let parents = &doc.entry.implements;
    // A source that is one of this document's parents.
    if let Some(s) = sources.iter().find(|s| {
        entry(&s.doc_id).is_some_and(|e| {
            !e.doc_number.is_empty() && parents.iter().any(|p| p.doc_number == e.doc_number)
        })
    }) {
        return (Some(s.doc_id.clone()), None);
    }
    let common = parents.iter().find(|p| {
        !p.doc_number.is_empty()
            && !sources.is_empty()
            && sources.iter().all(|s| {
                entry(&s.doc_id)
                    .is_some_and(|e| e.implements.iter().any(|q| q.doc_number == p.doc_number))
            })
    });
    if let Some(p) = common {
        return (
            None,
            Some(CommonSource {
                doc_number: p.doc_number.clone(),
                title: p.title.clone().unwrap_or_default(),
            }),
        );
    }
    let own_date = doc.entry.date.text();
    let earliest = sources
        .iter()
        .filter(|s| !s.date.is_empty())
        .min_by(|a, b| a.date.cmp(&b.date));
    match earliest {
        Some(s) if own_date.is_empty() || s.date.as_str() < own_date => {
            (Some(s.doc_id.clone()), None)
        }
        _ => (Some(doc.entry.id.clone()), None),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub doc_id: String,
    pub title: String,
    pub date: String,
    pub passages: Vec<Passage>,
    pub reused_chars: usize,
    pub total_chars: usize,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    pub min_sentence_chars: usize,
    pub anchor_chars: usize,
    pub min_similarity: f64,
    pub boilerplate_share: f64,
}

/// Sentences of a display text: (display text, folded text).
fn sentences(text: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, '。' | '；' | '！' | '？' | '\n') {
            push_sentence(&mut out, &mut cur);
        }
    }
    push_sentence(&mut out, &mut cur);
    out
}

fn push_sentence(out: &mut Vec<(String, String)>, cur: &mut String) {
    let s = std::mem::take(cur);
    let display = s.trim().to_string();
    let folded = fold(&display);
    // Responsible-unit notes are lists of offices, not policy text. Not
    // `text::units`' note rule (ARCHITECTURE.md): this drops any sentence
    // naming one of three labels, a task table's header row (…责任部门)
    // and a mention (明确牵头单位…) too; the note rule would keep both, and
    // units' five labels as mentions would drop 57 sentences of the laws
    // corpus naming 责任主体 in passing. Either changes what reuse counts.
    let unit_note = ["责任单位", "牵头单位", "责任部门"]
        .iter()
        .any(|l| folded.contains(l));
    if folded.chars().count() >= MIN_SENTENCE_CHARS && !unit_note {
        out.push((display, folded));
    }
}

/// Anchors: windows at the start, middle and end of a folded sentence.
fn anchors(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    let n = chars.len();
    let mut starts = vec![
        0,
        n.saturating_sub(ANCHOR_CHARS) / 2,
        n.saturating_sub(ANCHOR_CHARS),
    ];
    starts.dedup();
    starts
        .into_iter()
        .map(|s| (s, chars[s..(s + ANCHOR_CHARS).min(n)].iter().collect()))
        .collect()
}

/// Anchors at the start of each clause (after ， or ：) of a folded
/// sentence that has room for one, except the first.
fn clause_starts(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    let n = chars.len();
    (1..n)
        .filter(|&i| matches!(chars[i - 1], ',' | ':' | '，' | '：') && i + ANCHOR_CHARS <= n)
        .map(|i| (i, chars[i..i + ANCHOR_CHARS].iter().collect()))
        .collect()
}

/// Similarity of `sentence` to the best-aligned window of `other` around
/// where `anchor` (at `offset` in the sentence) occurs.
fn best_window_similarity(sentence: &str, other: &str, anchor: &str, offset: usize) -> f64 {
    let s: Vec<char> = sentence.chars().collect();
    let o: Vec<char> = other.chars().collect();
    let a: Vec<char> = anchor.chars().collect();
    let mut best = 0.0f64;
    let mut i = 0;
    while i + a.len() <= o.len() {
        if o[i..i + a.len()] == a[..] {
            let start = i.saturating_sub(offset);
            let end = (start + s.len()).min(o.len());
            let window: String = o[start..end].iter().collect();
            best = best.max(strsim::normalized_levenshtein(sentence, &window));
            if best >= 0.999 {
                break;
            }
        }
        i += 1;
    }
    best
}

/// A provision of another document where a passage was found: (provision
/// id, document id, similarity).
type Found<'o> = (&'o str, &'o str, f64);

/// The longest run of a sentence's clauses (split after ， and ：) of at least
/// [`MIN_SENTENCE_CHARS`] found nearly verbatim in some of `others` (provision
/// id, document id, folded text), shorter than the whole sentence: (display,
/// folded, [(provision, document, similarity)]).
fn best_clause_run<'o>(
    display: &str,
    others: &[(&'o str, &'o str, &'o str)],
) -> Option<(String, String, Vec<Found<'o>>)> {
    let mut clauses: Vec<String> = vec![];
    let mut cur = String::new();
    for c in display.chars() {
        cur.push(c);
        if matches!(c, '，' | ',' | '：' | ':') {
            clauses.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        clauses.push(cur);
    }
    let k = clauses.len();
    // Runs shorter than the whole, longest first, earliest first.
    let mut runs: Vec<(usize, usize)> = (0..k)
        .flat_map(|i| (i + 1..=k).map(move |j| (i, j)))
        .filter(|&(i, j)| j - i < k)
        .collect();
    runs.sort_by_key(|&(i, j)| (std::cmp::Reverse(j - i), i));
    for (i, j) in runs {
        let run = clauses[i..j].concat();
        let run = run.trim_end_matches(['，', ',', '：', ':']).trim();
        let folded = fold(run);
        if folded.chars().count() < MIN_SENTENCE_CHARS {
            continue;
        }
        let found: Vec<Found<'o>> = others
            .iter()
            .filter_map(|&(pid, d, text)| {
                let sim = anchors(&folded)
                    .iter()
                    .map(|(offset, anchor)| best_window_similarity(&folded, text, anchor, *offset))
                    .fold(0.0, f64::max);
                (sim >= MIN_SIMILARITY).then_some((pid, d, sim))
            })
            .collect();
        if !found.is_empty() {
            return Some((run.to_string(), folded, found));
        }
    }
    None
}

/// Find the passages of `doc` reused from (or by) other documents.
pub fn reuse(reader: &Reader, catalog: &Catalog, doc: &Document) -> Result<Report> {
    let other_docs = catalog.documents.len().saturating_sub(1).max(1);
    let meta: HashMap<&str, (&str, &str)> = catalog
        .documents
        .iter()
        .map(|e| (e.id.as_str(), (e.title.as_str(), e.date.text())))
        .collect();
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    let mut passages: Vec<Passage> = vec![];
    let mut total_chars = 0;
    for p in doc.provisions.iter().filter(|p| p.is_substantive()) {
        let mut previous: Option<usize> = None;
        for (mut display, folded) in sentences(&p.text) {
            let len = folded.chars().count();
            total_chars += len;
            // The reused length: the sentence's, or a run of its clauses'.
            let mut run_len = len;
            // Anchor hits in other documents.
            // An anchor found in most documents is a stock phrase: it finds
            // no candidates; a sentence all of whose anchors are stock
            // phrases is boilerplate.
            let mut candidates: BTreeMap<String, (String, String, usize)> = BTreeMap::new(); // pid -> (doc, anchor, offset)
            let mut stock_anchors = 0;
            let mut stock_docs = 0;
            let all_anchors = anchors(&folded);
            // Clause starts find the documents that have only part of the
            // sentence (see `best_clause_run`); they do not decide boilerplate.
            let clause_anchors: Vec<(usize, String)> = clause_starts(&folded)
                .into_iter()
                .filter(|a| !all_anchors.contains(a))
                .collect();
            for (k, (offset, anchor)) in all_anchors.iter().chain(&clause_anchors).enumerate() {
                let of_sentence = k < all_anchors.len();
                let located = reader.locate(anchor, ANCHOR_CAP)?;
                let docs: HashSet<&str> = located
                    .hits
                    .iter()
                    .map(|(_, d)| d.as_str())
                    .filter(|d| *d != doc.entry.id)
                    .collect();
                let stock = located.total > ANCHOR_CAP
                    || (docs.len() >= BOILERPLATE_MIN_DOCS
                        && docs.len() as f64 >= BOILERPLATE_SHARE * other_docs as f64);
                if stock {
                    if of_sentence {
                        stock_anchors += 1;
                        stock_docs = stock_docs.max(docs.len());
                    }
                    continue;
                }
                for (pid, d) in &located.hits {
                    if *d != doc.entry.id {
                        candidates.entry(pid.clone()).or_insert((
                            d.clone(),
                            anchor.clone(),
                            *offset,
                        ));
                    }
                }
            }
            // Boilerplate: a sentence most documents have (corpus share), or
            // one that is mostly political formulae, the notion `diff` and
            // `compare` use (`compare::clauses::is_boilerplate`).
            let stock = stock_anchors == all_anchors.len();
            let formulae = crate::compare::clauses::is_boilerplate(&display);
            let boilerplate = stock || (formulae && !candidates.is_empty());
            if candidates.is_empty() && !boilerplate {
                previous = None;
                continue;
            }
            let docs_with_anchor: HashSet<&str> =
                candidates.values().map(|(d, _, _)| d.as_str()).collect();
            let documents = if stock {
                stock_docs
            } else {
                docs_with_anchor.len()
            };
            let mut sources: Vec<Source> = vec![];
            if !boilerplate {
                for (pid, (d, anchor, offset)) in &candidates {
                    let text = texts.entry(pid.clone()).or_insert_with(|| {
                        reader.provision(pid).ok().flatten().map(|h| fold(&h.text))
                    });
                    let Some(text) = text else { continue };
                    let sim = best_window_similarity(&folded, text, anchor, *offset);
                    if sim >= MIN_SIMILARITY {
                        let (title, date) = meta.get(d.as_str()).copied().unwrap_or_default();
                        sources.push(Source {
                            doc_id: d.clone(),
                            provision_id: pid.clone(),
                            title: title.to_string(),
                            date: date.to_string(),
                            similarity: (sim * 1000.0).round() / 1000.0,
                        });
                    }
                }
                if sources.is_empty() {
                    // The sentence as a whole is not found: a run of its
                    // clauses may be, where the other document has it in a
                    // shorter sentence (…，集约化可视化安全监管信息共享平台建成率100%。
                    // against a sentence of those words alone).
                    let others: Vec<(&str, &str, &str)> = candidates
                        .iter()
                        .filter_map(|(pid, (d, _, _))| {
                            let text = texts.get(pid)?.as_deref()?;
                            Some((pid.as_str(), d.as_str(), text))
                        })
                        .collect();
                    let Some((run_display, run_folded, found)) = best_clause_run(&display, &others)
                    else {
                        previous = None;
                        continue;
                    };
                    for (pid, d, sim) in found {
                        let (title, date) = meta.get(d).copied().unwrap_or_default();
                        sources.push(Source {
                            doc_id: d.to_string(),
                            provision_id: pid.to_string(),
                            title: title.to_string(),
                            date: date.to_string(),
                            similarity: (sim * 1000.0).round() / 1000.0,
                        });
                    }
                    display = run_display;
                    run_len = run_folded.chars().count();
                }
                sources.sort_by(|a, b| {
                    a.date
                        .cmp(&b.date)
                        .then(b.similarity.total_cmp(&a.similarity))
                });
            }
            let (first_said_by, common_source) = if boilerplate {
                (None, None)
            } else {
                lineage(catalog, doc, &sources)
            };
            // Extend the previous passage when the same sources continue
            // (whole sentences only: a run of clauses stands alone).
            let partial = run_len != len;
            if let Some(i) = previous.filter(|_| !partial) {
                let prev = &mut passages[i];
                let same = prev.boilerplate == boilerplate
                    && prev
                        .sources
                        .iter()
                        .map(|s| &s.provision_id)
                        .collect::<HashSet<_>>()
                        == sources
                            .iter()
                            .map(|s| &s.provision_id)
                            .collect::<HashSet<_>>();
                if same {
                    prev.text.push_str(&display);
                    prev.chars += run_len;
                    continue;
                }
            }
            passages.push(Passage {
                text: display,
                provision_id: p.id.clone(),
                heading: p.heading.clone(),
                chars: run_len,
                boilerplate,
                documents,
                sources,
                first_said_by,
                common_source,
            });
            previous = (!partial).then(|| passages.len() - 1);
        }
    }
    passages.sort_by(|a, b| {
        a.boilerplate
            .cmp(&b.boilerplate)
            .then(b.chars.cmp(&a.chars))
    });
    let reused_chars = passages
        .iter()
        .filter(|p| !p.boilerplate)
        .map(|p| p.chars)
        .sum();
    Ok(Report {
        doc_id: doc.entry.id.clone(),
        title: doc.entry.title.clone(),
        date: doc.entry.date.text().to_string(),
        passages,
        reused_chars,
        total_chars,
        thresholds: Thresholds {
            min_sentence_chars: MIN_SENTENCE_CHARS,
            anchor_chars: ANCHOR_CHARS,
            min_similarity: MIN_SIMILARITY,
            boilerplate_share: BOILERPLATE_SHARE,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_split_and_anchors() {
        let s = sentences("除法律、行政法规规定实行垂直领导的外，市级管理部门原则上不向经济开发区派驻机构。短句。");
        assert_eq!(s.len(), 1);
        let a = anchors(&s[0].1);
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|(_, w)| w.chars().count() == ANCHOR_CHARS));
    }

    #[test]
    fn near_verbatim_windows() {
        let sim = best_window_similarity(
            "市级管理部门原则上不向经济开发区派驻机构",
            "另外市级管理部门原则上不向开发区派驻机构的规定",
            "市级管理部门原则",
            0,
        );
        assert!(sim >= MIN_SIMILARITY, "{sim}");
    }
}
