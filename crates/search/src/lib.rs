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
use std::sync::{Mutex, OnceLock, RwLock};
use tantivy::collector::TopDocs;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, INDEXED, IndexRecordOption, STORED, Schema, TEXT};
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

/// CAT-4: a life-event bundle as one entry — its name and plain phrases as the question, its
/// description as the answer, its items as the links.
pub fn bundle_entry(id: u64, name: &str, description: &str, intents: &[String], items: &[String]) -> Entry {
    let _ = items;
    Entry { id, title: format!("{name} {}", intents.join(" ")), body: description.to_string(), extra: String::new() }
}

/// CAT-4: whether a question asks for a life event, and which: the best bundle, offered when it
/// covers enough of the question (hits' scores run from 1, nothing covered, to 2, all of it),
/// unless one service (`items`) covers nearly all of it and more than the bundle does — a
/// question that names one service asks for that service.
pub fn intent(bundles: &[Hit], items: &[Hit]) -> Option<u64> {
    let b = bundles.first()?;
    let item = items.first().map_or(1.0, |h| h.score);
    let names_a_service = item >= INTENT_ITEM && item > b.score;
    (b.score >= INTENT_MIN && !names_a_service).then_some(b.id)
}

/// How much of a question a bundle must cover to be offered (tuned on the development split).
pub const INTENT_MIN: f32 = 1.2;
/// How much of it one service must cover to be what the question asks for (tuned likewise).
pub const INTENT_ITEM: f32 = 1.75;

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
}

/// The fields of the copy that stage two scores, in [`Fields`]' order.
const TW: u8 = 0;
const TC: u8 = 1;
const TB: u8 = 2;
const BW: u8 = 3;
const BC: u8 = 4;
const XW: u8 = 5;
const XC: u8 = 6;
const AW: u8 = 7;
const AC: u8 = 8;
const NFIELDS: usize = 9;

/// One document's terms as stage two needs them: (field, term number, frequency), sorted, and
/// each field's length in tokens (what the index records as its field norm).
#[derive(Default)]
struct Bag {
    tf: Vec<(u8, u32, u32)>,
    len: [u32; NFIELDS],
}

impl Bag {
    fn get(&self, field: u8, term: u32) -> u32 {
        self.tf.binary_search_by(|x| (x.0, x.1).cmp(&(field, term))).map(|i| self.tf[i].2).unwrap_or(0)
    }
}

/// An entry's copy: its terms and the characters of its question and items (for coverage).
struct Kept {
    bag: Bag,
    head: String,
}

/// The copy of every document's terms that stage two scores from memory: the full score of the
/// candidates read from postings would walk every posting of every common character, which at
/// 100,000 entries cost more than the rest of the search together.
#[derive(Default)]
struct Mirror {
    vocab: HashMap<String, u32>,
    entries: HashMap<u64, Kept>,
    asked: HashMap<u64, Vec<Bag>>,
}

impl Mirror {
    fn bag(&mut self, fields: &[(u8, &[String])]) -> Bag {
        let mut counts: HashMap<(u8, u32), u32> = HashMap::new();
        let mut len = [0u32; NFIELDS];
        for (field, terms) in fields {
            len[*field as usize] += terms.len() as u32;
            for t in terms.iter() {
                let next = self.vocab.len() as u32;
                let n = *self.vocab.entry(t.clone()).or_insert(next);
                *counts.entry((*field, n)).or_insert(0) += 1;
            }
        }
        let mut tf: Vec<(u8, u32, u32)> = counts.into_iter().map(|((f, t), n)| (f, t, n)).collect();
        tf.sort_unstable();
        Bag { tf, len }
    }
}

