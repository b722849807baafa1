//! Chinese full-text search for the common-question library and the catalog (FAQ-1).
//!
//! Text is normalized before it is indexed and before it is searched: Traditional folded to
//! Simplified, full-width to half-width, punctuation to spaces, synonyms to one canonical word
//! (身份证 → 居民身份证, 丢了 → 遗失 …). It is then cut by jieba (with a small dictionary of
//! government-service words) and also into character bigrams, which catch words jieba cuts
//! differently. tantivy ranks with BM25 over the question, the answer and the linked items,
//! the question weighted highest.
//!
//! The same engine with normalization, synonyms and bigrams switched off is the "jieba + BM25"
//! baseline the quality test measures against; [`char_overlap`] is the other baseline.

pub mod quality;

use jieba_rs::Jieba;
pub use quality::char_overlap;
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, INDEXED, IndexRecordOption, STORED, Schema, TEXT, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

/// What the engine does to text. [`Options::full`] is noveto's; the others are baselines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Traditional → Simplified, full-width → half-width, punctuation, case.
    pub normalize: bool,
    pub synonyms: bool,
    pub bigrams: bool,
    /// The government-service dictionary added to jieba.
    pub dictionary: bool,
    /// jieba's search mode (compounds and their parts) instead of precise mode.
    pub search_mode: bool,
}

impl Options {
    pub fn full() -> Options {
        Options { normalize: true, synonyms: true, bigrams: true, dictionary: true, search_mode: false }
    }
    /// jieba (search mode, as usually indexed) + BM25, nothing else.
    pub fn plain() -> Options {
        Options { normalize: false, synonyms: false, bigrams: false, dictionary: false, search_mode: true }
    }
}

/// Words jieba should keep whole.
const DICTIONARY: &[&str] = &[
    "营业执照",
    "不动产登记",
    "不动产权证书",
    "统一社会信用代码",
    "居民身份证",
    "住房公积金",
    "社会保险",
    "个体工商户",
    "法定代表人",
    "食品经营许可",
    "容缺受理",
    "告知承诺",
    "一次性告知",
    "办不成事",
    "电子营业执照",
    "户口簿",
    "出入境",
    "港澳通行证",
    "医保",
    "社保卡",
    "退休",
    "抵押登记",
    "清税证明",
    "发票",
    "结婚证",
    "经营范围",
    "注册资本",
    "公司章程",
    "帮办代办",
    "预约",
    "遗失",
    "补领",
    "提取",
    "材料",
    "网上办理",
];

/// Synonyms, longest first within each group: every variant is rewritten to the canonical word.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("营业执照", &["工商营业执照", "工商执照", "营业证", "执照"]),
    ("居民身份证", &["身分证", "身份证件", "身份证"]),
    ("遗失", &["弄丢了", "找不到了", "不见了", "丢失", "丢了", "掉了", "弄丢", "丢"]),
    ("补领", &["重新办一个", "重新办", "再办一个", "补办", "补发", "补一个", "补证"]),
    ("变更", &["改一下", "更改", "修改", "更换"]),
    ("注销", &["不想干了", "不干了", "关掉公司", "关闭公司", "歇业", "关门"]),
    ("设立", &["新开一家", "开一家", "开公司", "开个公司", "新办", "开办", "新开"]),
    ("不动产权证书", &["不动产证", "房产证", "房本", "房屋产权证"]),
    ("缴存登记", &["开公积金户", "开户"]),
    ("住房公积金", &["公积金"]),
    ("转移", &["转过去", "转到", "转走", "转出"]),
    ("异地", &["换城市", "外地", "外省"]),
    ("提取", &["取出来", "取钱", "提现", "取出"]),
    ("社会保险", &["社保"]),
    ("户口", &["户籍", "落户"]),
    ("时限", &["多长时间", "多少天", "多久", "几天", "要多久"]),
    ("到期", &["有效期满", "过期", "期满"]),
    ("材料", &["要带什么", "带什么", "资料", "手续", "证件"]),
    ("窗口", &["哪个窗口", "哪里办", "去哪办", "在哪办", "去哪", "在哪"]),
    ("网上办理", &["手机上办", "网上办", "线上办理", "线上办", "在网上", "网上"]),
    ("收费", &["多少钱", "要钱吗", "要钱", "费用", "交钱"]),
    ("法定代表人", &["法人代表", "法人"]),
    ("食品经营许可", &["食品经营许可证", "食品许可证", "食品经营证"]),
    ("个体工商户", &["个体户", "个体"]),
    ("护照", &["出国证件"]),
    ("预约", &["挂号", "约号"]),
];

