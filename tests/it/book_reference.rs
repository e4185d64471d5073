//! Differential property tests: long random operation streams go through the fast
//! [`OrderBook`] and the naive [`ReferenceBook`], and after every operation the two must agree
//! on the answer, the events, the whole book and the book's invariants. The streams include
//! news shifts of the whole book, so a shifted book must go on matching exactly as one whose
//! orders had been entered at the shifted prices.
//!
//! Volume: four tests (one per self-trade-prevention mode) × 256 cases × 1,000–1,500
//! operations = at least 1,024,000 (about 1.28 million on average) random operations per
//! `cargo test` run.
//!
//! The two books hand out different `OrderId`s, so everything is compared through the number
//! of the submission that created each id (`OrderId(n)` in the normalised values below).

use std::collections::HashMap;

use flowsim::book::flat::FlatBook;
use flowsim::book::reference::ReferenceBook;
use flowsim::book::stream;
use flowsim::book::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// How many random cases each STP mode runs, and how long each case's stream is.
const CASES: u32 = 256;
const MIN_OPS: usize = 1_000;
const MAX_OPS: usize = 1_500;

/// Stands for an id neither book ever issued.
const UNKNOWN: OrderId = OrderId(u64::MAX);

// ----- operations ----------------------------------------------------------------------------

/// Which earlier order a cancel or modify names.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// One of the orders live in the book right now.
    Live(Index),
    /// One of the live post-only orders (rare otherwise, and they have a rule of their own).
    LivePostOnly(Index),
    /// The k-th most recent accepted submission (often still live).
    Recent(usize),
    /// Any accepted submission so far (often filled or cancelled: a stale id).
    Any(Index),
    /// An id that was never issued.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Submit(NewOrder),
    Cancel(Target),
    Modify(Target, Option<Price>, Qty),
    OpenAuction(AuctionKind),
    Uncross(Option<Price>),
    SetPhase(Phase),
    ExpireDay,
    /// Public news: every resting limit order moves this many ticks.
    Shift(Price),
}

/// Prices clustered around 100 so that most orders meet, with some far away (far enough, now
/// and then, that the fast book's ladder grows and its bitset spans several summary words) and
/// a few invalid.
fn price() -> impl Strategy<Value = Price> {
    prop_oneof![
        40 => 97..=103i64,
        12 => 90..=110i64,
        2 => 1..=400i64,
        1 => 1..=30_000i64,
        2 => -1..=0i64,
    ]
}

fn qty() -> impl Strategy<Value = Qty> {
    prop_oneof![12 => 1..=10u64, 3 => 11..=60u64, 1 => Just(0u64)]
}

fn new_order() -> impl Strategy<Value = NewOrder> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let kind = prop_oneof![5 => price().prop_map(OrderKind::Limit), 1 => Just(OrderKind::Market)];
    let tif = prop_oneof![
        4 => Just(TimeInForce::Gtc),
        3 => Just(TimeInForce::Day),
        2 => Just(TimeInForce::Ioc),
        2 => Just(TimeInForce::Fok),
        2 => Just(TimeInForce::AtClose),
    ];
    let post_only = prop::bool::weighted(0.15);
    let agent = (0..4u32).prop_map(AgentId);
    let motive = prop::sample::select(Motive::ALL.to_vec());
    (side, kind, qty(), tif, post_only, agent, motive).prop_map(
        |(side, kind, qty, tif, post_only, agent, motive)| NewOrder {
            side,
            kind,
            qty,
            tif,
            post_only,
            agent,
            motive,
        },
    )
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        10 => any::<Index>().prop_map(Target::Live),
        2 => any::<Index>().prop_map(Target::LivePostOnly),
        3 => (0..40usize).prop_map(Target::Recent),
        2 => any::<Index>().prop_map(Target::Any),
        1 => Just(Target::Unknown),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        Just(AuctionKind::Open),
        Just(AuctionKind::Close),
        Just(AuctionKind::Reopen)
    ];
    let phase = prop_oneof![
        3 => Just(Phase::Continuous),
        1 => Just(Phase::Halted),
        1 => Just(Phase::Closed)
    ];
    prop_oneof![
        60 => new_order().prop_map(Op::Submit),
        12 => target().prop_map(Op::Cancel),
        12 => (target(), prop::option::of(price()), qty())
            .prop_map(|(t, p, q)| Op::Modify(t, p, q)),
        3 => kind.prop_map(Op::OpenAuction),
        4 => prop::option::of(95..=105i64).prop_map(Op::Uncross),
        3 => phase.prop_map(Op::SetPhase),
        1 => Just(Op::ExpireDay),
        // Mostly small moves both ways; now and then one far enough down to be refused.
        2 => prop_oneof![8 => -3..=3i64, 2 => -60..=60i64, 1 => -400..=-100i64]
            .prop_map(Op::Shift),
    ]
}

