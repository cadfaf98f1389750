//! `policy-diff segment TEXT`: how text (or a query) is normalized and segmented.

use std::io::Write;

use policy_diff::text::{fold, segment};

use super::stdout;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Text to segment.
    pub text: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let text = args.text.join(" ");
    let folded = fold(&text);
    let mut out = stdout();
    writeln!(out, "folded: {folded}")?;
    writeln!(out, "words:  {}", segment::words_plain(&folded).join(" / "))?;
    out.flush()?;
    Ok(0)
}
