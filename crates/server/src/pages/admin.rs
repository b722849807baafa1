//! Administrator pages: centers, units, windows and desks, staff and roles, the liaison table,
//! AB posts (ORG-1 … ORG-4); the calendar year grid (CAL-1); the policy in force (POL-1).

use super::{Large, Visitor, check_csrf, csrf_field, error_page, esc, layout, val};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::ui::t;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use noveto_app::org as api;
use noveto_domain::access::{Action, Role, may_somewhere};
use noveto_store::repo::org;
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn opt_id(f: &HashMap<String, String>, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.trim().parse().ok())
}

pub async fn org_page(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    match org_body(&s, &p, None).await {
        Ok(b) => layout(Some(&p), large, t().admin, &b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

async fn org_body(s: &AppState, p: &crate::auth::Principal, flash: Option<&ApiError>) -> ApiResult<String> {
    if !may_somewhere(&p.grants, Action::ManageOrg) {
        return Err(ApiError::forbidden(t().forbidden));
    }
    let noveto_app::org::Directory { centers, units, windows } = noveto_app::org::directory(s).await?;
    let all_staff = noveto_app::org::staff_directory(s, p).await?;
    // The staff table shows the people this administrator may see (the API's list, one door).
    let visible = api::visible_staff(s, p).await?;
    let csrf = csrf_field(p);
    let name_of = |id: Option<i64>| {
        id.and_then(|i| all_staff.iter().find(|x| x.id == i)).map(|x| esc(&x.name)).unwrap_or_else(|| "—".into())
    };
    let mut o = String::new();
    if let Some(e) = flash {
        o.push_str(&format!("<p class=\"err\" role=\"alert\">{}{}</p>", "", esc(&e.message)));
    }
    o.push_str("<section class=\"card\"><h2>中心</h2><table><tr><th>编号</th><th>名称</th><th>上级</th><th>层级</th><th>热线</th><th>监督电话</th></tr>");
    for c in &centers {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            esc(&c.name),
            c.parent_id.map(|x| x.to_string()).unwrap_or_default(),
            esc(&c.level),
            esc(&c.hotline),
            esc(&c.supervision_phone)
        ));
    }
    o.push_str(&format!(
        "</table><details><summary>新建中心</summary><form method=\"post\" action=\"/admin/center\">{csrf}<div class=\"grid\"><label>名称<input name=\"name\" required></label><label>上级中心编号<input name=\"parent_id\" inputmode=\"numeric\"></label><label>层级<select name=\"level\"><option value=\"city\">市</option><option value=\"county\">县/区</option><option value=\"town\">乡镇</option></select></label><label>热线<input name=\"hotline\"></label><label>监督电话<input name=\"supervision_phone\"></label><label>地址<input name=\"address\"></label><label>日历地区（本地节假日）<input name=\"region\"></label></div><button>创建</button></form></details></section>"
    ));
    o.push_str("<section class=\"card\"><h2>进驻单位与业务联系表</h2><table><tr><th>编号</th><th>单位</th><th>中心</th><th>分管领导</th><th>联系人</th></tr>");
    for u in &units {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            u.id,
            esc(&u.name),
            u.center_id,
            name_of(u.leader_id),
            name_of(u.contact_id)
        ));
    }
    o.push_str(&format!(
        "</table><details><summary>新建单位</summary><form method=\"post\" action=\"/admin/unit\">{csrf}<div class=\"grid\"><label>中心编号<input name=\"center_id\" required inputmode=\"numeric\"></label><label>名称<input name=\"name\" required></label></div><button>创建</button></form></details>\
<details><summary>设置业务联系表</summary><form method=\"post\" action=\"/admin/liaison\">{csrf}<div class=\"grid\"><label>单位编号<input name=\"unit_id\" required inputmode=\"numeric\"></label><label>分管领导（人员编号）<input name=\"leader_id\" required inputmode=\"numeric\"></label><label>联系人（人员编号）<input name=\"contact_id\" required inputmode=\"numeric\"></label></div><button>保存</button></form></details></section>"
    ));
    o.push_str("<section class=\"card\"><h2>窗口与专门服务台（AB 岗）</h2><table><tr><th>编号</th><th>名称</th><th>类型</th><th>单位</th><th>A 岗</th><th>B 岗</th><th>当前在岗</th><th></th></tr>");
    for w in &windows {
        let kind = org::WINDOW_KINDS.iter().find(|(k, _)| *k == w.kind).map(|(_, l)| *l).unwrap_or("");
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><form method=\"post\" action=\"/admin/absence\">{csrf}<input type=\"hidden\" name=\"window_id\" value=\"{}\"><input type=\"hidden\" name=\"absent\" value=\"{}\"><button class=\"secondary\">{}</button></form></td></tr>",
            w.id,
            esc(&w.name),
            w.unit_id.map(|x| x.to_string()).unwrap_or_else(|| "（中心）".into()),
            name_of(w.primary_id),
            name_of(w.backup_id),
            name_of(w.on_duty()),
            w.id,
            if w.primary_absent { "0" } else { "1" },
            if w.primary_absent { "A 岗到岗" } else { "A 岗缺岗" }
        ));
    }
    let kinds: String = org::WINDOW_KINDS.iter().map(|(k, l)| format!("<option value=\"{k}\">{l}</option>")).collect();
    o.push_str(&format!(
        "</table><details><summary>新建窗口或服务台</summary><form method=\"post\" action=\"/admin/window\">{csrf}<div class=\"grid\"><label>单位编号（业务窗口）<input name=\"unit_id\" inputmode=\"numeric\"></label><label>中心编号（专门服务台）<input name=\"center_id\" inputmode=\"numeric\"></label><label>名称<input name=\"name\" required></label><label>类型<select name=\"kind\">{kinds}</select></label></div><button>创建</button></form></details>\
<details><summary>设置 AB 岗</summary><form method=\"post\" action=\"/admin/posts\">{csrf}<div class=\"grid\"><label>窗口编号<input name=\"window_id\" required inputmode=\"numeric\"></label><label>A 岗（人员编号）<input name=\"primary_id\" inputmode=\"numeric\"></label><label>B 岗（人员编号）<input name=\"backup_id\" inputmode=\"numeric\"></label></div><button>保存</button></form></details></section>"
    ));
    o.push_str("<section class=\"card\"><h2>工作人员与角色</h2><table><tr><th>编号</th><th>登录名</th><th>姓名</th><th>角色</th></tr>");
    for (st, grants) in &visible {
        // Roles and their scopes by name (screens issue): 窗口工作人员（市场监管局 · 登记窗口）.
        let scope_name = |g: &noveto_domain::access::Grant| {
            use noveto_domain::access::ScopeKind;
            let unit_name = |id: Option<i64>| units.iter().find(|u| Some(u.id) == id).map(|u| u.name.clone());
            match g.scope.kind {
                ScopeKind::Center => centers.iter().find(|c| c.id == g.scope.id).map(|c| c.name.clone()),
                ScopeKind::Unit => unit_name(Some(g.scope.id)),
                ScopeKind::Window => windows.iter().find(|w| w.id == g.scope.id).map(|w| match unit_name(w.unit_id) {
                    Some(u) => format!("{u} · {}", w.name),
                    None => w.name.clone(),
                }),
            }
            .unwrap_or_else(|| format!("编号 {}", g.scope.id))
        };
        let roles: Vec<String> = grants.iter().map(|g| format!("{}（{}）", g.role.label(), scope_name(g))).collect();
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            st.id,
            esc(&st.login),
            esc(&st.name),
            esc(&roles.join("、"))
        ));
    }
    let roles: String =
        Role::ALL.iter().map(|r| format!("<option value=\"{}\">{}</option>", r.as_str(), r.label())).collect();
    o.push_str(&format!(
        "</table><details><summary>新建工作人员</summary><form method=\"post\" action=\"/admin/staff\">{csrf}<div class=\"grid\"><label>登录名<input name=\"login\" required></label><label>姓名<input name=\"name\" required></label><label>初始密码（至少 10 位，字母、数字或符号混合，不含登录名）<input name=\"password\" type=\"password\" required minlength=\"10\"></label><label>角色<select name=\"role\">{roles}</select></label><label>范围编号（窗口/单位/中心，依角色）<input name=\"scope_id\" required inputmode=\"numeric\"></label><label>电子邮箱（选填，用于期限提醒）<input name=\"email\" type=\"email\"></label></div><button>创建</button></form></details></section>"
    ));
    Ok(o)
}