// ----- normalisation -------------------------------------------------------------------------

/// Maps one book's ids to submission numbers.
struct Ids {
    by_no: Vec<OrderId>,
    no_of: HashMap<OrderId, u64>,
}

impl Ids {
    fn new() -> Self {
        Ids {
            by_no: Vec::new(),
            no_of: HashMap::new(),
        }
    }

    fn register(&mut self, id: OrderId) {
        self.no_of.insert(id, self.by_no.len() as u64);
        self.by_no.push(id);
    }

    fn norm(&self, id: OrderId) -> OrderId {
        self.no_of.get(&id).map_or(UNKNOWN, |&n| OrderId(n))
    }

    fn id(&self, no: Option<usize>) -> OrderId {
        no.map_or(UNKNOWN, |n| self.by_no[n])
    }

    fn event(&self, ev: &BookEvent) -> BookEvent {
        match *ev {
            BookEvent::Fill(f) => BookEvent::Fill(Fill {
                buy_order: self.norm(f.buy_order),
                sell_order: self.norm(f.sell_order),
                ..f
            }),
            BookEvent::Cancelled {
                id,
                agent,
                side,
                qty,
                reason,
            } => BookEvent::Cancelled {
                id: self.norm(id),
                agent,
                side,
                qty,
                reason,
            },
        }
    }

    fn events(&self, evs: &[BookEvent]) -> Vec<BookEvent> {
        evs.iter().map(|e| self.event(e)).collect()
    }

    fn reject(&self, r: Reject) -> Reject {
        match r {
            Reject::UnknownOrder(id) => Reject::UnknownOrder(self.norm(id)),
            other => other,
        }
    }

    fn submitted(&self, r: Result<Submitted, Reject>) -> Result<Submitted, Reject> {
        r.map(|s| Submitted {
            id: self.norm(s.id),
            ..s
        })
        .map_err(|e| self.reject(e))
    }

    /// An order with its id normalised and its sequence number dropped (the reference numbers
    /// time priority its own way; FIFO order within levels is checked separately).
    fn views(&self, v: impl IntoIterator<Item = OrderView>) -> Vec<OrderView> {
        v.into_iter()
            .map(|o| OrderView {
                id: self.norm(o.id),
                seq: 0,
                ..o
            })
            .collect()
    }
}

// ----- the harness ---------------------------------------------------------------------------

/// Both books and what is needed to compare them.
struct Pair {
    fast: OrderBook,
    reference: ReferenceBook,
    fast_ids: Ids,
    ref_ids: Ids,
    out_f: Vec<BookEvent>,
    out_r: Vec<BookEvent>,
    /// Set when an auction was left without an uncross (`set_phase` from an auction), which may
    /// legitimately leave a crossed book in continuous trading until the next uncross.
    may_be_crossed: bool,
    /// How often each situation occurred, to check that the generator reaches every rule.
    stats: HashMap<&'static str, u64>,
}

impl Pair {
    fn new(self_trade: SelfTradePrevention) -> Self {
        let config = BookConfig { self_trade };
        Pair {
            fast: OrderBook::new(config),
            reference: ReferenceBook::new(config),
            fast_ids: Ids::new(),
            ref_ids: Ids::new(),
            out_f: Vec::new(),
            out_r: Vec::new(),
            may_be_crossed: false,
            stats: HashMap::new(),
        }
    }

