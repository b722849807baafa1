//! Administrator pages: centers, units, windows and desks, staff and roles, the liaison table,
//! AB posts (ORG-1 … ORG-4); the calendar year grid (CAL-1); the policy in force (POL-1).

use super::{Large, Visitor, check_csrf, csrf_field, error_page, layout, val};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::i18n::{tr, tr_text, trf};
use crate::ui::t;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use noveto_app::org as api;
use noveto_domain::access::{Action, Role, may_somewhere};
use noveto_store::repo::org;
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn opt_id(f: &HashMap<String, String>, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.trim().parse().ok())
}

/// The staff list's filter (issue 31, item 5): by name or login, by role, stopped accounts too,
/// a page at a time.
#[derive(serde::Deserialize, Default)]
pub struct StaffQ {
    q: Option<String>,
    role: Option<String>,
    inactive: Option<String>,
    page: Option<usize>,
}

pub async fn org_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<StaffQ>,
) -> Response {
    match org_body(&s, &p, None, &q).await {
        Ok(b) => layout(Some(&p), large, t().admin, b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// A failed administrator form: which one, what was typed, and the error (screens issue, item 4:
/// errors beside their field, the input kept, the form open again).
struct Failed<'a> {
    what: &'a str,
    form: &'a HashMap<String, String>,
    error: &'a ApiError,
    /// Every error of the form where it says them all at once (the first is `error`).
    more: &'a [ApiError],
}

impl Failed<'_> {
    fn all(&self) -> impl Iterator<Item = &ApiError> {
        std::iter::once(self.error).chain(self.more.iter().skip(1))
    }
}

/// The field an organisation error belongs to: its own, or the one its code names.
fn field_of(e: &ApiError) -> Option<&'static str> {
    e.field.or(match e.code {
        "invalid_email" => Some("email"),
        "invalid_level" => Some("level"),
        "invalid_login" => Some("login"),
        "invalid_role" => Some("role"),
        "invalid_scope" | "unknown_scope" | "scope_required" => Some("scope"),
        "same_person" => Some("backup_id"),
        "unknown_center" | "center_required" => Some("center_id"),
        "unknown_unit" | "unit_required" => Some("unit_id"),
        "unit_or_center_required" => Some("unit_id"),
        "window_required" => Some("window_id"),
        "leader_required" => Some("leader_id"),
        "contact_required" => Some("contact_id"),
        "unknown_staff" => Some("primary_id"),
        _ => None,
    })
}

/// One administrator form: `what` names its route (`/admin/{what}`), `fields` its inputs. While
/// it is the one that failed it is open, filled in as typed, each error beside its field.
struct AdminForm<'a> {
    p: &'a crate::auth::Principal,
    failed: Option<&'a Failed<'a>>,
}

impl AdminForm<'_> {
    fn mine(&self, what: &str) -> Option<&Failed<'_>> {
        self.failed.filter(|f| f.what == what)
    }
    /// The value typed into `field` of form `what`, if it failed.
    fn kept(&self, what: &str, field: &str) -> String {
        self.mine(what).map(|f| val(f.form, field)).unwrap_or_default()
    }
    fn err(&self, what: &str, field: &str) -> Markup {
        html! {
            @if let Some(e) = self.mine(what).and_then(|f| f.all().find(|e| field_of(e) == Some(field))) {
                span.err role="alert" { (tr_text(&e.message)) }
            }
        }
    }
    fn form(&self, what: &str, summary: &str, fields: &[&str], inner: Markup, submit: &str) -> Markup {
        let mine = self.mine(what);
        let stray: Vec<&ApiError> = mine
            .map(|f| f.all().filter(|e| !field_of(e).is_some_and(|x| fields.contains(&x))).collect())
            .unwrap_or_default();
        let count = mine.map_or(0, |f| f.all().count());
        html! {
            details open[mine.is_some()] {
                summary { (summary) }
                @if count > 1 { p.err role="alert" { (trf("有 {} 处需要改正，见各栏下的说明。", &[&count])) } }
                @for e in stray { p.err role="alert" { (tr_text(&e.message)) } }
                form method="post" action={ "/admin/" (what) } {
                    (csrf_field(self.p))
                    div.grid { (inner) }
                    button { (submit) }
                }
            }
        }
    }
    /// A text input kept as typed, with its error beside it.
    fn input(&self, what: &str, name: &str, label: &str, extra: Option<&str>) -> Markup {
        html! {
            label {
                (label)
                @match extra {
                    Some("required") => input name=(name) required value=(self.kept(what, name));,
                    Some("password") => input name=(name) type="password" required minlength="10";,
                    Some("email") => input name=(name) type="email" value=(self.kept(what, name));,
                    _ => input name=(name) value=(self.kept(what, name));,
                }
                (self.err(what, name))
            }
        }
    }
    /// A picker by name, the typed choice kept.
    fn select(&self, what: &str, name: &str, label: &str, none: Option<&str>, opts: &[(String, String)]) -> Markup {
        let chosen = self.kept(what, name);
        html! {
            label {
                (label)
                select name=(name) {
                    @if let Some(n) = none { option value="" { (n) } }
                    @for (v, l) in opts { option value=(v) selected[chosen == *v] { (l) } }
                }
                (self.err(what, name))
            }
        }
    }
}

