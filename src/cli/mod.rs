//! The command line: clap definitions and one module per command. Nothing
//! outside `cli/` knows about clap; commands resolve flags into plain values
//! and call the library.

mod add;
mod argv;
mod compare;
mod diff;
mod docs;
mod export;
mod index;
mod instruments;
mod meta;
mod remove;
mod reuse;
mod search;
mod segment;
mod serve;
mod show;
mod topics;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use policy_diff::app::{Observer, Workspace};
use policy_diff::Error;

/// Search and compare Chinese policy documents provision by provision.
#[derive(Parser, Debug)]
#[command(name = "policy-diff", version, about, long_about = None)]
pub struct Cli {
    /// Corpus directory (documents and catalog.toml).
    #[arg(
        long,
        global = true,
        env = "POLICY_DIFF_CORPUS",
        default_value = "corpus"
    )]
    pub corpus: PathBuf,
    /// Index directory.
    #[arg(
        long,
        global = true,
        env = "POLICY_DIFF_INDEX",
        default_value = "index"
    )]
    pub index: PathBuf,
    /// Topic taxonomy file (default: <corpus>/topics.toml if present, else the
    /// built-in one). With `extends = "builtin"` it adds to the built-in
    /// taxonomy; otherwise it replaces it.
    #[arg(long, global = true, env = "POLICY_DIFF_TOPICS", value_name = "FILE")]
    pub topics: Option<PathBuf>,
    /// Check every document file for changes before answering, not only the
    /// catalog and the documents' folders (sees a document edited in place
    /// behind the tool's back; `index` always does).
    #[arg(long, global = true)]
    pub check: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Add documents (.txt in any common encoding, .md, .html, .docx, .pdf, or folders of them).
    Add(add::Args),
    /// List the documents of the corpus.
    Docs(docs::Args),
    /// Show a document's outline, or one provision with its citation.
    Show(show::Args),
    /// Export every provision as JSON lines or CSV.
    Export(export::Args),
    /// Bring the index up to date with the corpus (only what changed), or rebuild it.
    Index(index::Args),
    /// Search provisions: words, "exact phrases", AND/OR/NOT, filters.
    Search(search::Args),
    /// Show how a text or query is normalized and segmented.
    Segment(segment::Args),
    /// The topic taxonomy and how many provisions each jurisdiction has per topic.
    Topics(topics::Args),
    /// Align the provisions of two documents: pairs, and what only one has.
    Diff(diff::Args),
    /// Side-by-side report of the provisions on one topic across jurisdictions.
    Compare(compare::Args),
    /// Passages of a document that appear nearly verbatim in other documents.
    Reuse(reuse::Args),
    /// Code every clause by policy instrument (政策工具) and count per
    /// jurisdiction or document, crossed with topics.
    Instruments(instruments::Args),
    /// Take a document out of the corpus and the index.
    Remove(remove::Args),
    /// Show or correct a document's metadata.
    Meta(meta::Args),
    /// The workbench in a browser: search, documents, compare, diff and
    /// topics, each page with a JSON twin under /api/.
    Serve(serve::Args),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
/// What a column of `compare` and `instruments` stands for.
pub enum ByArg {
    /// One column per province (a city's and its zones' documents together).
    Province,
    /// One column per prefecture-level city (a zone's documents under its city).
    City,
    /// One column per jurisdiction.
    Jurisdiction,
    /// One column per document.
    #[value(alias = "document")]
    Doc,
}

impl From<ByArg> for policy_diff::compare::side_by_side::By {
    fn from(b: ByArg) -> Self {
        use policy_diff::compare::side_by_side::By;
        match b {
            ByArg::Province => By::Province,
            ByArg::City => By::City,
            ByArg::Jurisdiction => By::Jurisdiction,
            ByArg::Doc => By::Doc,
        }
    }
}

/// Output formats shared by commands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Csv,
    Md,
    Html,
}

