//! The words of the user interface that have names, and the sentences of a case's timeline.
//! Every string is a catalog key (`crate::i18n`): written here in Simplified Chinese, shown in the
//! request's locale. Domain labels (statuses, roles, levels) live beside their types in the
//! domain crate (`label()`) and are shown through [`label`].

use crate::i18n::{Locale, tr, tr_in, trf};

/// Declares the interface's named strings once, in Simplified Chinese; `t()` gives them in the
/// request's locale through the catalog (`crate::i18n`), each key being its Simplified text.
macro_rules! strings {
    ($($field:ident: $text:literal,)*) => {
        pub struct Strings {
            $(pub $field: &'static str,)*
        }
        pub static ZH: Strings = Strings { $($field: $text,)* };
        fn translated(l: Locale) -> Strings {
            Strings { $($field: tr_in(l, $text),)* }
        }
        /// The keys of the named strings, for the catalog's completeness test.
        pub fn named_keys() -> Vec<&'static str> {
            vec![$($text,)*]
        }
    };
}

strings! {
    app: "noveto",
    app_long: "政务服务“窗口无否决权”办件系统",
    login: "登录",
    logout: "退出",
    login_name: "登录名",
    password: "密码",
    login_failed: "登录名或密码不正确",
    large_type: "大字模式",
    normal_type: "标准字号",
    home: "首页",
    workbench: "窗口工作台",
    inbox: "待我审批",
    filings: "否决报备",
    admin: "系统管理",
    calendar: "工作日历",
    policy: "政策参数",
    guides: "办事指南",
    faq: "问题咨询库",
    new_case: "接件登记",
    my_cases: "我的首问件（未办结）",
    no_my_cases: "目前没有未办结的首问件。新来的群众请在上方登记。",
    applicant: "申请人",
    phone: "联系电话",
    org: "单位名称",
    credit_code: "统一社会信用代码（选填）",
    item: "事项编码（选填）",
    channel: "渠道",
    request: "诉求内容",
    kind: "类型",
    submit: "提交",
    receipt_no: "受理编号",
    status: "状态",
    due: "期限",
    opened: "登记时间",
    timeline: "办理过程",
    deadlines: "期限",
    actions: "帮办操作",
    print: "打印文书",
    no_veto_note: "窗口无否决权：这里没有“拒绝”按钮。确实办不了的，请提出否决报批，经批准后方可否决。",
    inbox_empty: "没有等待您审批的事项。",
    escalations_waiting: "等待答复的请示",
    vetoes_waiting: "等待审批的否决报批",
    approve: "同意否决",
    deny: "不同意（写明如何办成）",
    opinion: "意见",
    supervision_empty: "目前没有超期事项。吐槽找茬与“办不成事”台账将在后续版本接入。",
    overdue: "已超期",
    due_today: "今日到期",
    forbidden: "您无权查看此页面。",
    not_found: "页面不存在。",
    csrf_failed: "表单已过期，请刷新页面后重试。",
    reply_check: "答复用语检查",
    reply_flagged: "答复中含有推诿用语，请改为告诉群众怎样能办成：",
    confirm_wording: "已阅上述提示，确认如此表述（将计入本窗口推诿用语统计）",
    send_anyway: "确认仍要发送（将被记录）",
}

static HANT_STRINGS: std::sync::LazyLock<Strings> = std::sync::LazyLock::new(|| translated(Locale::Hant));

/// The named strings in the request's locale.
pub fn t() -> &'static Strings {
    match crate::i18n::current() {
        Locale::Hans => &ZH,
        Locale::Hant => &HANT_STRINGS,
    }
}

