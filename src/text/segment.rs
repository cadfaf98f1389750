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

static JIEBA: OnceLock<Jieba> = OnceLock::new();

fn jieba() -> &'static Jieba {
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
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
        j
    })
}

/// Load the dictionary now (it loads on first use otherwise; about 100 ms).
pub fn load() {
    jieba();
}

/// Is the dictionary loaded (so cutting will not wait for it)?
pub fn is_loaded() -> bool {
    JIEBA.get().is_some()
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
    // Unified ideographs are all alphabetic; testing their range first
    // skips the general Unicode table search for nearly every word.
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
    keep_words(jieba().cut(folded, true))
}

/// Search-mode words: the words of [`words`] plus the dictionary words
/// inside long ones (财政政策 also gives 财政, 政策). Comparisons use them so
/// that a longer dictionary word does not hide a shared shorter one.
pub fn words_fine(folded: &str) -> Vec<Word<'_>> {
    keep_words(jieba().cut_for_search(folded, true))
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
        let tax = crate::topics::Taxonomy::builtin();
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

    #[test]
    fn offsets_are_bytes_into_input() {
        let text = "推进标准地改革";
        for w in words(text) {
            assert_eq!(&text[w.start..w.end], w.text);
        }
    }
}
