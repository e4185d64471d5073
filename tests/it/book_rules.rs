//! Hand-worked examples of every rule of the book, each run against both engines: the fast
//! [`OrderBook`] and the naive [`ReferenceBook`]. Expected fills, prices and books are worked
//! out by hand in the comments; auction tables list demand D(p), supply S(p) and the
//! executable volume min(D, S) at each candidate price.
//!
//! A test that the fast book fails because of a known bug is `#[ignore = "pins bug: ..."]` for
//! the fast book only (see the `rules!` list at the bottom), so the suite stays green while
//! the reference book still checks the example.

use flowsim::book::reference::ReferenceBook;
use flowsim::book::*;

// ----- both books behind one interface -------------------------------------------------------

/// The queries the tests need, for both engines.
trait Book: MatchingEngine {
    fn create(self_trade: SelfTradePrevention) -> Self;
    fn orders(&self, side: Side) -> Vec<OrderView>;
    fn auction_market_orders(&self, side: Side) -> Vec<OrderView>;
    fn pending_close_orders(&self) -> Vec<OrderView>;
    fn depth(&self, side: Side, levels: usize) -> Vec<LevelView>;
    fn phase(&self) -> Phase;
    fn last_trade(&self) -> Option<Price>;
    fn counters(&self) -> BookCounters;
    fn resting_qty(&self) -> u128;
}

impl Book for OrderBook {
    fn create(self_trade: SelfTradePrevention) -> Self {
        OrderBook::new(BookConfig { self_trade })
    }
    fn orders(&self, side: Side) -> Vec<OrderView> {
        OrderBook::orders(self, side).collect()
    }
    fn auction_market_orders(&self, side: Side) -> Vec<OrderView> {
        OrderBook::auction_market_orders(self, side).collect()
    }
    fn pending_close_orders(&self) -> Vec<OrderView> {
        OrderBook::pending_close_orders(self).collect()
    }
    fn depth(&self, side: Side, levels: usize) -> Vec<LevelView> {
        OrderBook::depth(self, side, levels)
    }
    fn phase(&self) -> Phase {
        OrderBook::phase(self)
    }
    fn last_trade(&self) -> Option<Price> {
        OrderBook::last_trade(self)
    }
    fn counters(&self) -> BookCounters {
        OrderBook::counters(self)
    }
    fn resting_qty(&self) -> u128 {
        OrderBook::resting_qty(self)
    }
}

impl Book for ReferenceBook {
    fn create(self_trade: SelfTradePrevention) -> Self {
        ReferenceBook::new(BookConfig { self_trade })
    }
    fn orders(&self, side: Side) -> Vec<OrderView> {
        ReferenceBook::orders(self, side)
    }
    fn auction_market_orders(&self, side: Side) -> Vec<OrderView> {
        ReferenceBook::auction_market_orders(self, side)
    }
    fn pending_close_orders(&self) -> Vec<OrderView> {
        ReferenceBook::pending_close_orders(self)
    }
    fn depth(&self, side: Side, levels: usize) -> Vec<LevelView> {
        ReferenceBook::depth(self, side, levels)
    }
    fn phase(&self) -> Phase {
        ReferenceBook::phase(self)
    }
    fn last_trade(&self) -> Option<Price> {
        ReferenceBook::last_trade(self)
    }
    fn counters(&self) -> BookCounters {
        ReferenceBook::counters(self)
    }
    fn resting_qty(&self) -> u128 {
        ReferenceBook::resting_qty(self)
    }
}

// ----- helpers -------------------------------------------------------------------------------

const A: AgentId = AgentId(1);
const B: AgentId = AgentId(2);
const C: AgentId = AgentId(3);
const D: AgentId = AgentId(4);
const E: AgentId = AgentId(5);
const F: AgentId = AgentId(6);
const G: AgentId = AgentId(7);

use CancelReason::*;
use SelfTradePrevention::*;
use Side::{Buy, Sell};

fn buy(price: Price, qty: Qty, agent: AgentId) -> NewOrder {
    NewOrder::limit(Buy, price, qty, agent, Motive::Noise)
}

fn sell(price: Price, qty: Qty, agent: AgentId) -> NewOrder {
    NewOrder::limit(Sell, price, qty, agent, Motive::Noise)
}

/// A market order that may wait for an auction (the default market tif, IOC, may not).
fn market(side: Side, qty: Qty, agent: AgentId) -> NewOrder {
    NewOrder::market(side, qty, agent, Motive::Noise).with_tif(TimeInForce::Gtc)
}

/// A fill of two `Motive::Noise` orders.
fn fill(
    price: Price,
    qty: Qty,
    (buy_order, buyer): (OrderId, AgentId),
    (sell_order, seller): (OrderId, AgentId),
    aggressor: Option<Side>,
) -> BookEvent {
    BookEvent::Fill(Fill {
        price,
        qty,
        buy_order,
        sell_order,
        buyer,
        seller,
        buy_motive: Motive::Noise,
        sell_motive: Motive::Noise,
        aggressor,
    })
}

fn cancelled(id: OrderId, agent: AgentId, side: Side, qty: Qty, reason: CancelReason) -> BookEvent {
    BookEvent::Cancelled {
        id,
        agent,
        side,
        qty,
        reason,
    }
}

fn outcome(price: Price, qty: Qty, imbalance: i128) -> Option<AuctionOutcome> {
    Some(AuctionOutcome {
        price,
        qty,
        imbalance,
    })
}

fn level(price: Price, qty: Qty, orders: u32) -> LevelView {
    LevelView { price, qty, orders }
}

/// A book plus the event buffer of the last operation.
struct T<K: Book> {
    b: K,
    out: Vec<BookEvent>,
}

