//! Thin entry point: parse the command line, run, map errors to exit codes.

fn main() {
    std::process::exit(policy_diff_cli::run());
}

#[path = "cli/mod.rs"]
mod policy_diff_cli;
