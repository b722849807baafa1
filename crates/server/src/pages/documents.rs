//! The case documents (NV-3, NV-4, NV-7, NV-9): built once as a `noveto_docs::Document`,
//! rendered as an HTML print view or a PDF.

use crate::AppState;
use crate::api::cases::Loaded;
use crate::error::{ApiError, ApiResult};
use noveto_docs::{Block, Cell, Document};
use noveto_domain::time::local_date;

fn date_cn(d: chrono::NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

pub async fn build(s: &AppState, l: &Loaded, kind: &str) -> ApiResult<Document> {
    let c = l.case.clone();
    let noveto_app::cases::DocumentFacts {
        center,
        unit,
        window,
        item,
        clerk,
        timeline: _,
        veto,
        decider_names: names,
        escalation: esc,
    } = noveto_app::cases::document_facts(s, l).await?;
    let center_name = center.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let hotline = center.as_ref().map(|c| c.hotline.clone()).unwrap_or_default();
    let sup = center.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default();
    let unit_name = unit.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let window_name = window.as_ref().map(|w| w.name.clone()).unwrap_or_default();
    // Without a catalog item, the matter as the applicant asked it (never "（未指定事项）").
    let item_name = item.as_ref().map(|i| i.name.clone()).unwrap_or_else(|| {
        let r: String = c.request.chars().take(40).collect();
        if r.trim().is_empty() { "（未指定事项）".into() } else { r }
    });
    let clerk_name = clerk.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let today = date_cn(local_date(s.now()));
    let applicant =
        format!("{}{}", c.applicant.name, c.applicant.org.as_deref().map(|o| format!("（{o}）")).unwrap_or_default());
    let footer = format!("咨询电话：{hotline}    监督电话：{sup}");
    let mut d;
    match kind {
        "notice" => {
            if c.notified.is_empty() {
                return Err(ApiError::not_found("一次性告知书（尚未告知）"));
            }
            d = Document::new("一次性告知书");
            d.push(Block::Title(center_name.to_string()))
                .push(Block::Title("一次性告知书（材料补正通知书）".into()))
                .push(Block::Subtitle(format!("编号：{}", c.receipt_no)))
                .push(Block::Para(format!("{applicant}：")))
                .push(Block::Para(format!(
                    "您申请办理的“{item_name}”事项，经{window_name}审查，尚需补正以下材料。现一次性告知如下，请补齐后再来办理，我们将即时受理；符合条件的，可申请容缺受理或告知承诺办理。"
                )));
            let mut rows = vec![vec!["序号".into(), "需补正的材料".into(), "补正要求及说明".into()]];
            for (i, m) in c.notified.iter().enumerate() {
                // What to bring, in the clerk's words, then what the catalog says of it: the
                // common mistakes to avoid and the sample to follow (CAT-1).
                let known = item.as_ref().and_then(|it| it.materials.iter().find(|x| x.name == m.material));
                let mut how = m.how_to_fix.trim().to_string();
                if let Some(x) = known {
                    if !x.common_errors.trim().is_empty() {
                        how.push_str(&format!("\n注意：{}", x.common_errors.trim()));
                    }
                    if !x.sample.trim().is_empty() {
                        how.push_str(&format!("\n样表：{}", x.sample.trim()));
                    }
                }
                rows.push(vec![(i + 1).to_string(), m.material.clone(), how]);
            }
            d.push(Block::Table { widths: vec![1.0, 4.0, 7.0], rows });
            if let Some(it) = &item {
                d.push(Block::Para(format!(
                    "办理依据：{}；承诺时限：{} 个工作日；咨询电话：{}。",
                    it.legal_basis, it.time_limit_wd, it.phone
                )));
            }
            d.push(Block::Note("本告知书一次性告知全部需补正的材料，此后不得以其他材料不全为由要求补正（确需新增的，须经窗口负责人批准并书面说明）。".into()))
                .push(Block::Right(format!("经办人：{clerk_name}    {window_name}")))
                .push(Block::Right(today))
                .push(Block::Para("申请人签收：＿＿＿＿＿＿＿＿    签收日期：＿＿＿＿年＿＿月＿＿日".into()))
                .push(Block::Note(footer));
        }
        "referral" => {
            let r = c.referral.clone().ok_or_else(|| ApiError::not_found("指引单（尚未指引）"))?;
            d = Document::new("指引单");
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title("办事指引单（指引牌）".into()))
                .push(Block::Subtitle(format!("编号：{}", c.receipt_no)))
                .push(Block::Table {
                    widths: vec![2.0, 6.0],
                    rows: vec![
                        vec!["申请人".into(), applicant.clone()],
                        vec!["诉求".into(), c.request.clone()],
                        vec!["请前往".into(), r.address.clone()],
                        vec!["联系人及电话".into(), r.contact.clone()],
                        vec!["办理方式".into(), r.how.clone()],
                        vec![
                            "转交".into(),
                            if r.handoff {
                                if r.acknowledged_by.is_some() {
                                    "已转交，接收单位已确认".into()
                                } else {
                                    "已转交，待接收单位确认".into()
                                }
                            } else {
                                "申请人自行前往".into()
                            },
                        ],
                    ],
                })
                .push(Block::Right(format!("首问责任人：{clerk_name}    {window_name}")))
                .push(Block::Right(today))
                .push(Block::Note(footer));
        }
        "reply-card" => {
            let e = esc.ok_or_else(|| ApiError::not_found("答复卡（尚无请示）"))?;
            d = Document::new("答复卡");
            d.push(Block::Title(center_name.clone()))
                .push(Block::Title("答复卡".into()))
                .push(Block::Subtitle(format!("编号：{}", c.receipt_no)))
                .push(Block::Table {
                    widths: vec![2.0, 6.0],
                    rows: vec![
                        vec!["申请人".into(), c.applicant.name.clone()],
                        vec!["单位".into(), c.applicant.org.clone().unwrap_or_default()],
                        vec!["联系方式".into(), c.applicant.phone.clone()],
                        vec!["诉求".into(), c.request.clone()],
                        vec!["请示事由".into(), e.reason.clone()],
                        vec![
                            "请示层级".into(),
                            noveto_domain::access::DecisionLevel::parse(&e.level)
                                .map(|l| l.label().to_string())
                                .unwrap_or_default(),
                        ],
                        vec!["答复期限".into(), e.due.chars().take(10).collect()],
                        vec![
                            "答复".into(),
                            e.answer.clone().unwrap_or_else(|| "（待答复：我们将在上述期限内答复您）".into()),
                        ],
                    ],
                })
                .push(Block::Right(format!("首问责任人：{clerk_name}    {window_name}")))
                .push(Block::Right(today))
                .push(Block::Note(footer));
        }
        "refusal-notice" => {
            let v = veto
                .filter(|v| v.approved().is_some())
                .ok_or_else(|| ApiError::not_found("不予受理通知书（无已批准的否决）"))?;
            d = Document::new("不予受理通知书");
            d.push(Block::Title(unit_name.clone()))
                .push(Block::Title("不予受理（不予许可）通知书".into()))
                .push(Block::Subtitle(format!("编号：{}", c.receipt_no)))
                .push(Block::Para(format!("{applicant}：")))
                .push(Block::Para(format!("您于{}提出的“{item_name}”申请，经审查并报经批准，决定不予受理（不予许可）。", date_cn(local_date(c.opened_at)))))
                .push(Block::Para(format!("理由：{}", v.reason)))
                .push(Block::Para(format!("依据：{}", v.legal_basis)))
                .push(Block::Para("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。对办理过程有意见的，可向本中心“办不成事”反映窗口反映。".into()))
                .push(Block::Right(format!("{unit_name}（盖章）")))
                .push(Block::Right(today))
                .push(Block::Note(footer));
        }
        "veto-filing-form" => {
            let v = veto.ok_or_else(|| ApiError::not_found("否决事项报备登记表（无否决报批）"))?;
            let opinion = |lv: &[noveto_domain::access::DecisionLevel]| {
                v.chain
                    .iter()
                    .filter(|x| lv.contains(&x.level))
                    .map(|x| {
                        format!(
                            "{}：{}（{}{} {}）",
                            if x.approve { "同意否决" } else { "不同意否决" },
                            x.opinion,
                            names.get(&x.decided_by).map(String::as_str).unwrap_or(""),
                            if x.on_behalf { "代行" } else { "" },
                            date_cn(local_date(x.at))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            };
            use noveto_domain::access::DecisionLevel as L;
            let result = match (v.status, c.outcome) {
                (_, Some(o)) => o.label().to_string(),
                (noveto_domain::case::VetoStatus::Denied, _) => "不予否决，继续办理".into(),
                (noveto_domain::case::VetoStatus::Approved, _) => "已批准否决".into(),
                _ => "审批中".into(),
            };
            let basic = format!("{}（{}接件）", c.request, date_cn(local_date(c.opened_at)));
            // 一头一尾 (NV-9): the head when the request was filed, the tail when the case ended.
            let tail = match c.closed_at {
                Some(t) => format!("报备（尾）{}", date_cn(local_date(t))),
                None => "报备（尾）：办结后报备".to_string(),
            };
            let remark = format!("报批编号 {}；报备（头）{}；{tail}", v.id, date_cn(local_date(v.requested_at)));
            d = Document::new("否决事项报备登记表");
            for (i, copy) in ["第一联：服务对象", "第二联：业务科室", "第三联：窗口存档"].iter().enumerate()
            {
                if i > 0 {
                    d.push(Block::PageBreak);
                }
                d.push(Block::Title("否决事项报备登记表".into()))
                    .push(Block::Subtitle((*copy).into()))
                    .push(Block::Para(format!("报备单位：{unit_name}")))
                    .push(Block::Para(format!("日期：{today}")))
                    .push(Block::Grid {
                        // The seed's table (安行审发〔2024〕7号 附件): five columns, the group
                        // heading 被否决事项基本情况 over four rows, values merged across.
                        widths: vec![2.0, 2.6, 3.4, 1.6, 2.4],
                        cells: vec![
                            Cell::heading(0, 0, 1, 1, "承办窗口"),
                            Cell::value(0, 1, 1, 2, window_name.clone()),
                            Cell::heading(0, 3, 1, 1, "经办人"),
                            Cell::value(0, 4, 1, 1, clerk_name.clone()),
                            Cell::heading(1, 0, 4, 1, "被否决事项基本情况"),
                            Cell::heading(1, 1, 1, 1, "被否决对象"),
                            Cell::value(1, 2, 1, 1, applicant.clone()),
                            Cell::heading(1, 3, 1, 1, "联系方式"),
                            Cell::value(1, 4, 1, 1, c.applicant.phone.clone()),
                            Cell::heading(2, 1, 1, 1, "被否决事项名称"),
                            Cell::value(2, 2, 1, 1, item_name.clone()),
                            Cell::heading(2, 3, 1, 1, "受理日期"),
                            Cell::value(2, 4, 1, 1, date_cn(local_date(c.opened_at))),
                            Cell::heading(3, 1, 1, 1, "被否决事项的基本情况"),
                            Cell::value(3, 2, 1, 3, basic.clone()),
                            Cell::heading(4, 1, 1, 1, "被否决的理由及依据"),
                            Cell::value(4, 2, 1, 3, format!("理由：{}\n依据：{}", v.reason, v.legal_basis)),
                            Cell::heading(5, 0, 1, 2, "窗口负责人意见"),
                            Cell::value(5, 2, 1, 3, opinion(&[L::WindowHead])),
                            Cell::heading(6, 0, 1, 2, "所属单位审核意见"),
                            Cell::value(
                                6,
                                2,
                                1,
                                3,
                                opinion(&[L::UnitLeader, L::UnitHead, L::Collective, L::Center, L::Government]),
                            ),
                            Cell::heading(7, 0, 1, 2, "办理情况"),
                            Cell::value(7, 2, 1, 3, result.clone()),
                            Cell::heading(8, 0, 1, 2, "备注"),
                            Cell::value(8, 2, 1, 3, remark.clone()),
                        ],
                    })
                    .push(Block::Note("备注：此表一式三份，一份给服务对象，一份给业务科室，一份由窗口存档。".into()));
            }
        }
        _ => return Err(ApiError::not_found("文书种类")),
    }
    Ok(d)
}
