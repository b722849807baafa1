//! The refusal-phrase check (NV-14): "说行不请示，说不行要报告". A reply to an applicant that
//! says no is flagged, with a suggestion of how to say what can be done instead.

use serde::Serialize;

/// Refusal phrases, in Simplified Chinese (Traditional text is converted before matching).
/// Tuned on the development part of the corpus (`tests/data/replies_dev.tsv`) only.
const PHRASES: &[&str] = &[
    // "Not ours": a refusal that sends the person away without a destination.
    "不归我管",
    "不是我办",
    "不归我们管",
    "不是我们管",
    "不关我的事",
    "不关我们的事",
    "不是我的事",
    "不是我们的事",
    "与我无关",
    "与我们无关",
    "跟我没关系",
    "跟我们没关系",
    "和我没关系",
    "和我们没关系",
    "我们不管",
    "我们这不管",
    "我们这儿不管",
    "我们这里不管",
    "我不管",
    "不管这个",
    "不管你",
    "管不了",
    "不负责",
    "找别人",
    "问别人",
    "找领导去",
    "换个地方",
    "别的地方问",
    "别处问",
    // "Cannot": no path offered.
    "办不了",
    "办不成",
    "办不下来",
    "办不到",
    "做不了",
    "搞不了",
    "弄不了",
    "解决不了",
    "处理不了",
    "没法办",
    "没法弄",
    "不能办",
    "不给办",
    "不予办理",
    "不予受理",
    "不受理",
    "不能受理",
    "不接这",
    "不接外",
    "没有这项业务",
    "没这项业务",
    "没有这个业务",
    "不办这",
    "不办了",
    "一律不办",
    "不办",
    "没办法",
    "上面不让",
    "不可以",
    "不行",
    // "Don't know": no promise of an answer.
    "不知道",
    "不清楚",
    "搞不懂",
    "别问我",
    "自己去查",
    "自己想办法",
    // Brush-offs.
    "别来了",
    "不要来了",
    "不要交了",
    "拿回去",
    "回去吧",
    "下次再说",
    "改天再来",
    "过段时间再说",
    "没用",
    "规定就是这样",
];

/// Wording that contains a refusal phrase but is helpful or official: a conditional addressed to
/// the applicant ("如您不知道怎么填……"), "不行使否决权", "不办结的……", "不清楚的地方……".
const HARMLESS: &[&str] = &[
    "如您不",
    "如果您不",
    "若您不",
    "您如不",
    "如你不",
    "如果你不",
    "不可以不",
    "不知道的",
    "不清楚的",
    "不行走",
    "不行使",
    "不办结",
    "不办理许可",
    "除依法不予受理",
    "不予受理的除外",
    "不予受理的以外",
];

/// Traditional → Simplified, character by character (so offsets stay those of the text).
fn fold_text(text: &str) -> Vec<char> {
    let whole: Vec<char> = fast2s::convert(text).chars().collect();
    if whole.len() == text.chars().count() {
        return whole;
    }
    text.chars().map(|c| fast2s::convert(&c.to_string()).chars().next().unwrap_or(c)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub phrase: String,
    /// Character offsets (Unicode scalar values) into the checked text.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub flagged: Vec<Flag>,
    pub suggestion: Option<String>,
}

fn suggestion_for(phrase: &str) -> &'static str {
    match phrase {
        "不归我管" | "不是我办" | "不归我们管" | "不是我们管" | "不关我的事" | "与我无关" | "找别人" => {
            "此事由××单位××窗口办理，地址……，电话……，我帮您联系（指引牌）。"
        }
        "不知道" | "不清楚" | "自己去查" => "这个问题我马上请示负责人，在规定时限内给您书面答复（答复卡）。",
        "规定就是这样" => "依据××规定第×条，需要……；您可以这样准备……",
        _ => "您还需要补充以下材料……，补齐后即可办理（一次性告知）；符合条件的可以容缺受理或告知承诺办理。",
    }
}

/// Flags every refusal phrase in `text`. Offsets are character offsets.
pub fn check(text: &str) -> Check {
    let chars: Vec<char> = fold_text(text);
    let mut flagged: Vec<Flag> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let harmless = HARMLESS.iter().find_map(|h| {
            let hc: Vec<char> = h.chars().collect();
            chars[i..].starts_with(&hc).then_some(hc.len())
        });
        if let Some(n) = harmless {
            i += n;
            continue;
        }
        let hit = PHRASES.iter().find(|p| {
            let pc: Vec<char> = p.chars().collect();
            chars[i..].starts_with(&pc)
        });
        match hit {
            Some(p) => {
                let n = p.chars().count();
                flagged.push(Flag { phrase: (*p).to_string(), start: i, end: i + n });
                i += n;
            }
            None => i += 1,
        }
    }
    let suggestion = flagged.first().map(|f| suggestion_for(&f.phrase).to_string());
    Check { flagged, suggestion }
}

#[cfg(test)]
mod tests {
    use super::*;

    // NV-14: refusal phrases flagged in Simplified and Traditional; helpful replies are not.
    #[test]
    fn nv_14_refusal_phrases() {
        let c = check("这个不归我管，你找别人吧");
        assert_eq!(c.flagged.len(), 2);
        assert_eq!(c.flagged[0].phrase, "不归我管");
        assert_eq!((c.flagged[0].start, c.flagged[0].end), (2, 6));
        assert!(c.suggestion.unwrap().contains("指引"));
        let t = check("這個辦不了，不歸我們管");
        assert_eq!(t.flagged.iter().map(|f| f.phrase.as_str()).collect::<Vec<_>>(), ["办不了", "不归我们管"]);
        for ok in [
            "可以办理，请携带身份证原件到3号窗口。",
            "您的材料齐全，今天即可受理。",
            "缺少营业执照副本，补齐后即可办理，也可以容缺受理。",
            "不动产登记请到二楼8号窗口，电话0915-3212345。",
        ] {
            assert!(check(ok).flagged.is_empty(), "{ok}");
        }
        assert_eq!(check("我不知道").flagged[0].phrase, "不知道");
        assert_eq!(check("不行").flagged.len(), 1);
    }
}