impl<K: Book> T<K> {
    fn new(self_trade: SelfTradePrevention) -> Self {
        T {
            b: K::create(self_trade),
            out: Vec::new(),
        }
    }

    fn submit(&mut self, o: NewOrder) -> Result<Submitted, Reject> {
        self.out.clear();
        let r = self.b.submit(o, &mut self.out);
        self.check();
        r
    }

    /// Submits an order that must be accepted; returns its id (and the agent, for fills).
    fn place(&mut self, o: NewOrder) -> (OrderId, AgentId) {
        let s = self.submit(o).expect("accepted");
        (s.id, o.agent)
    }

    fn cancel(&mut self, id: OrderId) -> Result<Qty, Reject> {
        self.out.clear();
        let r = self.b.cancel(id, &mut self.out);
        self.check();
        r
    }

    fn modify(&mut self, id: OrderId, price: Option<Price>, qty: Qty) -> Result<Submitted, Reject> {
        self.out.clear();
        let r = self.b.modify(id, price, qty, &mut self.out);
        self.check();
        r
    }

    fn uncross(&mut self, reference: Option<Price>) -> Option<AuctionOutcome> {
        self.out.clear();
        let r = self.b.uncross(reference, &mut self.out);
        self.check();
        r
    }

    fn expire(&mut self) -> usize {
        self.out.clear();
        let n = self.b.expire_day_orders(&mut self.out);
        self.check();
        n
    }

    /// `(id, price, qty)` of the limit orders of `side` in priority order.
    fn side(&self, side: Side) -> Vec<(OrderId, Price, Qty)> {
        self.b
            .orders(side)
            .iter()
            .map(|o| (o.id, o.price.expect("limit order"), o.qty))
            .collect()
    }

    fn ids(v: Vec<OrderView>) -> Vec<OrderId> {
        v.iter().map(|o| o.id).collect()
    }

    /// Invariants that hold after every operation: quantity is conserved, and the book is not
    /// crossed outside an auction (these tests never leave an auction without an uncross).
    fn check(&self) {
        let c = self.b.counters();
        assert_eq!(
            c.submitted,
            self.b.resting_qty() + 2 * c.traded + c.cancelled,
            "quantity conservation: {c:?}"
        );
        if !matches!(self.b.phase(), Phase::Auction(_)) {
            if let (Some(bid), Some(ask)) = (self.b.best_bid(), self.b.best_ask()) {
                assert!(bid.price < ask.price, "crossed book: {bid:?} {ask:?}");
            }
        }
    }
}

// ----- continuous trading --------------------------------------------------------------------

/// Best price first, then oldest first; each fill at the resting order's price.
fn price_time_priority<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let s1 = t.place(sell(101, 5, A));
    let s2 = t.place(sell(100, 5, B));
    let s3 = t.place(sell(100, 5, C));
    let s4 = t.place(sell(102, 5, A));
    // A buy of 12 limited at 101 takes 100 first (s2 before s3: same price, s2 is older), then
    // 2 of s1 at 101; s4 at 102 is beyond its limit. The fills are at 100, 100, 101 — the
    // resting prices, not the buyer's limit.
    let r = t.submit(buy(101, 12, D)).unwrap();
    assert_eq!((r.filled, r.resting), (12, 0));
    let d = (r.id, D);
    assert_eq!(
        t.out,
        vec![
            fill(100, 5, d, s2, Some(Buy)),
            fill(100, 5, d, s3, Some(Buy)),
            fill(101, 2, d, s1, Some(Buy)),
        ]
    );
    assert_eq!(t.side(Sell), vec![(s1.0, 101, 3), (s4.0, 102, 5)]);
    assert!(t.side(Buy).is_empty());
    assert_eq!(t.b.last_trade(), Some(101));
    // 20 + 12 submitted = 8 resting + 2 × 12 traded.
    let c = t.b.counters();
    assert_eq!(
        (c.submitted, c.traded, c.cancelled, c.trades),
        (32, 12, 0, 3)
    );
}

/// A limit order that is not filled completely rests with what is left.
fn partial_fill_rests_remainder<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let s = t.place(sell(100, 5, A));
    // Buy 8 at 103: 5 fill at 100, 3 rest at 103.
    let r = t.submit(buy(103, 8, B)).unwrap();
    assert_eq!((r.filled, r.resting), (5, 3));
    assert_eq!(t.out, vec![fill(100, 5, (r.id, B), s, Some(Buy))]);
    assert_eq!(t.side(Buy), vec![(r.id, 103, 3)]);
    assert_eq!(t.b.best_bid(), Some(level(103, 3, 1)));
    assert_eq!(t.b.best_ask(), None);
    // The rest is now a resting order: a sell at 102 fills against it at 103.
    let s2 = t.submit(sell(102, 1, C)).unwrap();
    assert_eq!(t.out, vec![fill(103, 1, (r.id, B), (s2.id, C), Some(Sell))]);
    assert_eq!(t.side(Buy), vec![(r.id, 103, 2)]);
}

/// The resting order is the maker, the incoming one the taker and the aggressor's side;
/// both motives travel with the fill.
fn maker_and_taker<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let bid = t
        .place(NewOrder::limit(Buy, 100, 4, A, Motive::Liquidity))
        .0;
    let r = t
        .submit(NewOrder::limit(Sell, 99, 4, B, Motive::StopOut))
        .unwrap();
    let f = Fill {
        price: 100,
        qty: 4,
        buy_order: bid,
        sell_order: r.id,
        buyer: A,
        seller: B,
        buy_motive: Motive::Liquidity,
        sell_motive: Motive::StopOut,
        aggressor: Some(Sell),
    };
    assert_eq!(t.out, vec![BookEvent::Fill(f)]);
    assert_eq!(f.maker(), Some(bid));
    assert_eq!(f.taker(), Some(r.id));
}