/// Every interface string that comes from outside this crate's `tr` calls: the named strings
/// and the domain's labels (statuses, roles, levels, deadlines …), for the catalog test.
pub fn domain_strings() -> Vec<&'static str> {
    use noveto_domain::access::{DecisionLevel, Role};
    use noveto_domain::case::{Kind, Outcome, Status};
    use noveto_domain::deadline::State;
    use noveto_domain::suggestion as sg;
    let mut v = named_keys();
    v.extend(Status::ALL.iter().map(|s| s.label()));
    v.extend(Role::ALL.iter().map(|r| r.label()));
    v.extend([Kind::Application, Kind::Consultation].map(Kind::label));
    v.extend(
        [
            Outcome::Approved,
            Outcome::Answered,
            Outcome::Withdrawn,
            Outcome::Referred,
            Outcome::Vetoed,
            Outcome::NotRequired,
        ]
        .map(Outcome::label),
    );
    v.extend(
        ["window_head", "unit_leader", "unit_head", "collective", "center", "government"]
            .iter()
            .filter_map(|l| DecisionLevel::parse(l))
            .map(DecisionLevel::label),
    );
    v.extend([State::Running, State::DueSoon, State::Overdue, State::Met, State::Paused].map(State::label));
    v.extend(noveto_app::catalog::PARTS);
    v.extend(noveto_domain::unresolved::Class::ALL.map(|c| c.label()));
    v.extend(noveto_domain::unresolved::Status::ALL.map(|c| c.label()));
    v.extend(noveto_domain::complaint::Category::ALL.map(|c| c.label()));
    v.extend(noveto_domain::phrases::Shape::ALL.map(|s| s.suggestion()));
    v.extend(noveto_domain::complaint::Channel::ALL.map(|c| c.label()));
    v.extend(noveto_domain::complaint::Status::ALL.map(|c| c.label()));
    v.extend(noveto_app::public::step_labels());
    v.extend(
        [
            "reply",
            "veto_decision",
            "supplement",
            "promised_time_limit",
            "report_same_day",
            "unresolved_done",
            "unresolved_reasons",
            "unresolved_fallback",
            "complaint_done",
            "complaint_contact",
            "stage#0",
            "commitment_check",
            "x",
        ]
        .map(noveto_domain::deadline::label_of),
    );
    v.extend(sg::Source::ALL.iter().map(|s| s.label()));
    v.extend(sg::Status::ALL.iter().map(|s| s.label()));
    v.extend(noveto_store::repo::org::WINDOW_KINDS.iter().map(|(_, l)| *l));
    v.push(noveto_domain::calendar::PROVISIONAL_NOTE);
    v.extend(noveto_domain::case::ITEM_SOURCES);
    v.extend([noveto_app::reports::NO_ITEM, noveto_app::reports::NO_UNIT]);
    v.extend(noveto_app::reports::FIGURES.map(|(_, l)| l));
    v.extend(noveto_app::cases::ROLLUP_COLUMNS);
    v.extend([Some("approved"), Some("denied"), None].map(noveto_app::cases::filing_outcome));
    v
}

