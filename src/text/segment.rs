//! Segmentation: jieba-rs with the policy-domain dictionary (`data/policy_dict.txt`).
//! This is the only module that talks to jieba. Callers pass folded text
//! (see [`crate::text::fold`]) so documents and queries are cut alike.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// The domain dictionary compiled into the binary.
pub const DOMAIN_DICT: &str = include_str!("../../data/policy_dict.txt");

/// Changes whenever the dictionary or the cutting mode changes (index versioning).
pub fn dictionary_version() -> String {
    format!(
        "jieba-0.11+domain-{}",
        &blake3::hash(DOMAIN_DICT.as_bytes()).to_hex()[..12]
    )
}

/// The domain dictionary's words added to `j` as the full load adds
/// them. A word without a frequency gets one from `suggest_freq` (a cut of
/// the word itself with what is loaded so far), unless jieba knows it.
fn add_domain_words(j: &mut Jieba) {
    for line in DOMAIN_DICT.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split_whitespace();
        if let Some(word) = parts.next() {
            let freq: Option<usize> = parts.next().and_then(|f| f.parse().ok());
            if freq.is_none() && j.has_word(word) {
                continue; // a taxonomy term jieba already knows
            }
            j.add_word(word, freq, parts.next());
        }
    }
}

static JIEBA: OnceLock<Jieba> = OnceLock::new();

fn jieba() -> &'static Jieba {
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        add_domain_words(&mut j);
        j
    })
}

/// Has the full dictionary been loaded in this process?
pub fn loaded() -> bool {
    JIEBA.get().is_some()
}

thread_local! {
    /// The dictionary cuts on this thread use instead of the full one
    /// (see [`Subset::scope`]).
    static SUBSET: std::cell::RefCell<Option<std::sync::Arc<Jieba>>> =
        const { std::cell::RefCell::new(None) };
}

fn with_jieba<R>(f: impl FnOnce(&Jieba) -> R) -> R {
    match SUBSET.with(|s| s.borrow().clone()) {
        Some(j) => f(&j),
        None => f(jieba()),
    }
}

/// jieba-rs 0.11's own dictionary (`src/data/dict.txt` of the crate, which
/// does not expose it; `data/jieba_dict.txt.zst`), for [`Subset`], as the
/// table `build.rs` makes of it: its words by the key of their first
/// characters, then its text. A test checks it is the same.
static BASE_DICT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jieba_dict.bin"));

#[allow(dead_code)]
mod dict_key {
    include!("dict_key.rs");
}
use dict_key::GRAM;

/// [`BASE_DICT`] read: the frequency total, the bucket starts, the
/// entries (key, line offset) and the text.
struct BaseDict {
    total: usize,
    buckets: &'static [u8],
    entries: &'static [u8],
    text: &'static [u8],
}

impl BaseDict {
    fn get() -> BaseDict {
        let u32_at = |at: usize| u32::from_le_bytes(BASE_DICT[at..at + 4].try_into().unwrap());
        let total = u64::from_le_bytes(BASE_DICT[..8].try_into().unwrap()) as usize;
        let n = u32_at(8) as usize;
        let buckets_at = 12;
        let entries_at = buckets_at + 4 * ((1 << dict_key::BUCKET_BITS) + 1);
        let text_at = entries_at + 12 * n;
        BaseDict {
            total,
            buckets: &BASE_DICT[buckets_at..entries_at],
            entries: &BASE_DICT[entries_at..text_at],
            text: &BASE_DICT[text_at..],
        }
    }

    /// The offsets of the lines whose word's first characters have `key`.
    fn lines_of(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let b = (key >> (64 - dict_key::BUCKET_BITS)) as usize;
        let (from, to) = (
            u32_at(self.buckets, 4 * b) as usize,
            u32_at(self.buckets, 4 * b + 4) as usize,
        );
        (from..to).filter_map(move |k| {
            let e = &self.entries[12 * k..12 * k + 12];
            (u64::from_le_bytes(e[..8].try_into().unwrap()) == key).then(|| u32_at(e, 8) as usize)
        })
    }