pub async fn org_submit(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(what): ApiPath<String>,
    axum::Form(f): Form,
) -> Response {
    let r: ApiResult<()> = async {
        check_csrf(&p, &f)?;
        match what.as_str() {
            "center" => {
                let b = api::CenterIn {
                    name: val(&f, "name"),
                    parent_id: opt_id(&f, "parent_id"),
                    level: Some(val(&f, "level")),
                    address: Some(val(&f, "address")),
                    hotline: Some(val(&f, "hotline")),
                    supervision_phone: Some(val(&f, "supervision_phone")),
                    region: Some(val(&f, "region")),
                };
                api::create_center(&s, &p, b).await.map(|_| ())?;
                Ok(())
            }
            "unit" => {
                let center_id =
                    opt_id(&f, "center_id").ok_or_else(|| ApiError::bad("center_required", "请填写中心编号"))?;
                api::create_unit(&s, &p, api::UnitIn { center_id, name: val(&f, "name") }).await?;
                Ok(())
            }
            "window" => {
                let b = api::WindowIn {
                    unit_id: opt_id(&f, "unit_id"),
                    center_id: opt_id(&f, "center_id"),
                    name: val(&f, "name"),
                    kind: Some(val(&f, "kind")),
                };
                api::create_window(&s, &p, b).await?;
                Ok(())
            }
            "liaison" => {
                let unit = opt_id(&f, "unit_id").ok_or_else(|| ApiError::bad("unit_required", "请填写单位编号"))?;
                let b = api::LiaisonIn {
                    leader_id: opt_id(&f, "leader_id")
                        .ok_or_else(|| ApiError::bad("leader_required", "请填写分管领导编号"))?,
                    contact_id: opt_id(&f, "contact_id")
                        .ok_or_else(|| ApiError::bad("contact_required", "请填写联系人编号"))?,
                };
                Ok(api::set_liaison(&s, &p, unit, b).await?)
            }
            "posts" => {
                let w = opt_id(&f, "window_id").ok_or_else(|| ApiError::bad("window_required", "请填写窗口编号"))?;
                let b = api::PostsIn { primary_id: opt_id(&f, "primary_id"), backup_id: opt_id(&f, "backup_id") };
                Ok(api::set_posts(&s, &p, w, b).await?)
            }
            "absence" => {
                let w = opt_id(&f, "window_id").ok_or_else(|| ApiError::bad("window_required", "请填写窗口编号"))?;
                api::set_absence(&s, &p, w, api::AbsenceIn { absent: val(&f, "absent") == "1" }).await?;
                Ok(())
            }
            "staff" => {
                let role = val(&f, "role");
                let id = opt_id(&f, "scope_id").ok_or_else(|| ApiError::bad("scope_required", "请填写范围编号"))?;
                let kind = Role::parse(&role)
                    .map(|r| r.scope_kind())
                    .ok_or_else(|| ApiError::bad("invalid_role", "未知角色"))?;
                let scope = match kind {
                    noveto_domain::access::ScopeKind::Center => {
                        api::ScopeIn { center_id: Some(id), unit_id: None, window_id: None }
                    }
                    noveto_domain::access::ScopeKind::Unit => {
                        api::ScopeIn { center_id: None, unit_id: Some(id), window_id: None }
                    }
                    noveto_domain::access::ScopeKind::Window => {
                        api::ScopeIn { center_id: None, unit_id: None, window_id: Some(id) }
                    }
                };
                let b = api::StaffIn {
                    login: val(&f, "login"),
                    name: val(&f, "name"),
                    password: f.get("password").cloned().unwrap_or_default(),
                    roles: vec![api::RoleIn { role, scope }],
                    email: Some(val(&f, "email")),
                };
                api::create_staff(&s, &p, b).await?;
                Ok(())
            }
            _ => Err(ApiError::not_found("操作")),
        }
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => match org_body(&s, &p, Some(&e)).await {
            Ok(b) => (e.status, layout(Some(&p), large, t().admin, &b)).into_response(),
            Err(e2) => error_page(Some(&p), large, &e2),
        },
    }
}