/// People a page of the staff list shows.
const STAFF_PAGE: usize = 30;

async fn org_body(
    s: &AppState,
    p: &crate::auth::Principal,
    failed: Option<&Failed<'_>>,
    q: &StaffQ,
) -> ApiResult<Markup> {
    if !may_somewhere(&p.grants, Action::ManageOrg) {
        return Err(ApiError::forbidden(t().forbidden));
    }
    let noveto_app::org::Directory { centers, units, windows } = noveto_app::org::directory(s).await?;
    let all_staff = noveto_app::org::staff_directory(s, p).await?;
    // The staff table shows the people this administrator may see (the API's list, one door).
    let visible = api::visible_staff(s, p).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|i| all_staff.iter().find(|x| x.id == i)).map(|x| x.name.clone()).unwrap_or_else(|| "—".into())
    };
    let center_name = |id: Option<i64>| id.and_then(|i| centers.iter().find(|c| c.id == i)).map(|c| c.name.clone());
    let unit_name = |id: Option<i64>| units.iter().find(|u| Some(u.id) == id).map(|u| u.name.clone());
    let window_name = |w: &org::Window| window_label(&units, w);
    let level_label = |l: &str| match l {
        "city" => tr("市"),
        "county" => tr("县/区"),
        "town" => tr("乡镇"),
        _ => tr("其他"),
    };
    // Pickers by name: never a number to type (screens issue, item 4).
    let center_opts: Vec<(String, String)> = centers.iter().map(|c| (c.id.to_string(), c.name.clone())).collect();
    let unit_opts: Vec<(String, String)> = units
        .iter()
        .map(|u| (u.id.to_string(), format!("{}（{}）", u.name, center_name(Some(u.center_id)).unwrap_or_default())))
        .collect();
    let window_opts: Vec<(String, String)> = windows.iter().map(|w| (w.id.to_string(), window_name(w))).collect();
    let staff_opts: Vec<(String, String)> =
        all_staff.iter().map(|x| (x.id.to_string(), format!("{}（{}）", x.name, x.login))).collect();
    let scope_opts = scope_options(&centers, &units, &windows);
    let level_opts: Vec<(String, String)> =
        ["city", "county", "town"].iter().map(|l| (l.to_string(), level_label(l).to_string())).collect();
    let kind_opts: Vec<(String, String)> =
        org::WINDOW_KINDS.iter().map(|(k, l)| (k.to_string(), tr(l).to_string())).collect();
    let f = AdminForm { p, failed };
    let csrf = csrf_field(p);
    let words = q.q.as_deref().map(str::trim).unwrap_or("").chars().take(40).collect::<String>();
    let with_inactive = q.inactive.as_deref() == Some("1");
    let role = q.role.as_deref().and_then(Role::parse);
    let listed: Vec<&(org::Staff, Vec<noveto_domain::access::Grant>)> = visible
        .iter()
        .filter(|(st, _)| with_inactive || st.active)
        .filter(|(st, _)| words.is_empty() || st.name.contains(words.as_str()) || st.login.contains(words.as_str()))
        .filter(|(_, gs)| role.is_none_or(|r| gs.iter().any(|g| g.role == r)))
        .collect();
    let (page, pages, shown) = super::page_of(&listed, q.page, STAFF_PAGE);
    Ok(html! {
        section.card {
            h2 { (tr("中心")) }
            table {
                tr { th { (tr("名称")) } th { (tr("上级")) } th { (tr("层级")) } th { (tr("热线")) } th { (tr("监督电话")) } th { (tr("救济途径")) } }
                @for c in &centers {
                    tr {
                        td { (c.name) }
                        td { (center_name(c.parent_id).unwrap_or_default()) }
                        td { (level_label(&c.level)) }
                        td { (c.hotline) }
                        td { (c.supervision_phone) }
                        td {
                            @if c.review_body.is_empty() { span.warn { (tr("未设置")) } }
                            @else { (trf("复议：{}（{} 日）；诉讼：{}（{} 个月）", &[&c.review_body, &c.review_days, &c.court, &c.litigation_months])) }
                        }
                    }
                }
            }
            // NV-17: a refusal notice and /follow name where the applicant may turn.
            (f.form("remedies", tr("设置救济途径（行政复议、行政诉讼）"), &["center_id", "review_body", "review_days", "court", "litigation_months"], html! {
                (f.select("remedies", "center_id", tr("中心"), None, &center_opts))
                (f.input("remedies", "review_body", tr("行政复议机关"), Some("required")))
                (f.input("remedies", "review_days", tr("申请复议期限（日，法定 60 日）"), None))
                (f.input("remedies", "court", tr("管辖的人民法院"), Some("required")))
                (f.input("remedies", "litigation_months", tr("起诉期限（月，法定 6 个月）"), None))
            }, tr("保存")))
            (f.form("center", tr("新建中心"), &["name", "parent_id", "level", "hotline", "supervision_phone", "address", "region"], html! {
                (f.input("center", "name", tr("名称"), Some("required")))
                (f.select("center", "parent_id", tr("上级中心"), Some(tr("（无，最上级）")), &center_opts))
                (f.select("center", "level", tr("层级"), None, &level_opts))
                (f.input("center", "hotline", tr("热线"), None))
                (f.input("center", "supervision_phone", tr("监督电话"), None))
                (f.input("center", "address", tr("地址"), None))
                (f.input("center", "region", tr("日历地区（本地节假日）"), None))
            }, tr("创建")))
        }
        section.card {
            h2 { (tr("进驻单位与业务联系表")) }
            table {
                tr { th { (tr("单位")) } th { (tr("中心")) } th { (tr("分管领导")) } th { (tr("联系人")) } }
                @for u in &units {
                    tr {
                        td { (u.name) }
                        td { (center_name(Some(u.center_id)).unwrap_or_default()) }
                        td { (name_of(u.leader_id)) }
                        td { (name_of(u.contact_id)) }
                    }
                }
            }
            (f.form("unit", tr("新建单位"), &["center_id", "name"], html! {
                (f.select("unit", "center_id", tr("所在中心"), None, &center_opts))
                (f.input("unit", "name", tr("名称"), Some("required")))
            }, tr("创建")))
            (f.form("liaison", tr("设置业务联系表"), &["unit_id", "leader_id", "contact_id"], html! {
                (f.select("liaison", "unit_id", tr("单位"), None, &unit_opts))
                (f.select("liaison", "leader_id", tr("分管领导"), Some(tr("（请选择）")), &staff_opts))
                (f.select("liaison", "contact_id", tr("联系人"), Some(tr("（请选择）")), &staff_opts))
            }, tr("保存")))
        }
        section.card {
            h2 { (tr("窗口与专门服务台（AB 岗）")) }
            table {
                tr {
                    th { (tr("名称")) } th { (tr("类型")) } th { (tr("单位")) } th { (tr("A 岗")) }
                    th { (tr("B 岗")) } th { (tr("当前在岗")) } th { (tr("缺岗登记")) }
                }
                @for w in &windows {
                    tr {
                        td { (w.name) }
                        td { (org::WINDOW_KINDS.iter().find(|(k, _)| *k == w.kind).map(|(_, l)| tr(l)).unwrap_or("")) }
                        td { (unit_name(w.unit_id).unwrap_or_else(|| tr("（中心）").to_string())) }
                        td { (name_of(w.primary_id)) }
                        td { (name_of(w.backup_id)) }
                        td { (name_of(w.on_duty())) }
                        td {
                            form method="post" action="/admin/absence" {
                                (csrf)
                                input type="hidden" name="window_id" value=(w.id);
                                input type="hidden" name="absent" value=(if w.primary_absent { "0" } else { "1" });
                                button.secondary { (if w.primary_absent { tr("A 岗到岗") } else { tr("A 岗缺岗") }) }
                            }
                        }
                    }
                }
            }
            (f.form("window", tr("新建窗口或服务台"), &["unit_id", "center_id", "name", "kind"], html! {
                (f.select("window", "unit_id", tr("所属单位（业务窗口）"), Some(tr("（专门服务台不选）")), &unit_opts))
                (f.select("window", "center_id", tr("所在中心（专门服务台）"), Some(tr("（业务窗口不选）")), &center_opts))
                (f.input("window", "name", tr("名称"), Some("required")))
                (f.select("window", "kind", tr("类型"), None, &kind_opts))
            }, tr("创建")))
            (f.form("posts", tr("设置 AB 岗"), &["window_id", "primary_id", "backup_id"], html! {
                (f.select("posts", "window_id", tr("窗口"), None, &window_opts))
                (f.select("posts", "primary_id", tr("A 岗"), Some(tr("（无）")), &staff_opts))
                (f.select("posts", "backup_id", tr("B 岗"), Some(tr("（无）")), &staff_opts))
            }, tr("保存")))
        }
        section.card #staff {
            h2 { (tr("工作人员与角色")) }
            form method="get" action="/admin" {
                div.grid {
                    label { (tr("姓名或登录名")) input name="q" value=(words); }
                    label {
                        (tr("角色"))
                        select name="role" {
                            option value="" { (tr("（全部）")) }
                            @for r in Role::ALL { option value=(r.as_str()) selected[q.role.as_deref() == Some(r.as_str())] { (tr(r.label())) } }
                        }
                    }
                }
                label { input type="checkbox" name="inactive" value="1" checked[with_inactive]; " " (tr("包括已停用的账号")) }
                button { (tr("筛选")) }
            }
            p.muted { (trf("共 {} 人。", &[&listed.len()])) }
            table {
                tr { th { (tr("登录名")) } th { (tr("姓名")) } th { (tr("角色")) } th { (tr("状态")) } }
                @for (st, grants) in shown {
                    // Roles and their scopes by name (screens issue): 窗口工作人员（市场监管局 · 登记窗口）.
                    @let roles: Vec<String> = grants.iter().map(|g| {
                        use noveto_domain::access::ScopeKind;
                        let scope = match g.scope.kind {
                            ScopeKind::Center => center_name(Some(g.scope.id)),
                            ScopeKind::Unit => unit_name(Some(g.scope.id)),
                            ScopeKind::Window => windows.iter().find(|w| w.id == g.scope.id).map(window_name),
                        }.unwrap_or_else(|| tr("（已撤销）").to_string());
                        trf("{}（{}）", &[&tr(g.role.label()), &scope])
                    }).collect();
                    tr {
                        td { a href={ "/admin/staff/" (st.id) } { (st.login) } }
                        td { (st.name) }
                        td { (roles.join(tr("、"))) }
                        td { @if st.active { (tr("在岗")) } @else { span.pill.warn { (tr("已停用")) } } }
                    }
                }
            }
            (super::pager(page, pages, |n| format!("/admin?q={}&role={}&inactive={}&page={n}#staff", super::url_encode(&words), super::url_encode(q.role.as_deref().unwrap_or("")), if with_inactive { "1" } else { "" })))
            (f.form("staff", tr("新建工作人员"), &["login", "name", "password", "role", "scope", "email"], html! {
                (f.input("staff", "login", tr("登录名"), Some("required")))
                (f.input("staff", "name", tr("姓名"), Some("required")))
                (f.input("staff", "password", tr("初始密码（至少 10 位，字母、数字或符号混合，不含登录名）"), Some("password")))
                (role_pickers(&f, "staff", &scope_opts))
                (f.input("staff", "email", tr("电子邮箱（选填，用于期限提醒）"), Some("email")))
            }, tr("创建")))
        }
    })
}

