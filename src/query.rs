//! The query language: words, "exact phrases" (also “…”, 「…」, 『…』),
//! AND / OR / NOT, +term / -term, parentheses. Adjacent terms are joined by AND. Precedence: NOT
//! binds tightest, then AND, then OR. Pure: no engine types here.

use std::fmt;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// An unquoted word: segmented and ranked; matches the word as written or all its segments.
    Term(String),
    /// A quoted phrase: matches exactly (after folding).
    Phrase(String),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Term(t) => write!(f, "{t}"),
            Query::Phrase(p) => {
                // Delimiters the phrase does not contain, so it parses back.
                let (open, close) = QUOTES
                    .iter()
                    .copied()
                    .find(|(o, c)| !p.contains(*o) && !p.contains(*c))
                    .unwrap_or(('"', '"'));
                write!(f, "{open}{p}{close}")
            }
            Query::And(qs) => write_joined(f, qs, " AND "),
            Query::Or(qs) => write_joined(f, qs, " OR "),
            Query::Not(q) => match **q {
                // NOT binds tightest: a chain of NOTs needs no parentheses
                // (and must not get them, or printing deepens the nesting).
                Query::Term(_) | Query::Phrase(_) | Query::Not(_) => write!(f, "NOT {q}"),
                _ => write!(f, "NOT ({q})"),
            },
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, qs: &[Query], sep: &str) -> fmt::Result {
    for (i, q) in qs.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        match q {
            Query::And(_) | Query::Or(_) => write!(f, "({q})")?,
            _ => write!(f, "{q}")?,
        }
    }
    Ok(())
}

impl Query {
    /// Does the query exclude anything?
    pub fn has_not(&self) -> bool {
        match self {
            Query::Term(_) | Query::Phrase(_) => false,
            Query::Not(_) => true,
            Query::And(qs) | Query::Or(qs) => qs.iter().any(Query::has_not),
        }
    }

    /// The words and phrases that must or may match (not those under NOT), for snippets.
    pub fn positive_terms(&self) -> Vec<&Query> {
        let mut out = vec![];
        self.collect_positive(&mut out);
        out
    }

    fn collect_positive<'a>(&'a self, out: &mut Vec<&'a Query>) {
        match self {
            Query::Term(_) | Query::Phrase(_) => out.push(self),
            Query::And(qs) | Query::Or(qs) => qs.iter().for_each(|q| q.collect_positive(out)),
            Query::Not(_) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase(String),
    LParen,
    RParen,
    And,
    Or,
    Not,
    /// `+` prefix
    Plus,
    /// `-` prefix
    Minus,
}

/// Phrase delimiters: ASCII double quotes and the Chinese quotation marks.
const QUOTES: [(char, char); 4] = [('"', '"'), ('“', '”'), ('「', '」'), ('『', '』')];

fn closing_quote(c: char) -> Option<char> {
    QUOTES.iter().find(|(o, _)| *o == c).map(|(_, c)| *c)
}

fn is_quote(c: char) -> bool {
    QUOTES.iter().any(|(o, cl)| *o == c || *cl == c)
}

/// Tokens with their 1-based character column.
fn lex(input: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if let Some(close) = closing_quote(c) {
            let start = i;
            i += 1;
            let mut s = String::new();
            while i < chars.len() && chars[i] != close {
                s.push(chars[i]);
                i += 1;
            }
            if i == chars.len() {
                return Err(Error::Usage(format!(
                    "query {input:?}: unbalanced quote: the {c} at column {} is never closed",
                    start + 1
                )));
            }
            i += 1;
            toks.push((Tok::Phrase(s), col));
        } else if is_quote(c) {
            let open = QUOTES.iter().find(|(_, cl)| *cl == c).map_or(c, |q| q.0);
            return Err(Error::Usage(format!(
                "query {input:?}: unbalanced quote: the {c} at column {col} has no opening {open}"
            )));
        } else if c == '(' || c == '（' {
            toks.push((Tok::LParen, col));
            i += 1;
        } else if c == ')' || c == '）' {
            toks.push((Tok::RParen, col));
            i += 1;
        } else if (c == '+' || c == '-') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            // At the start of a word, + requires it and - excludes it.
            toks.push((if c == '+' { Tok::Plus } else { Tok::Minus }, col));
            i += 1;
        } else {
            let mut s = String::new();
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '（' | '）')
                && !is_quote(chars[i])
            {
                s.push(chars[i]);
                i += 1;
            }
            let tok = match s.as_str() {
                // A + or - alone: an operator without its term.
                "+" | "-" => {
                    let what = if i == chars.len() {
                        "has nothing after it"
                    } else {
                        "is followed by a space"
                    };
                    return Err(Error::Usage(format!(
                        "query {input:?}: {s} at column {col} {what} (write {s}term, without a space)"
                    )));
                }
                "AND" | "&&" => Tok::And,
                "OR" | "||" => Tok::Or,
                "NOT" => Tok::Not,
                // Punctuation alone searches for nothing: drop it.
                _ if !s.chars().any(char::is_alphanumeric) => continue,
                _ => Tok::Word(s),
            };
            toks.push((tok, col));
        }
    }
    Ok(toks)
}