/// A market order takes every price and cancels what the book cannot fill.
fn market_order_remainder_cancelled<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let a1 = t.place(sell(100, 3, A));
    let a2 = t.place(sell(101, 2, B));
    let a3 = t.place(sell(150, 1, C));
    // Buy 10 at market: 3 @ 100, 2 @ 101, 1 @ 150, and the remaining 4 are cancelled.
    let r = t
        .submit(NewOrder::market(Buy, 10, D, Motive::Noise))
        .unwrap();
    let d = (r.id, D);
    assert_eq!((r.filled, r.resting), (6, 0));
    assert_eq!(
        t.out,
        vec![
            fill(100, 3, d, a1, Some(Buy)),
            fill(101, 2, d, a2, Some(Buy)),
            fill(150, 1, d, a3, Some(Buy)),
            cancelled(r.id, D, Buy, 4, Unfilled),
        ]
    );
    assert!(t.side(Sell).is_empty());
    // Whatever its time in force, a market order never rests in continuous trading.
    let r = t.submit(market(Sell, 5, E)).unwrap();
    assert_eq!((r.filled, r.resting), (0, 0));
    assert_eq!(t.out, vec![cancelled(r.id, E, Sell, 5, Unfilled)]);
}

/// Immediate-or-cancel: fills what it can at once, cancels the rest.
fn immediate_or_cancel<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let s = t.place(sell(100, 4, A));
    let r = t.submit(buy(100, 6, B).with_tif(TimeInForce::Ioc)).unwrap();
    assert_eq!((r.filled, r.resting), (4, 0));
    assert_eq!(
        t.out,
        vec![
            fill(100, 4, (r.id, B), s, Some(Buy)),
            cancelled(r.id, B, Buy, 2, Unfilled),
        ]
    );
    let s2 = t.place(sell(101, 4, A));
    // Nothing at or below 100: all 6 cancelled, the book untouched.
    let r = t.submit(buy(100, 6, B).with_tif(TimeInForce::Ioc)).unwrap();
    assert_eq!((r.filled, r.resting), (0, 0));
    assert_eq!(t.out, vec![cancelled(r.id, B, Buy, 6, Unfilled)]);
    assert_eq!(t.side(Sell), vec![(s2.0, 101, 4)]);
    assert!(t.side(Buy).is_empty());
}

/// Fill-or-kill: rejected without touching the book unless it fills completely at once.
fn fill_or_kill<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let a1 = t.place(sell(100, 4, A));
    let a2 = t.place(sell(101, 4, B));
    let before = (t.b.orders(Sell), t.b.counters());
    // 8 are available at or below 101, 4 at or below 100.
    for o in [buy(101, 9, C), buy(100, 5, C)] {
        let r = t.submit(o.with_tif(TimeInForce::Fok));
        assert_eq!(r, Err(Reject::FokNotFillable));
        assert!(t.out.is_empty());
        assert_eq!((t.b.orders(Sell), t.b.counters()), before);
    }
    let r = t.submit(buy(101, 8, C).with_tif(TimeInForce::Fok)).unwrap();
    assert_eq!((r.filled, r.resting), (8, 0));
    let c = (r.id, C);
    assert_eq!(
        t.out,
        vec![
            fill(100, 4, c, a1, Some(Buy)),
            fill(101, 4, c, a2, Some(Buy))
        ]
    );
    assert!(t.side(Sell).is_empty());
}

/// What a fill-or-kill order may count on depends on self-trade prevention.
fn fill_or_kill_with_self_trade_prevention<K: Book>() {
    // Asks: B 4 @ 100, A 4 @ 100, B 4 @ 101. A sends FOK buy 8 @ 101.
    // Allow: 12 fillable (own order counts) → fills B 4 and A 4 (a self-trade).
    // CancelResting: own order skipped, 8 fillable → fills B 4, cancels A's, fills B 4 @ 101.
    // CancelIncoming / CancelBoth: counting stops at A's own order, 4 < 8 → rejected.
    for stp in [Allow, CancelResting, CancelIncoming, CancelBoth] {
        let mut t = T::<K>::new(stp);
        let b1 = t.place(sell(100, 4, B));
        let a1 = t.place(sell(100, 4, A));
        let b2 = t.place(sell(101, 4, B));
        let r = t.submit(buy(101, 8, A).with_tif(TimeInForce::Fok));
        match stp {
            Allow => {
                let id = r.unwrap().id;
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 4, (id, A), b1, Some(Buy)),
                        fill(100, 4, (id, A), a1, Some(Buy)),
                    ]
                );
            }
            CancelResting => {
                let id = r.unwrap().id;
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 4, (id, A), b1, Some(Buy)),
                        cancelled(a1.0, A, Sell, 4, SelfTrade),
                        fill(101, 4, (id, A), b2, Some(Buy)),
                    ]
                );
            }
            CancelIncoming | CancelBoth => {
                assert_eq!(r, Err(Reject::FokNotFillable));
                assert!(t.out.is_empty());
                // 4 is fillable before the own order, and the order stops before reaching it.
                let id = t
                    .submit(buy(101, 4, A).with_tif(TimeInForce::Fok))
                    .unwrap()
                    .id;
                assert_eq!(t.out, vec![fill(100, 4, (id, A), b1, Some(Buy))]);
                assert_eq!(t.side(Sell), vec![(a1.0, 100, 4), (b2.0, 101, 4)]);
            }
        }
    }
}