/// A required picker's choice as an id.
/// A role and its place as a form sends them: `role`, and `scope` as `kind:id` (a bare
/// `scope_id`, read by the role's kind, is still understood).
fn role_in(f: &HashMap<String, String>) -> ApiResult<api::RoleIn> {
    use noveto_domain::access::ScopeKind;
    let role = val(f, "role");
    let picked = val(f, "scope");
    let (kind, id) = match picked.split_once(':') {
        Some((k, n)) => (ScopeKind::parse(k), n.parse().ok()),
        None => (Role::parse(&role).map(|r| r.scope_kind()), opt_id(f, "scope_id")),
    };
    let (Some(kind), Some(id)) = (kind, id) else {
        return Err(ApiError { field: Some("scope"), ..ApiError::bad("scope_required", tr("请选择角色范围")) });
    };
    let scope = match kind {
        ScopeKind::Center => api::ScopeIn { center_id: Some(id), unit_id: None, window_id: None },
        ScopeKind::Unit => api::ScopeIn { center_id: None, unit_id: Some(id), window_id: None },
        ScopeKind::Window => api::ScopeIn { center_id: None, unit_id: None, window_id: Some(id) },
    };
    Ok(api::RoleIn { role, scope })
}

/// A window by name for people: 市场监管局 · 登记窗口 (a center's desk by its own name).
fn window_label(units: &[org::Unit], w: &org::Window) -> String {
    match units.iter().find(|u| Some(u.id) == w.unit_id) {
        Some(u) => format!("{} · {}", u.name, w.name),
        None => w.name.clone(),
    }
}

