//! Search requests: the query and its filters as a user states them
//! (names of jurisdictions, documents, topics, instruments, levels, dates),
//! resolved against the corpus and answered from a fresh index.

use crate::corpus::dates::{self, Day};
use crate::corpus::{Corpus, Date, Entry, Level};
use crate::index::{Hit, SearchFilter};
use crate::query;
use crate::search::snippet;
use crate::text::{fold, segment};
use crate::{Error, Result};

use super::Workspace;

/// A search as a user states it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query (words, "exact phrases", AND / OR / NOT, parentheses).
    pub query: String,
    /// Jurisdictions: a province or city (everything in it), or a
    /// jurisdiction in full or by an unambiguous part.
    pub jurisdictions: Vec<String>,
    /// Documents: id, 文号 or a unique part of the title.
    pub docs: Vec<String>,
    /// Topics: id, label or alias.
    pub topics: Vec<String>,
    /// Policy instruments or families of the built-in framework.
    pub instruments: Vec<String>,
    /// Levels as the catalog writes them.
    pub levels: Vec<Level>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub from: Option<String>,
    pub to: Option<String>,
    /// How many hits (capped at the number of indexed provisions).
    pub limit: usize,
    /// Also say how each positive term is folded and segmented.
    pub explain: bool,
}

/// One hit with its document's catalog entry and its snippet.
pub struct Found {
    pub hit: Hit,
    pub entry: Entry,
    pub snippet: snippet::Snippet,
}

/// How one positive term of the query is matched (`--explain`).
pub struct ExplainedTerm {
    /// What kind of term, in words.
    pub kind: &'static str,
    pub term: String,
    pub folded: String,
    /// jieba's cut of the folded term.
    pub jieba: Vec<String>,
    /// The index words it is looked up by.
    pub index_words: Vec<String>,
}

/// The answer to a [`SearchRequest`].
pub struct SearchResults {
    /// The query as given.
    pub raw: String,
    pub query: query::Query,
    /// What the user should know about how the query was read (a lowercase
    /// `and` between terms); also sent to the observer as `hint:` lines.
    pub notices: Vec<String>,
    /// Matching provisions in all.
    pub total: usize,
    pub hits: Vec<Found>,
    /// With `explain`: each positive term.
    pub explained: Vec<ExplainedTerm>,
}

impl Workspace {
    /// Answer a search: parse the query (errors give their column), resolve
    /// the filters (unknown names are user errors with suggestions), bring
    /// the index up to date and search it.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let raw = req.query.clone();
        let (q, notices) = query::parse_noting(&raw)?;
        for n in &notices {
            self.notice(&format!("hint: {n}"));
        }
        let corpus = self.corpus()?;
        self.mark("catalog read");
        let filter = SearchFilter {
            doc_ids: resolve_docs(&corpus, req)?,
            topics: self.resolve_topics(&req.topics)?,
            provisions: self.instrument_filter(&corpus, &req.instruments)?,
        };
        let reader = self.fresh_reader(&corpus)?;
        self.mark("index open and checked fresh");
        let results = self.search_in(&corpus, &reader, req, q, raw, notices, filter);
        self.done_with(reader);
        self.done_with(corpus);
        results
    }

    /// Answer a search from a corpus and an index reader the caller keeps
    /// (the server shares one across requests: see [`super::shared`]).
    pub fn search_with(
        &self,
        corpus: &Corpus,
        reader: &crate::index::Reader,
        req: &SearchRequest,
    ) -> Result<SearchResults> {
        let raw = req.query.clone();
        let (q, notices) = query::parse_noting(&raw)?;
        for n in &notices {
            self.notice(&format!("hint: {n}"));
        }
        let filter = SearchFilter {
            doc_ids: resolve_docs(corpus, req)?,
            topics: self.resolve_topics(&req.topics)?,
            provisions: self.instrument_filter(corpus, &req.instruments)?,
        };
        self.search_in(corpus, reader, req, q, raw, notices, filter)
    }

    #[allow(clippy::too_many_arguments)]
    fn search_in(
        &self,
        corpus: &Corpus,
        reader: &crate::index::Reader,
        req: &SearchRequest,
        q: query::Query,
        raw: String,
        notices: Vec<String>,
        filter: SearchFilter,
    ) -> Result<SearchResults> {
        // More hits than provisions is every hit; the engine reserves room for
        // `limit` up front, so a huge limit must not reach it.
        let limit = req
            .limit
            .min(usize::try_from(reader.num_provisions()).unwrap_or(usize::MAX));
        let result = reader.search(&q, &filter, limit)?;
        self.mark("searched");
        let explained = if req.explain {
            q.positive_terms()
                .into_iter()
                .filter_map(|t| {
                    let (kind, s) = match t {
                        query::Query::Phrase(p) => ("phrase (exact, verified on the text)", p),
                        query::Query::Term(w) => ("word (verbatim or all segments; ranked)", w),
                        _ => return None,
                    };
                    let folded = fold(s);
                    Some(ExplainedTerm {
                        kind,
                        term: s.clone(),
                        jieba: segment::words_plain(&folded)
                            .into_iter()
                            .map(String::from)
                            .collect(),
                        index_words: reader.query_words(&folded),
                        folded,
                    })
                })
                .collect()
        } else {
            vec![]
        };
        let hits = result
            .hits
            .into_iter()
            .map(|hit| {
                // Only the hits' entries are decoded (start-up does not
                // grow with the corpus).
                let entry = corpus
                    .catalog
                    .by_id(&hit.doc_id)
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_default();
                let snippet =
                    snippet::snippet(&hit.text, &q, 120, &|w: &str| reader.query_words(w));
                Found {
                    hit,
                    entry,
                    snippet,
                }
            })
            .collect();
        Ok(SearchResults {
            raw,
            query: q,
            notices,
            total: result.total,
            hits,
            explained,
        })
    }

    /// The provisions with a clause coded with any of `names` (instrument or
    /// family ids or labels of the built-in framework), from the coding
    /// cache beside the index; None when no instrument is asked for.
    fn instrument_filter(&self, corpus: &Corpus, names: &[String]) -> Result<Option<Vec<String>>> {
        if names.is_empty() {
            return Ok(None);
        }
        let fw = crate::classify::instruments::Framework::resolve(None)?;
        let wanted: Vec<String> = names
            .iter()
            .map(|n| fw.resolve_name(n))
            .collect::<Result<Vec<Vec<String>>>>()?
            .concat();
        let mut ids: Vec<String> = self
            .coded_corpus(corpus, &fw)?
            .into_iter()
            .filter(|c| c.codes.iter().any(|code| wanted.contains(&code.instrument)))
            .map(|c| c.provision_id)
            .collect();
        ids.dedup();
        Ok(Some(ids))
    }
}

