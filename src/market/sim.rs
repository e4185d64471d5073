//! The discrete-event loop: one simulation, one thread, a pure function of (scenario, seed).
//!
//! Everything that happens is an event in a queue ordered by (time, sequence number), so
//! simultaneous events resolve in the order they were scheduled, the same way every run.

use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use thiserror::Error;

use super::data::{DEPTH_LEVELS, InstrumentData};
use super::fundamental::Fundamentals;
use super::ledger::{Ledger, LedgerError};
use super::open_orders::OpenOrders;
use super::queue::{EventQueue, Popped};
use super::rejects::RejectCounts;
use super::time::{Calendar, MINUTE, Nanos};
use crate::agents::store::{AgentStore, AnyAgent, Slot};
use crate::agents::{Action, AgentClass, Context, DayPhase, OpenOrder};
use crate::book::{
    AgentId, AuctionKind, BookEvent, Motive, NewOrder, OrderBook, OrderKind, Phase, Price, Side,
};
use crate::record::{
    BarRow, BookObservation, EventKind, EventRow, FlowRow, ObservedKind, PositionRow, RecordSink,
    StateRow, TradeRow,
};

#[derive(Debug, Error)]
pub enum SimError {
    #[error("ledger check failed on day {day}: {source}")]
    Conservation {
        day: u32,
        #[source]
        source: LedgerError,
    },
    #[error("invariant broken at t={time_ns} ns in instrument {instrument}: {what}")]
    Invariant {
        time_ns: u64,
        instrument: usize,
        what: String,
    },
    #[error("writing records: {0}")]
    Record(#[from] std::io::Error),
    /// More events than the queue can order: a runaway rate the scenario's ranges should have
    /// refused (README.md, "Ranges").
    #[error(
        "event queue limit exceeded on day {day} ({events} events so far, {queued} waiting): \
         the scenario asks for more events than a run can hold; lower agent counts or rates"
    )]
    QueueLimit {
        day: u32,
        events: u64,
        queued: usize,
    },
}

/// One agent as the scenario builds it: the agent, its stable id, its random stream and its
/// latency. `Simulation::new` takes the population apart into the layout it runs on.
pub struct AgentSlot {
    pub agent: AnyAgent,
    pub stable_id: u64,
    pub rng: ChaCha8Rng,
    pub latency: Nanos,
}

impl AgentSlot {
    pub fn new(agent: AnyAgent, stable_id: u64, rng: ChaCha8Rng, latency: Nanos) -> Self {
        AgentSlot {
            agent,
            stable_id,
            rng,
            latency,
        }
    }
}

/// What the loop reads about an agent at almost every event, kept apart from everything else
/// and small (24 bytes), so that the whole population's stays in cache as it grows.
#[derive(Clone, Copy, Debug)]
struct Hot {
    latency: Nanos,
    /// Where the agent is in the store.
    slot: Slot,
    /// Its lane in the queue: one per distinct latency, for its orders in flight.
    lane: u16,
    class: AgentClass,
    /// `Agent::reads_depth`, asked once.
    reads_depth: bool,
}

/// Market-wide circuit breakers on one reference instrument.
#[derive(Clone, Debug)]
pub struct Breakers {
    pub enabled: bool,
    /// Declines from the prior close; the last closes the market for the day.
    pub levels: Vec<f64>,
    pub halt: Nanos,
    /// Time of day after which non-final levels no longer halt.
    pub no_halt_after: Nanos,
    pub reference: usize,
}

/// A scheduled fundamental jump.
#[derive(Clone, Copy, Debug)]
pub struct Shock {
    pub day: u32,
    pub time_of_day: Nanos,
    pub instrument: usize,
    pub log_jump: f64,
}

/// Settings of the market itself.
#[derive(Clone, Debug)]
pub struct MarketSettings {
    pub calendar: Calendar,
    pub breakers: Breakers,
    pub borrow_fee_annual: f64,
    pub fundamental_step: Nanos,
    /// Per instrument: public news moves its whole book. At each fundamental step (and
    /// scheduled shock) in continuous trading, every resting limit order is repriced by the
    /// value's move in whole ticks, the remainder carried, without trading; the price then
    /// follows value without anyone crossing to move it. Off: prices follow value only
    /// through trades.
    pub news_moves_book: Vec<bool>,
    pub shocks: Vec<Shock>,
    pub record_trades: bool,
    /// Check the book and ledger invariants after every operation (tests).
    pub check_invariants: bool,
}

/// Counts a run reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    pub events: u64,
    pub orders: u64,
    pub rejected: u64,
    /// `rejected` by reason.
    pub rejected_by: RejectCounts,
    pub cancels: u64,
    pub trades: u64,
    pub halts: u32,
    pub closed_days: u32,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    PreOpen(u32),
    Open,
    CloseAuction,
    Close(u32),
    Bar(u32, u32),
    /// The `k`-th fundamental step of the day (from 0).
    FundStep(u32),
    Shock(u32),
    ReopenAuction(u32),
    HaltEnd(u32),
    Wake {
        agent: u32,
        generation: u32,
    },
}

/// An agent's action on its way to a book (events in the queue's lanes).
#[derive(Clone, Copy, Debug)]
struct Arrival {
    action: Action,
    agent: u32,
}

const N_CLASSES: usize = AgentClass::ALL.len();
const N_MOTIVES: usize = Motive::ALL.len();

