//! `noveto demo`: `init` plus a believable city center with a district center, units, windows,
//! the special desks, staff in every role, a catalog and cases in every state. Cases are made
//! through the same service functions the API uses, with a clock stepped through the past days.

use crate::{Fail, Store};
use chrono::{DateTime, FixedOffset};
use indicatif::{ProgressBar, ProgressStyle};
use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use noveto_domain::case::StagePlan;
use noveto_server::api::cases::{
    self as svc, ApplicantIn, CaseIn, CloseIn, DecisionIn, DeficiencyIn, EscalationIn, MissingIn, NoticeIn, ReferralIn,
    VetoIn,
};
use noveto_server::auth::{Principal, hash_password};
use noveto_server::{AppState, Clock};
use noveto_store::StoreError;
use noveto_store::repo::items::{Item, Material};
use noveto_store::repo::{Ctx, items, org};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub const DEMO_PASSWORD: &str = "noveto-demo";

pub struct Logins {
    pub admin_password: String,
    pub staff: Vec<(String, String, String)>,
}

pub fn logins_text(l: &Logins) -> String {
    let mut s = format!("演示账号（密码均为 {DEMO_PASSWORD}）：\n");
    for (login, name, role) in &l.staff {
        s.push_str(&format!("  {login:<16} {name:<8} {role}\n"));
    }
    s.push_str(&format!("  admin            系统管理员  密码 {}\n", l.admin_password));
    s
}

/// Units of the city center: (key, name, windows).
const UNITS: &[(&str, &str, &[&str])] = &[
    ("scjg", "市市场监督管理局", &["市场主体登记窗口", "食品经营许可窗口"]),
    ("bdc", "市自然资源和规划局（不动产登记中心）", &["不动产登记窗口"]),
    ("rs", "市人力资源和社会保障局", &["社保业务窗口", "就业创业窗口"]),
    ("ga", "市公安局（户政·出入境）", &["户政窗口", "出入境窗口"]),
    ("gjj", "市住房公积金管理中心", &["公积金窗口"]),
    ("sw", "国家税务总局清江市税务局", &["办税服务窗口"]),
    ("wj", "市卫生健康委员会", &["医疗机构执业许可窗口"]),
    ("jt", "市交通运输局", &["道路运输许可窗口"]),
];

/// The catalog: (code, name, unit key, legal basis, time limit wd, 容缺, 告知承诺, materials
/// with `*` marking a main material).
type ItemRow = (&'static str, &'static str, &'static str, &'static str, u32, bool, bool, &'static str);
pub const CATALOG: &[ItemRow] = &[
    (
        "SC-001",
        "企业设立登记",
        "scjg",
        "《中华人民共和国市场主体登记管理条例》第二十一条",
        3,
        true,
        false,
        "设立登记申请书*;公司章程*;股东主体资格证明*;法定代表人任职文件*;住所使用相关文件",
    ),
    (
        "SC-002",
        "企业变更登记",
        "scjg",
        "《中华人民共和国市场主体登记管理条例》第二十四条",
        3,
        true,
        false,
        "变更登记申请书*;变更决议或决定*;章程修正案;营业执照正副本*",
    ),
    (
        "SC-003",
        "企业注销登记",
        "scjg",
        "《中华人民共和国市场主体登记管理条例》第三十一条",
        5,
        false,
        false,
        "注销登记申请书*;清算报告*;营业执照正副本*;清税证明*",
    ),
    (
        "SC-004",
        "营业执照遗失补领",
        "scjg",
        "《中华人民共和国市场主体登记管理条例实施细则》第七十一条",
        1,
        false,
        false,
        "补领申请书*;遗失声明*;法定代表人身份证明*",
    ),
    (
        "SC-005",
        "个体工商户登记",
        "scjg",
        "《促进个体工商户发展条例》第八条",
        1,
        true,
        false,
        "个体工商户登记申请书*;经营者身份证明*;经营场所使用证明",
    ),
    (
        "SC-006",
        "食品经营许可",
        "scjg",
        "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        10,
        true,
        true,
        "食品经营许可申请书*;营业执照*;食品安全管理制度*;经营场所平面图;设备布局图",
    ),
    (
        "SC-007",
        "小餐饮登记",
        "scjg",
        "地方小作坊小餐饮管理条例",
        5,
        true,
        true,
        "登记申请表*;营业执照*;从业人员健康证明*;经营场所照片",
    ),
    (
        "SC-008",
        "药品零售企业许可",
        "scjg",
        "《中华人民共和国药品管理法》第五十二条",
        15,
        false,
        false,
        "申请书*;营业执照*;执业药师注册证*;经营场所证明*;质量管理文件*",
    ),
    (
        "BD-001",
        "国有建设用地使用权及房屋所有权首次登记",
        "bdc",
        "《不动产登记暂行条例》第十四条",
        5,
        true,
        false,
        "不动产登记申请书*;身份证明*;土地权属来源材料*;竣工验收材料*;测绘成果",
    ),
    (
        "BD-002",
        "二手房转移登记",
        "bdc",
        "《不动产登记暂行条例》第十四条",
        3,
        true,
        false,
        "不动产登记申请书*;买卖双方身份证明*;不动产权证书*;买卖合同*;完税凭证*",
    ),
    (
        "BD-003",
        "抵押权首次登记",
        "bdc",
        "《不动产登记暂行条例实施细则》第六十六条",
        1,
        false,
        false,
        "登记申请书*;主债权合同*;抵押合同*;不动产权证书*",
    ),
    (
        "BD-004",
        "不动产权证书遗失补发",
        "bdc",
        "《不动产登记暂行条例实施细则》第二十二条",
        5,
        false,
        false,
        "补发申请书*;身份证明*;遗失声明*",
    ),
    ("BD-005", "不动产登记资料查询", "bdc", "《不动产登记资料查询暂行办法》", 0, false, false, "查询申请书*;身份证明*"),
    (
        "RS-001",
        "职工参保登记",
        "rs",
        "《中华人民共和国社会保险法》第五十八条",
        1,
        true,
        false,
        "参保登记表*;营业执照*;职工身份证明*;劳动合同",
    ),
    (
        "RS-002",
        "失业保险金申领",
        "rs",
        "《失业保险条例》第十六条",
        5,
        false,
        true,
        "身份证明*;解除劳动合同证明*;银行账户信息",
    ),
    (
        "RS-003",
        "就业创业证申领",
        "rs",
        "《就业服务与就业管理规定》第六十三条",
        1,
        true,
        true,
        "申请表*;身份证明*;近期免冠照片",
    ),
    (
        "RS-004",
        "养老保险关系转移接续",
        "rs",
        "《城镇企业职工基本养老保险关系转移接续暂行办法》",
        15,
        false,
        false,
        "转移接续申请表*;参保缴费凭证*;身份证明*",
    ),
    (
        "RS-006",
        "社会保障卡申领",
        "rs",
        "《社会保障卡管理办法》",
        5,
        false,
        false,
        "申领登记表*;居民身份证或户口簿*;近期照片",
    ),
    (
        "RS-005",
        "退休待遇核准",
        "rs",
        "《国务院关于工人退休、退职的暂行办法》",
        10,
        false,
        false,
        "退休审批表*;身份证明*;档案材料*",
    ),
    (
        "GA-001",
        "居民身份证换领",
        "ga",
        "《中华人民共和国居民身份证法》第八条",
        20,
        false,
        false,
        "居民户口簿*;原居民身份证*",
    ),
    (
        "GA-002",
        "居民身份证挂失补领",
        "ga",
        "《中华人民共和国居民身份证法》第十一条",
        20,
        false,
        false,
        "居民户口簿*;挂失声明",
    ),
    (
        "GA-003",
        "户口迁入（投靠）",
        "ga",
        "《中华人民共和国户口登记条例》第十三条",
        10,
        true,
        true,
        "迁入申请表*;居民户口簿*;亲属关系证明*;住房证明",
    ),
    (
        "GA-004",
        "普通护照签发",
        "ga",
        "《中华人民共和国护照法》第五条",
        7,
        false,
        false,
        "申请表*;居民身份证*;近期照片*",
    ),
    (
        "GA-006",
        "出生登记",
        "ga",
        "《中华人民共和国户口登记条例》第七条",
        1,
        false,
        false,
        "出生医学证明*;父母居民户口簿*;父母居民身份证*",
    ),
    (
        "GA-005",
        "往来港澳通行证签发",
        "ga",
        "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
        7,
        false,
        false,
        "申请表*;居民身份证*;近期照片*",
    ),
    (
        "GJ-001",
        "住房公积金提取（购房）",
        "gjj",
        "《住房公积金管理条例》第二十四条",
        3,
        true,
        true,
        "提取申请表*;身份证明*;购房合同*;购房发票",
    ),
    (
        "GJ-002",
        "住房公积金个人住房贷款",
        "gjj",
        "《住房公积金管理条例》第二十六条",
        15,
        false,
        false,
        "贷款申请书*;身份证明*;婚姻状况证明*;购房合同*;收入证明",
    ),
    (
        "GJ-003",
        "住房公积金缴存登记",
        "gjj",
        "《住房公积金管理条例》第十四条",
        1,
        true,
        false,
        "缴存登记表*;营业执照*;经办人身份证明*",
    ),
    (
        "SW-001",
        "增值税发票领用",
        "sw",
        "《中华人民共和国发票管理办法》第十五条",
        0,
        false,
        false,
        "发票领用申请*;经办人身份证明*",
    ),
    (
        "SW-002",
        "清税证明开具",
        "sw",
        "《中华人民共和国税收征收管理法》第十六条",
        1,
        false,
        true,
        "清税申报表*;营业执照*",
    ),
    ("SW-003", "纳税信用复评", "sw", "《纳税信用管理办法（试行）》", 15, false, false, "复评申请表*;相关证明材料"),
    (
        "WJ-001",
        "医疗机构执业登记",
        "wj",
        "《医疗机构管理条例》第十五条",
        20,
        false,
        false,
        "执业登记申请书*;设置批准书*;营业场所证明*;人员资质证明*;规章制度",
    ),
    (
        "WJ-002",
        "医师执业注册",
        "wj",
        "《中华人民共和国医师法》第十三条",
        20,
        true,
        false,
        "注册申请审核表*;医师资格证书*;健康证明*;聘用证明*",
    ),
    (
        "WJ-003",
        "公共场所卫生许可",
        "wj",
        "《公共场所卫生管理条例》第八条",
        15,
        true,
        true,
        "卫生许可申请表*;营业执照*;从业人员健康证明*;卫生管理制度",
    ),
    (
        "JT-001",
        "道路普通货物运输经营许可",
        "jt",
        "《中华人民共和国道路运输条例》第二十四条",
        20,
        true,
        true,
        "申请表*;车辆情况*;驾驶人员从业资格证*;安全生产管理制度*",
    ),
    (
        "JT-002",
        "出租汽车驾驶员从业资格注册",
        "jt",
        "《出租汽车驾驶员从业资格管理规定》",
        5,
        false,
        false,
        "注册申请表*;从业资格证*;劳动合同",
    ),
];

fn materials(spec: &str) -> Vec<Material> {
    spec.split(';')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let main = s.ends_with('*');
            let name = s.trim_end_matches('*').to_string();
            Material {
                common_errors: if main {
                    format!("须提供原件核验；{name}填写不全、未签字盖章是常见问题")
                } else {
                    "可在受理后补交".into()
                },
                sample: format!("{name}（样表见窗口及网上办事指南）"),
                name,
                main,
            }
        })
        .collect()
}