/// Function words that say nothing about the matter.
const STOP: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "我",
    "我们",
    "你",
    "你们",
    "要",
    "想",
    "请问",
    "怎么",
    "怎么办",
    "怎么样",
    "怎么弄",
    "咋办",
    "咋",
    "怎样",
    "如何",
    "是",
    "在",
    "有",
    "可以",
    "能",
    "能不能",
    "可不可以",
    "需要",
    "一下",
    "这个",
    "那个",
    "什么",
    "和",
    "与",
    "及",
    "或",
    "办",
    "办理",
    "去",
    "到",
    "给",
    "把",
    "被",
    "就",
    "都",
    "也",
    "还",
    "又",
    "没",
    "不",
    "会",
    "该",
    "应该",
    "些",
    "哪些",
    "个",
    "一个",
];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Traditional → Simplified, full-width → half-width, lower case, punctuation → space.
pub fn normalize(text: &str) -> String {
    let s = fast2s::convert(text);
    s.chars()
        .map(|c| {
            let c = match c {
                '\u{3000}' => ' ',
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            };
            if c.is_alphanumeric() || is_cjk(c) { c.to_ascii_lowercase() } else { ' ' }
        })
        .collect()
}

/// Rewrites every synonym variant to its canonical word.
pub fn canonical(text: &str) -> String {
    let mut out = text.to_string();
    for (canon, variants) in SYNONYMS {
        for v in *variants {
            if out.contains(v) {
                // Protect the canonical word itself from being rewritten again (执照 in 营业执照).
                out = out.replace(canon, "\u{1}").replace(v, canon).replace('\u{1}', canon);
            }
        }
    }
    out
}

fn jieba(dictionary: bool) -> &'static Jieba {
    static PLAIN: OnceLock<Jieba> = OnceLock::new();
    static DICT: OnceLock<Jieba> = OnceLock::new();
    if dictionary {
        DICT.get_or_init(|| {
            let mut j = Jieba::new();
            for w in DICTIONARY {
                j.add_word(w, Some(100_000), None);
            }
            for (canon, _) in SYNONYMS {
                j.add_word(canon, Some(50_000), None);
            }
            j
        })
    } else {
        PLAIN.get_or_init(Jieba::new)
    }
}

/// The tokens of a text: words, and (with `bigrams`) `b:` character bigrams of CJK runs.
pub fn tokens(text: &str, o: Options) -> (Vec<String>, Vec<String>) {
    let mut t = if o.normalize { normalize(text) } else { text.to_string() };
    if o.synonyms {
        t = canonical(&t);
    }
    let stop: HashSet<&str> = if o.normalize { STOP.iter().copied().collect() } else { HashSet::new() };
    let j = jieba(o.dictionary);
    // Drop function words first, so that neither words nor bigrams come from them
    // (怎么 in 怎么办 would otherwise match every question).
    let kept: String = if stop.is_empty() {
        t
    } else {
        j.cut(&t, true)
            .into_iter()
            .map(|w| w.word)
            .map(|w| if stop.contains(w.trim()) { " " } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Precise mode: a compound stays one word (住房公积金); the bigrams below give the partial
    // matches search mode would, without multiplying the compound's weight.
    let cut = if o.search_mode { j.cut_for_search(&kept, true) } else { j.cut(&kept, true) };
    let words: Vec<String> = cut
        .into_iter()
        .map(|w| w.word.trim().to_string())
        .filter(|w| !w.is_empty() && !stop.contains(w.as_str()))
        .collect();
    let mut bigrams = vec![];
    if o.bigrams {
        let chars: Vec<char> = kept.chars().collect();
        for w in chars.windows(2) {
            if is_cjk(w[0]) && is_cjk(w[1]) {
                bigrams.push(format!("{}{}", w[0], w[1]));
            }
        }
    }
    (words, bigrams)
}

/// One searchable entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: u64,
    /// The question (or an item's name).
    pub title: String,
    /// The answer (or an item's guide text).
    pub body: String,
    /// Names of linked items, keywords.
    pub extra: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
}

struct Fields {
    id: Field,
    title: Field,
    title_bi: Field,
    body: Field,
    extra: Field,
}

/// An in-memory index, rebuilt from the store at start and kept current on every change.
pub struct SearchIndex {
    options: Options,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    f: Fields,
}

#[derive(Debug)]
pub struct SearchError(pub String);

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "搜索索引错误：{}", self.0)
    }
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError(e.to_string())
}

