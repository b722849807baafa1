//! Chinese full-text search for the common-question library and the catalog (FAQ-1).
//!
//! Text is normalized before it is indexed and before it is searched: Traditional folded to
//! Simplified (fast2s's character table), full-width to half-width, punctuation to spaces, and
//! the words of `thesaurus.txt` rewritten to their canonical word, longest match first (身份证 →
//! 居民身份证, 丢了 → 遗失, 房本 → 不动产权证书 …). Function words are dropped. What remains is indexed
//! three ways — jieba's words (with a small dictionary of government-service words), single
//! characters and character bigrams — for the question, the items, the answer and the questions
//! clerks asked before using the entry (FAQ-2's feedback, learned). One BM25 query weighs them
//! all, characters first; the best candidates are re-ordered by how much of the question's
//! content the entry's question and items cover. A question that shares any character with the
//! library finds something.
//!
//! [`quality`] measures it on the quality set beside three baselines; see BENCHMARKS.md.

pub mod quality;

use jieba_rs::Jieba;
pub use quality::char_overlap;
use std::collections::{HashMap, HashSet};
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
    /// The government-service dictionary added to jieba.
    pub dictionary: bool,
    /// jieba's search mode (compounds and their parts) instead of precise mode.
    pub search_mode: bool,
    /// A second ranking by characters and character bigrams, fused with the words' by rank.
    pub chars: bool,
}

impl Options {
    pub fn full() -> Options {
        Options { normalize: true, synonyms: true, dictionary: true, search_mode: false, chars: true }
    }
    /// jieba (search mode, as usually indexed) + BM25, nothing else.
    pub fn plain() -> Options {
        Options { normalize: false, synonyms: false, dictionary: false, search_mode: true, chars: false }
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

/// The thesaurus: every group's words are rewritten to its canonical word.
const THESAURUS: &str = include_str!("../thesaurus.txt");

/// The thesaurus's groups as (canonical, variants).
pub fn synonyms() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    THESAURUS.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).filter_map(|l| {
        let (canon, variants) = l.split_once(':')?;
        Some((canon.trim(), variants.split_whitespace().collect()))
    })
}

/// Every word of the thesaurus (canonical words map to themselves), by first character,
/// longest first.
fn matcher() -> &'static HashMap<char, Vec<(&'static str, &'static str)>> {
    static M: OnceLock<HashMap<char, Vec<(&'static str, &'static str)>>> = OnceLock::new();
    M.get_or_init(|| {
        let mut m: HashMap<char, Vec<(&'static str, &'static str)>> = HashMap::new();
        for (canon, variants) in synonyms() {
            for w in variants.into_iter().chain([canon]) {
                if let Some(c) = w.chars().next() {
                    m.entry(c).or_default().push((w, canon));
                }
            }
        }
        for v in m.values_mut() {
            v.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
            v.dedup_by(|a, b| a.0 == b.0);
        }
        m
    })
}

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
    "那边",
    "这边",
    "这里",
    "那里",
    "自己",
    "刚",
    "刚刚",
    "现在",
    "已经",
    "有没有",
    "要不要",
    "行不行",
    "好不好",
    "谁",
    "吗",
    "呀",
    "哦",
    "嘛",
    "您好",
    "你好",
    "麻烦",
    "谢谢",
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

/// Rewrites every thesaurus word to its canonical word, longest match first.
pub fn canonical(text: &str) -> String {
    let m = matcher();
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match m.get(&c).and_then(|ws| ws.iter().find(|(w, _)| rest.starts_with(w))) {
            Some((w, canon)) => {
                out.push_str(canon);
                rest = &rest[w.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
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
            for (canon, _) in synonyms().filter(|(c, _)| !c.contains(' ')) {
                j.add_word(canon, Some(50_000), None);
            }
            j
        })
    } else {
        PLAIN.get_or_init(Jieba::new)
    }
}

/// A text's tokens: jieba's words, and (with [`Options::chars`]) its CJK characters and
/// character bigrams, all after normalization, synonyms and function words are dealt with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    pub words: Vec<String>,
    pub chars: Vec<String>,
    pub bigrams: Vec<String>,
}