#[derive(serde::Deserialize)]
pub struct YearQ {
    year: Option<i32>,
}

/// CAL-1: a year as a month grid, holidays and make-up working days marked.
pub async fn calendar_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<YearQ>,
) -> Response {
    let cal = s.calendar();
    let (lo, hi) = cal.covered();
    let year = q.year.unwrap_or_else(|| s.now().year()).clamp(lo, cal.answers_until());
    let mut o = format!("<section class=\"card\"><h1>{year} 年工作日历</h1><p>已覆盖 {lo}–{hi} 年。");
    if let Some(n) = cal.year(year) {
        for u in &n.notices {
            o.push_str(&format!(" <small class=\"muted\">依据：{}</small>", esc(u)));
        }
    } else {
        // CAL-2: a year without a notice is shown as computed, and said to be provisional.
        o.push_str(&format!(
            " <b class=\"warn\">{year} 年尚未导入国务院通知：{}。</b>",
            noveto_domain::calendar::PROVISIONAL_NOTE
        ));
    }
    o.push_str(&format!(
        "</p><form method=\"get\"><label>年份<input name=\"year\" value=\"{year}\" inputmode=\"numeric\"></label><button>查看</button></form><p><span class=\"pill\" style=\"background:#fde2e2\">休息（节假日）</span> <span class=\"pill\" style=\"background:#e2f0fd\">调休上班</span> <span class=\"muted\">灰色为周末</span></p><div class=\"cal\">"
    ));
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
            continue;
        };
        o.push_str(&format!("<div><h2>{m} 月</h2><table><tr><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th><th>六</th><th>日</th></tr><tr>"));
        let pad = first.weekday().num_days_from_monday();
        for _ in 0..pad {
            o.push_str("<td></td>");
        }
        let mut d = first;
        let mut col = pad;
        while d.month() == m {
            let working = cal.is_working_day(d).unwrap_or(false);
            let weekend = d.weekday().num_days_from_monday() >= 5;
            let cls = match (working, weekend) {
                (false, false) => "off",
                (true, true) => "mk",
                (false, true) => "we",
                _ => "",
            };
            let title = cal.label(d).unwrap_or_default();
            o.push_str(&format!("<td class=\"{cls}\" title=\"{}\">{}</td>", esc(&title), d.day()));
            col += 1;
            if col % 7 == 0 {
                o.push_str("</tr><tr>");
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        o.push_str("</tr></table></div>");
    }
    o.push_str("</div></section>");
    if may_somewhere(&p.grants, Action::ManageCalendar) {
        o.push_str("<section class=\"card\"><h2>导入下一年通知</h2><p>每年 11 月国务院办公厅发布下一年的节假日安排通知后，请用命令 <code>noveto calendar import 文件</code> 或接口 <code>POST /api/v1/calendar/years</code> 导入（支持 noveto 的 TOML 格式与通知 JSON 格式）。未导入的年份暂按《全国年节及纪念日放假办法》的法定节假日计算（无调休），相关期限标注“暂定”，导入后自动更正。</p></section>");
    }
    layout(Some(&p), large, t().calendar, &o).into_response()
}

