//! Topic requests: the topic × jurisdiction coverage of the corpus, and why
//! a document's provisions are (not) on each topic.

use crate::classify::topics::{self, Coverage, Taxonomy};
use crate::corpus::{Corpus, ProvisionKind};
use crate::{Error, Result};

use super::Workspace;

/// One provision's topics with every topic's score parts.
#[derive(Debug, serde::Serialize)]
pub struct ExplainRow {
    pub provision_id: String,
    pub heading: String,
    pub kind: ProvisionKind,
    pub threshold: f64,
    pub topics: Vec<String>,
    pub scores: Vec<topics::Explained>,
}

/// `topics --explain ID`: a document's (or one provision's) topic scores.
pub struct TopicsExplained {
    pub doc_id: String,
    pub title: String,
    pub taxonomy_version: String,
    pub rows: Vec<ExplainRow>,
}

impl Workspace {
    /// How many provisions of each jurisdiction are on each topic.
    pub fn coverage(&self) -> Result<Coverage> {
        let tax = self.taxonomy()?;
        let corpus = self.corpus()?;
        self.refresh(&corpus)?;
        let docs = corpus.documents()?;
        Ok(topics::coverage(tax, &docs))
    }

    /// The topic scores of a document (`lyg-2022-32`) or one provision
    /// (`lyg-2022-32:9`); an unknown id says what the argument should be.
    pub fn explain_topics(&self, id: &str) -> Result<TopicsExplained> {
        let tax = self.taxonomy()?;
        let corpus = self.corpus()?;
        self.refresh(&corpus)?;
        let (doc_id, seq) = match id.split_once(':') {
            Some((d, s)) => (d, Some(s)),
            None => (id, None),
        };
        let entry = corpus
            .entry(doc_id)
            .map_err(|_| unknown_explain_id(tax, &corpus, id, doc_id))?;
        let doc = corpus.document(entry)?;
        let provisions: Vec<_> = match seq {
            None => doc.provisions.iter().collect(),
            Some(s) => vec![s
                .parse::<usize>()
                .ok()
                .and_then(|n| doc.provisions.get(n.wrapping_sub(1)))
                .ok_or_else(|| Error::Unknown {
                    what: "provision",
                    name: id.to_string(),
                    suggestions: vec![format!("{doc_id}:1 … {doc_id}:{}", doc.provisions.len())],
                })?],
        };
        let rows = provisions
            .iter()
            .map(|p| {
                let scores = topics::explain(tax, p);
                ExplainRow {
                    provision_id: p.id.clone(),
                    heading: p.heading.clone(),
                    kind: p.kind,
                    threshold: topics::THRESHOLD,
                    topics: scores
                        .iter()
                        .filter(|s| s.score >= topics::THRESHOLD)
                        .map(|s| s.topic.clone())
                        .collect(),
                    scores,
                }
            })
            .collect();
        Ok(TopicsExplained {
            doc_id: doc.entry.id.clone(),
            title: doc.entry.title.clone(),
            taxonomy_version: tax.version.clone(),
            rows,
        })
    }
}

/// `--explain X` where X names no document: say what the argument should
/// be, suggest close document ids (or list them), and point a topic name to
/// the commands that take one.
fn unknown_explain_id(tax: &Taxonomy, corpus: &Corpus, id: &str, doc_id: &str) -> Error {
    let ids: Vec<&str> = corpus
        .catalog
        .documents
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let mut msg = format!(
        "unknown document '{doc_id}': topics --explain takes a document id (lyg-2022-32) or a provision id (lyg-2022-32:9)\nhint: "
    );
    let suggestions = crate::error::suggest(doc_id, ids.iter().copied());
    if suggestions.is_empty() {
        msg.push_str(&format!(
            "the documents are {} (`policy-diff docs` lists them)",
            ids.join(", ")
        ));
    } else {
        msg.push_str(&format!("did you mean {}?", suggestions.join(", ")));
    }
    if let Ok(topic) = tax.resolve(id) {
        msg.push_str(&format!(
            "\nhint: '{id}' is a topic: `policy-diff search -t {0} …` or `policy-diff compare --topic {0}` show its provisions",
            topic.id
        ));
    }
    Error::Usage(msg)
}
