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
mod show;
mod topics;

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use policy_diff::compare::SimilarityModel;
use policy_diff::corpus::{Corpus, Provision};
use policy_diff::index::{Classifier, IndexDir, Options, Reader, Summary, Topics};
use policy_diff::topics::{topic_ids, Taxonomy};
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

/// Why the index a command answers from is behind the corpus (the `stale`
/// object of JSON outputs).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stale {
    /// What changed since the last index (`the corpus changed (12 new, …)`).
    pub reason: String,
    /// Why updating it failed.
    pub error: String,
}

/// A JSON object output with the `stale` object first when the index
/// answering it is behind the corpus (absent otherwise, so the shape is
/// unchanged).
#[derive(serde::Serialize)]
pub struct WithStale<'a, T: serde::Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<&'a Stale>,
    #[serde(flatten)]
    pub inner: &'a T,
}

/// What every command gets: the resolved global options.
pub struct Ctx {
    pub corpus_dir: PathBuf,
    pub index_dir: PathBuf,
    pub topics_file: Option<PathBuf>,
    taxonomy: OnceLock<Taxonomy>,
    /// Set when the index could not be brought up to date and the command
    /// answers from the last committed one.
    stale: OnceLock<Stale>,
    /// Set by POLICY_DIFF_TIMING: when the command started.
    timing: Option<std::time::Instant>,
}

