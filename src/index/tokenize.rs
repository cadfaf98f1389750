//! tantivy tokenizers over folded text: `pd_words` (jieba words, positions
//! are word indexes) and `pd_grams` (every character as a unigram and every
//! adjacent pair as a bigram, both at the character's position), which turns
//! an exact phrase into a positional phrase query that never depends on
//! where jieba put word boundaries.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::text::segment;

pub const WORDS: &str = "pd_words";
pub const GRAMS: &str = "pd_grams";

#[derive(Clone, Default)]
pub struct WordTokenizer;

pub struct VecStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        let tokens = segment::words(text)
            .into_iter()
            .enumerate()
            .map(|(i, w)| Token {
                offset_from: w.start,
                offset_to: w.end,
                position: i,
                text: w.text.to_string(),
                position_length: 1,
            })
            .collect();
        VecStream { tokens, next: 0 }
    }
}

#[derive(Clone, Default)]
pub struct GramTokenizer {
    token: Token,
}

/// One token per character: the bigram starting there, or for the last
/// character the unigram. Half the postings of unigrams + bigrams; a
/// one-character phrase is a prefix search over the grams instead.
pub struct GramStream<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream<'a> {
        self.token.reset();
        GramStream {
            text,
            at: 0,
            position: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for GramStream<'_> {
    fn advance(&mut self) -> bool {
        let mut chars = self.text[self.at..].chars();
        let Some(c) = chars.next() else { return false };
        let c_len = c.len_utf8();
        self.token.text.clear();
        self.token.text.push(c);
        self.token.offset_from = self.at;
        self.token.offset_to = self.at + c_len;
        if let Some(d) = chars.next() {
            self.token.text.push(d);
            self.token.offset_to += d.len_utf8();
        }
        self.token.position = self.position;
        self.at += c_len;
        self.position += 1;
        true
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Grams of a folded phrase of two or more characters for a positional
/// query: `(offset, bigram)` pairs covering every character: bigrams at 0,
/// 2, 4, … and a last overlapping bigram when the length is odd. (A single
/// character is looked up as a prefix; see `index::query`.)
pub fn phrase_grams(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    match chars.len() {
        0 | 1 => vec![],
        n => {
            let mut out: Vec<(usize, String)> = (0..n - 1)
                .step_by(2)
                .map(|i| (i, chars[i..i + 2].iter().collect()))
                .collect();
            if n % 2 == 1 {
                out.push((n - 2, chars[n - 2..].iter().collect()));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(text: &str) -> Vec<(String, usize)> {
        let mut t = GramTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = vec![];
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    #[test]
    fn one_gram_per_character() {
        assert_eq!(
            grams("财政自"),
            vec![("财政".into(), 0), ("政自".into(), 1), ("自".into(), 2)]
        );
        assert_eq!(grams("财"), vec![("财".into(), 0)]);
        assert!(grams("").is_empty());
    }

    #[test]
    fn phrase_grams_cover_every_char() {
        assert!(phrase_grams("人").is_empty());
        assert_eq!(phrase_grams("人才"), vec![(0, "人才".to_string())]);
        assert_eq!(
            phrase_grams("人才公"),
            vec![(0, "人才".to_string()), (1, "才公".to_string())]
        );
        assert_eq!(
            phrase_grams("人才公寓"),
            vec![(0, "人才".to_string()), (2, "公寓".to_string())]
        );
    }
}
