//! NV-12 (AK 三(二): "在第一时间对申请人所办事项进行预判和指引"): before a person queues, the
//! consultation desk (or any window) ticks what they brought against the catalog's materials and
//! tells them at once what is missing and how to get it — one written list, once.

use serde::{Deserialize, Serialize};

/// A material the catalog asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Required {
    pub name: String,
    /// 主件: without it the matter cannot be accepted even with deficiency.
    pub main: bool,
    /// How to get it or get it right (the catalog's sample and common errors).
    pub how_to_fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// What the person brought, of what the catalog asks for, in the catalog's order.
    pub brought: Vec<String>,
    pub missing: Vec<Required>,
    /// Nothing missing: the person can queue and be accepted.
    pub complete: bool,
    /// Only non-main materials missing: acceptance with deficiency may be possible (NV-5).
    pub main_present: bool,
}

/// Sets what was brought against what is asked. A ticked name the catalog does not ask for is
/// left out (the list is the catalog's, not free text).
pub fn check(required: &[Required], brought: &[String]) -> Outcome {
    let has = |name: &str| brought.iter().any(|b| b.trim() == name);
    let brought: Vec<String> = required.iter().filter(|r| has(&r.name)).map(|r| r.name.clone()).collect();
    let missing: Vec<Required> = required.iter().filter(|r| !has(&r.name)).cloned().collect();
    Outcome { complete: missing.is_empty(), main_present: missing.iter().all(|m| !m.main), brought, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    // NV-12: the missing materials in the catalog's order with their how-to-fix; whether the main
    // ones are all there.
    #[test]
    fn nv_12_what_is_missing() {
        let r = |n: &str, main: bool| Required { name: n.into(), main, how_to_fix: format!("{n}：到窗口领取") };
        let req = [r("身份证", true), r("营业执照", true), r("租赁合同", false)];
        let o = check(&req, &["身份证".into(), "租赁合同".into(), "户口本".into()]);
        assert_eq!(o.brought, ["身份证", "租赁合同"]);
        assert_eq!(o.missing.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["营业执照"]);
        assert!(!o.complete && !o.main_present);
        let o = check(&req, &["身份证".into(), "营业执照".into()]);
        assert!(!o.complete && o.main_present);
        assert!(check(&req, &["身份证".into(), "营业执照".into(), "租赁合同".into()]).complete);
    }
}
