//! Rows as measures: clusters of linked clauses across documents.
//!
//! 1. Every provision on the topic is cut into clauses; the clause model's
//!    IDF covers every clause of the documents compared (and the fixed
//!    background), so documents not compared never weigh in.
//! 2. For every pair of documents compared, their clauses are linked as in
//!    `diff` (see [`crate::compare::clauses::link`]): parallel links only.
//!    Two documents of one column (one jurisdiction) are linked too, so that
//!    both appear when they state the same measure.
//! 3. Links are merged strongest first into clusters holding at most one
//!    clause per document (a cluster never chains two sentences of one
//!    document together). A cluster spanning two documents or more is a row;
//!    a long provision appears in each row one of its clauses belongs to.
//! 4. A provision none of whose clauses is in a row gets a row of its own.
//!
//! Pure: nothing here touches files.

use std::collections::BTreeMap;

use super::selection::Selection;
use crate::compare::clauses::{
    comparable, comparable_measure, link::link_vectors, ClauseVector, Settings,
};

/// A row before display.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureGroup {
    /// Candidates (indices into the selection's candidates), ascending, each
    /// with the indices of its clauses in the row (ascending; empty for a
    /// provision shown whole in a row of its own).
    pub members: Vec<(usize, Vec<usize>)>,
    /// Distinct columns among the members.
    pub columns: usize,
    /// Mean score of the links inside the row (0 for a single provision).
    pub similarity: f64,
    /// Highest topic score of a member.
    pub best_score: f64,
}

/// Group the selection's provisions into measure rows; see the module
/// documentation.
pub fn group(sel: &Selection, settings: &Settings) -> Vec<MeasureGroup> {
    // The clauses of every candidate: (candidate, clause index, document).
    let mut doc_index: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &sel.candidates {
        let n = doc_index.len();
        doc_index.entry(c.doc.entry.id.as_str()).or_insert(n);
    }
    let mut units: Vec<(usize, usize, usize)> = vec![];
    let mut texts: Vec<String> = vec![];
    for (i, c) in sel.candidates.iter().enumerate() {
        let d = doc_index[c.doc.entry.id.as_str()];
        for (k, clause) in c.provision.clauses().iter().enumerate() {
            units.push((i, k, d));
            texts.push(comparable_measure(clause.text(c.provision)));
        }
    }
    // IDF over every clause of the documents compared (not only those on
    // the topic: a topic's provisions all share its vocabulary), blended
    // with the background.
    let mut seen_docs: Vec<&str> = vec![];
    let mut idf_texts: Vec<String> = vec![];
    for c in &sel.candidates {
        if seen_docs.contains(&c.doc.entry.id.as_str()) {
            continue;
        }
        seen_docs.push(&c.doc.entry.id);
        for p in c.doc.provisions.iter().filter(|p| p.is_substantive()) {
            for clause in p.clauses() {
                idf_texts.push(comparable(clause.text(p)));
            }
        }
    }
    let model = settings.model(idf_texts.iter().map(String::as_str));
    let mut vectors: Vec<ClauseVector> = texts.iter().map(|t| model.vector(t)).collect();
    crate::compare::clauses::model::center(&mut vectors);

    // Parallel links between every two documents.
    let docs = doc_index.len();
    let by_doc: Vec<Vec<usize>> = (0..docs)
        .map(|d| (0..units.len()).filter(|&u| units[u].2 == d).collect())
        .collect();
    let doc_pairs: Vec<(usize, usize)> = (0..docs)
        .flat_map(|a| ((a + 1)..docs).map(move |b| (a, b)))
        .collect();
    let found: Vec<Vec<(usize, usize, f64)>> = super::parallel_map(&doc_pairs, |&(da, db)| {
        let (ua, ub) = (&by_doc[da], &by_doc[db]);
        let va: Vec<&ClauseVector> = ua.iter().map(|&u| &vectors[u]).collect();
        let vb: Vec<&ClauseVector> = ub.iter().map(|&u| &vectors[u]).collect();
        link_vectors(&model, &va, &vb, settings, &|_, _| 0.0)
            .into_iter()
            .filter(|l| l.kind.is_parallel())
            .map(|l| (ua[l.a], ub[l.b], l.score.similarity))
            .collect()
    });
    let mut links: Vec<(usize, usize, f64)> = found.into_iter().flatten().collect();
    links.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));

    // Clusters, strongest links first, one clause per document.
    let mut cluster_of: Vec<usize> = (0..units.len()).collect();
    let mut members: Vec<Vec<usize>> = (0..units.len()).map(|u| vec![u]).collect();
    let mut kept: Vec<(usize, usize, f64)> = vec![];
    for &(x, y, s) in &links {
        let (cx, cy) = (cluster_of[x], cluster_of[y]);
        if cx == cy {
            kept.push((x, y, s));
            continue;
        }
        let disjoint = members[cx]
            .iter()
            .all(|&a| members[cy].iter().all(|&b| units[a].2 != units[b].2));
        if !disjoint {
            continue;
        }
        let moved = std::mem::take(&mut members[cy]);
        for &m in &moved {
            cluster_of[m] = cx;
        }
        members[cx].extend(moved);
        kept.push((x, y, s));
    }

    let mut groups: Vec<MeasureGroup> = vec![];
    let mut shown = vec![false; sel.candidates.len()];
    for (c, ms) in members.iter().enumerate() {
        if ms.len() < 2 {
            continue;
        }
        let mut by_candidate: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &u in ms {
            by_candidate.entry(units[u].0).or_default().push(units[u].1);
            shown[units[u].0] = true;
        }
        let inner: Vec<f64> = kept
            .iter()
            .filter(|(x, _, _)| cluster_of[*x] == c)
            .map(|l| l.2)
            .collect();
        let mut cols: Vec<usize> = by_candidate
            .keys()
            .map(|&i| sel.candidates[i].column)
            .collect();
        cols.sort_unstable();
        cols.dedup();
        groups.push(MeasureGroup {
            columns: cols.len(),
            similarity: inner.iter().sum::<f64>() / inner.len().max(1) as f64,
            best_score: by_candidate
                .keys()
                .map(|&i| sel.candidates[i].topic.score)
                .fold(f64::NEG_INFINITY, f64::max),
            members: by_candidate
                .into_iter()
                .map(|(i, mut ks)| {
                    ks.sort_unstable();
                    (i, ks)
                })
                .collect(),
        });
    }
    for (i, done) in shown.iter().enumerate() {
        if !done {
            groups.push(MeasureGroup {
                members: vec![(i, vec![])],
                columns: 1,
                similarity: 0.0,
                best_score: sel.candidates[i].topic.score,
            });
        }
    }
    groups
}
