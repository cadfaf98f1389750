//! Term matching: every term and exclude phrase of a taxonomy, compiled once
//! into a first-character index and run over the matching form of a text.
//!
//! The matching form is [`fold`](crate::text::fold) with quotation and title
//! marks (and markdown `*`) removed, so `“一级财政”管理体制` matches
//! `一级财政管理体制`. Terms go through the same function. Every character of
//! the matching form remembers where it came from in the original text, so
//! evidence is reported as written.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::text::normalize::fold_each;

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
    let mut chars = Vec::with_capacity(s.len() / 2);
    fold_each(s, |c, _| {
        if !is_ignorable(c) {
            chars.push(c);
        }
    });
    chars
}

/// A text in matching form, with a map back to the original.
pub(crate) struct MatchText<'a> {
    original: &'a str,
    pub chars: Vec<char>,
    /// For each char, the byte offset in `original` of the character it came
    /// from (empty when made without the map).
    orig: Vec<usize>,
}

impl<'a> MatchText<'a> {
    /// The matching form of `original`, with the map back to it for
    /// [`original`](Self::original) only when `with_map` is set.
    pub fn new(original: &'a str, with_map: bool) -> Self {
        // A guess: one char per three bytes in Chinese, one per byte in ASCII.
        let mut chars = Vec::with_capacity(original.len() / 2);
        let mut orig = vec![];
        if with_map {
            orig.reserve(original.len() / 2);
            fold_each(original, |c, o| {
                if !is_ignorable(c) {
                    chars.push(c);
                    orig.push(o);
                }
            });
        } else {
            fold_each(original, |c, _| {
                if !is_ignorable(c) {
                    chars.push(c);
                }
            });
        }
        MatchText {
            original,
            chars,
            orig,
        }
    }

    /// The matching form of a text whose [`fold`](crate::text::fold) is
    /// `folded`, without the map: the same chars as `new(original, false)`
    /// (the matching form is the fold without the ignorable characters, and
    /// the fold is a char-by-char stream), at the cost of decoding `folded`
    /// rather than folding `original` again.
    pub fn of_folded(folded: &'a str) -> Self {
        let mut chars = Vec::with_capacity(folded.len() / 2);
        chars.extend(folded.chars().filter(|&c| !is_ignorable(c)));
        MatchText {
            original: folded,
            chars,
            orig: vec![],
        }
    }

    /// The original text behind `chars[range]`, as written (made with the map).
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

/// All patterns of a taxonomy, indexed by their first two characters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    pub patterns: Vec<Pattern>,
    /// Bit `c % FIRST_BITS` is set when some pattern starts with `c`: most
    /// characters of a text start no pattern and are passed over without
    /// looking further.
    first_bits: Vec<u64>,
    /// The first characters with the same `c % FIRST_BITS` are
    /// `firsts[by_slot[c % FIRST_BITS]..by_slot[c % FIRST_BITS + 1]]`.
    by_slot: Vec<u32>,
    firsts: Vec<First>,
    seconds: Vec<Second>,
    /// Lists of patterns to try (each in pattern order), see [`First`] and [`Second`].
    candidates: Vec<Candidate>,
    /// The characters of all patterns, one after the other.
    pattern_chars: Vec<char>,
}

/// A character `c` some patterns start with.
#[derive(Debug, Clone)]
struct First {
    c: char,
    /// The second characters of its patterns (in `seconds`).
    seconds: Range<u32>,
    /// Its one-character patterns (in `candidates`): all that can match
    /// when the next character is none of `seconds`.
    singles: Range<u32>,
}

/// A second character `c` of the patterns of a [`First`], with the
/// candidates (in `candidates`) when the text goes on with it: the patterns
/// of the first character with this second one, and its one-character
/// patterns.
#[derive(Debug, Clone)]
struct Second {
    c: char,
    candidates: Range<u32>,
}

/// A pattern to try: `pattern_chars[at..at + len]`.
#[derive(Debug, Clone)]
struct Candidate {
    pattern: u32,
    at: u32,
    len: u32,
}

const FIRST_BITS: usize = 1 << 14;