/// Post-only orders are refused rather than take liquidity.
fn post_only<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let s = t.place(sell(100, 5, A));
    for price in [100, 101] {
        assert_eq!(
            t.submit(buy(price, 1, B).post_only()),
            Err(Reject::PostOnlyWouldCross)
        );
        assert!(t.out.is_empty());
    }
    let r = t.submit(buy(99, 2, B).post_only()).unwrap();
    assert_eq!((r.filled, r.resting), (0, 2));
    assert_eq!(t.side(Buy), vec![(r.id, 99, 2)]);
    assert_eq!(t.side(Sell), vec![(s.0, 100, 5)]);
    assert!(matches!(
        t.submit(NewOrder::market(Buy, 1, B, Motive::Noise).post_only()),
        Err(Reject::Unsupported(_))
    ));
    assert!(matches!(
        t.submit(buy(99, 1, B).with_tif(TimeInForce::AtClose).post_only()),
        Err(Reject::Unsupported(_))
    ));
    // A post-only modification that would cross is refused and leaves the order as it was.
    assert_eq!(
        t.modify(r.id, Some(100), 2),
        Err(Reject::PostOnlyWouldCross)
    );
    assert_eq!(t.side(Buy), vec![(r.id, 99, 2)]);
    t.b.open_auction(AuctionKind::Open);
    assert!(matches!(
        t.submit(buy(99, 1, B).post_only()),
        Err(Reject::NotInAuction(_))
    ));
}

/// Each self-trade-prevention mode on the same book and the same incoming order.
fn self_trade_prevention_modes<K: Book>() {
    // Asks in priority order: B 5 @ 100, A 5 @ 100, B 5 @ 101, A 5 @ 101.
    // A sends buy 12 @ 101.
    for stp in [Allow, CancelResting, CancelIncoming, CancelBoth] {
        let mut t = T::<K>::new(stp);
        let b1 = t.place(sell(100, 5, B));
        let a1 = t.place(sell(100, 5, A));
        let b2 = t.place(sell(101, 5, B));
        let a2 = t.place(sell(101, 5, A));
        let r = t.submit(buy(101, 12, A)).unwrap();
        let me = (r.id, A);
        match stp {
            Allow => {
                // Trades with its own order like any other: 5 + 5 @ 100, 2 @ 101.
                assert_eq!((r.filled, r.resting), (12, 0));
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 5, me, b1, Some(Buy)),
                        fill(100, 5, me, a1, Some(Buy)),
                        fill(101, 2, me, b2, Some(Buy)),
                    ]
                );
                assert_eq!(t.side(Sell), vec![(b2.0, 101, 3), (a2.0, 101, 5)]);
            }
            CancelResting => {
                // Own resting orders are cancelled as they come up; the buy takes B's 10 and
                // rests 2 @ 101 once the asks within its limit are gone.
                assert_eq!((r.filled, r.resting), (10, 2));
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 5, me, b1, Some(Buy)),
                        cancelled(a1.0, A, Sell, 5, SelfTrade),
                        fill(101, 5, me, b2, Some(Buy)),
                        cancelled(a2.0, A, Sell, 5, SelfTrade),
                    ]
                );
                assert!(t.side(Sell).is_empty());
                assert_eq!(t.side(Buy), vec![(r.id, 101, 2)]);
            }
            CancelIncoming => {
                // Stops at A's first own order: 5 filled, the other 7 cancelled.
                assert_eq!((r.filled, r.resting), (5, 0));
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 5, me, b1, Some(Buy)),
                        cancelled(r.id, A, Buy, 7, SelfTrade),
                    ]
                );
                assert_eq!(
                    t.side(Sell),
                    vec![(a1.0, 100, 5), (b2.0, 101, 5), (a2.0, 101, 5)]
                );
            }
            CancelBoth => {
                assert_eq!((r.filled, r.resting), (5, 0));
                assert_eq!(
                    t.out,
                    vec![
                        fill(100, 5, me, b1, Some(Buy)),
                        cancelled(a1.0, A, Sell, 5, SelfTrade),
                        cancelled(r.id, A, Buy, 7, SelfTrade),
                    ]
                );
                assert_eq!(t.side(Sell), vec![(b2.0, 101, 5), (a2.0, 101, 5)]);
            }
        }
    }
    // Filled before it reaches its own order: no cancellation at all.
    let mut t = T::<K>::new(CancelIncoming);
    let b1 = t.place(sell(100, 5, B));
    let a1 = t.place(sell(100, 5, A));
    let r = t.submit(buy(100, 5, A)).unwrap();
    assert_eq!(t.out, vec![fill(100, 5, (r.id, A), b1, Some(Buy))]);
    assert_eq!(t.side(Sell), vec![(a1.0, 100, 5)]);
}