/// Deepest nesting of parentheses and prefix operators accepted.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    input: &'a str,
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn col(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|t| t.1)
            .unwrap_or(self.input.chars().count() + 1)
    }

    fn err(&self, msg: impl fmt::Display) -> Error {
        Error::Usage(format!("query {:?}: {msg}", self.input))
    }

    fn or(&mut self) -> Result<Query> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let col = self.col();
            self.pos += 1;
            if matches!(self.peek(), None | Some(Tok::RParen | Tok::Or | Tok::And)) {
                return Err(self.err(format!("OR at column {col} has nothing after it")));
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    let col = self.col();
                    self.pos += 1;
                    if matches!(self.peek(), None | Some(Tok::RParen | Tok::Or | Tok::And)) {
                        return Err(self.err(format!("AND at column {col} has nothing after it")));
                    }
                    parts.push(self.unary()?);
                }
                Some(Tok::Or | Tok::RParen) | None => break,
                Some(_) => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query> {
        let col = self.col();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nested too deeply at column {col} (at most {MAX_DEPTH} levels)"
            )));
        }
        let q = self.unary_inner(col);
        self.depth -= 1;
        q
    }

    fn unary_inner(&mut self, col: usize) -> Result<Query> {
        match self.peek().cloned() {
            Some(Tok::Not) | Some(Tok::Minus) => {
                let op = if self.peek() == Some(&Tok::Not) {
                    "NOT"
                } else {
                    "-"
                };
                self.pos += 1;
                if matches!(self.peek(), None | Some(Tok::RParen | Tok::Or | Tok::And)) {
                    return Err(self.err(format!("{op} at column {col} has nothing after it")));
                }
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Plus) => {
                self.pos += 1;
                self.unary()
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                if self.peek() == Some(&Tok::RParen) {
                    return Err(self.err(format!("empty parentheses at column {col}")));
                }
                let q = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(self.err(format!(
                        "unbalanced parenthesis: the ( at column {col} is never closed"
                    )));
                }
                self.pos += 1;
                Ok(q)
            }
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(Query::Term(w))
            }
            Some(Tok::Phrase(p)) => {
                self.pos += 1;
                if crate::text::fold(&p).trim().is_empty() {
                    return Err(self.err(format!("the phrase at column {col} is empty")));
                }
                Ok(Query::Phrase(p))
            }
            Some(Tok::RParen) => Err(self.err(format!(
                "unbalanced parenthesis: the ) at column {col} has no matching ("
            ))),
            Some(Tok::And) | Some(Tok::Or) => {
                let op = if self.peek() == Some(&Tok::And) {
                    "AND"
                } else {
                    "OR"
                };
                Err(self.err(format!("{op} at column {col} has nothing before it")))
            }
            None => Err(self.err("the query is empty")),
        }
    }
}

/// Lowercase and / or / not standing between terms: searched as words, but
/// probably meant as operators. One notice per occurrence, saying how to
/// write the operator.
fn operator_notices(toks: &[(Tok, usize)]) -> Vec<String> {
    let mut out = vec![];
    for (i, (tok, col)) in toks.iter().enumerate() {
        let Tok::Word(w) = tok else { continue };
        let how = match w.as_str() {
            "and" => "write AND to require both",
            "or" => "write OR to accept either",
            "not" => "write NOT (or -term) to exclude what follows",
            _ => continue,
        };
        let before = i > 0 && matches!(toks[i - 1].0, Tok::Word(_) | Tok::Phrase(_) | Tok::RParen);
        let after = matches!(
            toks.get(i + 1).map(|t| &t.0),
            Some(Tok::Word(_) | Tok::Phrase(_) | Tok::LParen | Tok::Plus | Tok::Minus | Tok::Not)
        );
        if before && after {
            out.push(format!(
                "'{w}' at column {col} is searched as a word; {how}"
            ));
        }
    }
    out
}

/// Parse a query. Errors are user errors that say where the problem is.
pub fn parse(input: &str) -> Result<Query> {
    parse_noting(input).map(|(q, _)| q)
}