    /// The submission number a target names, if any.
    fn resolve(&self, t: Target) -> Option<usize> {
        let n = self.ref_ids.by_no.len();
        match t {
            Target::Live(i) | Target::LivePostOnly(i) => {
                let r = &self.reference;
                let post_only = matches!(t, Target::LivePostOnly(_));
                let live: Vec<OrderId> = [Side::Buy, Side::Sell]
                    .into_iter()
                    .flat_map(|s| r.orders(s).into_iter().chain(r.auction_market_orders(s)))
                    .chain(r.pending_close_orders())
                    .filter(|v| v.post_only || !post_only)
                    .map(|v| self.ref_ids.norm(v.id))
                    .collect();
                (!live.is_empty()).then(|| live[i.index(live.len())].0 as usize)
            }
            Target::Recent(k) => (k < n).then(|| n - 1 - k),
            Target::Any(i) => (n > 0).then(|| i.index(n)),
            Target::Unknown => None,
        }
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        self.out_f.clear();
        self.out_r.clear();
        match *op {
            Op::Submit(o) => {
                let f = self.fast.submit(o, &mut self.out_f);
                let r = self.reference.submit(o, &mut self.out_r);
                if let (Ok(f), Ok(r)) = (f, r) {
                    self.fast_ids.register(f.id);
                    self.ref_ids.register(r.id);
                }
                prop_assert_eq!(self.fast_ids.submitted(f), self.ref_ids.submitted(r));
                self.count_result("submit", r, o.tif);
            }
            Op::Cancel(t) => {
                let no = self.resolve(t);
                let f = self.fast.cancel(self.fast_ids.id(no), &mut self.out_f);
                let r = self.reference.cancel(self.ref_ids.id(no), &mut self.out_r);
                prop_assert_eq!(
                    f.map_err(|e| self.fast_ids.reject(e)),
                    r.map_err(|e| self.ref_ids.reject(e))
                );
                self.count(match r {
                    Ok(_) => "cancel ok",
                    Err(Reject::UnknownOrder(id)) if id == UNKNOWN => "cancel never issued",
                    Err(_) => "cancel stale",
                });
            }
            Op::Modify(t, price, qty) => {
                let no = self.resolve(t);
                let (fid, rid) = (self.fast_ids.id(no), self.ref_ids.id(no));
                let f = self.fast.modify(fid, price, qty, &mut self.out_f);
                let r = self.reference.modify(rid, price, qty, &mut self.out_r);
                prop_assert_eq!(self.fast_ids.submitted(f), self.ref_ids.submitted(r));
                self.count_result("modify", r, TimeInForce::Gtc);
            }
            Op::OpenAuction(kind) => {
                if kind == AuctionKind::Close && !self.reference.pending_close_orders().is_empty() {
                    self.count("close auction brings in at-close orders");
                }
                self.fast.open_auction(kind);
                self.reference.open_auction(kind);
            }
            Op::Uncross(reference) => {
                let in_auction = matches!(self.reference.phase(), Phase::Auction(_));
                let f = self.fast.uncross(reference, &mut self.out_f);
                let r = self.reference.uncross(reference, &mut self.out_r);
                prop_assert_eq!(f, r);
                if in_auction {
                    self.may_be_crossed = false;
                }
                self.count(match (in_auction, r) {
                    (false, _) => "uncross outside an auction",
                    (true, None) => "uncross with nothing to trade",
                    (true, Some(_)) => "uncross traded",
                });
            }
            Op::SetPhase(phase) => {
                if matches!(self.reference.phase(), Phase::Auction(_)) {
                    self.may_be_crossed = true;
                }
                self.fast.set_phase(phase);
                self.reference.set_phase(phase);
            }
            Op::Shift(by) => {
                let f = self.fast.shift(by);
                let r = self.reference.shift(by);
                prop_assert_eq!(f, r);
                self.count(match r {
                    Ok(()) if by < 0 => "shift down",
                    Ok(()) => "shift up or none",
                    Err(_) => "shift refused",
                });
            }
            Op::ExpireDay => {
                let f = self.fast.expire_day_orders(&mut self.out_f);
                let r = self.reference.expire_day_orders(&mut self.out_r);
                prop_assert_eq!(f, r);
                if r > 0 {
                    self.count("day orders expired");
                }
            }
        }
        prop_assert_eq!(
            self.fast_ids.events(&self.out_f),
            self.ref_ids.events(&self.out_r)
        );
        for ev in &self.out_r {
            let key = match ev {
                BookEvent::Fill(f) if f.aggressor.is_some() => "event fill (continuous)",
                BookEvent::Fill(_) => "event fill (auction)",
                BookEvent::Cancelled { reason, .. } => match reason {
                    CancelReason::Requested => "event cancel Requested",
                    CancelReason::Unfilled => "event cancel Unfilled",
                    CancelReason::SelfTrade => "event cancel SelfTrade",
                    CancelReason::Expired => "event cancel Expired",
                    CancelReason::AuctionUnfilled => "event cancel AuctionUnfilled",
                },
            };
            *self.stats.entry(key).or_default() += 1;
        }
        self.check_books()
    }