/// Reducing quantity at the same price keeps time priority; anything else loses it.
fn modify_keeps_or_loses_priority<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let x = t.place(buy(100, 5, A)).0;
    let y = t.place(buy(100, 5, B)).0;
    // Reduce 5 → 3: stays first.
    let m = t.modify(x, None, 3).unwrap();
    assert_eq!((m.id, m.filled, m.resting), (x, 0, 3));
    assert!(t.out.is_empty());
    assert_eq!(t.side(Buy), vec![(x, 100, 3), (y, 100, 5)]);
    // Same price given explicitly, same quantity: still first.
    t.modify(x, Some(100), 3).unwrap();
    assert_eq!(t.side(Buy), vec![(x, 100, 3), (y, 100, 5)]);
    // Increase 3 → 6: to the back of the level.
    t.modify(x, None, 6).unwrap();
    assert_eq!(t.side(Buy), vec![(y, 100, 5), (x, 100, 6)]);
    // New price: a new level; back to 100 with less quantity is still a price change.
    t.modify(y, Some(99), 5).unwrap();
    assert_eq!(t.side(Buy), vec![(x, 100, 6), (y, 99, 5)]);
    t.modify(y, Some(100), 2).unwrap();
    assert_eq!(t.side(Buy), vec![(x, 100, 6), (y, 100, 2)]);
    // A modification that crosses trades at once, as the aggressor, under the same id.
    let s = t.place(sell(101, 4, C));
    let m = t.modify(x, Some(101), 6).unwrap();
    assert_eq!((m.id, m.filled, m.resting), (x, 4, 2));
    assert_eq!(t.out, vec![fill(101, 4, (x, A), s, Some(Buy))]);
    assert_eq!(t.side(Buy), vec![(x, 101, 2), (y, 100, 2)]);
    // Counters: submitted 5 + 5 + 6 + 5 + 2 + 4 + 6 = 33; cancelled (cuts and replaced
    // quantities) 2 + 3 + 5 + 5 + 6 = 21; traded 4; resting 2 + 2 = 4; 4 + 2 × 4 + 21 = 33.
    let c = t.b.counters();
    assert_eq!((c.submitted, c.traded, c.cancelled), (33, 4, 21));
    // Refusals leave the order alone.
    assert_eq!(t.modify(x, None, 0), Err(Reject::ZeroQuantity));
    assert_eq!(t.modify(x, Some(0), 1), Err(Reject::BadPrice(0)));
    assert_eq!(t.modify(x, Some(-3), 1), Err(Reject::BadPrice(-3)));
    assert_eq!(t.side(Buy), vec![(x, 101, 2), (y, 100, 2)]);
}

/// A waiting market order can only be reduced.
fn modify_market_order_in_auction<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let m = t.place(market(Buy, 5, A)).0;
    assert!(matches!(
        t.modify(m, Some(100), 5),
        Err(Reject::Unsupported(_))
    ));
    assert!(matches!(t.modify(m, None, 6), Err(Reject::Unsupported(_))));
    let r = t.modify(m, None, 2).unwrap();
    assert_eq!((r.filled, r.resting), (0, 2));
    assert_eq!(T::<K>::ids(t.b.auction_market_orders(Buy)), vec![m]);
    assert_eq!(t.b.auction_market_orders(Buy)[0].qty, 2);
}

/// Day orders are cancelled at the end of the day, in time order; others stay.
fn day_orders_expire<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let d1 = t.place(buy(99, 1, A).with_tif(TimeInForce::Day)).0; // seq 0
    let g = t.place(buy(98, 2, B)).0; // seq 1, GTC
    let d2 = t.place(sell(105, 3, C).with_tif(TimeInForce::Day)).0; // seq 2
    let d3 = t.place(buy(99, 4, D).with_tif(TimeInForce::Day)).0; // seq 3
    t.modify(d1, None, 5).unwrap(); // loses priority: seq 4
    assert_eq!(t.expire(), 3);
    assert_eq!(
        t.out,
        vec![
            cancelled(d2, C, Sell, 3, Expired),
            cancelled(d3, D, Buy, 4, Expired),
            cancelled(d1, A, Buy, 5, Expired),
        ]
    );
    assert_eq!(t.side(Buy), vec![(g, 98, 2)]);
    assert!(t.side(Sell).is_empty());
    assert_eq!(t.expire(), 0);
}

/// Halted and closed books refuse orders and modifications but accept cancels.
fn halted_and_closed<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let x = t.place(buy(100, 5, A)).0;
    let y = t.place(buy(99, 5, A)).0;
    for (phase, reject) in [
        (Phase::Halted, Reject::Halted),
        (Phase::Closed, Reject::Closed),
    ] {
        t.b.set_phase(phase);
        assert_eq!(t.b.phase(), phase);
        assert_eq!(t.submit(sell(100, 1, B)), Err(reject));
        assert_eq!(t.modify(x, None, 3), Err(reject));
        // Checked first: zero quantity on submit, unknown id on modify.
        assert_eq!(t.submit(sell(100, 0, B)), Err(Reject::ZeroQuantity));
        assert_eq!(
            t.modify(OrderId(u64::MAX), None, 3),
            Err(Reject::UnknownOrder(OrderId(u64::MAX)))
        );
        assert!(t.out.is_empty());
    }
    assert_eq!(t.cancel(y), Ok(5));
    assert_eq!(t.out, vec![cancelled(y, A, Buy, 5, Requested)]);
    t.b.set_phase(Phase::Continuous);
    let r = t.submit(sell(100, 1, B)).unwrap();
    assert_eq!(t.out, vec![fill(100, 1, (x, A), (r.id, B), Some(Sell))]);
}

/// Cancelling an id that never existed, was filled, or was already cancelled is refused.
fn cancel_unknown_and_stale<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let a = t.place(sell(100, 5, A)).0;
    let r = t.submit(buy(100, 5, B)).unwrap(); // fills a; r never rests
    assert_eq!(t.cancel(a), Err(Reject::UnknownOrder(a)));
    assert_eq!(t.cancel(r.id), Err(Reject::UnknownOrder(r.id)));
    let x = t.place(buy(99, 1, C)).0;
    assert_eq!(t.cancel(x), Ok(1));
    assert_eq!(t.out, vec![cancelled(x, C, Buy, 1, Requested)]);
    // A new order (which may reuse x's storage) is not reachable through x's id.
    let y = t.place(buy(98, 1, C)).0;
    assert_ne!(x, y);
    assert_eq!(t.cancel(x), Err(Reject::UnknownOrder(x)));
    assert_eq!(t.modify(x, None, 1), Err(Reject::UnknownOrder(x)));
    let never = OrderId(u64::MAX);
    assert_eq!(t.cancel(never), Err(Reject::UnknownOrder(never)));
    assert!(t.out.is_empty());
    assert_eq!(t.side(Buy), vec![(y, 98, 1)]);
}