/// Questions people ask at the hall, not tied to one item.
const GENERAL_FAQ: &[(&str, &str)] = &[
    (
        "大厅可以网上预约取号吗？",
        "可以。通过政务服务网或微信公众号“清江政务”预约，到厅后凭预约码在取号机取号，优先办理。",
    ),
    (
        "政务服务中心周末上班吗？",
        "工作日 9:00—17:00 办公；周六上午提供延时服务；国家法定节假日休息，调休上班日照常办公。",
    ),
    ("市民中心有停车场吗？", "市民中心地下停车场对办事群众免费停车两小时，出场时出示取号凭条即可。"),
    (
        "在窗口没办成事情，可以去哪里反映？",
        "请到一楼“办不成事”反映窗口登记，工作人员当场受理，即办件 3 个工作日、承诺件 5 个工作日内协调答复。",
    ),
    (
        "对窗口工作人员服务不满意怎么投诉？",
        "可到“吐槽找茬”窗口反映，或拨打监督电话 0719-8123000，也可在政府网站、公众号留言，1 个工作日内与您联系。",
    ),
    (
        "老年人行动不便，可以上门帮忙办理吗？",
        "对老、弱、病、残、孕等群体提供帮办代办和预约上门服务，请拨打 0719-12345 预约。",
    ),
    (
        "什么是容缺受理？材料不齐能先受理吗？",
        "主要材料齐全、次要材料暂缺的，签署容缺承诺书后窗口先行受理，在约定时间内补齐即可办结。",
    ),
    ("什么是告知承诺制？", "对实行告知承诺的事项，申请人书面承诺符合条件并提交材料，即可当场审批，事后核查。"),
    (
        "可以委托别人代办吗？",
        "大部分事项可以委托办理：受托人携带授权委托书、委托人和受托人身份证原件办理；涉及人身的事项须本人到场。",
    ),
    ("大厅能复印材料吗？", "一楼自助服务区提供免费复印、打印和扫描，工作人员可协助。"),
    ("身份证过期了还能办其他业务吗？", "可以先办理临时居民身份证，或携带户口簿办理；需要时窗口会为您开通绿色通道。"),
    (
        "电子营业执照怎么下载？",
        "在微信或支付宝搜索“电子营业执照”小程序，法定代表人实名认证后即可下载，可用于网上办事和亮照经营。",
    ),
    ("办事需要带复印件吗？", "本中心已推行“减证便民”，能通过系统调取的证照不再要求复印件，请以办事指南为准。"),
    ("听不懂普通话或看不清字怎么办？", "窗口提供大字版指南和方言服务，网页可切换“大字模式”，也可请导办员全程陪同。"),
];