    /// The line at `at` of the text.
    fn line(&self, at: usize) -> &'static [u8] {
        let rest = &self.text[at..];
        &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())]
    }
}

/// A dictionary that cuts given texts exactly as the full one does, loaded
/// with only the words that occur in them (about a tenth of the full load's
/// cost for one document).
///
/// Why the cuts are the same: jieba looks words up only among the
/// substrings of the text it cuts (the DAG of a block, the 2- and
/// 3-character grams of `cut_for_search`, the runs the HMM takes), and
/// scores a route by each word's frequency against the dictionary's
/// frequency total. The subset holds every dictionary word that is a
/// substring of a text (some more: the test for long words is loose), with
/// its frequency, plus one word that occurs in none of the texts carrying
/// the frequencies of all the words left out, so the total and its
/// logarithm are the same numbers. The domain dictionary is then added
/// the same way as to the full one; its words are among the texts the
/// subset is chosen for, so `has_word` and `suggest_freq` (which cuts the
/// word itself) answer as they do on the full dictionary, and the total
/// moves by the same amounts.
///
/// A subset may only cut the texts it was made for (and their substrings).
pub struct Subset(std::sync::Arc<Jieba>);

impl Subset {
    /// A dictionary for cutting `texts` (folded, as the callers of
    /// [`words`] pass them).
    pub fn for_texts(texts: &[&str]) -> Subset {
        let domain: Vec<&str> = DOMAIN_DICT
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let sources = || texts.iter().chain(&domain).copied();
        // Every substring of up to GRAM characters of the texts: a word of
        // that length is kept when it is one of them, a longer word when
        // its first and last GRAM characters are. (Bytes, not text: the
        // dictionary is read as bytes, without validating 5 MB as UTF-8.)
        let mut grams: rustc_hash::FxHashSet<&[u8]> = rustc_hash::FxHashSet::default();
        grams.reserve(sources().map(|t| t.len()).sum::<usize>() * 2);
        let mut bounds = Vec::new();
        for t in sources() {
            bounds.clear();
            bounds.extend(t.char_indices().map(|(i, _)| i));
            bounds.push(t.len());
            let t = t.as_bytes();
            for i in 0..bounds.len() - 1 {
                for k in 1..=GRAM.min(bounds.len() - 1 - i) {
                    grams.insert(&t[bounds[i]..bounds[i + k]]);
                }
            }
        }
        // Byte offsets where characters of UTF-8 `word` start.
        let starts = |word: &'_ [u8]| {
            word.iter()
                .enumerate()
                .filter(|(_, b)| **b & 0xC0 != 0x80)
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let covered = |word: &[u8]| {
            if grams.contains(word) {
                return true;
            }
            let starts = starts(word);
            if starts.len() <= GRAM {
                return false; // GRAM characters or fewer, and not a substring
            }
            grams.contains(&word[..starts[GRAM]])
                && grams.contains(&word[starts[starts.len() - GRAM]..])
        };
        fn text(b: &[u8]) -> &str {
            std::str::from_utf8(b).expect("the jieba dictionary is UTF-8")
        }
        // The dictionary's lines whose word may be covered: a word is
        // covered only when its first GRAM characters (all of them, for a
        // shorter one) are a gram, so only the lines under the grams' keys
        // are read, then added in the dictionary's order.
        let dict = BaseDict::get();
        let mut lines: Vec<usize> = grams
            .iter()
            .flat_map(|g| dict.lines_of(dict_key::key(g)))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        let mut j = Jieba::empty();
        let mut kept = 0usize;
        // Parsed as jieba-rs's `load_default_dict` parses it (lines, fields
        // split on ASCII whitespace, a missing frequency 0, a missing tag "").
        for at in lines {
            let mut iter = dict
                .line(at)
                .split(|b| b.is_ascii_whitespace())
                .filter(|f| !f.is_empty());
            let Some(word) = iter.next() else { continue };
            let freq = iter
                .next()
                .map_or(0, |x| text(x).parse::<usize>().expect("frequency"));
            if covered(word) {
                j.add_word(text(word), Some(freq), Some(iter.next().map_or("", text)));
                kept += freq;
            }
        }
        let total = dict.total;
        // The word standing for every word left out: private-use characters,
        // made longer until no text holds it.
        let mut rest = String::from('\u{E000}');
        while sources().any(|t| t.contains(&rest)) {
            rest.push('\u{F8FF}');
        }
        if total > kept {
            j.add_word(&rest, Some(total - kept), Some(""));
        }
        add_domain_words(&mut j);
        Subset(std::sync::Arc::new(j))
    }

