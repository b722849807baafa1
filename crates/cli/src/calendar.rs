//! `noveto calendar`: due dates, working days, importing a year's notice, showing a year.

use crate::{Fail, Store};
use chrono::{Datelike, NaiveDate};
use noveto_domain::calendar::Calendar;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CalendarCmd {
    /// Print the N-th working day after DATE (DATE not counted; N = 0 is the same day).
    Due {
        #[arg(long)]
        from: String,
        #[arg(long, default_value_t = 0)]
        working_days: u32,
        /// Local overrides of this region (needs --data).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        database: Option<String>,
    },
    /// Print true or false.
    IsWorkingDay {
        date: String,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        database: Option<String>,
    },
    /// Import a year's notice (noveto TOML or the notice JSON format) into a store.
    Import {
        file: PathBuf,
        #[command(flatten)]
        store: Store,
    },
    /// Print a year's days off and make-up working days.
    Show {
        year: i32,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        database: Option<String>,
    },
}

fn day(s: &str) -> Result<NaiveDate, Fail> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Fail(format!("日期“{s}”无效，格式应为 YYYY-MM-DD")))
}

/// The built-in calendar, or the one of a store (imported years and a region's overrides).
async fn calendar(data: Option<PathBuf>, database: Option<String>, region: Option<String>) -> Result<Calendar, Fail> {
    let Some(data) = data.or_else(|| database.as_ref().map(|_| PathBuf::from("."))) else {
        return Ok(Calendar::builtin());
    };
    let st = crate::open_existing(&Store { data, database, read_database: None }).await?;
    noveto_app::calendar::stored(&st, &region.unwrap_or_default()).await.map_err(|e| Fail(e.message))
}

/// CONTRACT: in a year without an imported notice the answer is provisional, said on stderr.
fn provisional_note(cal: &Calendar, d: NaiveDate) {
    if cal.is_provisional(d) {
        eprintln!(
            "注意：{} 年尚未导入国务院放假通知，{}（noveto calendar import）。",
            chrono::Datelike::year(&d),
            noveto_domain::calendar::PROVISIONAL_NOTE
        );
    }
}

pub async fn run(cmd: CalendarCmd) -> Result<ExitCode, Fail> {
    match cmd {
        CalendarCmd::Due { from, working_days, region, data, database } => {
            let cal = calendar(data, database, region).await?;
            let due = cal.due(day(&from)?, working_days)?;
            println!("{due}");
            provisional_note(&cal, due);
        }
        CalendarCmd::IsWorkingDay { date, region, data, database } => {
            let cal = calendar(data, database, region).await?;
            let d = day(&date)?;
            println!("{}", cal.is_working_day(d)?);
            provisional_note(&cal, d);
        }
        CalendarCmd::Import { file, store } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Fail(format!("无法读取 {}：{e}", file.display())))?;
            let years = noveto_app::calendar::parse_years(&text).map_err(|e| Fail(e.message))?;
            let st = crate::open_existing(&store).await?;
            // The same door as the API: validate, store, and recompute the open deadlines that move.
            let state = noveto_app::App::load(st, noveto_app::Clock::system()).await?;
            let (imported, recomputed) =
                noveto_app::calendar::import(&state, None, years).await.map_err(|e| Fail(e.message))?;
            let (lo, hi) = state.calendar().covered();
            println!(
                "已导入 {} 年；日历现覆盖 {lo}–{hi} 年；{recomputed} 件在办办件的期限已按新日历重算。运行中的服务请重启以载入。",
                imported.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、")
            );
        }
        CalendarCmd::Show { year, data, database } => {
            let cal = calendar(data, database, None).await?;
            let (n, provisional) = cal.year_as_answered(year).ok_or_else(|| Fail(format!("日历未覆盖 {year} 年")))?;
            let mut out = String::new();
            if provisional {
                eprintln!(
                    "注意：{year} 年尚未导入国务院放假通知，{}（noveto calendar import）。",
                    noveto_domain::calendar::PROVISIONAL_NOTE
                );
            }
            for u in &n.notices {
                out.push_str(&format!("依据：{u}\n"));
            }
            let mut d = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| Fail("年份无效".into()))?;
            while d.year() == year {
                let w = cal.is_working_day(d)?;
                let weekend = d.weekday().number_from_monday() >= 6;
                if w == weekend {
                    out.push_str(&format!(
                        "{d} {} {}\n",
                        if w { "上班" } else { "休息" },
                        cal.label(d).unwrap_or_default()
                    ));
                }
                d = d.succ_opt().ok_or_else(|| Fail("日期溢出".into()))?;
            }
            crate::print_out(&out);
        }
    }
    Ok(ExitCode::SUCCESS)
}
