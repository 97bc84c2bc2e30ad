//! Decisions as Arrow record batches, in one of two shapes ([`Shape`]): one row per encounter
//! and eligible pathway (one row with a null pathway when none is eligible), with the reasons,
//! warnings and partner options as nested lists; or one row per encounter, with the ranked
//! pathways and the fields still to record as lists.
//!
//! A decision's texts (rule ids, clauses, reasons, warnings, partner names) are the program's
//! and the directory's own strings, repeated across millions of rows, so they are written as
//! dictionary-encoded columns: each distinct string once per batch, and a 4-byte key per use.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder, UInt32Builder};
use arrow_array::types::{Int8Type, Int32Type};
use arrow_array::{
    ArrayRef, DictionaryArray, Int8Array, Int32Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray, TimestampMicrosecondArray, UInt8Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, FixedOffset};
use offramp::providers::ProviderOption;
use offramp::{Decision, Disposition, InterceptBasis, Pathway, Program, WarningCode};

/// The rows `route_many` returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    /// One row per encounter and eligible pathway (one with a null pathway when none is):
    /// for looking at pathways and their partner options. Counting rows over-counts encounters
    /// eligible for more than one pathway.
    Pathways,
    /// One row per encounter: for counting dispositions, intercepts and what is missing.
    Decisions,
}

impl Shape {
    /// Every shape, by its Python name, the default first.
    pub(crate) const ALL: [(&'static str, Shape); 2] = [
        ("pathways", Shape::Pathways),
        ("decisions", Shape::Decisions),
    ];

    /// The shape named `name`, if there is one.
    pub(crate) fn parse(name: &str) -> Option<Shape> {
        Shape::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, shape)| *shape)
    }
}

/// A dictionary of the fixed words of a vocabulary (pathways, dispositions, codes).
fn word_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8))
}

/// A dictionary of texts gathered per batch.
fn text_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

fn ts_type(tz: &Arc<str>) -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(tz.clone()))
}

fn provider_fields(tz: &Arc<str>) -> Fields {
    Fields::from(vec![
        Field::new("service_id", text_type(), false),
        Field::new("service", text_type(), false),
        Field::new("organization", text_type(), false),
        Field::new("site", text_type(), true),
        Field::new("open_now", DataType::Boolean, false),
        Field::new("open_until", ts_type(tz), true),
        Field::new("next_open", ts_type(tz), true),
        Field::new("distance_km", DataType::Float64, true),
        Field::new("available", DataType::UInt32, true),
        Field::new("unit", text_type(), true),
        Field::new("preferred_partner", DataType::Boolean, false),
        Field::new(
            "reasons",
            DataType::List(Arc::new(Field::new("item", text_type(), false))),
            false,
        ),
    ])
}

fn reason_fields() -> Fields {
    Fields::from(vec![
        Field::new("pathway", word_type(), false),
        Field::new("rule", text_type(), false),
        Field::new("clause", text_type(), false),
        Field::new("because", text_type(), false),
    ])
}

fn warning_fields() -> Fields {
    Fields::from(vec![
        Field::new("code", word_type(), false),
        Field::new("message", text_type(), false),
    ])
}

fn item(fields: Fields) -> FieldRef {
    Arc::new(Field::new("item", DataType::Struct(fields), false))
}

fn strings(values: impl IntoIterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// A quick hasher for the texts of one batch (FxHash's mixing).
#[derive(Default)]
struct QuickHasher(u64);

impl Hasher for QuickHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

impl QuickHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Slots in a [`Texts`]' cache of recently written strings.
const CACHE: usize = 64;

/// A dictionary-encoded text column being built. Most texts are the program's pooled strings,
/// met again and again at the same address: a small cache by address finds those without
/// hashing their contents; other texts are looked up by content.
struct Texts<'a> {
    cache: [(usize, usize, i32); CACHE],
    index: HashMap<&'a str, i32, BuildHasherDefault<QuickHasher>>,
    values: StringBuilder,
    keys: Vec<Option<i32>>,
}