impl SearchIndex {
    pub fn new(options: Options) -> Result<SearchIndex, SearchError> {
        let mut sb = Schema::builder();
        // Text arrives pre-tokenized, joined by spaces: the whitespace tokenizer splits it back.
        let text = || {
            TEXT.set_indexing_options(
                tantivy::schema::TextFieldIndexing::default()
                    .set_tokenizer("whitespace")
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let f = Fields {
            id: sb.add_u64_field("id", INDEXED | STORED),
            title: sb.add_text_field("title", text()),
            title_bi: sb.add_text_field("title_bi", text()),
            body: sb.add_text_field("body", text()),
            extra: sb.add_text_field("extra", text()),
        };
        let index = Index::create_in_ram(sb.build());
        let writer = index.writer_with_num_threads(1, 30_000_000).map_err(err)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;
        Ok(SearchIndex { options, writer: Mutex::new(writer), reader, f })
    }

    pub fn options(&self) -> Options {
        self.options
    }

    fn document(&self, e: &Entry) -> TantivyDocument {
        let (tw, tb) = tokens(&e.title, self.options);
        // Answers are indexed by words only: their bigrams cost more latency than they add recall.
        let (bw, _) = tokens(&e.body, self.options);
        let (xw, _) = tokens(&e.extra, self.options);
        doc!(
            self.f.id => e.id,
            self.f.title => tw.join(" "),
            self.f.title_bi => tb.join(" "),
            self.f.body => bw.join(" "),
            self.f.extra => xw.join(" "),
        )
    }

    /// Adds or replaces entries (by id) and makes them searchable at once.
    pub fn upsert(&self, entries: &[Entry]) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        for e in entries {
            w.delete_term(Term::from_field_u64(self.f.id, e.id));
            w.add_document(self.document(e)).map_err(err)?;
        }
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    pub fn remove(&self, id: u64) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        w.delete_term(Term::from_field_u64(self.f.id, id));
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `limit` entries for a question, best first.
    pub fn search(&self, q: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let (words, bigrams) = tokens(q, self.options);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![];
        let mut seen = HashSet::new();
        for w in words.iter().filter(|w| seen.insert(format!("w{w}"))) {
            for (field, boost) in [(self.f.title, 3.0), (self.f.body, 1.0), (self.f.extra, 1.5)] {
                let tq = TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), boost))));
            }
        }
        for b in bigrams.iter().filter(|b| seen.insert(format!("b{b}"))) {
            let tq = TermQuery::new(Term::from_field_text(self.f.title_bi, b), IndexRecordOption::WithFreqs);
            clauses.push((Occur::Should, Box::new(tq)));
        }
        if clauses.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let searcher = self.reader.searcher();
        let top =
            searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit).order_by_score()).map_err(err)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            if let Some(id) = d.get_first(self.f.id).and_then(|v| v.as_u64()) {
                out.push(Hit { id, score });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faq_1_normalization() {
        assert_eq!(normalize("營業執照遺失怎麼補辦？"), "营业执照遗失怎么补办 ");
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(canonical("执照丢了"), "营业执照遗失");
        assert_eq!(canonical("营业执照"), "营业执照");
        assert_eq!(canonical("身份证掉了去哪补办"), "居民身份证遗失窗口补领");
    }
}
