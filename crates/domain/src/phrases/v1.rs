//! The first refusal check (issue 11): a list of refusal phrases tuned on the development part
//! of the corpus. Kept only as the baseline the grammar is measured against (BENCHMARKS.md,
//! issue 33); nothing in the product calls it.

use super::fold_text;

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

/// Whether the phrase list flags `text` (the first check's rule: a phrase anywhere, unless a
/// harmless wording starts at the same place).
pub fn says_no(text: &str) -> bool {
    let chars: Vec<char> = fold_text(text);
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
        if PHRASES.iter().any(|p| chars[i..].starts_with(&p.chars().collect::<Vec<_>>())) {
            return true;
        }
        i += 1;
    }
    false
}