impl<'a> Texts<'a> {
    fn with_capacity(n: usize) -> Texts<'a> {
        Texts {
            cache: [(0, usize::MAX, 0); CACHE],
            index: HashMap::default(),
            values: StringBuilder::new(),
            keys: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn push(&mut self, s: &'a str) {
        let address = s.as_ptr() as usize;
        let slot = ((address >> 3) ^ (address >> 11)) % CACHE;
        let (a, l, k) = self.cache[slot];
        if a == address && l == s.len() {
            self.keys.push(Some(k));
            return;
        }
        let values = &mut self.values;
        let next = i32::try_from(self.index.len()).unwrap_or(i32::MAX);
        let key = *self.index.entry(s).or_insert_with(|| {
            values.append_value(s);
            next
        });
        self.cache[slot] = (address, s.len(), key);
        self.keys.push(Some(key));
    }

    #[inline]
    fn push_opt(&mut self, s: Option<&'a str>) {
        match s {
            Some(s) => self.push(s),
            None => self.keys.push(None),
        }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn finish(mut self) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(self.keys),
            Arc::new(self.values.finish()),
        )?))
    }
}

/// What every batch of one router's output shares.
pub(crate) struct Layout {
    /// The schema of the `pathways` shape.
    pub schema: SchemaRef,
    /// The schema of the `decisions` shape.
    pub decisions_schema: SchemaRef,
    tz: Arc<str>,
    program_id: ArrayRef,
    pathways: ArrayRef,
    dispositions: ArrayRef,
    codes: ArrayRef,
    bases: ArrayRef,
}

