//! The case documents — a paper for every step (NV-3 … NV-9, NV-17): built once as a
//! `noveto_docs::Document`, rendered as an HTML print view or a PDF, in the reader's script
//! (every fixed word through the catalog; what people wrote stays as written). The applicant's
//! phone goes through the same decision as the case read (`cases::applicant_for`).

use crate::AppState;
use crate::api::cases::Loaded;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{tr, trf};
use noveto_docs::{Block, Cell, Document};
use noveto_domain::case::{Case, Status};
use noveto_domain::ending::Ending;
use noveto_domain::time::local_date;

/// A date as papers write it: 2026年12月11日.
fn date_cn(d: chrono::NaiveDate) -> String {
    crate::ui::day(d)
}

/// The documents a case has at its stage, in the order a person meets them: (kind, title).
pub fn available(
    c: &Case,
    veto_approved: bool,
    has_escalation: bool,
    confirmed_withdrawal: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![];
    if !c.notified.is_empty() {
        out.push(("notice", tr("一次性告知书")));
    }
    if !c.received.is_empty() || c.status == Status::Accepted || c.ending() == Some(Ending::Approved) {
        out.push(("acceptance", tr("受理通知书（收件凭证）")));
    }
    if !c.deficiency.is_empty() {
        out.push(("deficiency", tr("容缺受理通知书")));
    }
    if c.ending() == Some(Ending::ApprovedByCommitment) {
        out.push(("commitment", tr("告知承诺书")));
    }
    if c.referral.is_some() {
        out.push(("referral", tr("指引单")));
    }
    if has_escalation {
        out.push(("reply-card", tr("答复卡")));
    }
    if c.veto_request_id.is_some() {
        out.push(("veto-filing-form", tr("否决事项报备登记表（一式三份）")));
    }
    // Printable once the veto is approved, so the window can hand it over as it closes the case.
    if c.outcome == Some(noveto_domain::case::Outcome::Vetoed) || veto_approved {
        out.push(("refusal-notice", tr("不予受理/不予许可通知书")));
    }
    if confirmed_withdrawal {
        out.push(("withdrawal", tr("撤回申请记录")));
    }
    if matches!(
        c.ending(),
        Some(Ending::Approved | Ending::ApprovedByCommitment | Ending::Answered | Ending::NotRequired)
    ) {
        out.push(("completion", tr("办结通知书")));
    }
    out
}

fn signatures(d: &mut Document, who: &str) {
    d.push(Block::Para(trf("申请人（签字）：＿＿＿＿＿＿＿＿    {}：＿＿＿＿＿＿＿＿", &[&who])))
        .push(Block::Para(tr("签收日期：＿＿＿＿年＿＿月＿＿日").into()));
}

