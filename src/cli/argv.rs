//! Before clap: the query of `search` (and the text of `segment`) may hold
//! words that start with `-` (`-公寓` excludes 公寓), which clap would take
//! for flags. Its own `allow_hyphen_values` does not help: once a positional
//! takes such a value, every later `-n 3` or `--jurisdiction 南通` becomes
//! query text too. So the arguments of these commands are sorted first:
//! tokens naming one of the command's options (with their values) go in
//! front, the rest (the query, in order) after a `--`.

use std::collections::HashMap;
use std::ffi::OsString;

use clap::Command;

/// Commands whose positional words may start with `-`.
const HYPHEN_QUERIES: &[&str] = &["search", "segment"];

/// `search 人才 -公寓 -n 3` → `search -n 3 -- 人才 -公寓`. `cmd` must be built
/// (`Command::build`), so that global and help options are known.
///
/// A token is an option when it is `--name` or `--name=value` with an ASCII
/// name (known or not: clap reports unknown ones), or `-c…` where `c` is a
/// known short option (`-n`, `-n3`, `-h`). Anything else starting with `-`
/// (`-公寓`, `-"一级财政"`, `-(住房 OR 安居)`, `-2021`, a lone `-`) is query
/// text. An option that takes a value takes the next token as it is.
pub fn hyphen_queries(cmd: &Command, args: Vec<OsString>) -> Vec<OsString> {
    let Some(at) = subcommand_position(cmd, &args) else {
        return args;
    };
    let name = args[at].to_str().unwrap_or_default();
    let Some(sub) = cmd
        .get_subcommands()
        .find(|s| s.get_name() == name || s.get_all_aliases().any(|a| a == name))
    else {
        return args;
    };
    if !HYPHEN_QUERIES.contains(&sub.get_name()) {
        return args;
    }
    let options = Options::of(sub);
    let mut args = args.into_iter();
    let mut out: Vec<OsString> = args.by_ref().take(at + 1).collect();
    let mut words: Vec<OsString> = vec![];
    while let Some(t) = args.next() {
        let Some(s) = t.to_str() else {
            words.push(t);
            continue;
        };
        if s == "--" {
            words.extend(args.by_ref());
            break;
        }
        match options.classify(s) {
            Token::Word => words.push(t),
            Token::Option { takes_value } => {
                out.push(t);
                if takes_value {
                    out.extend(args.next());
                }
            }
        }
    }
    if !words.is_empty() {
        out.push("--".into());
        out.extend(words);
    }
    out
}

/// Where the subcommand is: the first token that is neither an option of
/// the top-level command nor the value of one.
fn subcommand_position(cmd: &Command, args: &[OsString]) -> Option<usize> {
    let options = Options::of(cmd);
    let mut i = 1;
    while i < args.len() {
        let s = args[i].to_str()?;
        if s == "--" {
            return None;
        }
        match options.classify(s) {
            Token::Word => return Some(i),
            Token::Option { takes_value } => i += if takes_value { 2 } else { 1 },
        }
    }
    None
}

enum Token {
    Word,
    /// `takes_value`: the value is the next token.
    Option {
        takes_value: bool,
    },
}

/// A command's options: does each take a value?
struct Options {
    long: HashMap<String, bool>,
    short: HashMap<char, bool>,
}

impl Options {
    fn of(cmd: &Command) -> Options {
        let mut long = HashMap::new();
        let mut short = HashMap::new();
        for a in cmd.get_arguments() {
            let takes = a.get_action().takes_values();
            for l in a
                .get_long()
                .into_iter()
                .chain(a.get_all_aliases().unwrap_or_default())
            {
                long.insert(l.to_string(), takes);
            }
            for c in a
                .get_short()
                .into_iter()
                .chain(a.get_all_short_aliases().unwrap_or_default())
            {
                short.insert(c, takes);
            }
        }
        Options { long, short }
    }

    fn classify(&self, s: &str) -> Token {
        if let Some(rest) = s.strip_prefix("--") {
            let (name, value) = match rest.split_once('=') {
                Some((n, _)) => (n, true),
                None => (rest, false),
            };
            if name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                let takes = self.long.get(name).copied().unwrap_or(false);
                return Token::Option {
                    takes_value: takes && !value,
                };
            }
            return Token::Word;
        }
        if let Some(rest) = s.strip_prefix('-') {
            let mut chars = rest.chars();
            if let Some(takes) = chars.next().and_then(|c| self.short.get(&c)) {
                return Token::Option {
                    takes_value: *takes && chars.as_str().is_empty(),
                };
            }
        }
        Token::Word
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn check(input: &[&str], expected: &[&str]) {
        let mut cmd = super::super::Cli::command();
        cmd.build();
        let args = std::iter::once("policy-diff")
            .chain(input.iter().copied())
            .map(OsString::from)
            .collect();
        let got: Vec<String> = hyphen_queries(&cmd, args)
            .into_iter()
            .skip(1)
            .map(|s| s.into_string().unwrap())
            .collect();
        assert_eq!(got, expected, "{input:?}");
    }

    #[test]
    fn query_words_go_after_a_double_dash() {
        check(
            &["search", "人才", "-公寓", "-n", "3"],
            &["search", "-n", "3", "--", "人才", "-公寓"],
        );
        check(&["search", "-人才"], &["search", "--", "-人才"]);
        check(
            &[
                "--corpus",
                "c",
                "search",
                "--limit=2",
                "人才",
                "-j",
                "南通",
                "-2021",
            ],
            &[
                "--corpus",
                "c",
                "search",
                "--limit=2",
                "-j",
                "南通",
                "--",
                "人才",
                "-2021",
            ],
        );
        check(
            &["search", "-n5", "人才", "--index", "i", "--explain", "-"],
            &[
                "search",
                "-n5",
                "--index",
                "i",
                "--explain",
                "--",
                "人才",
                "-",
            ],
        );
        check(
            &["search", "人才", "--", "-n", "3"],
            &["search", "--", "人才", "-n", "3"],
        );
        check(&["search", "--help"], &["search", "--help"]);
        check(&["search", "--limt", "3"], &["search", "--limt", "--", "3"]);
    }

    #[test]
    fn other_commands_are_left_alone() {
        check(&["show", "-x"], &["show", "-x"]);
        check(
            &["--index", "search", "docs"],
            &["--index", "search", "docs"],
        );
        check(&["--version"], &["--version"]);
    }
}
