//! `policy-diff compare --topic T`: side-by-side report of the provisions on
//! one topic, parallel provisions of different jurisdictions (or documents)
//! aligned in rows.

use std::io::Write;
use std::path::{Path, PathBuf};

use policy_diff::app::compare::CompareRequest;
use policy_diff::compare::side_by_side::{self as sbs, By, ROW_THRESHOLD};
use policy_diff::Error;

use super::{stdout, ByArg, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The topic: its id (`fiscal`), Chinese label (`人才`) or an alias
    /// (`financial-autonomy`, `财政自主权`). `policy-diff topics` lists them.
    #[arg(long, value_name = "T")]
    pub topic: String,
    /// Compare this jurisdiction: a province or city in Chinese or pinyin
    /// (`江苏`, `连云港`, `nantong`: everything in it), or a jurisdiction in
    /// full or by an unambiguous part (`开发区`); repeat for more. Columns
    /// follow the order given.
    #[arg(long = "jurisdiction", short = 'j', value_name = "J")]
    pub jurisdictions: Vec<String>,
    /// Compare this document (id, 文号 or a unique part of the title); repeat for more. With --jurisdiction, the
    /// documents of both are compared. Default: every document.
    #[arg(long = "doc", short = 'd', value_name = "D")]
    pub docs: Vec<String>,
    /// One column per province, city, jurisdiction or document.
    #[arg(long, value_enum, default_value = "jurisdiction")]
    pub by: ByArg,
    /// Refuse a report with more columns than this (columns without
    /// provisions on the topic are left out first), saying how to narrow it.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub max_columns: usize,
    /// Output: md, html (one self-contained file), json or csv. Default:
    /// from the extension of the --output file (.md, .html/.htm, .json,
    /// .csv), else md.
    #[arg(long, value_parser = super::formats(&[Format::Md, Format::Html, Format::Json, Format::Csv]))]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Minimum score (0–1] of a clause link that puts two sentences of two
    /// documents in one row (as `diff --threshold`).
    #[arg(long, default_value_t = ROW_THRESHOLD)]
    pub threshold: f64,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    if let Some(path) = &args.output {
        check_output(path)?;
        check_extension(path)?;
    }
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(format_of))
        .unwrap_or(Format::Md);
    let comparison = ctx.compare(&CompareRequest {
        topic: args.topic,
        jurisdictions: args.jurisdictions,
        docs: args.docs,
        by: By::from(args.by),
        max_columns: args.max_columns,
        threshold: args.threshold,
    })?;
    let report = &comparison.report;
    let bytes = match format {
        Format::Json => match ctx.stale() {
            None => sbs::json(report).into_bytes(),
            Some(_) => {
                let mut s = serde_json::to_string_pretty(&ctx.with_stale(report))?;
                s.push('\n');
                s.into_bytes()
            }
        },
        Format::Html => sbs::html(report).into_bytes(),
        Format::Csv => {
            let mut buf = vec![];
            sbs::csv(report, &mut buf)?;
            buf
        }
        _ => sbs::markdown(report).into_bytes(),
    };
    ctx.mark("rendered");
    match &args.output {
        Some(path) => {
            write_atomic(path, &bytes)?;
            eprintln!(
                "policy-diff: wrote {} ({}, {} with counterparts in several columns)",
                path.display(),
                policy_diff::report::count(report.rows.len(), "row"),
                report.aligned_rows()
            );
        }
        None => {
            let mut out = stdout();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(0)
}

/// The format an output file's extension asks for, if any.
fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "md" | "markdown" => Format::Md,
        "html" | "htm" => Format::Html,
        "json" => Format::Json,
        "csv" => Format::Csv,
        _ => return None,
    })
}

/// Refuse an --output whose extension names a format compare does not
/// write (`x.pdf`). A known extension gives the format unless --format
/// says otherwise; a file without extension takes --format (else md).
fn check_extension(path: &Path) -> policy_diff::Result<()> {
    match path.extension() {
        Some(ext) if format_of(path).is_none() => Err(Error::input(
            path,
            format!(
                "compare does not write .{} files\nhint: name the file .md, .html, .json or .csv (or give no extension and --format)",
                ext.to_string_lossy()
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuse an --output that cannot be a file before doing any work.
fn check_output(path: &Path) -> policy_diff::Result<()> {
    if path.is_dir() {
        return Err(Error::input(
            path,
            format!(
                "is a directory; give a file name (e.g. {})",
                path.join("report.md").display()
            ),
        ));
    }
    if path
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
    {
        return Err(Error::input(
            path,
            "names a directory, which does not exist; give a file name",
        ));
    }
    Ok(())
}

/// Write the report atomically (readers never see half of it); a file
/// that cannot be created in the directory is the user's error.
fn write_atomic(path: &Path, bytes: &[u8]) -> policy_diff::Result<()> {
    check_output(path)?;
    policy_diff::atomic::write_atomic(path, bytes).map_err(|e| match e {
        Error::Io { context, source } if context.starts_with("creating a file in") => {
            Error::input(path, format!("cannot {context}: {source}"))
        }
        e => e,
    })
}