impl Layout {
    /// The output layout for a program.
    pub(crate) fn new(program: &Program) -> Layout {
        let tz: Arc<str> = program.spec().program.timezone.as_str().into();
        let fields = vec![
            Field::new("row", DataType::Int64, false),
            Field::new("encounter_id", DataType::Utf8, false),
            Field::new("program_id", word_type(), false),
            Field::new("intercept", DataType::UInt8, false),
            Field::new("disposition", word_type(), false),
            Field::new("pathway", word_type(), true),
            Field::new("rank", DataType::UInt32, true),
            Field::new("rule", text_type(), true),
            Field::new("charge_hold_term", text_type(), true),
            Field::new("charge_hold_deadline", ts_type(&tz), true),
            Field::new(
                "providers",
                DataType::List(item(provider_fields(&tz))),
                true,
            ),
            Field::new("provider_gap", text_type(), true),
            Field::new("provider_gap_next_open", ts_type(&tz), true),
            Field::new("ineligible", DataType::List(item(reason_fields())), false),
            Field::new("warnings", DataType::List(item(warning_fields())), false),
        ];
        let metadata = HashMap::from([
            ("offramp.program_id".to_string(), program.id().to_string()),
            (
                "offramp.program_hash".to_string(),
                program.hash().to_string(),
            ),
            (
                "offramp.version".to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
        ]);
        let decision_fields = vec![
            Field::new("row", DataType::Int64, false),
            Field::new("encounter_id", DataType::Utf8, false),
            Field::new("program_id", word_type(), false),
            Field::new("intercept", DataType::UInt8, false),
            Field::new("intercept_basis", word_type(), false),
            Field::new("disposition", word_type(), false),
            Field::new("pathway", word_type(), true),
            Field::new("rule", text_type(), true),
            Field::new(
                "pathways",
                DataType::List(Arc::new(Field::new("item", word_type(), false))),
                false,
            ),
            Field::new(
                "needs_information",
                DataType::List(Arc::new(Field::new("item", text_type(), false))),
                false,
            ),
            Field::new("ineligible", DataType::List(item(reason_fields())), false),
            Field::new("warnings", DataType::List(item(warning_fields())), false),
        ];
        Layout {
            schema: Arc::new(Schema::new_with_metadata(fields, metadata.clone())),
            decisions_schema: Arc::new(Schema::new_with_metadata(decision_fields, metadata)),
            bases: strings(InterceptBasis::ALL.iter().map(|b| b.as_str().to_string())),
            program_id: strings([program.id().to_string()]),
            pathways: strings(Pathway::ALL.iter().map(|p| p.as_str().to_string())),
            dispositions: strings(Disposition::ALL.iter().map(|d| d.as_str().to_string())),
            codes: strings(WarningCode::ALL.iter().map(|c| c.as_str().to_string())),
            tz,
        }
    }

    fn words(&self, keys: Vec<Option<i8>>, values: &ArrayRef) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(DictionaryArray::<Int8Type>::try_new(
            Int8Array::from(keys),
            values.clone(),
        )?))
    }

    fn stamps(&self, values: Vec<Option<i64>>) -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(values).with_timezone(self.tz.clone()))
    }

    /// The schema of a shape.
    pub(crate) fn schema(&self, shape: Shape) -> SchemaRef {
        match shape {
            Shape::Pathways => self.schema.clone(),
            Shape::Decisions => self.decisions_schema.clone(),
        }
    }

    /// The batch for `decisions` in `shape`; `input_rows` holds the input row of each (rows of
    /// encounters that failed are left out, so the numbers need not follow on).
    pub(crate) fn encode(
        &self,
        shape: Shape,
        decisions: &[Decision],
        input_rows: &[usize],
    ) -> Result<RecordBatch, ArrowError> {
        match shape {
            Shape::Pathways => self.encode_pathways(decisions, input_rows),
            Shape::Decisions => self.encode_decisions(decisions, input_rows),
        }
    }

    /// One row per encounter: the first pathway and its rule, every eligible pathway in rank
    /// order, and the fields still to record, with the reasons and warnings.
    fn encode_decisions(
        &self,
        decisions: &[Decision],
        input_rows: &[usize],
    ) -> Result<RecordBatch, ArrowError> {
        let n = decisions.len();
        let ids: usize = decisions.iter().map(|d| d.encounter_id.len()).sum();
        let nreasons: usize = decisions
            .iter()
            .map(|d| d.ineligible.iter().map(|i| i.reasons.len()).sum::<usize>())
            .sum();
        let nwarnings: usize = decisions.iter().map(|d| d.warnings.len()).sum();
        let mut row = Vec::with_capacity(n);
        let mut encounter_id = StringBuilder::with_capacity(n, ids);
        let mut program_id = Vec::with_capacity(n);
        let mut intercept = Vec::with_capacity(n);
        let mut basis = Vec::with_capacity(n);
        let mut disposition = Vec::with_capacity(n);
        let mut first = Vec::with_capacity(n);
        let mut rule = Texts::with_capacity(n);
        let mut ranked_offsets = start_offsets(n);
        let mut ranked = Vec::new();
        let mut needs_offsets = start_offsets(n);
        let mut needs = Texts::with_capacity(0);
        let mut reasons = Reasons::with_capacity(n, nreasons);
        let mut warnings = Warnings::with_capacity(n, nwarnings);
        for (k, d) in decisions.iter().enumerate() {
            let input_row = input_rows.get(k).copied().unwrap_or(usize::MAX);
            row.push(i64::try_from(input_row).unwrap_or(i64::MAX));
            encounter_id.append_value(&d.encounter_id);
            program_id.push(Some(0i8));
            intercept.push(d.intercept.number());
            basis.push(Some(d.intercept_basis as i8));
            disposition.push(Some(d.disposition as i8));
            // `eligible` is in rank order.
            let best = d.eligible.first();
            first.push(best.map(|e| e.pathway as i8));
            rule.push_opt(best.map(|e| &*e.rule));
            ranked.extend(d.eligible.iter().map(|e| Some(e.pathway as i8)));
            ranked_offsets.push(offset(ranked.len())?);
            for f in &d.needs_information {
                needs.push(&f.field);
            }
            needs_offsets.push(offset(needs.len())?);
            reasons.push(d);
            warnings.push(d);
        }
        let word_item = Arc::new(Field::new("item", word_type(), false));
        let text_item = Arc::new(Field::new("item", text_type(), false));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(row)),
            Arc::new(encounter_id.finish()),
            self.words(program_id, &self.program_id)?,
            Arc::new(UInt8Array::from(intercept)),
            self.words(basis, &self.bases)?,
            self.words(disposition, &self.dispositions)?,
            self.words(first, &self.pathways)?,
            rule.finish()?,
            Arc::new(ListArray::try_new(
                word_item,
                offsets(ranked_offsets),
                self.words(ranked, &self.pathways)?,
                None,
            )?),
            Arc::new(ListArray::try_new(
                text_item,
                offsets(needs_offsets),
                needs.finish()?,
                None,
            )?),
            reasons.finish(self)?,
            warnings.finish(self)?,
        ];
        RecordBatch::try_new(self.decisions_schema.clone(), columns)
    }

    /// One row per encounter and eligible pathway.
    fn encode_pathways(
        &self,
        decisions: &[Decision],
        input_rows: &[usize],
    ) -> Result<RecordBatch, ArrowError> {
        let (mut n, mut ids, mut nreasons, mut nwarnings) = (0, 0, 0, 0);
        for d in decisions {
            let rows = d.eligible.len().max(1);
            n += rows;
            ids += rows * d.encounter_id.len();
            nreasons += rows * d.ineligible.iter().map(|i| i.reasons.len()).sum::<usize>();
            nwarnings += rows * d.warnings.len();
        }
        let mut row = Vec::with_capacity(n);
        let mut encounter_id = StringBuilder::with_capacity(n, ids);
        let mut program_id = Vec::with_capacity(n);
        let mut intercept = Vec::with_capacity(n);
        let mut disposition = Vec::with_capacity(n);
        let mut pathway = Vec::with_capacity(n);
        let mut rank = UInt32Builder::with_capacity(n);
        let mut rule = Texts::with_capacity(n);
        let mut hold_term = Texts::with_capacity(n);
        let mut hold_deadline = Vec::with_capacity(n);
        let mut gap = Texts::with_capacity(n);
        let mut gap_next = Vec::with_capacity(n);
        let mut providers = Providers::with_capacity(n);
        let mut reasons = Reasons::with_capacity(n, nreasons);
        let mut warnings = Warnings::with_capacity(n, nwarnings);

        for (k, d) in decisions.iter().enumerate() {
            let rows = d.eligible.len().max(1);
            for r in 0..rows {
                let input_row = input_rows.get(k).copied().unwrap_or(usize::MAX);
                row.push(i64::try_from(input_row).unwrap_or(i64::MAX));
                encounter_id.append_value(&d.encounter_id);
                program_id.push(Some(0i8));
                intercept.push(d.intercept.number());
                disposition.push(Some(d.disposition as i8));
                match d.eligible.get(r) {
                    Some(e) => {
                        pathway.push(Some(e.pathway as i8));
                        rank.append_value(e.rank);
                        rule.push(&e.rule);
                        hold_term.push_opt(e.charge_hold.as_ref().map(|h| &*h.term));
                        hold_deadline.push(e.charge_hold.as_ref().map(|h| micros(&h.deadline)));
                        gap.push_opt(e.provider_gap.as_ref().map(|g| &*g.message));
                        gap_next.push(
                            e.provider_gap
                                .as_ref()
                                .and_then(|g| g.next_open.as_ref().map(micros)),
                        );
                        providers.push(e.providers.as_deref());
                    }
                    None => {
                        pathway.push(None);
                        rank.append_null();
                        rule.push_opt(None);
                        hold_term.push_opt(None);
                        hold_deadline.push(None);
                        gap.push_opt(None);
                        gap_next.push(None);
                        providers.push(None);
                    }
                }
                reasons.push(d);
                warnings.push(d);
            }
        }

        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(row)),
            Arc::new(encounter_id.finish()),
            self.words(program_id, &self.program_id)?,
            Arc::new(UInt8Array::from(intercept)),
            self.words(disposition, &self.dispositions)?,
            self.words(pathway, &self.pathways)?,
            Arc::new(rank.finish()),
            rule.finish()?,
            hold_term.finish()?,
            self.stamps(hold_deadline),
            providers.finish(self)?,
            gap.finish()?,
            self.stamps(gap_next),
            reasons.finish(self)?,
            warnings.finish(self)?,
        ];
        RecordBatch::try_new(self.schema.clone(), columns)
    }
}