/// POL-1: the policy in force, read-only, with where each number comes from.
pub async fn policy_page(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    let pol = s.policy();
    let rule = |name: &str, r: &noveto_domain::policy::RuleSpec| {
        format!("<tr><td>{name}</td><td>{}</td><td><small>{}</small></td></tr>", r.describe(), esc(&r.document))
    };
    let levels =
        |l: &[noveto_domain::access::DecisionLevel]| l.iter().map(|x| x.label()).collect::<Vec<_>>().join(" → ");
    let mut o = format!(
        "<section class=\"card\"><h1>政策参数：{}（第 {} 版）</h1><p class=\"muted\">{}</p><table><tr><th>规则</th><th>取值</th><th>来源</th></tr>",
        esc(&pol.name),
        pol.version,
        esc(&pol.document)
    );
    o.push_str(&rule("请示答复（一般）", &pol.gray_area.normal));
    o.push_str(&rule("请示答复（重大/疑难）", &pol.gray_area.major));
    o.push_str(&format!(
        "<tr><td>请示层级</td><td>{}</td><td>重大事项自：{}{}</td></tr>",
        levels(&pol.gray_area.levels),
        pol.gray_area.major_first_level.label(),
        if pol.gray_area.major_report_same_day { "，当日报告" } else { "" }
    ));
    o.push_str(&format!(
        "<tr><td>否决审批层级</td><td>{}</td><td>重大：{}</td></tr>",
        levels(&pol.veto.levels),
        levels(pol.veto_levels(true))
    ));
    o.push_str(&rule("否决审批时限", &pol.veto.decision));
    if let Some(sp) = &pol.veto.decision_special {
        o.push_str(&rule("否决审批时限（特殊）", sp));
    }
    // When the policy says to file (head, tail, monthly); noveto files head and tail always and
    // rolls up monthly, which covers every preset.
    let moments = &pol.veto.filing;
    let filing: Vec<&str> = moments
        .iter()
        .map(|f| match f.as_str() {
            "at_request" => "报批时报备（头）",
            "at_result" => "结果出来时报备（尾）",
            "monthly" => "每月汇总报备",
            other => other,
        })
        .collect();
    o.push_str(&format!(
        "<tr><td>否决报备</td><td>{}</td><td><small>{}</small></td></tr>",
        esc(&filing.join("、")),
        esc(&pol.veto.filing_document)
    ));
    o.push_str(&format!(
        "<tr><td>容缺补正期限（默认）</td><td>{} 个工作日</td><td></td></tr>\
<tr><td>期限提醒提前</td><td>{} 个工作日</td><td></td></tr>\
<tr><td>工作人员登录空闲超时</td><td>{} 分钟</td><td></td></tr>",
        pol.supplement_days, pol.due_soon_days, pol.session_idle_minutes
    ));
    o.push_str(&rule("办不成事（即办件）", &pol.unresolved.simple));
    o.push_str(&rule("办不成事（承诺件）", &pol.unresolved.general));
    o.push_str(&rule("办不成事（复杂）", &pol.unresolved.complex));
    o.push_str(&rule("办不成事（无法办理的书面说明）", &pol.unresolved.impossible));
    o.push_str(&rule("吐槽找茬（一般）", &pol.complaint.normal));
    o.push_str(&rule("吐槽找茬（复杂）", &pol.complaint.complex));
    o.push_str(&format!(
        "<tr><td>好差评</td><td>{} 级；设备 {:.0}% + 短信 {:.0}% + 回访 {:.0}%；年度取四季度{}</td><td></td></tr>",
        pol.rating.scale,
        pol.rating.weight_device * 100.0,
        pol.rating.weight_sms * 100.0,
        pol.rating.weight_callback * 100.0,
        if pol.rating.year == "sum" { "之和" } else { "平均" }
    ));
    o.push_str(&format!("<tr><td>考核运用</td><td colspan=\"2\">{}</td></tr></table><p class=\"muted\">政策变更只对变更后登记的办件生效；每个办件保留其登记时的政策版本。</p></section>", esc(&pol.assessment)));
    let _ = p.id;
    layout(Some(&p), large, t().policy, &o).into_response()
}