pub async fn build(s: &AppState, p: &Principal, l: &Loaded, kind: &str) -> ApiResult<Document> {
    let c = l.case.clone();
    let (shown, _) = noveto_app::cases::applicant_for(p, l);
    let noveto_app::cases::DocumentFacts {
        center,
        unit,
        window,
        item,
        clerk,
        timeline,
        veto,
        decider_names,
        escalation: esc,
        withdrawals,
        names,
    } = noveto_app::cases::document_facts(s, l).await?;
    let center_name = center.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let hotline = center.as_ref().map(|c| c.hotline.clone()).unwrap_or_default();
    let sup = center.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default();
    let unit_name = unit.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let window_name = window.as_ref().map(|w| w.name.clone()).unwrap_or_default();
    // Without a catalog item, the matter as the applicant asked it (never "（未指定事项）").
    let item_name = item.as_ref().map(|i| i.name.clone()).unwrap_or_else(|| {
        let r: String = c.request.chars().take(40).collect();
        if r.trim().is_empty() { tr("（未指定事项）").into() } else { r }
    });
    let clerk_name = clerk.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let today = date_cn(local_date(s.now()));
    let opened = date_cn(local_date(c.opened_at));
    let applicant = format!("{}{}", shown.name, shown.org.as_deref().map(|o| format!("（{o}）")).unwrap_or_default());
    let footer = trf("咨询电话：{}    监督电话：{}", &[&hotline, &sup]);
    let issued_by = |d: &mut Document| {
        d.push(Block::Right(trf("经办人：{}    {}", &[&clerk_name, &window_name]))).push(Block::Right(today.clone()));
    };
    let at_of = |k: &str| timeline.iter().rev().find(|e| e.kind == k).map(|e| e.at.clone());
    let day_of = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at).map(|t| date_cn(local_date(t))).unwrap_or_else(|_| at.to_string())
    };
    let mut d;
    match kind {
        "notice" => {
            if c.notified.is_empty() {
                return Err(ApiError::not_found(tr("一次性告知书（尚未告知）")));
            }
            d = Document::new(tr("一次性告知书"));
            d.push(Block::Title(center_name.to_string()))
                .push(Block::Title(tr("一次性告知书（材料补正通知书）").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf("{}：", &[&applicant])))
                .push(Block::Para(trf(
                    "您申请办理的“{}”事项，经{}审查，尚需补正以下材料。现一次性告知如下，请补齐后再来办理，我们将即时受理；符合条件的，可申请容缺受理或告知承诺办理。",
                    &[&item_name, &window_name],
                )));
            // NV-4: a material a later notice added, with the window head's approval, is marked
            // so, with the reason the clerk gave (the first notice's materials are not).
            let mut listed: Vec<String> = vec![];
            let mut added: Vec<(String, String)> = vec![];
            let mut reason = String::new();
            for e in &timeline {
                match e.kind.as_str() {
                    "growth_requested" => reason = e.detail["reason"].as_str().unwrap_or_default().to_string(),
                    "notice" => {
                        let approved = e.detail["growth_approved"].as_bool().unwrap_or(false);
                        for m in e.detail["missing"].as_array().into_iter().flatten() {
                            let name = m["material"].as_str().unwrap_or_default().to_string();
                            if !listed.contains(&name) {
                                if approved && !listed.is_empty() {
                                    added.push((name.clone(), reason.clone()));
                                }
                                listed.push(name);
                            }
                        }
                    }
                    _ => {}
                }
            }
            let mut rows = vec![vec![tr("序号").into(), tr("需补正的材料").into(), tr("补正要求及说明").into()]];
            for (i, m) in c.notified.iter().enumerate() {
                // What to bring, in the clerk's words, then what the catalog says of it: the
                // common mistakes to avoid and the sample to follow (CAT-1).
                let known = item.as_ref().and_then(|it| it.materials.iter().find(|x| x.name == m.material));
                let mut how = m.how_to_fix.trim().to_string();
                if let Some(x) = known {
                    if !x.common_errors.trim().is_empty() && !how.contains(x.common_errors.trim()) {
                        how.push('\n');
                        how.push_str(&trf("注意：{}", &[&x.common_errors.trim()]));
                    }
                    if !x.sample.trim().is_empty() && !how.contains(x.sample.trim()) {
                        how.push('\n');
                        how.push_str(&trf("样表：{}", &[&x.sample.trim()]));
                    }
                }
                if let Some((_, why)) = added.iter().find(|(n, _)| *n == m.material) {
                    how.push('\n');
                    how.push_str(&trf("（后续新增，经窗口负责人批准；理由：{}）", &[why]));
                }
                rows.push(vec![(i + 1).to_string(), m.material.clone(), how]);
            }
            d.push(Block::Table { widths: vec![1.0, 4.0, 7.0], rows });
            if let Some(it) = &item {
                d.push(Block::Para(trf(
                    "办理依据：{}；承诺时限：{} 个工作日；咨询电话：{}。",
                    &[&it.legal_basis, &it.time_limit_wd, &it.phone],
                )));
            }
            d.push(Block::Note(tr("本告知书一次性告知全部需补正的材料，此后不得以其他材料不全为由要求补正（确需新增的，须经窗口负责人批准并书面说明）。").into()));
            issued_by(&mut d);
            signatures(&mut d, tr("经办人"));
            d.push(Block::Note(footer));
        }
        "acceptance" => {
            let accepted = at_of("accepted").ok_or_else(|| ApiError::not_found(tr("受理通知书（尚未受理）")))?;
            d = Document::new(tr("受理通知书"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("受理通知书（收件凭证）").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf("{}：", &[&applicant])))
                .push(Block::Para(trf(
                    "您于{}提出的“{}”申请，经审查，申请材料齐全、符合法定形式，于{}决定予以受理。",
                    &[&opened, &item_name, &day_of(&accepted)],
                )));
            let promised = c
                .deadlines
                .iter()
                .rev()
                .find(|x| x.what == "promised_time_limit")
                .and_then(|x| x.due(&l.cal, s.now()).ok());
            if let (Some(it), Some(due)) = (&item, promised) {
                d.push(Block::Para(trf(
                    "本事项承诺时限为 {} 个工作日，我们将在{}前办结（补正材料期间不计入时限）。",
                    &[&it.time_limit_wd, &date_cn(due)],
                )));
            }
            let mut rows =
                vec![vec![tr("序号").into(), tr("收到的材料").into(), tr("原件/复印件").into(), tr("份数").into()]];
            for (i, m) in c.received.iter().enumerate() {
                let form = if m.original { tr("原件") } else { tr("复印件") };
                rows.push(vec![(i + 1).to_string(), m.material.clone(), form.into(), m.copies.to_string()]);
            }
            if c.received.is_empty() {
                rows.push(vec!["—".into(), tr("（受理时未逐项登记材料）").into(), String::new(), String::new()]);
            }
            d.push(Block::Table { widths: vec![1.0, 6.0, 2.5, 1.5], rows });
            // NV-1: the back-office stages the application goes through, each with the day it is
            // due, so the applicant knows the way to 办结 (and follows it on the progress page).
            if !c.stages.is_empty() {
                let mut rows = vec![vec![tr("序号").into(), tr("办理环节").into(), tr("预计完成").into()]];
                for (n, st) in c.stages.iter().enumerate() {
                    let due = c.stage_due(n, &l.cal, s.now());
                    rows.push(vec![(n + 1).to_string(), st.name.clone(), due.map(date_cn).unwrap_or_default()]);
                }
                d.push(Block::Para(tr("受理后的办理环节如下，进度可凭受理编号和手机号查询：").into()));
                d.push(Block::Table { widths: vec![1.0, 6.0, 4.0], rows });
            }
            issued_by(&mut d);
            signatures(&mut d, tr("经办人"));
            d.push(Block::Note(footer));
        }
        "deficiency" => {
            if c.deficiency.is_empty() {
                return Err(ApiError::not_found(tr("容缺受理通知书（未容缺受理）")));
            }
            let due = c
                .deadlines
                .iter()
                .rev()
                .find(|x| x.what == "supplement")
                .and_then(|x| x.due(&l.cal, s.now()).ok())
                .map(date_cn)
                .unwrap_or_default();
            d = Document::new(tr("容缺受理通知书"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("容缺受理通知书").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf("{}：", &[&applicant])))
                .push(Block::Para(trf(
                    "您申请办理的“{}”事项，主要申请材料齐全，您已签署容缺受理承诺书，现予以容缺受理。以下非要件材料请于{}前补齐：",
                    &[&item_name, &due],
                )));
            let mut rows = vec![vec![tr("序号").into(), tr("待补材料").into(), tr("补正要求及说明").into()]];
            for (i, m) in c.deficiency.iter().enumerate() {
                rows.push(vec![(i + 1).to_string(), m.material.clone(), m.how_to_fix.clone()]);
            }
            d.push(Block::Table { widths: vec![1.0, 4.0, 7.0], rows });
            d.push(Block::Para(
                tr("材料补齐后即办结；补正期间我们会提醒您，逾期未补齐的，请与经办窗口联系说明情况。").into(),
            ));
            d.push(Block::Subtitle(tr("容缺受理承诺书").into())).push(Block::Para(trf(
                "本人承诺：所提交的申请材料真实有效；上述待补材料将于{}前补齐；如未按期补齐，愿意承担由此产生的后果。",
                &[&due],
            )));
            issued_by(&mut d);
            signatures(&mut d, tr("经办人"));
            d.push(Block::Note(footer));
        }
        "commitment" => {
            let text = timeline
                .iter()
                .rev()
                .find(|e| e.kind == "approved_by_commitment")
                .and_then(|e| e.detail["commitment"].as_str().map(String::from))
                .ok_or_else(|| ApiError::not_found(tr("告知承诺书（未按告知承诺办理）")))?;
            d = Document::new(tr("告知承诺书"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("告知承诺书").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf(
                    "事项：{}。行政机关告知：本事项实行告知承诺制，申请人书面承诺符合条件并提交必要材料的，当场作出决定；行政机关将在规定期限内对承诺内容进行核查，发现承诺不实的，依法处理并记入信用记录。",
                    &[&item_name],
                )));
            if let Some(it) = &item {
                d.push(Block::Para(trf("设定依据：{}", &[&it.legal_basis])));
            }
            d.push(Block::Subtitle(tr("申请人承诺").into())).push(Block::Para(text));
            issued_by(&mut d);
            signatures(&mut d, tr("经办人"));
            d.push(Block::Note(footer));
        }
        "completion" => {
            let ending = c.ending().ok_or_else(|| ApiError::not_found(tr("办结通知书（尚未办结）")))?;
            let closed = c.closed_at.map(|t| date_cn(local_date(t))).unwrap_or_default();
            let result = match ending {
                Ending::Approved => tr("准予办理，已办结"),
                Ending::ApprovedByCommitment => tr("按告知承诺制准予办理，已办结"),
                Ending::Answered => tr("已答复您的咨询"),
                Ending::NotRequired => tr("经窗口负责人确认，该事项依法无需办理许可"),
                _ => return Err(ApiError::not_found(tr("办结通知书（该办结方式另有文书）"))),
            };
            let last = timeline.iter().rev().find(|e| e.kind == "closed").map(|e| e.detail.clone()).unwrap_or_default();
            d = Document::new(tr("办结通知书"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("办结通知书").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf("{}：", &[&applicant])))
                .push(Block::Para(trf(
                    "您于{}提出的“{}”，已于{}办结。办理结果：{}。",
                    &[&opened, &item_name, &closed, &result],
                )));
            if let Some(b) = last["legal_basis"].as_str().filter(|b| !b.is_empty()) {
                d.push(Block::Para(trf("依据：{}", &[&b])));
            }
            if let Some(n) = last["note"].as_str().filter(|n| !n.is_empty()) {
                d.push(Block::Para(trf("说明：{}", &[&n])));
            }
            d.push(Block::Para(
                tr("对办理结果或服务有意见的，可拨打下方监督电话，或到“办不成事”反映窗口反映。").into(),
            ));
            issued_by(&mut d);
            d.push(Block::Note(footer));
        }
        "withdrawal" => {
            let w = withdrawals
                .iter()
                .rev()
                .find(|w| w.confirmed_by.is_some())
                .ok_or_else(|| ApiError::not_found(tr("撤回申请记录（尚无经确认的撤回）")))?;
            let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
            d = Document::new(tr("撤回申请记录"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("撤回申请记录").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Table {
                    widths: vec![2.0, 6.0],
                    rows: vec![
                        vec![tr("申请人").into(), applicant.clone()],
                        vec![tr("申请事项").into(), item_name.clone()],
                        vec![tr("申请日期").into(), opened.clone()],
                        vec![tr("撤回申请（申请人书面）").into(), w.statement.clone()],
                        vec![tr("登记人").into(), name(w.recorded_by)],
                        vec![tr("窗口负责人确认").into(), w.confirmed_by.map(name).unwrap_or_default()],
                    ],
                })
                .push(Block::Para(
                    tr("申请人撤回申请后，如需办理，可随时重新提出申请，已提交的材料可申请退还。").into(),
                ));
            issued_by(&mut d);
            signatures(&mut d, tr("窗口负责人"));
            d.push(Block::Note(footer));
        }
        "referral" => {
            let r = c.referral.clone().ok_or_else(|| ApiError::not_found(tr("指引单（尚未指引）")))?;
            let target = r.target_name();
            d = Document::new(tr("指引单"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("办事指引单（指引牌）").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Table {
                    widths: vec![2.0, 6.0],
                    rows: vec![
                        vec![tr("申请人").into(), applicant.clone()],
                        vec![tr("诉求").into(), c.request.clone()],
                        vec![tr("办理单位").into(), if target.is_empty() { tr("（见地址）").into() } else { target }],
                        vec![tr("请前往").into(), r.address.clone()],
                        vec![tr("联系人及电话").into(), r.contact.clone()],
                        vec![tr("办理方式").into(), r.how.clone()],
                        vec![
                            tr("转交").into(),
                            if r.handoff {
                                if r.acknowledged_by.is_some() {
                                    tr("已转交，接收单位已确认").into()
                                } else {
                                    tr("已转交，待接收单位确认").into()
                                }
                            } else {
                                tr("申请人持本单前往").into()
                            },
                        ],
                    ],
                })
                .push(Block::Right(trf("首问责任人：{}    {}", &[&clerk_name, &window_name])))
                .push(Block::Right(today))
                .push(Block::Note(tr("到达后如仍办不成，请拨打下方电话，首问责任人会跟踪到底。").into()))
                .push(Block::Note(footer));
        }
        "reply-card" => {
            let e = esc.ok_or_else(|| ApiError::not_found(tr("答复卡（尚无请示）")))?;
            let due = e.due.chars().take(10).collect::<String>();
            let due = due.parse::<chrono::NaiveDate>().map(date_cn).unwrap_or(due);
            d = Document::new(tr("答复卡"));
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title(tr("答复卡").into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Table {
                    widths: vec![2.0, 6.0],
                    rows: vec![
                        vec![tr("申请人").into(), shown.name.clone()],
                        vec![tr("单位").into(), shown.org.clone().unwrap_or_default()],
                        vec![tr("联系方式").into(), shown.phone.clone()],
                        vec![tr("诉求").into(), c.request.clone()],
                        vec![tr("请示事由").into(), e.reason.clone()],
                        vec![
                            tr("请示层级").into(),
                            noveto_domain::access::DecisionLevel::parse(&e.level)
                                .map(|l| tr(l.label()).to_string())
                                .unwrap_or_default(),
                        ],
                        vec![tr("答复期限").into(), due],
                        vec![
                            tr("答复").into(),
                            e.answer.clone().unwrap_or_else(|| tr("（待答复：我们将在上述期限内答复您）").into()),
                        ],
                    ],
                })
                .push(Block::Right(trf("首问责任人：{}    {}", &[&clerk_name, &window_name])))
                .push(Block::Right(today))
                .push(Block::Note(footer));
        }
        "refusal-notice" => {
            let v = veto
                .filter(|v| v.approved().is_some())
                .ok_or_else(|| ApiError::not_found(tr("不予受理通知书（无已批准的否决）")))?;
            // 不予受理 before acceptance, 不予许可 after (行政许可法 第三十二条、第三十八条).
            let accepted = at_of("accepted").is_some() || at_of("accepted_with_deficiency").is_some();
            let (title, decision) = if accepted {
                (tr("不予许可决定书"), tr("不予许可"))
            } else {
                (tr("不予受理通知书"), tr("不予受理"))
            };
            let rem = noveto_app::public::remedies(center.as_ref());
            d = Document::new(title);
            d.push(Block::Title(unit_name.clone()))
                .push(Block::Title(title.into()))
                .push(Block::Subtitle(trf("编号：{}", &[&c.receipt_no])))
                .push(Block::Para(trf("{}：", &[&applicant])))
                .push(Block::Para(trf(
                    "您于{}提出的“{}”申请，经审查并报经批准，决定{}。",
                    &[&opened, &item_name, &decision],
                )))
                .push(Block::Para(trf("理由：{}", &[&v.reason])))
                .push(Block::Para(trf("法律依据：{}", &[&v.legal_basis])))
                .push(Block::Para(trf(
                    "如对本决定不服，可以自收到本通知书之日起 {} 日内向{}申请行政复议，或者在 {} 个月内向{}提起行政诉讼。",
                    &[&rem.review_days, &rem.review_body, &rem.litigation_months, &rem.court],
                )))
                .push(Block::Para(trf(
                    "对办理过程有意见的，可向{}“办不成事”反映窗口反映，或拨打监督电话 {}。",
                    &[&center_name, &sup],
                )))
                .push(Block::Right(trf("{}（盖章）", &[&unit_name])))
                .push(Block::Right(today));
            signatures(&mut d, tr("送达人"));
            d.push(Block::Note(footer));
        }
        "veto-filing-form" => {
            let v = veto.ok_or_else(|| ApiError::not_found(tr("否决事项报备登记表（无否决报批）")))?;
            let opinion = |lv: &[noveto_domain::access::DecisionLevel]| {
                v.chain
                    .iter()
                    .filter(|x| lv.contains(&x.level))
                    .map(|x| {
                        trf(
                            "{}：{}（{}{} {}）",
                            &[
                                &if x.approve { tr("同意否决") } else { tr("不同意否决") },
                                &x.opinion,
                                &decider_names.get(&x.decided_by).map(String::as_str).unwrap_or(""),
                                &if x.on_behalf { tr("代行") } else { "" },
                                &date_cn(local_date(x.at)),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(tr("；"))
            };
            use noveto_domain::access::DecisionLevel as L;
            let result = match (v.status, c.outcome) {
                (_, Some(o)) => tr(o.label()).to_string(),
                (noveto_domain::case::VetoStatus::Denied, _) => tr("不予否决，继续办理").into(),
                (noveto_domain::case::VetoStatus::Approved, _) => tr("已批准否决").into(),
                _ => tr("审批中").into(),
            };
            let basic = trf("{}（{}接件）", &[&c.request, &opened]);
            // 一头一尾 (NV-9): the head when the request was filed, the tail when the case ended.
            let tail = match c.closed_at {
                Some(t) => trf("报备（尾）{}", &[&date_cn(local_date(t))]),
                None => tr("报备（尾）：办结后报备").to_string(),
            };
            let remark = trf("报批编号 {}；报备（头）{}；{}", &[&v.id, &date_cn(local_date(v.requested_at)), &tail]);
            d = Document::new(tr("否决事项报备登记表"));
            for (i, copy) in [tr("第一联：服务对象"), tr("第二联：业务科室"), tr("第三联：窗口存档")].iter().enumerate()
            {
                if i > 0 {
                    d.push(Block::PageBreak);
                }
                d.push(Block::Title(tr("否决事项报备登记表").into()))
                    .push(Block::Subtitle((*copy).into()))
                    .push(Block::Para(trf("报备单位：{}", &[&unit_name])))
                    .push(Block::Para(trf("日期：{}", &[&today])))
                    .push(Block::Grid {
                        // The seed's table (安行审发〔2024〕7号 附件): five columns, the group
                        // heading 被否决事项基本情况 over four rows, values merged across.
                        widths: vec![2.0, 2.6, 3.4, 1.6, 2.4],
                        cells: vec![
                            Cell::heading(0, 0, 1, 1, tr("承办窗口")),
                            Cell::value(0, 1, 1, 2, window_name.clone()),
                            Cell::heading(0, 3, 1, 1, tr("经办人")),
                            Cell::value(0, 4, 1, 1, clerk_name.clone()),
                            Cell::heading(1, 0, 4, 1, tr("被否决事项基本情况")),
                            Cell::heading(1, 1, 1, 1, tr("被否决对象")),
                            Cell::value(1, 2, 1, 1, applicant.clone()),
                            Cell::heading(1, 3, 1, 1, tr("联系方式")),
                            Cell::value(1, 4, 1, 1, shown.phone.clone()),
                            Cell::heading(2, 1, 1, 1, tr("被否决事项名称")),
                            Cell::value(2, 2, 1, 1, item_name.clone()),
                            Cell::heading(2, 3, 1, 1, tr("受理日期")),
                            Cell::value(2, 4, 1, 1, opened.clone()),
                            Cell::heading(3, 1, 1, 1, tr("被否决事项的基本情况")),
                            Cell::value(3, 2, 1, 3, basic.clone()),
                            Cell::heading(4, 1, 1, 1, tr("被否决的理由及依据")),
                            Cell::value(
                                4,
                                2,
                                1,
                                3,
                                format!("{}\n{}", trf("理由：{}", &[&v.reason]), trf("依据：{}", &[&v.legal_basis])),
                            ),
                            Cell::heading(5, 0, 1, 2, tr("窗口负责人意见")),
                            Cell::value(5, 2, 1, 3, opinion(&[L::WindowHead])),
                            Cell::heading(6, 0, 1, 2, tr("所属单位审核意见")),
                            Cell::value(
                                6,
                                2,
                                1,
                                3,
                                opinion(&[L::UnitLeader, L::UnitHead, L::Collective, L::Center, L::Government]),
                            ),
                            Cell::heading(7, 0, 1, 2, tr("办理情况")),
                            Cell::value(7, 2, 1, 3, result.clone()),
                            Cell::heading(8, 0, 1, 2, tr("备注")),
                            Cell::value(8, 2, 1, 3, remark.clone()),
                        ],
                    })
                    .push(Block::Note(
                        tr("备注：此表一式三份，一份给服务对象，一份给业务科室，一份由窗口存档。").into(),
                    ));
            }
        }
        _ => return Err(ApiError::not_found(tr("文书种类"))),
    }
    if crate::i18n::current() == crate::i18n::Locale::Hant {
        d.lang = "zh-Hant";
    }
    Ok(d)
}
