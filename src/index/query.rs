//! From the search AST to tantivy queries, using our own folding and
//! segmentation (never tantivy's QueryParser, which would turn a run of
//! Chinese into one phrase and cut it differently from the documents).
//!
//! A word matches a provision whose folded text contains it verbatim (an
//! [`ExactPhrase`]) or contains all its jieba words;
//! it scores BM25 over the words, plus boosts for heading matches and for
//! the words standing together. A quoted phrase matches only verbatim.

use std::sync::Arc;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::chars::CharPostings;
use super::heading::HeadingTerm;
use super::phrase::ExactPhrase;
use super::schema::Fields;
use super::texts::TextStore;
use crate::search::query::Query;
use crate::text::fold;

/// Weight of a heading match relative to body BM25.
pub const HEADING_BOOST: f32 = 3.0;
/// Weight of the words of a term appearing next to each other.
pub const PROXIMITY_BOOST: f32 = 1.5;
/// Score for containing the word verbatim (on top of BM25).
pub const VERBATIM_SCORE: f32 = 1.0;

fn term_q(field: tantivy::schema::Field, text: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// What query building needs from the open index.
pub struct Ctx<'a> {
    pub fields: &'a Fields,
    pub texts: &'a Arc<TextStore>,
    pub postings: &'a Arc<CharPostings>,
}

/// The exact-phrase query over folded text.
pub fn exact_query(ctx: &Ctx, folded: &str) -> Option<Box<dyn TQuery>> {
    ExactPhrase::new(
        folded,
        ctx.postings.clone(),
        ctx.texts.clone(),
        ctx.fields.words,
    )
    .map(|q| Box::new(q) as Box<dyn TQuery>)
}

/// Ranking clauses for a list of words: BM25 in the body, heading boost, proximity.
fn ranking(f: &Fields, words: &[String]) -> Vec<(Occur, Box<dyn TQuery>)> {
    let mut out: Vec<(Occur, Box<dyn TQuery>)> = vec![];
    for w in words {
        out.push((Occur::Should, term_q(f.words, w)));
        out.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(HeadingTerm::new(Term::from_field_text(f.words, w))),
                HEADING_BOOST,
            )),
        ));
    }
    if words.len() >= 2 {
        let terms: Vec<(usize, Term)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (i, Term::from_field_text(f.words, w)))
            .collect();
        out.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(PhraseQuery::new_with_offset_and_slop(terms, 2)),
                PROXIMITY_BOOST,
            )),
        ));
    }
    out
}

/// Cuts folded query text into the words the ranking uses.
pub type Segmenter<'a> = &'a dyn Fn(&str) -> Vec<String>;

fn leaf(ctx: &Ctx, raw: &str, exact: bool, seg: Segmenter) -> Box<dyn TQuery> {
    let f = ctx.fields;
    let folded = fold(raw);
    let folded = folded.trim();
    if exact {
        // Matched and ranked on the text alone (BM25 of the phrase): no
        // segmentation, so no dictionary to load.
        return exact_query(ctx, folded).unwrap_or_else(|| Box::new(BooleanQuery::new(vec![])));
    }
    let mut words = seg(folded);
    words.dedup();
    let verbatim = exact_query(ctx, folded)
        .map(|q| Box::new(ConstScoreQuery::new(q, VERBATIM_SCORE)) as Box<dyn TQuery>);
    let matcher: Box<dyn TQuery> = if exact || words.is_empty() {
        match verbatim {
            Some(v) => v,
            None => Box::new(BooleanQuery::new(vec![])),
        }
    } else {
        let all_words: Box<dyn TQuery> = Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| {
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(term_q(f.words, w), 0.0)) as Box<dyn TQuery>,
                    )
                })
                .collect(),
        ));
        let mut either: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Should, all_words)];
        if let Some(v) = verbatim {
            either.push((Occur::Should, v));
        }
        Box::new(BooleanQuery::new(either))
    };
    let mut clauses = vec![(Occur::Must, matcher)];
    clauses.extend(ranking(f, &words));
    Box::new(BooleanQuery::new(clauses))
}

/// Build the tantivy query for a parsed search query.
pub fn build(ctx: &Ctx, q: &Query, seg: Segmenter) -> Box<dyn TQuery> {
    match q {
        Query::Term(t) => leaf(ctx, t, false, seg),
        Query::Phrase(p) => leaf(ctx, p, true, seg),
        Query::And(qs) => {
            let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = qs
                .iter()
                .map(|q| match q {
                    Query::Not(inner) => (Occur::MustNot, build(ctx, inner, seg)),
                    _ => (Occur::Must, build(ctx, q, seg)),
                })
                .collect();
            if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Query::Or(qs) => Box::new(BooleanQuery::new(
            qs.iter()
                .map(|q| (Occur::Should, build(ctx, q, seg)))
                .collect(),
        )),
        Query::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (Occur::MustNot, build(ctx, inner, seg)),
        ])),
    }
}