    fn count(&mut self, key: &'static str) {
        *self.stats.entry(key).or_default() += 1;
    }

    fn count_result(&mut self, what: &'static str, r: Result<Submitted, Reject>, tif: TimeInForce) {
        let key = match (what, r) {
            ("submit", Ok(s)) if tif == TimeInForce::Fok && s.filled > 0 => "submit FOK filled",
            ("submit", Ok(s)) if s.filled > 0 && s.resting > 0 => "submit partly filled, rests",
            ("submit", Ok(_)) => "submit ok",
            ("modify", Ok(s)) if s.filled > 0 => "modify re-entered and traded",
            ("modify", Ok(_)) => "modify ok",
            (_, Err(e)) => match (what, e) {
                ("submit", Reject::ZeroQuantity) => "submit ZeroQuantity",
                ("submit", Reject::BadPrice(_)) => "submit BadPrice",
                ("submit", Reject::PostOnlyWouldCross) => "submit PostOnlyWouldCross",
                ("submit", Reject::FokNotFillable) => "submit FokNotFillable",
                ("submit", Reject::Halted) => "submit Halted",
                ("submit", Reject::Closed) => "submit Closed",
                ("submit", Reject::NotInAuction(_)) => "submit NotInAuction",
                ("submit", Reject::Unsupported(_)) => "submit Unsupported",
                ("modify", Reject::UnknownOrder(_)) => "modify UnknownOrder",
                ("modify", Reject::ZeroQuantity) => "modify ZeroQuantity",
                ("modify", Reject::BadPrice(_)) => "modify BadPrice",
                ("modify", Reject::PostOnlyWouldCross) => "modify PostOnlyWouldCross",
                ("modify", Reject::Halted) => "modify Halted",
                ("modify", Reject::Closed) => "modify Closed",
                ("modify", Reject::Unsupported(_)) => "modify Unsupported",
                _ => "other reject",
            },
            _ => "other",
        };
        self.count(key);
    }

    /// The two books hold the same orders in the same places and order, and the fast book keeps
    /// its invariants.
    fn check_books(&self) -> Result<(), TestCaseError> {
        let (f, r) = (&self.fast, &self.reference);
        for side in [Side::Buy, Side::Sell] {
            let fo: Vec<OrderView> = f.orders(side).collect();
            prop_assert_eq!(
                self.fast_ids.views(fo.clone()),
                self.ref_ids.views(r.orders(side))
            );
            // FIFO: within a level, strictly increasing sequence numbers.
            for w in fo.windows(2) {
                if w[0].price == w[1].price {
                    prop_assert!(w[0].seq < w[1].seq, "FIFO broken: {:?}", w);
                }
            }
            prop_assert_eq!(
                self.fast_ids.views(f.auction_market_orders(side)),
                self.ref_ids.views(r.auction_market_orders(side))
            );
            prop_assert_eq!(f.depth(side, 3), r.depth(side, 3));
        }
        prop_assert_eq!(
            self.fast_ids.views(f.pending_close_orders()),
            self.ref_ids.views(r.pending_close_orders())
        );
        prop_assert_eq!(f.best_bid(), r.best_bid());
        prop_assert_eq!(f.best_ask(), r.best_ask());
        prop_assert_eq!(f.indicative(None), r.indicative(None));
        prop_assert_eq!(f.phase(), r.phase());
        prop_assert_eq!(f.last_trade(), r.last_trade());
        prop_assert_eq!(f.counters(), r.counters());
        prop_assert_eq!(f.resting_qty(), r.resting_qty());
        let c = f.counters();
        prop_assert_eq!(
            c.submitted,
            f.resting_qty() + 2 * c.traded + c.cancelled,
            "quantity not conserved"
        );
        if !matches!(f.phase(), Phase::Auction(_)) && !self.may_be_crossed {
            prop_assert!(!f.is_crossed(), "crossed book outside an auction");
        }
        Ok(())
    }

