//! Alignment of two lists of provisions: which provision of A corresponds to
//! which of B, independent of the order they appear in.
//!
//! 1. One-to-one, greedily by best score: all pairs at or above the threshold,
//!    best first; a pair is taken when neither side is taken yet. Ties go to
//!    the pair whose relative positions are closest, then to the earlier one.
//! 2. Splits and merges: a provision still unmatched may join a provision that
//!    already has a partner when their similarity reaches [`SPLIT_THRESHOLD`]
//!    (clearly better than leaving it unmatched), up to [`MAX_PARTNERS`]
//!    partners per provision.

use super::similarity::{ProvisionVector, SimilarityModel};
use crate::corpus::Provision;

/// Minimum similarity for two provisions to be paired. Reports print it.
pub const PAIR_THRESHOLD: f64 = 0.13;
/// Minimum similarity for a second (third…) partner: a measure split in two,
/// or two measures merged into one.
pub const SPLIT_THRESHOLD: f64 = 0.14;
/// At most this many partners per provision (the first plus splits/merges).
pub const MAX_PARTNERS: usize = 3;
/// Pairs at or above this similarity count as matched, below it as partly
/// matched (summary counts).
pub const CLOSE_THRESHOLD: f64 = 0.6;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Pair {
    /// Index into the `a` slice.
    pub a: usize,
    /// Index into the `b` slice.
    pub b: usize,
    pub similarity: f64,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Alignment {
    /// Sorted by `a`, then `b`.
    pub pairs: Vec<Pair>,
    /// Indices into `a` without a partner, ascending.
    pub only_a: Vec<usize>,
    /// Indices into `b` without a partner, ascending.
    pub only_b: Vec<usize>,
}

/// The full similarity matrix, `m[i][j]` = similarity of `a[i]` and `b[j]`.
pub fn similarity_matrix(
    model: &SimilarityModel,
    a: &[&Provision],
    b: &[&Provision],
) -> Vec<Vec<f64>> {
    let va: Vec<ProvisionVector> = a.iter().map(|p| model.vector(p)).collect();
    let vb: Vec<ProvisionVector> = b.iter().map(|p| model.vector(p)).collect();
    va.iter()
        .map(|x| vb.iter().map(|y| model.similarity_of(x, y)).collect())
        .collect()
}

/// Align `a` with `b`; see the module documentation.
pub fn align(
    model: &SimilarityModel,
    a: &[&Provision],
    b: &[&Provision],
    threshold: f64,
) -> Alignment {
    align_matrix(&similarity_matrix(model, a, b), a.len(), b.len(), threshold)
}

/// [`align`] on a precomputed matrix (`na` × `nb`).
pub fn align_matrix(m: &[Vec<f64>], na: usize, nb: usize, threshold: f64) -> Alignment {
    let rel = |i: usize, j: usize| {
        let x = (i as f64 + 0.5) / na.max(1) as f64;
        let y = (j as f64 + 0.5) / nb.max(1) as f64;
        (x - y).abs()
    };
    let mut candidates: Vec<(usize, usize, f64)> = Vec::new();
    for (i, row) in m.iter().enumerate().take(na) {
        for (j, &s) in row.iter().enumerate().take(nb) {
            if s >= threshold {
                candidates.push((i, j, s));
            }
        }
    }
    candidates.sort_by(|x, y| {
        y.2.total_cmp(&x.2)
            .then(rel(x.0, x.1).total_cmp(&rel(y.0, y.1)))
            .then((x.0, x.1).cmp(&(y.0, y.1)))
    });
    let mut partners_a = vec![0usize; na];
    let mut partners_b = vec![0usize; nb];
    let mut pairs = Vec::new();
    for &(i, j, s) in &candidates {
        if partners_a[i] == 0 && partners_b[j] == 0 {
            partners_a[i] = 1;
            partners_b[j] = 1;
            pairs.push(Pair {
                a: i,
                b: j,
                similarity: s,
            });
        }
    }
    // Splits and merges: one side still unmatched, the other already paired.
    let split = threshold.max(SPLIT_THRESHOLD);
    for &(i, j, s) in &candidates {
        if s < split {
            break;
        }
        let a_free = partners_a[i] == 0 && partners_b[j] < MAX_PARTNERS;
        let b_free = partners_b[j] == 0 && partners_a[i] < MAX_PARTNERS;
        if a_free || b_free {
            partners_a[i] += 1;
            partners_b[j] += 1;
            pairs.push(Pair {
                a: i,
                b: j,
                similarity: s,
            });
        }
    }
    pairs.sort_by_key(|p| (p.a, p.b));
    Alignment {
        pairs,
        only_a: (0..na).filter(|&i| partners_a[i] == 0).collect(),
        only_b: (0..nb).filter(|&j| partners_b[j] == 0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_one_then_split() {
        // a0 ~ b1 strongly; a1 ~ b0; a2 is part of b1 too (a split); a3 alone.
        let m = vec![
            vec![0.1, 0.9, 0.0],
            vec![0.7, 0.2, 0.0],
            vec![0.0, 0.5, 0.1],
            vec![0.05, 0.1, 0.11],
        ];
        let al = align_matrix(&m, 4, 3, PAIR_THRESHOLD);
        let got: Vec<(usize, usize)> = al.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(got, vec![(0, 1), (1, 0), (2, 1)]);
        assert_eq!(al.only_a, vec![3]);
        assert_eq!(al.only_b, vec![2]);
    }

    #[test]
    fn order_does_not_matter() {
        let m = vec![vec![0.8, 0.3], vec![0.3, 0.8]];
        let swapped = vec![vec![0.3, 0.8], vec![0.8, 0.3]];
        let x = align_matrix(&m, 2, 2, PAIR_THRESHOLD);
        let y = align_matrix(&swapped, 2, 2, PAIR_THRESHOLD);
        assert_eq!(x.pairs.len(), 2);
        assert_eq!(y.pairs.len(), 2);
        assert!(y.pairs.iter().all(|p| p.a != p.b));
        assert!(x.only_a.is_empty() && y.only_b.is_empty());
    }

    #[test]
    fn nothing_below_threshold() {
        let m = vec![vec![0.1; 3]; 3];
        let al = align_matrix(&m, 3, 3, PAIR_THRESHOLD);
        assert!(al.pairs.is_empty());
        assert_eq!(al.only_a, vec![0, 1, 2]);
    }
}
