//! The same document obtained twice in different forms (a PDF and the web
//! page, a .doc and an .ofd) differs in bytes, whitespace, page numbers and
//! running headers, but not in text. A document's *body* is its text after
//! the layout stage (page numbers, running headers, the table of contents
//! and the 抄送 footer dropped; broken lines rejoined), folded
//! (`text::fold`) with all whitespace removed. Two bodies are near
//! duplicates when a character diff (Myers, with a deadline) finds at least
//! [`THRESHOLD`] of their characters in common (2 × matches / total length).
//! Cheap filters first: body lengths within the ratio the threshold allows,
//! then the overlap of their character-bigram multisets.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::layout::{layout, Block};
use crate::text::bigrams::bigrams;
use crate::text::normalize::fold;

/// The share of characters two bodies must have in common.
pub const THRESHOLD: f64 = 0.98;

/// A body and its bigram counts.
#[derive(Debug, Clone)]
pub struct Body {
    chars: Vec<char>,
    bigrams: HashMap<u64, u32>,
    bigram_total: u32,
}

/// A document's body: its text after layout, folded, without whitespace.
pub fn body_text(text: &str) -> String {
    let l = layout(text);
    let mut joined = String::with_capacity(text.len());
    for b in &l.blocks {
        match b {
            Block::Para(p) => joined.push_str(p),
            Block::Table(t) => {
                if let Some(c) = &t.caption {
                    joined.push_str(c);
                }
                for row in &t.rows {
                    for cell in row {
                        joined.push_str(cell);
                    }
                }
            }
        }
    }
    fold(&joined)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

impl Body {
    pub fn of(text: &str) -> Body {
        Body::of_body(&body_text(text))
    }

    /// From [`body_text`]'s output.
    pub fn of_body(folded: &str) -> Body {
        let mut counts = HashMap::new();
        let mut total = 0;
        for b in bigrams(folded) {
            *counts.entry(b).or_insert(0) += 1;
            total += 1;
        }
        Body {
            chars: folded.chars().collect(),
            bigrams: counts,
            bigram_total: total,
        }
    }

    /// The compact stand-in kept for a stored document.
    pub fn sketch(&self) -> Sketch {
        let mut hashes: Vec<u32> = Vec::with_capacity(self.bigram_total as usize);
        for (b, n) in &self.bigrams {
            // The i-th occurrence of a bigram is its own element: a
            // multiset sample.
            for i in 0..u64::from(*n) {
                hashes.push((mix(*b ^ mix(i.wrapping_add(0x5851_f42d_4c95_7f2d))) >> 32) as u32);
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        hashes.truncate(SKETCH_SIZE);
        Sketch {
            len: self.chars.len() as u32,
            mins: hashes,
        }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Could `other` be a near duplicate at all (lengths)?
    pub fn length_allows(&self, other: &Body) -> bool {
        let (a, b) = (self.len().min(other.len()), self.len().max(other.len()));
        b > 0 && (2 * a) as f64 / (a + b) as f64 >= THRESHOLD
    }

    /// Share of bigrams in common (multiset overlap over the larger count).
    fn bigram_overlap(&self, other: &Body) -> f64 {
        let (small, large) = if self.bigrams.len() <= other.bigrams.len() {
            (self, other)
        } else {
            (other, self)
        };
        let common: u32 = small
            .bigrams
            .iter()
            .map(|(k, n)| (*n).min(large.bigrams.get(k).copied().unwrap_or(0)))
            .sum();
        let most = self.bigram_total.max(other.bigram_total);
        if most == 0 {
            1.0
        } else {
            f64::from(common) / f64::from(most)
        }
    }

    /// The share of characters in common (0 when a filter rules it out).
    pub fn similarity(&self, other: &Body) -> f64 {
        if !self.length_allows(other) {
            return 0.0;
        }
        // A 2% difference in characters changes at most about 4% of bigrams.
        if self.bigram_overlap(other) < 1.0 - 3.0 * (1.0 - THRESHOLD) {
            return 0.0;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        let ops = similar::capture_diff_slices_deadline(
            similar::Algorithm::Myers,
            &self.chars,
            &other.chars,
            Some(deadline),
        );
        f64::from(similar::get_diff_ratio(
            &ops,
            self.chars.len(),
            other.chars.len(),
        ))
    }
}

/// Hashes a [`Sketch`] keeps: the smallest of the body's bigram elements.
pub const SKETCH_SIZE: usize = 96;

/// The estimated resemblance below which a sketch rules a document out. A
/// pair at [`THRESHOLD`] passes the bigram filter of [`Body::similarity`],
/// so its bigram multisets resemble each other at least 0.94 / 1.06 = 0.887
/// (Jaccard); a 96-hash estimate falls from there below 0.7 about once in
/// 10⁸ pairs (binomial, 5.8 standard deviations).
const SKETCH_FLOOR: f64 = 0.7;

/// A stored document's stand-in for the near-duplicate check: its body
/// length in characters and a bottom-k sample (k = [`SKETCH_SIZE`]) of
/// hashed bigram occurrences, sorted. Comparing two costs a merge of two
/// short lists; only pairs it allows are diffed in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    pub len: u32,
    pub mins: Vec<u32>,
}

impl Sketch {
    /// Could `other`'s body be a near duplicate of this one? Lengths within
    /// the threshold's ratio, and an estimated resemblance of at least
    /// [`SKETCH_FLOOR`] (the bottom-k estimator: of the k smallest hashes
    /// of both, the share found in both).
    pub fn may_match(&self, other: &Sketch) -> bool {
        let (a, b) = (self.len.min(other.len), self.len.max(other.len));
        if b == 0
            || (2 * u64::from(a)) as f64 / (u64::from(a) + u64::from(b)) as f64 <= THRESHOLD - 1e-12
        {
            return false;
        }
        self.resemblance(other) >= SKETCH_FLOOR
    }

    /// Estimated Jaccard resemblance of the two bigram multisets.
    pub fn resemblance(&self, other: &Sketch) -> f64 {
        let (x, y) = (&self.mins, &other.mins);
        let (mut i, mut j) = (0, 0);
        let (mut taken, mut both) = (0u32, 0u32);
        while (taken as usize) < SKETCH_SIZE && (i < x.len() || j < y.len()) {
            match (x.get(i), y.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a < b => i += 1,
                (Some(_), Some(_)) => j += 1,
                (Some(_), None) => i += 1,
                (None, _) => j += 1,
            }
            taken += 1;
        }
        if taken == 0 {
            1.0
        } else {
            f64::from(both) / f64::from(taken)
        }
    }
}

/// A fixed 64-bit mixer (splitmix64's finalizer): sketches are stored, so
/// their hashes must not change between runs or builds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "南通市人民政府关于推进海洋经济高质量发展的实施意见\n\
        各县（市、区）人民政府，市各委、办、局：\n\
        为加快建设海洋强市，推动江海联动发展，现提出如下意见。\n\
        一、总体要求\n（一）发展目标。到2025年，全市海洋生产总值突破两千亿元，\
        建成一批海工装备产业基地，培育一批具有核心竞争力的龙头企业。\n\
        二、重点任务\n（二）壮大海工装备产业。支持龙头企业建设深远海风电运维母港，\
        推动船舶与海工装备向高端化、智能化、绿色化发展。\n\
        （三）强化要素保障。对新落户的海工装备项目优先保障用地指标。\n";

    #[test]
    fn the_same_text_laid_out_otherwise_is_a_near_duplicate() {
        let a = Body::of(DOC);
        // As a PDF gives it: lines broken, a page number, full-width digits.
        let pdf = DOC
            .replace("实施意见\n", "实施意见\n\n— 1 —\n")
            .replace("海工装备产业基地，", "海工装备产业\n基地，")
            .replace("2025", "２０２５");
        let b = Body::of(&pdf);
        assert!(a.similarity(&b) > 0.999, "{}", a.similarity(&b));
        // One sentence changed: not a near duplicate.
        let edited = DOC.replace(
            "对新落户的海工装备项目优先保障用地指标。",
            "对新引进的船舶配套项目给予一次性奖励。",
        );
        let s = a.similarity(&Body::of(&edited));
        assert!(s < THRESHOLD, "{s}");
        // Half the document: ruled out by length.
        let half: String = DOC.chars().take(DOC.chars().count() / 2).collect();
        let half = Body::of(&half);
        assert!(!a.length_allows(&half));
        assert_eq!(a.similarity(&half), 0.0);
    }

    #[test]
    fn sketches_let_through_what_the_diff_would_find_and_little_else() {
        let a = Body::of(DOC);
        let pdf = DOC
            .replace("实施意见\n", "实施意见\n\n— 1 —\n")
            .replace("2025", "２０２５");
        let b = Body::of(&pdf);
        assert!(a.sketch().may_match(&b.sketch()));
        assert_eq!(a.sketch(), a.sketch(), "stable");
        // One character in fifty changed: still a candidate, and a match.
        let mut chars: Vec<char> = DOC.chars().collect();
        for k in (10..chars.len()).step_by(50) {
            if crate::text::is_han(chars[k]) {
                chars[k] = '某';
            }
        }
        let edited: String = chars.into_iter().collect();
        let e = Body::of(&edited);
        assert!(a.sketch().may_match(&e.sketch()));
        // Another document of the same length and vocabulary: ruled out.
        let other = "连云港市人民政府关于加快推进港口物流业发展的若干意见\n\
            各县区人民政府，市各委、办、局：\n为建设现代化港口城市，推动港产城融合发展，\
            现提出以下意见。\n一、目标任务\n（一）到2025年，全市港口货物吞吐量达到三亿吨，\
            集装箱运输量稳步增长，建成区域性国际物流中心城市。\n二、支持措施\n\
            （二）对新开集装箱航线给予运营补贴。（三）优先保障物流园区建设用地需求。\n";
        let o = Body::of(other);
        let r = a.sketch().resemblance(&o.sketch());
        assert!(r < SKETCH_FLOOR, "{r}");
        // Empty and tiny bodies do not divide by zero.
        let empty = Body::of("");
        assert!(!empty.sketch().may_match(&a.sketch()));
    }
}
