//! Public guides (CAT-2, PUB-1): no login; browse by unit, search, one item's full guide,
//! printable; the hotline and supervision numbers of the center on every page.

use super::{Large, layout};
use crate::AppState;
use crate::extract::ApiPath;
use crate::i18n::{tr, trf};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use noveto_store::repo::items;

#[derive(serde::Deserialize)]
pub struct GuideQ {
    q: Option<String>,
    unit: Option<i64>,
}

pub async fn contacts(s: &AppState) -> Markup {
    let centers = noveto_app::org::directory(s).await.map(|d| d.centers).unwrap_or_default();
    html! {
        @if let Some(c) = centers.iter().find(|c| c.parent_id.is_none()) {
            p.note {
                (c.name) "　" (tr("咨询电话：")) a href={ "tel:" (c.hotline) } { (c.hotline) }
                "　" (tr("监督电话：")) a href={ "tel:" (c.supervision_phone) } { (c.supervision_phone) }
                @if !c.address.is_empty() { "　" (tr("地址：")) (c.address) }
                br;
                a href="/report" { (tr("反映“办不成事”")) } "　" a href="/complain" { (tr("“吐槽找茬”")) } "　" a href="/follow" { (tr("查询办理进度")) }
            }
        }
    }
}

/// An item's promised time limit in words (即办 for none).
pub fn time_limit(days: u32) -> String {
    if days == 0 { tr("即办").to_string() } else { trf("{} 个工作日", &[&days]) }
}

pub async fn list(State(s): State<AppState>, Large(large): Large, Query(q): Query<GuideQ>) -> Response {
    let r = async {
        let (all, units) =
            (noveto_app::catalog::all_items(&s).await?, noveto_app::org::directory(&s).await?.units);
        let words = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(|w| w.chars().take(100).collect::<String>());
        let found = match &words {
            Some(w) => noveto_app::catalog::list_items(&s, Some(w), None, 30).await?,
            None => vec![],
        };
        let shown: Vec<&items::Item> = match &words {
            Some(_) => found.iter().collect(),
            None => all.iter().filter(|i| q.unit.is_none() || i.unit_id == q.unit).collect(),
        };
        let contacts = contacts(&s).await;
        // CAT-4: a question about a life event is shown its bundle first; without one, every bundle.
        let event = match &words {
            Some(w) => noveto_app::bundles::intent(&s, w).await?,
            None => None,
        };
        let bundles = if words.is_none() { noveto_app::bundles::all(&s).await? } else { vec![] };
        Ok::<_, noveto_app::Error>(html! {
            section.card {
                h1 { (tr("办事指南")) }
                (contacts)
                form method="get" action="/guides" {
                    label { (tr("搜索事项或要办的事（如：营业执照遗失、开饭店要办什么证）")) input name="q" value=(words.as_deref().unwrap_or("")); }
                    button { (tr("搜索")) }
                }
            }
            @if let Some(v) = &event { (bundle_card(v, false)) }
            @if !bundles.is_empty() {
                section.card {
                    h2 { (tr("一件事一次办")) }
                    p.muted { (tr("一件事涉及的多个事项，一次告知、一表申请、一窗受理，共用的材料只交一次。")) }
                    p {
                        @for b in &bundles {
                            a.pill href={ "/guides/bundles/" (b.code) } { (b.name) } " "
                        }
                    }
                }
            }
            @if words.is_none() {
                section.card {
                    h2 { (tr("按部门浏览")) }
                    p {
                        @for u in &units {
                            @let n = all.iter().filter(|i| i.unit_id == Some(u.id)).count();
                            @if n > 0 { a.pill href={ "/guides?unit=" (u.id) } { (u.name) "（" (n) "）" } " " }
                        }
                    }
                }
            }
            section.card {
                table {
                    tr { th { (tr("事项")) } th { (tr("实施部门")) } th { (tr("承诺时限")) } th { (tr("可用方式")) } }
                    @if shown.is_empty() {
                        tr { td colspan="4" class="muted" { (tr("没有找到相关事项。可拨打咨询电话，或到综合咨询服务台，工作人员会告诉您怎么办。")) } }
                    }
                    @for i in shown {
                        @let unit = i.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.as_str()).unwrap_or("");
                        @let ways: Vec<&str> = [
                            (i.online, tr("网上办")),
                            (i.allows_deficiency, tr("容缺受理")),
                            (i.allows_commitment, tr("告知承诺")),
                            (i.assisted, tr("帮办代办")),
                        ].into_iter().filter(|x| x.0).map(|x| x.1).collect();
                        tr {
                            td { a href={ "/guides/" (i.code) } { (i.name) } }
                            td { (unit) }
                            td { (time_limit(i.time_limit_wd)) }
                            td { (ways.join(tr("、"))) }
                        }
                    }
                }
            }
        })
    }
    .await;
    match r {
        Ok(b) => layout(None, large, tr("办事指南"), b).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            layout(None, large, tr("办事指南"), html! { p.err { (tr("暂时无法读取办事指南，请稍后再试。")) } }),
        )
            .into_response(),
    }
}