/// A `--format` parser accepting only `allowed`, so that `--help` lists
/// exactly the formats the command supports and clap rejects the others.
pub fn formats(allowed: &'static [Format]) -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    use clap::ValueEnum;
    clap::builder::PossibleValuesParser::new(allowed.iter().filter_map(Format::to_possible_value))
        .map(|s: String| Format::from_str(&s, false).expect("a listed format parses"))
}

/// What every command gets: the workspace of the global options, whose
/// notices go to stderr.
pub struct Ctx {
    ws: Workspace,
}

impl std::ops::Deref for Ctx {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

/// Notices on stderr; with POLICY_DIFF_TIMING set, how long the command has
/// run at each step (for profiling start-up).
struct Stderr {
    timing: Option<std::time::Instant>,
}

impl Observer for Stderr {
    fn notice(&self, line: &str) {
        eprintln!("{line}");
    }

    fn mark(&self, what: &str) {
        if let Some(t) = self.timing {
            eprintln!(
                "timing: {what} after {:.1} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    fn progress(
        &self,
        what: &str,
        total: u64,
        unit: &str,
    ) -> Option<Box<dyn policy_diff::observe::Progress>> {
        use std::io::IsTerminal;
        if total < 2 || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new(total);
        let template = format!("{what} {{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}}");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Some(Box::new(Bar(bar)))
    }
}

/// A bar on stderr (an [`Observer::progress`] of the command line).
struct Bar(indicatif::ProgressBar);

impl policy_diff::observe::Progress for Bar {
    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Run the program; returns the exit code.
pub fn run() -> i32 {
    let mut cmd = Cli::command();
    cmd.build();
    let args = argv::hyphen_queries(&cmd, std::env::args_os().collect());
    let cli = match cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    let ctx = Ctx {
        ws: Workspace::new(
            cli.corpus,
            cli.index,
            cli.topics,
            Box::new(Stderr {
                timing: std::env::var_os("POLICY_DIFF_TIMING").map(|_| std::time::Instant::now()),
            }),
        )
        .checking_files(cli.check)
        .one_command(!matches!(cli.command, Command::Serve(_))),
    };
    let result = match cli.command {
        Command::Add(a) => add::run(&ctx, a),
        Command::Docs(a) => docs::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Index(a) => index::run(&ctx, a),
        Command::Search(a) => search::run(&ctx, a),
        Command::Segment(a) => segment::run(a),
        Command::Topics(a) => topics::run(&ctx, a),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::Compare(a) => compare::run(&ctx, a),
        Command::Reuse(a) => reuse::run(&ctx, a),
        Command::Instruments(a) => instruments::run(&ctx, a),
        Command::Remove(a) => remove::run(&ctx, a),
        Command::Meta(a) => meta::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Help and --version print as usual (exit 0); a parse error follows the
/// contract: `policy-diff: error: ...`, clap's tips as `hint:` lines, the
/// usage, exit 2.
fn clap_error(e: &clap::Error) -> i32 {
    if !e.use_stderr() {
        let _ = e.print();
        return 0;
    }
    let rendered = e.render().to_string();
    let mut err = std::io::stderr().lock();
    match rendered.strip_prefix("error: ") {
        Some(rest) => {
            let _ = write!(err, "policy-diff: error: ");
            for line in rest.lines() {
                let line = match line.trim_start().strip_prefix("tip: ") {
                    Some(tip) => format!("hint: {tip}"),
                    None => line.to_string(),
                };
                let _ = writeln!(err, "{line}");
            }
        }
        // No command given: clap shows the help.
        None => {
            let _ = writeln!(err, "policy-diff: error: no command given\n\n{rendered}");
        }
    }
    2
}

fn report(e: &anyhow::Error) -> i32 {
    // A closed pipe (`| head`) is not an error.
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return 0;
        }
    }
    let user = e.downcast_ref::<Error>().is_some_and(Error::is_user_error);
    let mut msg = format!("{e}");
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(&format!(": {c}"));
        }
    }
    let mut lines = msg.lines();
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(std::io::stderr(), "policy-diff: error: {first}");
    for l in lines {
        let _ = writeln!(std::io::stderr(), "{l}");
    }
    if user {
        2
    } else {
        1
    }
}

/// Stdout, locked and buffered.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}
