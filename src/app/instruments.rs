//! Policy-instrument coding of the whole corpus, cached beside the index.

use crate::classify::instruments::{self as inst, Framework};
use crate::corpus::{Corpus, Document};
use crate::Result;

use super::Workspace;

/// Prefix of the coding cache files in the index directory.
const CACHE_NAME: &str = "instruments";

/// One document's coded clauses as cached: per clause its provision's
/// `seq`, its number `n`, its fragment number, its topics and its
/// instruments (indexes into the taxonomy and the framework). Ids are
/// rebuilt from them (`{doc}:{seq}.{n}`); scores and evidence are not kept.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedDoc {
    doc_id: String,
    clauses: Vec<CachedClause>,
}

/// (seq, n, fragment, topic indexes, instrument indexes).
type CachedClause = (u32, u32, String, Vec<u16>, Vec<u16>);

impl Workspace {
    /// Every clause of the corpus coded with `fw` (without texts, scores or
    /// evidence): read from the cache beside the index when its key matches,
    /// else coded now (every document parsed, on all cores) and cached. The key
    /// covers what coding depends on: each document's fingerprint as the (just
    /// refreshed) index recorded it, the framework's and the taxonomy's
    /// fingerprints and this build of the program ([`Workspace::cache_key`]).
    pub fn coded_corpus(&self, corpus: &Corpus, fw: &Framework) -> Result<Vec<inst::CodedClause>> {
        let ctx = self;
        let tax = ctx.taxonomy()?;
        let payload = ctx.fresh_reader(corpus)?.payload;
        let reviews = inst::Reviews::load(&ctx.corpus_dir)?;
        let key = ctx.cache_key(
            &format!(
                "instruments-{}-{}-{}",
                inst::CODING_VERSION,
                fw.fingerprint(),
                reviews.fingerprint()
            ),
            corpus,
            &payload,
        );
        let store = super::cache::Cache::new(&ctx.index_dir, CACHE_NAME, "json");
        let topic_ids: Vec<&str> = tax.topics().iter().map(|t| t.id.as_str()).collect();
        if let Some(cached) = store
            .read(&key)
            .and_then(|b| serde_json::from_slice::<Vec<CachedDoc>>(&b).ok())
        {
            return Ok(expand(fw, &topic_ids, cached));
        }
        let docs: Vec<Document> = corpus.documents()?;
        let refs: Vec<&Document> = docs.iter().collect();
        let mut coded = inst::code_documents(fw, tax, &refs);
        let changed = inst::apply_reviews(fw, &mut coded, &reviews);
        if !changed.is_empty() {
            let ids: Vec<&str> = changed
                .iter()
                .take(8)
                .map(|r| r.clause_id.as_str())
                .collect();
            ctx.notice(&format!(
            "policy-diff: {} reviewed by the analyst no longer in the corpus as reviewed (text changed): {}",
            crate::report::count(changed.len(), "clause"),
            ids.join(", ")
        ));
        }
        let mut cache: Vec<CachedDoc> = vec![];
        for c in &coded {
            if cache.last().is_none_or(|d| d.doc_id != c.doc_id) {
                cache.push(CachedDoc {
                    doc_id: c.doc_id.clone(),
                    clauses: vec![],
                });
            }
            let (seq, n) = numbers(&c.clause_id);
            let index_of =
                |all: &[&str], id: &str| all.iter().position(|x| *x == id).map(|i| i as u16);
            let instruments: Vec<&str> = fw.instruments.iter().map(|i| i.id.as_str()).collect();
            cache.last_mut().expect("pushed").clauses.push((
                seq,
                n,
                c.fragment.clone(),
                c.topics
                    .iter()
                    .filter_map(|t| index_of(&topic_ids, t))
                    .collect(),
                c.codes
                    .iter()
                    .filter_map(|x| index_of(&instruments, &x.instrument))
                    .collect(),
            ));
        }
        if let Ok(bytes) = serde_json::to_vec(&cache) {
            store.write(&key, &bytes);
        }
        Ok(coded)
    }
}

/// (seq, n) of a clause id `{doc}:{seq}.{n}`.
fn numbers(clause_id: &str) -> (u32, u32) {
    let tail = clause_id.rsplit_once(':').map_or("", |(_, t)| t);
    let (seq, n) = tail.split_once('.').unwrap_or((tail, "0"));
    (seq.parse().unwrap_or(0), n.parse().unwrap_or(0))
}

/// The cached documents as coded clauses.
fn expand(fw: &Framework, topic_ids: &[&str], cached: Vec<CachedDoc>) -> Vec<inst::CodedClause> {
    let mut out = vec![];
    for d in cached {
        for (seq, n, fragment, topics, codes) in d.clauses {
            let provision_id = format!("{}:{seq}", d.doc_id);
            out.push(inst::CodedClause {
                clause_id: format!("{provision_id}.{n}"),
                provision_id,
                doc_id: d.doc_id.clone(),
                fragment,
                text: String::new(),
                topics: topics
                    .iter()
                    .filter_map(|&t| topic_ids.get(t as usize).map(|s| s.to_string()))
                    .collect(),
                codes: codes
                    .iter()
                    .filter_map(|&i| fw.instruments.get(i as usize))
                    .map(|i| inst::Code {
                        instrument: i.id.clone(),
                        family: i.family.clone(),
                        score: 0.0,
                        evidence: vec![],
                    })
                    .collect(),
            });
        }
    }
    out
}

/// An instrument report as a user asks for it.
#[derive(Debug, Clone)]
pub struct InstrumentsRequest {
    /// One column per province, city, jurisdiction or document.
    pub by: crate::compare::side_by_side::By,
    /// Only these jurisdictions (a province or city: everything in it).
    pub jurisdictions: Vec<String>,
    /// Only these documents (id, 文号 or a unique part of the title).
    pub docs: Vec<String>,
}

impl Workspace {
    /// Every clause of the selected documents coded with `fw`, counted per
    /// column and crossed with topics.
    pub fn instruments(&self, fw: &Framework, req: &InstrumentsRequest) -> Result<inst::Report> {
        let corpus = self.corpus()?;
        let jurisdictions = corpus.jurisdictions_of(&req.jurisdictions)?;
        let doc_ids = corpus.doc_ids(&req.docs)?;
        let selected: std::collections::HashMap<&str, &crate::corpus::Entry> = corpus
            .catalog
            .documents
            .iter()
            .filter(|e| {
                (jurisdictions.is_empty() && doc_ids.is_empty())
                    || jurisdictions.contains(&e.jurisdiction)
                    || doc_ids.contains(&e.id)
            })
            .map(|e| (e.id.as_str(), e))
            .collect();
        let tax = self.taxonomy()?;
        let mut coded = self.coded_corpus(&corpus, fw)?;
        coded.retain(|c| selected.contains_key(c.doc_id.as_str()));
        let by = req.by;
        let column_of = |doc_id: &str| {
            selected
                .get(doc_id)
                .map(|e| by.column_of(e))
                .unwrap_or_default()
        };
        Ok(inst::report(fw, tax, &coded, by.name(), column_of))
    }
}
