//! The one field-by-field encounter reader, shared by every way a Python caller gives data.
//!
//! [`read_encounter`] lists the fields of [`Encounter`] once, each with the kind of value it
//! holds; an [`Input`] knows how to read each kind of value from one source: a Python dict
//! (`fast.rs`), a JSON value (here) or a row of an Arrow table (`arrow_in.rs`). The core's
//! struct is built with every field named, so a field added to the core fails to compile here
//! until it is read; the tests compare what the reader reads with the core's JSON Schema.
//!
//! The reader is the quick way only: it accepts a value in a shape it knows, or gives up with
//! [`Slow`] at anything else (an unknown key, a value of another type, a word the core does not
//! know). The caller then hands the data to the core's JSON reader, which accepts or refuses
//! with the core's own message, so the reader changes how fast an answer comes, never what it is.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate};
use offramp::domain::DrugQuantity;
use offramp::nibrs::{CriminalActivity, DrugType, DrugUnit};
use offramp::{
    AttributeValue, Consent, Encounter, Flag, HistoryEvent, HistoryKind, Intercept, Language,
    Level, Location, Need, NibrsCode, Offense, Overdose, Responder, Source, Willing,
};
use pyo3::prelude::*;
use pyo3::sync::Interned;
use pyo3::types::PyString;

use crate::convert::Json;
use crate::enums::lookup;

/// The quick reader gave up: the core's JSON reader must decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slow;

/// What a quick read gives: the value, `None` when it is absent (or not recorded), or [`Slow`].
pub(crate) type Got<T> = Result<Option<T>, Slow>;

/// A key of an encounter object, made once per place it is read (see [`key!`]): its name, the
/// same name as an interned Python string, and a number that lets a table find its column
/// without comparing names on every row.
pub(crate) struct Key {
    name: &'static str,
    py: Interned,
    slot: OnceLock<usize>,
}

/// How many [`Key`]s have been numbered so far.
static SLOTS: AtomicUsize = AtomicUsize::new(0);

impl Key {
    /// A key for `name`.
    pub(crate) const fn new(name: &'static str) -> Key {
        Key {
            name,
            py: Interned::new(name),
            slot: OnceLock::new(),
        }
    }

    /// The key's name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The key as an interned Python string.
    pub(crate) fn py<'py>(&self, py: Python<'py>) -> &Bound<'py, PyString> {
        self.py.get(py)
    }

    /// A small number unique to this key in the process (numbered on first use).
    pub(crate) fn slot(&self) -> usize {
        *self
            .slot
            .get_or_init(|| SLOTS.fetch_add(1, Ordering::Relaxed))
    }
}

/// A `&'static Key` for a literal name.
macro_rules! key {
    ($name:literal) => {{
        static KEY: Key = Key::new($name);
        &KEY
    }};
}

/// A value read from a word: the encounter's vocabularies and NIBRS codes.
pub(crate) trait Word: Sized {
    /// The value a word names, as the core reads it; None when the core would refuse it.
    fn parse(word: &str) -> Option<Self>;
    /// The value a Python object names (a name, or an enum member); None when unsure.
    fn from_py(obj: &Bound<'_, PyAny>) -> Option<Self> {
        Self::parse(&obj.cast::<PyString>().ok()?.to_cow().ok()?)
    }
    /// Some value, for listing what the reader reads.
    fn example() -> Option<Self>;
}

macro_rules! vocabulary_word {
    ($($ty:ty),+) => {$(
        impl Word for $ty {
            fn parse(word: &str) -> Option<Self> {
                <$ty>::parse(word).ok()
            }
            fn from_py(obj: &Bound<'_, PyAny>) -> Option<Self> {
                lookup::<$ty>(obj)
            }
            fn example() -> Option<Self> {
                <$ty>::ALL.first().copied()
            }
        }
    )+};
}

vocabulary_word!(
    Responder,
    Source,
    Need,
    Flag,
    Level,
    Consent,
    Willing,
    HistoryKind,
    CriminalActivity,
    DrugType,
    DrugUnit
);

impl Word for NibrsCode {
    fn parse(word: &str) -> Option<Self> {
        NibrsCode::parse(word).ok()
    }
    fn example() -> Option<Self> {
        NibrsCode::parse("13A").ok()
    }
}

