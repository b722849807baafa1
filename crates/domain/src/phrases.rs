//! The refusal-phrase check (NV-14): "说行不请示，说不行要报告". A reply to an applicant that
//! says no is flagged, with a suggestion of how to say what can be done instead.

use serde::Serialize;

/// Refusal phrases, Simplified first; the Traditional forms are folded before matching.
const PHRASES: &[&str] = &[
    "不归我管",
    "不是我办",
    "不归我们管",
    "不是我们管",
    "不关我的事",
    "与我无关",
    "找别人",
    "办不了",
    "办不成",
    "不能办",
    "没法办",
    "不给办",
    "不予办理",
    "不受理",
    "没办法",
    "不知道",
    "不清楚",
    "不可以",
    "不行",
    "不能受理",
    "不办",
    "别来了",
    "下次再说",
    "自己去查",
    "规定就是这样",
];

/// Phrases that contain a refusal phrase but are helpful ("不行的话可以…" is still flagged;
/// these are the ones that are not).
const HARMLESS: &[&str] = &["不可以不", "不知道的", "不清楚的", "不行走"];

/// Traditional → Simplified for the characters the phrases use.
fn fold(c: char) -> char {
    match c {
        '歸' => '归',
        '們' => '们',
        '辦' => '办',
        '麼' => '么',
        '沒' => '没',
        '給' => '给',
        '與' => '与',
        '關' => '关',
        '別' => '别',
        '來' => '来',
        '說' => '说',
        '規' => '规',
        '樣' => '样',
        '為' => '为',
        '無' => '无',
        '這' => '这',
        '個' => '个',
        '處' => '处',
        '請' => '请',
        '幫' => '帮',
        '讓' => '让',
        '問' => '问',
        '題' => '题',
        '過' => '过',
        '還' => '还',
        '門' => '门',
        '覺' => '觉',
        '應' => '应',
        '該' => '该',
        other => other,
    }
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
    let chars: Vec<char> = text.chars().map(fold).collect();
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