/// Every place a role can be held at, as the place picker offers them (`kind:id`, by name).
fn scope_options(centers: &[org::Center], units: &[org::Unit], windows: &[org::Window]) -> Vec<(String, String)> {
    centers
        .iter()
        .map(|c| (format!("center:{}", c.id), trf("中心：{}", &[&c.name])))
        .chain(units.iter().map(|u| (format!("unit:{}", u.id), trf("单位：{}", &[&u.name]))))
        .chain(windows.iter().map(|w| (format!("window:{}", w.id), trf("窗口：{}", &[&window_label(units, w)]))))
        .collect()
}

/// The role picker (each role names the kind of place it is held at) and the place picker that
/// `keys.js` narrows to the places of the chosen role's kind; both kept as typed.
fn role_pickers(f: &AdminForm<'_>, what: &str, scope_opts: &[(String, String)]) -> Markup {
    let chosen_role = f.kept(what, "role");
    let chosen_scope = f.kept(what, "scope");
    html! {
        label {
            (tr("角色"))
            select name="role" {
                @for r in Role::ALL {
                    option value=(r.as_str()) data-kind=(r.scope_kind().as_str()) selected[chosen_role == r.as_str()] { (tr(r.label())) }
                }
            }
            (f.err(what, "role"))
        }
        label {
            (tr("范围（依角色：窗口、单位或中心）"))
            select name="scope" data-scope-of="role" {
                @for (v, l) in scope_opts { option value=(v) selected[chosen_scope == *v] { (l) } }
            }
            (f.err(what, "scope"))
        }
    }
}

fn required_id(f: &HashMap<String, String>, k: &'static str, code: &'static str, msg: &'static str) -> ApiResult<i64> {
    opt_id(f, k).ok_or_else(|| ApiError { field: Some(k), ..ApiError::bad(code, msg) })
}

