//! Policy instruments (政策工具): every clause coded by the instruments its
//! wording uses, crossed with topics and counted per jurisdiction or
//! document — the content analysis most Chinese policy-text studies do by
//! hand.
//!
//! - `framework.rs`: the framework (families, instruments, cue terms) from
//!   TOML; two built in (`data/instruments/`), user files replace or extend.
//! - `function.rs`: what a clause does (states nothing to code, a goal, a
//!   measure), read before its cue terms (pure).
//! - `code.rs`: coding one clause, with evidence (pure): the cue-term rules,
//!   then the framework's learned model where it has one.
//! - `model.rs`: the learned layer (logistic regressions over character
//!   grams and the rules' codes, trained on the hand-coded clauses).
//! - `mod.rs`: coding documents (fragment numbers in the papers' convention),
//!   and the instrument × column and instrument × topic tables.
//! - `render.rs`: text, Markdown, HTML (with stacked bars in SVG), CSV.
//!
//! Pure: nothing here touches files except [`Framework::resolve`] reading a
//! user's framework file.

mod code;
mod framework;
mod function;
pub mod model;
mod render;
pub mod review;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use code::{
    code, code_with, explain, explain_with, rules, scores, Code, Coding, Learned,
    LearnedInstrument, Settings, Status, CODING_VERSION, MAX_CODES, RATIO, SETTINGS, THRESHOLD,
};
pub use framework::{Family, Framework, Instrument, BUILTIN, DEFAULT};
pub use function::{function, Function};
pub use model::model_text;
pub use render::{csv, html, markdown, text};
pub use review::{Review, Reviews};

use crate::classify::topics::{topic_ids, Taxonomy};
use crate::corpus::{Document, Provision};

/// One clause with its codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodedClause {
    pub clause_id: String,
    pub provision_id: String,
    pub doc_id: String,
    /// The policy-fragment number of the papers: document-section-…-item-clause
    /// (`3-2-1-2`: document 3 of those coded, section 2, item 1, clause 2).
    pub fragment: String,
    /// The clause's text (left empty in caches, which keep only the codes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    pub topics: Vec<String>,
    pub codes: Vec<Code>,
}

impl CodedClause {
    pub fn instrument_ids(&self) -> Vec<&str> {
        self.codes.iter().map(|c| c.instrument.as_str()).collect()
    }
}

/// What the learned layer reads beside a clause of `p`: the headings above
/// the provision and its own heading, joined by spaces (the same for every
/// clause of the provision).
pub fn clause_context(p: &Provision) -> String {
    let mut context = p.path.join(" ");
    if !p.heading.is_empty() {
        if !context.is_empty() {
            context.push(' ');
        }
        context.push_str(&p.heading);
    }
    context
}

/// The fragment number of each provision of `doc` (document number `doc_no`):
/// each level of its heading path numbered among its siblings in order of
/// appearance, then the provision among the provisions with the same path.
pub fn fragment_numbers(doc_no: usize, provisions: &[Provision]) -> Vec<String> {
    // (parent path, heading) -> number among the parent's children.
    let mut section_no: BTreeMap<(Vec<String>, String), usize> = BTreeMap::new();
    let mut children: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(provisions.len());
    for p in provisions {
        let mut parts = vec![doc_no.to_string()];
        for depth in 0..p.path.len() {
            let parent = p.path[..depth].to_vec();
            let key = (parent.clone(), p.path[depth].clone());
            let n = match section_no.get(&key) {
                Some(n) => *n,
                None => {
                    let next = children.entry(parent).or_default();
                    *next += 1;
                    section_no.insert(key, *next);
                    *next
                }
            };
            parts.push(n.to_string());
        }
        let next = children.entry(p.path.clone()).or_default();
        *next += 1;
        // A provision that is itself a section heading's own text keeps
        // the section's number.
        section_no.insert((p.path.clone(), p.heading.clone()), *next);
        parts.push(next.to_string());
        out.push(parts.join("-"));
    }
    out
}