/// One source of encounter data, read key by key, with a method for each kind of value. A
/// read of a key that is there counts it, so that [`Input::finish`] can tell whether the
/// object had keys nobody read.
pub(crate) trait Input: Sized {
    /// Text.
    fn text(&mut self, key: &'static Key) -> Got<String>;
    /// A moment with its UTC offset.
    fn time(&mut self, key: &'static Key) -> Got<DateTime<FixedOffset>>;
    /// A calendar day written `YYYY-MM-DD`; text the core would not read as a day goes to
    /// the core, which words the error.
    fn date(&mut self, key: &'static Key) -> Got<NaiveDate> {
        self.text(key)?
            .map(|t| t.parse::<NaiveDate>().map_err(|_| Slow))
            .transpose()
    }
    /// True or false.
    fn boolean(&mut self, key: &'static Key) -> Got<bool>;
    /// A whole number (a float with no fraction counts: pandas stores integers with gaps as
    /// floats).
    fn whole(&mut self, key: &'static Key) -> Got<i64>;
    /// A number.
    fn number(&mut self, key: &'static Key) -> Got<f64>;
    /// One word of a vocabulary.
    fn word<W: Word>(&mut self, key: &'static Key) -> Got<W>;
    /// A list of words.
    fn words<W: Word>(&mut self, key: &'static Key) -> Got<Vec<W>>;
    /// A nested object, read with the same methods.
    fn object(&mut self, key: &'static Key) -> Got<Self>;
    /// A list of nested objects.
    fn objects(&mut self, key: &'static Key) -> Got<Vec<Self>>;
    /// The program's declared attributes; whole floats in `int_attributes` are integers.
    fn attributes(
        &mut self,
        key: &'static Key,
        int_attributes: &[String],
    ) -> Got<BTreeMap<String, AttributeValue>>;
    /// [`Slow`] when the object has a key that was not read.
    fn finish(&self) -> Result<(), Slow>;
}

/// A value the encounter must have.
fn required<T>(got: Got<T>) -> Result<T, Slow> {
    got?.ok_or(Slow)
}

/// A whole number that must fit `T`.
fn fits<T: TryFrom<i64>>(got: Got<i64>) -> Got<T> {
    got?.map(|n| T::try_from(n).map_err(|_| Slow)).transpose()
}

/// Reads every field of an encounter, each listed once, and checks it as the core does.
pub(crate) fn read_encounter<I: Input>(
    input: &mut I,
    int_attributes: &[String],
) -> Result<Encounter, Slow> {
    let encounter = Encounter {
        id: required(input.text(key!("id")))?,
        at: required(input.time(key!("at")))?,
        responder: input.word(key!("responder"))?,
        source: input.word(key!("source"))?,
        needs: input.words(key!("needs"))?.unwrap_or_default(),
        overdose: match input.object(key!("overdose"))? {
            Some(mut o) => Some(overdose(&mut o)?),
            None => None,
        },
        offenses: match input.objects(key!("offenses"))? {
            Some(list) => list
                .into_iter()
                .map(|mut o| offense(&mut o))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        },
        flags: input.words(key!("flags"))?.unwrap_or_default(),
        age: fits(input.whole(key!("age")))?,
        // Through the core's one normaliser; an unknown language goes to the core's reader,
        // which names the field.
        language: input
            .text(key!("language"))?
            .map(|t| Language::parse(&t).map_err(|_| Slow))
            .transpose()?,
        consent: input.word(key!("consent"))?,
        willing: input.word(key!("willing"))?,
        history: match input.objects(key!("history"))? {
            Some(list) => Some(
                list.into_iter()
                    .map(|mut o| history_event(&mut o))
                    .collect::<Result<_, _>>()?,
            ),
            None => None,
        },
        location: match input.object(key!("location"))? {
            Some(mut o) => Some(location(&mut o)?),
            None => None,
        },
        intercept: match fits::<u8>(input.whole(key!("intercept")))? {
            Some(n) => Some(Intercept::from_number(n).ok_or(Slow)?),
            None => None,
        },
        attributes: input
            .attributes(key!("attributes"), int_attributes)?
            .unwrap_or_default(),
    };
    input.finish()?;
    encounter.validate().map_err(|_| Slow)?;
    Ok(encounter)
}

fn overdose<I: Input>(o: &mut I) -> Result<Overdose, Slow> {
    let overdose = Overdose {
        at: required(o.time(key!("at")))?,
        naloxone: o.boolean(key!("naloxone"))?.unwrap_or(false),
    };
    o.finish()?;
    Ok(overdose)
}

fn offense<I: Input>(o: &mut I) -> Result<Offense, Slow> {
    let offense = Offense {
        nibrs: required(o.word(key!("nibrs")))?,
        level: required(o.word(key!("level")))?,
        violent: o.boolean(key!("violent"))?,
        activity: o.words(key!("activity"))?.unwrap_or_default(),
        drug_types: o.words(key!("drug_types"))?.unwrap_or_default(),
        quantity: match o.object(key!("quantity"))? {
            Some(mut q) => Some(quantity(&mut q)?),
            None => None,
        },
    };
    o.finish()?;
    Ok(offense)
}

fn history_event<I: Input>(o: &mut I) -> Result<HistoryEvent, Slow> {
    let event = HistoryEvent {
        kind: required(o.word(key!("kind")))?,
        date: required(o.date(key!("date")))?,
        nibrs: o.word(key!("nibrs"))?,
        level: o.word(key!("level"))?,
    };
    o.finish()?;
    Ok(event)
}

fn quantity<I: Input>(q: &mut I) -> Result<DrugQuantity, Slow> {
    let quantity = DrugQuantity {
        amount: required(q.number(key!("amount")))?,
        unit: required(q.word(key!("unit")))?,
    };
    q.finish()?;
    Ok(quantity)
}

fn location<I: Input>(o: &mut I) -> Result<Location, Slow> {
    let location = Location {
        lat: required(o.number(key!("lat")))?,
        lon: required(o.number(key!("lon")))?,
    };
    o.finish()?;
    Ok(location)
}

// ------------------------------------------------------------------------------------------
// What the reader reads, found by running it.

/// The kind of value read at a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Time,
    Boolean,
    Whole,
    Number,
    Word,
    Words,
    Object,
    Objects,
    Attributes,
}

/// An [`Input`] that answers every read with some value and writes down the key and kind.
struct Recorder {
    prefix: String,
    log: Rc<RefCell<Vec<(String, Kind)>>>,
}

impl Recorder {
    fn note<T>(&mut self, key: &'static Key, kind: Kind, value: Option<T>) -> Got<T> {
        self.log
            .borrow_mut()
            .push((format!("{}{}", self.prefix, key.name()), kind));
        Ok(value)
    }

    fn nested(&self, key: &'static Key) -> Recorder {
        Recorder {
            prefix: format!("{}{}.", self.prefix, key.name()),
            log: self.log.clone(),
        }
    }
}

impl Input for Recorder {
    fn text(&mut self, key: &'static Key) -> Got<String> {
        // Text every text field takes: an id, and a language the core's normaliser knows.
        self.note(key, Kind::Text, Some("eng".into()))
    }
    fn time(&mut self, key: &'static Key) -> Got<DateTime<FixedOffset>> {
        self.note(key, Kind::Time, Some(DateTime::UNIX_EPOCH.fixed_offset()))
    }
    fn date(&mut self, key: &'static Key) -> Got<NaiveDate> {
        self.note(key, Kind::Text, Some(NaiveDate::MIN))
    }
    fn boolean(&mut self, key: &'static Key) -> Got<bool> {
        self.note(key, Kind::Boolean, Some(false))
    }
    fn whole(&mut self, key: &'static Key) -> Got<i64> {
        self.note(key, Kind::Whole, Some(0))
    }
    fn number(&mut self, key: &'static Key) -> Got<f64> {
        self.note(key, Kind::Number, Some(0.0))
    }
    fn word<W: Word>(&mut self, key: &'static Key) -> Got<W> {
        self.note(key, Kind::Word, W::example())
    }
    fn words<W: Word>(&mut self, key: &'static Key) -> Got<Vec<W>> {
        self.note(key, Kind::Words, Some(Vec::new()))
    }
    fn object(&mut self, key: &'static Key) -> Got<Self> {
        let nested = self.nested(key);
        self.note(key, Kind::Object, Some(nested))
    }
    fn objects(&mut self, key: &'static Key) -> Got<Vec<Self>> {
        let nested = self.nested(key);
        self.note(key, Kind::Objects, Some(vec![nested]))
    }
    fn attributes(
        &mut self,
        key: &'static Key,
        _int_attributes: &[String],
    ) -> Got<BTreeMap<String, AttributeValue>> {
        self.note(key, Kind::Attributes, Some(BTreeMap::new()))
    }
    fn finish(&self) -> Result<(), Slow> {
        Ok(())
    }
}

/// Every key [`read_encounter`] reads (nested ones as `overdose.at`), with its kind, in the
/// order it reads them.
pub(crate) fn fields() -> &'static [(String, Kind)] {
    static FIELDS: OnceLock<Vec<(String, Kind)>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut recorder = Recorder {
            prefix: String::new(),
            log: log.clone(),
        };
        // The recorder's values make a valid encounter, so every field is read.
        let _ = read_encounter(&mut recorder, &[]);
        drop(recorder);
        log.take()
    })
}

/// The encounter's own fields (not nested keys), in the order the reader reads them.
pub(crate) fn field_names() -> Vec<&'static str> {
    fields()
        .iter()
        .filter(|(name, _)| !name.contains('.'))
        .map(|(name, _)| name.as_str())
        .collect()
}

// ------------------------------------------------------------------------------------------
// A JSON object (what a Python value or a slow Arrow row becomes).

/// An [`Input`] over the keys of a JSON object.
pub(crate) struct JsonInput<'a> {
    pairs: &'a [(String, Json)],
    seen: usize,
}

impl<'a> JsonInput<'a> {
    /// The object's keys; None when `value` is not an object.
    pub(crate) fn new(value: &'a Json) -> Option<JsonInput<'a>> {
        match value {
            Json::Object(pairs) => Some(JsonInput { pairs, seen: 0 }),
            _ => None,
        }
    }

    /// The value at `key`, counted when the key is there. A null is left to the core (some
    /// fields take it, lists do not).
    fn get(&mut self, key: &'static Key) -> Got<&'a Json> {
        let pairs = self.pairs;
        match pairs.iter().find(|(k, _)| k == key.name()) {
            None => Ok(None),
            Some((_, Json::Null)) => Err(Slow),
            Some((_, v)) => {
                self.seen += 1;
                Ok(Some(v))
            }
        }
    }
}

/// A JSON number as a whole number, when it is one.
fn json_whole(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn json_word<W: Word>(v: &Json) -> Result<W, Slow> {
    match v {
        Json::String(s) => W::parse(s).ok_or(Slow),
        _ => Err(Slow),
    }
}

impl Input for JsonInput<'_> {
    fn text(&mut self, key: &'static Key) -> Got<String> {
        match self.get(key)? {
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn time(&mut self, key: &'static Key) -> Got<DateTime<FixedOffset>> {
        match self.get(key)? {
            Some(Json::String(s)) => crate::convert::parse_time(s).map(Some).ok_or(Slow),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn boolean(&mut self, key: &'static Key) -> Got<bool> {
        match self.get(key)? {
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn whole(&mut self, key: &'static Key) -> Got<i64> {
        match self.get(key)? {
            Some(Json::Number(n)) => json_whole(n).map(Some).ok_or(Slow),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn number(&mut self, key: &'static Key) -> Got<f64> {
        match self.get(key)? {
            Some(Json::Number(n)) => n.as_f64().map(Some).ok_or(Slow),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn word<W: Word>(&mut self, key: &'static Key) -> Got<W> {
        self.get(key)?.map(json_word).transpose()
    }
    fn words<W: Word>(&mut self, key: &'static Key) -> Got<Vec<W>> {
        match self.get(key)? {
            Some(Json::Array(items)) => items
                .iter()
                .map(json_word)
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn object(&mut self, key: &'static Key) -> Got<Self> {
        match self.get(key)? {
            Some(v) => JsonInput::new(v).map(Some).ok_or(Slow),
            None => Ok(None),
        }
    }
    fn objects(&mut self, key: &'static Key) -> Got<Vec<Self>> {
        match self.get(key)? {
            Some(Json::Array(items)) => items
                .iter()
                .map(|v| JsonInput::new(v).ok_or(Slow))
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(Slow),
            None => Ok(None),
        }
    }
    fn attributes(
        &mut self,
        key: &'static Key,
        int_attributes: &[String],
    ) -> Got<BTreeMap<String, AttributeValue>> {
        let pairs = match self.get(key)? {
            Some(Json::Object(pairs)) => pairs,
            Some(_) => return Err(Slow),
            None => return Ok(None),
        };
        let mut out = BTreeMap::new();
        for (name, v) in pairs {
            let value = match v {
                Json::Bool(b) => AttributeValue::Bool(*b),
                Json::String(s) => AttributeValue::Text(s.clone()),
                Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => AttributeValue::Int(i),
                    (None, _) if n.is_u64() => return Err(Slow),
                    (None, Some(f)) => match json_whole(n) {
                        Some(i) if int_attributes.contains(name) => AttributeValue::Int(i),
                        _ => AttributeValue::Number(f),
                    },
                    (None, None) => return Err(Slow),
                },
                Json::Null | Json::Array(_) | Json::Object(_) => return Err(Slow),
            };
            out.insert(name.clone(), value);
        }
        Ok(Some(out))
    }
    fn finish(&self) -> Result<(), Slow> {
        if self.seen == self.pairs.len() {
            Ok(())
        } else {
            Err(Slow)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offramp::schema::{SchemaKind, json_schema};
    use serde_json::{Value, json};

    /// The property names of a schema object, and of the objects its properties refer to
    /// (`overdose.at`), sorted.
    fn schema_fields(schema: &Value, object: &Value, prefix: &str, out: &mut Vec<String>) {
        let Some(properties) = object["properties"].as_object() else {
            return;
        };
        for (name, property) in properties {
            let path = format!("{prefix}{name}");
            out.push(path.clone());
            // A nested object: `$ref`, `anyOf: [$ref, null]`, or `items: $ref`.
            let refs = [
                &property["$ref"],
                &property["anyOf"][0]["$ref"],
                &property["items"]["$ref"],
            ];
            for r in refs {
                if let Some(target) = r.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                    schema_fields(schema, &schema["$defs"][target], &format!("{path}."), out);
                }
            }
        }
    }

    #[test]
    fn the_reader_reads_every_field_of_the_schema() {
        let schema = json_schema(SchemaKind::Encounter);
        let mut expected = Vec::new();
        schema_fields(&schema, &schema, "", &mut expected);
        expected.sort();
        let mut read: Vec<String> = fields().iter().map(|(name, _)| name.clone()).collect();
        read.sort();
        assert_eq!(read, expected);
        assert!(field_names().contains(&"attributes"));
        assert!(!field_names().contains(&"overdose.at"));
    }

    fn to_json(v: &Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
            Value::Object(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
            }
        }
    }

    fn quick(v: &Value, ints: &[String]) -> Result<Encounter, Slow> {
        let json = to_json(v);
        let mut input = JsonInput::new(&json).ok_or(Slow)?;
        read_encounter(&mut input, ints)
    }

    fn full() -> Value {
        json!({
            "id": "e1",
            "at": "2026-03-02T14:05:00-08:00",
            "responder": "law_enforcement",
            "source": "call_for_service",
            "needs": ["sud", "homelessness"],
            "overdose": {"at": "2026-03-01T10:00:00-08:00", "naloxone": true},
            "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false,
                          "activity": ["possessing", "U"], "drug_types": ["heroin"],
                          "quantity": {"amount": 0.5, "unit": "GM"}}],
            "flags": ["weapon"],
            "age": 34,
            "language": "spa",
            "consent": "verbal",
            "willing": "yes",
            "history": [{"kind": "conviction", "date": "2019-05-01", "nibrs": "13B", "level": "misdemeanor"}],
            "location": {"lat": 47.6, "lon": -122.3},
            "intercept": 1,
            "attributes": {"priors": 2, "score": 0.5, "veteran": true, "unit": "north"}
        })
    }

    #[test]
    fn the_quick_reader_agrees_with_the_core() -> Result<(), Box<dyn std::error::Error>> {
        let v = full();
        let core = Encounter::from_json(&v.to_string())?;
        assert_eq!(quick(&v, &[]), Ok(core.clone()));
        // Every field is there to be compared.
        let back = serde_json::to_value(&core)?;
        assert_eq!(back.as_object().map(|o| o.len()), Some(field_names().len()));
        // Whole floats are integers where the core wants one.
        let mut w = full();
        w["age"] = json!(34.0);
        w["intercept"] = json!(1.0);
        w["attributes"]["priors"] = json!(2.0);
        assert_eq!(quick(&w, &["priors".to_string()]), Ok(core));
        Ok(())
    }

    #[test]
    fn the_quick_reader_leaves_the_rest_to_the_core() {
        for (key, value) in [
            ("respondr", json!("fire")),
            ("responder", json!("Fire")),
            ("age", json!(34.5)),
            ("age", json!(-1)),
            ("intercept", json!(9)),
            ("at", json!(3)),
            ("needs", json!(["sud", null])),
            (
                "overdose",
                json!({"at": "2026-03-01T10:00:00-08:00", "extra": 1}),
            ),
            (
                "offenses",
                json!([{"nibrs": "ZZZ", "level": "misdemeanor"}]),
            ),
            ("location", json!({"lat": 91.0, "lon": 0.0})),
        ] {
            let mut v = full();
            v[key] = value;
            assert_eq!(quick(&v, &[]), Err(Slow), "{key}");
        }
    }
}