/// Depth aggregates the orders of a price level.
fn depth_snapshot<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    for o in [
        buy(100, 5, A),
        buy(99, 2, B),
        buy(100, 3, C),
        buy(97, 1, D),
        sell(102, 4, A),
        sell(103, 1, B),
        sell(102, 6, C),
    ] {
        t.place(o);
    }
    assert_eq!(t.b.depth(Buy, 2), vec![level(100, 8, 2), level(99, 2, 1)]);
    assert_eq!(
        t.b.depth(Buy, 10),
        vec![level(100, 8, 2), level(99, 2, 1), level(97, 1, 1)]
    );
    assert_eq!(
        t.b.depth(Sell, 10),
        vec![level(102, 10, 2), level(103, 1, 1)]
    );
    assert!(t.b.depth(Sell, 0).is_empty());
    assert_eq!(t.b.best_bid(), Some(level(100, 8, 2)));
    assert_eq!(t.b.best_ask(), Some(level(102, 10, 2)));
}

/// Check order of submit: zero quantity, phase, price, then post-only support.
fn rejections<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    assert_eq!(t.submit(buy(0, 5, A)), Err(Reject::BadPrice(0)));
    assert_eq!(t.submit(sell(-7, 5, A)), Err(Reject::BadPrice(-7)));
    assert_eq!(t.submit(buy(0, 0, A)), Err(Reject::ZeroQuantity));
    t.b.open_auction(AuctionKind::Open);
    assert!(matches!(
        t.submit(NewOrder::market(Buy, 5, A, Motive::Noise)), // IOC by default
        Err(Reject::NotInAuction(_))
    ));
    assert!(matches!(
        t.submit(buy(0, 5, A).with_tif(TimeInForce::Fok)),
        Err(Reject::NotInAuction(_))
    ));
    assert_eq!(t.submit(buy(0, 5, A)), Err(Reject::BadPrice(0)));
    assert!(t.out.is_empty());
    assert_eq!(t.b.counters(), BookCounters::default());
}

// ----- auctions ------------------------------------------------------------------------------

/// Orders collect without matching during an auction, even when the book crosses.
fn auction_collects_without_matching<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    assert_eq!(t.b.phase(), Phase::Auction(AuctionKind::Open));
    let r = t.submit(buy(102, 10, A)).unwrap();
    assert_eq!((r.filled, r.resting), (0, 10));
    let r = t.submit(sell(99, 10, B)).unwrap();
    assert_eq!((r.filled, r.resting), (0, 10));
    assert!(t.out.is_empty());
    assert_eq!(t.b.best_bid(), Some(level(102, 10, 1)));
    assert_eq!(t.b.best_ask(), Some(level(99, 10, 1)));
    // Outside an auction, uncross does nothing.
    let mut u = T::<K>::new(CancelResting);
    u.place(buy(100, 1, A));
    assert_eq!(u.uncross(Some(100)), None);
    assert!(u.out.is_empty());
    assert_eq!(u.b.phase(), Phase::Continuous);
}

/// The uncross price maximises executed volume.
fn auction_volume_maximising_price<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let b102 = t.place(buy(102, 30, A));
    let b101 = t.place(buy(101, 20, B));
    let b100 = t.place(buy(100, 10, C));
    let s99 = t.place(sell(99, 10, D));
    let s100 = t.place(sell(100, 20, E));
    let s101 = t.place(sell(101, 30, F));
    let s102 = t.place(sell(102, 10, G));
    //   p     D(p)  S(p)  min
    //   99     60    10    10
    //  100     60    30    30
    //  101     50    60    50   ← most volume; imbalance 50 − 60 = −10
    //  102     30    70    30
    assert_eq!(t.b.indicative(None), outcome(101, 50, -10));
    assert_eq!(t.uncross(None), outcome(101, 50, -10));
    // Buyers by priority: 102×30, then 101×20. Sellers: 99×10, 100×20, then 20 of 101×30.
    assert_eq!(
        t.out,
        vec![
            fill(101, 10, b102, s99, None),
            fill(101, 20, b102, s100, None),
            fill(101, 20, b101, s101, None),
        ]
    );
    // The residual book is not crossed: 100 bid against 101 ask.
    assert_eq!(t.side(Buy), vec![(b100.0, 100, 10)]);
    assert_eq!(t.side(Sell), vec![(s101.0, 101, 10), (s102.0, 102, 10)]);
    assert_eq!(t.b.phase(), Phase::Continuous);
    assert_eq!(t.b.last_trade(), Some(101));
    let BookEvent::Fill(f) = t.out[0] else {
        panic!("a fill")
    };
    assert_eq!((f.maker(), f.taker()), (None, None));
}

/// Equal volume: the smaller imbalance wins, before the reference price.
fn auction_tie_broken_by_imbalance<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Reopen);
    let b101 = t.place(buy(101, 10, A));
    let b100 = t.place(buy(100, 5, B));
    let s100 = t.place(sell(100, 10, C));
    //   p     D(p)  S(p)  min  |D − S|
    //  100     15    10    10     5
    //  101     10    10    10     0   ← same volume, smaller imbalance
    // (Without the imbalance rule the lower price, 100, or with reference 100, 100, would win.)
    assert_eq!(t.b.indicative(None), outcome(101, 10, 0));
    assert_eq!(t.b.indicative(Some(100)), outcome(101, 10, 0));
    assert_eq!(t.uncross(Some(100)), outcome(101, 10, 0));
    assert_eq!(t.out, vec![fill(101, 10, b101, s100, None)]);
    assert_eq!(t.side(Buy), vec![(b100.0, 100, 5)]);
    assert!(t.side(Sell).is_empty());
}

