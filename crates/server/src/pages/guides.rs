//! Public guides (CAT-2, PUB-1): no login; browse by unit, search, one item's full guide,
//! printable; the hotline and supervision numbers of the center on every page.

use super::{Large, esc, layout};
use crate::AppState;
use crate::extract::ApiPath;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noveto_store::repo::items;

#[derive(serde::Deserialize)]
pub struct GuideQ {
    q: Option<String>,
    unit: Option<i64>,
}

async fn contacts(s: &AppState) -> String {
    let centers = noveto_app::org::directory(s).await.map(|d| d.centers).unwrap_or_default();
    match centers.iter().find(|c| c.parent_id.is_none()) {
        Some(c) => format!(
            "<p class=\"note\">{}　咨询电话：<a href=\"tel:{h}\">{h}</a>　监督电话：<a href=\"tel:{sp}\">{sp}</a>{addr}</p>",
            esc(&c.name),
            h = esc(&c.hotline),
            sp = esc(&c.supervision_phone),
            addr = if c.address.is_empty() { String::new() } else { format!("　地址：{}", esc(&c.address)) }
        ),
        None => String::new(),
    }
}

pub async fn list(State(s): State<AppState>, Large(large): Large, Query(q): Query<GuideQ>) -> Response {
    let r = async {
        let (all, units) =
            (noveto_app::catalog::all_items(&s).await?, noveto_app::org::directory(&s).await?.units);
        let words = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(|w| w.chars().take(100).collect::<String>());
        let mut o = format!(
            "<section class=\"card\"><h1>办事指南</h1>{}<form method=\"get\" action=\"/guides\"><label>搜索事项（如：营业执照遗失、公积金提取）<input name=\"q\" value=\"{}\"></label><button>搜索</button></form></section>",
            contacts(&s).await,
            esc(words.as_deref().unwrap_or(""))
        );
        let found = match &words {
            Some(w) => noveto_app::catalog::list_items(&s, Some(w), None, 30).await?,
            None => vec![],
        };
        let shown: Vec<&items::Item> = match &words {
            Some(_) => found.iter().collect(),
            None => all.iter().filter(|i| q.unit.is_none() || i.unit_id == q.unit).collect(),
        };
        if words.is_none() {
            o.push_str("<section class=\"card\"><h2>按部门浏览</h2><p>");
            for u in &units {
                let n = all.iter().filter(|i| i.unit_id == Some(u.id)).count();
                if n > 0 {
                    o.push_str(&format!("<a class=\"pill\" href=\"/guides?unit={}\">{}（{n}）</a> ", u.id, esc(&u.name)));
                }
            }
            o.push_str("</p></section>");
        }
        o.push_str("<section class=\"card\"><table><tr><th>事项</th><th>实施部门</th><th>承诺时限</th><th>可用方式</th></tr>");
        if shown.is_empty() {
            o.push_str("<tr><td colspan=\"4\" class=\"muted\">没有找到相关事项。可拨打咨询电话，或到综合咨询服务台，工作人员会告诉您怎么办。</td></tr>");
        }
        for i in shown {
            let unit = i.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.as_str()).unwrap_or("");
            let mut ways = vec![];
            if i.online {
                ways.push("网上办");
            }
            if i.allows_deficiency {
                ways.push("容缺受理");
            }
            if i.allows_commitment {
                ways.push("告知承诺");
            }
            if i.assisted {
                ways.push("帮办代办");
            }
            o.push_str(&format!(
                "<tr><td><a href=\"/guides/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&i.code),
                esc(&i.name),
                esc(unit),
                if i.time_limit_wd == 0 { "即办".to_string() } else { format!("{} 个工作日", i.time_limit_wd) },
                ways.join("、")
            ));
        }
        o.push_str("</table></section>");
        Ok::<_, noveto_app::Error>(o)
    }
    .await;
    match r {
        Ok(b) => layout(None, large, "办事指南", &b).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            layout(None, large, "办事指南", "<p class=\"err\">暂时无法读取办事指南，请稍后再试。</p>"),
        )
            .into_response(),
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
            return (
                StatusCode::NOT_FOUND,
                layout(
                    None,
                    large,
                    "办事指南",
                    "<section class=\"card\"><p>没有这个事项。<a href=\"/guides\">返回办事指南</a></p></section>",
                ),
            )
                .into_response();
        }
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                layout(None, large, "办事指南", "<p class=\"err\">暂时无法读取。</p>"),
            )
                .into_response();
        }
    };
    let unit = item.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default();
    let yn = |b: bool| if b { "是" } else { "否" };
    let mut o = format!(
        "<section class=\"card\"><h1>{}</h1><p class=\"muted\">事项编码：{}　第 {} 版</p>{}<table>\
<tr><th>实施部门</th><td>{}</td></tr><tr><th>受理单位</th><td>{}</td></tr><tr><th>设定依据</th><td>{}</td></tr>\
<tr><th>承诺时限</th><td>{}</td></tr><tr><th>收费</th><td>{}{}</td></tr><tr><th>咨询电话</th><td>{}</td></tr>\
<tr><th>网上办理</th><td>{}</td></tr><tr><th>容缺受理</th><td>{}</td></tr><tr><th>告知承诺</th><td>{}</td></tr><tr><th>帮办代办</th><td>{}</td></tr></table>",
        esc(&item.name),
        esc(&item.code),
        item.version,
        contacts(&s).await,
        esc(&unit),
        esc(if item.accepting_unit.is_empty() { &unit } else { &item.accepting_unit }),
        esc(&item.legal_basis),
        if item.time_limit_wd == 0 { "即办".to_string() } else { format!("{} 个工作日", item.time_limit_wd) },
        esc(if item.fees.is_empty() { "不收费" } else { &item.fees }),
        if item.fee_basis.is_empty() { String::new() } else { format!("（依据：{}）", esc(&item.fee_basis)) },
        esc(&item.phone),
        yn(item.online),
        yn(item.allows_deficiency),
        yn(item.allows_commitment),
        yn(item.assisted),
    );
    if !item.steps.is_empty() {
        o.push_str(&format!(
            "<h2>办理流程</h2><ol>{}</ol>",
            item.steps.iter().map(|s| format!("<li>{}</li>", esc(s))).collect::<String>()
        ));
    }
    o.push_str("<h2>申请材料</h2><table><tr><th>材料</th><th>要求</th><th>样表与常见问题</th></tr>");
    for m in &item.materials {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}<br><small class=\"muted\">{}</small></td></tr>",
            esc(&m.name),
            if m.main { "主件（必须）" } else { "非要件（可容缺后补）" },
            esc(&m.sample),
            esc(&m.common_errors)
        ));
    }
    o.push_str("</table><p class=\"noprint\"><button type=\"button\" data-print>打印本指南</button> <a href=\"/guides\">返回</a></p></section><script src=\"/static/print.js\"></script>");
    layout(None, large, &item.name, &o).into_response()
}