/// Parse a query, and say what in it was probably meant otherwise (a
/// lowercase `and` between terms): notices for the caller to show.
pub fn parse_noting(input: &str) -> Result<(Query, Vec<String>)> {
    let toks = lex(input)?;
    let notices = operator_notices(&toks);
    if toks.is_empty() && !input.trim().is_empty() {
        return Err(Error::Usage(format!(
            "query {input:?}: nothing to search for (only punctuation)"
        )));
    }
    let mut p = Parser {
        input,
        toks,
        pos: 0,
        depth: 0,
    };
    let q = p.or()?;
    if p.pos < p.toks.len() {
        let col = p.col();
        return Err(p.err(format!(
            "unbalanced parenthesis: the ) at column {col} has no matching ("
        )));
    }
    if q.positive_terms().iter().all(|t| match t {
        Query::Term(w) => !w.chars().any(|c| c.is_alphanumeric()),
        _ => false,
    }) && !matches!(q, Query::Not(_))
    {
        return Err(p.err("nothing to search for (only punctuation)"));
    }
    Ok((q, notices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Query::*;

    fn t(s: &str) -> Query {
        Term(s.into())
    }

    fn check(input: &str, expected: Query) {
        let q = parse(input).unwrap();
        assert_eq!(q, expected, "parse({input:?})");
        assert_eq!(
            parse(&q.to_string()).unwrap(),
            q,
            "round trip of {input:?} via {q}"
        );
    }

    fn fails(input: &str, needle: &str) {
        let e = parse(input).unwrap_err();
        assert!(e.is_user_error());
        assert!(e.to_string().contains(needle), "{input:?}: {e}");
    }

    #[test]
    fn grammar() {
        check("人才", t("人才"));
        check("人才 公寓", And(vec![t("人才"), t("公寓")]));
        check(
            "\"一级财政\" OR 独立核算",
            Or(vec![Phrase("一级财政".into()), t("独立核算")]),
        );
        check("人才 -公寓", And(vec![t("人才"), Not(Box::new(t("公寓")))]));
        check(
            "+人才 NOT (土地 OR 用地)",
            And(vec![
                t("人才"),
                Not(Box::new(Or(vec![t("土地"), t("用地")]))),
            ]),
        );
        check("a OR b c", Or(vec![t("a"), And(vec![t("b"), t("c")])]));
        check(
            "（人才 OR 人才公寓） AND 住房",
            And(vec![Or(vec![t("人才"), t("人才公寓")]), t("住房")]),
        );
        check("2021-2025", t("2021-2025"));
    }

    #[test]
    fn chinese_quotation_marks_delimit_phrases() {
        for q in ["“一级财政”", "「一级财政」", "『一级财政』", "\"一级财政\""]
        {
            check(q, Phrase("一级财政".into()));
        }
        check(
            "人才“人才公寓”OR「飞地」",
            Or(vec![
                And(vec![t("人才"), Phrase("人才公寓".into())]),
                Phrase("飞地".into()),
            ]),
        );
        // A phrase holding one kind of quote prints with another and parses back.
        check("「他说\"是\"」", Phrase("他说\"是\"".into()));
        check("“a「b」c”", Phrase("a「b」c".into()));
    }

    #[test]
    fn lowercase_operators_between_terms_are_words_with_a_notice() {
        let (q, notices) = parse_noting("人才 and 公寓").unwrap();
        assert_eq!(q, And(vec![t("人才"), t("and"), t("公寓")]));
        assert_eq!(
            notices,
            ["'and' at column 4 is searched as a word; write AND to require both"]
        );
        let (_, notices) = parse_noting("人才 or \"公寓\" not 住房").unwrap();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("write OR"), "{notices:?}");
        assert!(notices[1].contains("write NOT"), "{notices:?}");
        for quiet in [
            "人才 AND 公寓",
            "and 公寓",
            "人才 and",
            "sand 公寓",
            "人才公寓",
        ] {
            assert!(parse_noting(quiet).unwrap().1.is_empty(), "{quiet}");
        }
    }

    /// Found by `cargo fuzz run query`: 61 nested `-` printed as nested
    /// parentheses exceeded the depth limit when parsed back.
    #[test]
    fn long_not_chains_round_trip() {
        let q = parse(&format!("{}A0OR", "-".repeat(61))).unwrap();
        assert_eq!(parse(&q.to_string()).unwrap(), q);
    }

    #[test]
    fn errors_say_where() {
        fails("\"一级财政", "column 1 is never closed");
        fails("人才 \"公寓", "column 4");
        fails("(人才 OR 土地", "( at column 1 is never closed");
        fails("人才)", ") at column 3 has no matching (");
        fails("人才 AND", "AND at column 4 has nothing after it");
        fails("OR 人才", "OR at column 1 has nothing before it");
        fails("NOT", "NOT at column 1");
        fails("", "empty");
        fails("，。！", "only punctuation");
        fails("\"  \"", "phrase at column 1 is empty");
        fails("人才 -", "- at column 4 has nothing after it");
        fails("人才 +", "+ at column 4 has nothing after it");
        fails("+", "+ at column 1 has nothing after it");
        fails("人才 - 公寓", "- at column 4 is followed by a space");
        fails("人才 --", "- at column 5 has nothing after it");
        fails("“一级财政", "the “ at column 1 is never closed");
        fails("人才 「公寓", "the 「 at column 4 is never closed");
        fails("『公寓」", "the 『 at column 1 is never closed");
        fails("人才”", "the ” at column 3 has no opening “");
    }
}
