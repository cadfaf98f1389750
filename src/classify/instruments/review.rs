//! An analyst's review of the coding table: the codes they give clauses
//! (the `analyst_code` column of `export --level clause --format csv`),
//! which override the tool's. Reviews are kept by clause text (folded), so
//! they survive re-parsing and re-indexing; a review whose clause text is no
//! longer in the corpus is reported as changed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::framework::Framework;
use crate::error::{Error, Result};
use crate::text::fold;

/// The reviews file in the corpus directory.
pub const REVIEW_FILE: &str = "instrument-review.json";

/// One reviewed clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The clause id when it was reviewed.
    pub clause_id: String,
    /// Hash of the clause's folded text: the key.
    pub key: String,
    /// The analyst's instrument ids (empty: no instrument).
    pub codes: Vec<String>,
}

/// The key of a clause text.
pub fn key_of(text: &str) -> String {
    blake3::hash(fold(text).trim().as_bytes()).to_hex()[..20].to_string()
}

/// All reviews of a corpus, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviews {
    pub reviews: BTreeMap<String, Review>,
}

impl Reviews {
    /// The corpus's reviews (none when the file does not exist).
    pub fn load(corpus_dir: &Path) -> Result<Reviews> {
        let path = corpus_dir.join(REVIEW_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::input(&path, format!("not a reviews file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Reviews::default()),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }

    pub fn save(&self, corpus_dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Other(e.to_string()))?;
        crate::atomic::write_atomic(&corpus_dir.join(REVIEW_FILE), &bytes)
    }

    /// The analyst's codes for a clause text, if reviewed.
    pub fn codes_for(&self, text: &str) -> Option<&[String]> {
        self.reviews.get(&key_of(text)).map(|r| r.codes.as_slice())
    }

    /// A short hash of the reviews (for cache keys).
    pub fn fingerprint(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        blake3::hash(&bytes).to_hex()[..16].to_string()
    }
}

/// A row of a reviewed table that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// 1-based data row (the header is row 0).
    pub row: usize,
    pub reason: String,
}

/// The rows of a reviewed coding table (CSV with at least `clause_id` and
/// `analyst_code`; `text` when present is checked against the clause):
/// the reviews to apply and the rows refused. `clauses` maps clause ids to
/// their current text. Codes are instrument ids separated by `;` (or
/// `none`); rows with an empty `analyst_code` are skipped.
pub fn read_table(
    csv_bytes: &[u8],
    fw: &Framework,
    clauses: &HashMap<String, String>,
) -> Result<(Vec<Review>, Vec<Refused>, usize)> {
    let mut r = csv::Reader::from_reader(csv_bytes);
    let headers = r
        .headers()
        .map_err(|e| Error::Usage(format!("the review table is not CSV: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(code_col)) = (col("clause_id"), col("analyst_code")) else {
        return Err(Error::Usage(
            "the review table needs the columns clause_id and analyst_code (as `export --level clause --format csv` writes them)".into(),
        ));
    };
    let text_col = col("text");
    let (mut reviews, mut refused, mut skipped) = (vec![], vec![], 0);
    for (n, record) in r.records().enumerate() {
        let row = n + 1;
        let record = match record {
            Ok(x) => x,
            Err(e) => {
                refused.push(Refused {
                    row,
                    reason: format!("not a CSV row: {e}"),
                });
                continue;
            }
        };
        let code_cell = record.get(code_col).unwrap_or("").trim();
        if code_cell.is_empty() {
            skipped += 1;
            continue;
        }
        let id = record.get(id_col).unwrap_or("").trim();
        let Some(text) = clauses.get(id) else {
            refused.push(Refused {
                row,
                reason: format!("unknown clause id '{id}'"),
            });
            continue;
        };
        if let Some(given) = text_col.and_then(|c| record.get(c)) {
            let given = given.strip_prefix('\'').unwrap_or(given);
            if key_of(given) != key_of(text) {
                refused.push(Refused {
                    row,
                    reason: format!("the text of {id} has changed since the table was exported"),
                });
                continue;
            }
        }
        let mut codes = vec![];
        let mut bad = None;
        for c in code_cell
            .split([';', '；', ','])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if c == "none" {
                continue;
            }
            match fw.instruments.iter().find(|i| i.id == c) {
                Some(i) => codes.push(i.id.clone()),
                None => {
                    bad = Some(
                        fw.resolve_name(c)
                            .err()
                            .map_or(format!("'{c}' is a family, not an instrument"), |e| {
                                e.to_string()
                            }),
                    );
                    break;
                }
            }
        }
        if let Some(reason) = bad {
            refused.push(Refused { row, reason });
            continue;
        }
        codes.sort();
        codes.dedup();
        reviews.push(Review {
            clause_id: id.to_string(),
            key: key_of(text),
            codes,
        });
    }
    Ok((reviews, refused, skipped))
}

/// Agreement between the tool's and the analyst's codes over reviewed
/// clauses: per family yes/no counts, and Cohen's κ over all family
/// decisions and over all instrument decisions.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub clauses: usize,
    /// family -> [both, tool only, analyst only, neither]
    pub families: BTreeMap<String, [usize; 4]>,
    pub family_kappa: f64,
    pub instrument_kappa: f64,
}

/// Cohen's κ of paired yes/no decisions.
pub fn kappa(pairs: &[(bool, bool)]) -> f64 {
    let n = pairs.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let agree = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let a = pairs.iter().filter(|(x, _)| *x).count() as f64 / n;
    let b = pairs.iter().filter(|(_, y)| *y).count() as f64 / n;
    let chance = a * b + (1.0 - a) * (1.0 - b);
    if chance >= 1.0 {
        1.0
    } else {
        (agree - chance) / (1.0 - chance)
    }
}

/// Agreement over `(tool codes, analyst codes)` of each reviewed clause.
pub fn agreement(fw: &Framework, pairs: &[(Vec<String>, Vec<String>)]) -> Agreement {
    let family = |id: &str| {
        fw.instruments
            .iter()
            .find(|i| i.id == id)
            .map_or(String::new(), |i| i.family.clone())
    };
    let mut families: BTreeMap<String, [usize; 4]> =
        fw.families.iter().map(|f| (f.id.clone(), [0; 4])).collect();
    let (mut fam_pairs, mut inst_pairs) = (vec![], vec![]);
    for (tool, analyst) in pairs {
        for f in &fw.families {
            let t = tool.iter().any(|c| family(c) == f.id);
            let a = analyst.iter().any(|c| family(c) == f.id);
            let cell = match (t, a) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            if let Some(counts) = families.get_mut(&f.id) {
                counts[cell] += 1;
            }
            fam_pairs.push((t, a));
        }
        for i in &fw.instruments {
            inst_pairs.push((tool.contains(&i.id), analyst.contains(&i.id)));
        }
    }
    Agreement {
        clauses: pairs.len(),
        families,
        family_kappa: kappa(&fam_pairs),
        instrument_kappa: kappa(&inst_pairs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::instruments::DEFAULT;

    #[test]
    fn a_table_is_read_row_by_row() {
        let fw = Framework::builtin(DEFAULT).unwrap();
        let clauses: HashMap<String, String> = [
            ("d:1.1".to_string(), "设立产业基金。".to_string()),
            ("d:1.2".to_string(), "加强人才引进。".to_string()),
        ]
        .into();
        let csv = "clause_id,text,analyst_code\nd:1.1,设立产业基金。,environment.finance\nd:1.2,加强人才引进。,\nd:9.9,x,none\nd:1.2,加强人才引进。,supply.talnet\nd:1.2,别的文字,supply.talent\nd:1.2,加强人才引进。,supply.talent;none\n";
        let (reviews, refused, skipped) = read_table(csv.as_bytes(), &fw, &clauses).unwrap();
        assert_eq!(skipped, 1);
        assert_eq!(reviews.len(), 2);
        assert_eq!(reviews[1].codes, ["supply.talent"]);
        let rows: Vec<usize> = refused.iter().map(|r| r.row).collect();
        assert_eq!(rows, [3, 4, 5]);
        assert!(refused[0].reason.contains("unknown clause id 'd:9.9'"));
        assert!(refused[1].reason.contains("did you mean supply.talent"));
        assert!(refused[2].reason.contains("changed"));
    }

    #[test]
    fn agreement_is_kappa_over_decisions() {
        let fw = Framework::builtin(DEFAULT).unwrap();
        let same = vec![
            (
                vec!["supply.talent".to_string()],
                vec!["supply.talent".to_string()],
            ),
            (vec![], vec![]),
            (
                vec!["demand.trade".to_string()],
                vec!["demand.trade".to_string()],
            ),
        ];
        assert!((agreement(&fw, &same).family_kappa - 1.0).abs() < 1e-9);
        let differ = vec![
            (
                vec!["supply.talent".to_string()],
                vec!["demand.trade".to_string()],
            ),
            (vec![], vec!["supply.talent".to_string()]),
        ];
        let a = agreement(&fw, &differ);
        assert!(a.family_kappa < 0.5);
        assert_eq!(a.families["supply"], [0, 1, 1, 0]);
    }
}
