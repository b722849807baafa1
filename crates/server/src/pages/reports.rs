//! NV-15, NV-16, AS-1, HCP-5 on the page: what the center reads at the end of a month — the
//! veto statistics with their charts, the alike requests that got different outcomes, the
//! assessment with every figure drillable to its matters, satisfaction by quarter — each with its
//! files (XLSX, PDF).

use super::{Large, Visitor, error_page, layout};
use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::i18n::{tr, tr_text, trf};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use noveto_app::reports::{self as svc, Period};

#[derive(serde::Deserialize, Default)]
pub struct ReportQ {
    month: Option<String>,
    figure: Option<String>,
}

fn chart(title: &str, bars: Vec<(String, f64)>, unit: &str) -> Markup {
    html! {
        @if bars.is_empty() {
            h3 { (title) } p.muted { (tr("本期暂无数据。")) }
        } @else {
            div.chart { (PreEscaped(noveto_docs::bars_svg(title, &bars, unit))) }
        }
    }
}

/// The receipts behind one side of an inconsistency, the first few by name and the rest counted
/// (a quarter's can run to hundreds; the export lists them all).
fn receipts(all: &[String]) -> String {
    const SHOWN: usize = 5;
    let first = all.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(tr("、"));
    if all.len() > SHOWN { trf("{}等 {} 件", &[&first, &all.len()]) } else { first }
}

