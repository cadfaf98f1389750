//! Rows: which provisions of different columns address the same measure.
//!
//! 1. Every pair of provisions from different columns is scored with the
//!    [`SimilarityModel`] (in parallel); pairs at or above the row threshold
//!    are candidate links, strongest first (ties: earlier provisions first).
//! 2. Links are taken greedily. Two free provisions open a row. A free
//!    provision joins a row when its column is not in the row yet and it is
//!    at least `threshold * LINK_FACTOR` similar to *every* member (complete
//!    linkage: a row never chains unrelated provisions together through a
//!    middle one). Two rows merge under the same condition when their
//!    columns do not overlap.
//! 3. A second (at most [`MAX_PER_COLUMN`]-th) provision of a column joins a
//!    row only when it is clearly the same measure as that column's member:
//!    at least [`SAME_MEASURE_THRESHOLD`] similar to it, and linked to the
//!    other columns like any member.
//! 4. Provisions left alone get a row of their own.
//!
//! Each provision ends up in exactly one row.

use std::collections::HashMap;

use super::parallel_map;
use crate::compare::similarity::{ProvisionVector, SimilarityModel};

/// Default minimum similarity for two provisions of different columns to
/// share a row. A little above the document diff's pair threshold: the
/// provisions compared are all on one topic and share its vocabulary.
/// Calibrated on the seeds (IDF over the corpus, boilerplate cut out):
/// hand-verified parallel measures of 002 and 003 score 0.16 (fiscal
/// autonomy), 0.40 (land) and 0.58 (safety); provisions of one topic that
/// address different measures score up to about 0.13.
pub const ROW_THRESHOLD: f64 = 0.14;
/// A member joining a row must be at least `threshold * LINK_FACTOR`
/// similar to every member of the other columns.
pub const LINK_FACTOR: f64 = 0.5;
/// Minimum similarity of two provisions of one column in the same row.
pub const SAME_MEASURE_THRESHOLD: f64 = 0.4;
/// At most this many provisions of one column in a row.
pub const MAX_PER_COLUMN: usize = 2;

/// A row before display: indices into the candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Ascending.
    pub members: Vec<usize>,
    /// Distinct columns among the members.
    pub columns: usize,
    /// Mean similarity of the cross-column pairs (0 for one column).
    pub similarity: f64,
    /// Highest topic score of a member.
    pub best_score: f64,
}

/// Group provisions (their vectors, columns and topic scores) into rows;
/// see the module documentation.
pub fn group(
    model: &SimilarityModel,
    vectors: &[ProvisionVector],
    columns: &[usize],
    scores: &[f64],
    threshold: f64,
) -> Vec<Group> {
    let n = vectors.len();
    let floor = threshold * LINK_FACTOR;
    // Cross-column similarities at or above the floor, per row of the matrix.
    let indices: Vec<usize> = (0..n).collect();
    let upper: Vec<Vec<(usize, f64)>> = parallel_map(&indices, |&i| {
        ((i + 1)..n)
            .filter(|&j| columns[j] != columns[i])
            .filter_map(|j| {
                let s = model.similarity_of(&vectors[i], &vectors[j]);
                (s >= floor).then_some((j, s))
            })
            .collect()
    });
    let mut sim: HashMap<(usize, usize), f64> = HashMap::new();
    let mut links: Vec<(usize, usize, f64)> = vec![];
    for (i, row) in upper.into_iter().enumerate() {
        for (j, s) in row {
            sim.insert((i, j), s);
            if s >= threshold {
                links.push((i, j, s));
            }
        }
    }
    links.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let cross = |a: usize, b: usize| -> f64 {
        let key = (a.min(b), a.max(b));
        sim.get(&key).copied().unwrap_or(0.0)
    };
    let same_measure = SAME_MEASURE_THRESHOLD.max(threshold);

    let mut row_of: Vec<Option<usize>> = vec![None; n];
    let mut rows: Vec<Vec<usize>> = vec![];
    // Can `x` join `members`? Linked to every member of the other columns;
    // a member of its own column must be the same measure.
    let can_join = |x: usize, members: &[usize]| -> bool {
        let mut own = 0;
        for &m in members {
            if columns[m] == columns[x] {
                own += 1;
                if own >= MAX_PER_COLUMN
                    || model.similarity_of(&vectors[x], &vectors[m]) < same_measure
                {
                    return false;
                }
            } else if cross(x, m) < floor {
                return false;
            }
        }
        true
    };
    for &(i, j, _) in &links {
        match (row_of[i], row_of[j]) {
            (None, None) => {
                row_of[i] = Some(rows.len());
                row_of[j] = Some(rows.len());
                rows.push(vec![i, j]);
            }
            (Some(r), None) | (None, Some(r)) => {
                let x = if row_of[i].is_none() { i } else { j };
                if can_join(x, &rows[r]) {
                    rows[r].push(x);
                    row_of[x] = Some(r);
                }
            }
            (Some(r1), Some(r2)) if r1 != r2 => {
                let (a, b) = (&rows[r1], &rows[r2]);
                let disjoint = a
                    .iter()
                    .all(|&x| b.iter().all(|&y| columns[x] != columns[y]));
                let linked = a.iter().all(|&x| b.iter().all(|&y| cross(x, y) >= floor));
                if disjoint && linked {
                    let moved = std::mem::take(&mut rows[r2]);
                    for &m in &moved {
                        row_of[m] = Some(r1);
                    }
                    rows[r1].extend(moved);
                }
            }
            _ => {}
        }
    }
    for (i, r) in row_of.iter_mut().enumerate() {
        if r.is_none() {
            *r = Some(rows.len());
            rows.push(vec![i]);
        }
    }
    rows.into_iter()
        .filter(|r| !r.is_empty())
        .map(|mut members| {
            members.sort_unstable();
            let mut cols: Vec<usize> = members.iter().map(|&m| columns[m]).collect();
            cols.sort_unstable();
            cols.dedup();
            let (mut sum, mut pairs) = (0.0, 0usize);
            for (k, &a) in members.iter().enumerate() {
                for &b in &members[k + 1..] {
                    if columns[a] != columns[b] {
                        sum += cross(a, b);
                        pairs += 1;
                    }
                }
            }
            let best_score = members
                .iter()
                .map(|&m| scores[m])
                .fold(f64::NEG_INFINITY, f64::max);
            Group {
                columns: cols.len(),
                similarity: if pairs == 0 { 0.0 } else { sum / pairs as f64 },
                best_score,
                members,
            }
        })
        .collect()
}
