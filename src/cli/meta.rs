//! `policy-diff meta DOC_ID [--title T] [--jurisdiction J] ...`

use std::io::Write;

use policy_diff::corpus::meta::Detected;
use policy_diff::corpus::{Corpus, Date, Entry, Field, Level};
use policy_diff::Error;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The document: id (as listed by `docs`), 文号 or a unique part of the title.
    #[arg(value_name = "DOC_ID")]
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    /// Jurisdiction, in full (e.g. 苏州工业园区).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// Administrative level, e.g. city, county, development zone.
    #[arg(long)]
    pub level: Option<String>,
    /// Issuing body; sets the jurisdiction too unless that is given or manual.
    #[arg(long)]
    pub issuer: Option<String>,
    /// Document number (文号); an empty value clears it.
    #[arg(long)]
    pub doc_number: Option<String>,
    /// Date, YYYY-MM-DD; an empty value clears it.
    #[arg(long)]
    pub date: Option<String>,
    /// Output format of the metadata shown.
    #[arg(long, default_value = "text",
          value_parser = super::formats(&[Format::Text, Format::Json]))]
    pub format: Format,
    /// Do not update the index now (the next command that reads it will).
    #[arg(long)]
    pub no_index: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Error::Usage("meta: --format is text or json".into()).into());
    }
    let fields = Detected {
        title: args.title,
        doc_number: args.doc_number,
        issuer: args.issuer,
        date: args.date.map(Date::from),
        jurisdiction: args.jurisdiction,
        level: args.level.map(Level::from),
        ..Default::default()
    };
    let editing = fields != Detected::default();
    if !editing {
        let corpus = ctx.corpus()?;
        let entry = corpus.entry(&args.id)?.clone();
        show(&entry, args.format)?;
        return Ok(0);
    }
    ctx.sweep_interrupted_add()?;
    let (mut corpus, _lock) = Corpus::open_for_writing(&ctx.corpus_dir, ctx.observer())?;
    let before = corpus.entry(&args.id)?.clone();
    let (entry, changed) = corpus.set_meta(&before.id, &fields)?;
    if changed {
        for (field, old, new) in changes(&before, &entry) {
            let name = field.name();
            eprintln!("{}: {name}: {} → {}", entry.id, shown(old), shown(new));
        }
    } else {
        eprintln!("{}: unchanged", entry.id);
    }
    show(&entry, args.format)?;
    if changed && !args.no_index {
        let summary = ctx.update_index(&corpus, false)?;
        eprintln!("{}", summary.line());
    }
    Ok(0)
}

fn shown(v: &str) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.to_string()
    }
}

/// The fields detection fills, with their values ("" for none).
fn fields(e: &Entry) -> impl Iterator<Item = (Field, &str)> {
    Field::DETECTED
        .into_iter()
        .map(|f| (f.clone(), e.value(&f).expect("a detected field")))
}

fn changes<'a>(a: &'a Entry, b: &'a Entry) -> Vec<(Field, &'a str, &'a str)> {
    fields(a)
        .zip(fields(b))
        .filter(|((_, x), (_, y))| x != y)
        .map(|((n, x), (_, y))| (n, x, y))
        .collect()
}

fn show(e: &Entry, format: Format) -> anyhow::Result<()> {
    let mut out = stdout();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, e)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    let manual = |f: &Field| {
        if e.is_manual(f) {
            "  (manual)"
        } else {
            ""
        }
    };
    writeln!(out, "{:<13}{}", "id", e.id)?;
    for (field, value) in fields(e) {
        if value.is_empty() && matches!(field, Field::Adopted | Field::Amended) {
            continue; // a law's dates; other documents have none
        }
        writeln!(out, "{:<13}{}{}", field.name(), value, manual(&field))?;
    }
    for i in &e.implements {
        match &i.title {
            Some(t) => writeln!(out, "{:<13}{} 《{}》", "implements", i.doc_number, t)?,
            None => writeln!(out, "{:<13}{}", "implements", i.doc_number)?,
        }
    }
    writeln!(out, "{:<13}{}", "file", e.file)?;
    if !e.original.is_empty() {
        writeln!(out, "{:<13}{}", "original", e.original)?;
    }
    if !e.source.is_empty() {
        writeln!(out, "{:<13}{}", "source", e.source)?;
    }
    writeln!(out, "{:<13}{}", "hash", e.hash)?;
    out.flush()?;
    Ok(())
}