pub async fn org_submit(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(what): ApiPath<String>,
    axum::Form(f): Form,
) -> Response {
    // ORG-2: the new-person form says everything wrong with it at once.
    if what == "staff" && check_csrf(&p, &f).is_ok() {
        let role = role_in(&f);
        let scope_missing = role.is_err();
        let mut errs: Vec<ApiError> = vec![];
        let roles = match role {
            Ok(r) => vec![r],
            Err(e) => {
                errs.push(e);
                vec![]
            }
        };
        let b = api::StaffIn {
            login: val(&f, "login"),
            name: val(&f, "name"),
            password: f.get("password").cloned().unwrap_or_default(),
            roles,
            email: Some(val(&f, "email")),
        };
        if let Err(es) = api::check_staff(&b) {
            // The missing place already says what the missing role would.
            errs.extend(es.into_iter().map(ApiError::from).filter(|e| !(scope_missing && e.code == "roles_required")));
        }
        if !errs.is_empty() {
            let failed = Failed { what: &what, form: &f, error: &errs[0], more: &errs };
            return match org_body(&s, &p, Some(&failed), &StaffQ::default()).await {
                Ok(b) => (errs[0].status, layout(Some(&p), large, t().admin, b)).into_response(),
                Err(e2) => error_page(Some(&p), large, &e2),
            };
        }
    }
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
            "remedies" => {
                let center_id = required_id(&f, "center_id", "center_required", tr("请选择中心"))?;
                let num = |k: &'static str, default: i64| val(&f, k).trim().parse::<i64>().unwrap_or(default);
                let b = noveto_app::org::RemediesIn {
                    review_body: val(&f, "review_body"),
                    review_days: num("review_days", 60),
                    court: val(&f, "court"),
                    litigation_months: num("litigation_months", 6),
                };
                noveto_app::org::set_remedies(&s, &p, center_id, b).await?;
                Ok(())
            }
            "unit" => {
                let center_id = required_id(&f, "center_id", "center_required", tr("请选择所在中心"))?;
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
                let unit = required_id(&f, "unit_id", "unit_required", tr("请选择单位"))?;
                let b = api::LiaisonIn {
                    leader_id: required_id(&f, "leader_id", "leader_required", tr("请选择分管领导"))?,
                    contact_id: required_id(&f, "contact_id", "contact_required", tr("请选择联系人"))?,
                };
                Ok(api::set_liaison(&s, &p, unit, b).await?)
            }
            "posts" => {
                let w = required_id(&f, "window_id", "window_required", tr("请选择窗口"))?;
                let b = api::PostsIn { primary_id: opt_id(&f, "primary_id"), backup_id: opt_id(&f, "backup_id") };
                Ok(api::set_posts(&s, &p, w, b).await?)
            }
            "absence" => {
                let w = required_id(&f, "window_id", "window_required", tr("请选择窗口"))?;
                api::set_absence(&s, &p, w, api::AbsenceIn { absent: val(&f, "absent") == "1" }).await?;
                Ok(())
            }
            "staff" => {
                let b = api::StaffIn {
                    login: val(&f, "login"),
                    name: val(&f, "name"),
                    password: f.get("password").cloned().unwrap_or_default(),
                    roles: vec![role_in(&f)?],
                    email: Some(val(&f, "email")),
                };
                api::create_staff(&s, &p, b).await?;
                Ok(())
            }
            _ => Err(ApiError::not_found(tr("操作"))),
        }
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => {
            let failed = Failed { what: &what, form: &f, error: &e, more: &[] };
            match org_body(&s, &p, Some(&failed), &StaffQ::default()).await {
                Ok(b) => (e.status, layout(Some(&p), large, t().admin, b)).into_response(),
                Err(e2) => error_page(Some(&p), large, &e2),
            }
        }
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
    calendar_body(&s, &p, large, q.year, None)
}

/// CAL-1: the next year's State Council notice uploaded from the calendar page (the same import
/// as `noveto calendar import` and POST /api/v1/calendar/years); the page answers beside the form.
pub async fn calendar_import(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    mp: axum::extract::Multipart,
) -> Response {
    let (fields, file) = upload(mp).await;
    if let Err(e) = check_csrf(&p, &fields) {
        return error_page(Some(&p), large, &e);
    }
    let r = async {
        let years = noveto_app::calendar::parse_years_file(&file)?;
        noveto_app::calendar::import(&s, Some(&p), years).await
    }
    .await;
    let (year, note) = match r {
        Ok((years, recomputed)) => {
            let list = years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(tr("、"));
            (
                years.last().copied(),
                Ok(trf("已导入 {} 年的通知，{} 件办件的期限已按新日历重新计算。", &[&list, &recomputed])),
            )
        }
        Err(e) => (None, Err(tr_text(&e.message))),
    };
    calendar_body(&s, &p, large, year, Some(note))
}