fn micros(t: &DateTime<FixedOffset>) -> i64 {
    t.timestamp_micros()
}

fn offsets(v: Vec<i32>) -> OffsetBuffer<i32> {
    OffsetBuffer::new(ScalarBuffer::from(v))
}

fn offset(len: usize) -> Result<i32, ArrowError> {
    i32::try_from(len).map_err(|_| ArrowError::ComputeError("batch too large".into()))
}

/// Offsets for a list column: starts at 0.
fn start_offsets(rows: usize) -> Vec<i32> {
    let mut v = Vec::with_capacity(rows + 1);
    v.push(0);
    v
}

/// The `providers` list column.
struct Providers<'a> {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    count: usize,
    service_id: Texts<'a>,
    service: Texts<'a>,
    organization: Texts<'a>,
    site: Texts<'a>,
    open_now: BooleanBuilder,
    open_until: Vec<Option<i64>>,
    next_open: Vec<Option<i64>>,
    distance_km: Float64Builder,
    available: UInt32Builder,
    unit: Texts<'a>,
    preferred: BooleanBuilder,
    reason_offsets: Vec<i32>,
    reasons: Texts<'a>,
}

impl<'a> Providers<'a> {
    fn with_capacity(rows: usize) -> Providers<'a> {
        Providers {
            offsets: start_offsets(rows),
            valid: Vec::with_capacity(rows),
            count: 0,
            service_id: Texts::with_capacity(0),
            service: Texts::with_capacity(0),
            organization: Texts::with_capacity(0),
            site: Texts::with_capacity(0),
            open_now: BooleanBuilder::new(),
            open_until: Vec::new(),
            next_open: Vec::new(),
            distance_km: Float64Builder::new(),
            available: UInt32Builder::new(),
            unit: Texts::with_capacity(0),
            preferred: BooleanBuilder::new(),
            reason_offsets: vec![0],
            reasons: Texts::with_capacity(0),
        }
    }

    fn push(&mut self, options: Option<&'a [ProviderOption]>) {
        if let Some(options) = options {
            for o in options {
                self.service_id.push(&o.service_id);
                self.service.push(&o.service);
                self.organization.push(&o.organization);
                self.site.push_opt(o.site.as_deref());
                self.open_now.append_value(o.open_now);
                self.open_until.push(o.open_until.as_ref().map(micros));
                self.next_open.push(o.next_open.as_ref().map(micros));
                self.distance_km.append_option(o.distance_km);
                self.available.append_option(o.available);
                self.unit.push_opt(o.unit.as_deref());
                self.preferred.append_value(o.preferred_partner);
                for r in &o.reasons {
                    self.reasons.push(r);
                }
                self.reason_offsets
                    .push(i32::try_from(self.reasons.len()).unwrap_or(i32::MAX));
                self.count += 1;
            }
        }
        self.offsets
            .push(i32::try_from(self.count).unwrap_or(i32::MAX));
        self.valid.push(options.is_some());
    }

    fn finish(self, layout: &Layout) -> Result<ArrayRef, ArrowError> {
        offset(self.reasons.len())?;
        offset(self.count)?;
        let fields = provider_fields(&layout.tz);
        let reason_item = Arc::new(Field::new("item", text_type(), false));
        let reasons = ListArray::try_new(
            reason_item,
            offsets(self.reason_offsets),
            self.reasons.finish()?,
            None,
        )?;
        let mut open_now = self.open_now;
        let mut distance_km = self.distance_km;
        let mut available = self.available;
        let mut preferred = self.preferred;
        let children: Vec<ArrayRef> = vec![
            self.service_id.finish()?,
            self.service.finish()?,
            self.organization.finish()?,
            self.site.finish()?,
            Arc::new(open_now.finish()),
            layout.stamps(self.open_until),
            layout.stamps(self.next_open),
            Arc::new(distance_km.finish()),
            Arc::new(available.finish()),
            self.unit.finish()?,
            Arc::new(preferred.finish()),
            Arc::new(reasons),
        ];
        let items = StructArray::try_new(fields.clone(), children, None)?;
        Ok(Arc::new(ListArray::try_new(
            item(fields),
            offsets(self.offsets),
            Arc::new(items),
            Some(NullBuffer::from(self.valid)),
        )?))
    }
}