/// Replace the tool's codes by the analyst's where a clause (by its text)
/// was reviewed; returns the reviews whose clause text is in none of
/// `coded` (the clause changed or left the corpus). Needs the texts.
pub fn apply_reviews<'r>(
    fw: &Framework,
    coded: &mut [CodedClause],
    reviews: &'r Reviews,
) -> Vec<&'r Review> {
    let mut used = std::collections::HashSet::new();
    for c in coded.iter_mut() {
        let key = review::key_of(&c.text);
        if let Some(r) = reviews.reviews.get(&key) {
            used.insert(key);
            c.codes = r
                .codes
                .iter()
                .filter_map(|id| fw.instruments.iter().find(|i| &i.id == id))
                .map(|i| Code {
                    instrument: i.id.clone(),
                    family: i.family.clone(),
                    score: 0.0,
                    evidence: vec!["analyst".into()],
                })
                .collect();
        }
    }
    reviews
        .reviews
        .values()
        .filter(|r| !used.contains(&r.key))
        .collect()
}

/// Code every clause of `docs` (substantive provisions only), in document
/// order; documents are numbered from 1 in the order given.
pub fn code_documents(fw: &Framework, tax: &Taxonomy, docs: &[&Document]) -> Vec<CodedClause> {
    let mut work: Vec<(&Document, &Provision, String)> = vec![];
    for (n, d) in docs.iter().enumerate() {
        let fragments = fragment_numbers(n + 1, &d.provisions);
        for (p, f) in d.provisions.iter().zip(fragments) {
            if p.is_substantive() {
                work.push((d, p, f));
            }
        }
    }
    let coded: Vec<Vec<CodedClause>> =
        crate::compare::side_by_side::parallel_map(&work, |(d, p, fragment)| {
            let topics = topic_ids(tax, p);
            let context = clause_context(p);
            p.clauses()
                .into_iter()
                .map(|c| {
                    let text = c.text(p).to_string();
                    CodedClause {
                        codes: code(fw, &text, &context),
                        clause_id: c.id.clone(),
                        provision_id: p.id.clone(),
                        doc_id: d.entry.id.clone(),
                        fragment: format!("{fragment}-{}", c.n),
                        text,
                        topics: topics.clone(),
                    }
                })
                .collect()
        });
    coded.into_iter().flatten().collect()
}

/// Counts of one column (a jurisdiction or a document).
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    pub documents: Vec<String>,
    pub clauses: usize,
    /// Clauses with at least one instrument.
    pub coded: usize,
    /// Clauses that state no instrument.
    pub uncoded: usize,
    /// Codes per instrument (a clause with two instruments counts in both).
    pub instruments: BTreeMap<String, usize>,
    /// Codes per family, and the family's share of the column's codes.
    pub families: BTreeMap<String, FamilyCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FamilyCount {
    pub count: usize,
    pub share: f64,
}

/// Instrument × topic: codes of each instrument among the clauses of each
/// topic (over every column).
#[derive(Debug, Clone, Serialize)]
pub struct Cross {
    pub topics: Vec<String>,
    /// instrument id -> counts per topic, in `topics` order.
    pub counts: BTreeMap<String, Vec<usize>>,
}

/// The instruments report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub framework: FrameworkInfo,
    pub by: String,
    pub threshold: f64,
    pub columns: Vec<Column>,
    pub cross: Cross,
    pub coding_version: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkInfo {
    pub id: String,
    pub label: String,
    pub version: String,
    pub fingerprint: String,
    pub families: Vec<(String, String)>,
    pub instruments: Vec<(String, String, String)>,
}