/// CAT-3: the catalog import and export page.
pub async fn catalog_page(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    catalog_body(&s, &p, large, None).await
}

async fn catalog_body(
    s: &AppState,
    p: &crate::auth::Principal,
    large: bool,
    report: Option<serde_json::Value>,
) -> Response {
    if !may_somewhere(&p.grants, Action::ManageCatalog) {
        return error_page(Some(p), large, &ApiError::forbidden(t().forbidden));
    }
    let all = noveto_app::catalog::all_items(s).await.unwrap_or_default();
    let mut o = String::new();
    if let Some(r) = report {
        o.push_str(&format!(
            "<section class=\"card\"><h2>导入结果</h2><p>共 {} 行，合格 {} 行，已导入 {} 行。</p>",
            r["rows"], r["valid"], r["imported"]
        ));
        let errs = r["errors"].as_array().cloned().unwrap_or_default();
        if !errs.is_empty() {
            o.push_str("<p class=\"err\">以下行有问题，请改正后重新导入（或勾选“只导入合格的行”）：</p><table><tr><th>行</th><th>列</th><th>问题</th></tr>");
            for e in errs {
                o.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e["row"],
                    esc(e["column"].as_str().unwrap_or("")),
                    esc(e["message"].as_str().unwrap_or(""))
                ));
            }
            o.push_str("</table>");
        }
        if let Some(m) = r["message"].as_str() {
            o.push_str(&format!("<p class=\"err\">{}</p>", esc(m)));
        }
        o.push_str("</section>");
    }
    o.push_str(&format!(
        "<section class=\"card\"><h1>事项库（{} 项）</h1><p><a href=\"/api/v1/catalog/export?format=xlsx\">导出 XLSX</a> · <a href=\"/api/v1/catalog/export?format=csv\">导出 CSV</a> · <a href=\"/guides\">公开办事指南</a></p>\
<form method=\"post\" action=\"/admin/catalog/import\" enctype=\"multipart/form-data\">{}<label>导入文件（XLSX 或 UTF-8 CSV，表头：{}）<input type=\"file\" name=\"file\" required accept=\".xlsx,.csv\"></label>\
<label><input type=\"checkbox\" name=\"partial\" value=\"1\"> 只导入合格的行</label><button>导入</button></form><p class=\"muted\">按事项编码更新：已有编码的事项保存为新版本，每次修改都保留。</p></section>",
        all.len(),
        csrf_field(p),
        noveto_app::catalog_file::COLUMNS.join("、")
    ));
    layout(Some(p), large, "事项库", &o).into_response()
}

pub async fn catalog_import(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    mut mp: axum::extract::Multipart,
) -> Response {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Vec<u8> = vec![];
    while let Ok(Some(f)) = mp.next_field().await {
        let name = f.name().unwrap_or_default().to_string();
        if name == "file" {
            file = f.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        } else if let Ok(t) = f.text().await {
            fields.insert(name, t);
        }
    }
    if let Err(e) = check_csrf(&p, &fields) {
        return error_page(Some(&p), large, &e);
    }
    let partial = fields.get("partial").is_some_and(|v| v == "1");
    let report = match noveto_app::catalog::import(&s, Some(&p), &file, partial).await {
        Ok(v) => serde_json::to_value(v).unwrap_or_default(),
        Err(e) => serde_json::json!({"rows": 0, "valid": 0, "imported": 0, "errors": [], "message": e.message}),
    };
    catalog_body(&s, &p, large, Some(report)).await
}
