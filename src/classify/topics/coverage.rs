//! The coverage matrix: how many provisions each jurisdiction (and each
//! document) has on each topic.

use serde::ser::{Serialize, Serializer};

use super::classify::{topic_ids, THRESHOLD};
use super::taxonomy::{Taxonomy, Topic};
use crate::corpus::Document;

/// Counts keyed by name, in a meaningful order (serialized as a JSON object
/// in that order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts(pub Vec<(String, usize)>);

impl Counts {
    pub fn get(&self, key: &str) -> usize {
        self.0.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    }

    fn add(&mut self, key: &str) {
        if let Some((_, n)) = self.0.iter_mut().find(|(k, _)| k == key) {
            *n += 1;
        }
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::report::serialize_pairs(&self.0, s)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopicCoverage {
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub description: String,
    pub aliases: Vec<String>,
    /// Provisions on this topic per jurisdiction (every jurisdiction listed).
    pub counts: Counts,
    /// Provisions on this topic per document id (every document listed).
    pub documents: Counts,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coverage {
    pub taxonomy_version: String,
    /// Where the taxonomy came from (`built-in` or a file).
    pub taxonomy_source: String,
    pub threshold: f64,
    /// Jurisdictions in catalog order.
    pub jurisdictions: Vec<String>,
    /// Substantive (non-front-matter) provisions per jurisdiction.
    pub provisions: Counts,
    /// Substantive provisions on no topic at all.
    pub unclassified: usize,
    pub topics: Vec<TopicCoverage>,
}

/// Classify every provision of `docs` and count.
pub fn coverage(tax: &Taxonomy, docs: &[Document]) -> Coverage {
    let mut jurisdictions: Vec<String> = vec![];
    for d in docs {
        if !jurisdictions.contains(&d.entry.jurisdiction) {
            jurisdictions.push(d.entry.jurisdiction.clone());
        }
    }
    let zeros =
        |keys: &mut dyn Iterator<Item = &String>| Counts(keys.map(|k| (k.clone(), 0)).collect());
    let mut provisions = zeros(&mut jurisdictions.iter());
    let mut topics: Vec<TopicCoverage> = tax
        .topics()
        .iter()
        .map(|t: &Topic| TopicCoverage {
            id: t.id.clone(),
            label: t.label.clone(),
            label_en: t.label_en.clone(),
            description: t.description.clone(),
            aliases: t.aliases.clone(),
            counts: zeros(&mut jurisdictions.iter()),
            documents: zeros(&mut docs.iter().map(|d| &d.entry.id)),
            total: 0,
        })
        .collect();
    let mut unclassified = 0;
    for d in docs {
        for p in d.provisions.iter().filter(|p| p.is_substantive()) {
            provisions.add(&d.entry.jurisdiction);
            let ids = topic_ids(tax, p);
            if ids.is_empty() {
                unclassified += 1;
            }
            for id in ids {
                if let Some(t) = topics.iter_mut().find(|t| t.id == id) {
                    t.counts.add(&d.entry.jurisdiction);
                    t.documents.add(&d.entry.id);
                    t.total += 1;
                }
            }
        }
    }
    Coverage {
        taxonomy_version: tax.version.clone(),
        taxonomy_source: tax.source.to_string(),
        threshold: THRESHOLD,
        jurisdictions,
        provisions,
        unclassified,
        topics,
    }
}
