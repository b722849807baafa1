//! `noveto catalog import|export`: the service catalog as XLSX or CSV (CAT-3).

use crate::{Fail, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CatalogCmd {
    /// Import items from XLSX or CSV; a bad file imports nothing unless --partial.
    Import {
        file: PathBuf,
        #[command(flatten)]
        store: Store,
        /// Import the good rows even when some rows are bad.
        #[arg(long)]
        partial: bool,
    },
    /// Export every item; the format follows the file name (.xlsx or .csv).
    Export {
        file: PathBuf,
        #[command(flatten)]
        store: Store,
    },
}

pub async fn run(cmd: CatalogCmd) -> Result<ExitCode, Fail> {
    match cmd {
        CatalogCmd::Import { file, store, partial } => {
            let st = crate::open_existing(&store).await?;
            let bytes = std::fs::read(&file).map_err(|e| Fail(format!("无法读取 {}：{e}", file.display())))?;
            // The same door as the API and the admin page: validate every row, then save.
            let app = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
            let r = noveto_app::catalog::import(&app, None, &bytes, partial).await.map_err(|e| Fail(e.message))?;
            for e in &r.errors {
                eprintln!("第 {} 行「{}」：{}", e.row, e.column, e.message);
            }
            if !r.errors.is_empty() && !partial {
                eprintln!(
                    "共 {} 行，{} 行有问题：未导入任何事项。改正后重新导入，或加 --partial 只导入合格的行。",
                    r.rows,
                    r.errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len()
                );
                return Ok(ExitCode::from(2));
            }
            println!("已导入 {} 项（共 {} 行）。", r.imported, r.rows);
        }
        CatalogCmd::Export { file, store } => {
            let st = crate::open_existing(&store).await?;
            let app = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
            let format = if file.extension().is_some_and(|e| e == "csv") {
                noveto_app::catalog::Format::Csv
            } else {
                noveto_app::catalog::Format::Xlsx
            };
            let (bytes, n) = noveto_app::catalog::export(&app, format).await.map_err(|e| Fail(e.message))?;
            crate::init::write_private(&file, &bytes)?;
            println!("已导出 {n} 项到 {}", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