/// An in-memory index, rebuilt from the store at start and kept current on every change.
pub struct SearchIndex {
    options: Options,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    f: Fields,
    copy: RwLock<Mirror>,
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
const CANDIDATES: usize = 100;

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
        };
        let index = Index::create_in_ram(sb.build());
        let writer = index.writer_with_num_threads(1, 30_000_000).map_err(err)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;
        Ok(SearchIndex { options, writer: Mutex::new(writer), reader, f, copy: RwLock::new(Mirror::default()) })
    }

    pub fn options(&self) -> Options {
        self.options
    }

    fn document(&self, e: &Entry, copy: &mut Mirror) -> TantivyDocument {
        let t = tokens(&e.title, self.options);
        let b = tokens(&e.body, self.options);
        let x = tokens(&e.extra, self.options);
        let mut chars = x.chars;
        chars.extend(x.bigrams);
        let bag = copy.bag(&[
            (TW, &t.words),
            (TC, &t.chars),
            (TB, &t.bigrams),
            (BW, &b.words),
            (BC, &b.chars),
            (XW, &x.words),
            (XC, &chars),
        ]);
        copy.entries.insert(e.id, Kept { bag, head: format!("{}{}", t.chars.concat(), chars.concat()) });
        doc!(
            self.f.id => e.id,
            self.f.title_w => t.words.join(" "),
            self.f.title_c => t.chars.join(" "),
            self.f.title_b => t.bigrams.join(" "),
            self.f.body_w => b.words.join(" "),
            self.f.body_c => b.chars.join(" "),
            self.f.extra_w => x.words.join(" "),
            self.f.extra_c => chars.join(" "),
        )
    }

    /// Adds or replaces entries (by id) and makes them searchable at once. What was learned
    /// about an entry stays with it.
    pub fn upsert(&self, entries: &[Entry]) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        let mut copy = self.copy.write().map_err(err)?;
        for e in entries {
            w.delete_term(Term::from_field_u64(self.f.id, e.id));
            w.add_document(self.document(e, &mut copy)).map_err(err)?;
        }
        drop(copy);
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
        let mut copy = self.copy.write().map_err(err)?;
        for (id, question) in learned {
            let t = tokens(question, self.options);
            if t.is_empty() {
                continue;
            }
            let mut chars = t.chars;
            chars.extend(t.bigrams);
            let bag = copy.bag(&[(AW, &t.words), (AC, &chars)]);
            copy.asked.entry(*id).or_default().push(bag);
            w.add_document(
                doc!(self.f.of => *id, self.f.asked_w => t.words.join(" "), self.f.asked_c => chars.join(" ")),
            )
            .map_err(err)?;
        }
        drop(copy);
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    pub fn remove(&self, id: u64) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        w.delete_term(Term::from_field_u64(self.f.id, id));
        w.delete_term(Term::from_field_u64(self.f.of, id));
        if let Ok(mut copy) = self.copy.write() {
            copy.entries.remove(&id);
            copy.asked.remove(&id);
        }
        w.commit().map_err(err)?;
        drop(w);
        self.reader.reload().map_err(err)
    }

    /// Merges the index into one segment and drops deleted documents: after a bulk load, so
    /// that a search walks one segment (and its top candidates prune across the whole library).
    pub fn compact(&self) -> Result<(), SearchError> {
        let mut w = self.writer.lock().map_err(err)?;
        let ids = self.reader.searcher().segment_readers().iter().map(|r| r.segment_id()).collect::<Vec<_>>();
        if ids.len() > 1 {
            w.merge(&ids).wait().map_err(err)?;
        }
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

    fn field(&self, n: u8) -> Field {
        let f = &self.f;
        [f.title_w, f.title_c, f.title_b, f.body_w, f.body_c, f.extra_w, f.extra_c, f.asked_w, f.asked_c][n as usize]
    }

    /// Clauses (field, term, boost) for some terms over some fields, each term once.
    fn clauses<'t>(terms: &'t [String], fields: &[(u8, f32)], out: &mut Vec<(u8, &'t str, f32)>) {
        let mut seen = HashSet::new();
        for w in terms.iter().filter(|w| seen.insert(w.as_str())) {
            for (field, boost) in fields {
                out.push((*field, w.as_str(), *boost));
            }
        }
    }

    fn query(&self, clauses: &[(u8, &str, f32)]) -> BooleanQuery {
        BooleanQuery::new(
            clauses
                .iter()
                .map(|(field, term, boost)| {
                    let tq =
                        TermQuery::new(Term::from_field_text(self.field(*field), term), IndexRecordOption::WithFreqs);
                    (Occur::Should, Box::new(BoostQuery::new(Box::new(tq), *boost)) as Box<dyn Query>)
                })
                .collect(),
        )
    }

    /// The entry a hit belongs to, and whether the hit is a learned question: its own id, or
    /// the entry a learned question is `of` — read from the fast columns, not the stored document.
    fn entry_id(searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Option<(u64, bool)> {
        let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
        let read = |name: &str| ff.u64(name).ok().and_then(|c| c.first(addr.doc_id));
        read("id").map(|id| (id, false)).or_else(|| read("of").map(|id| (id, true)))
    }

    /// The best entries for some clauses scored by the index, each with its best document's rank.
    fn ranking(
        &self,
        searcher: &tantivy::Searcher,
        clauses: &[(u8, &str, f32)],
        depth: usize,
    ) -> Result<Vec<(f32, u64, bool)>, SearchError> {
        if clauses.is_empty() {
            return Ok(vec![]);
        }
        let top = searcher.search(&self.query(clauses), &TopDocs::with_limit(depth).order_by_score()).map_err(err)?;
        Ok(top
            .into_iter()
            .filter_map(|(score, addr)| Self::entry_id(searcher, addr).map(|(id, l)| (score, id, l)))
            .collect())
    }

    /// The best `limit` entries for a question, best first.
    ///
    /// One BM25 score over two kinds of field: characters and character bigrams (question, items
    /// and answer, and questions learned from use), which still match where words are cut
    /// differently, misspelt or only partly shared; and jieba's words, weighted lower. The best
    /// [`RERANK`] are then re-ordered by how much of the question's content (its characters,
    /// weighted by rarity) the entry's question and items cover, so that an entry that answers the
    /// whole question comes before one that repeats part of it.
    ///
    /// In two stages: the index picks [`CANDIDATES`] documents by words and character pairs
    /// (selective terms, so this stays fast on a large library), and the full score — the same
    /// BM25 the index computes, from the index's statistics — is computed for those from the
    /// in-memory copy. Where no word or pair is shared, the index scores everything by
    /// characters (never nothing).
    pub fn search(&self, q: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let t = tokens(q, self.options);
        if t.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let searcher = self.reader.searcher();
        let mut clauses = vec![];
        if !self.options.chars {
            Self::clauses(&t.words, &[(TW, 3.0), (XW, 1.5), (BW, 1.0), (AW, 1.0)], &mut clauses);
            let mut out: Vec<Hit> = vec![];
            for (score, id, _) in self.ranking(&searcher, &clauses, limit * 4)? {
                if !out.iter().any(|h| h.id == id) && out.len() < limit {
                    out.push(Hit { id, score });
                }
            }
            return Ok(out);
        }
        const W: f32 = 0.3;
        Self::clauses(&t.words, &[(TW, 3.0 * W), (XW, 1.5 * W), (AW, 3.0 * W)], &mut clauses);
        Self::clauses(&t.bigrams, &[(TB, 1.5), (AC, 1.5)], &mut clauses);
        // The answers' words and the items' pairs pick candidates only where they are selective
        // (in at most one document in fifty): a word every answer repeats (材料, 窗口) picks
        // nothing and is slow. The rest count in the full score.
        let mut weaker = vec![];
        Self::clauses(&t.words, &[(BW, W)], &mut weaker);
        Self::clauses(&t.bigrams, &[(XC, 0.7)], &mut weaker);
        let docs = searcher.num_docs();
        let (selective, common): (Vec<_>, Vec<_>) = weaker.into_iter().partition(|(f, term, _)| {
            searcher.doc_freq(&Term::from_field_text(self.field(*f), term)).unwrap_or(0) * 50 <= docs
        });
        clauses.extend(selective);
        let candidates = self.ranking(&searcher, &clauses, CANDIDATES)?;
        clauses.extend(common);
        Self::clauses(&t.chars, &[(TC, 1.0), (XC, 1.0), (BC, 1.0), (AC, 1.0)], &mut clauses);
        let copy = self.copy.read().map_err(err)?;
        let depth = RERANK.max(limit);
        // (score, entry, learned question?) of the best documents, best first.
        let mut top: Vec<(f32, u64, bool)> = if candidates.is_empty() {
            self.ranking(&searcher, &clauses, depth)?
        } else {
            let stats = Bm25::new(&searcher, &copy, &clauses, |n| self.field(n))?;
            let mut ids: Vec<u64> = candidates.iter().map(|c| c.1).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut scored = vec![];
            for id in ids {
                if let Some(k) = copy.entries.get(&id) {
                    scored.push((stats.score(&k.bag), id, false));
                }
                for bag in copy.asked.get(&id).map(|v| v.as_slice()).unwrap_or(&[]) {
                    scored.push((stats.score(bag), id, true));
                }
            }
            scored.retain(|x| x.0 > 0.0);
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            scored.truncate(depth);
            scored
        };
        top.truncate(depth);
        // Rarity of a character among the entries' questions.
        let n = searcher.num_docs() as f32;
        let idf = |c: &str| {
            let df = searcher.doc_freq(&Term::from_field_text(self.f.title_c, c)).unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let mut content: Vec<(&str, f32)> = t.chars.iter().map(|c| (c.as_str(), idf(c))).collect();
        content.sort_by(|a, b| a.0.cmp(b.0));
        content.dedup_by(|a, b| a.0 == b.0);
        let total: f32 = content.iter().map(|c| c.1).sum::<f32>().max(1e-6);
        let best = top.first().map(|x| x.0).unwrap_or(1.0).max(1e-6);
        let mut out: Vec<Hit> = Vec::with_capacity(top.len());
        for (score, id, learned) in top {
            // A learned question covers nothing of its own: coverage is the entry's.
            let head = if learned { "" } else { copy.entries.get(&id).map(|k| k.head.as_str()).unwrap_or("") };
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

/// Stage two's BM25: each clause's weight from the index's statistics (documents, tokens per
/// field, documents holding the term), applied to the in-memory copy's frequencies and lengths
/// with the index's own length quantization — the score the index would give.
struct Bm25 {
    /// (field, term number, weight) — clauses whose term the library has.
    clauses: Vec<(u8, u32, Bm25Weight)>,
}

impl Bm25 {
    fn new(
        searcher: &tantivy::Searcher,
        copy: &Mirror,
        clauses: &[(u8, &str, f32)],
        field: impl Fn(u8) -> Field,
    ) -> Result<Bm25, SearchError> {
        let docs = searcher.total_num_docs().map_err(err)?.max(1);
        let mut avg = [None; NFIELDS];
        let mut out = vec![];
        for (f, term, boost) in clauses {
            let Some(n) = copy.vocab.get(*term) else { continue };
            let df = searcher.doc_freq(&Term::from_field_text(field(*f), term)).map_err(err)?;
            if df == 0 {
                continue;
            }
            let a = match avg[*f as usize] {
                Some(a) => a,
                None => {
                    let a = searcher.total_num_tokens(field(*f)).map_err(err)? as f32 / docs as f32;
                    avg[*f as usize] = Some(a);
                    a
                }
            };
            out.push((*f, *n, Bm25Weight::for_one_term_without_explain(df, docs, a).boost_by(*boost)));
        }
        Ok(Bm25 { clauses: out })
    }

    fn score(&self, bag: &Bag) -> f32 {
        self.clauses
            .iter()
            .map(|(f, n, w)| match bag.get(*f, *n) {
                0 => 0.0,
                tf => w.score(FieldNormReader::fieldnorm_to_id(bag.len[*f as usize]), tf),
            })
            .sum()
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
