//! Term matching: every term and exclude phrase of a taxonomy, compiled once
//! into a first-character index and run over the matching form of a text.
//!
//! The matching form is [`fold`](crate::text::fold) with quotation and title
//! marks (and markdown `*`) removed, so `“一级财政”管理体制` matches
//! `一级财政管理体制`. Terms go through the same function. Every character of
//! the matching form remembers where it came from in the original text, so
//! evidence is reported as written.

use std::collections::HashMap;
use std::ops::Range;

use crate::text::fold_with_map;

/// Characters that carry no meaning for term matching.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '"'
            | '\''
            | '「'
            | '」'
            | '『'
            | '』'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '*'
    )
}

/// The matching form of a term or phrase.
pub(crate) fn match_form(s: &str) -> Vec<char> {
    let (folded, _) = fold_with_map(s);
    folded.chars().filter(|c| !is_ignorable(*c)).collect()
}

/// A text in matching form, with a map back to the original.
pub(crate) struct MatchText<'a> {
    original: &'a str,
    pub chars: Vec<char>,
    /// For each char, the byte offset in `original` of the character it came from.
    orig: Vec<usize>,
}

impl<'a> MatchText<'a> {
    pub fn new(original: &'a str) -> Self {
        let (folded, map) = fold_with_map(original);
        let mut chars = Vec::with_capacity(map.len());
        let mut orig = Vec::with_capacity(map.len());
        for (c, &o) in folded.chars().zip(&map) {
            if !is_ignorable(c) {
                chars.push(c);
                orig.push(o);
            }
        }
        MatchText {
            original,
            chars,
            orig,
        }
    }

    /// The original text behind `chars[range]`, as written.
    pub fn original(&self, range: Range<usize>) -> &'a str {
        if range.is_empty() {
            return "";
        }
        let start = self.orig[range.start];
        let last = self.orig[range.end - 1];
        let end = last
            + self.original[last..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        &self.original[start..end.max(start)]
    }
}

/// What a pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// A term of topic `topic` (index into the taxonomy) with its weight.
    Term { topic: usize, weight: f64 },
    /// An exclude context of topic `topic`.
    Exclude { topic: usize },
}

#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub chars: Vec<char>,
    pub role: Role,
}

/// One occurrence of a pattern: `chars[start..end]` of the searched text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hit {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// All patterns of a taxonomy, indexed by their first character.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    pub patterns: Vec<Pattern>,
    by_first: HashMap<char, Vec<usize>>,
    /// Bit `c % FIRST_BITS` is set when some pattern starts with `c`: most
    /// characters of a text start no pattern and are passed over without
    /// hashing.
    first_bits: Vec<u64>,
}

const FIRST_BITS: usize = 1 << 14;

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Self {
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, p) in patterns.iter().enumerate() {
            if let Some(&c) = p.chars.first() {
                by_first.entry(c).or_default().push(i);
            }
        }
        let mut first_bits = vec![0u64; FIRST_BITS / 64];
        for c in by_first.keys() {
            let b = *c as usize % FIRST_BITS;
            first_bits[b / 64] |= 1 << (b % 64);
        }
        Matcher {
            patterns,
            by_first,
            first_bits,
        }
    }

    /// Every (overlapping) occurrence of every pattern inside `chars[range]`,
    /// in order of start position.
    pub fn find(&self, chars: &[char], range: Range<usize>, out: &mut Vec<Hit>) {
        let end = range.end.min(chars.len());
        for start in range.start..end {
            let b = chars[start] as usize % FIRST_BITS;
            if self
                .first_bits
                .get(b / 64)
                .is_none_or(|w| w & (1 << (b % 64)) == 0)
            {
                continue;
            }
            let Some(candidates) = self.by_first.get(&chars[start]) else {
                continue;
            };
            for &i in candidates {
                let pat = &self.patterns[i].chars;
                if start + pat.len() <= end && chars[start..start + pat.len()] == pat[..] {
                    out.push(Hit {
                        pattern: i,
                        start,
                        end: start + pat.len(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_ignored_and_evidence_is_original() {
        let t = MatchText::new("实行“一级财政”管理体制，ＲＣＥＰ签订");
        let s: String = t.chars.iter().collect();
        assert_eq!(s, "实行一级财政管理体制,rcep签订");
        let m = Matcher::new(vec![
            Pattern {
                chars: match_form("一级财政"),
                role: Role::Term {
                    topic: 0,
                    weight: 1.0,
                },
            },
            Pattern {
                chars: match_form("财政管理体制"),
                role: Role::Exclude { topic: 1 },
            },
            Pattern {
                chars: match_form("RCEP"),
                role: Role::Term {
                    topic: 2,
                    weight: 1.0,
                },
            },
        ]);
        let mut hits = vec![];
        m.find(&t.chars, 0..t.chars.len(), &mut hits);
        let found: Vec<(usize, &str)> = hits
            .iter()
            .map(|h| (h.pattern, t.original(h.start..h.end)))
            .collect();
        assert_eq!(
            found,
            vec![(0, "一级财政"), (1, "财政”管理体制"), (2, "ＲＣＥＰ")]
        );
    }

    #[test]
    fn overlapping_occurrences_are_all_reported() {
        let t = MatchText::new("高层次人才");
        let m = Matcher::new(
            ["人才", "高层次人才"]
                .iter()
                .map(|s| Pattern {
                    chars: match_form(s),
                    role: Role::Term {
                        topic: 0,
                        weight: 1.0,
                    },
                })
                .collect(),
        );
        let mut hits = vec![];
        m.find(&t.chars, 0..t.chars.len(), &mut hits);
        assert_eq!(hits.len(), 2);
        // A range limits the search.
        hits.clear();
        m.find(&t.chars, 3..5, &mut hits);
        assert_eq!(
            hits,
            vec![Hit {
                pattern: 0,
                start: 3,
                end: 5
            }]
        );
    }
}
