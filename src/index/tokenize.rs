//! tantivy tokenizers over folded text: `pd_words` (jieba words, positions
//! are word indexes) and `pd_chars` (each distinct character once), the
//! candidate filter of exact phrases, which never depend on where jieba put
//! word boundaries (see [`phrase`](super::phrase)).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::text::segment;

pub const WORDS: &str = "pd_words";
pub const CHARS: &str = "pd_chars";

#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The words of a text, handed out through one reused token (no allocation
/// per word).
pub struct WordStream<'a> {
    words: std::vec::IntoIter<segment::Word<'a>>,
    position: usize,
    token: &'a mut Token,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(w) = self.words.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(w.text);
        self.token.offset_from = w.start;
        self.token.offset_to = w.end;
        self.token.position = self.position;
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

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            words: segment::words(text).into_iter(),
            position: 0,
            token: &mut self.token,
        }
    }
}

/// Every distinct character of a text that the `chars` field holds
/// (whitespace is not indexed), in first-occurrence order.
pub fn indexed_chars(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// One token per distinct character of the text (the `chars` field is
/// indexed without frequencies or positions: it only says which
/// provisions hold a character; exact phrases are verified on the text).
#[derive(Clone, Default)]
pub struct CharsTokenizer {
    seen: Vec<char>,
}

pub struct CharsStream<'a> {
    chars: std::slice::Iter<'a, char>,
    token: Token,
}

impl Tokenizer for CharsTokenizer {
    type TokenStream<'a> = CharsStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> CharsStream<'a> {
        // Sorting and deduplicating is cheaper than a set for the few
        // hundred characters of a provision.
        self.seen.clear();
        self.seen
            .extend(text.chars().filter(|c| !c.is_whitespace()));
        self.seen.sort_unstable();
        self.seen.dedup();
        CharsStream {
            chars: self.seen.iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for CharsStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(c) = self.chars.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push(*c);
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<String> {
        let mut t = CharsTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = vec![];
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn one_token_per_distinct_character() {
        let mut got = chars("财政 财政自主\n权");
        got.sort();
        let mut want: Vec<String> = ["财", "政", "自", "主", "权"].map(String::from).to_vec();
        want.sort();
        assert_eq!(got, want);
        assert!(chars("").is_empty());
        assert!(chars(" \n\t").is_empty());
    }

    #[test]
    fn indexed_chars_skip_spaces_and_repeats() {
        assert_eq!(indexed_chars("人才 人才公寓"), vec!['人', '才', '公', '寓']);
        assert!(indexed_chars("  ").is_empty());
    }
}
