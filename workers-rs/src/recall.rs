//! `conformance::<lang>::recall`. An engine restart drops every invocation in
//! flight, so the answer of a write, read or relay call under way never
//! reaches the harness, although the call itself goes on in this process (the
//! SDK runs each handler on a task of its own). Each call's answer is
//! therefore also kept here by cell, and the harness asks for it again
//! through the restarted engine. Pure bookkeeping around the handlers: what
//! they do does not change.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use iii_sdk::Error;
use serde_json::{Map, Value};

use crate::reject::Rejection;
use crate::request::{RecallRequest, parse, schema_fields};
use crate::worker::{Shared, log};

/// The contract's minimum. A digest carries a record per text, so one cell
/// can weigh a lot; keeping more is memory spent on cells nobody asks about.
pub const RECALL_CELLS: usize = 64;

/// The calls whose answers recall gives back, in the order it names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Write,
    Read,
    Relay,
}

impl Call {
    pub const ALL: [Call; 3] = [Call::Write, Call::Read, Call::Relay];

    /// The `RecallResult` field and the `running` entry for this call.
    pub fn name(self) -> &'static str {
        match self {
            Call::Write => "write",
            Call::Read => "read",
            Call::Relay => "relay",
        }
    }
}

#[derive(Default)]
struct CellRecord {
    /// One entry per call at work, so two reads of one cell (a fan-out's
    /// readers on this worker) each clear only their own.
    running: Vec<(u64, Call)>,
    /// The last answer of each call, indexed by `Call as usize`.
    answers: [Option<Value>; 3],
}

#[derive(Default)]
struct Cells {
    /// In order of last activity: the first is the one evicted next. A plain
    /// list, since at 64 cells a scan costs less than an index kept in step.
    records: Vec<(String, CellRecord)>,
    next_token: u64,
}

/// What the write, read and relay calls of the most recent cells answered,
/// and which of them are still at work.
pub struct RecallStore {
    capacity: usize,
    cells: Mutex<Cells>,
}

impl Default for RecallStore {
    fn default() -> Self {
        Self::new(RECALL_CELLS)
    }
}

impl RecallStore {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            cells: Mutex::new(Cells::default()),
        }
    }

    /// How many cells are kept.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks a `call` for `cell` as running. The answer it will give replaces
    /// the last such call's, so until it ends there is none: a rerun of a
    /// cell must never be answered with the previous run's digest.
    pub fn begin(&self, cell: &str, call: Call) -> CallMark<'_> {
        // A call without a cell (a bare ref as the whole payload) can never
        // be asked about.
        if cell.is_empty() {
            return CallMark {
                store: self,
                cell: String::new(),
                call,
                token: None,
            };
        }
        let mut cells = self.lock();
        let token = cells.next_token;
        cells.next_token += 1;
        let record = touch(&mut cells, cell, self.capacity);
        record.running.push((token, call));
        record.answers[call as usize] = None;
        CallMark {
            store: self,
            cell: cell.to_string(),
            call,
            token: Some(token),
        }
    }

    /// `RecallResult` for `cell`: `running` always, each answer that is in.
    pub fn recall(&self, cell: &str) -> Value {
        let cells = self.lock();
        let mut answer = Map::new();
        let record = cells.records.iter().find(|(name, _)| name == cell);
        let running = Call::ALL.iter().filter(|call| {
            record.is_some_and(|(_, record)| record.running.iter().any(|(_, c)| c == *call))
        });
        let running = running.map(|call| Value::from(call.name())).collect();
        answer.insert("running".into(), Value::Array(running));
        if let Some((_, record)) = record {
            for call in Call::ALL {
                if let Some(kept) = &record.answers[call as usize] {
                    answer.insert(call.name().into(), kept.clone());
                }
            }
        }
        Value::Object(answer)
    }

    fn end(&self, cell: &str, token: u64, call: Call, answer: Option<Value>) {
        let mut cells = self.lock();
        // The cell may have been evicted while the call ran; its answer is
        // then the newest thing known about it and comes back in.
        let record = touch(&mut cells, cell, self.capacity);
        record.running.retain(|(running, _)| *running != token);
        if answer.is_some() {
            record.answers[call as usize] = answer;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cells> {
        // A panic elsewhere must not also cost every later recall.
        self.cells
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The cell's record, created if need be, moved to the newest end; the
/// oldest cells beyond `capacity` are dropped.
fn touch<'a>(cells: &'a mut Cells, cell: &str, capacity: usize) -> &'a mut CellRecord {
    let record = match cells.records.iter().position(|(name, _)| name == cell) {
        Some(at) => cells.records.remove(at).1,
        None => CellRecord::default(),
    };
    cells.records.push((cell.to_string(), record));
    let excess = cells.records.len().saturating_sub(capacity.max(1));
    cells.records.drain(..excess);
    &mut cells.records.last_mut().expect("just pushed").1
}

/// One call's running mark. `finished` keeps its answer; dropped without
/// it (an error answer, or a handler that panicked) it only clears the mark.
pub struct CallMark<'a> {
    store: &'a RecallStore,
    cell: String,
    call: Call,
    token: Option<u64>,
}