/// The `ineligible` list column: one item per reason, with its pathway.
struct Reasons<'a> {
    offsets: Vec<i32>,
    pathway: Vec<Option<i8>>,
    rule: Texts<'a>,
    clause: Texts<'a>,
    because: Texts<'a>,
}

impl<'a> Reasons<'a> {
    fn with_capacity(rows: usize, items: usize) -> Reasons<'a> {
        Reasons {
            offsets: start_offsets(rows),
            pathway: Vec::with_capacity(items),
            rule: Texts::with_capacity(items),
            clause: Texts::with_capacity(items),
            because: Texts::with_capacity(items),
        }
    }

    fn push(&mut self, d: &'a Decision) {
        for i in &d.ineligible {
            for r in &i.reasons {
                self.pathway.push(Some(i.pathway as i8));
                self.rule.push(&r.rule);
                self.clause.push(&r.clause);
                self.because.push(&r.because);
            }
        }
        self.offsets
            .push(i32::try_from(self.pathway.len()).unwrap_or(i32::MAX));
    }

    fn finish(self, layout: &Layout) -> Result<ArrayRef, ArrowError> {
        offset(self.pathway.len())?;
        let fields = reason_fields();
        let children: Vec<ArrayRef> = vec![
            layout.words(self.pathway, &layout.pathways)?,
            self.rule.finish()?,
            self.clause.finish()?,
            self.because.finish()?,
        ];
        let items = StructArray::try_new(fields.clone(), children, None)?;
        Ok(Arc::new(ListArray::try_new(
            item(fields),
            offsets(self.offsets),
            Arc::new(items),
            None,
        )?))
    }
}

