//! `policy-diff topics` (being written).

use super::{Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(_ctx: &Ctx, _args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("topics: not implemented yet")
}
