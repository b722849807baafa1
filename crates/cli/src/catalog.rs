//! `noveto catalog import|export`: the service catalog as XLSX or CSV (CAT-3).

use crate::{Fail, Store};
use indicatif::{ProgressBar, ProgressStyle};
use noveto_store::StoreError;
use noveto_store::repo::{Ctx, items, org};
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
            let rows = noveto_server::catalog::read(&bytes).map_err(Fail)?;
            let units = st.read(org::units).await?;
            let parsed = noveto_server::catalog::parse_rows(rows, &units);
            for e in &parsed.errors {
                eprintln!("第 {} 行「{}」：{}", e.row, e.column, e.message);
            }
            if !parsed.errors.is_empty() && !partial {
                eprintln!(
                    "共 {} 行，{} 行有问题：未导入任何事项。改正后重新导入，或加 --partial 只导入合格的行。",
                    parsed.rows,
                    parsed.errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len()
                );
                return Ok(ExitCode::from(2));
            }
            let pb = ProgressBar::new(parsed.items.len() as u64);
            pb.set_style(
                ProgressStyle::with_template("导入 [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
            let mut done = 0;
            for chunk in parsed.items.chunks(500) {
                let c = chunk.to_vec();
                let n = now.clone();
                st.write(move |tx| {
                    let ctx = Ctx { actor: None, now: n };
                    for it in &c {
                        items::upsert(tx, &ctx, it)?;
                    }
                    Ok::<_, StoreError>(())
                })
                .await?;
                done += chunk.len();
                pb.set_position(done as u64);
            }
            pb.finish_and_clear();
            println!("已导入 {done} 项（共 {} 行）。", parsed.rows);
        }
        CatalogCmd::Export { file, store } => {
            let st = crate::open_existing(&store).await?;
            let (all, units) = st.read(|tx| Ok::<_, StoreError>((items::all(tx)?, org::units(tx)?))).await?;
            let bytes = if file.extension().is_some_and(|e| e == "csv") {
                noveto_server::catalog::to_csv(&all, &units)
            } else {
                noveto_server::catalog::to_xlsx(&all, &units).map_err(Fail)?
            };
            crate::init::write_private(&file, &bytes)?;
            println!("已导出 {} 项到 {}", all.len(), file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