/// Every policy preset's own words — its name, the documents its numbers come from and its
/// assessment note — for the catalog test (issue 31, item 7: under 繁體 the system's own labels
/// follow the script). An imported policy's words not in the catalog show as written.
pub fn policy_strings() -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    match x {
                        serde_json::Value::String(t)
                            if (k == "name" || k == "assessment" || k.ends_with("document"))
                                && !t.trim().is_empty() =>
                        {
                            out.push(t.clone())
                        }
                        _ => walk(x, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = vec![];
    for id in noveto_domain::policy::PRESET_IDS {
        if let Ok(p) = noveto_domain::policy::Policy::preset(id) {
            walk(&serde_json::to_value(&p).unwrap_or_default(), &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A domain label in the request's locale.
pub fn label(s: &'static str) -> &'static str {
    tr(s)
}

/// What a deadline is for, in words (deadline keys may carry a `#n` suffix).
pub fn what_label(what: &str) -> &'static str {
    tr(noveto_domain::deadline::label_of(what))
}

/// A time for people: `2026-11-24 09:42` (never RFC 3339). Text that is not a time is kept.
pub fn when(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&noveto_domain::time::shanghai()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// A moment a ticket keeps, for people (empty when it has not happened).
pub fn when_at(at: &Option<chrono::DateTime<chrono::FixedOffset>>) -> String {
    at.map(|t| t.with_timezone(&noveto_domain::time::shanghai()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A day for people, with its year, as papers write it: 2026年12月11日.
pub fn day(d: chrono::NaiveDate) -> String {
    trf("{}年{}月{}日", &[&d.format("%Y"), &d.format("%-m"), &d.format("%-d")])
}

fn kind_label(v: &serde_json::Value) -> &'static str {
    match v.as_str() {
        Some("consultation") => tr("咨询"),
        _ => tr("申请"),
    }
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or("")
}

fn materials(v: &serde_json::Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    let fix = text(&m["how_to_fix"]);
                    if fix.is_empty() {
                        text(&m["material"]).to_string()
                    } else {
                        trf("{}（{}）", &[&text(&m["material"]), &fix])
                    }
                })
                .collect::<Vec<_>>()
                .join(tr("、"))
        })
        .unwrap_or_default()
}

/// One timeline event as one sentence, from its stored kind and detail (issue "screens": who
/// did what is read by people, not as keys and JSON).
pub fn describe(kind: &str, d: &serde_json::Value) -> String {
    use noveto_domain::access::DecisionLevel;
    use noveto_domain::case::{Outcome, VetoStatus};
    let level =
        |v: &serde_json::Value| v.as_str().and_then(DecisionLevel::parse).map(|l| tr(l.label())).unwrap_or(tr("上级"));
    match kind {
        "received" => tr("登记收件").into(),
        "accepted" if d["resumed"] == true => tr("所缺材料已补齐，承诺时限恢复计时").into(),
        "accepted" => match d["received"].as_array().filter(|a| !a.is_empty()) {
            Some(a) => trf(
                "受理，收到材料：{}",
                &[&a.iter()
                    .map(|m| {
                        let form = if m["original"] == false { tr("复印件") } else { tr("原件") };
                        trf("{}（{} {} 份）", &[&text(&m["material"]), &form, &m["copies"].as_u64().unwrap_or(1)])
                    })
                    .collect::<Vec<_>>()
                    .join(tr("、"))],
            ),
            None => tr("受理").into(),
        },
        "referred" => {
            // Where the person was sent: the unit and window (or the outside body), then the place.
            let target: Vec<&str> = ["to_body", "to_center_name", "to_unit_name", "to_window_name"]
                .iter()
                .map(|k| text(&d[*k]))
                .filter(|x| !x.is_empty())
                .collect();
            let mut s = if target.is_empty() {
                trf("出具指引牌：请到{}办理", &[&text(&d["address"])])
            } else {
                trf("出具指引牌：请到{}办理（{}）", &[&target.join(" · "), &text(&d["address"])])
            };
            if !text(&d["how"]).is_empty() {
                s.push_str(&trf("，{}", &[&text(&d["how"])]));
            }
            if !text(&d["contact"]).is_empty() {
                s.push_str(&trf("，联系方式 {}", &[&text(&d["contact"])]));
            }
            if d["handoff"] == true {
                s.push_str(tr("；已转交对方，待其确认接收"));
            }
            s
        }
        "growth_requested" => trf(
            "申请窗口负责人批准一次性告知新增材料：{}（理由：{}）",
            &[&materials(&d["missing"]), &text(&d["reason"])],
        ),
        "growth_denied" => trf("窗口负责人不同意新增告知材料：{}", &[&text(&d["opinion"])]),
        "placement_asked" => trf("归属不明，交窗口负责人、大厅负责人或综合咨询台分办：{}", &[&text(&d["question"])]),
        "placed" => tr("负责人分办：由本窗口办理").into(),
        "kind_changed" => {
            let mut s = trf(
                "更正办件类型：由“{}”改为“{}”（理由：{}）",
                &[&kind_label(&d["from"]), &kind_label(&d["to"]), &text(&d["reason"])],
            );
            if d["confirmed_by"].is_i64() {
                s.push_str(tr("，经窗口负责人确认"));
            }
            s
        }
        "kind_change_requested" => {
            trf("申请窗口负责人确认改为“{}”（理由：{}）", &[&kind_label(&d["to"]), &text(&d["reason"])])
        }
        "kind_change_denied" => trf("窗口负责人不同意改为咨询，仍按申请办理：{}", &[&text(&d["opinion"])]),
        "handoff_acknowledged" => tr("接收单位确认接收，已另立办件继续办理（首接负责到此交接）").into(),
        "notice" => {
            let mut s = trf("出具一次性告知单：缺{}", &[&materials(&d["missing"])]);
            if d["growth_approved"] == true {
                s.push_str(tr("（新增材料经窗口负责人同意）"));
            }
            if d["clock_paused"] == true {
                s.push_str(tr("；补正期间承诺时限暂停计时"));
            }
            s
        }
        "accepted_with_deficiency" => trf("容缺受理，待补{}", &[&materials(&d["missing"])]),
        "supplement_received" => tr("容缺材料已补齐").into(),
        "note" => trf("内部备注：{}", &[&text(&d["text"])]),
        "stage_done" => {
            let mut s = match d["next"].as_str() {
                Some(next) => trf("完成“{}”，转入“{}”", &[&text(&d["stage"]), &next]),
                None => trf("完成“{}”", &[&text(&d["stage"])]),
            };
            if let Some(n) = d["note"].as_str().filter(|n| !n.is_empty()) {
                s.push_str(&trf("：{}", &[&n]));
            }
            s
        }
        "approved_by_commitment" => tr("申请人书面承诺，按告知承诺制准予办理").into(),
        "escalated" => {
            let mut s = trf("向{}请示：{}", &[&level(&d["level"]), &text(&d["reason"])]);
            if let Some(due) = d["due"].as_str().and_then(|x| x.parse::<chrono::NaiveDate>().ok()) {
                s.push_str(&trf("；{}前答复", &[&day(due)]));
            }
            if !text(&d["beyond_promise"]).is_empty() {
                s.push_str(&trf("（超过原告知的答复日，理由：{}）", &[&text(&d["beyond_promise"])]));
            }
            s
        }
        "escalation_answered" => match d["meeting"].as_object() {
            Some(m) => trf(
                "请示经集体研究答复：{}（参会：{}；会议结论：{}）",
                &[
                    &text(&d["answer"]),
                    &m.get("participants")
                        .and_then(|p| p.as_array())
                        .map(|p| p.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(tr("、")))
                        .unwrap_or_default(),
                    &m.get("conclusion").and_then(|c| c.as_str()).unwrap_or(""),
                ],
            ),
            None => trf("请示已答复：{}", &[&text(&d["answer"])]),
        },
        "veto_requested" => tr("提出否决报批，待逐级审批").into(),
        "veto_decision" => {
            let head = match serde_json::from_value::<VetoStatus>(d["status"].clone()) {
                Ok(VetoStatus::Approved) => tr("否决报批已批准"),
                Ok(VetoStatus::Denied) => tr("否决报批未获同意，继续办理"),
                _ => tr("否决报批本级同意，报上一级审批"),
            };
            // Since the event names its level and opinion: who judged, and what they wrote.
            match d["level"].as_str().and_then(DecisionLevel::parse) {
                Some(l) => {
                    let by = if d["on_behalf"] == true {
                        trf("{}（代行）", &[&tr(l.label())])
                    } else {
                        tr(l.label()).into()
                    };
                    trf("{}：{}意见：{}", &[&head, &by, &text(&d["opinion"])])
                }
                None => head.into(),
            }
        }
        "deadlines_recomputed" => {
            let moved: Vec<String> = d["moved"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|m| {
                            trf("{}由 {} 改为 {}", &[&what_label(text(&m["what"])), &text(&m["from"]), &text(&m["to"])])
                        })
                        .collect()
                })
                .unwrap_or_default();
            trf("工作日历调整：{}", &[&moved.join(tr("；"))])
        }
        "cross_unit" => tr("确定为跨部门事项并明确牵头单位").into(),
        "joint_consultation" => {
            let who: Vec<&str> = d["participants"].as_array().map(|a| a.iter().map(text).collect()).unwrap_or_default();
            trf("组织会商（{}）：{}", &[&who.join(tr("、")), &text(&d["conclusion"])])
        }
        "assisted" => trf("帮办代办：{}", &[&text(&d["outcome"])]),
        "reply" => trf("答复群众：{}", &[&text(&d["text"])]),
        "withdrawal_recorded" => trf("登记申请人书面撤回申请：{}", &[&text(&d["statement"])]),
        "withdrawal_confirmed" => tr("窗口负责人确认申请人撤回").into(),
        "closed" => {
            let outcome =
                serde_json::from_value::<Outcome>(d["outcome"].clone()).map(|o| tr(o.label())).unwrap_or(tr("办结"));
            let mut s = trf("办结：{}", &[&outcome]);
            if !text(&d["legal_basis"]).is_empty() {
                s.push_str(&trf("，依据{}", &[&text(&d["legal_basis"])]));
            }
            if !text(&d["note"]).is_empty() {
                s.push_str(&trf("（{}）", &[&text(&d["note"])]));
            }
            s
        }
        _ => tr("其他事项").into(),
    }
}

/// A deadline rule in words.
pub fn rule_text(r: &noveto_domain::deadline::Rule) -> String {
    match r {
        noveto_domain::deadline::Rule::WorkingDays { days } => trf("{} 个工作日", &[days]),
        noveto_domain::deadline::Rule::SameDay => tr("当日").into(),
        noveto_domain::deadline::Rule::Manual { due } => trf("人工设定：{}", &[due]),
    }
}

/// A policy's deadline rule in words (the policy page).
pub fn rule_spec_text(r: &noveto_domain::policy::RuleSpec) -> String {
    let base = if r.manual {
        tr("人工设定").to_string()
    } else if r.same_day {
        tr("当日").to_string()
    } else {
        trf("{} 个工作日", &[&r.days.unwrap_or(0)])
    };
    if r.local_default { trf("{}（文件未定，取全国默认）", &[&base]) } else { base }
}