/// Equal volume and imbalance: closest to the reference price (a candidate itself), else to
/// the last trade, else the lowest price.
fn auction_tie_broken_by_reference<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let b = t.place(buy(102, 10, A));
    let s = t.place(sell(99, 10, B));
    // Every price from 99 to 102 executes 10 with imbalance 0.
    // No reference, no last trade: candidates 99 and 102 → the lower, 99.
    assert_eq!(t.b.indicative(None), outcome(99, 10, 0));
    // Reference 101 is a candidate too and the closest to itself.
    assert_eq!(t.b.indicative(Some(101)), outcome(101, 10, 0));
    // Reference 105 executes nothing there (no bid at 105); of 99 and 102, 102 is closer.
    assert_eq!(t.b.indicative(Some(105)), outcome(102, 10, 0));
    // Reference 50: nothing executes at 50; 99 is closer.
    assert_eq!(t.b.indicative(Some(50)), outcome(99, 10, 0));
    assert_eq!(t.uncross(Some(101)), outcome(101, 10, 0));
    assert_eq!(t.out, vec![fill(101, 10, b, s, None)]);
    // Next auction, same orders, no reference: the last trade (101) stands in for it.
    t.b.open_auction(AuctionKind::Open);
    t.place(buy(102, 10, A));
    t.place(sell(99, 10, B));
    assert_eq!(t.b.indicative(None), outcome(101, 10, 0));
}

/// Market orders only: they trade at the reference price; without any price they cannot trade
/// and are cancelled, buys first.
fn auction_market_only<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let mb = t.place(market(Buy, 10, A));
    let ms = t.place(market(Sell, 6, B).with_tif(TimeInForce::Day));
    // No limit prices, no reference, no last trade: no candidate price.
    assert_eq!(t.b.indicative(None), None);
    // Reference 250: D = 10, S = 6 → 6 execute, imbalance +4.
    assert_eq!(t.b.indicative(Some(250)), outcome(250, 6, 4));
    assert_eq!(t.uncross(Some(250)), outcome(250, 6, 4));
    assert_eq!(
        t.out,
        vec![
            fill(250, 6, mb, ms, None),
            cancelled(mb.0, A, Buy, 4, AuctionUnfilled),
        ]
    );
    assert_eq!(t.b.last_trade(), Some(250));
    assert!(t.b.auction_market_orders(Buy).is_empty());

    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Reopen);
    let ms = t.place(market(Sell, 2, B));
    let mb = t.place(market(Buy, 3, A));
    assert_eq!(t.uncross(None), None);
    assert_eq!(
        t.out,
        vec![
            cancelled(mb.0, A, Buy, 3, AuctionUnfilled),
            cancelled(ms.0, B, Sell, 2, AuctionUnfilled),
        ]
    );
    assert_eq!(t.b.phase(), Phase::Continuous);
    assert_eq!(t.b.last_trade(), None);
}

/// Allocation: market orders first, then limit orders by time at one price.
fn auction_allocation_market_first_then_time<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let a = t.place(buy(100, 5, A));
    let b = t.place(buy(100, 5, B));
    let c = t.place(market(Buy, 3, C));
    let d = t.place(sell(100, 4, D));
    let e = t.place(sell(100, 6, E));
    // Only candidate 100: D = 3 + 5 + 5 = 13, S = 10 → 10, imbalance +3.
    // Buyers in line: C (market) 3, A 5, B 5. Sellers: D 4, E 6.
    assert_eq!(t.uncross(None), outcome(100, 10, 3));
    assert_eq!(
        t.out,
        vec![
            fill(100, 3, c, d, None),
            fill(100, 1, a, d, None),
            fill(100, 4, a, e, None),
            fill(100, 2, b, e, None),
        ]
    );
    assert_eq!(t.side(Buy), vec![(b.0, 100, 3)]);
    assert!(t.side(Sell).is_empty());
}

/// Allocation across levels: market orders, then better prices, then time.
fn auction_allocation_price_time<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let a = t.place(buy(101, 5, A));
    let b = t.place(buy(102, 5, B));
    let c = t.place(buy(101, 5, C));
    let d = t.place(market(Buy, 3, D));
    let e = t.place(sell(100, 12, E));
    //   p     D(p)            S(p)  min  |D − S|
    //  100    3+5+5+5 = 18     12    12     6
    //  101    18               12    12     6
    //  102    3+5 = 8          12     8
    // 100 and 101 tie on volume and imbalance; no reference or last trade → the lower, 100.
    // Buyers in line: D (market) 3, B @ 102 5, A @ 101 (older) 4 of 5; C waits behind A.
    assert_eq!(t.uncross(None), outcome(100, 12, 6));
    assert_eq!(
        t.out,
        vec![
            fill(100, 3, d, e, None),
            fill(100, 5, b, e, None),
            fill(100, 4, a, e, None),
        ]
    );
    assert_eq!(t.side(Buy), vec![(a.0, 101, 1), (c.0, 101, 5)]);
    assert!(t.side(Sell).is_empty());
}

