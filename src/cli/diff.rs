//! `policy-diff diff DOC_A DOC_B` (being written).

use super::{Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    pub a: String,
    pub b: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(_ctx: &Ctx, _args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("diff: not implemented yet")
}
