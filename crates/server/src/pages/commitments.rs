//! NV-6: the verifications of written commitments (告知承诺事后核查) as those who do them read
//! them — the counts per unit, every open check with its due day and a form to record what was
//! found, and the month's results. A failed result comes back beside its field, as typed.

use super::{Large, Visitor, beside, check_csrf, csrf_field, layout, val};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::i18n::{tr, tr_text, trf};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_app::commitments::{self, ResultIn};
use std::collections::HashMap;

#[derive(serde::Deserialize, Default)]
pub struct ChecksQ {
    month: Option<String>,
    done: Option<i64>,
}

/// A failed result: which check, what was typed, and the error.
struct Failed<'a> {
    id: i64,
    form: &'a HashMap<String, String>,
    error: &'a ApiError,
}

fn this_month(s: &AppState) -> String {
    noveto_domain::time::local_date(s.now()).format("%Y-%m").to_string()
}

async fn body(
    s: &AppState,
    p: &Principal,
    month: &str,
    done: Option<i64>,
    failed: Option<&Failed<'_>>,
) -> ApiResult<Markup> {
    // A month that does not read is said beside the picker; the page shows this month.
    let (list, month_err) = match commitments::list(s, p, month).await {
        Ok(l) => (l, None),
        Err(e) if e.field == Some("month") => (commitments::list(s, p, &this_month(s)).await?, Some(ApiError::from(e))),
        Err(e) => return Err(e.into()),
    };
    let (checks, by_unit) = list;
    let units = noveto_app::org::directory(s).await?.units;
    let unit = |u: Option<i64>| {
        u.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_else(|| tr("中心").into())
    };
    let today = noveto_domain::time::local_date(s.now()).to_string();
    let day = |d: &str| d.parse::<chrono::NaiveDate>().map(crate::ui::day).unwrap_or_else(|_| d.to_string());
    let (open, decided): (Vec<_>, Vec<_>) = checks.iter().partition(|c| c.status == "open");
    // A result for a check no longer open (recorded meanwhile by someone else) is said on top.
    let stray = failed.filter(|f| !open.iter().any(|c| c.id == f.id)).map(|f| f.error);
    let typed = |id: i64, k: &str| failed.filter(|f| f.id == id).map(|f| val(f.form, k)).unwrap_or_default();
    Ok(html! {
        section.card {
            h1 { (tr("告知承诺事后核查")) }
            p.muted { (tr("按告知承诺制办结的事项，须在期限内核查承诺内容是否属实；不实的，写明处理措施（如撤销许可、纳入信用记录）。")) }
            @if let Some(id) = done { p.ok role="status" { (trf("第 {} 号核查结果已记录。", &[&id])) } }
            @if let Some(e) = stray { p.err role="alert" { (tr_text(&e.message)) } }
            form method="get" action="/commitment-checks" {
                label {
                    (tr("月份"))
                    input type="month" name="month" value=(month);
                    (beside(month_err.as_ref(), "month"))
                }
                button { (tr("查看")) }
            }
            h2 { (tr("各单位核查情况")) }
            @if by_unit.is_empty() {
                p.muted { (tr("暂无核查任务。")) }
            } @else {
                div.scroll {
                    table {
                        tr { th { (tr("单位")) } th { (tr("待核查")) } th { (tr("其中已超期")) } th { (tr("本月核查属实")) } th { (tr("本月核查不实")) } }
                        @for (u, t) in &by_unit {
                            tr {
                                td { (unit(*u)) }
                                td { (t.open) }
                                td { @if t.overdue > 0 { span.overdue { (t.overdue) } } @else { "0" } }
                                td { (t.confirmed) }
                                td { (t.r#false) }
                            }
                        }
                    }
                }
            }
        }
        section.card #open {
            h2 { (trf("待核查（{}）", &[&open.len()])) }
            @if open.is_empty() { p.muted { (tr("没有待核查的承诺。")) } }
            @for c in &open {
                @let mine = failed.filter(|f| f.id == c.id).map(|f| f.error);
                details.check open[mine.is_some()] id={ "k" (c.id) } {
                    summary {
                        a href={ "/cases/" (c.case_id) } { (c.receipt_no) } " · " (unit(c.unit_id)) " · "
                        (trf("应于 {} 前核查", &[&day(&c.due)]))
                        @if c.due < today { " " span.pill.warn { (tr("已超期")) } }
                    }
                    form method="post" action={ "/commitment-checks/" (c.id) "/result" } {
                        (csrf_field(p))
                        @let choice = typed(c.id, "confirmed");
                        fieldset {
                            legend { (tr("核查结果")) }
                            label { input type="radio" name="confirmed" value="1" required checked[choice == "1"]; " " (tr("承诺属实")) }
                            label { input type="radio" name="confirmed" value="0" checked[choice == "0"]; " " (tr("承诺不实")) }
                            (beside(mine, "confirmed"))
                        }
                        label {
                            (tr("核查情况"))
                            textarea name="note" maxlength="2000" { (typed(c.id, "note")) }
                            (beside(mine, "note"))
                        }
                        label {
                            (tr("处理措施（承诺不实时必填）"))
                            input name="action" maxlength="500" value=(typed(c.id, "action"));
                            (beside(mine, "action"))
                        }
                        @if let Some(e) = mine.filter(|e| !matches!(e.field, Some("note" | "action" | "confirmed"))) {
                            p.err role="alert" { (tr_text(&e.message)) }
                        }
                        button { (tr("记录核查结果")) }
                    }
                }
            }
        }
        @if !decided.is_empty() {
            section.card {
                h2 { (tr("本月已核查")) }
                div.scroll {
                    table {
                        tr { th { (tr("受理编号")) } th { (tr("单位")) } th { (tr("结果")) } th { (tr("核查情况")) } th { (tr("处理措施")) } }
                        @for c in &decided {
                            tr {
                                td { a href={ "/cases/" (c.case_id) } { (c.receipt_no) } }
                                td { (unit(c.unit_id)) }
                                td { (if c.status == "confirmed" { tr("属实") } else { tr("不实") }) }
                                td { (c.finding.note) }
                                td { (c.finding.action) }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// NV-6: the checks page.
pub async fn page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    Query(q): Query<ChecksQ>,
) -> Response {
    let month = q.month.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| this_month(&s));
    match body(&s, &p, month.trim(), q.done, None).await {
        Ok(b) => layout(Some(&p), large, tr("承诺核查"), b).into_response(),
        Err(e) => super::error_page(Some(&p), large, &e),
    }
}

/// NV-6: records what a verification found; back to the list saying so, or the form again.
pub async fn result(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let month = this_month(&s);
    let r: ApiResult<()> = async {
        check_csrf(&p, &f)?;
        let id: i64 = id.parse().map_err(|_| ApiError::from(commitments::not_found()))?;
        let confirmed = commitments::confirmed_of(&val(&f, "confirmed"))?;
        let b = ResultIn { confirmed, note: val(&f, "note"), action: val(&f, "action") };
        commitments::decide(&s, &p, id, b).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/commitment-checks?month={month}&done={id}#open")).into_response(),
        Err(e) => {
            let failed = id.parse().ok().map(|id| Failed { id, form: &f, error: &e });
            let b = body(&s, &p, &month, None, failed.as_ref()).await;
            super::again(&p, large, tr("承诺核查"), &e, b)
        }
    }
}
