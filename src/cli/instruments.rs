//! `policy-diff instruments`: every clause coded by policy instrument
//! (政策工具), counted per jurisdiction or document and crossed with topics;
//! `--explain CLAUSE` shows why a clause carries what it carries.

use std::io::Write;

use policy_diff::compare::side_by_side::By;
use policy_diff::corpus::Document;
use policy_diff::instruments::{self as inst, Framework};

use super::{stdout, ByArg, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One column per province, city, jurisdiction or document.
    #[arg(long, value_enum, default_value = "jurisdiction")]
    pub by: ByArg,
    /// Only these jurisdictions (as `search -j`: 江苏, 连云港, a zone).
    #[arg(long = "jurisdiction", short = 'j', value_name = "J")]
    pub jurisdictions: Vec<String>,
    /// Only these documents (id, 文号 or a unique part of the title).
    #[arg(long = "doc", short = 'd', value_name = "D")]
    pub docs: Vec<String>,
    /// The instrument framework: a built-in one (`rothwell-zegveld`, the
    /// default; `mcdonnell-elmore`) or a TOML file in the same format.
    #[arg(long, value_name = "NAME|FILE")]
    pub framework: Option<String>,
    /// text, md, html (with the family shares as stacked bars), json or csv.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Md, Format::Html, Format::Json, Format::Csv]))]
    pub format: Format,
    /// Show how one clause (`lyg-2022-32:9.2`) is coded: every instrument's
    /// cue terms and score against the threshold.
    #[arg(long, value_name = "CLAUSE")]
    pub explain: Option<String>,
    /// Read a reviewed coding table (`export --level clause --format csv`
    /// with `analyst_code` filled in): the analyst's codes override the
    /// tool's from then on (kept by clause text), and the agreement between
    /// the two (Cohen's kappa, per-family counts) is reported.
    #[arg(long, value_name = "FILE.csv")]
    pub import_review: Option<std::path::PathBuf>,
    /// With --import-review: apply the valid rows even when others are refused.
    #[arg(long)]
    pub partial: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let fw = Framework::resolve(args.framework.as_deref())?;
    let corpus = ctx.corpus()?;
    if let Some(id) = &args.explain {
        return explain(ctx, &corpus, &fw, id, args.format);
    }
    if let Some(file) = &args.import_review {
        return import_review(ctx, &fw, file, args.partial, args.format);
    }
    let jurisdictions = corpus.jurisdictions_of(&args.jurisdictions)?;
    let doc_ids = corpus.doc_ids(&args.docs)?;
    let entries: Vec<_> = corpus
        .catalog
        .documents
        .iter()
        .filter(|e| {
            (jurisdictions.is_empty() && doc_ids.is_empty())
                || jurisdictions.contains(&e.jurisdiction)
                || doc_ids.contains(&e.id)
        })
        .collect();
    let tax = ctx.taxonomy()?;
    let mut coded = coded_corpus(ctx, &corpus, &fw)?;
    let selected: std::collections::HashMap<&str, &policy_diff::corpus::Entry> =
        entries.iter().map(|e| (e.id.as_str(), *e)).collect();
    coded.retain(|c| selected.contains_key(c.doc_id.as_str()));
    let by = By::from(args.by);
    let column_of = |doc_id: &str| {
        selected
            .get(doc_id)
            .map(|e| by.column_of(e))
            .unwrap_or_default()
    };
    let report = inst::report(&fw, tax, &coded, by.name(), column_of);
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&report))?;
            writeln!(out)?;
        }
        Format::Md => out.write_all(inst::markdown(&report).as_bytes())?,
        Format::Html => out.write_all(inst::html(&report).as_bytes())?,
        Format::Csv => inst::csv(&report, &mut out)?,
        _ => out.write_all(inst::text(&report).as_bytes())?,
    }
    out.flush()?;
    Ok(0)
}

/// Prefix of the coding cache files in the index directory.
const CACHE_PREFIX: &str = "instruments-";

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

/// Every clause of the corpus coded with `fw` (without texts, scores or
/// evidence): read from the cache beside the index when its key matches,
/// else coded now (every document parsed, on all cores) and cached. The key
/// covers what coding depends on: each document's fingerprint as the (just
/// refreshed) index recorded it, the framework's and the taxonomy's
/// fingerprints and this build of the program ([`Ctx::cache_key`]).
pub(super) fn coded_corpus(
    ctx: &Ctx,
    corpus: &policy_diff::corpus::Corpus,
    fw: &Framework,
) -> anyhow::Result<Vec<inst::CodedClause>> {
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
    let file = ctx.index_dir.join(format!("{CACHE_PREFIX}{key}.json"));
    let topic_ids: Vec<&str> = tax.topics().iter().map(|t| t.id.as_str()).collect();
    if let Some(cached) = std::fs::read(&file)
        .ok()
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
        eprintln!(
            "policy-diff: {} reviewed by the analyst no longer in the corpus as reviewed (text changed): {}",
            policy_diff::report::count(changed.len(), "clause"),
            ids.join(", ")
        );
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
        let index_of = |all: &[&str], id: &str| all.iter().position(|x| *x == id).map(|i| i as u16);
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
    // A cache that cannot be written is no error: the next run codes again.
    if let Ok(bytes) = serde_json::to_vec(&cache) {
        if policy_diff::corpus::catalog::write_atomic(&file, &bytes).is_ok() {
            for f in std::fs::read_dir(&ctx.index_dir)
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.starts_with(CACHE_PREFIX) && f.path() != file {
                    let _ = std::fs::remove_file(f.path());
                }
            }
        }
    }
    Ok(coded)
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