/// The report over `coded` clauses, one column per `column_of(doc_id)`
/// (columns in order of first appearance).
pub fn report(
    fw: &Framework,
    tax: &Taxonomy,
    coded: &[CodedClause],
    by: &str,
    column_of: impl Fn(&str) -> String,
) -> Report {
    let mut columns: Vec<Column> = vec![];
    // A document's column, asked once per document.
    let mut column_of_doc: std::collections::HashMap<&str, String> = Default::default();
    for c in coded {
        let name = column_of_doc
            .entry(c.doc_id.as_str())
            .or_insert_with(|| column_of(&c.doc_id))
            .clone();
        let col = match columns.iter().position(|x| x.name == name) {
            Some(i) => &mut columns[i],
            None => {
                columns.push(Column {
                    name,
                    documents: vec![],
                    clauses: 0,
                    coded: 0,
                    uncoded: 0,
                    instruments: fw.instruments.iter().map(|i| (i.id.clone(), 0)).collect(),
                    families: fw
                        .families
                        .iter()
                        .map(|f| {
                            (
                                f.id.clone(),
                                FamilyCount {
                                    count: 0,
                                    share: 0.0,
                                },
                            )
                        })
                        .collect(),
                });
                columns.last_mut().expect("just pushed")
            }
        };
        if !col.documents.contains(&c.doc_id) {
            col.documents.push(c.doc_id.clone());
        }
        col.clauses += 1;
        if c.codes.is_empty() {
            col.uncoded += 1;
        } else {
            col.coded += 1;
        }
        for code in &c.codes {
            *col.instruments.entry(code.instrument.clone()).or_default() += 1;
            col.families
                .entry(code.family.clone())
                .or_insert(FamilyCount {
                    count: 0,
                    share: 0.0,
                });
            if let Some(f) = col.families.get_mut(&code.family) {
                f.count += 1;
            }
        }
    }
    for col in &mut columns {
        let total: usize = col.families.values().map(|f| f.count).sum();
        for f in col.families.values_mut() {
            f.share = if total == 0 {
                0.0
            } else {
                f.count as f64 / total as f64
            };
        }
    }
    let topics: Vec<String> = tax.topics().iter().map(|t| t.id.clone()).collect();
    let mut counts: BTreeMap<String, Vec<usize>> = fw
        .instruments
        .iter()
        .map(|i| (i.id.clone(), vec![0; topics.len()]))
        .collect();
    for c in coded {
        for code in &c.codes {
            for t in &c.topics {
                if let (Some(row), Some(k)) = (
                    counts.get_mut(&code.instrument),
                    topics.iter().position(|x| x == t),
                ) {
                    row[k] += 1;
                }
            }
        }
    }
    Report {
        framework: FrameworkInfo {
            id: fw.id.clone(),
            label: fw.label.clone(),
            version: fw.version.clone(),
            fingerprint: fw.fingerprint(),
            families: fw
                .families
                .iter()
                .map(|f| (f.id.clone(), f.label.clone()))
                .collect(),
            instruments: fw
                .instruments
                .iter()
                .map(|i| (i.id.clone(), i.family.clone(), i.label.clone()))
                .collect(),
        },
        by: by.to_string(),
        threshold: THRESHOLD,
        columns,
        cross: Cross { topics, counts },
        coding_version: CODING_VERSION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ProvisionKind;

    fn provision(seq: usize, path: &[&str], heading: &str) -> Provision {
        Provision {
            id: format!("d:{seq}"),
            doc_id: "d".into(),
            seq,
            kind: ProvisionKind::Item,
            number: None,
            path: path.iter().map(|s| s.to_string()).collect(),
            heading: heading.into(),
            text: format!("{heading}。加强人才引进。"),
            responsible_units: vec![],
        }
    }

    #[test]
    fn fragments_number_sections_and_items_in_order() {
        let ps = vec![
            provision(1, &["一、总体要求"], "（一）指导思想"),
            provision(2, &["一、总体要求"], "（二）发展目标"),
            provision(3, &["二、主要任务"], "（一）优化体制"),
            provision(4, &["二、主要任务", "（二）人才"], "1. 引进人才"),
            provision(5, &["二、主要任务", "（二）人才"], "2. 培养人才"),
        ];
        assert_eq!(
            fragment_numbers(3, &ps),
            ["3-1-1", "3-1-2", "3-2-1", "3-2-2-1", "3-2-2-2"]
        );
    }
}
