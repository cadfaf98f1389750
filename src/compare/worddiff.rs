//! Word diff of two provision texts: segmented Chinese words (jieba, on the
//! folded text), compared in their folded form and reported as spans of the
//! original display text.
//!
//! Tokens are the words of [`crate::text::segment::words`] plus every
//! character between them (punctuation), so the spans cover each text
//! completely: the equal and deleted spans concatenate to A's text, the equal
//! (B side) and inserted spans to B's.

use std::ops::Range;
use std::time::{Duration, Instant};

use serde::Serialize;
use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

use crate::text::{fold_with_map, segment};

/// Equal runs shorter than this many letters/digits between two changes are
/// folded into the change (a lone 的 or comma does not split a rewrite).
pub const MIN_EQUAL_CHARS: usize = 2;
/// Equal runs of at least this many letters/digits count as reused text.
pub const MIN_REUSED_CHARS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Insert,
    Delete,
}

/// One span of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub op: Op,
    /// Display text: A's for `equal` and `delete`, B's for `insert`.
    pub text: String,
    /// B's display text of an `equal` span when it differs from A's (width of
    /// characters, spacing); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_b: Option<String>,
}

impl Span {
    /// This span's text as it appears in B (empty for deletions).
    pub fn b_text(&self) -> &str {
        match self.op {
            Op::Delete => "",
            Op::Insert => &self.text,
            Op::Equal => self.text_b.as_deref().unwrap_or(&self.text),
        }
    }

    /// This span's text as it appears in A (empty for insertions).
    pub fn a_text(&self) -> &str {
        match self.op {
            Op::Insert => "",
            _ => &self.text,
        }
    }
}

/// A token: its folded form and its byte range in the original text.
#[derive(Debug, Clone)]
struct Token {
    key: String,
    orig: Range<usize>,
}