    /// Run `f` with the cuts of this thread made with the subset.
    /// `f` must not wait on rayon work of its own (a nested `join` or
    /// parallel iterator): a rayon thread that waits may run other tasks
    /// meanwhile, which would then cut their texts with the subset. The
    /// index's workers (`index_documents`) parse, cut and hand documents to
    /// tantivy's own threads, none of it through rayon.
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<std::sync::Arc<Jieba>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                SUBSET.with(|s| *s.borrow_mut() = before);
            }
        }
        let before = SUBSET.with(|s| s.borrow_mut().replace(self.0.clone()));
        let _restore = Restore(before);
        f()
    }
}

/// Load the dictionary now (it loads on first use otherwise; about 100 ms).
pub fn load() {
    jieba();
}

/// A word of the segmented text, with byte offsets into the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Is this token worth indexing as a word (not punctuation or spaces)?
pub fn is_wordlike(token: &str) -> bool {
    // Unified ideographs are all alphabetic: a token starting with one of
    // U+5000–9FFF (lead byte E5–E9) is a word, and a one-byte token is one
    // when it is an ASCII letter or digit, without decoding (these are
    // nearly all of jieba's tokens).
    match token.as_bytes() {
        [0xE5..=0xE9, ..] => return true,
        [b] => return b.is_ascii_alphanumeric(),
        _ => {}
    }
    // Testing the unified ideographs' range first skips the general
    // Unicode table search for nearly every other word.
    token
        .chars()
        .any(|c| matches!(c as u32, 0x4E00..=0x9FFF) || c.is_alphanumeric())
}

/// Word-like tokens (punctuation and whitespace dropped) with byte offsets.
fn keep_words(tokens: Vec<jieba_rs::Token<'_>>) -> Vec<Word<'_>> {
    tokens
        .into_iter()
        .filter(|t| is_wordlike(t.word))
        .map(|t| Word {
            text: t.word,
            start: t.byte_start,
            end: t.byte_end,
        })
        .collect()
}

/// Cut folded text into words (jieba precise mode with HMM for unknown words).
/// Punctuation and whitespace tokens are dropped.
pub fn words(folded: &str) -> Vec<Word<'_>> {
    keep_words(with_jieba(|j| j.cut(folded, true)))
}

/// Search-mode words: the words of [`words`] plus the dictionary words
/// inside long ones (财政政策 also gives 财政, 政策). Comparisons use them so
/// that a longer dictionary word does not hide a shared shorter one.
pub fn words_fine(folded: &str) -> Vec<Word<'_>> {
    keep_words(with_jieba(|j| j.cut_for_search(folded, true)))
}

