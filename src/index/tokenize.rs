//! Words for tantivy. The indexing threads cut each folded provision text
//! with jieba once ([`words_field`]) and hand tantivy the words joined by
//! [`SEP`]; the `pd_words` tokenizer only splits them again (positions are
//! word indexes). Cutting before tantivy lets the heading's words be taken
//! from the text's when the text starts with the heading (97% of the laws
//! corpus's provisions), instead of running jieba over the heading again.
//! (Exact phrases do not go through a tokenizer: see [`chars`](super::chars)
//! and [`phrase`](super::phrase).)

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::text::segment;

pub const WORDS: &str = "pd_words";

/// Separates the words handed to tantivy. A word containing it (only a
/// control character could) is left out.
pub const SEP: char = '\u{1f}';

/// The `words` field value of a provision whose folded text and heading
/// are `text` and `heading`, and how many of its leading words are the
/// heading's: the text's words inside the heading when the text starts with
/// it (a word reaching past the heading's end is not the heading's), else
/// the heading's own words put in front of the text's.
pub fn words_field(text: &str, heading: &str) -> (String, u64) {
    let words = segment::words(text);
    let kept = |w: &&segment::Word| !w.text.contains(SEP);
    if heading.is_empty() || text.starts_with(heading) {
        let inside = words
            .iter()
            .filter(kept)
            .take_while(|w| w.end <= heading.len())
            .count();
        (join(words.iter().filter(kept), text.len()), inside as u64)
    } else {
        let own = segment::words(heading);
        let n = own.iter().filter(kept).count();
        let all = own.iter().chain(&words).filter(kept);
        (join(all, heading.len() + text.len()), n as u64)
    }
}

fn join<'a>(words: impl Iterator<Item = &'a segment::Word<'a>>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity + capacity / 2);
    for w in words {
        if !out.is_empty() {
            out.push(SEP);
        }
        out.push_str(w.text);
    }
    out
}

/// Splits [`SEP`]-joined words (see [`words_field`]).
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The words of a field value, handed out through one reused token (no
/// allocation per word).
pub struct WordStream<'a> {
    words: std::str::Split<'a, char>,
    offset: usize,
    position: usize,
    token: &'a mut Token,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        for w in self.words.by_ref() {
            let start = self.offset;
            self.offset += w.len() + SEP.len_utf8();
            if w.is_empty() {
                continue;
            }
            self.token.text.clear();
            self.token.text.push_str(w);
            self.token.offset_from = start;
            self.token.offset_to = start + w.len();
            self.token.position = self.position;
            self.position += 1;
            return true;
        }
        false
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
            words: text.split(SEP),
            offset: 0,
            position: 0,
            token: &mut self.token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(value: &str) -> Vec<(String, usize)> {
        let mut t = WordTokenizer::default();
        let mut s = t.token_stream(value);
        let mut out = vec![];
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    fn texts(value: &str) -> Vec<String> {
        tokens(value).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn the_tokenizer_gives_back_the_words_with_word_positions() {
        let (words, _) = words_field("支持开发区实行一级财政管理体制", "");
        assert_eq!(
            tokens(&words),
            vec![
                ("支持".to_string(), 0),
                ("开发区".to_string(), 1),
                ("实行".to_string(), 2),
                ("一级财政".to_string(), 3),
                ("管理体制".to_string(), 4),
            ]
        );
        assert!(tokens("").is_empty());
    }

    #[test]
    fn the_heading_words_lead_the_field() {
        let text = "第五条 加大财政政策支持力度。设立开发区发展专项资金";
        let heading = "第五条 加大财政政策支持力度";
        let (words, n) = words_field(text, heading);
        let words = texts(&words);
        assert_eq!(
            words,
            texts(&words_field(text, "").0),
            "the text's own words"
        );
        let own = texts(&words_field(heading, "").0);
        assert_eq!(&words[..n as usize], &own[..]);
        assert!(own.contains(&"财政政策".to_string()));
        // A heading the text does not start with is cut on its own and put first.
        let (words, n) = words_field("设立专项资金", "人才公寓建设");
        assert_eq!(
            (texts(&words), n),
            (
                vec![
                    "人才公寓".into(),
                    "建设".into(),
                    "设立".into(),
                    "专项资金".into()
                ],
                2
            )
        );
        // A word reaching past the heading's end is left to the body.
        let (_, n) = words_field("建设人才公寓", "建设人才公");
        assert_eq!(n, 1);
        assert_eq!(words_field("建设人才公寓", "").1, 0);
    }

    #[test]
    fn the_field_gives_back_exactly_jiebas_words_even_around_the_separator() {
        for text in [
            "ab\u{1f}cd 人才",
            "\u{1f}\u{1f}开发区\u{1f}",
            "支持开发区实行一级财政管理体制",
        ] {
            let (words, _) = words_field(text, "");
            let want: Vec<String> = segment::words(text)
                .into_iter()
                .map(|w| w.text.to_string())
                .collect();
            assert_eq!(texts(&words), want, "{text:?}");
        }
    }
}
