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

impl Body {
    pub fn of(text: &str) -> Body {
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
        let folded: String = fold(&joined)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut counts = HashMap::new();
        let mut total = 0;
        for b in bigrams(&folded) {
            *counts.entry(b).or_insert(0) += 1;
            total += 1;
        }
        Body {
            chars: folded.chars().collect(),
            bigrams: counts,
            bigram_total: total,
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
}