fn faq_entries(catalog: &[Item]) -> Vec<(String, String, Vec<String>)> {
    let mut out = vec![];
    for it in catalog {
        let mains: Vec<&str> = it.materials.iter().filter(|m| m.main).map(|m| m.name.as_str()).collect();
        let others: Vec<&str> = it.materials.iter().filter(|m| !m.main).map(|m| m.name.as_str()).collect();
        let window = UNITS
            .iter()
            .find(|(_, n, _)| *n == it.accepting_unit)
            .and_then(|(_, _, w)| w.first())
            .copied()
            .unwrap_or("对应窗口");
        let codes = vec![it.code.clone()];
        out.push((
            format!("办理{}需要哪些材料？", it.name),
            format!(
                "需要：{}（主件，须提供原件核验）{}。{}",
                mains.join("、"),
                if others.is_empty() { String::new() } else { format!("；{}（非要件）", others.join("、")) },
                if it.allows_deficiency {
                    "非要件暂缺的，可签署承诺书容缺受理，事后补齐。"
                } else {
                    "材料不全的，窗口会一次性告知需补正的全部材料。"
                }
            ),
            codes.clone(),
        ));
        out.push((
            format!("{}多久能办好？在哪个窗口办？", it.name),
            format!(
                "{}。请到{}{}办理{}。",
                if it.time_limit_wd == 0 {
                    "即办件，材料齐全当场办结".to_string()
                } else {
                    format!("承诺时限 {} 个工作日", it.time_limit_wd)
                },
                it.accepting_unit,
                window,
                if it.online { "，也可在政务服务网全程网上办理" } else { "" }
            ),
            codes.clone(),
        ));
        out.push((
            format!("{}的办理依据是什么？收费吗？", it.name),
            format!("依据{}。{}。", it.legal_basis, if it.fees.is_empty() { "不收费" } else { &it.fees }),
            codes,
        ));
    }
    for (q, a) in GENERAL_FAQ {
        out.push((q.to_string(), a.to_string(), vec![]));
    }
    out
}

pub(crate) struct DemoClock(pub(crate) Arc<AtomicI64>);

impl DemoClock {
    pub(crate) fn set(&self, t: DateTime<FixedOffset>) {
        self.0.store(t.timestamp(), Ordering::SeqCst);
    }

    /// The application's state over `store` with a clock that stands where it is set (starting
    /// at `from`): the demo and the generator's passes step it through the days they write.
    pub(crate) async fn stepped(
        s: &Store,
        store: &noveto_store::Store,
        from: DateTime<FixedOffset>,
    ) -> Result<(AppState, DemoClock), Fail> {
        let ts = Arc::new(AtomicI64::new(from.timestamp()));
        let ts2 = ts.clone();
        let clock = Clock::from_fn(move || {
            let t = chrono::DateTime::from_timestamp(ts2.load(Ordering::SeqCst), 0).unwrap_or_default();
            noveto_domain::time::local(t)
        });
        let state = AppState::load(store.clone(), clock, s.data.clone()).await?;
        Ok((state, DemoClock(ts)))
    }
}

fn principal(id: i64, login: &str, name: &str, grants: Vec<Grant>) -> Principal {
    Principal { id, login: login.into(), name: name.into(), grants, csrf: None }
}

pub async fn create(s: &Store, preset: &str) -> Result<Logins, Fail> {
    create_with_people(s, preset).await.map(|(l, _)| l)
}