fn calendar_body(
    s: &AppState,
    p: &crate::auth::Principal,
    large: bool,
    year: Option<i32>,
    imported: Option<Result<String, String>>,
) -> Response {
    let cal = s.calendar();
    let (lo, hi) = cal.covered();
    let year = year.unwrap_or_else(|| s.now().year()).clamp(lo, cal.answers_until());
    let weekdays = [tr("一"), tr("二"), tr("三"), tr("四"), tr("五"), tr("六"), tr("日")];
    let month = |m: u32| -> Markup {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else { return html! {} };
        let pad = first.weekday().num_days_from_monday() as usize;
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| d.month() == m).collect();
        let mut cells: Vec<Option<NaiveDate>> = vec![None; pad];
        cells.extend(days.into_iter().map(Some));
        html! {
            div {
                h2 { (trf("{} 月", &[&m])) }
                table {
                    tr { @for d in &weekdays { th { (d) } } }
                    @for week in cells.chunks(7) {
                        tr {
                            @for d in week {
                                @match d {
                                    None => td {},
                                    Some(d) => {
                                        @let working = cal.is_working_day(*d).unwrap_or(false);
                                        @let weekend = d.weekday().num_days_from_monday() >= 5;
                                        @let cls = match (working, weekend) {
                                            (false, false) => "off",
                                            (true, true) => "mk",
                                            (false, true) => "we",
                                            _ => "",
                                        };
                                        td class=(cls) title=(tr_text(&cal.label(*d).unwrap_or_default())) { (d.day()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        section.card {
            h1 { (trf("{} 年工作日历", &[&year])) }
            p {
                (trf("已覆盖 {}–{} 年。", &[&lo, &hi]))
                @if let Some(n) = cal.year(year) {
                    // The notice by its title, its address as the link (never a bare URL).
                    @for u in &n.notices {
                        " " small.muted {
                            (tr("依据："))
                            @if u.starts_with("http") {
                                a href=(u) { (trf("国务院办公厅关于{}年部分节假日安排的通知", &[&year])) }
                            } @else { (u) }
                        }
                    }
                } @else {
                    // CAL-2: a year without a notice is shown as computed, and said to be provisional.
                    " " b.warn { (trf("{} 年尚未导入国务院通知：{}。", &[&year, &tr(noveto_domain::calendar::PROVISIONAL_NOTE)])) }
                }
            }
            form method="get" {
                label { (tr("年份")) input name="year" value=(year) inputmode="numeric"; }
                button { (tr("查看")) }
            }
            p {
                span.pill style="background:#fde2e2" { (tr("休息（节假日）")) } " "
                span.pill style="background:#e2f0fd" { (tr("调休上班")) } " "
                span.muted { (tr("灰色为周末")) }
            }
            div.cal { @for m in 1..=12u32 { (month(m)) } }
        }
        @if may_somewhere(&p.grants, Action::ManageCalendar) {
            section.card {
                h2 { (tr("导入下一年通知")) }
                p { (tr("每年 11 月国务院办公厅发布下一年的节假日安排通知后，请在此上传（TOML 或通知 JSON 格式），也可用命令行或接口导入。未导入的年份暂按《全国年节及纪念日放假办法》的法定节假日计算（无调休），相关期限标注“暂定”，导入后自动更正。")) }
                form method="post" action="/admin/calendar/import" enctype="multipart/form-data" {
                    (csrf_field(p))
                    label {
                        (tr("通知文件"))
                        input type="file" name="file" required accept=".toml,.json";
                        @if let Some(Err(e)) = &imported { span.err role="alert" { (e) } }
                    }
                    button { (tr("导入")) }
                }
                @if let Some(Ok(m)) = &imported { p.note role="status" { (m) } }
            }
        }
    };
    layout(Some(p), large, t().calendar, body).into_response()
}

/// POL-1: the policy in force, read-only, with where each number comes from.
pub async fn policy_page(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    policy_body(&s, &p, large, None)
}

/// POL-1: the administrator puts in a new version of the policy (a TOML file in the presets'
/// format); the page answers with what changed, or the error beside the file field.
pub async fn policy_import(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    mp: axum::extract::Multipart,
) -> Response {
    let (fields, file) = upload(mp).await;
    if let Err(e) = check_csrf(&p, &fields) {
        return error_page(Some(&p), large, &e);
    }
    let r = noveto_app::policy::import_file(&s, Some(&p), &file).await.map_err(ApiError::from);
    let status = match &r {
        Ok(_) => axum::http::StatusCode::OK,
        Err(e) => e.status,
    };
    (status, policy_body(&s, &p, large, Some(r))).into_response()
}

fn policy_body(
    s: &AppState,
    p: &crate::auth::Principal,
    large: bool,
    imported: Option<ApiResult<noveto_app::policy::Imported>>,
) -> Response {
    let pol = s.policy();
    let history: Vec<(String, u32, String)> = {
        let mut v: Vec<(String, u32, String)> = s
            .policies
            .read()
            .map(|m| m.values().map(|q| (q.id.clone(), q.version, q.name.clone())).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (&a.0, b.1).cmp(&(&b.0, a.1)));
        v
    };
    let rule = |name: &'static str, r: &noveto_domain::policy::RuleSpec| {
        html! { tr { td { (name) } td { (crate::ui::rule_spec_text(r)) } td { small { (tr_text(&r.document)) } } } }
    };
    let levels =
        |l: &[noveto_domain::access::DecisionLevel]| l.iter().map(|x| tr(x.label())).collect::<Vec<_>>().join(" → ");
    // When the policy says to file (head, tail, monthly); noveto files head and tail always and
    // rolls up monthly, which covers every preset.
    let filing: Vec<&str> = pol
        .veto
        .filing
        .iter()
        .map(|f| match f.as_str() {
            "at_request" => tr("报批时报备（头）"),
            "at_result" => tr("结果出来时报备（尾）"),
            "monthly" => tr("每月汇总报备"),
            other => other,
        })
        .collect();
    let body = html! {
        section.card {
            h1 { (trf("政策参数：{}（第 {} 版）", &[&tr_text(&pol.name), &pol.version])) }
            p.muted { (tr_text(&pol.document)) }
            table {
                tr { th { (tr("规则")) } th { (tr("取值")) } th { (tr("来源")) } }
                (rule(tr("请示答复（一般）"), &pol.gray_area.normal))
                (rule(tr("请示答复（重大/疑难）"), &pol.gray_area.major))
                tr {
                    td { (tr("请示层级")) }
                    td { (levels(&pol.gray_area.levels)) }
                    td {
                        (trf("重大事项自：{}", &[&tr(pol.gray_area.major_first_level.label())]))
                        @if pol.gray_area.major_report_same_day { (tr("，当日报告")) }
                    }
                }
                tr { td { (tr("否决审批层级")) } td { (levels(&pol.veto.levels)) } td { (trf("重大：{}", &[&levels(pol.veto_levels(true))])) } }
                (rule(tr("否决审批时限"), &pol.veto.decision))
                @if let Some(sp) = &pol.veto.decision_special { (rule(tr("否决审批时限（特殊）"), sp)) }
                tr { td { (tr("否决报备")) } td { (filing.join(tr("、"))) } td { small { (tr_text(&pol.veto.filing_document)) } } }
                tr { td { (tr("容缺补正期限（默认）")) } td { (trf("{} 个工作日", &[&pol.supplement_days])) } td {} }
                tr {
                    td { (tr("告知承诺事后核查期限")) }
                    td { (trf("{} 个工作日", &[&pol.commitment_check_days])) }
                    td { small { (tr("国办发〔2020〕42号：在规定期限内核查（期限为本系统默认）")) } }
                }
                tr { td { (tr("期限提醒提前")) } td { (trf("{} 个工作日", &[&pol.due_soon_days])) } td {} }
                tr { td { (tr("工作人员登录空闲超时")) } td { (trf("{} 分钟", &[&pol.session_idle_minutes])) } td {} }
                (rule(tr("办不成事（即办件）"), &pol.unresolved.simple))
                (rule(tr("办不成事（承诺件）"), &pol.unresolved.general))
                (rule(tr("办不成事（复杂）"), &pol.unresolved.complex))
                (rule(tr("办不成事（无法办理的书面说明）"), &pol.unresolved.impossible))
                (rule(tr("吐槽找茬（一般）"), &pol.complaint.normal))
                (rule(tr("吐槽找茬（复杂）"), &pol.complaint.complex))
                tr {
                    td { (tr("好差评")) }
                    td {
                        (trf("{} 级；设备 {}% + 短信 {}% + 回访 {}%；年度取四季度", &[
                            &pol.rating.scale,
                            &format!("{:.0}", pol.rating.weight_device * 100.0),
                            &format!("{:.0}", pol.rating.weight_sms * 100.0),
                            &format!("{:.0}", pol.rating.weight_callback * 100.0),
                        ]))
                        (if pol.rating.year == "sum" { tr("之和") } else { tr("平均") })
                    }
                    td {}
                }
                tr { td { (tr("考核运用")) } td colspan="2" { (tr_text(&pol.assessment)) } }
            }
            p.muted { (tr("政策变更只对变更后登记的办件生效；每个办件保留其登记时的政策版本。")) }
            @if history.len() > 1 {
                p.muted {
                    (tr("已存版本："))
                    (history.iter().map(|(id, v, name)| format!("{}（{id}）{}", tr_text(name), trf("第 {} 版", &[v]))).collect::<Vec<_>>().join(tr("、")))
                }
            }
        }
        @if may_somewhere(&p.grants, Action::ManagePolicy) {
            section.card #import {
                h2 { (tr("导入新版本")) }
                p { (tr("上传预设格式的 TOML 政策文件（版本号须大于已有版本）。新版本只对此后登记的办件生效，在办办件仍按原版本计算期限。也可在服务器上用命令行导入（见使用说明）。")) }
                form method="post" action="/admin/policy/import" enctype="multipart/form-data" {
                    (csrf_field(p))
                    label {
                        (tr("政策文件"))
                        input type="file" name="file" required accept=".toml";
                        @if let Some(Err(e)) = &imported { span.err role="alert" { (tr_text(&e.message)) } }
                    }
                    button { (tr("导入")) }
                }
                @if let Some(Ok(done)) = &imported {
                    div.note role="status" {
                        p { (trf("已导入“{}”第 {} 版，取代 {}；此后登记的办件按新版本计算期限。", &[&done.name, &done.version, &done.replaces])) }
                        @if done.changes.is_empty() {
                            p { (tr("与原版本相比没有变化。")) }
                        } @else {
                            table {
                                tr { th { (tr("字段")) } th { (tr("原值")) } th { (tr("新值")) } }
                                @for c in &done.changes { tr { td { code { (c.field) } } td { (c.before) } td { (c.after) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(Some(p), large, t().policy, body).into_response()
}

/// An upload form: its text fields and the bytes of its `file` field.
pub(super) async fn upload(mut mp: axum::extract::Multipart) -> (HashMap<String, String>, Vec<u8>) {
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
    (fields, file)
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

/// ORG-2 (issue 31, item 5): one person — name and e-mail, roles with their places (each taken
/// away by a button, one added with the place picker of its kind), a password reset, the account
/// stopped or started. Every form comes back with its error beside the field, as typed.
async fn staff_body(
    s: &AppState,
    p: &crate::auth::Principal,
    id: i64,
    failed: Option<&Failed<'_>>,
    done: Option<&str>,
) -> ApiResult<Markup> {
    let who = api::staff_member(s, p, id).await?;
    let noveto_app::org::Directory { centers, units, windows } = noveto_app::org::directory(s).await?;
    let window_name = |w: &org::Window| window_label(&units, w);
    let scope_opts = scope_options(&centers, &units, &windows);
    let scope_name = |g: &noveto_domain::access::Grant| {
        use noveto_domain::access::ScopeKind;
        match g.scope.kind {
            ScopeKind::Center => centers.iter().find(|c| c.id == g.scope.id).map(|c| c.name.clone()),
            ScopeKind::Unit => units.iter().find(|u| u.id == g.scope.id).map(|u| u.name.clone()),
            ScopeKind::Window => windows.iter().find(|w| w.id == g.scope.id).map(window_name),
        }
        .unwrap_or_else(|| tr("（已撤销）").to_string())
    };
    let base = format!("staff/{id}");
    let what = |a: &str| format!("{base}/{a}");
    let f = AdminForm { p, failed };
    let kept = |a: &str, k: &str, current: &str| match f.mine(&what(a)) {
        Some(x) => val(x.form, k),
        None => current.to_string(),
    };
    let said = match done {
        Some("profile") => Some(tr("已保存。")),
        Some("grant") => Some(tr("已添加角色。")),
        Some("revoke") => Some(tr("已撤销角色。")),
        Some("password") => Some(tr("密码已重置，该人员的登录会话已结束；请当面或电话告知新密码。")),
        Some("active") => Some(if who.active {
            tr("账号已启用。")
        } else {
            tr("账号已停用：其会话已结束，令牌和登录均不再可用。")
        }),
        _ => None,
    };
    Ok(html! {
        section.card {
            p { a href="/admin#staff" { (tr("返回工作人员名单")) } }
            h1 {
                (who.name) "（" (who.login) "）" " "
                @if who.active { span.pill { (tr("在岗")) } } @else { span.pill.warn { (tr("已停用")) } }
            }
            @if let Some(m) = said { p.ok role="status" { (m) } }
            (f.form(&what("profile"), tr("姓名与电子邮箱"), &["name", "email"], html! {
                label { (tr("姓名")) input name="name" required value=(kept("profile", "name", &who.name)); (f.err(&what("profile"), "name")) }
                label { (tr("电子邮箱（选填，用于期限提醒）")) input name="email" type="email" value=(kept("profile", "email", &who.email)); (f.err(&what("profile"), "email")) }
            }, tr("保存")))
        }
        section.card {
            h2 { (tr("角色")) }
            @if let Some(x) = f.mine(&what("revoke")) { p.err role="alert" { (tr_text(&x.error.message)) } }
            table {
                tr { th { (tr("角色")) } th { (tr("范围")) } th {} }
                @for g in &who.roles {
                    tr {
                        td { (tr(g.role.label())) }
                        td { (scope_name(g)) }
                        td {
                            form method="post" action={ "/admin/" (what("revoke")) } {
                                (csrf_field(p))
                                input type="hidden" name="role" value=(g.role.as_str());
                                input type="hidden" name="scope" value={ (g.scope.kind.as_str()) ":" (g.scope.id) };
                                button.secondary { (tr("撤销")) }
                            }
                        }
                    }
                }
            }
            (f.form(&what("grant"), tr("添加角色"), &["role", "scope"], role_pickers(&f, &what("grant"), &scope_opts), tr("添加")))
        }
        section.card {
            h2 { (tr("密码与账号")) }
            (f.form(&what("password"), tr("重置密码"), &["password"], html! {
                label {
                    (tr("新密码（至少 10 位，字母、数字或符号混合，不含登录名）"))
                    input name="password" type="password" required minlength="10";
                    (f.err(&what("password"), "password"))
                }
            }, tr("重置密码")))
            @if let Some(x) = f.mine(&what("active")) { p.err role="alert" { (tr_text(&x.error.message)) } }
            form method="post" action={ "/admin/" (what("active")) } {
                (csrf_field(p))
                @if who.active {
                    input type="hidden" name="active" value="0";
                    p.muted { (tr("不再在岗的人员请停用账号：其经办记录保留，会话立即结束，令牌和登录均不再可用。")) }
                    button.secondary { (tr("停用账号")) }
                } @else {
                    input type="hidden" name="active" value="1";
                    button { (tr("启用账号")) }
                }
            }
        }
    })
}

pub async fn staff_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::extract::Query(q): axum::extract::Query<DoneQ>,
) -> Response {
    match staff_body(&s, &p, id, None, q.done.as_deref()).await {
        Ok(b) => layout(Some(&p), large, t().admin, b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// ORG-2: one change to a person, from their page.
pub async fn staff_submit(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    let r: ApiResult<()> = async {
        check_csrf(&p, &f)?;
        let mut b = api::StaffUpdateIn::default();
        match action.as_str() {
            "profile" => {
                b.name = Some(val(&f, "name"));
                b.email = Some(val(&f, "email"));
            }
            "grant" => b.add_roles = vec![role_in(&f)?],
            "revoke" => b.remove_roles = vec![role_in(&f)?],
            "password" => b.password = Some(f.get("password").cloned().unwrap_or_default()),
            "active" => b.active = Some(val(&f, "active") == "1"),
            _ => return Err(ApiError::not_found(tr("操作"))),
        }
        api::update_staff(&s, &p, id, b).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?done={action}")).into_response(),
        Err(e) => {
            let what = format!("staff/{id}/{action}");
            let failed = Failed { what: &what, form: &f, error: &e, more: &[] };
            super::again(&p, large, t().admin, &e, staff_body(&s, &p, id, Some(&failed), None).await)
        }
    }
}