/// The words of folded text, without offsets.
pub fn words_plain(folded: &str) -> Vec<&str> {
    words(folded).into_iter().map(|w| w.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[&str]) {
        assert_eq!(words_plain(input), expected, "segmenting {input:?}");
    }

    #[test]
    fn wordlike_agrees_with_unicode_for_every_unified_ideograph() {
        for c in (0x4E00..=0x9FFF).filter_map(char::from_u32) {
            assert!(c.is_alphanumeric(), "{c:?}");
        }
        assert!(is_wordlike("，人"));
        assert!(!is_wordlike("，。、 "));
        assert!(is_wordlike("2021"));
        // The shortcuts agree with the characters' classes.
        for c in [
            'a', 'Z', '7', ',', ' ', '\t', '-', '。', '、', '人', '丁', '鿿', '〇', 'é',
        ]
        .into_iter()
        .chain((0x4E00..=0x9FFF).step_by(97).filter_map(char::from_u32))
        {
            let want = matches!(c as u32, 0x4E00..=0x9FFF) || c.is_alphanumeric();
            assert_eq!(is_wordlike(&c.to_string()), want, "{c:?}");
            assert_eq!(is_wordlike(&format!("{c}，")), want, "{c:?}，");
        }
    }

    #[test]
    fn domain_terms_stay_whole() {
        check(
            "支持有条件的开发区实行一级财政管理体制",
            &[
                "支持",
                "有",
                "条件",
                "的",
                "开发区",
                "实行",
                "一级财政",
                "管理体制",
            ],
        );
        check("建设人才公寓", &["建设", "人才公寓"]);
        check(
            "亩均税收等控制性指标",
            &["亩均税收", "等", "控制性", "指标"],
        );
    }

    #[test]
    fn taxonomy_terms_are_in_the_dictionary() {
        let tax = crate::classify::topics::Taxonomy::builtin();
        for topic in tax.topics() {
            for term in &topic.terms {
                let t = &term.text;
                if t.chars().all(crate::text::is_han) && t.chars().count() <= 6 {
                    assert!(
                        jieba().has_word(t),
                        "{t} (topic {}) is a dictionary word",
                        topic.id
                    );
                }
            }
        }
    }

    /// Every line of the dictionary with a word is found under the key of
    /// its word's first characters (the table build.rs writes agrees with
    /// the key the subset looks up), and the total is the lines' sum.
    #[test]
    fn every_dictionary_word_is_under_its_key() {
        let dict = BaseDict::get();
        let (mut at, mut total) = (0, 0);
        for line in dict.text.split(|&b| b == b'\n') {
            let start = at;
            at += line.len() + 1;
            let mut fields = line
                .split(|b| b.is_ascii_whitespace())
                .filter(|f| !f.is_empty());
            let Some(word) = fields.next() else { continue };
            total += fields.next().map_or(0, |f| {
                std::str::from_utf8(f).unwrap().parse::<usize>().unwrap()
            });
            let key = dict_key::key(dict_key::lead(word));
            assert!(dict.lines_of(key).any(|l| l == start), "{line:?}");
            assert_eq!(dict.line(start), line);
        }
        assert_eq!(total, dict.total);
        assert_eq!(
            dict_key::lead("高质量发展".as_bytes()),
            "高质量发".as_bytes()
        );
        assert_eq!(dict_key::lead("发展".as_bytes()), "发展".as_bytes());
    }

    #[test]
    fn embedded_dictionary_is_jiebas_own() {
        // The same number of words and the same frequency total (jieba's
        // Debug shows both), every word known to jieba, and the copy loaded
        // as jieba loads its own gives the same cuts (the subset's tests in
        // tests/segment_subset.rs compare cuts at length).
        let dict = BaseDict::get().text;
        let copy = Jieba::with_dict(&mut &dict[..]).unwrap();
        let own = Jieba::new();
        assert_eq!(format!("{copy:?}"), format!("{own:?}"));
        let text = std::str::from_utf8(dict).unwrap();
        let mut n = 0;
        for line in text.lines() {
            let word = line.split_ascii_whitespace().next().unwrap();
            assert!(own.has_word(word), "{word}");
            n += 1;
        }
        assert!(n > 300_000);
        let sample = "支持有条件的开发区实行一级财政管理体制，建设人才公寓";
        assert_eq!(copy.cut(sample, true), own.cut(sample, true));
        assert_eq!(
            copy.cut_for_search(sample, true),
            own.cut_for_search(sample, true)
        );
    }

    #[test]
    fn subset_stand_in_keeps_the_total() {
        let sample = "支持有条件的开发区实行一级财政管理体制";
        let subset = Subset::for_texts(&[sample]);
        // Fewer words, the same total, so every route scores the same.
        let full = format!("{:?}", jieba());
        let sub = format!("{:?}", subset.0);
        let total = |d: &str| d.split("total_freq: ").nth(1).unwrap().to_string();
        assert_eq!(total(&full), total(&sub));
        assert_ne!(full, sub);
    }

    #[test]
    fn offsets_are_bytes_into_input() {
        let text = "推进标准地改革";
        for w in words(text) {
            assert_eq!(&text[w.start..w.end], w.text);
        }
    }
}