/// The demo, and the staff it made (their ids and grants) for whoever adds more to it.
pub(crate) async fn create_with_people(s: &Store, preset: &str) -> Result<(Logins, Vec<Principal>), Fail> {
    let created = crate::init::create(s, preset, Some("清江市政务服务中心")).await?;
    let store = created.store.clone();
    let now = noveto_domain::time::local(chrono::Utc::now());
    let now_s = noveto_domain::time::rfc3339(now);
    let hash = hash_password(DEMO_PASSWORD);
    let pb = ProgressBar::new(5);
    pb.set_style(
        ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message("组织机构与人员");
    let root = created.root_center;
    // Organization and staff, in one transaction.
    type Setup = (Vec<(String, String, String)>, Vec<(String, i64, Vec<i64>)>, Vec<Principal>);
    let (logins, unit_ids, people): Setup = store
        .write(move |tx| {
            let ctx = Ctx { actor: None, now: now_s.clone() };
            org::set_center_contact(tx, &ctx, root, "清江市滨江大道 88 号市民中心", "0719-12345", "0719-8123000")?;
            // NV-17: where a refused applicant may seek review or sue.
            org::set_center_remedies(
                tx,
                &ctx,
                root,
                &org::Remedies {
                    review_body: "清江市人民政府",
                    review_days: 60,
                    court: "清江市滨江区人民法院",
                    litigation_months: 6,
                },
            )?;
            let county = org::create_center(
                tx,
                &ctx,
                &org::NewCenter {
                    name: "清江市河西区政务服务中心",
                    parent_id: Some(root),
                    level: "county",
                    address: "河西区人民路 18 号",
                    hotline: "0719-12345",
                    supervision_phone: "0719-8456000",
                },
            )?;
            let mut logins = vec![];
            let mut people = vec![];
            let mut mk = |tx: &mut dyn noveto_store::Tx,
                          login: &str,
                          name: &str,
                          grants: Vec<Grant>|
             -> Result<i64, StoreError> {
                let id = org::create_staff(tx, &ctx, login, name, &hash)?;
                for g in &grants {
                    org::add_grant(tx, &ctx, id, *g)?;
                }
                // Each role once, in the order granted (a head of two windows is one head).
                let mut labels: Vec<&str> = vec![];
                for g in &grants {
                    if !labels.contains(&g.role.label()) {
                        labels.push(g.role.label());
                    }
                }
                logins.push((login.to_string(), name.to_string(), labels.join("、")));
                people.push(principal(id, login, name, grants));
                Ok(id)
            };
            let c = |id| Scope { kind: ScopeKind::Center, id };
            let names = [
                ("王芳", "李强", "赵敏", "陈刚"),
                ("刘洋", "周静", "吴磊", "孙丽"),
                ("郑伟", "冯娟", "褚涛", "卫红"),
                ("蒋超", "沈佳", "韩冰", "杨帆"),
                ("朱琳", "秦勇", "尤燕", "许峰"),
                ("何敏", "吕军", "施娜", "张军"),
                ("孔莉", "曹阳", "严华", "华宁"),
                ("金鑫", "魏巍", "陶然", "姜山"),
            ];
            let mut units = vec![];
            for (i, (key, name, wins)) in UNITS.iter().enumerate() {
                let u = org::create_unit(tx, &ctx, root, name)?;
                let mut wids = vec![];
                for w in wins.iter() {
                    wids.push(org::create_window(tx, &ctx, root, Some(u), w, "window")?);
                }
                let (n1, n2, n3, n4) = names[i % names.len()];
                let w = |id| Scope { kind: ScopeKind::Window, id };
                let clerk_grants: Vec<Grant> =
                    wids.iter().map(|id| Grant { role: Role::Clerk, scope: w(*id) }).collect();
                let clerk = mk(tx, &format!("clerk-{key}"), n1, clerk_grants.clone())?;
                let backup = mk(tx, &format!("clerk2-{key}"), &format!("{n1}的B岗"), clerk_grants)?;
                let head_grants: Vec<Grant> = wids
                    .iter()
                    .flat_map(|id| {
                        [Grant { role: Role::WindowHead, scope: w(*id) }, Grant { role: Role::Clerk, scope: w(*id) }]
                    })
                    .collect();
                mk(tx, &format!("head-{key}"), n2, head_grants)?;
                let leader = mk(
                    tx,
                    &format!("leader-{key}"),
                    n3,
                    vec![Grant { role: Role::UnitLeader, scope: Scope { kind: ScopeKind::Unit, id: u } }],
                )?;
                mk(
                    tx,
                    &format!("chief-{key}"),
                    n4,
                    vec![Grant { role: Role::UnitHead, scope: Scope { kind: ScopeKind::Unit, id: u } }],
                )?;
                org::set_liaison(tx, &ctx, u, leader, clerk)?;
                for wid in &wids {
                    org::set_posts(tx, &ctx, *wid, Some(clerk), Some(backup))?;
                }
                units.push((key.to_string(), u, wids));
            }
            // The district: two units.
            for (key, name, win) in [
                ("hx-scjg", "河西区市场监督管理局", "河西区市场主体登记窗口"),
                ("hx-mz", "河西区民政局", "婚姻登记与社会救助窗口"),
            ] {
                let u = org::create_unit(tx, &ctx, county, name)?;
                let wid = org::create_window(tx, &ctx, county, Some(u), win, "window")?;
                mk(
                    tx,
                    &format!("clerk-{key}"),
                    "河西窗口人员",
                    vec![Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: wid } }],
                )?;
                units.push((key.to_string(), u, vec![wid]));
            }
            let desk = org::create_window(tx, &ctx, root, None, "综合咨询服务台", "consultation_desk")?;
            let bbc = org::create_window(tx, &ctx, root, None, "“办不成事”反映窗口", "unresolved_desk")?;
            let tc = org::create_window(tx, &ctx, root, None, "“吐槽找茬”窗口", "complaint_window")?;
            org::create_window(tx, &ctx, county, None, "河西区综合咨询服务台", "consultation_desk")?;
            mk(
                tx,
                "desk",
                "导办员小林",
                vec![Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: desk } }],
            )?;
            mk(
                tx,
                "bbc-desk",
                "兜底窗口老周",
                vec![
                    Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: bbc } },
                    Grant { role: Role::WindowHead, scope: Scope { kind: ScopeKind::Window, id: bbc } },
                ],
            )?;
            mk(
                tx,
                "tc-desk",
                "找茬窗口小宋",
                vec![Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: tc } }],
            )?;
            mk(tx, "hall", "大厅经理郭敏", vec![Grant { role: Role::HallManager, scope: c(root) }])?;
            mk(tx, "business", "业务科田甜", vec![Grant { role: Role::BusinessSection, scope: c(root) }])?;
            mk(tx, "supervision", "监督科马骏", vec![Grant { role: Role::Supervision, scope: c(root) }])?;
            mk(tx, "director", "局长邓华", vec![Grant { role: Role::Director, scope: c(root) }])?;
            mk(tx, "oversight", "效能办彭鹏", vec![Grant { role: Role::Oversight, scope: c(root) }])?;
            Ok::<_, StoreError>((logins, units, people))
        })
        .await?;
    pb.inc(1);
    pb.set_message("事项库");
    let unit_of = |key: &str| unit_ids.iter().find(|(k, _, _)| k == key).map(|(_, u, _)| *u);
    let catalog: Vec<Item> = CATALOG
        .iter()
        .map(|(code, name, unit, basis, tl, def, com, mats)| Item {
            code: code.to_string(),
            name: name.to_string(),
            unit_id: unit_of(unit),
            legal_basis: basis.to_string(),
            accepting_unit: UNITS.iter().find(|(k, _, _)| k == unit).map(|(_, n, _)| n.to_string()).unwrap_or_default(),
            steps: vec!["申请".into(), "受理".into(), "审查".into(), "决定".into(), "送达".into()],
            materials: materials(mats),
            fees: "不收费".into(),
            fee_basis: String::new(),
            time_limit_wd: *tl,
            phone: "0719-12345".into(),
            allows_deficiency: *def,
            allows_commitment: *com,
            online: true,
            assisted: tl > &10,
            // 属地办理: the district's market regulator registers companies and sole traders too.
            other_units: if ["SC-001", "SC-005"].contains(code) {
                unit_of("hx-scjg").into_iter().collect()
            } else {
                vec![]
            },
            stages: stages_of(code, &unit_of),
            // NV-6: small eateries are checked sooner than the policy's period.
            commitment_check_days: (*code == "SC-007").then_some(10),
            version: 0,
        })
        .collect();
    let now_s = noveto_domain::time::rfc3339(now);
    let faqs = faq_entries(&catalog);
    store
        .write(move |tx| {
            let ctx = Ctx { actor: None, now: now_s };
            for it in &catalog {
                items::upsert(tx, &ctx, it, None)?;
            }
            // CAT-4: the life events the center publishes (the intent quality set's bundles).
            for b in demo_bundles(&catalog) {
                noveto_store::repo::bundles::upsert(tx, &ctx, &b)?;
            }
            for (q, a, codes) in &faqs {
                noveto_store::repo::faq::insert(
                    tx,
                    &ctx,
                    &noveto_store::repo::faq::NewFaq {
                        question: q,
                        answer: a,
                        item_codes: codes,
                        unit_id: None,
                        source: "manual",
                    },
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    pb.inc(1);
    pb.set_message("办件（各种状态）");
    let (state, dc) = DemoClock::stepped(s, &store, now).await?;
    cases(&state, &dc, &people, now).await.map_err(|e| Fail(format!("演示办件创建失败：{}", e.message)))?;
    unresolved(&state, &dc, &people, now)
        .await
        .map_err(|e| Fail(format!("演示办不成事反映创建失败：{}", e.message)))?;
    complaints(&state, &dc, &people, now).await.map_err(|e| Fail(format!("演示“吐槽找茬”创建失败：{}", e.message)))?;
    ratings(&state, &dc, &people, now).await.map_err(|e| Fail(format!("演示好差评创建失败：{}", e.message)))?;
    pb.inc(3);
    pb.finish_and_clear();
    let logins = Logins { admin_password: created.admin_password, staff: logins };
    let mut text = format!("演示账号（密码均为 {DEMO_PASSWORD}）：\n");
    for (l, n, r) in &logins.staff {
        text.push_str(&format!("{l}\t{n}\t{r}\n"));
    }
    // The logins of the demo's staff: the owner's only, like every other secret of the directory.
    crate::init::write_secret(&s.data.join("demo-logins.txt"), &text)?;
    Ok((logins, people))
}

pub(crate) fn who<'a>(people: &'a [Principal], login: &str) -> &'a Principal {
    people.iter().find(|p| p.login == login).unwrap_or(&people[0])
}

/// CAT-4: the bundles of `crates/search/quality/bundles.toml`, their items named by the codes of
/// this catalog (a bundle whose item is missing is left out).
fn demo_bundles(catalog: &[Item]) -> Vec<noveto_store::repo::bundles::Bundle> {
    let file: toml::Table = include_str!("../../search/quality/bundles.toml").parse().unwrap_or_default();
    let rows = file.get("bundle").and_then(|b| b.as_array()).cloned().unwrap_or_default();
    let text = |r: &toml::Value, k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let list = |r: &toml::Value, k: &str| -> Vec<String> {
        r.get(k)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    rows.iter()
        .filter_map(|r| {
            let items: Option<Vec<String>> = list(r, "items")
                .iter()
                .map(|n| catalog.iter().find(|i| &i.name == n).map(|i| i.code.clone()))
                .collect();
            Some(noveto_store::repo::bundles::Bundle {
                code: text(r, "code"),
                name: text(r, "name"),
                description: text(r, "description"),
                intents: list(r, "intents"),
                items: items?,
                version: 0,
            })
        })
        .collect()
}

/// NV-1: the back-office stages of the demo items that have them (passports and permits go
/// through review, a decision, printing and delivery after the window accepts them).
fn stages_of(code: &str, unit_of: &dyn Fn(&str) -> Option<i64>) -> Vec<StagePlan> {
    let plan =
        |name: &str, share, unit: Option<&str>| StagePlan { name: name.into(), unit_id: unit.and_then(unit_of), share };
    match code {
        "GA-004" | "GA-005" => vec![
            plan("受理", 10, None),
            plan("审核", 40, None),
            plan("审批", 20, None),
            plan("制证", 20, None),
            plan("送达", 10, None),
        ],
        "BD-001" | "WJ-001" => {
            vec![plan("受理", 10, None), plan("审查", 50, None), plan("决定", 20, None), plan("送达", 20, None)]
        }
        _ => vec![],
    }
}

pub(crate) fn case_in(
    kind: &str,
    item: Option<&str>,
    name: &str,
    phone: &str,
    org: Option<&str>,
    request: &str,
) -> CaseIn {
    CaseIn {
        kind: kind.into(),
        channel: "window".into(),
        item_code: item.map(String::from),
        applicant: ApplicantIn {
            name: name.into(),
            org: org.map(String::from),
            credit_code: None,
            id_card: None,
            id_type: None,
            id_number: None,
            phone: phone.into(),
        },
        request: request.into(),
        window_id: None,
        prescreen_id: None,
    }
}

/// Cases in every state, spread over the last days.
/// Materials handed in at acceptance, each an original, one copy.
fn received(names: &[&str]) -> svc::AcceptIn {
    svc::AcceptIn {
        materials: names.iter().map(|n| svc::ReceivedIn { material: (*n).into(), original: true, copies: 1 }).collect(),
    }
}

async fn cases(
    s: &AppState,
    c: &DemoClock,
    people: &[Principal],
    now: DateTime<FixedOffset>,
) -> Result<(), noveto_server::error::ApiError> {
    let day = |d: i64, h: u32| {
        now - chrono::Duration::days(d) + chrono::Duration::hours(h as i64)
            - chrono::Duration::hours(now.format("%H").to_string().parse::<i64>().unwrap_or(9))
            + chrono::Duration::hours(9)
    };
    let clerk = who(people, "clerk-scjg");
    let head = who(people, "head-scjg");
    let leader = who(people, "leader-scjg");
    let open = |p: &Principal, b: CaseIn| {
        let p = p.clone();
        async move { svc::open_case(s, &p, svc::parse_case(b)?).await.map(|(id, _, _)| id) }
    };
    // 1. Received, waiting.
    c.set(day(0, 0));
    open(
        clerk,
        case_in(
            "application",
            Some("SC-001"),
            "李明",
            "13812345678",
            Some("清江市明远科技有限公司"),
            "新设立有限责任公司，申请营业执照。",
        ),
    )
    .await?;
    // 2. One-time notice.
    c.set(day(3, 1));
    let id = open(
        clerk,
        case_in("application", Some("SC-006"), "张秀英", "13907191234", Some("张记面馆"), "开面馆，申请食品经营许可。"),
    )
    .await?;
    svc::do_notice(
        s,
        clerk,
        id,
        NoticeIn {
            confirm_phrases: false,
            missing: vec![
                MissingIn {
                    material: "食品安全管理制度".into(), how_to_fix: "按样表填写并由经营者签字".into()
                },
                MissingIn {
                    material: "经营场所平面图".into(), how_to_fix: "标明操作间、库房位置".into()
                },
            ],
        },
    )
    .await?;
    // 3. Accepted, running on the promised time limit.
    c.set(day(2, 2));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-002"),
            "王建国",
            "13700001111",
            Some("清江市兴华商贸有限公司"),
            "变更公司住所。",
        ),
    )
    .await?;
    svc::do_accept(s, clerk, id, received(&["申请书", "营业执照正副本"])).await?;
    // 4. Acceptance with deficiency.
    c.set(day(4, 0));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-005"),
            "刘桂兰",
            "15071234567",
            None,
            "开便利店，办个体工商户营业执照，租房合同还没签好。",
        ),
    )
    .await?;
    svc::do_deficiency(
        s,
        clerk,
        id,
        DeficiencyIn {
            missing: vec![MissingIn {
                material: "经营场所使用证明".into(),
                how_to_fix: "签订租赁合同后补交复印件".into(),
            }],
            commitment_signed: true,
            supplement_days: Some(5),
        },
    )
    .await?;
    // 5. Escalated: a gray area, and a major one.
    c.set(day(1, 3));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-001"),
            "陈晓",
            "18671234567",
            Some("清江市云端数据服务有限公司"),
            "经营范围含“数据标注”，目录中没有对应表述，能否登记？",
        ),
    )
    .await?;
    svc::do_escalate(
        s,
        clerk,
        id,
        EscalationIn {
            reason: "新业态经营范围表述，规范目录未列明，请示如何登记。".into(),
            major: false,
            expert_study: None,
            beyond_promise_reason: None,
        },
    )
    .await?;
    c.set(day(8, 1));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-008"),
            "赵海",
            "13972345678",
            Some("仁和大药房"),
            "药店迁址后执业药师暂缺一周，能否先办许可？",
        ),
    )
    .await?;
    svc::do_escalate(
        s,
        clerk,
        id,
        EscalationIn {
            reason: "人员资质阶段性不满足，涉及药品安全，请示。".into(),
            major: true,
            expert_study: None,
            beyond_promise_reason: None,
        },
    )
    .await?;
    // 6. Veto pending.
    c.set(day(1, 5));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-003"),
            "孙伟",
            "13508881234",
            Some("清江市恒通物流有限公司"),
            "公司有未结清的行政处罚，申请注销。",
        ),
    )
    .await?;
    svc::do_veto_request(
        s,
        clerk,
        id,
        VetoIn {
            reason: "存在未履行完毕的行政处罚，不符合简易注销条件。".into(),
            legal_basis: "《中华人民共和国市场主体登记管理条例》第三十三条".into(),
            major: false,
        },
    )
    .await?;
    // 7. Veto approved at every level, case closed as vetoed.
    c.set(day(6, 1));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-008"),
            "周敏",
            "13677778888",
            Some("康泰药房"),
            "在学校周边 50 米内开设药品零售店。",
        ),
    )
    .await?;
    let v = svc::do_veto_request(
        s,
        clerk,
        id,
        VetoIn {
            reason: "经营场所不符合本市药品零售企业设置规划。".into(),
            legal_basis: "《中华人民共和国药品管理法》第五十二条；本市药品零售企业设置规定".into(),
            major: false,
        },
    )
    .await?;
    let vid = v["id"].as_i64().unwrap_or(0);
    c.set(day(6, 3));
    let policy = s.policy();
    // Whoever holds each level the preset names (the fuzhou and ankang presets skip the head).
    let decider = |level| match level {
        noveto_domain::access::DecisionLevel::WindowHead => head,
        noveto_domain::access::DecisionLevel::UnitLeader => leader,
        _ => who(people, "chief-scjg"),
    };
    for level in policy.veto_levels(false).to_vec() {
        let decider = decider(level);
        svc::do_decide(
            s,
            decider,
            vid,
            DecisionIn {
                approve: true, opinion: "经核实，选址确不符合规划，同意否决，并告知可另选址申请。".into()
            },
        )
        .await?;
    }
    c.set(day(5, 1));
    svc::do_close(
        s,
        clerk,
        id,
        CloseIn {
            confirm_phrases: false,
            outcome: "vetoed".into(),
            veto_request_id: Some(vid),
            withdrawal_id: None,
            legal_basis: None,
            note: Some("已出具不予许可通知书并告知另行选址".into()),
        },
    )
    .await?;
    // 8. Veto denied: the window head finds a way; the case is accepted instead.
    c.set(day(5, 2));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-004"),
            "吴芳",
            "13311112222",
            Some("吴记家政服务部"),
            "营业执照遗失，法定代表人在外地无法到场。",
        ),
    )
    .await?;
    let v = svc::do_veto_request(
        s,
        clerk,
        id,
        VetoIn {
            reason: "法定代表人无法到场签字。".into(),
            legal_basis: "《市场主体登记管理条例实施细则》第七十一条".into(),
            major: false,
        },
    )
    .await?;
    c.set(day(5, 4));
    let first = policy.veto_levels(false).first().copied().unwrap_or(noveto_domain::access::DecisionLevel::WindowHead);
    svc::do_decide(
        s,
        decider(first),
        v["id"].as_i64().unwrap_or(0),
        DecisionIn {
            approve: false, opinion: "可通过电子营业执照远程签名或委托办理，不予否决，请继续办理。".into()
        },
    )
    .await?;
    svc::do_accept(s, clerk, id, received(&["申请书", "营业执照正副本"])).await?;
    // 9. Approved and closed.
    c.set(day(7, 0));
    let id = open(
        clerk,
        case_in("application", Some("SC-005"), "郑小红", "13155556666", None, "开水果店，个体工商户登记。"),
    )
    .await?;
    svc::do_accept(s, clerk, id, received(&["申请书", "营业执照正副本"])).await?;
    c.set(day(7, 2));
    svc::do_close(
        s,
        clerk,
        id,
        CloseIn {
            confirm_phrases: false,
            outcome: "approved".into(),
            veto_request_id: None,
            withdrawal_id: None,
            legal_basis: None,
            note: None,
        },
    )
    .await?;
    // 10. Referred, with a warm handoff.
    c.set(day(2, 4));
    let id =
        open(clerk, case_in("consultation", None, "马大爷", "13011223344", None, "想办退休手续，不知道在哪个窗口。"))
            .await?;
    let rs = s.store.read(|tx| org::units(tx)).await?.into_iter().find(|u| u.name.contains("人力资源")).map(|u| u.id);
    svc::do_referral(
        s,
        clerk,
        id,
        ReferralIn {
            to_body: None,
            to_unit_id: rs,
            to_window_id: None,
            address: "市民中心二楼 B 区 12 号社保业务窗口".into(),
            contact: "社保窗口 周静 0719-8221234".into(),
            how: "携带身份证、户口簿原件，已电话联系窗口，到后直接办理，无需排队。".into(),
            handoff: true,
        },
    )
    .await?;
    // 11. A consultation answered.
    c.set(day(1, 1));
    let desk = who(people, "desk");
    let id = open(desk, case_in("consultation", None, "黄女士", "15900001234", None, "办居住证需要什么材料？")).await?;
    svc::do_close(
        s,
        desk,
        id,
        CloseIn {
            confirm_phrases: false,
            outcome: "answered".into(),
            veto_request_id: None,
            withdrawal_id: None,
            legal_basis: None,
            note: Some("已告知材料清单并发放明白纸，可网上预约。".into()),
        },
    )
    .await?;
    // 12. Withdrawn.
    c.set(day(3, 5));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-002"),
            "林涛",
            "13812340000",
            Some("清江市林氏贸易有限公司"),
            "变更法定代表人。",
        ),
    )
    .await?;
    // NV-2: the applicant's written withdrawal, confirmed by the window head, then the close.
    let wid = svc::do_withdrawal(
        s,
        clerk,
        id,
        svc::WithdrawalIn {
            statement: "本公司股东会决议尚未作出，自愿撤回本次变更登记申请。——林涛".into()
        },
    )
    .await?;
    svc::do_confirm_withdrawal(s, head, wid).await?;
    svc::do_close(
        s,
        clerk,
        id,
        CloseIn {
            confirm_phrases: false,
            outcome: "withdrawn".into(),
            veto_request_id: None,
            withdrawal_id: Some(wid),
            legal_basis: None,
            note: Some("申请人股东会决议未作出，自愿撤回".into()),
        },
    )
    .await?;
    // 13. Approved by commitment.
    c.set(day(2, 6));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-007"),
            "谢春梅",
            "13822223333",
            Some("谢家小吃"),
            "小餐饮登记，健康证已体检待发。",
        ),
    )
    .await?;
    svc::do_commitment(
        s,
        clerk,
        id,
        svc::CommitmentIn {
            commitment: "本人承诺 10 个工作日内补交从业人员健康证明，如不实愿承担法律责任。".into()
        },
    )
    .await?;
    // 13b. An application for another window of the same unit: referred there (NV-3).
    c.set(day(1, 6));
    let id = open(
        clerk,
        case_in(
            "application",
            Some("SC-006"),
            "何丽",
            "13733334444",
            Some("何记烘焙坊"),
            "开烘焙店，申请食品经营许可。",
        ),
    )
    .await?;
    let (to_window, to_unit) = s
        .store
        .read(|tx| org::windows(tx))
        .await?
        .into_iter()
        .find(|w| w.name == "食品经营许可窗口")
        .map(|w| (Some(w.id), w.unit_id))
        .unwrap_or((None, None));
    svc::do_referral(
        s,
        clerk,
        id,
        ReferralIn {
            to_body: None,
            to_unit_id: to_unit,
            to_window_id: to_window,
            address: "市民中心一楼 A 区 6 号食品经营许可窗口".into(),
            contact: "食品经营许可窗口 0719-8221100".into(),
            how: "带齐营业执照、食品安全管理制度，到窗口直接办理。".into(),
            handoff: false,
        },
    )
    .await?;
    // 13c. Recorded as an application, but only a question: the clerk asks the head to relabel it.
    c.set(day(0, 2));
    let id = open(
        clerk,
        case_in("application", Some("SC-004"), "方强", "13599990000", None, "只是问问营业执照遗失补领要多久。"),
    )
    .await?;
    svc::do_change_kind(
        s,
        clerk,
        id,
        svc::KindIn {
            kind: "consultation".into(), reason: "群众只是咨询办理时限，登记时误选为申请。".into()
        },
    )
    .await?;
    // 14. An overdue escalation from another unit, for the supervision list.
    c.set(day(14, 1));
    let clerk_bdc = who(people, "clerk-bdc");
    let id = open(
        clerk_bdc,
        case_in(
            "application",
            Some("BD-002"),
            "钱进",
            "13688889999",
            None,
            "二手房过户，原房产证登记面积与实测不一致。",
        ),
    )
    .await?;
    svc::do_escalate(
        s,
        clerk_bdc,
        id,
        EscalationIn {
            reason: "面积差异超出误差范围，如何处理请示。".into(),
            major: false,
            expert_study: None,
            beyond_promise_reason: None,
        },
    )
    .await?;
    // 15. NV-1: a passport in the back office — accepted, reviewed, now waiting for approval.
    c.set(day(3, 2));
    let clerk_ga = who(people, "clerk-ga");
    let id = open(clerk_ga, case_in("application", Some("GA-004"), "孙丽", "13577776666", None, "首次申请普通护照。"))
        .await?;
    svc::do_accept(s, clerk_ga, id, received(&["申请表", "居民身份证", "近期照片"])).await?;
    for (n, (stage, note)) in
        [("受理", "材料齐全，已采集照片和指纹"), ("审核", "身份信息核验无误")].into_iter().enumerate()
    {
        c.set(day(2 - n as i64, 1));
        let b = svc::StageDoneIn { stage: stage.into(), note: note.into(), confirm_phrases: false };
        svc::do_finish_stage(s, clerk_ga, id, b).await?;
    }
    c.set(now);
    Ok(())
}