/// CAT-4: a bundle — its items in order with unit and time, the shared materials, the total —
/// in full on its own page, or as the first answer to a question about the life event.
pub fn bundle_card(v: &noveto_app::bundles::View, full: bool) -> Markup {
    html! {
        section.card.bundle {
            @if full { h1 { (v.name) } } @else {
                p.note { strong { (tr("您要办的可能是：")) } a href={ "/guides/bundles/" (v.code) } { (v.name) } }
            }
            p { (v.description) }
            ol {
                @for st in &v.steps {
                    li {
                        a href={ "/guides/" (st.code) } { (st.name) } " "
                        small.muted { (st.unit) (tr("，")) (time_limit(st.time_limit_wd)) @if st.online { (tr("，")) (tr("可网上办")) } }
                    }
                }
            }
            p {
                (trf("共 {} 个事项，依次办理合计不超过 {} 个工作日；共需 {} 种材料。", &[&v.steps.len(), &v.total_wd, &v.materials]))
            }
            @if !v.shared.is_empty() {
                p { strong { (tr("共用材料（只交一次）：")) } (v.shared.join(tr("、"))) }
            }
            @if !full { p { a href={ "/guides/bundles/" (v.code) } { (tr("查看这件事的完整说明")) } } }
        }
    }
}

/// CAT-4: one life-event bundle (public).
pub async fn bundle(State(s): State<AppState>, Large(large): Large, ApiPath(code): ApiPath<String>) -> Response {
    let contacts = contacts(&s).await;
    match noveto_app::bundles::get(&s, &code).await {
        Ok(v) => layout(
            None,
            large,
            &v.name.clone(),
            html! {
                p { a href="/guides" { (tr("返回办事指南")) } }
                (bundle_card(&v, true))
                section.card { (contacts) }
            },
        )
        .into_response(),
        Err(e) => {
            let e = crate::error::ApiError::from(e);
            (
                e.status,
                layout(
                    None,
                    large,
                    tr("办事指南"),
                    html! {
                        section.card {
                            p.err role="alert" { (crate::i18n::tr_text(&e.message)) }
                            p { a href="/guides" { (tr("返回办事指南")) } }
                            (contacts)
                        }
                    },
                ),
            )
                .into_response()
        }
    }
}

pub async fn one(State(s): State<AppState>, Large(large): Large, ApiPath(code): ApiPath<String>) -> Response {
    let c2 = code.clone();
    let found = async {
        let i = noveto_app::catalog::get_item(&s, &c2).await?;
        Ok::<_, noveto_app::Error>((i, noveto_app::org::directory(&s).await?.units))
    }
    .await;
    let (item, units) = match found {
        Ok((Some(i), u)) => (i, u),
        Ok((None, _)) => {
            let body = html! {
                section.card { p { (tr("没有这个事项。")) a href="/guides" { (tr("返回办事指南")) } } }
            };
            return (StatusCode::NOT_FOUND, layout(None, large, tr("办事指南"), body)).into_response();
        }
        Err(_) => {
            let body = html! { p.err { (tr("暂时无法读取。")) } };
            return (StatusCode::SERVICE_UNAVAILABLE, layout(None, large, tr("办事指南"), body)).into_response();
        }
    };
    let unit = item.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default();
    let yn = |b: bool| if b { tr("是") } else { tr("否") };
    let contacts = contacts(&s).await;
    let body = html! {
        section.card {
            h1 { (item.name) }
            p.muted { (tr("事项编码：")) (item.code) "　" (trf("第 {} 版", &[&item.version])) }
            (contacts)
            table {
                tr { th { (tr("实施部门")) } td { (unit) } }
                tr { th { (tr("受理单位")) } td { (if item.accepting_unit.is_empty() { &unit } else { &item.accepting_unit }) } }
                tr { th { (tr("设定依据")) } td { (item.legal_basis) } }
                tr { th { (tr("承诺时限")) } td { (time_limit(item.time_limit_wd)) } }
                tr {
                    th { (tr("收费")) }
                    td {
                        @if item.fees.is_empty() { (tr("不收费")) } @else { (item.fees) }
                        @if !item.fee_basis.is_empty() { (trf("（依据：{}）", &[&item.fee_basis])) }
                    }
                }
                tr { th { (tr("咨询电话")) } td { (item.phone) } }
                tr { th { (tr("网上办理")) } td { (yn(item.online)) } }
                tr { th { (tr("容缺受理")) } td { (yn(item.allows_deficiency)) } }
                tr { th { (tr("告知承诺")) } td { (yn(item.allows_commitment)) } }
                tr { th { (tr("帮办代办")) } td { (yn(item.assisted)) } }
            }
            @if !item.steps.is_empty() {
                h2 { (tr("办理流程")) }
                ol { @for st in &item.steps { li { (st) } } }
            }
            // NV-1: what happens after acceptance, and how long each part may take.
            @if !item.stages.is_empty() {
                h2 { (tr("受理后的办理环节")) }
                @let days = noveto_domain::case::stage_days(&item.stages, item.time_limit_wd);
                ol {
                    @for (n, st) in item.stages.iter().enumerate() {
                        li {
                            (st.name) " "
                            small.muted {
                                @if days[n] == 0 { (tr("受理当日完成")) } @else { (trf("受理后第 {} 个工作日内完成", &[&days[n]])) }
                            }
                        }
                    }
                }
            }
            h2 { (tr("申请材料")) }
            table {
                tr { th { (tr("材料")) } th { (tr("要求")) } th { (tr("样表与常见问题")) } }
                @for m in &item.materials {
                    tr {
                        td { (m.name) }
                        td { (if m.main { tr("主件（必须）") } else { tr("非要件（可容缺后补）") }) }
                        td { (m.sample) br; small.muted { (m.common_errors) } }
                    }
                }
            }
            p.noprint { button type="button" data-print { (tr("打印本指南")) } " " a href="/guides" { (tr("返回")) } }
        }
        script src="/static/print.js" {}
    };
    layout(None, large, &item.name, body).into_response()
}
