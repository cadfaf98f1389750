//! `policy-diff instruments`: every clause coded by policy instrument
//! (政策工具), counted per jurisdiction or document and crossed with topics;
//! `--explain CLAUSE` shows why a clause carries what it carries.

use std::io::Write;

use policy_diff::app::instruments::InstrumentsRequest;
use policy_diff::compare::side_by_side::By;
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
    /// default; `mcdonnell-elmore`) or a TOML file in the same format
    /// (`--instruments FILE` is the same flag).
    #[arg(long, visible_alias = "instruments", value_name = "NAME|FILE")]
    pub framework: Option<String>,
    /// text, md, html (with the family shares as stacked bars), json or csv.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Md, Format::Html, Format::Json, Format::Csv]))]
    pub format: Format,
    /// Show how one clause (`lyg-2022-32:9.2`) is coded: what the clause
    /// does (a measure, a goal, nothing to code) and every instrument's cue
    /// terms and score against the threshold and the strongest.
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
    let report = ctx.instruments(
        &fw,
        &InstrumentsRequest {
            by: By::from(args.by),
            jurisdictions: args.jurisdictions,
            docs: args.docs,
        },
    )?;
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
    let (corpus, _lock) =
        policy_diff::corpus::Corpus::open_for_writing(&ctx.corpus_dir, ctx.observer())?;
    let docs = corpus.documents()?;
    let mut clauses = std::collections::HashMap::new();
    let mut contexts = std::collections::HashMap::new();
    for d in &docs {
        for p in &d.provisions {
            let context = inst::clause_context(p);
            for c in p.clauses() {
                clauses.insert(c.id.clone(), c.text(p).to_string());
                contexts.insert(c.id.clone(), context.clone());
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
            let tool: Vec<String> = inst::code(fw, &clauses[&r.clause_id], &contexts[&r.clause_id])
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
    ratio: f64,
    max_codes: usize,
    framework: &'a str,
    /// `measure`, `goal` or `uncoded`, with the markers or the reason.
    function: &'a str,
    function_detail: String,
    coded: Vec<String>,
    scores: Vec<Step<'a>>,
    /// The headings the learned layer reads beside the text, when the
    /// framework has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    /// The learned layer, when the framework has one: it decides `coded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    learned: Option<&'a inst::Learned>,
}

#[derive(serde::Serialize)]
struct Step<'a> {
    #[serde(flatten)]
    code: &'a inst::Code,
    status: inst::Status,
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
    let context = inst::clause_context(p);
    let coding = inst::explain(fw, text, &context);
    let coded: Vec<String> = coding
        .clone()
        .codes(fw)
        .into_iter()
        .map(|c| c.instrument)
        .collect();
    let (function, detail) = match &coding.function {
        inst::Function::Uncoded(why) => ("uncoded", why.clone()),
        inst::Function::Goal(markers) => ("goal", markers.join("、")),
        inst::Function::Measure => ("measure", String::new()),
    };
    let mut out = stdout();
    if format == Format::Json {
        let e = Explained {
            clause_id: &c.id,
            text,
            threshold: inst::THRESHOLD,
            ratio: inst::RATIO,
            max_codes: inst::MAX_CODES,
            framework: &fw.id,
            function,
            function_detail: detail,
            coded,
            scores: coding
                .steps
                .iter()
                .map(|(code, status)| Step {
                    code,
                    status: *status,
                })
                .collect(),
            context: coding.learned.as_ref().map(|_| context.as_str()),
            learned: coding.learned.as_ref(),
        };
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
    } else {
        writeln!(out, "[{}] {text}", c.id)?;
        writeln!(
            out,
            "framework {} · threshold {} · ratio {} · at most {} codes (+ the goal)",
            fw.id,
            inst::THRESHOLD,
            inst::RATIO,
            inst::MAX_CODES
        )?;
        match function {
            "measure" => writeln!(out, "function measure")?,
            _ => writeln!(out, "function {function}: {detail}")?,
        }
        if coding.learned.is_some() {
            writeln!(out, "cue-term rules (read by the learned model below):")?;
        }
        if coding.steps.is_empty() {
            writeln!(out, "no cue term of any instrument: uncoded")?;
        }
        for (s, status) in &coding.steps {
            let mark = match status {
                inst::Status::Coded => "coded",
                inst::Status::Goal => "goal",
                inst::Status::Below => "below",
                inst::Status::Weak => "weak",
                inst::Status::Cut => "cut",
                inst::Status::Uncoded => "-",
            };
            writeln!(
                out,
                "  {mark:<5} {:<24} {:.2}  {}",
                s.instrument,
                s.score,
                s.evidence.join("、")
            )?;
        }
        if let Some(l) = &coding.learned {
            writeln!(out, "headings read by the learned model: {context}")?;
            writeln!(
                out,
                "learned model (probability ≥ {} codes): {}",
                l.threshold,
                if coded.is_empty() {
                    "uncoded".to_string()
                } else {
                    coded.join(", ")
                }
            )?;
            for i in l.instruments.iter().filter(|i| i.probability >= 0.1) {
                let mark = if i.probability >= l.threshold {
                    "coded"
                } else {
                    "below"
                };
                writeln!(
                    out,
                    "  {mark:<5} {:<24} {:.2}  {}",
                    i.instrument,
                    i.probability,
                    i.grams.join("、")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}