pub async fn run(s: &Store, preset: &str, scale: Option<u64>) -> Result<(), Fail> {
    let (l, people) = create_with_people(s, preset).await?;
    if let Some(n) = scale {
        crate::scale::fill(s, n, &people).await?;
    }
    println!("已创建演示数据：清江市政务服务中心（含河西区中心）。");
    print!("{}", logins_text(&l));
    Ok(())
}

/// The 办不成事 desk's matters: one answered, one waiting for its unit, one complex waiting for
/// the supervision section's deadline (BBC).
async fn unresolved(
    s: &AppState,
    c: &DemoClock,
    people: &[Principal],
    now: DateTime<FixedOffset>,
) -> Result<(), noveto_server::error::ApiError> {
    use noveto_app::unresolved as u;
    let desk = who(people, "bbc-desk");
    let contact = who(people, "clerk-scjg");
    let unit = who(people, "leader-scjg").grants.first().map(|g| g.scope.id).unwrap_or_default();
    let reg = |name: &str, phone: &str, class: &str, summary: &str| u::UnresolvedIn {
        reporter: u::ReporterIn { name: name.into(), phone: phone.into() },
        summary: summary.into(),
        case_id: None,
        case_receipt_no: None,
        class: class.into(),
        desk_id: None,
    };
    c.set(now - chrono::Duration::days(2));
    let a =
        u::register(s, desk, reg("周杰", "13971234567", "simple", "个体户名称变更在网上提交两次都被退回，没说原因。"))
            .await?;
    u::dispatch(s, desk, a.id, u::DispatchIn { unit_id: unit }).await?;
    u::feedback(
        s,
        contact,
        a.id,
        u::FeedbackIn {
            result: "已电话联系，退回原因为名称含行业禁用字，已指导改名后当场办结。".into(),
            resolved: true,
            bottleneck: Some("网上退件未写明退回理由".into()),
            confirm: false,
        },
    )
    .await?;
    u::verify(s, desk, a.id, u::VerifyIn { done: true, note: "电话回访周杰，确认已领到新营业执照。".into() }).await?;
    c.set(now - chrono::Duration::days(1));
    let b = u::register(
        s,
        desk,
        reg("吴芳", "13607195678", "general", "食品经营许可延续，窗口说要等系统升级，已来了三次。"),
    )
    .await?;
    u::dispatch(s, desk, b.id, u::DispatchIn { unit_id: unit }).await?;
    u::tell(
        s,
        desk,
        b.id,
        u::NoticeIn {
            materials: "营业执照、原食品经营许可证、延续申请书".into(),
            window: "市民中心一楼 A 区 6 号食品经营许可窗口".into(),
            person: "市场监管局窗口负责人".into(),
            contact: "0719-8221100".into(),
        },
    )
    .await?;
    c.set(now);
    u::register(
        s,
        desk,
        reg("郑强", "13507193456", "complex", "2003 年购买的商品房至今办不了不动产权证，开发商已注销。"),
    )
    .await?;
    Ok(())
}