/// The documents the request's documents, jurisdictions, levels and dates
/// leave (None: no such filter).
fn resolve_docs(corpus: &Corpus, req: &SearchRequest) -> Result<Option<Vec<String>>> {
    if req.docs.is_empty()
        && req.jurisdictions.is_empty()
        && req.levels.is_empty()
        && req.from.is_none()
        && req.to.is_none()
    {
        return Ok(None);
    }
    let doc_ids = corpus.doc_ids(&req.docs)?;
    let from = req
        .from
        .as_deref()
        .map(|v| flag_date("--from", v))
        .transpose()?;
    let to = req
        .to
        .as_deref()
        .map(|v| flag_date("--to", v))
        .transpose()?;
    if let (Some((from_start, _)), Some((_, to_end))) = (from, to) {
        if from_start > to_end {
            return Err(Error::Usage(format!(
                "--from {} is after --to {}: no date is in that range",
                req.from.as_deref().unwrap_or_default(),
                req.to.as_deref().unwrap_or_default()
            )));
        }
    }
    let jurisdictions = corpus.jurisdictions_of(&req.jurisdictions)?;
    let mut levels: Vec<&Level> = corpus
        .catalog
        .documents
        .iter()
        .filter_map(|d| d.level.as_ref())
        .collect();
    levels.sort_unstable_by_key(|l| l.as_str());
    levels.dedup();
    for l in &req.levels {
        if !levels.contains(&l) {
            let suggestions = crate::error::suggest(l.as_str(), levels.iter().map(|l| l.as_str()));
            let mut msg = format!("unknown level '{l}'\nhint: ");
            if !suggestions.is_empty() {
                msg.push_str(&format!("did you mean {}? ", suggestions.join(", ")));
            }
            msg.push_str(&format!(
                "the levels in this corpus are: {}",
                levels
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            return Err(Error::Usage(msg));
        }
    }
    let ids = corpus
        .catalog
        .documents
        .iter()
        .filter(|d| doc_ids.is_empty() || doc_ids.contains(&d.id))
        .filter(|d| jurisdictions.is_empty() || jurisdictions.contains(&d.jurisdiction))
        .filter(|d| {
            req.levels.is_empty() || d.level.as_ref().is_some_and(|l| req.levels.contains(l))
        })
        .filter(|d| {
            // A document dated to the month (or year) matches a range that
            // overlaps that month (or year); an undated one matches no range.
            (from.is_none() && to.is_none())
                || d.date
                    .as_ref()
                    .and_then(Date::span)
                    .is_some_and(|(start, end)| {
                        from.is_none_or(|(f, _)| end >= f) && to.is_none_or(|(_, t)| start <= t)
                    })
        })
        .map(|d| d.id.clone())
        .collect();
    Ok(Some(ids))
}

/// The span of a --from / --to value, or a user error naming the flag.
fn flag_date(flag: &str, value: &str) -> Result<(Day, Day)> {
    dates::span(value).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} '{value}' is not a valid date\nhint: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021, 2021-09, 2021-09-15)"
        ))
    })
}