/// The `warnings` list column.
struct Warnings<'a> {
    offsets: Vec<i32>,
    code: Vec<Option<i8>>,
    message: Texts<'a>,
}

impl<'a> Warnings<'a> {
    fn with_capacity(rows: usize, items: usize) -> Warnings<'a> {
        Warnings {
            offsets: start_offsets(rows),
            code: Vec::with_capacity(items),
            message: Texts::with_capacity(items),
        }
    }

    fn push(&mut self, d: &'a Decision) {
        for w in &d.warnings {
            self.code.push(Some(w.code as i8));
            self.message.push(&w.message);
        }
        self.offsets
            .push(i32::try_from(self.code.len()).unwrap_or(i32::MAX));
    }

    fn finish(self, layout: &Layout) -> Result<ArrayRef, ArrowError> {
        offset(self.code.len())?;
        let fields = warning_fields();
        let children: Vec<ArrayRef> = vec![
            layout.words(self.code, &layout.codes)?,
            self.message.finish()?,
        ];
        let items = StructArray::try_new(fields.clone(), children, None)?;
        Ok(Arc::new(ListArray::try_new(
            item(fields),
            offsets(self.offsets),
            Arc::new(items),
            None,
        )?))
    }
}

/// A table handed to Python as a `pyarrow.Table`. Read through `RecordBatchReader.from_stream`
/// (pyarrow 15 and later) rather than `pyarrow.table`, which first asks whether its argument is
/// a pandas DataFrame and so imports pandas, when installed, at the first call: about 0.3 s
/// that a caller who never uses pandas should not pay. pyarrow 14 keeps `pyarrow.table`.
pub(crate) fn to_pyarrow<'py>(
    py: pyo3::Python<'py>,
    table: pyo3_arrow::PyTable,
) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
    use pyo3::prelude::*;
    let pyarrow = py.import(pyo3::intern!(py, "pyarrow"))?;
    let reader = pyarrow.getattr(pyo3::intern!(py, "RecordBatchReader"))?;
    match reader.getattr(pyo3::intern!(py, "from_stream")) {
        Ok(from_stream) => from_stream
            .call1((table.into_pyobject(py)?,))?
            .call_method0(pyo3::intern!(py, "read_all")),
        Err(_) => table.into_pyarrow(py),
    }
}