/// 吐槽找茬 complaints in every state (TC): waiting for the supervision section (one confidential,
/// one from 12345), answered on the spot, with the lead section and a co-section, replied and
/// waiting to be filed, filed, and before the director's meeting.
async fn complaints(
    s: &AppState,
    c: &DemoClock,
    people: &[Principal],
    now: DateTime<FixedOffset>,
) -> Result<(), noveto_server::error::ApiError> {
    use noveto_app::complaints as k;
    let sup = who(people, "supervision");
    let tc = who(people, "tc-desk");
    let director = who(people, "director");
    let scjg_contact = who(people, "clerk-scjg");
    let unit_of = |login: &str| who(people, login).grants.first().map(|g| g.scope.id).unwrap_or_default();
    let (scjg, bdc) = (unit_of("leader-scjg"), unit_of("leader-bdc"));
    let bdc_contact = who(people, "clerk-bdc");
    let new =
        |channel: &str, category: &str, name: &str, phone: &str, content: &str, confidential: bool| k::ComplaintIn {
            channel: channel.into(),
            category: category.into(),
            content: content.into(),
            complainant: k::ComplainantIn { name: name.into(), phone: phone.into() },
            confidential,
            center_id: None,
            window_id: None,
            about_unit: None,
        };
    c.set(now - chrono::Duration::days(3));
    // Filed: the lead section replied, the supervision section closed it.
    let a = k::register(
        s,
        sup,
        new("box", "process", "冯雪", "13871112222", "办理食品经营许可要填的表格太多，很多信息重复填写。", false),
    )
    .await?;
    k::assign(s, sup, a.id, k::AssignIn { unit_id: scjg, lead: true }).await?;
    k::contact(s, scjg_contact, a.id, k::NoteIn { note: "已电话联系冯雪，核实是延续申请与变更申请表格重复。".into() })
        .await?;
    k::reply(
        s,
        scjg_contact,
        a.id,
        k::ReplyIn {
            opinion: "经核实，两张表格信息重复，已合并为一张并更新办事指南。".into(),
            reply: "您反映的表格重复问题已整改：两张表合并为一张，下次办理只需填写一次。感谢您的意见！".into(),
            confirm: false,
        },
    )
    .await?;
    k::close(s, sup, a.id, k::NoteIn { note: "整改措施已在大厅公示。".into() }).await?;
    c.set(now - chrono::Duration::days(2));
    // Answered on the spot by the complaint window.
    let b = k::register(
        s,
        tc,
        new("complaint_window", "efficiency", "蒋涛", "13972223333", "叫号机显示的等候人数和实际不一致。", false),
    )
    .await?;
    k::answer_on_spot(
        s,
        tc,
        b.id,
        k::OnSpotIn {
            reply: "已当场核实：叫号机把已过号的也算在内，已请大厅管理人员重置，现在显示准确。".into(),
            confirm: false,
        },
    )
    .await?;
    // Replied, waiting for the supervision section to file it; a co-section's opinion with it.
    let d = k::register(
        s,
        sup,
        new("wechat", "attitude", "沈玲", "13673334444", "不动产登记窗口工作人员说话不耐烦，问两遍就不理人。", false),
    )
    .await?;
    k::assign(s, sup, d.id, k::AssignIn { unit_id: bdc, lead: true }).await?;
    k::assign(s, sup, d.id, k::AssignIn { unit_id: scjg, lead: false }).await?;
    k::co_opinion(
        s,
        scjg_contact,
        d.id,
        k::OpinionIn {
            text: "本局窗口无相关记录，建议由不动产登记中心调取监控核实。".into()
        },
    )
    .await?;
    k::reply(
        s,
        bdc_contact,
        d.id,
        k::ReplyIn {
            opinion: "调取监控核实，窗口人员态度生硬属实，已批评教育并在科室会上通报。".into(),
            reply: "您反映的问题属实，我们已对该工作人员批评教育，并安排专人为您预约办理，联系电话 0719-8223300。"
                .into(),
            confirm: false,
        },
    )
    .await?;
    c.set(now - chrono::Duration::days(1));
    // Before the director's meeting.
    let e = k::register(
        s,
        sup,
        new("website", "other", "韩冬", "13574445555", "建议周六开放不动产登记窗口，上班族工作日请不了假。", false),
    )
    .await?;
    k::assign(s, sup, e.id, k::AssignIn { unit_id: bdc, lead: true }).await?;
    k::to_meeting(
        s,
        bdc_contact,
        e.id,
        k::ReasonIn { reason: "周末开放涉及人员编制和加班安排，科室无法决定。".into() },
    )
    .await?;
    let _ = director;
    c.set(now);
    // With the lead section, contact made, extended as complex.
    let f = k::register(
        s,
        tc,
        new(
            "phone",
            "efficiency",
            "杨帆",
            "13775556666",
            "公司变更登记提交一周了还没有结果，打电话也没人说清楚。",
            false,
        ),
    )
    .await?;
    k::assign(s, sup, f.id, k::AssignIn { unit_id: scjg, lead: true }).await?;
    k::contact(s, scjg_contact, f.id, k::NoteIn { note: "已联系杨帆，变更涉及股权质押解除，需要协调银行。".into() })
        .await?;
    k::extend(s, sup, f.id, k::ReasonIn { reason: "涉及银行解除股权质押，需要协调外单位。".into() }).await?;
    // Waiting for the supervision section: a confidential one from the website.
    k::register(
        s,
        sup,
        new("website", "attitude", "匿名群众", "13876667777", "社保窗口有工作人员让我去找“熟人”加快办理。", true),
    )
    .await?;
    // And one 12345 work order, imported once.
    noveto_app::hotline::import(
        s,
        sup,
        noveto_app::hotline::OrdersIn {
            orders: vec![noveto_app::hotline::Order {
                order_no: "GD20261204001".into(),
                received_at: Some(now.format("%Y-%m-%d 09:12").to_string()),
                caller: "曹静".into(),
                phone: "13977778888".into(),
                kind: "投诉".into(),
                category: Some("办事效率".into()),
                content: "公积金提取网上申请三天没有审核。".into(),
                confidential: false,
            }],
            center_id: None,
        },
    )
    .await?;
    Ok(())
}