impl Ctx {
    /// With POLICY_DIFF_TIMING set, say on stderr how long the command has
    /// run when it reaches `what` (for profiling start-up).
    pub fn mark(&self, what: &str) {
        if let Some(t) = self.timing {
            eprintln!(
                "timing: {what} after {:.1} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    pub fn corpus(&self) -> policy_diff::Result<Corpus> {
        self.sweep_interrupted_add()?;
        Corpus::open_cached(&self.corpus_dir, &self.index_dir)
    }

    /// Remove what an interrupted `add` left (files no catalog entry refers
    /// to), saying so on stderr. Every command that opens the corpus does.
    pub fn sweep_interrupted_add(&self) -> policy_diff::Result<()> {
        // Reading goes on if the files cannot be removed (a read-only corpus).
        let removed = match Corpus::sweep_interrupted_add(&self.corpus_dir) {
            Ok(removed) => removed,
            Err(e) => {
                eprintln!("policy-diff: warning: cannot remove what an interrupted add left: {e}");
                vec![]
            }
        };
        if !removed.is_empty() {
            eprintln!(
                "policy-diff: removed {} that an interrupted add left in {} (no catalog entry refers to them)",
                policy_diff::report::count(removed.len(), "file"),
                self.corpus_dir.display()
            );
        }
        Ok(())
    }

    fn index_dir(&self) -> IndexDir {
        IndexDir::new(&self.index_dir)
    }

    /// The topic taxonomy: --topics FILE, else <corpus>/topics.toml, else built-in.
    pub fn taxonomy(&self) -> policy_diff::Result<&Taxonomy> {
        if let Some(t) = self.taxonomy.get() {
            return Ok(t);
        }
        let t = Taxonomy::resolve_file(&self.corpus_dir, self.topics_file.as_deref())?;
        Ok(self.taxonomy.get_or_init(|| t))
    }

    /// Topic assignment for indexing: (version, classifier).
    fn topic_assignment(&self) -> policy_diff::Result<(String, Box<Classifier>)> {
        let tax = self.taxonomy()?.clone();
        Ok((tax.fingerprint(), Box::new(move |p| topic_ids(&tax, p))))
    }

    /// Resolve --topic names (id, label or alias) to topic ids.
    pub fn resolve_topics(&self, names: &[String]) -> policy_diff::Result<Vec<String>> {
        let tax = self.taxonomy()?;
        names
            .iter()
            .map(|n| tax.resolve(n).map(|t| t.id.clone()))
            .collect()
    }

    pub fn update_index(&self, corpus: &Corpus, rebuild: bool) -> policy_diff::Result<Summary> {
        let (version, classify) = self.topic_assignment()?;
        let opts = Options {
            rebuild,
            progress: true,
            topics: Topics {
                version,
                classify: &*classify,
            },
        };
        self.index_dir().update(corpus, &opts)
    }

    /// The similarity model (document frequencies over every substantive
    /// provision of the corpus), cached beside the index and rebuilt when any
    /// document, the normalization or the dictionary changes.
    pub fn similarity_model(&self, corpus: &Corpus) -> policy_diff::Result<SimilarityModel> {
        let reader = self.fresh_reader(corpus)?;
        let mut h = blake3::Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(
            serde_json::to_string(&reader.payload.versions)
                .unwrap_or_default()
                .as_bytes(),
        );
        for (id, d) in reader.payload.documents() {
            h.update(id.as_bytes());
            h.update(d.fingerprint.as_bytes());
        }
        let key = h.finalize().to_hex()[..24].to_string();
        policy_diff::compare::cache::load_or_build(&self.index_dir, &key, || {
            let docs = corpus.documents()?;
            let all: Vec<&Provision> = docs
                .iter()
                .flat_map(|d| d.provisions.iter())
                .filter(|p| p.is_substantive())
                .collect();
            Ok(SimilarityModel::new(&all))
        })
    }

    /// Bring a missing or stale index up to date (one line on stderr), then open it.
    /// When the update fails (a full disk, a read-only directory) and a
    /// committed index exists, answer from it: see [`Ctx::degrade`].
    pub fn fresh_reader(&self, corpus: &Corpus) -> policy_diff::Result<Reader> {
        let version = self.taxonomy()?.fingerprint();
        match self.index_dir().reader_if_fresh(corpus, &version)? {
            Ok(reader) => Ok(reader),
            Err(reason) => {
                eprintln!(
                    "policy-diff: updating the index in {} ({reason})",
                    self.index_dir.display()
                );
                match self.update_index(corpus, false) {
                    Ok(_) => self.index_dir().reader(),
                    Err(e) => self.degrade(&reason, e),
                }
            }
        }
    }

    /// Bring the index up to date if it is missing or stale, saying so on
    /// stderr; when that fails, go on with the last committed index.
    pub fn refresh(&self, corpus: &Corpus) -> policy_diff::Result<()> {
        let version = self.taxonomy()?.fingerprint();
        if let Some(reason) = self.index_dir().staleness(corpus, &version)? {
            eprintln!(
                "policy-diff: updating the index in {} ({reason})",
                self.index_dir.display()
            );
            if let Err(e) = self.update_index(corpus, false) {
                self.degrade(&reason, e)?;
            }
        }
        Ok(())
    }

    /// An update failed: if the last committed index opens, say in one
    /// line what is stale and why, remember it (JSON outputs carry it as
    /// `stale`) and answer from that index; else the update's error stands.
    fn degrade(&self, reason: &str, e: policy_diff::Error) -> policy_diff::Result<Reader> {
        let Ok(reader) = self.index_dir().reader() else {
            return Err(e);
        };
        let full = e.to_string();
        let mut lines = full.lines();
        let error = lines.next().unwrap_or_default().to_string();
        eprintln!(
            "policy-diff: answering from the last index, without what changed since ({reason}): updating it failed: {error}"
        );
        for l in lines {
            eprintln!("{l}");
        }
        let _ = self.stale.set(Stale {
            reason: reason.to_string(),
            error,
        });
        Ok(reader)
    }

    /// The key of a cache beside the index that depends on every document
    /// (its fingerprint as the index recorded it), the taxonomy and this
    /// build of the program (version, and size and time of the executable,
    /// so a rebuilt program never reads an old cache); `tag` adds what else
    /// it depends on.
    pub fn cache_key(
        &self,
        tag: &str,
        corpus: &Corpus,
        payload: &policy_diff::index::state::Payload,
    ) -> String {
        let mut h = blake3::Hasher::new();
        h.update(tag.as_bytes());
        h.update(b"\0");
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
            h.update(format!("\0{}\0{:?}\0", m.len(), m.modified().ok()).as_bytes());
        }
        if let Ok(t) = self.taxonomy() {
            h.update(t.fingerprint().as_bytes());
        }
        for e in &corpus.catalog.documents {
            let fingerprint = payload
                .documents()
                .get(&e.id)
                .map(|d| d.fingerprint.as_str());
            h.update(format!("\0{}\0{}\0{}", e.id, e.hash, fingerprint.unwrap_or("")).as_bytes());
        }
        h.finalize().to_hex()[..24].to_string()
    }

    /// Why the index answering this command is behind the corpus, if it is.
    pub fn stale(&self) -> Option<&Stale> {
        self.stale.get()
    }

    /// `value` (a JSON object) with this command's `stale` object.
    pub fn with_stale<'a, T: serde::Serialize>(&'a self, value: &'a T) -> WithStale<'a, T> {
        WithStale {
            stale: self.stale(),
            inner: value,
        }
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
        corpus_dir: cli.corpus,
        index_dir: cli.index,
        topics_file: cli.topics,
        taxonomy: OnceLock::new(),
        stale: OnceLock::new(),
        timing: std::env::var_os("POLICY_DIFF_TIMING").map(|_| std::time::Instant::now()),
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
