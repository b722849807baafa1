//! `noveto report vetoes|assessment|satisfaction`: the reports of `GET /api/v1/reports/...` as
//! files, made by the same application functions, read as the center's director, business and
//! supervision sections would (every center from the top).

use crate::{Fail, Store};
use indicatif::{ProgressBar, ProgressStyle};
use noveto_app::reports::Period;
use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Which {
    Vetoes,
    Assessment,
    Satisfaction,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    which: Which,
    #[command(flatten)]
    store: Store,
    /// YYYY-MM
    #[arg(long)]
    month: Option<String>,
    /// YYYYQn
    #[arg(long)]
    quarter: Option<String>,
    /// YYYY
    #[arg(long)]
    year: Option<i32>,
    /// csv, xlsx or pdf (default: from the file name).
    #[arg(long)]
    format: Option<String>,
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(a: ReportArgs) -> Result<ExitCode, Fail> {
    let format = a
        .format
        .clone()
        .or_else(|| a.out.extension().and_then(|e| e.to_str()).map(str::to_lowercase))
        .unwrap_or_else(|| "xlsx".into());
    if !["csv", "xlsx", "pdf"].contains(&format.as_str()) {
        return Err(Fail("--format 须为 csv、xlsx 或 pdf".into()));
    }
    let pb = ProgressBar::new(4);
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:20}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    pb.set_message("打开存储");
    let st = crate::open_existing(&a.store).await?;
    let app = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
    pb.inc(1);
    pb.set_message("读取组织");
    let d = noveto_app::org::directory(&app).await.map_err(|e| Fail(e.message))?;
    // The reader the command reports as: every top-level center's director, business and
    // supervision sections (what the center reads at the end of a month).
    let mut grants = vec![];
    for c in d.centers.iter().filter(|c| c.parent_id.is_none()) {
        for role in [Role::Director, Role::BusinessSection, Role::Supervision] {
            grants.push(Grant { role, scope: Scope { kind: ScopeKind::Center, id: c.id } });
        }
    }
    let p = noveto_app::Principal {
        id: 0,
        login: "noveto-report".into(),
        name: "noveto report".into(),
        grants,
        csrf: None,
    };
    pb.inc(1);
    pb.set_message("计算报表");
    let fmt = |f: &str| if f == "csv" { noveto_app::catalog::Format::Csv } else { noveto_app::catalog::Format::Xlsx };
    let fail = |e: noveto_app::Error| Fail(e.message);
    let bytes = match a.which {
        Which::Vetoes => {
            let per = Period::parse(a.month.as_deref(), a.quarter.as_deref(), a.year).map_err(fail)?;
            let r = noveto_app::reports::vetoes(&app, &p, per).await.map_err(fail)?;
            if format == "pdf" {
                noveto_server::pages::forms::veto_report(&r).pdf().map_err(Fail)?
            } else {
                noveto_app::reports::tables_file(
                    &format!("否决统计 {}", r.period),
                    &noveto_app::reports::veto_tables(&r),
                    fmt(&format),
                )
                .map_err(fail)?
            }
        }
        Which::Assessment => {
            let per = Period::parse(a.month.as_deref(), a.quarter.as_deref(), a.year).map_err(fail)?;
            let r = noveto_app::reports::assessment(&app, &p, per, None).await.map_err(fail)?;
            if format == "pdf" {
                noveto_server::pages::forms::assessment_report(&r).pdf().map_err(Fail)?
            } else {
                let (cols, rows) = noveto_app::reports::assessment_rows(&r);
                noveto_app::catalog_file::table("考核", &cols, &rows, format == "xlsx").map_err(Fail)?
            }
        }
        Which::Satisfaction => {
            let q = a.quarter.clone().ok_or_else(|| Fail("满意度报表须给出 --quarter YYYYQn".into()))?;
            let rows = noveto_app::ratings::breakdown(&app, &p, &q).await.map_err(fail)?;
            if format == "pdf" {
                noveto_server::pages::forms::satisfaction_report(&q, &rows).pdf().map_err(Fail)?
            } else {
                noveto_app::ratings::breakdown_file(&rows, fmt(&format)).map_err(fail)?
            }
        }
    };
    pb.inc(1);
    pb.set_message("写入文件");
    crate::init::write_private(&a.out, &bytes)?;
    pb.inc(1);
    pb.finish_and_clear();
    println!("已生成 {}（{} 字节）", a.out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}
