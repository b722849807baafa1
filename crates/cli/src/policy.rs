//! `noveto policy` (POL-1): put in a new version of the center's policy, show the one in force.

use crate::{Fail, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum PolicyCmd {
    /// Import a new version (a TOML file in the presets' format, with a higher `version`): it
    /// applies to matters opened from then on; open ones keep theirs. Prints what changed.
    Import {
        file: PathBuf,
        #[command(flatten)]
        store: Store,
    },
    /// Print the version in force, its source and its numbers (as TOML).
    Show {
        #[command(flatten)]
        store: Store,
    },
}

pub async fn run(cmd: PolicyCmd) -> Result<ExitCode, Fail> {
    match cmd {
        PolicyCmd::Import { file, store } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Fail(format!("无法读取 {}：{e}", file.display())))?;
            // Checked before the store is opened, so a bad file changes nothing.
            noveto_app::policy::parse(&text).map_err(|e| Fail(e.message))?;
            let st = crate::open_existing(&store).await?;
            let state = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
            let done = noveto_app::policy::import(&state, None, &text).await.map_err(|e| Fail(e.message))?;
            println!(
                "已导入政策“{}”第 {} 版（{}），取代 {}；此后新登记的办件按新版本计算期限，在办办件仍按原版本。运行中的服务一分钟内载入。",
                done.name, done.version, done.document, done.replaces
            );
            if done.changes.is_empty() {
                println!("与原版本相比没有变化。");
            }
            for c in &done.changes {
                println!("  {}：{} → {}", c.field, c.before, c.after);
            }
        }
        PolicyCmd::Show { store } => {
            let st = crate::open_existing(&store).await?;
            let state = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
            let p = state.policy();
            println!("# {}（{}）第 {} 版", p.name, p.id, p.version);
            println!("# 来源：{}", p.document);
            let text = toml::to_string(&*p).map_err(|e| Fail(format!("无法输出政策：{e}")))?;
            crate::print_out(&text);
        }
    }
    Ok(ExitCode::SUCCESS)
}