fn content_chars(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Cut `text` into tokens (words and the single characters between them).
fn tokens(text: &str) -> Vec<Token> {
    let (folded, map) = fold_with_map(text);
    // Byte offset in `folded` of each char, then the end.
    let mut starts: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
    starts.push(folded.len());
    let char_index = |byte: usize| starts.partition_point(|&s| s < byte);
    let orig_at = |byte: usize| map[char_index(byte)];
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    for w in segment::words(&folded) {
        for (i, c) in folded[pos..w.start].char_indices() {
            cuts.push((pos + i, pos + i + c.len_utf8()));
        }
        cuts.push((w.start, w.end));
        pos = w.end;
    }
    for (i, c) in folded[pos..].char_indices() {
        cuts.push((pos + i, pos + i + c.len_utf8()));
    }
    let n = cuts.len();
    cuts.into_iter()
        .enumerate()
        .map(|(k, (s, e))| {
            let start = if k == 0 { 0 } else { orig_at(s) };
            let end = if k + 1 == n { text.len() } else { orig_at(e) };
            Token {
                key: folded[s..e].to_string(),
                orig: start..end.max(start),
            }
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Seg {
    Equal(Range<usize>, Range<usize>),
    Change(Range<usize>, Range<usize>),
}

/// The word diff of A's text `a` and B's text `b`.
pub fn diff_words(a: &str, b: &str) -> Vec<Span> {
    let ta = tokens(a);
    let tb = tokens(b);
    let ka: Vec<&str> = ta.iter().map(|t| t.key.as_str()).collect();
    let kb: Vec<&str> = tb.iter().map(|t| t.key.as_str()).collect();
    let deadline = Instant::now() + Duration::from_secs(2);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &ka, &kb, Some(deadline));

    // Segments, consecutive changes merged.
    let mut segs: Vec<Seg> = Vec::new();
    for op in ops {
        let (tag, ra, rb) = op.as_tag_tuple();
        match (tag, segs.last_mut()) {
            (DiffTag::Equal, _) => segs.push(Seg::Equal(ra, rb)),
            (_, Some(Seg::Change(xa, xb))) => {
                xa.end = ra.end;
                xb.end = rb.end;
            }
            _ => segs.push(Seg::Change(ra, rb)),
        }
    }
    // Fold small equal runs between two changes into one change: always
    // below MIN_EQUAL_CHARS, and below MIN_REUSED_CHARS when the changes on
    // both sides are at least as long (a shared 开发区 inside a rewrite is
    // noise). Repeat until stable, as merged changes grow.
    let chars_a = |r: &Range<usize>| content_chars(&ka[r.clone()].concat());
    let chars_b = |r: &Range<usize>| content_chars(&kb[r.clone()].concat());
    let change_len = |seg: &Seg| match seg {
        Seg::Change(ra, rb) => chars_a(ra).max(chars_b(rb)),
        Seg::Equal(..) => 0,
    };
    loop {
        let mut merged: Vec<Seg> = Vec::with_capacity(segs.len());
        let mut changed = false;
        let mut i = 0;
        while i < segs.len() {
            if let (Seg::Equal(ra, _), Some(prev @ Seg::Change(..)), Some(next @ Seg::Change(..))) =
                (&segs[i], merged.last(), segs.get(i + 1))
            {
                let len = chars_a(ra);
                let absorb = len < MIN_EQUAL_CHARS
                    || (len < MIN_REUSED_CHARS
                        && len <= change_len(prev)
                        && len <= change_len(next));
                if absorb {
                    let (na, nb) = match next {
                        Seg::Change(na, nb) => (na.end, nb.end),
                        Seg::Equal(..) => unreachable!(),
                    };
                    if let Some(Seg::Change(xa, xb)) = merged.last_mut() {
                        xa.end = na;
                        xb.end = nb;
                    }
                    changed = true;
                    i += 2;
                    continue;
                }
            }
            merged.push(segs[i].clone());
            i += 1;
        }
        segs = merged;
        if !changed {
            break;
        }
    }
    let merged = segs;

    let text_of = |toks: &[Token], src: &str, r: &Range<usize>| -> String {
        if r.is_empty() {
            return String::new();
        }
        src[toks[r.start].orig.start..toks[r.end - 1].orig.end].to_string()
    };
    let mut spans = Vec::new();
    for seg in &merged {
        match seg {
            Seg::Equal(ra, rb) => {
                let text = text_of(&ta, a, ra);
                let tb_text = text_of(&tb, b, rb);
                let text_b = (tb_text != text).then_some(tb_text);
                spans.push(Span {
                    op: Op::Equal,
                    text,
                    text_b,
                });
            }
            Seg::Change(ra, rb) => {
                let del = text_of(&ta, a, ra);
                let ins = text_of(&tb, b, rb);
                if !del.is_empty() {
                    spans.push(Span {
                        op: Op::Delete,
                        text: del,
                        text_b: None,
                    });
                }
                if !ins.is_empty() {
                    spans.push(Span {
                        op: Op::Insert,
                        text: ins,
                        text_b: None,
                    });
                }
            }
        }
    }
    spans
}

/// Letters and digits of A that B reuses: the equal runs of at least
/// [`MIN_REUSED_CHARS`] letters/digits.
pub fn reused_chars(spans: &[Span]) -> usize {
    spans
        .iter()
        .filter(|s| s.op == Op::Equal)
        .map(|s| content_chars(&crate::text::fold(&s.text)))
        .filter(|&n| n >= MIN_REUSED_CHARS)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side_a(spans: &[Span]) -> String {
        spans.iter().map(Span::a_text).collect()
    }

    fn side_b(spans: &[Span]) -> String {
        spans.iter().map(Span::b_text).collect()
    }

    #[test]
    fn spans_cover_both_texts() {
        let a = "8. 提高土地集约利用水平。各开发区在 2022 年 12 月底前建立综合评价机制。";
        let b = "（一）提升土地集约利用水平。各开发区在2022年9月底前建立综合评价机制，提高效率。";
        let spans = diff_words(a, b);
        assert_eq!(side_a(&spans), a);
        assert_eq!(side_b(&spans), b);
        // Words, not characters: 提高 → 提升 is one replacement.
        assert!(spans
            .iter()
            .any(|s| s.op == Op::Delete && s.text.contains("提高")));
        assert!(spans
            .iter()
            .any(|s| s.op == Op::Insert && s.text.contains("提升")));
        // "2022 年" and "2022年" are equal after folding; B's spelling is kept.
        let eq = spans
            .iter()
            .find(|s| s.op == Op::Equal && s.text.contains("2022 年"))
            .unwrap();
        assert!(eq.text_b.as_deref().unwrap().contains("2022年"));
        assert!(spans
            .iter()
            .any(|s| s.op == Op::Delete && s.text.contains("12")));
    }

    #[test]
    fn identical_is_one_equal_span() {
        let a = "推进标准地改革，盘活存量土地。";
        let spans = diff_words(a, a);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].op, Op::Equal);
        assert_eq!(reused_chars(&spans), 13);
    }

    #[test]
    fn empty_and_disjoint() {
        assert!(diff_words("", "").is_empty());
        let spans = diff_words("", "新增内容");
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].op, Op::Insert);
        let spans = diff_words("人才公寓", "安全生产");
        assert_eq!(side_a(&spans), "人才公寓");
        assert_eq!(side_b(&spans), "安全生产");
        assert_eq!(reused_chars(&spans), 0);
    }

    #[test]
    fn expanding_characters_stay_whole() {
        // NFKC expands ㎡ to "m2"; display spans must stay on char boundaries.
        let a = "面积100㎡以上";
        let b = "面积200㎡以上";
        let spans = diff_words(a, b);
        assert_eq!(side_a(&spans), a);
        assert_eq!(side_b(&spans), b);
    }
}