impl Matcher {
    /// The matcher of a classifier's classes (topics, instruments): class
    /// `n`'s terms with their weights, then its exclusion contexts, in
    /// class order.
    pub fn of_classes<'a, T, E>(classes: impl IntoIterator<Item = (T, E)>) -> Self
    where
        T: IntoIterator<Item = (&'a str, f64)>,
        E: IntoIterator<Item = &'a str>,
    {
        let mut patterns = vec![];
        for (n, (terms, exclude)) in classes.into_iter().enumerate() {
            for (t, weight) in terms {
                patterns.push(Pattern {
                    chars: match_form(t),
                    role: Role::Term { topic: n, weight },
                });
            }
            for e in exclude {
                patterns.push(Pattern {
                    chars: match_form(e),
                    role: Role::Exclude { topic: n },
                });
            }
        }
        Matcher::new(patterns)
    }

    pub fn new(patterns: Vec<Pattern>) -> Self {
        // (slot, first char) -> second char (None: a one-character pattern)
        // -> the patterns, in order.
        type Tree = BTreeMap<(usize, char), BTreeMap<Option<char>, Vec<usize>>>;
        let mut tree: Tree = BTreeMap::new();
        let mut at = vec![];
        let mut pattern_chars = vec![];
        for (i, p) in patterns.iter().enumerate() {
            at.push(pattern_chars.len());
            pattern_chars.extend_from_slice(&p.chars);
            if let Some(&c) = p.chars.first() {
                tree.entry((c as usize % FIRST_BITS, c))
                    .or_default()
                    .entry(p.chars.get(1).copied())
                    .or_default()
                    .push(i);
            }
        }
        let mut m = Matcher {
            first_bits: vec![0u64; FIRST_BITS / 64],
            by_slot: vec![0u32; FIRST_BITS + 1],
            pattern_chars,
            ..Default::default()
        };
        for ((b, c), by_second) in &tree {
            m.first_bits[b / 64] |= 1 << (b % 64);
            m.by_slot[b + 1] += 1;
            let singles = by_second.get(&None).map_or(&[][..], Vec::as_slice);
            let from = m.seconds.len() as u32;
            for (second, pats) in by_second {
                let Some(second) = second else { continue };
                let mut merged: Vec<usize> = pats.iter().chain(singles).copied().collect();
                merged.sort_unstable();
                let candidates = m.push_candidates(&merged, &at, &patterns);
                m.seconds.push(Second {
                    c: *second,
                    candidates,
                });
            }
            let seconds = from..m.seconds.len() as u32;
            let singles = m.push_candidates(singles, &at, &patterns);
            m.firsts.push(First {
                c: *c,
                seconds,
                singles,
            });
        }
        for b in 0..FIRST_BITS {
            m.by_slot[b + 1] += m.by_slot[b];
        }
        m.patterns = patterns;
        m
    }

    /// Append the candidates of `pats` and return where they are.
    fn push_candidates(
        &mut self,
        pats: &[usize],
        at: &[usize],
        patterns: &[Pattern],
    ) -> Range<u32> {
        let from = self.candidates.len() as u32;
        self.candidates.extend(pats.iter().map(|&i| Candidate {
            pattern: i as u32,
            at: at[i] as u32,
            len: patterns[i].chars.len() as u32,
        }));
        from..self.candidates.len() as u32
    }

    /// Every (overlapping) occurrence of every pattern inside `chars[range]`,
    /// in order of start position (and of pattern at one position).
    pub fn find(&self, chars: &[char], range: Range<usize>, out: &mut Vec<Hit>) {
        if self.firsts.is_empty() {
            return;
        }
        let end = range.end.min(chars.len());
        for start in range.start..end {
            let c = chars[start];
            let b = c as usize % FIRST_BITS;
            if self.first_bits[b / 64] & (1 << (b % 64)) == 0 {
                continue;
            }
            let slot = self.by_slot[b] as usize..self.by_slot[b + 1] as usize;
            let Some(first) = self.firsts[slot].iter().find(|f| f.c == c) else {
                continue;
            };
            let seconds = &self.seconds[first.seconds.start as usize..first.seconds.end as usize];
            let candidates = match chars[..end].get(start + 1) {
                Some(&next) => seconds
                    .iter()
                    .find(|s| s.c == next)
                    .map_or(first.singles.clone(), |s| s.candidates.clone()),
                None => first.singles.clone(),
            };
            // The first two characters are known to match (one for singles).
            let rest = &chars[(start + 2).min(end)..end];
            for cand in &self.candidates[candidates.start as usize..candidates.end as usize] {
                let len = cand.len as usize;
                if len > end - start {
                    continue;
                }
                let at = cand.at as usize;
                let pat = &self.pattern_chars[at + len.min(2)..at + len];
                // Short patterns: a loop beats a call to memcmp.
                if pat.iter().zip(rest).all(|(p, t)| p == t) {
                    out.push(Hit {
                        pattern: cand.pattern as usize,
                        start,
                        end: start + len,
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
        let t = MatchText::new("实行“一级财政”管理体制，ＲＣＥＰ签订", true);
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

    /// Every occurrence, pattern by pattern at each start: the plain way.
    fn naive(patterns: &[Pattern], chars: &[char], range: Range<usize>) -> Vec<Hit> {
        let end = range.end.min(chars.len());
        let mut out = vec![];
        for start in range.start..end {
            for (i, p) in patterns.iter().enumerate() {
                let len = p.chars.len();
                if len > 0 && start + len <= end && chars[start..start + len] == p.chars[..] {
                    out.push(Hit {
                        pattern: i,
                        start,
                        end: start + len,
                    });
                }
            }
        }
        out
    }

    #[test]
    fn finds_what_a_plain_search_finds() {
        // Few letters, so that patterns share first and second characters;
        // 'a' and 'a' + 0x4000 share a slot of the first-character index.
        let alphabet = ['a', 'b', 'c', char::from_u32('a' as u32 + 0x4000).unwrap()];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let patterns: Vec<Pattern> = (0..1 + next(12))
                .map(|_| Pattern {
                    chars: (0..next(5)).map(|_| alphabet[next(4)]).collect(),
                    role: Role::Exclude { topic: 0 },
                })
                .collect();
            let m = Matcher::new(patterns.clone());
            let text: Vec<char> = (0..next(40)).map(|_| alphabet[next(4)]).collect();
            let (a, b) = (next(text.len() + 2), next(text.len() + 2));
            for range in [0..text.len(), a.min(b)..a.max(b)] {
                let mut hits = vec![];
                m.find(&text, range.clone(), &mut hits);
                assert_eq!(
                    hits,
                    naive(&patterns, &text, range),
                    "{patterns:?} {text:?}"
                );
            }
        }
        let mut hits = vec![];
        Matcher::default().find(&['a'], 0..1, &mut hits);
        assert!(hits.is_empty());
    }

    #[test]
    fn overlapping_occurrences_are_all_reported() {
        let t = MatchText::new("高层次人才", false);
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