/// At-close orders wait aside, join the closing auction at their time priority, and are
/// cancelled if the uncross does not fill them.
fn close_auction_at_close_orders<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let loc_a = t.place(buy(100, 5, A).with_tif(TimeInForce::AtClose)); // seq 0
    let g = t.place(buy(100, 5, B)); // seq 1, GTC, rests now
    let moc = t.place(market(Sell, 4, C).with_tif(TimeInForce::AtClose)); // seq 2
    // An opening auction does not bring them in, and an at-close order sent during it waits.
    t.b.open_auction(AuctionKind::Open);
    let loc_d = t.place(sell(105, 3, D).with_tif(TimeInForce::AtClose)); // seq 3
    assert_eq!(t.uncross(None), None);
    assert_eq!(
        T::<K>::ids(t.b.pending_close_orders()),
        vec![loc_a.0, moc.0, loc_d.0]
    );
    assert_eq!(t.side(Buy), vec![(g.0, 100, 5)]);
    // The closing auction: the LOC buy enters ahead of the GTC bid (it is older), the MOC
    // joins the market queue, the LOC sell its level.
    t.b.open_auction(AuctionKind::Close);
    assert!(t.b.pending_close_orders().is_empty());
    assert_eq!(t.side(Buy), vec![(loc_a.0, 100, 5), (g.0, 100, 5)]);
    assert_eq!(T::<K>::ids(t.b.auction_market_orders(Sell)), vec![moc.0]);
    assert_eq!(t.side(Sell), vec![(loc_d.0, 105, 3)]);
    // An at-close order sent during the closing auction goes straight in.
    let late = t.place(buy(90, 1, E).with_tif(TimeInForce::AtClose));
    assert_eq!(t.side(Buy).last(), Some(&(late.0, 90, 1)));
    //   p     D(p)     S(p)        min
    //   90    11       4 (MOC)      4   |D − S| = 7
    //  100    10       4            4   |D − S| = 6  ← same volume, smaller imbalance
    //  105     0       7            0
    assert_eq!(t.uncross(None), outcome(100, 4, 6));
    // The MOC sells 4 to the oldest bid at 100, the LOC buy; then every at-close limit order
    // left is cancelled in time order: LOC A (1 left), LOC D, the late LOC.
    assert_eq!(
        t.out,
        vec![
            fill(100, 4, loc_a, moc, None),
            cancelled(loc_a.0, A, Buy, 1, AuctionUnfilled),
            cancelled(loc_d.0, D, Sell, 3, AuctionUnfilled),
            cancelled(late.0, E, Buy, 1, AuctionUnfilled),
        ]
    );
    assert_eq!(t.side(Buy), vec![(g.0, 100, 5)]);
    assert!(t.side(Sell).is_empty());
    assert_eq!(t.b.phase(), Phase::Continuous);
}

/// Modifying an at-close order outside the closing auction sends it back to the queue's end.
fn modify_at_close_order<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let p = t.place(buy(100, 5, A).with_tif(TimeInForce::AtClose)).0;
    let q = t.place(sell(101, 5, B).with_tif(TimeInForce::AtClose)).0;
    t.modify(p, None, 4).unwrap(); // a reduction keeps its place
    assert_eq!(T::<K>::ids(t.b.pending_close_orders()), vec![p, q]);
    let r = t.modify(p, Some(102), 4).unwrap(); // would cross q, but at-close orders wait
    assert_eq!((r.filled, r.resting), (0, 4));
    assert_eq!(T::<K>::ids(t.b.pending_close_orders()), vec![q, p]);
    assert!(t.side(Buy).is_empty());
}

/// Regression: `OrderBook::uncross` panicked ("demand covers volume") when the best bid was
/// above the uncross price, because `auction_front` called `crosses` with its price arguments
/// swapped. Bid 10 @ 101 against ask 10 @ 99, no reference: 99 and 101 both execute 10 with
/// no imbalance, so the lower, 99, is the price, and the bid at 101 must trade there.
fn regression_uncross_with_best_bid_above_price<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    t.b.open_auction(AuctionKind::Open);
    let b = t.place(buy(101, 10, A));
    let s = t.place(sell(99, 10, B));
    assert_eq!(t.uncross(None), outcome(99, 10, 0));
    assert_eq!(t.out, vec![fill(99, 10, b, s, None)]);
}

/// Pins a bug: quantities are `u64`, and the fast book adds them into a `u64` level total
/// without checking, so two orders at one price whose sum passes `u64::MAX` overflow (a
/// panic with overflow checks, silently wrong totals without). A request must come back as a
/// value, accepted or refused, and the book must stay consistent.
fn regression_level_quantity_overflow<K: Book>() {
    let mut t = T::<K>::new(CancelResting);
    let q = u64::MAX / 2 + 1;
    t.place(buy(101, q, A));
    assert_eq!(t.submit(buy(101, q, B)), Err(Reject::TooLarge)); // checks conservation
}

// ----- one test per rule and engine ----------------------------------------------------------

macro_rules! rules {
    ($($(#[$fast:meta])* $name:ident),* $(,)?) => {
        mod fast {
            use super::*;
            $( $(#[$fast])* #[test] fn $name() { super::$name::<OrderBook>() } )*
        }
        mod reference {
            use super::*;
            $( #[test] fn $name() { super::$name::<ReferenceBook>() } )*
        }
    };
}

rules! {
    price_time_priority,
    partial_fill_rests_remainder,
    maker_and_taker,
    market_order_remainder_cancelled,
    immediate_or_cancel,
    fill_or_kill,
    fill_or_kill_with_self_trade_prevention,
    post_only,
    self_trade_prevention_modes,
    modify_keeps_or_loses_priority,
    modify_market_order_in_auction,
    modify_at_close_order,
    day_orders_expire,
    halted_and_closed,
    cancel_unknown_and_stale,
    depth_snapshot,
    rejections,
    auction_collects_without_matching,
    auction_volume_maximising_price,
    auction_tie_broken_by_imbalance,
    auction_tie_broken_by_reference,
    auction_market_only,
    auction_allocation_market_first_then_time,
    auction_allocation_price_time,
    close_auction_at_close_orders,
    regression_uncross_with_best_bid_above_price,
    regression_level_quantity_overflow,
}