/// `--import-review FILE`: check every row, refuse the file (nothing
/// applied) when any row is bad unless `partial`, store the reviews in the
/// corpus and report the agreement.
fn import_review(
    ctx: &Ctx,
    fw: &Framework,
    file: &std::path::Path,
    partial: bool,
    format: Format,
) -> anyhow::Result<i32> {
    let bytes = std::fs::read(file)
        .map_err(|e| policy_diff::Error::input(file, format!("cannot read: {e}")))?;
    ctx.sweep_interrupted_add()?;
    let (corpus, _lock) = policy_diff::corpus::Corpus::open_for_writing(&ctx.corpus_dir)?;
    let docs = corpus.documents()?;
    let mut clauses = std::collections::HashMap::new();
    for d in &docs {
        for p in &d.provisions {
            for c in p.clauses() {
                clauses.insert(c.id.clone(), c.text(p).to_string());
            }
        }
    }
    let (reviews, refused, skipped) = inst::review::read_table(&bytes, fw, &clauses)
        .map_err(|e| policy_diff::Error::input(file, e.to_string()))?;
    for r in &refused {
        eprintln!(
            "policy-diff: {} row {}: {}",
            file.display(),
            r.row,
            r.reason
        );
    }
    if !refused.is_empty() && !partial {
        return Err(policy_diff::Error::input(
            file,
            format!(
                "{} refused; nothing applied\nhint: fix them, or give --partial to apply the other {}",
                policy_diff::report::count(refused.len(), "row"),
                reviews.len()
            ),
        )
        .into());
    }
    let mut all = inst::Reviews::load(&ctx.corpus_dir)?;
    let pairs: Vec<(Vec<String>, Vec<String>)> = reviews
        .iter()
        .map(|r| {
            let tool: Vec<String> = inst::code(fw, &clauses[&r.clause_id])
                .into_iter()
                .map(|c| c.instrument)
                .collect();
            (tool, r.codes.clone())
        })
        .collect();
    for r in reviews {
        all.reviews.insert(r.key.clone(), r);
    }
    all.save(&ctx.corpus_dir)?;
    let agreement = inst::review::agreement(fw, &pairs);
    let mut out = stdout();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &agreement)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "applied {} ({} without analyst_code skipped, {} refused); {} reviewed in all",
            policy_diff::report::count(pairs.len(), "review"),
            skipped,
            refused.len(),
            all.reviews.len()
        )?;
        writeln!(
            out,
            "agreement with the tool over these {}: family kappa {:.3}, instrument kappa {:.3}",
            policy_diff::report::count(agreement.clauses, "clause"),
            agreement.family_kappa,
            agreement.instrument_kappa
        )?;
        writeln!(out, "family\tboth\ttool only\tanalyst only\tneither")?;
        for (f, [both, tool, analyst, neither]) in &agreement.families {
            writeln!(out, "{f}\t{both}\t{tool}\t{analyst}\t{neither}")?;
        }
    }
    out.flush()?;
    Ok(0)
}

#[derive(serde::Serialize)]
struct Explained<'a> {
    clause_id: &'a str,
    text: &'a str,
    threshold: f64,
    framework: &'a str,
    coded: Vec<&'a str>,
    scores: &'a [inst::Code],
}

fn explain(
    _ctx: &Ctx,
    corpus: &policy_diff::corpus::Corpus,
    fw: &Framework,
    id: &str,
    format: Format,
) -> anyhow::Result<i32> {
    let unknown = || policy_diff::Error::Unknown {
        what: "clause",
        name: id.to_string(),
        suggestions: vec![],
    };
    let (pid, _) = id.rsplit_once('.').ok_or_else(unknown)?;
    let (doc, seq) = pid.rsplit_once(':').ok_or_else(unknown)?;
    let entry = corpus.entry(doc)?;
    let document = corpus.document(entry)?;
    let p = seq
        .parse::<usize>()
        .ok()
        .and_then(|n| document.provisions.get(n.wrapping_sub(1)))
        .ok_or_else(unknown)?;
    let clauses = p.clauses();
    let c = clauses
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| policy_diff::Error::Unknown {
            what: "clause",
            name: id.to_string(),
            suggestions: clauses.iter().take(5).map(|c| c.id.clone()).collect(),
        })?;
    let text = c.text(p);
    let scores = inst::scores(fw, text);
    let coded: Vec<&str> = scores
        .iter()
        .filter(|s| s.score >= inst::THRESHOLD)
        .map(|s| s.instrument.as_str())
        .collect();
    let mut out = stdout();
    if format == Format::Json {
        let e = Explained {
            clause_id: &c.id,
            text,
            threshold: inst::THRESHOLD,
            framework: &fw.id,
            coded,
            scores: &scores,
        };
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
    } else {
        writeln!(out, "[{}] {text}", c.id)?;
        writeln!(out, "framework {} · threshold {}", fw.id, inst::THRESHOLD)?;
        if scores.is_empty() {
            writeln!(out, "no cue term of any instrument: uncoded")?;
        }
        for s in &scores {
            let mark = if s.score >= inst::THRESHOLD {
                "coded"
            } else {
                "below"
            };
            writeln!(
                out,
                "  {mark:<5} {:<24} {:.2}  {}",
                s.instrument,
                s.score,
                s.evidence.join("、")
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}