async fn body(s: &AppState, p: &Principal, q: &ReportQ) -> ApiResult<Markup> {
    let month = q.month.clone().unwrap_or_else(|| noveto_domain::time::local_date(s.now()).format("%Y-%m").to_string());
    let period = Period::parse(Some(&month), None, None)?;
    let (first, _) = period.days();
    // The month's and the quarter's veto reports, the assessment and the satisfaction are made of
    // one read of each kind of count (`month_end`); the commitment checks are read beside it.
    let (end, (_, checks)) = tokio::try_join!(
        svc::month_end(s, p, &month),
        // NV-6: the month's commitment verifications, summed over the units the reader sees.
        noveto_app::commitments::list(s, p, &month),
    )?;
    let svc::MonthEnd { quarter, vetoes: v, quarter_vetoes: qv, assessment: a, satisfaction: sat } = end;
    let prev = first.pred_opt().map(|d| d.format("%Y-%m").to_string()).unwrap_or_default();
    let next = period.days().1.format("%Y-%m").to_string();
    let file = |path: &str, fmt: &str| format!("/api/v1/reports/{path}?month={month}&format={fmt}");
    let sum = checks
        .values()
        .fold([0usize; 4], |a, t| [a[0] + t.open, a[1] + t.overdue, a[2] + t.confirmed, a[3] + t.r#false]);
    Ok(html! {
        section.card {
            h1 { (trf("月度报表（{}）", &[&month])) }
            p {
                a href={ "/reports?month=" (prev) } { (tr("上个月")) } " · " a href={ "/reports?month=" (next) } { (tr("下个月")) }
            }
        }
        section.card {
            h2 { (tr("否决及其他否定性办结")) }
            p {
                (trf("否决报批 {} 件（批准 {}，不予否决 {}，审批中 {}）；申请人书面撤回 {} 件，依法无需办理 {} 件，申请指引他处 {} 件，申请改为咨询 {} 件，否定性答复 {} 件。",
                    &[&v.requested, &v.approved, &v.denied, &v.pending, &v.withdrawals, &v.not_required, &v.referrals, &v.kind_changes, &v.negative_answers]))
            }
            (chart(tr("近六个月否决报批"), v.trend.iter().map(|(m, n, _, _)| (m.clone(), *n as f64)).collect(), tr("件")))
            (chart(&trf("本季度（{}）否决理由", &[&quarter]), qv.by_reason.iter().take(10).map(|c| (c.reason.clone().unwrap_or_default(), c.count as f64)).collect(), tr("件")))
            @if !qv.by_reason.is_empty() {
                table {
                    tr { th { (tr("事项")) } th { (tr("理由")) } th { (tr("否决报批")) } th { (tr("批准否决")) } th { (tr("办事指南")) } }
                    @for c in qv.by_reason.iter().take(10) {
                        tr {
                            td { (tr_text(&c.label)) } td { (c.reason.as_deref().unwrap_or("")) } td { (c.count) } td { (c.approved) }
                            td { @if let Some(l) = &c.link { a href=(l) { (tr("调整办事指南")) } } }
                        }
                    }
                }
            }
            @if !qv.inconsistent.is_empty() {
                h3 { (tr("同等申请、不同结果（需统一尺度）")) }
                ul {
                    @for x in &qv.inconsistent {
                        li { (trf("{}，理由“{}”：批准否决 {}；不予否决 {}", &[&tr_text(&x.item), &x.reason, &receipts(&x.approved), &receipts(&x.denied)])) }
                    }
                }
            }
            p {
                a href=(file("vetoes", "xlsx")) { (tr("导出 Excel")) } " · " a href=(file("vetoes", "pdf")) { "PDF" } " · "
                a href={ "/api/v1/reports/vetoes?quarter=" (quarter) "&format=pdf" } { (tr("季度分析 PDF")) }
            }
        }
        section.card {
            h2 { (tr("考核")) }
            p.muted { (trf("分值依据：{}", &[&tr_text(&a.source)])) }
            (chart(tr("单位得分"), a.units.iter().take(15).map(|u| (u.name.clone(), u.score)).collect(), tr("分")))
            div.scroll {
                table.stack {
                    tr { th { (tr("单位")) } th { (tr("得分")) } th { (tr("否决")) } th { (tr("其他否定性办结")) } th { (tr("超期")) } th { (tr("吐槽找茬")) } th { (tr("办不成事")) } th { (tr("推诿用语")) } th { (tr("满意度")) } }
                    @for u in &a.units {
                        @let uid = u.unit_id.unwrap_or(0);
                        @let link = |f: &str, n: usize| html! { @if n > 0 { a href={ "/reports/assessment/" (uid) "?month=" (month) "&figure=" (f) } { (n) } } @else { "0" } };
                        tr {
                            td data-label=(tr("单位")) { (u.name) }
                            td data-label=(tr("得分")) { (format!("{:.1}", u.score)) }
                            td data-label=(tr("否决")) { (link("vetoes", u.figures.vetoes)) }
                            td data-label=(tr("其他否定性办结")) { (link("other_negative_endings", u.figures.other_negative_endings)) }
                            td data-label=(tr("超期")) { (link("overdue", u.figures.overdue)) }
                            td data-label=(tr("吐槽找茬")) { (link("complaints", u.figures.complaints)) }
                            td data-label=(tr("办不成事")) { (link("unresolved", u.figures.unresolved)) }
                            td data-label=(tr("推诿用语")) { (link("flagged_replies", u.figures.flagged_replies)) }
                            td data-label=(tr("满意度")) { (u.figures.satisfaction.map(|x| format!("{x:.1}%")).unwrap_or_else(|| tr("无评价").into())) }
                        }
                    }
                }
            }
            @let awarded: Vec<&svc::Scored> = a.windows.iter().filter(|w| w.award).collect();
            @if !awarded.is_empty() {
                p { b { (tr("本月评优窗口：")) } (awarded.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(tr("、"))) }
            }
            p { a href=(file("assessment", "xlsx")) { (tr("导出 Excel")) } " · " a href=(file("assessment", "pdf")) { "PDF" } }
        }
        section.card {
            h2 { (tr("告知承诺事后核查")) }
            p {
                (trf("待核查 {} 件（其中已超期 {} 件）；本月核查属实 {} 件，不实 {} 件。", &[&sum[0], &sum[1], &sum[2], &sum[3]]))
                " " a href={ "/commitment-checks?month=" (month) } { (tr("各单位明细")) }
            }
        }
        section.card {
            h2 { (trf("满意度（{}）", &[&quarter])) }
            (chart(tr("综合满意度"), sat.iter().filter_map(|(n, f)| f.composite.map(|c| (tr_text(n), c * 100.0))).collect(), "%"))
            p { a href={ "/api/v1/reports/satisfaction?quarter=" (quarter) "&format=xlsx" } { (tr("导出 Excel")) } " · " a href={ "/api/v1/reports/satisfaction?quarter=" (quarter) "&format=pdf" } { "PDF" } }
        }
    })
}

pub async fn page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    Query(q): Query<ReportQ>,
) -> Response {
    match body(&s, &p, &q).await {
        Ok(b) => layout(Some(&p), large, tr("月度报表"), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// AS-1: the matters behind one unit's figure.
pub async fn drill(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    crate::extract::ApiPath(unit): crate::extract::ApiPath<i64>,
    Query(q): Query<ReportQ>,
) -> Response {
    let r = async {
        let month = q.month.clone().unwrap_or_else(|| noveto_domain::time::local_date(s.now()).format("%Y-%m").to_string());
        let period = Period::parse(Some(&month), None, None)?;
        let items = svc::drill(&s, &p, period, unit, q.figure.as_deref()).await?;
        Ok::<_, crate::error::ApiError>(html! {
            section.card {
                h1 { (trf("考核事项明细（{}）", &[&month])) }
                table {
                    tr { th { (tr("项目")) } th { (tr("编号")) } }
                    @if items.is_empty() { tr { td colspan="2" class="muted" { (tr("没有事项。")) } } }
                    @for i in &items { tr { td { (tr(svc::figure_label(&i.figure))) } td { a href=(i.link) { (i.receipt_no) } } } }
                }
                p { a href={ "/reports?month=" (month) } { (tr("返回")) } }
            }
        })
    }
    .await;
    match r {
        Ok(b) => layout(Some(&p), large, tr("考核事项明细"), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}