impl CallMark<'_> {
    pub fn finished(mut self, answer: &Value) {
        if let Some(token) = self.token.take() {
            let answer = Some(answer.clone());
            self.store.end(&self.cell, token, self.call, answer);
        }
    }
}

impl Drop for CallMark<'_> {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            self.store.end(&self.cell, token, self.call, None);
        }
    }
}

/// `work` with its answer kept under `cell`: running from the first poll
/// (handler entry), kept when it answers, absent when it answers with an
/// error (the SDK then sends an invocation error, which has no digest to
/// give back either).
pub async fn kept<Fut>(
    store: &RecallStore,
    call: Call,
    cell: &str,
    work: Fut,
) -> Result<Value, Error>
where
    Fut: Future<Output = Result<Value, Error>>,
{
    let mark = store.begin(cell, call);
    let answer = work.await;
    if let Ok(value) = &answer {
        mark.finished(value);
    }
    answer
}

/// A write, read or relay handler with its answers kept for recall.
pub async fn remembered<F, Fut>(
    call: Call,
    worker: Shared,
    payload: Value,
    handler: F,
) -> Result<Value, Error>
where
    F: FnOnce(Shared, Value) -> Fut,
    Fut: Future<Output = Result<Value, Error>>,
{
    let cell = cell_of(&payload);
    let work = handler(Arc::clone(&worker), payload);
    kept(&worker.recall, call, &cell, work).await
}

/// The cell as the caller sent it, read before validation so that a
/// rejected request still clears what an earlier call left for that cell.
pub fn cell_of(payload: &Value) -> String {
    let cell = payload.get("cell").and_then(Value::as_str);
    cell.unwrap_or_default().to_string()
}

/// The cell a recall payload asks about, validated like every request.
pub fn parse_request(payload: &Value) -> Result<String, Rejection> {
    let request: RecallRequest = parse("RecallRequest", schema_fields(payload, &[])?)?;
    if request.cell.is_empty() {
        // The answer is about one cell; an empty id names none of them.
        return Err(Rejection::invalid("cell", "required: the cell to recall"));
    }
    Ok(request.cell)
}

pub async fn handle(worker: Shared, payload: Value) -> Result<Value, Error> {
    let cell = parse_request(&payload)?;
    let answer = worker.recall.recall(&cell);
    let kept: Vec<&str> = Call::ALL
        .iter()
        .map(|call| call.name())
        .filter(|name| answer.get(name).is_some())
        .collect();
    log(
        &cell,
        "recall",
        format!("running {}, kept [{}]", answer["running"], kept.join(", ")),
    );
    Ok(answer)
}