/// 好差评 (HCP): the demo's closed services rated across the quarter — on the window's device, by
/// SMS and by the callback — with the bad ones' rectifications in every state.
async fn ratings(
    s: &AppState,
    c: &DemoClock,
    people: &[Principal],
    now: DateTime<FixedOffset>,
) -> Result<(), noveto_server::error::ApiError> {
    use noveto_app::ratings as r;
    use noveto_app::rectifications as x;
    let sup = who(people, "supervision");
    let hall = who(people, "hall");
    // A quarter of services at the counter: questions answered at every unit's window, every few
    // days since the quarter began.
    let first = noveto_domain::rating::parse_quarter(&noveto_domain::rating::quarter_of(now.date_naive()))
        .map(|q| q.0)
        .unwrap_or(now.date_naive());
    let days = (now.date_naive() - first).num_days().max(1);
    let questions = ["材料要带原件吗？", "可以网上预约吗？", "需要本人到场吗？", "多久能办好？"];
    let mut n = 0usize;
    for key in ["scjg", "bdc", "rs", "ga", "gjj", "sw"] {
        let clerk = who(people, &format!("clerk-{key}"));
        let mut d = (n as i64) % 4;
        while d < days {
            c.set(now - chrono::Duration::days(days - d) + chrono::Duration::hours(1));
            let phone = format!("139{:08}", 7100000 + n);
            let b = case_in("consultation", None, "来办事的群众", &phone, None, questions[n % questions.len()]);
            let id = svc::open_case(s, clerk, svc::parse_case(b)?).await?.0;
            let close = CloseIn {
                confirm_phrases: false,
                outcome: "answered".into(),
                veto_request_id: None,
                withdrawal_id: None,
                legal_basis: None,
                note: Some("已当场解答并发放一次性告知单。".into()),
            };
            svc::do_close(s, clerk, id, close).await?;
            n += 1;
            d += 9;
        }
    }
    let closed = s.store.read(noveto_store::repo::ratings::closed_cases).await?;
    let scale = s.policy().rating.scale;
    let level = |good: bool, n: usize| -> serde_json::Value {
        if scale == 2 {
            serde_json::json!(if good { "satisfied" } else { "unsatisfied" })
        } else if good {
            serde_json::json!(5 - (n % 3) as u64)
        } else {
            serde_json::json!(1 + (n % 2) as u64)
        }
    };
    let mut bad = vec![];
    for (n, (case, window)) in closed.iter().enumerate() {
        c.set(now - chrono::Duration::days(((n * 7) % 60) as i64));
        let good = n % 4 != 1;
        let b = r::RatingIn {
            case_id: Some(*case),
            level: Some(level(good, n)),
            comment: (!good).then(|| "等候时间太长，窗口解释不清楚".to_string()),
            ..Default::default()
        };
        let rated = match (n % 3, window) {
            (0, Some(w)) => {
                let key = r::kiosk_key(s, hall, *w).await?;
                r::rate_on_kiosk(s, &key, *case, b).await?
            }
            _ => r::rate(s, sup, r::RatingIn { channel: "sms".into(), ..b }).await?,
        };
        if let Some(id) = rated.rectification_id {
            bad.push(id);
        }
        // The quarter's callbacks: every third one reached, one not.
        if n % 5 == 2 {
            let reached = n % 10 != 2;
            let cb = r::RatingIn {
                case_id: Some(*case),
                channel: "callback".into(),
                level: reached.then(|| level(true, n)),
                reached: Some(reached),
                ..Default::default()
            };
            r::rate(s, sup, cb).await?;
        }
    }
    c.set(now);
    // The bad ratings' rectifications: one verified, one done, one appealed, one annulled.
    let unit_people = |id: i64| async move {
        let v = x::get(s, sup, id).await.ok()?;
        let contact = people.iter().find(|p| Some(p.id) == v.assignee)?;
        Some((v, contact))
    };
    for (i, id) in bad.iter().enumerate() {
        let Some((v, contact)) = unit_people(*id).await else { continue };
        let real_name = matches!(v.origin, noveto_domain::rectification::Origin::Rating { real_name: true, .. });
        let verifier = if real_name { sup } else { contact };
        match i % 5 {
            0 => {}
            1 => x::verify(s, verifier, *id, x::NoteIn { note: "已回访评价人，核实等候时间约 40 分钟".into() }).await?,
            2 => {
                x::verify(s, verifier, *id, x::NoteIn { note: "已回访核实".into() }).await?;
                x::done(
                    s,
                    contact,
                    *id,
                    x::DoneIn {
                        measures: "高峰时段增开一个窗口，叫号屏显示预计等候时间".into(),
                        told: "已电话告知评价人整改措施".into(),
                    },
                )
                .await?;
            }
            3 => x::appeal(s, contact, *id, x::AppealIn { reason: "叫号记录显示该号当日未到窗口办理".into() }).await?,
            _ => {
                x::appeal(s, contact, *id, x::AppealIn { reason: "评价人系误评，已电话确认".into() }).await?;
                x::decide_appeal(s, sup, *id, x::DecisionIn { upheld: true, reason: "评价人确认误评".into() }).await?;
            }
        }
    }
    Ok(())
}