pub struct Simulation {
    settings: MarketSettings,
    books: Vec<OrderBook>,
    data: Vec<InstrumentData>,
    fundamentals: Fundamentals,
    ledger: Ledger,
    /// The agents, by class (see `agents::store`); everything else about agent `a` is at
    /// index `a` of the vectors below (`a` is its `AgentId`, its place in the population).
    store: AgentStore,
    hot: Vec<Hot>,
    /// Bumped at each pre-open: a wake-up queued under an older generation is stale.
    wake_gen: Vec<u32>,
    rngs: Vec<ChaCha8Rng>,
    stable_ids: Vec<u64>,
    open: OpenOrders,
    queue: EventQueue<Ev, Arrival>,
    seq: u64,
    /// Today's bars and fundamental steps are queued one at a time, each when the one before
    /// it happens, under the sequence numbers reserved for them at the pre-open: bar `k` has
    /// `bar_seq + k`, step `k` has `step_seq + k + 1`, so the queue pops them in the same
    /// order as if all had been queued at the pre-open, while holding only one of each.
    bar_seq: u64,
    step_seq: u64,
    now: Nanos,
    day: u32,
    phase: DayPhase,
    /// Next breaker level that can still trigger today.
    breaker_next: usize,
    /// Buy and sell units per (instrument, class, motive) in the current bar.
    flows: Vec<(u64, u64)>,
    counts: RunCounts,
    events_buf: Vec<BookEvent>,
    actions_buf: Vec<Action>,
    ids_buf: Vec<crate::book::OrderId>,
    /// Highest bar close so far, per instrument (0 before the first bar).
    peak: Vec<Price>,
    max_drawdown: Vec<f64>,
    /// The sink wants book observations (decided once per run).
    observe: bool,
    /// Books changed since their depth snapshot was taken.
    depth_stale: Vec<bool>,
    /// The options customers' agent, when they are one: deliveries go to its account.
    options_customer: Option<usize>,
    /// An event could not be queued (sequence or slot beyond the queue's keys): the run stops
    /// with `SimError::QueueLimit` after the current event.
    overflow: bool,
    /// Per instrument, for `news_moves_book`: the log value the book was last moved to, and
    /// the part of a tick moved since that the book has not followed yet.
    news_log: Vec<f64>,
    news_carry: Vec<f64>,
}

/// The outcome of a run, for the summary.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    pub counts: RunCounts,
    pub instruments: Vec<InstrumentOutcome>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InstrumentOutcome {
    pub symbol: String,
    pub initial_price: f64,
    pub final_close: f64,
    pub total_return: f64,
    pub max_drawdown: f64,
    pub min_price: f64,
    pub final_fundamental: f64,
    pub volume_units: u64,
}

impl Simulation {
    pub fn new(
        settings: MarketSettings,
        books: Vec<OrderBook>,
        data: Vec<InstrumentData>,
        fundamentals: Fundamentals,
        ledger: Ledger,
        agents: Vec<AgentSlot>,
    ) -> Self {
        let n = data.len();
        let mut latencies: Vec<Nanos> = agents.iter().map(|a| a.latency).collect();
        latencies.sort_unstable();
        latencies.dedup();
        let mut store = AgentStore::default();
        let (mut hot, mut rngs, mut stable_ids) = (Vec::new(), Vec::new(), Vec::new());
        for a in agents {
            let slot = store.push(a.agent);
            hot.push(Hot {
                latency: a.latency,
                slot,
                lane: latencies.binary_search(&a.latency).unwrap_or(0) as u16,
                class: store.class(slot),
                reads_depth: store.reads_depth(slot),
            });
            rngs.push(a.rng);
            stable_ids.push(a.stable_id);
        }
        let options_customer = hot
            .iter()
            .position(|h| h.class == AgentClass::OptionsCustomer);
        Simulation {
            options_customer,
            overflow: false,
            // Unset until the first bar closes: drawdowns are measured from the first bar's close
            // (docs/outputs.md, Drawdown), as the report and the ablation measure them.
            peak: vec![0; n],
            max_drawdown: vec![0.0; n],
            settings,
            books,
            data,
            fundamentals,
            ledger,
            store,
            wake_gen: vec![0; hot.len()],
            open: OpenOrders::new(hot.len()),
            hot,
            rngs,
            stable_ids,
            queue: EventQueue::new(latencies.len()),
            bar_seq: 0,
            step_seq: 0,
            seq: 0,
            now: 0,
            day: 0,
            phase: DayPhase::Closed,
            breaker_next: 0,
            flows: vec![(0, 0); n * N_CLASSES * N_MOTIVES],
            counts: RunCounts::default(),
            events_buf: Vec::with_capacity(256),
            actions_buf: Vec::with_capacity(64),
            ids_buf: Vec::with_capacity(64),
            observe: false,
            depth_stale: vec![true; n],
            news_log: vec![0.0; n],
            news_carry: vec![0.0; n],
        }
    }

