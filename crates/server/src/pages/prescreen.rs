//! NV-12: the pre-screening page (预判/导办) at the consultation desk or any window — the item's
//! materials to tick, what is missing with how to get it on a printable list, and registration
//! from it without typing the item again.

use super::{Large, Visitor, beside, check_csrf, csrf_field, layout, render, val};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{tr, trf};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

#[derive(serde::Deserialize, Default)]
pub struct PrescreenQ {
    item_code: Option<String>,
}

/// The item picker and, once an item is chosen, its materials to tick.
async fn form(s: &AppState, p: &crate::auth::Principal, code: &str, e: Option<&ApiError>) -> ApiResult<Markup> {
    let items = noveto_app::catalog::all_items(s).await?;
    let item = if code.is_empty() { None } else { noveto_app::catalog::get_item(s, code).await? };
    let counted = match p.own_window() {
        Some(w) => Some(noveto_app::prescreen::this_month(s, w).await?),
        None => None,
    };
    Ok(html! {
        section.card {
            h1 { (tr("预判：核对群众带来的材料")) }
            p.muted { (tr("在排队或登记之前，对照事项库的材料清单逐项核对，一次说清缺什么、怎么补。")) }
            @if let Some((n, became)) = counted {
                p.muted { (trf("本窗口本月已预判 {} 次，其中 {} 次已登记办件。", &[&n, &became])) }
            }
            form method="get" action="/prescreen" {
                label {
                    (tr("事项编码"))
                    input name="item_code" list="items" maxlength="40" required value=(code);
                    (beside(e, "item_code"))
                }
                button { (tr("显示材料清单")) }
            }
            datalist id="items" { @for i in &items { option value=(i.code) { (i.name) } } }
        }
        @if let Some(i) = &item {
            section.card {
                h2 { (i.name) }
                form method="post" action="/prescreen" {
                    (csrf_field(p))
                    input type="hidden" name="item_code" value=(i.code);
                    table {
                        tr { th { (tr("已带")) } th { (tr("材料")) } }
                        @for (k, m) in i.materials.iter().enumerate() {
                            tr {
                                td { input type="checkbox" name={ "m" (k) } value=(m.name) aria-label=(m.name); }
                                td { (m.name) @if m.main { (tr("（主件）")) } }
                            }
                        }
                    }
                    button { (tr("核对")) }
                }
            }
        }
    })
}

pub async fn page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<PrescreenQ>,
) -> Response {
    let code = q.item_code.unwrap_or_default();
    let r = form(&s, &p, code.trim(), None).await;
    render(&p, large, tr("预判"), r)
}

pub async fn submit(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let code = val(&f, "item_code");
    let r = async {
        check_csrf(&p, &f)?;
        let mut keys: Vec<u32> = f.keys().filter_map(|k| k.strip_prefix('m')?.parse().ok()).collect();
        keys.sort_unstable();
        let brought = keys.iter().map(|k| val(&f, &format!("m{k}"))).collect();
        let b = noveto_app::prescreen::PrescreenIn { item_code: code.clone(), brought, window_id: None };
        Ok::<_, ApiError>(noveto_app::prescreen::record(&s, &p, b).await?)
    }
    .await;
    match r {
        Ok(ps) => {
            let item = noveto_app::catalog::get_item(&s, &ps.item_code).await.ok().flatten();
            let name = item.as_ref().map(|i| i.name.clone()).unwrap_or_default();
            let body = html! {
                section.card {
                    h1 { (tr("预判结果")) " · " (name) }
                    @if ps.outcome.complete {
                        p.note role="status" { (tr("材料齐全，可以登记受理。")) }
                    } @else {
                        p.warn role="status" {
                            (trf("还缺 {} 项材料（一次性告知）：", &[&ps.outcome.missing.len()]))
                            @if ps.outcome.main_present { " " (tr("主件已齐，符合条件的可以容缺受理。")) }
                        }
                        table {
                            tr { th { (tr("缺少的材料")) } th { (tr("主件")) } th { (tr("怎么补")) } }
                            @for m in &ps.outcome.missing {
                                tr {
                                    td { (m.name) }
                                    td { (if m.main { tr("是") } else { tr("否") }) }
                                    td {
                                        @if m.how_to_fix.is_empty() {
                                            (tr("按办事指南准备：")) a href={ "/guides/" (ps.item_code) } { (name) }
                                        } @else { (m.how_to_fix) }
                                    }
                                }
                            }
                        }
                    }
                    @if !ps.outcome.brought.is_empty() {
                        p { b { (tr("已带：")) } (ps.outcome.brought.join(tr("、"))) }
                    }
                    p.noprint {
                        button type="button" data-print { (tr("打印清单")) } " "
                        a href={ "/prescreen?item_code=" (ps.item_code) } { (tr("重新核对")) }
                    }
                    script src="/static/print.js" {}
                }
                section.card.noprint {
                    h2 { (tr("按此登记")) }
                    p.muted { (tr("登记后，受理时已带的材料自动勾选，不必重复录入。")) }
                    form method="post" action="/cases" {
                        (csrf_field(&p))
                        input type="hidden" name="kind" value="application";
                        input type="hidden" name="channel" value="window";
                        input type="hidden" name="item_code" value=(ps.item_code);
                        input type="hidden" name="prescreen_id" value=(ps.id);
                        input type="hidden" name="request" value=(name);
                        div.grid {
                            label { (crate::ui::t().applicant) input name="name" required maxlength="50"; }
                            label { (crate::ui::t().phone) input name="phone" required inputmode="tel"; }
                        }
                        button { (tr("登记")) }
                    }
                }
            };
            layout(Some(&p), large, tr("预判结果"), body).into_response()
        }
        Err(e) => match form(&s, &p, code.trim(), Some(&e)).await {
            Ok(b) => (e.status, layout(Some(&p), large, tr("预判"), b)).into_response(),
            Err(_) => super::error_page(Some(&p), large, &e),
        },
    }
}