impl Tokens {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.chars.is_empty() && self.bigrams.is_empty()
    }
}

fn char_grams(kept: &str, t: &mut Tokens) {
    let chars: Vec<char> = kept.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if is_cjk(*c) {
            t.chars.push(c.to_string());
            if let Some(n) = chars.get(i + 1).filter(|n| is_cjk(**n)) {
                t.bigrams.push(format!("{c}{n}"));
            }
        }
    }
}

/// The tokens of a text.
pub fn tokens(text: &str, o: Options) -> Tokens {
    let mut t = if o.normalize { normalize(text) } else { text.to_string() };
    if o.synonyms {
        t = canonical(&t);
    }
    let stop: HashSet<&str> = if o.normalize { STOP.iter().copied().collect() } else { HashSet::new() };
    let j = jieba(o.dictionary);
    // Drop function words first, so that neither words nor characters come from them
    // (怎么 in 怎么办 would otherwise match every question).
    let kept: String = if stop.is_empty() {
        t.clone()
    } else {
        j.cut(&t, true)
            .into_iter()
            .map(|w| w.word)
            .map(|w| if stop.contains(w.trim()) { " " } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Precise mode: a compound stays one word (住房公积金); the characters give the partial
    // matches search mode would, without multiplying the compound's weight.
    let cut = if o.search_mode { j.cut_for_search(&kept, true) } else { j.cut(&kept, true) };
    let mut out = Tokens {
        words: cut
            .into_iter()
            .map(|w| w.word.trim().to_string())
            .filter(|w| !w.is_empty() && !stop.contains(w.as_str()))
            .collect(),
        ..Tokens::default()
    };
    if o.chars {
        char_grams(&kept, &mut out);
        // A question of function words only still shares characters with the library: search
        // by them rather than return nothing (issue 13: never nothing for a meaningful query).
        if out.chars.is_empty() {
            char_grams(&t, &mut out);
        }
    }
    out
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

/// The index's fields. An entry's document carries `id`; a learned question (what a clerk asked
/// before using this entry, FAQ-2) is a document of its own carrying `of`.
struct Fields {
    id: Field,
    of: Field,
    title_w: Field,
    title_c: Field,
    title_b: Field,
    body_w: Field,
    body_c: Field,
    extra_w: Field,
    extra_c: Field,
    asked_w: Field,
    asked_c: Field,
    head: Field,
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

/// How many of the best candidates are re-ordered by coverage.
const RERANK: usize = 20;
/// How many candidates stage one passes to the full score.
const CANDIDATES: usize = 200;

impl SearchIndex {
    pub fn new(options: Options) -> Result<SearchIndex, SearchError> {
        let mut sb = Schema::builder();
        // Text arrives pre-tokenized, joined by spaces: the whitespace tokenizer splits it back.
        let text =
            |freqs: bool| {
                TEXT.set_indexing_options(
                    tantivy::schema::TextFieldIndexing::default()
                        .set_tokenizer("whitespace")
                        .set_index_option(if freqs { IndexRecordOption::WithFreqs } else { IndexRecordOption::Basic }),
                )
            };
        let f = Fields {
            id: sb.add_u64_field("id", INDEXED | STORED | tantivy::schema::FAST),
            of: sb.add_u64_field("of", INDEXED | STORED | tantivy::schema::FAST),
            title_w: sb.add_text_field("title_w", text(true)),
            title_c: sb.add_text_field("title_c", text(true)),
            title_b: sb.add_text_field("title_b", text(true)),
            body_w: sb.add_text_field("body_w", text(true)),
            body_c: sb.add_text_field("body_c", text(true)),
            extra_w: sb.add_text_field("extra_w", text(true)),
            extra_c: sb.add_text_field("extra_c", text(true)),
            asked_w: sb.add_text_field("asked_w", text(true)),
            asked_c: sb.add_text_field("asked_c", text(true)),
            head: sb.add_text_field("head", STORED),
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
        let t = tokens(&e.title, self.options);
        let b = tokens(&e.body, self.options);
        let x = tokens(&e.extra, self.options);
        let mut chars = x.chars;
        chars.extend(x.bigrams);
        doc!(
            self.f.id => e.id,
            self.f.title_w => t.words.join(" "),
            self.f.title_c => t.chars.join(" "),
            self.f.title_b => t.bigrams.join(" "),
            self.f.body_w => b.words.join(" "),
            self.f.body_c => b.chars.join(" "),
            self.f.extra_w => x.words.join(" "),
            self.f.extra_c => chars.join(" "),
            self.f.head => format!("{}{}", t.chars.concat(), chars.concat()),
        )
    }

    /// Adds or replaces entries (by id) and makes them searchable at once. What was learned
    /// about an entry stays with it.
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

    /// FAQ-2's feedback as a learned boost: a question a clerk asked before using entry `id`
    /// makes later questions like it find that entry.
    pub fn learn(&self, id: u64, question: &str) -> Result<(), SearchError> {
        self.learn_many(&[(id, question.to_string())])
    }

    /// Several learned questions in one commit (at start, from the search log).
    pub fn learn_many(&self, learned: &[(u64, String)]) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        for (id, question) in learned {
            let t = tokens(question, self.options);
            if t.is_empty() {
                continue;
            }
            let mut chars = t.chars;
            chars.extend(t.bigrams);
            w.add_document(
                doc!(self.f.of => *id, self.f.asked_w => t.words.join(" "), self.f.asked_c => chars.join(" ")),
            )
            .map_err(err)?;
        }
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    pub fn remove(&self, id: u64) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        w.delete_term(Term::from_field_u64(self.f.id, id));
        w.delete_term(Term::from_field_u64(self.f.of, id));
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    /// How many entries are searchable (learned questions not counted).
    pub fn len(&self) -> u64 {
        let s = self.reader.searcher();
        s.search(&tantivy::query::ExistsQuery::new("id".into(), false), &tantivy::collector::Count)
            .map(|n| n as u64)
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn clauses(terms: &[String], fields: &[(Field, f32)], out: &mut Vec<(Occur, Box<dyn Query>)>) {
        let mut seen = HashSet::new();
        for w in terms.iter().filter(|w| seen.insert(w.as_str())) {
            for (field, boost) in fields {
                let tq = TermQuery::new(Term::from_field_text(*field, w), IndexRecordOption::WithFreqs);
                out.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), *boost))));
            }
        }
    }

    /// The entry a hit belongs to: its own id, or the entry a learned question is `of` — read
    /// from the fast columns, not the stored document.
    fn entry_id(searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Option<u64> {
        let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
        ["id", "of"].into_iter().find_map(|name| ff.u64(name).ok().and_then(|c| c.first(addr.doc_id)))
    }

    /// One ranking: the best entries for some clauses, each entry at its best document's rank.
    fn ranking(
        &self,
        searcher: &tantivy::Searcher,
        clauses: Vec<(Occur, Box<dyn Query>)>,
        depth: usize,
    ) -> Result<Vec<(u64, f32)>, SearchError> {
        if clauses.is_empty() {
            return Ok(vec![]);
        }
        let top =
            searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(depth).order_by_score()).map_err(err)?;
        let mut out: Vec<(u64, f32)> = Vec::with_capacity(top.len());
        for (score, addr) in top {
            if let Some(id) = Self::entry_id(searcher, addr)
                && !out.iter().any(|(x, _)| *x == id)
            {
                out.push((id, score));
            }
        }
        Ok(out)
    }

    /// The best `limit` entries for a question, best first.
    ///
    /// One BM25 query over two kinds of field: characters and character bigrams (question, items
    /// and answer, and questions learned from use), which still match where words are cut
    /// differently, misspelt or only partly shared; and jieba's words, weighted lower. The best
    /// [`RERANK`] are then re-ordered by how much of the question's content (its characters,
    /// weighted by rarity) the entry's question and items cover, so that an entry that answers the
    /// whole question comes before one that repeats part of it.
    pub fn search(&self, q: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let t = tokens(q, self.options);
        if t.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let f = &self.f;
        let searcher = self.reader.searcher();
        let mut clauses = vec![];
        if !self.options.chars {
            Self::clauses(
                &t.words,
                &[(f.title_w, 3.0), (f.extra_w, 1.5), (f.body_w, 1.0), (f.asked_w, 1.0)],
                &mut clauses,
            );
            let words = self.ranking(&searcher, clauses, limit)?;
            return Ok(words.into_iter().map(|(id, score)| Hit { id, score }).collect());
        }
        const W: f32 = 0.3;
        let words_and_pairs = |out: &mut Vec<(Occur, Box<dyn Query>)>| {
            Self::clauses(
                &t.words,
                &[(f.title_w, 3.0 * W), (f.extra_w, 1.5 * W), (f.body_w, W), (f.asked_w, 3.0 * W)],
                out,
            );
            Self::clauses(&t.bigrams, &[(f.title_b, 1.5), (f.extra_c, 0.7), (f.asked_c, 1.5)], out);
        };
        // Stage one: the candidates that share a word or a pair of characters with the question
        // (selective terms, so this stays fast on a large library).
        words_and_pairs(&mut clauses);
        let candidates: Vec<Term> = if clauses.is_empty() {
            vec![]
        } else {
            let docs = searcher
                .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(CANDIDATES).order_by_score())
                .map_err(err)?;
            let mut terms = vec![];
            for (_, addr) in docs {
                // From the fast columns: reading 200 stored documents would cost more than the query.
                if let Some(id) = Self::entry_id(&searcher, addr) {
                    terms.push(Term::from_field_u64(f.id, id));
                    terms.push(Term::from_field_u64(f.of, id));
                }
            }
            terms
        };
        // Stage two: the full score, characters included, over the candidates — or, where no word
        // or pair is shared, over every entry that shares a character (never nothing).
        let mut clauses = vec![];
        words_and_pairs(&mut clauses);
        Self::clauses(&t.chars, &[(f.title_c, 1.0), (f.extra_c, 1.0), (f.body_c, 1.0), (f.asked_c, 1.0)], &mut clauses);
        let scored: Box<dyn Query> = if candidates.is_empty() {
            Box::new(BooleanQuery::new(clauses))
        } else {
            let only = BoostQuery::new(Box::new(tantivy::query::TermSetQuery::new(candidates)), 0.0);
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(only) as Box<dyn Query>),
                (Occur::Must, Box::new(BooleanQuery::new(clauses))),
            ]))
        };
        let top = searcher.search(&scored, &TopDocs::with_limit(RERANK.max(limit)).order_by_score()).map_err(err)?;
        // Rarity of a character among the entries' questions.
        let n = searcher.num_docs() as f32;
        let idf = |c: &str| {
            let df = searcher.doc_freq(&Term::from_field_text(f.title_c, c)).unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let mut content: Vec<(&str, f32)> = t.chars.iter().map(|c| (c.as_str(), idf(c))).collect();
        content.sort_by(|a, b| a.0.cmp(b.0));
        content.dedup_by(|a, b| a.0 == b.0);
        let total: f32 = content.iter().map(|c| c.1).sum::<f32>().max(1e-6);
        let best = top.first().map(|x| x.0).unwrap_or(1.0).max(1e-6);
        let mut out: Vec<Hit> = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let Some(id) = Self::entry_id(&searcher, addr) else { continue };
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let head = d.get_first(f.head).and_then(|v| v.as_str()).unwrap_or("");
            let covered: f32 = content.iter().filter(|(c, _)| head.contains(c)).map(|c| c.1).sum();
            let s = score / best + covered / total;
            match out.iter_mut().find(|h| h.id == id) {
                Some(h) => h.score = h.score.max(s),
                None => out.push(Hit { id, score: s }),
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out.truncate(limit);
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