    fn run(&mut self, ops: &[Op]) -> Result<(), TestCaseError> {
        for (i, op) in ops.iter().enumerate() {
            self.step(op)
                .map_err(|e| TestCaseError::fail(format!("operation #{i} {op:?}: {e}")))?;
        }
        Ok(())
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), MIN_OPS..=MAX_OPS)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn same_as_reference_allow(ops in ops()) {
        Pair::new(SelfTradePrevention::Allow).run(&ops)?;
    }

    #[test]
    fn same_as_reference_cancel_resting(ops in ops()) {
        Pair::new(SelfTradePrevention::CancelResting).run(&ops)?;
    }

    #[test]
    fn same_as_reference_cancel_incoming(ops in ops()) {
        Pair::new(SelfTradePrevention::CancelIncoming).run(&ops)?;
    }

    #[test]
    fn same_as_reference_cancel_both(ops in ops()) {
        Pair::new(SelfTradePrevention::CancelBoth).run(&ops)?;
    }
}

/// Every rule of the book is reached by the generated streams, often enough to matter: a
/// generator that silently stopped producing (say) self-trades would make the tests above
/// pass without testing anything. Fixed seed, so the counts are reproducible.
#[test]
fn generator_reaches_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut stats: HashMap<&'static str, u64> = HashMap::new();
    let mut ops_run = 0;
    for stp in [
        SelfTradePrevention::Allow,
        SelfTradePrevention::CancelResting,
        SelfTradePrevention::CancelIncoming,
        SelfTradePrevention::CancelBoth,
    ] {
        for _ in 0..8 {
            let ops = ops().new_tree(&mut runner).expect("strategy").current();
            ops_run += ops.len();
            let mut pair = Pair::new(stp);
            pair.run(&ops).expect("books agree");
            for (k, v) in pair.stats {
                *stats.entry(k).or_default() += v;
            }
        }
    }
    let mut keys: Vec<_> = stats.iter().collect();
    keys.sort();
    println!("{ops_run} operations: {keys:#?}");
    for key in [
        "submit ok",
        "submit partly filled, rests",
        "submit FOK filled",
        "submit ZeroQuantity",
        "submit BadPrice",
        "submit PostOnlyWouldCross",
        "submit FokNotFillable",
        "submit Halted",
        "submit Closed",
        "submit NotInAuction",
        "submit Unsupported",
        "cancel ok",
        "cancel stale",
        "cancel never issued",
        "modify ok",
        "modify re-entered and traded",
        "modify UnknownOrder",
        "modify ZeroQuantity",
        "modify BadPrice",
        "modify PostOnlyWouldCross",
        "modify Halted",
        "modify Closed",
        "modify Unsupported",
        "close auction brings in at-close orders",
        "uncross traded",
        "uncross with nothing to trade",
        "uncross outside an auction",
        "day orders expired",
        "shift down",
        "shift up or none",
        "shift refused",
        "event fill (continuous)",
        "event fill (auction)",
        "event cancel Requested",
        "event cancel Unfilled",
        "event cancel SelfTrade",
        "event cancel Expired",
        "event cancel AuctionUnfilled",
    ] {
        let n = stats.get(key).copied().unwrap_or(0);
        assert!(n >= 5, "{key}: only {n} times in {ops_run} operations");
    }
}

/// The benchmark stream gives the same totals on both engines, and on the flat-array book
/// with the standard and a deep book (what `flowsim bench book` checks before it reports the
/// speed ratios).
#[test]
fn benchmark_stream_same_totals() {
    for seed in [7, 8, 9] {
        let s = stream::generate(200_000, seed);
        let fast = stream::run_checked(&mut OrderBook::new(stream::config()), &s);
        let reference = stream::run_checked(&mut ReferenceBook::new(stream::config()), &s);
        assert_eq!(fast, reference, "seed {seed}");
        assert!(fast.trades > 10_000, "the stream should trade: {fast:?}");
        assert!(fast.cancels > 10_000, "the stream should cancel: {fast:?}");
        let flat = stream::run_checked(&mut FlatBook::new(), &s);
        assert_eq!(fast, flat, "seed {seed}: the flat-array book");
        let deep = stream::generate_with(100_000, seed, 0.25);
        let fast = stream::run_checked(&mut OrderBook::new(stream::config()), &deep);
        let flat = stream::run_checked(&mut FlatBook::new(), &deep);
        assert_eq!(fast, flat, "seed {seed}, deep book: the flat-array book");
    }
}