    pub fn data(&self) -> &[InstrumentData] {
        &self.data
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The number of agents.
    pub fn agent_count(&self) -> usize {
        self.hot.len()
    }

    /// The class of agent `a` (its place in the population, its `AgentId`).
    pub fn agent_class(&self, a: usize) -> AgentClass {
        self.hot[a].class
    }

    pub fn counts(&self) -> RunCounts {
        self.counts
    }

    fn push(&mut self, t: Nanos, ev: Ev) {
        self.seq += 1;
        self.push_at(t, self.seq, ev);
    }

    /// Queues `ev` under a sequence number taken (or reserved) earlier.
    #[inline]
    fn push_at(&mut self, t: Nanos, seq: u64, ev: Ev) {
        if self.queue.push(t, seq, ev).is_err() {
            self.overflow = true;
        }
    }

    /// Queues agent `a`'s action to reach its book after the agent's latency, in the agent's
    /// lane (see `queue`).
    #[inline]
    fn push_arrival(&mut self, a: usize, action: &Action) {
        self.seq += 1;
        let h = &self.hot[a];
        let (t, lane) = (self.now + h.latency, h.lane as usize);
        let ev = Arrival {
            action: *action,
            agent: a as u32,
        };
        if self.queue.push_lane(lane, t, self.seq, ev).is_err() {
            self.overflow = true;
        }
    }

    /// Runs every day, calling `on_day` after each close with the number of days done.
    pub fn run(
        &mut self,
        sink: &mut dyn RecordSink,
        on_day: &mut dyn FnMut(u32, &RunCounts),
    ) -> Result<RunOutcome, SimError> {
        self.observe = sink.wants_book();
        let cal = self.settings.calendar;
        let initial: Vec<f64> = self
            .data
            .iter()
            .map(|d| d.price_usd(d.last_price))
            .collect();
        self.push(cal.day_start(0) + cal.preopen, Ev::PreOpen(0));
        while let Some((t, popped)) = self.queue.pop() {
            self.now = t;
            self.counts.events += 1;
            match popped {
                Popped::Lane(Arrival { agent, action }) => {
                    self.arrive(agent as usize, action, sink)?
                }
                Popped::Heap(ev) => self.handle(ev, sink, on_day)?,
            }
            if self.overflow {
                return Err(SimError::QueueLimit {
                    day: self.day + 1,
                    events: self.counts.events,
                    queued: self.queue.len(),
                });
            }
        }
        Ok(RunOutcome {
            counts: self.counts,
            instruments: self
                .data
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    // The simulated days are the last ones of the history.
                    let simulated = &d.daily[d.daily.len() - (self.day as usize + 1)..];
                    let last = d.price_usd(d.daily.last().map_or(d.last_price, |b| b.close));
                    InstrumentOutcome {
                        symbol: d.symbol.clone(),
                        initial_price: initial[i],
                        final_close: last,
                        total_return: last / initial[i] - 1.0,
                        max_drawdown: self.max_drawdown[i],
                        min_price: d.price_usd(
                            simulated
                                .iter()
                                .map(|b| b.low)
                                .min()
                                .unwrap_or(d.last_price),
                        ),
                        final_fundamental: d.fundamental,
                        volume_units: simulated.iter().map(|b| b.volume).sum(),
                    }
                })
                .collect(),
        })
    }

    /// Handles an event from the heap (everything but orders in flight).
    fn handle(
        &mut self,
        ev: Ev,
        sink: &mut dyn RecordSink,
        on_day: &mut dyn FnMut(u32, &RunCounts),
    ) -> Result<(), SimError> {
        let cal = self.settings.calendar;
        match ev {
            Ev::PreOpen(d) => self.pre_open(d),
            Ev::Open => self.uncross_all(DayPhase::Continuous, sink)?,
            Ev::CloseAuction => self.close_auction(),
            Ev::Close(d) => {
                self.close(d, sink)?;
                on_day(d + 1, &self.counts);
            }
            Ev::Bar(d, k) => {
                self.queue_bar(d, k + 1);
                self.bar(d, k, sink)?;
            }
            Ev::FundStep(k) => {
                self.queue_step(self.day, k + 1);
                // Each of the day's steps carries an equal share of the session, so the
                // steps strictly before the close add up to the whole intraday variance.
                let steps =
                    (cal.session().saturating_sub(1) / self.settings.fundamental_step).max(1);
                self.fundamentals.step(1.0 / steps as f64);
                self.publish_fundamentals();
                self.apply_news()?;
            }
            Ev::Shock(k) => self.shock(k as usize, sink)?,
            Ev::ReopenAuction(h) => {
                if self.phase == DayPhase::Halted && h == self.counts.halts {
                    for i in 0..self.books.len() {
                        self.books[i].open_auction(AuctionKind::Reopen);
                        self.refresh_quotes(i);
                    }
                }
            }
            Ev::HaltEnd(h) => {
                if self.phase == DayPhase::Halted && h == self.counts.halts {
                    self.uncross_all(DayPhase::Continuous, sink)?;
                    self.event(sink, EventKind::Reopen, None, 0.0, String::new())?;
                }
            }
            Ev::Wake { agent, generation } => self.wake(agent as usize, generation, sink)?,
        }
        Ok(())
    }

    fn publish_fundamentals(&mut self) {
        for (i, d) in self.data.iter_mut().enumerate() {
            d.fundamental = self.fundamentals.value(i);
        }
    }

    /// Takes the values now as the ones the books stand at (at the start of continuous
    /// trading: what moved since the last session was for the auction to find).
    fn news_reference(&mut self) {
        for i in 0..self.data.len() {
            self.news_log[i] = self.data[i].fundamental.ln();
            self.news_carry[i] = 0.0;
        }
    }

    /// Moves each `news_moves_book` instrument's book with its value's move since the last
    /// call, in whole ticks of the current mid. Outside continuous trading nothing moves; the
    /// reference is taken again when it resumes (`news_reference`).
    fn apply_news(&mut self) -> Result<(), SimError> {
        if self.phase != DayPhase::Continuous {
            return Ok(());
        }
        for i in 0..self.data.len() {
            if !self.settings.news_moves_book[i] {
                continue;
            }
            let v = self.data[i].fundamental.ln();
            let moved = v - self.news_log[i];
            self.news_log[i] = v;
            let carry = self.news_carry[i] + moved * self.data[i].mid();
            let by = carry.trunc();
            self.news_carry[i] = carry - by;
            if by != 0.0 && self.books[i].shift(by as Price).is_ok() {
                self.open.shift(i, by as Price);
                self.data[i].news_ticks += by as Price;
                self.refresh_quotes(i);
                if self.settings.check_invariants {
                    self.check_invariants(i)?;
                }
            } else if by != 0.0 {
                // Refused (an order would fall below a price of 1): the book stays and the
                // move waits in the carry.
                self.news_carry[i] += by;
            }
        }
        Ok(())
    }

    fn pre_open(&mut self, d: u32) {
        let cal = self.settings.calendar;
        self.day = d;
        if d > 0 {
            self.fundamentals.overnight();
        }
        self.publish_fundamentals();
        self.phase = DayPhase::PreOpen;
        self.breaker_next = 0;
        for b in &mut self.books {
            b.open_auction(AuctionKind::Open);
        }
        let start = cal.day_start(d);
        self.push(start + cal.open, Ev::Open);
        self.push(start + cal.close_auction, Ev::CloseAuction);
        self.push(start + cal.close, Ev::Close(d));
        // The last bar is rolled by the close itself, after the closing auction's fills.
        // Bars 1.. and the fundamental steps take their sequence numbers now, in this order,
        // but enter the queue one at a time (see `bar_seq`).
        self.bar_seq = self.seq;
        self.seq += u64::from(cal.bars_per_day().saturating_sub(1));
        self.queue_bar(d, 1);
        self.step_seq = self.seq;
        // Steps fall at open + (k+1)·step strictly before the close.
        let session = cal.close - cal.open;
        self.seq += session.saturating_sub(1) / self.settings.fundamental_step;
        self.queue_step(d, 0);
        for k in 0..self.settings.shocks.len() {
            let s = self.settings.shocks[k];
            if s.day == d {
                self.push(start + s.time_of_day, Ev::Shock(k as u32));
            }
        }
        for i in 0..self.books.len() {
            self.refresh_depth(i);
        }
        for a in 0..self.hot.len() {
            self.wake_gen[a] = self.wake_gen[a].wrapping_add(1);
            let generation = self.wake_gen[a];
            if let Some(t) = self.with_agent(a, d, |store, slot, ctx, rng| {
                store.start_day(slot, ctx, rng)
            }) {
                self.push(
                    t.max(self.now),
                    Ev::Wake {
                        agent: a as u32,
                        generation,
                    },
                );
            }
        }
    }

    /// Lets agent `a` act on the market as it is now, on day `d`: builds the agent's `Context`
    /// (the one place one is built) and hands it to `f` with the store, the agent's place in
    /// it and its random stream.
    #[inline]
    fn with_agent<R>(
        &mut self,
        a: usize,
        d: u32,
        f: impl FnOnce(&mut AgentStore, Slot, &Context, &mut ChaCha8Rng) -> R,
    ) -> R {
        let ctx = Context {
            now: self.now,
            day: d,
            phase: self.phase,
            calendar: &self.settings.calendar,
            instruments: &self.data,
            account: self.ledger.account(a),
            open_orders: self.open.of(a),
        };
        f(&mut self.store, self.hot[a].slot, &ctx, &mut self.rngs[a])
    }

    /// Queues bar `k` of day `d`, if the day has one, under its reserved sequence number.
    fn queue_bar(&mut self, d: u32, k: u32) {
        let cal = self.settings.calendar;
        if k < cal.bars_per_day() {
            let start = cal.day_start(d);
            let t = (start + cal.open + k as Nanos * cal.bar).min(start + cal.close);
            self.push_at(t, self.bar_seq + u64::from(k), Ev::Bar(d, k));
        }
    }

    /// Queues fundamental step `k` of day `d`, if the session has one, under its reserved
    /// sequence number.
    fn queue_step(&mut self, d: u32, k: u32) {
        let cal = self.settings.calendar;
        let start = cal.day_start(d);
        let t = start + cal.open + (k as Nanos + 1) * self.settings.fundamental_step;
        if t < start + cal.close {
            self.push_at(t, self.step_seq + u64::from(k) + 1, Ev::FundStep(k));
        }
    }

    fn close_auction(&mut self) {
        if matches!(self.phase, DayPhase::Continuous | DayPhase::Halted) {
            for i in 0..self.books.len() {
                self.books[i].open_auction(AuctionKind::Close);
                self.refresh_quotes(i);
            }
            self.phase = DayPhase::ClosingAuction;
        }
    }

    /// Uncrosses every book (ending an auction) and moves to `next`.
    fn uncross_all(&mut self, next: DayPhase, sink: &mut dyn RecordSink) -> Result<(), SimError> {
        let opening = self.phase == DayPhase::PreOpen;
        for i in 0..self.books.len() {
            let reference = if opening {
                self.data[i].prev_close
            } else {
                self.data[i].last_price
            };
            let mut events = std::mem::take(&mut self.events_buf);
            events.clear();
            let outcome = self.books[i].uncross(Some(reference), &mut events);
            self.apply_events(i, &events, sink)?;
            self.refresh_quotes(i);
            if self.observe {
                self.observe_book(i, &events, None, sink)?;
            }
            self.events_buf = events;
            if let Some(o) = outcome {
                let kind = match self.phase {
                    DayPhase::ClosingAuction => EventKind::ClosingAuction,
                    DayPhase::Halted => EventKind::ReopeningAuction,
                    _ => EventKind::OpeningAuction,
                };
                let price = self.data[i].price_usd(o.price);
                self.event(
                    sink,
                    kind,
                    Some(i),
                    price,
                    format!("volume {} imbalance {}", o.qty, o.imbalance),
                )?;
            }
            self.refresh_quotes(i);
        }
        self.phase = next;
        if next == DayPhase::Continuous {
            self.news_reference();
        }
        if next == DayPhase::Closed {
            for b in &mut self.books {
                b.set_phase(Phase::Closed);
            }
        }
        Ok(())
    }

    fn close(&mut self, d: u32, sink: &mut dyn RecordSink) -> Result<(), SimError> {
        if self.phase == DayPhase::ClosingAuction {
            self.uncross_all(DayPhase::Closed, sink)?;
        } else {
            // Halted or closed by the last breaker level: no closing auction.
            for b in &mut self.books {
                b.set_phase(Phase::Closed);
            }
            self.phase = DayPhase::Closed;
        }
        self.bar(d, self.settings.calendar.bars_per_day(), sink)?;
        for i in 0..self.books.len() {
            let mut events = std::mem::take(&mut self.events_buf);
            events.clear();
            self.books[i].expire_day_orders(&mut events);
            // At-close orders that never met a closing auction (a day closed early) lapse too.
            let lapsed: Vec<_> = self.books[i].pending_close_orders().map(|o| o.id).collect();
            for id in lapsed {
                let _ = self.books[i].cancel(id, &mut events);
            }
            self.apply_events(i, &events, sink)?;
            self.events_buf = events;
            self.refresh_quotes(i);
        }
        for data in &mut self.data {
            data.close_day();
        }
        // Exercise before the borrow fee: what a delivery leaves is what is held overnight.
        self.settle_options(d, sink)?;
        for (i, data) in self.data.iter().enumerate() {
            // `prev_close` is today's close once the day has closed.
            self.ledger.charge_borrow(
                i,
                data.prev_close,
                data.cents_per_tick_unit,
                self.settings.borrow_fee_annual,
            );
        }
        self.ledger
            .check_conservation()
            .map_err(|source| SimError::Conservation { day: d, source })?;
        self.write_positions(d, sink)?;
        self.end_day(d, sink)?;
        if d + 1 < self.settings.calendar.days {
            let cal = self.settings.calendar;
            self.push(cal.day_start(d + 1) + cal.preopen, Ev::PreOpen(d + 1));
        }
        Ok(())
    }

    /// Books the deliveries of options that settle physically at today's close, against the
    /// options customers (their agent's account, or the ledger's when they are not an agent),
    /// and records each as an event.
    fn settle_options(&mut self, d: u32, sink: &mut dyn RecordSink) -> std::io::Result<()> {
        let mut deliveries = Vec::new();
        for a in 0..self.hot.len() {
            deliveries.clear();
            self.with_agent(a, d, |store, slot, ctx, _| {
                store.settle(slot, ctx, &mut deliveries)
            });
            let (stable_id, class) = (self.stable_ids[a], self.hot[a].class);
            for x in &deliveries {
                let data = &self.data[x.instrument];
                let cash = self.ledger.deliver(
                    x.instrument,
                    a,
                    self.options_customer,
                    x.units,
                    x.price,
                    data.cents_per_tick_unit,
                );
                let detail = format!(
                    "agent {stable_id} ({}): {} {} contracts, strike {}, units {:+}, cash_cents {:+}",
                    class.as_str(),
                    x.kind.as_str(),
                    x.contracts,
                    data.price_usd(x.price),
                    x.units,
                    cash
                );
                self.event(
                    sink,
                    EventKind::OptionExercise,
                    Some(x.instrument),
                    x.units as f64,
                    detail,
                )?;
            }
        }
        Ok(())
    }

    /// Lets every agent roll its daily state and records what it reports.
    fn end_day(&mut self, d: u32, sink: &mut dyn RecordSink) -> std::io::Result<()> {
        let mut samples = Vec::new();
        for a in 0..self.hot.len() {
            samples.clear();
            self.with_agent(a, d, |store, slot, ctx, _| {
                store.end_day(slot, ctx, &mut samples)
            });
            for s in &samples {
                sink.state(&StateRow {
                    day: d + 1,
                    time_ns: self.now,
                    agent: self.stable_ids[a],
                    class: self.hot[a].class,
                    instrument: s.instrument as u16,
                    metric: s.metric,
                    at: s.at,
                    value: s.value,
                })?;
            }
        }
        Ok(())
    }

    fn write_positions(&mut self, d: u32, sink: &mut dyn RecordSink) -> std::io::Result<()> {
        let n = self.data.len();
        let mut pos = vec![0i64; n * N_CLASSES];
        let mut cash = [0i128; N_CLASSES];
        let mut count = [0u32; N_CLASSES];
        for (a, h) in self.hot.iter().enumerate() {
            let c = h.class.index();
            let acc = self.ledger.account(a);
            count[c] += 1;
            cash[c] += acc.cash_cents;
            for i in 0..n {
                pos[i * N_CLASSES + c] += acc.positions[i];
            }
        }
        for i in 0..n {
            for class in AgentClass::ALL {
                let c = class.index();
                if count[c] == 0 {
                    continue;
                }
                let p = pos[i * N_CLASSES + c];
                sink.position(&PositionRow {
                    day: d + 1,
                    instrument: i as u16,
                    class,
                    agents: count[c],
                    position_units: p,
                    exposure_usd: self.data[i].units_usd(p),
                    cash_usd: cash[c] as f64 / 100.0,
                })?;
            }
        }
        Ok(())
    }

    fn bar(&mut self, d: u32, k: u32, sink: &mut dyn RecordSink) -> Result<(), SimError> {
        for i in 0..self.data.len() {
            let bar = self.data[i].roll_bar();
            self.refresh_depth(i);
            let data = &self.data[i];
            let depth = |levels: &[crate::book::LevelView]| levels.iter().map(|l| l.qty).sum();
            // Within 1% of the mid: the displayed book a large order would walk.
            let (bid_1pct, ask_1pct) = match (data.best_bid, data.best_ask) {
                (Some(_), Some(_)) => {
                    let mid = data.mid();
                    let book = &self.books[i];
                    (
                        book.depth_to(Side::Buy, (mid * 0.99).ceil() as Price),
                        book.depth_to(Side::Sell, (mid * 1.01).floor() as Price),
                    )
                }
                _ => (0, 0),
            };
            let row = BarRow {
                day: d + 1,
                bar: k,
                time_ns: self.now,
                instrument: i as u16,
                open: data.price_usd(bar.open),
                high: data.price_usd(bar.high),
                low: data.price_usd(bar.low),
                close: data.price_usd(bar.close),
                volume: bar.volume,
                trades: bar.trades,
                vwap: bar.vwap().map(|v| v * data.tick_size),
                fundamental: data.fundamental,
                best_bid: data.best_bid.map(|b| data.price_usd(b.0)),
                best_ask: data.best_ask.map(|a| data.price_usd(a.0)),
                bid_depth: depth(&data.bid_depth),
                ask_depth: depth(&data.ask_depth),
                bid_depth_1pct: bid_1pct,
                ask_depth_1pct: ask_1pct,
            };
            sink.bar(&row)?;
            if self.peak[i] == 0 || bar.close > self.peak[i] {
                self.peak[i] = bar.close;
            }
            let dd = 1.0 - bar.close as f64 / self.peak[i] as f64;
            if dd > self.max_drawdown[i] {
                self.max_drawdown[i] = dd;
            }
            let value_per_unit = row.vwap.unwrap_or(row.close) * data.notional_per_unit;
            for c in 0..N_CLASSES {
                for m in 0..N_MOTIVES {
                    let idx = (i * N_CLASSES + c) * N_MOTIVES + m;
                    let (b, s) = std::mem::take(&mut self.flows[idx]);
                    if b == 0 && s == 0 {
                        continue;
                    }
                    let net = b as i64 - s as i64;
                    sink.flow(&FlowRow {
                        day: d + 1,
                        bar: k,
                        time_ns: self.now,
                        instrument: i as u16,
                        class: AgentClass::ALL[c],
                        motive: Motive::ALL[m],
                        buy_units: b,
                        sell_units: s,
                        net_units: net,
                        buy_usd: b as f64 * value_per_unit,
                        sell_usd: s as f64 * value_per_unit,
                        net_usd: net as f64 * value_per_unit,
                    })?;
                }
            }
        }
        Ok(())
    }

    fn shock(&mut self, k: usize, sink: &mut dyn RecordSink) -> Result<(), SimError> {
        let s = self.settings.shocks[k];
        self.fundamentals.jump(s.instrument, s.log_jump);
        self.publish_fundamentals();
        self.apply_news()?;
        self.event(
            sink,
            EventKind::Shock,
            Some(s.instrument),
            s.log_jump,
            format!("fundamental now {:.4}", self.data[s.instrument].fundamental),
        )?;
        Ok(())
    }

    fn event(
        &mut self,
        sink: &mut dyn RecordSink,
        kind: EventKind,
        instrument: Option<usize>,
        value: f64,
        detail: String,
    ) -> std::io::Result<()> {
        sink.event(&EventRow {
            time_ns: self.now,
            day: self.day + 1,
            kind,
            instrument: instrument.map(|i| i as u16),
            value,
            detail,
        })
    }

    fn wake(
        &mut self,
        a: usize,
        generation: u32,
        sink: &mut dyn RecordSink,
    ) -> Result<(), SimError> {
        if self.wake_gen[a] != generation {
            return Ok(());
        }
        if self.hot[a].reads_depth {
            for i in 0..self.books.len() {
                self.refresh_depth(i);
            }
        }
        let mut actions = std::mem::take(&mut self.actions_buf);
        actions.clear();
        let next = self.with_agent(a, self.day, |store, slot, ctx, rng| {
            store.wake(slot, ctx, rng, &mut actions)
        });
        for action in &actions {
            if let Action::Note(note) = *action {
                self.event(
                    sink,
                    note.kind.into(),
                    Some(note.instrument),
                    note.value,
                    format!(
                        "agent {} ({})",
                        self.stable_ids[a],
                        self.hot[a].class.as_str()
                    ),
                )?;
                continue;
            }
            self.push_arrival(a, action);
        }
        self.actions_buf = actions;
        if let Some(t) = next {
            self.push(
                t.max(self.now + 1),
                Ev::Wake {
                    agent: a as u32,
                    generation,
                },
            );
        }
        Ok(())
    }

    fn arrive(
        &mut self,
        a: usize,
        action: Action,
        sink: &mut dyn RecordSink,
    ) -> Result<(), SimError> {
        let mut events = std::mem::take(&mut self.events_buf);
        events.clear();
        let mut added = None;
        let was_continuous = self.phase == DayPhase::Continuous;
        let instrument = match action {
            Action::Submit {
                instrument,
                side,
                kind,
                qty,
                tif,
                post_only,
                motive,
            } => {
                self.counts.orders += 1;
                let order = NewOrder {
                    side,
                    kind,
                    qty,
                    tif,
                    post_only,
                    agent: AgentId(a as u32),
                    motive,
                };
                match self.books[instrument].submit(order, &mut events) {
                    Ok(sub) => {
                        self.apply_events(instrument, &events, sink)?;
                        if sub.resting > 0 {
                            added = Some((side, kind, sub.resting));
                            self.open.push(
                                a,
                                OpenOrder {
                                    id: sub.id,
                                    instrument,
                                    side,
                                    price: match kind {
                                        OrderKind::Limit(p) => Some(p),
                                        OrderKind::Market => None,
                                    },
                                    qty: sub.resting,
                                    tif,
                                    motive,
                                    placed_at: self.now,
                                },
                            );
                        }
                    }
                    Err(r) => {
                        self.counts.rejected += 1;
                        self.counts.rejected_by.add(&r);
                    }
                }
                instrument
            }
            Action::Cancel { instrument, id } => {
                if self.books[instrument].cancel(id, &mut events).is_ok() {
                    self.counts.cancels += 1;
                    self.apply_events(instrument, &events, sink)?;
                }
                instrument
            }
            Action::CancelAll { instrument } => {
                let mut ids = std::mem::take(&mut self.ids_buf);
                ids.clear();
                ids.extend(
                    self.open
                        .of(a)
                        .iter()
                        .filter(|o| o.instrument == instrument)
                        .map(|o| o.id),
                );
                for &id in &ids {
                    if self.books[instrument].cancel(id, &mut events).is_ok() {
                        self.counts.cancels += 1;
                    }
                }
                self.apply_events(instrument, &events, sink)?;
                self.ids_buf = ids;
                instrument
            }
            // Notes are recorded when the agent decides and never travel to a book.
            Action::Note(_) => {
                self.events_buf = events;
                return Ok(());
            }
        };
        self.refresh_quotes(instrument);
        // Books collecting for an auction may be crossed: only continuous trading is observed
        // (and the auction's own trades, at the uncross).
        if self.observe && was_continuous {
            self.observe_book(instrument, &events, added, sink)?;
        }
        self.events_buf = events;
        if self.settings.check_invariants {
            self.check_invariants(instrument)?;
        }
        Ok(())
    }

    /// Reports one operation's book changes, with the book after it, to the sink.
    fn observe_book(
        &mut self,
        i: usize,
        events: &[BookEvent],
        added: Option<(Side, OrderKind, u64)>,
        sink: &mut dyn RecordSink,
    ) -> std::io::Result<()> {
        self.refresh_depth(i);
        let d = &self.data[i];
        let obs = |kind, side, price, size| BookObservation {
            time_ns: self.now,
            instrument: i as u16,
            kind,
            side,
            price,
            size,
            bids: &d.bid_depth,
            asks: &d.ask_depth,
        };
        for ev in events {
            let o = match *ev {
                BookEvent::Fill(f) => match f.aggressor {
                    Some(side) => obs(ObservedKind::Trade, Some(side), Some(f.price), f.qty),
                    None => obs(ObservedKind::AuctionTrade, None, Some(f.price), f.qty),
                },
                BookEvent::Cancelled { side, qty, .. } => {
                    obs(ObservedKind::Cancel, Some(side), None, qty)
                }
            };
            sink.book(&o)?;
        }
        if let Some((side, kind, qty)) = added {
            let price = match kind {
                OrderKind::Limit(p) => Some(p),
                OrderKind::Market => None,
            };
            sink.book(&obs(ObservedKind::Add, Some(side), price, qty))?;
        }
        Ok(())
    }

    fn check_invariants(&self, i: usize) -> Result<(), SimError> {
        let b = &self.books[i];
        let fail = |what: String| SimError::Invariant {
            time_ns: self.now,
            instrument: i,
            what,
        };
        if matches!(b.phase(), Phase::Continuous | Phase::Halted | Phase::Closed) && b.is_crossed()
        {
            return Err(fail("book crossed outside an auction".into()));
        }
        let c = b.counters();
        if c.submitted != b.resting_qty() + 2 * c.traded + c.cancelled {
            return Err(fail(format!("book quantity not conserved: {c:?}")));
        }
        let open: u128 = self
            .open
            .all()
            .filter(|o| o.instrument == i)
            .map(|o| o.qty as u128)
            .sum();
        if open != b.resting_qty() {
            return Err(fail(format!(
                "agents' open orders ({open}) differ from the book's resting quantity ({})",
                b.resting_qty()
            )));
        }
        // Each order stands where its owner thinks it does (news moves both together).
        for o in self.open.all().filter(|o| o.instrument == i) {
            let in_book = b.order(o.id).map(|v| v.price);
            if in_book != Some(o.price) {
                return Err(fail(format!(
                    "an agent's order {:?} is at {:?} for its owner, {in_book:?} in the book",
                    o.id, o.price
                )));
            }
        }
        self.ledger
            .check_conservation()
            .map_err(|e| fail(e.to_string()))
    }

    fn refresh_quotes(&mut self, i: usize) {
        let b = &self.books[i];
        let d = &mut self.data[i];
        d.best_bid = b.best_bid().map(|l| (l.price, l.qty));
        d.best_ask = b.best_ask().map(|l| (l.price, l.qty));
        self.depth_stale[i] = true;
    }

    /// Recomputes the depth snapshot of instrument `i` if the book changed since the last one:
    /// done when someone is about to read it, not after every order.
    fn refresh_depth(&mut self, i: usize) {
        if !self.depth_stale[i] {
            return;
        }
        self.depth_stale[i] = false;
        let b = &self.books[i];
        let d = &mut self.data[i];
        b.depth_into(Side::Buy, DEPTH_LEVELS, &mut d.bid_depth);
        b.depth_into(Side::Sell, DEPTH_LEVELS, &mut d.ask_depth);
    }

    /// Books fills and cancellations into the ledger, the agents' open orders, market data,
    /// flows and records.
    fn apply_events(
        &mut self,
        i: usize,
        events: &[BookEvent],
        sink: &mut dyn RecordSink,
    ) -> Result<(), SimError> {
        for ev in events {
            match *ev {
                BookEvent::Fill(f) => {
                    let (b, s) = (f.buyer.0 as usize, f.seller.0 as usize);
                    let cpt = self.data[i].cents_per_tick_unit;
                    self.ledger.settle(i, &f, b, s, cpt);
                    self.open.reduce(b, i, f.buy_order, f.qty);
                    self.open.reduce(s, i, f.sell_order, f.qty);
                    if b == s {
                        // An auction uncross can pair an agent's buy with its own sell (the
                        // continuous book prevents it). Nothing changes hands: the ledger nets
                        // to zero, and the pairing is left out of trades, volume, prices and
                        // flows (docs/model.md §7.6).
                        continue;
                    }
                    self.data[i].on_trade(f.price, f.qty);
                    self.counts.trades += 1;
                    let (bc, sc) = (self.hot[b].class, self.hot[s].class);
                    let base = i * N_CLASSES;
                    self.flows[(base + bc.index()) * N_MOTIVES + f.buy_motive as usize].0 += f.qty;
                    self.flows[(base + sc.index()) * N_MOTIVES + f.sell_motive as usize].1 += f.qty;
                    if self.settings.record_trades {
                        sink.trade(&TradeRow {
                            time_ns: self.now,
                            day: self.day + 1,
                            instrument: i as u16,
                            price_ticks: f.price,
                            price: self.data[i].price_usd(f.price),
                            qty: f.qty,
                            aggressor: f.aggressor,
                            buyer: self.stable_ids[b],
                            seller: self.stable_ids[s],
                            buyer_class: bc,
                            seller_class: sc,
                            buy_motive: f.buy_motive,
                            sell_motive: f.sell_motive,
                        })?;
                    }
                    if f.aggressor.is_some() {
                        self.check_breakers(i, f.price, sink)?;
                    }
                }
                BookEvent::Cancelled { id, agent, .. } => {
                    self.open.remove(agent.0 as usize, i, id);
                }
            }
        }
        Ok(())
    }

    fn check_breakers(
        &mut self,
        i: usize,
        price: Price,
        sink: &mut dyn RecordSink,
    ) -> Result<(), SimError> {
        let br = &self.settings.breakers;
        if !br.enabled || i != br.reference || self.phase != DayPhase::Continuous {
            return Ok(());
        }
        let decline = 1.0 - price as f64 / self.data[i].prev_close as f64;
        let mut hit = None;
        for k in self.breaker_next..br.levels.len() {
            if decline >= br.levels[k] {
                hit = Some(k);
            }
        }
        let Some(k) = hit else { return Ok(()) };
        self.breaker_next = k + 1;
        let last = k + 1 == br.levels.len();
        let tod = self.settings.calendar.time_of_day(self.now);
        let level = br.levels[k];
        if last {
            for b in &mut self.books {
                b.set_phase(Phase::Closed);
            }
            self.phase = DayPhase::Closed;
            self.counts.closed_days += 1;
            self.event(
                sink,
                EventKind::ClosedForDay,
                Some(i),
                level,
                format!("decline {decline:.4}"),
            )?;
        } else if tod < br.no_halt_after {
            let halt = br.halt;
            for b in &mut self.books {
                b.set_phase(Phase::Halted);
            }
            self.phase = DayPhase::Halted;
            self.counts.halts += 1;
            self.event(
                sink,
                EventKind::Halt,
                Some(i),
                level,
                format!("decline {decline:.4}"),
            )?;
            // The last part of the halt collects orders for the reopening auction.
            let collect = (halt / 3).min(5 * MINUTE);
            let h = self.counts.halts;
            self.push(self.now + halt - collect, Ev::ReopenAuction(h));
            self.push(self.now + halt, Ev::HaltEnd(h));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running out of sequence numbers ends the run with a typed error, not a panic.
    #[test]
    fn the_queue_limit_is_an_error() {
        let text = r#"
name = "limit"
days = 2
[prehistory]
kind = "synthetic"
days = 5
[[instruments]]
symbol = "X"
initial_price = 100.0
notional_per_unit = 1.0
[agents.noise]
count = 5
"#;
        let s = crate::scenario::parse(std::path::Path::new("limit.toml"), text).unwrap();
        let mut sim =
            crate::scenario::build::build_with(&s, std::path::Path::new("."), 1, false).unwrap();
        sim.seq = (1 << crate::market::queue::SEQ_BITS) - 100;
        let mut sink = crate::record::MemorySink::default();
        let err = sim.run(&mut sink, &mut |_, _| {}).unwrap_err();
        assert!(matches!(err, SimError::QueueLimit { day: 1, .. }), "{err}");
        assert!(err.to_string().contains("event queue limit"), "{err}");
    }
}
