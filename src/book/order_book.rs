//! The matching engine of one instrument.

use super::ladder::Ladder;
use super::list::{Linked, List, NIL};
use super::types::*;

/// Where a live order sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Free,
    /// In a price level of a ladder.
    Book,
    /// A market order waiting for the uncross.
    AuctionMarket,
    /// An at-close order waiting for the closing auction.
    PendingClose,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    prev: u32,
    next: u32,
    qty: Qty,
    /// Limit price; meaningless for market orders.
    price: Price,
    seq: u64,
    agent: AgentId,
    generation: u32,
    side: Side,
    is_market: bool,
    motive: Motive,
    tif: TimeInForce,
    post_only: bool,
    place: Place,
}

impl Linked for Node {
    #[inline]
    fn prev(&self) -> u32 {
        self.prev
    }
    #[inline]
    fn next(&self) -> u32 {
        self.next
    }
    #[inline]
    fn set_prev(&mut self, p: u32) {
        self.prev = p;
    }
    #[inline]
    fn set_next(&mut self, n: u32) {
        self.next = n;
    }
}

/// Settings of one book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BookConfig {
    pub self_trade: SelfTradePrevention,
}

/// Running totals that make quantity conservation checkable:
/// `submitted = resting + 2 × traded + cancelled` at every moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BookCounters {
    /// Quantity accepted into the book (a modification counts as cancel plus submit).
    pub submitted: u128,
    /// Quantity traded (each unit consumed one unit of a buy and one of a sell).
    pub traded: u128,
    /// Quantity removed without trading: cancels, IOC and market remainders, expiries.
    pub cancelled: u128,
    pub trades: u64,
}

/// The result of an auction uncross or an indicative query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuctionOutcome {
    pub price: Price,
    /// Quantity executed (or executable) at `price`.
    pub qty: Qty,
    /// Demand minus supply at `price` (positive: unfilled buying interest).
    pub imbalance: i128,
}

/// A limit order book with continuous matching and call auctions.
///
/// It knows nothing of time, agents' strategies or money: the market drives its phases, and
/// every operation reports what happened as [`BookEvent`]s pushed to a caller-owned buffer,
/// which is what lets the hot path run without allocating.
pub struct OrderBook {
    nodes: Vec<Node>,
    free: u32,
    bids: Ladder,
    asks: Ladder,
    /// Market orders collected during an auction, buy then sell.
    auction_market: [List; 2],
    auction_market_qty: [Qty; 2],
    pending_close: List,
    pending_close_qty: Qty,
    /// How many of the at-close orders are limit orders (the ones a news shift moves): most
    /// are market orders, and a shift then need not walk them.
    pending_close_limits: u32,
    phase: Phase,
    config: BookConfig,
    next_seq: u64,
    last_trade: Option<Price>,
    counters: BookCounters,
}

#[inline]
fn side_index(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

/// Does a resting order at `resting` satisfy an incoming order on `side` limited at `limit`?
#[inline]
fn crosses(side: Side, resting: Price, limit: Price) -> bool {
    match side {
        Side::Buy => resting <= limit,
        Side::Sell => resting >= limit,
    }
}

impl Default for OrderBook {
    fn default() -> Self {
        Self::new(BookConfig::default())
    }
}

impl OrderBook {
    pub fn new(config: BookConfig) -> Self {
        OrderBook {
            nodes: Vec::new(),
            free: NIL,
            bids: Ladder::new(true),
            asks: Ladder::new(false),
            auction_market: [List::default(); 2],
            auction_market_qty: [0; 2],
            pending_close: List::default(),
            pending_close_qty: 0,
            pending_close_limits: 0,
            phase: Phase::Continuous,
            config,
            next_seq: 0,
            last_trade: None,
            counters: BookCounters::default(),
        }
    }

    /// Reserves room for `orders` live orders so that a run does not reallocate while warming up.
    pub fn with_capacity(config: BookConfig, orders: usize) -> Self {
        let mut b = Self::new(config);
        b.nodes.reserve(orders);
        b
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn config(&self) -> BookConfig {
        self.config
    }

    pub fn counters(&self) -> BookCounters {
        self.counters
    }

    pub fn last_trade(&self) -> Option<Price> {
        self.last_trade
    }

    /// Sets the phase directly (continuous, halted, closed). Use [`OrderBook::open_auction`] and
    /// [`OrderBook::uncross`] for auctions, which move orders.
    pub fn set_phase(&mut self, phase: Phase) {
        if let Phase::Auction(kind) = phase {
            self.open_auction(kind);
        } else {
            self.phase = phase;
        }
    }

    // ----- queries -------------------------------------------------------------------------

    fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn ladder_mut(&mut self, side: Side) -> &mut Ladder {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    fn best_view(&self, side: Side) -> Option<LevelView> {
        let l = self.ladder(side);
        l.best().map(|i| LevelView {
            price: l.price(i),
            qty: l.level(i).qty,
            orders: l.level(i).orders,
        })
    }

    pub fn best_bid(&self) -> Option<LevelView> {
        self.best_view(Side::Buy)
    }

    pub fn best_ask(&self) -> Option<LevelView> {
        self.best_view(Side::Sell)
    }

    /// Midpoint in ticks (rounded down) when both sides are quoted.
    pub fn mid(&self) -> Option<Price> {
        let (b, a) = (self.bids.best_price()?, self.asks.best_price()?);
        Some(b + (a - b).div_euclid(2))
    }

    pub fn spread(&self) -> Option<Price> {
        Some(self.asks.best_price()? - self.bids.best_price()?)
    }

    /// True when the best bid is at or above the best ask. Only legitimate during an auction.
    pub fn is_crossed(&self) -> bool {
        matches!((self.bids.best_price(), self.asks.best_price()), (Some(b), Some(a)) if b >= a)
    }

    /// Writes the best `levels` aggregated levels of `side` into `out` (cleared first).
    pub fn depth_into(&self, side: Side, levels: usize, out: &mut Vec<LevelView>) {
        out.clear();
        let l = self.ladder(side);
        let mut cur = l.best();
        while let Some(i) = cur {
            if out.len() >= levels {
                break;
            }
            let lv = l.level(i);
            out.push(LevelView {
                price: l.price(i),
                qty: lv.qty,
                orders: lv.orders,
            });
            cur = l.next_worse(i);
        }
    }

    /// Units resting on `side` at prices no worse than `limit` (at or above it for bids, at or
    /// below it for asks).
    pub fn depth_to(&self, side: Side, limit: Price) -> Qty {
        let l = self.ladder(side);
        let mut cur = l.best();
        let mut total = 0;
        while let Some(i) = cur {
            let p = l.price(i);
            let inside = match side {
                Side::Buy => p >= limit,
                Side::Sell => p <= limit,
            };
            if !inside {
                break;
            }
            total += l.level(i).qty;
            cur = l.next_worse(i);
        }
        total
    }

    /// The best `levels` levels of `side`, allocating; see [`OrderBook::depth_into`].
    pub fn depth(&self, side: Side, levels: usize) -> Vec<LevelView> {
        let mut v = Vec::with_capacity(levels.min(64));
        self.depth_into(side, levels, &mut v);
        v
    }

    /// Total quantity resting in limit levels of `side`.
    pub fn side_qty(&self, side: Side) -> Qty {
        self.ladder(side).total_qty
    }

    /// Every quantity the book holds: limit levels, auction market orders and at-close orders.
    pub fn resting_qty(&self) -> u128 {
        self.bids.total_qty as u128
            + self.asks.total_qty as u128
            + self.auction_market_qty[0] as u128
            + self.auction_market_qty[1] as u128
            + self.pending_close_qty as u128
    }

    fn view(&self, slot: u32) -> OrderView {
        let n = &self.nodes[slot as usize];
        OrderView {
            id: OrderId::new(slot, n.generation),
            side: n.side,
            price: (!n.is_market).then_some(n.price),
            qty: n.qty,
            agent: n.agent,
            motive: n.motive,
            tif: n.tif,
            post_only: n.post_only,
            seq: n.seq,
        }
    }

    /// A live order by id.
    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        self.live_slot(id).map(|s| self.view(s))
    }

    /// Resting limit orders of `side` in priority order (best price first, then time).
    pub fn orders(&self, side: Side) -> impl Iterator<Item = OrderView> + '_ {
        let l = self.ladder(side);
        let mut level = l.best();
        let mut slot = level.map_or(NIL, |i| l.level(i).list.head);
        std::iter::from_fn(move || {
            loop {
                if slot != NIL {
                    let v = self.view(slot);
                    slot = self.nodes[slot as usize].next;
                    return Some(v);
                }
                level = l.next_worse(level?);
                slot = l.level(level?).list.head;
            }
        })
    }

    fn list_iter(&self, list: List) -> impl Iterator<Item = OrderView> + '_ {
        let mut slot = list.head;
        std::iter::from_fn(move || {
            (slot != NIL).then(|| {
                let v = self.view(slot);
                slot = self.nodes[slot as usize].next;
                v
            })
        })
    }

    /// Market orders of `side` waiting for the current auction, in time order.
    pub fn auction_market_orders(&self, side: Side) -> impl Iterator<Item = OrderView> + '_ {
        self.list_iter(self.auction_market[side_index(side)])
    }

    /// At-close orders waiting for the closing auction, in time order.
    pub fn pending_close_orders(&self) -> impl Iterator<Item = OrderView> + '_ {
        self.list_iter(self.pending_close)
    }

    /// Reprices every resting limit order `by` ticks without trading: public news moving the
    /// whole book at once, as liquidity providers re-quote around a new value. Every order
    /// keeps its place in its queue and the book's shape is unchanged, so a book that was not
    /// crossed is still not crossed and nothing can trade. At-close limit orders move too;
    /// market orders have no price. Refused, changing nothing, when an order would go below a
    /// price of 1 (`BadPrice` names the lowest price it would reach).
    pub fn shift(&mut self, by: Price) -> Result<(), Reject> {
        if by == 0 {
            return Ok(());
        }
        debug_assert_eq!(
            self.list_iter(self.pending_close)
                .filter(|v| v.price.is_some())
                .count(),
            self.pending_close_limits as usize,
            "at-close limit orders miscounted"
        );
        // Only live limit orders have a price to move: those in the ladders' non-empty levels
        // and the at-close limit orders, which are few (most at-close orders are market
        // orders), so the at-close list is walked only when it holds any.
        let at_close = if self.pending_close_limits > 0 {
            self.pending_close.head
        } else {
            NIL
        };
        let prices = [&self.bids, &self.asks]
            .into_iter()
            .flat_map(|l| l.levels().map(|i| l.price(i)))
            .chain(
                self.list_iter(List {
                    head: at_close,
                    tail: NIL,
                })
                .filter_map(|v| v.price),
            );
        let far = if by < 0 { prices.min() } else { prices.max() };
        if let Some(p) = far
            && p.checked_add(by).is_none_or(|moved| moved < 1)
        {
            return Err(Reject::BadPrice(p.saturating_add(by)));
        }
        let nodes = &mut self.nodes;
        let move_list = |nodes: &mut [Node], mut slot: u32| {
            while slot != NIL {
                let n = &mut nodes[slot as usize];
                if !n.is_market {
                    n.price += by;
                }
                slot = n.next;
            }
        };
        for l in [&self.bids, &self.asks] {
            for i in l.levels() {
                move_list(nodes, l.level(i).list.head);
            }
        }
        move_list(nodes, at_close);
        self.bids.shift(by);
        self.asks.shift(by);
        Ok(())
    }

    // ----- order entry ---------------------------------------------------------------------

    fn live_slot(&self, id: OrderId) -> Option<u32> {
        let n = self.nodes.get(id.slot())?;
        (n.place != Place::Free && n.generation == id.generation()).then_some(id.slot() as u32)
    }

    /// Takes a slot for `node` and returns it with the node as it belongs there (its
    /// generation set). A reused slot is not written: the caller keeps the node in registers
    /// and writes it once, when it rests (reading back a node just written in pieces stalls on
    /// store forwarding); until then the slot still reads as free.
    #[inline]
    fn alloc(&mut self, node: Node) -> (u32, Node) {
        if self.free != NIL {
            let slot = self.free;
            let generation = self.nodes[slot as usize].generation;
            self.free = self.nodes[slot as usize].next;
            (slot, Node { generation, ..node })
        } else {
            self.nodes.push(node);
            ((self.nodes.len() - 1) as u32, node)
        }
    }

    fn release(&mut self, slot: u32) {
        let n = &mut self.nodes[slot as usize];
        n.place = Place::Free;
        n.generation = n.generation.wrapping_add(1);
        n.next = self.free;
        self.free = slot;
    }

    fn check_entry(&self, tif: TimeInForce, post_only: bool) -> Result<(), Reject> {
        match self.phase {
            Phase::Closed => Err(Reject::Closed),
            Phase::Halted => Err(Reject::Halted),
            Phase::Auction(_) if matches!(tif, TimeInForce::Ioc | TimeInForce::Fok) => {
                Err(Reject::NotInAuction("an IOC or FOK order"))
            }
            Phase::Auction(_) if post_only => Err(Reject::NotInAuction("a post-only order")),
            _ => Ok(()),
        }
    }

    /// Enters an order. Fills and cancellations it causes are appended to `out`.
    pub fn submit(&mut self, o: NewOrder, out: &mut Vec<BookEvent>) -> Result<Submitted, Reject> {
        if o.qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        if self.resting_qty() + o.qty as u128 > Qty::MAX as u128 {
            return Err(Reject::TooLarge);
        }
        self.check_entry(o.tif, o.post_only)?;
        let (price, is_market) = match o.kind {
            OrderKind::Limit(p) => {
                self.ladder_mut(o.side)
                    .ensure(p)
                    .ok_or(Reject::BadPrice(p))?;
                (p, false)
            }
            OrderKind::Market => (0, true),
        };
        if o.post_only && (is_market || o.tif == TimeInForce::AtClose) {
            return Err(Reject::Unsupported(
                "post-only applies to limit orders in continuous trading",
            ));
        }
        let continuous = self.phase == Phase::Continuous && o.tif != TimeInForce::AtClose;
        let limit = self.effective_limit(o.side, price, is_market);
        if continuous && o.post_only && self.would_cross(o.side, limit) {
            return Err(Reject::PostOnlyWouldCross);
        }
        if continuous && o.tif == TimeInForce::Fok && self.fillable(o.side, limit, o.agent) < o.qty
        {
            return Err(Reject::FokNotFillable);
        }
        let seq = self.bump_seq();
        let (slot, node) = self.alloc(Node {
            prev: NIL,
            next: NIL,
            qty: o.qty,
            price,
            seq,
            agent: o.agent,
            generation: 0,
            side: o.side,
            is_market,
            motive: o.motive,
            tif: o.tif,
            post_only: o.post_only,
            place: Place::Free,
        });
        self.counters.submitted += o.qty as u128;
        Ok(self.route_node(slot, node, out))
    }

    fn bump_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    #[inline]
    fn effective_limit(&self, side: Side, price: Price, is_market: bool) -> Price {
        match (is_market, side) {
            (false, _) => price,
            (true, Side::Buy) => Price::MAX,
            (true, Side::Sell) => Price::MIN,
        }
    }

    fn would_cross(&self, side: Side, limit: Price) -> bool {
        self.ladder(side.opposite())
            .best_price()
            .is_some_and(|p| crosses(side, p, limit))
    }

    /// How much an incoming order could take right now, with self-trade prevention applied.
    fn fillable(&self, side: Side, limit: Price, agent: AgentId) -> Qty {
        let l = self.ladder(side.opposite());
        let stp = self.config.self_trade;
        let mut total: Qty = 0;
        let mut level = l.best();
        while let Some(i) = level {
            if !crosses(side, l.price(i), limit) {
                break;
            }
            let mut slot = l.level(i).list.head;
            while slot != NIL {
                let n = &self.nodes[slot as usize];
                if n.agent == agent && stp != SelfTradePrevention::Allow {
                    if stp != SelfTradePrevention::CancelResting {
                        return total;
                    }
                } else {
                    total = total.saturating_add(n.qty);
                }
                slot = n.next;
            }
            level = l.next_worse(i);
        }
        total
    }

    /// Sends a freshly entered (or re-entered) order where the phase says it goes.
    fn route(&mut self, slot: u32, out: &mut Vec<BookEvent>) -> Submitted {
        self.route_node(slot, self.nodes[slot as usize], out)
    }

    /// [`OrderBook::route`] of the node `n`, which belongs in `slot` but may not be written
    /// there yet (see [`OrderBook::alloc`]): every way out of here either writes it or frees the
    /// slot.
    // Always inlined, with `rest_limit`: passed through memory, the node would be written
    // field by field and read back in wider pieces, which stalls on store forwarding.
    #[inline(always)]
    fn route_node(&mut self, slot: u32, n: Node, out: &mut Vec<BookEvent>) -> Submitted {
        let id = OrderId::new(slot, n.generation);
        let in_close_auction = self.phase == Phase::Auction(AuctionKind::Close);
        if n.tif == TimeInForce::AtClose && !in_close_auction {
            self.nodes[slot as usize] = n;
            self.pending_close.push_back(&mut self.nodes, slot);
            self.nodes[slot as usize].place = Place::PendingClose;
            self.pending_close_qty += n.qty;
            self.pending_close_limits += u32::from(!n.is_market);
            return Submitted {
                id,
                filled: 0,
                resting: n.qty,
            };
        }
        if let Phase::Auction(_) = self.phase {
            self.rest_node(slot, n);
            return Submitted {
                id,
                filled: 0,
                resting: n.qty,
            };
        }
        let limit = self.effective_limit(n.side, n.price, n.is_market);
        // Most limit orders do not reach the other side: they skip the matching loop's setup.
        let (filled, stopped) = if self.would_cross(n.side, limit) {
            self.match_incoming(slot, n, limit, out)
        } else {
            (0, false)
        };
        let left = n.qty - filled;
        if left == 0 {
            self.release(slot);
            return Submitted {
                id,
                filled,
                resting: 0,
            };
        }
        let reason = if stopped {
            Some(CancelReason::SelfTrade)
        } else if n.is_market || matches!(n.tif, TimeInForce::Ioc | TimeInForce::Fok) {
            Some(CancelReason::Unfilled)
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.counters.cancelled += left as u128;
                out.push(BookEvent::Cancelled {
                    id,
                    agent: n.agent,
                    side: n.side,
                    qty: left,
                    reason,
                });
                self.release(slot);
                Submitted {
                    id,
                    filled,
                    resting: 0,
                }
            }
            None => {
                self.rest_limit(slot, Node { qty: left, ..n });
                Submitted {
                    id,
                    filled,
                    resting: left,
                }
            }
        }
    }

    /// Puts an order at the back of its queue: its price level, or the auction's market queue.
    fn rest(&mut self, slot: u32) {
        self.rest_node(slot, self.nodes[slot as usize]);
    }

    /// [`OrderBook::rest`] of the node `n`, written into `slot` here.
    fn rest_node(&mut self, slot: u32, n: Node) {
        if n.is_market {
            let s = side_index(n.side);
            self.nodes[slot as usize] = n;
            self.auction_market[s].push_back(&mut self.nodes, slot);
            self.auction_market_qty[s] += n.qty;
            self.nodes[slot as usize].place = Place::AuctionMarket;
            return;
        }
        self.rest_limit(slot, n);
    }

    /// Puts the limit order `n` at the back of its price level, writing it into `slot`.
    #[inline(always)]
    fn rest_limit(&mut self, slot: u32, n: Node) {
        self.nodes[slot as usize] = Node {
            place: Place::Book,
            ..n
        };
        let ladder = match n.side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let idx = ladder.index(n.price).expect("price was ensured on entry");
        let level = ladder.level_mut(idx);
        level.list.push_back(&mut self.nodes, slot);
        level.qty += n.qty;
        level.orders += 1;
        let first = level.orders == 1;
        ladder.total_qty += n.qty;
        if first {
            ladder.mark_nonempty(idx);
        }
    }

    /// Takes the limit order `n` in `slot` out of its level (the node stays allocated).
    #[inline]
    fn unrest_node(&mut self, slot: u32, n: Node) {
        let ladder = match n.side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let idx = ladder
            .index(n.price)
            .expect("resting order inside the ladder");
        let level = ladder.level_mut(idx);
        level.list.unlink(&mut self.nodes, slot);
        level.qty -= n.qty;
        level.orders -= 1;
        let empty = level.orders == 0;
        ladder.total_qty -= n.qty;
        if empty {
            ladder.mark_empty(idx);
        }
    }

    /// Continuous matching of the order `taker`, entered in `slot` (and perhaps not written
    /// there yet), against the opposite side.
    /// Returns the quantity filled and whether self-trade prevention stopped the order.
    // Out of line: inlined into `submit`, its registers spilled on the path of every passive
    // order too.
    #[inline(never)]
    fn match_incoming(
        &mut self,
        slot: u32,
        taker: Node,
        limit: Price,
        out: &mut Vec<BookEvent>,
    ) -> (Qty, bool) {
        let taker_id = OrderId::new(slot, taker.generation);
        let stp = self.config.self_trade;
        let mut remaining = taker.qty;
        let (opp, nodes) = match taker.side {
            Side::Buy => (&mut self.asks, &mut self.nodes),
            Side::Sell => (&mut self.bids, &mut self.nodes),
        };
        let mut stopped = false;
        let mut last_price = None;
        let mut trades = 0u64;
        let mut cancelled: u128 = 0;
        'levels: while remaining > 0 {
            let Some(idx) = opp.best() else { break };
            let price = opp.price(idx);
            if !crosses(taker.side, price, limit) {
                break;
            }
            let level = opp.level_mut(idx);
            let mut taken: Qty = 0;
            let mut cur = level.list.head;
            while cur != NIL && remaining > 0 {
                let maker = nodes[cur as usize];
                let next = maker.next;
                if maker.agent == taker.agent && stp != SelfTradePrevention::Allow {
                    if matches!(
                        stp,
                        SelfTradePrevention::CancelResting | SelfTradePrevention::CancelBoth
                    ) {
                        level.list.unlink(nodes, cur);
                        level.qty -= maker.qty;
                        level.orders -= 1;
                        taken += maker.qty;
                        cancelled += maker.qty as u128;
                        out.push(BookEvent::Cancelled {
                            id: OrderId::new(cur, maker.generation),
                            agent: maker.agent,
                            side: maker.side,
                            qty: maker.qty,
                            reason: CancelReason::SelfTrade,
                        });
                        let n = &mut nodes[cur as usize];
                        n.place = Place::Free;
                        n.generation = n.generation.wrapping_add(1);
                        n.next = self.free;
                        self.free = cur;
                    }
                    if stp != SelfTradePrevention::CancelResting {
                        stopped = true;
                        let empty = level.orders == 0;
                        opp.total_qty -= taken;
                        if empty {
                            opp.mark_empty(idx);
                        }
                        break 'levels;
                    }
                    cur = next;
                    continue;
                }
                let q = remaining.min(maker.qty);
                remaining -= q;
                level.qty -= q;
                taken += q;
                trades += 1;
                let maker_id = OrderId::new(cur, maker.generation);
                let (buy_order, sell_order, buyer, seller, bm, sm) = match taker.side {
                    Side::Buy => (
                        taker_id,
                        maker_id,
                        taker.agent,
                        maker.agent,
                        taker.motive,
                        maker.motive,
                    ),
                    Side::Sell => (
                        maker_id,
                        taker_id,
                        maker.agent,
                        taker.agent,
                        maker.motive,
                        taker.motive,
                    ),
                };
                out.push(BookEvent::Fill(Fill {
                    price,
                    qty: q,
                    buy_order,
                    sell_order,
                    buyer,
                    seller,
                    buy_motive: bm,
                    sell_motive: sm,
                    aggressor: Some(taker.side),
                }));
                last_price = Some(price);
                self.counters.traded += q as u128;
                if q == maker.qty {
                    level.list.unlink(nodes, cur);
                    level.orders -= 1;
                    let n = &mut nodes[cur as usize];
                    n.place = Place::Free;
                    n.generation = n.generation.wrapping_add(1);
                    n.next = self.free;
                    self.free = cur;
                } else {
                    nodes[cur as usize].qty -= q;
                }
                cur = next;
            }
            let empty = level.orders == 0;
            opp.total_qty -= taken;
            if empty {
                opp.mark_empty(idx);
            }
        }
        self.counters.trades += trades;
        self.counters.cancelled += cancelled;
        if last_price.is_some() {
            self.last_trade = last_price;
        }
        (taker.qty - remaining, stopped)
    }

    /// Cancels a live order, wherever it waits.
    pub fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject> {
        let slot = self.live_slot(id).ok_or(Reject::UnknownOrder(id))?;
        let qty = self.remove(slot, CancelReason::Requested, out);
        Ok(qty)
    }

    /// Removes a live order without trading, reporting it with `reason`.
    #[inline]
    fn remove(&mut self, slot: u32, reason: CancelReason, out: &mut Vec<BookEvent>) -> Qty {
        let n = self.nodes[slot as usize];
        self.detach_node(slot, n);
        self.counters.cancelled += n.qty as u128;
        out.push(BookEvent::Cancelled {
            id: OrderId::new(slot, n.generation),
            agent: n.agent,
            side: n.side,
            qty: n.qty,
            reason,
        });
        self.release(slot);
        n.qty
    }

    /// Unlinks a live order from whichever queue holds it, keeping its node.
    fn detach(&mut self, slot: u32) {
        self.detach_node(slot, self.nodes[slot as usize]);
    }

    /// [`OrderBook::detach`] of the node `n` in `slot`, already read by the caller.
    #[inline]
    fn detach_node(&mut self, slot: u32, n: Node) {
        match n.place {
            Place::Book => self.unrest_node(slot, n),
            Place::AuctionMarket => {
                let s = side_index(n.side);
                self.auction_market[s].unlink(&mut self.nodes, slot);
                self.auction_market_qty[s] -= n.qty;
            }
            Place::PendingClose => {
                self.pending_close.unlink(&mut self.nodes, slot);
                self.pending_close_qty -= n.qty;
                self.pending_close_limits -= u32::from(!n.is_market);
            }
            Place::Free => unreachable!("detach of a free slot"),
        }
    }

    /// Changes an order's price and/or remaining quantity.
    ///
    /// Reducing the quantity at the same price keeps time priority; any other change loses it
    /// (the order goes to the back of its new level and may match at once, like a
    /// cancel-replace that keeps its id). `new_price = None` keeps the price. Market orders
    /// waiting for an auction can only be reduced.
    pub fn modify(
        &mut self,
        id: OrderId,
        new_price: Option<Price>,
        new_qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        let slot = self.live_slot(id).ok_or(Reject::UnknownOrder(id))?;
        match self.phase {
            Phase::Closed => return Err(Reject::Closed),
            Phase::Halted => return Err(Reject::Halted),
            _ => {}
        }
        if new_qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        let n = self.nodes[slot as usize];
        if self.resting_qty() - n.qty as u128 + new_qty as u128 > Qty::MAX as u128 {
            return Err(Reject::TooLarge);
        }
        let price = match (new_price, n.is_market) {
            (Some(_), true) => {
                return Err(Reject::Unsupported("a market order has no price to change"));
            }
            (Some(p), false) => p,
            (None, _) => n.price,
        };
        if price == n.price && new_qty <= n.qty {
            let cut = n.qty - new_qty;
            self.nodes[slot as usize].qty = new_qty;
            self.counters.cancelled += cut as u128;
            match n.place {
                Place::Book => {
                    let ladder = self.ladder_mut(n.side);
                    let idx = ladder
                        .index(n.price)
                        .expect("resting order inside the ladder");
                    ladder.level_mut(idx).qty -= cut;
                    ladder.total_qty -= cut;
                }
                Place::AuctionMarket => self.auction_market_qty[side_index(n.side)] -= cut,
                Place::PendingClose => self.pending_close_qty -= cut,
                Place::Free => unreachable!(),
            }
            return Ok(Submitted {
                id,
                filled: 0,
                resting: new_qty,
            });
        }
        if n.is_market {
            return Err(Reject::Unsupported(
                "a market order's quantity can only be reduced",
            ));
        }
        self.ladder_mut(n.side)
            .ensure(price)
            .ok_or(Reject::BadPrice(price))?;
        let continuous = self.phase == Phase::Continuous && n.place == Place::Book;
        if continuous && n.post_only && self.would_cross(n.side, price) {
            return Err(Reject::PostOnlyWouldCross);
        }
        self.detach(slot);
        self.counters.cancelled += n.qty as u128;
        self.counters.submitted += new_qty as u128;
        let seq = self.bump_seq();
        let node = &mut self.nodes[slot as usize];
        node.price = price;
        node.qty = new_qty;
        node.seq = seq;
        Ok(self.route(slot, out))
    }

    /// Cancels every day order (the market calls this after the close).
    pub fn expire_day_orders(&mut self, out: &mut Vec<BookEvent>) -> usize {
        let mut day = Vec::new();
        for side in [Side::Buy, Side::Sell] {
            day.extend(
                self.orders(side)
                    .filter(|o| o.tif == TimeInForce::Day)
                    .map(|o| o.id.slot() as u32),
            );
        }
        day.sort_unstable_by_key(|&s| self.nodes[s as usize].seq);
        for &slot in &day {
            self.remove(slot, CancelReason::Expired, out);
        }
        day.len()
    }

    // ----- auctions ------------------------------------------------------------------------

    /// Starts a call auction: orders collect without matching until [`OrderBook::uncross`].
    /// A closing auction brings in the at-close orders, each at its time priority.
    pub fn open_auction(&mut self, kind: AuctionKind) {
        self.phase = Phase::Auction(kind);
        if kind != AuctionKind::Close {
            return;
        }
        while self.pending_close.head != NIL {
            let slot = self.pending_close.head;
            let n = self.nodes[slot as usize];
            self.pending_close.unlink(&mut self.nodes, slot);
            self.pending_close_qty -= n.qty;
            self.pending_close_limits -= u32::from(!n.is_market);
            if n.is_market {
                self.rest(slot);
            } else {
                self.rest_by_seq(slot);
            }
        }
    }

    /// Inserts a limit order into its level at the place its sequence number gives it.
    fn rest_by_seq(&mut self, slot: u32) {
        let n = self.nodes[slot as usize];
        let ladder = match n.side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let idx = ladder.index(n.price).expect("price was ensured on entry");
        let level = ladder.level_mut(idx);
        let mut after = level.list.tail;
        while after != NIL && self.nodes[after as usize].seq > n.seq {
            after = self.nodes[after as usize].prev;
        }
        level.list.insert_after(&mut self.nodes, after, slot);
        level.qty += n.qty;
        level.orders += 1;
        let first = level.orders == 1;
        ladder.total_qty += n.qty;
        if first {
            ladder.mark_nonempty(idx);
        }
        self.nodes[slot as usize].place = Place::Book;
    }

    /// The price the auction would uncross at now, if any quantity would execute.
    ///
    /// The price maximises executed volume; ties go to the smallest imbalance, then to the
    /// price closest to `reference` (or, without one, the last trade), then to the lower price.
    pub fn indicative(&self, reference: Option<Price>) -> Option<AuctionOutcome> {
        let reference = reference.or(self.last_trade);
        let mut bids: Vec<(Price, Qty)> = Vec::new();
        let mut asks: Vec<(Price, Qty)> = Vec::new();
        for (side, v) in [(Side::Buy, &mut bids), (Side::Sell, &mut asks)] {
            let l = self.ladder(side);
            let mut cur = l.best();
            while let Some(i) = cur {
                v.push((l.price(i), l.level(i).qty));
                cur = l.next_worse(i);
            }
        }
        let mb = self.auction_market_qty[0] as u128;
        let ms = self.auction_market_qty[1] as u128;
        let mut candidates: Vec<Price> = bids.iter().chain(&asks).map(|&(p, _)| p).collect();
        candidates.extend(reference);
        candidates.sort_unstable();
        candidates.dedup();
        // Demand at p: market buys plus bids at or above p. Supply: market sells plus asks at or
        // below p. Walk candidates upwards: supply accumulates asks, demand sheds bids.
        bids.reverse(); // ascending
        let mut demand: u128 = mb + bids.iter().map(|&(_, q)| q as u128).sum::<u128>();
        let mut supply: u128 = ms;
        let (mut bi, mut ai) = (0, 0);
        let mut best: Option<(u128, u128, i128, Price)> = None; // exec, |imb|, dist, price
        for &p in &candidates {
            while bi < bids.len() && bids[bi].0 < p {
                demand -= bids[bi].1 as u128;
                bi += 1;
            }
            while ai < asks.len() && asks[ai].0 <= p {
                supply += asks[ai].1 as u128;
                ai += 1;
            }
            let exec = demand.min(supply);
            let imb = demand.abs_diff(supply);
            let dist = reference.map_or(0, |r| (p as i128 - r as i128).abs());
            let better = match best {
                None => true,
                Some((e, i, d, _)) => {
                    (exec, std::cmp::Reverse(imb), std::cmp::Reverse(dist))
                        > (e, std::cmp::Reverse(i), std::cmp::Reverse(d))
                }
            };
            if better {
                best = Some((exec, imb, dist, p));
            }
        }
        let (exec, _, _, price) = best?;
        if exec == 0 {
            return None;
        }
        // Recompute the signed imbalance at the chosen price.
        let d: u128 = mb
            + bids
                .iter()
                .filter(|&&(bp, _)| bp >= price)
                .map(|&(_, q)| q as u128)
                .sum::<u128>();
        let s: u128 = ms
            + asks
                .iter()
                .filter(|&&(ap, _)| ap <= price)
                .map(|&(_, q)| q as u128)
                .sum::<u128>();
        Some(AuctionOutcome {
            price,
            qty: exec as Qty,
            imbalance: d as i128 - s as i128,
        })
    }

    /// Ends the call auction: executes at the indicative price, allocating by price then time
    /// (market orders first), cancels unfilled market orders (and, at the close, unfilled
    /// at-close orders), and returns to continuous trading. Returns `None` if nothing traded.
    pub fn uncross(
        &mut self,
        reference: Option<Price>,
        out: &mut Vec<BookEvent>,
    ) -> Option<AuctionOutcome> {
        let kind = match self.phase {
            Phase::Auction(k) => k,
            _ => return None,
        };
        let outcome = self.indicative(reference);
        if let Some(o) = outcome {
            let mut left = o.qty;
            while left > 0 {
                let b = self
                    .auction_front(Side::Buy, o.price)
                    .expect("demand covers volume");
                let s = self
                    .auction_front(Side::Sell, o.price)
                    .expect("supply covers volume");
                let (bn, sn) = (self.nodes[b as usize], self.nodes[s as usize]);
                let q = left.min(bn.qty).min(sn.qty);
                out.push(BookEvent::Fill(Fill {
                    price: o.price,
                    qty: q,
                    buy_order: OrderId::new(b, bn.generation),
                    sell_order: OrderId::new(s, sn.generation),
                    buyer: bn.agent,
                    seller: sn.agent,
                    buy_motive: bn.motive,
                    sell_motive: sn.motive,
                    aggressor: None,
                }));
                self.counters.traded += q as u128;
                self.counters.trades += 1;
                self.take(b, q);
                self.take(s, q);
                left -= q;
            }
            self.last_trade = Some(o.price);
        }
        for s in 0..2 {
            while self.auction_market[s].head != NIL {
                let slot = self.auction_market[s].head;
                self.remove(slot, CancelReason::AuctionUnfilled, out);
            }
        }
        if kind == AuctionKind::Close {
            let mut at_close: Vec<u32> = [Side::Buy, Side::Sell]
                .iter()
                .flat_map(|&side| self.orders(side))
                .filter(|o| o.tif == TimeInForce::AtClose)
                .map(|o| o.id.slot() as u32)
                .collect();
            at_close.sort_unstable_by_key(|&s| self.nodes[s as usize].seq);
            for slot in at_close {
                self.remove(slot, CancelReason::AuctionUnfilled, out);
            }
        }
        self.phase = Phase::Continuous;
        outcome
    }

    /// The order first in line on `side` for an uncross at `price`.
    fn auction_front(&self, side: Side, price: Price) -> Option<u32> {
        let m = self.auction_market[side_index(side)];
        if m.head != NIL {
            return Some(m.head);
        }
        let l = self.ladder(side);
        let i = l.best()?;
        crosses(side, price, l.price(i)).then(|| l.level(i).list.head)
    }

    /// Executes `q` units of a waiting order, freeing it when done.
    fn take(&mut self, slot: u32, q: Qty) {
        let n = self.nodes[slot as usize];
        if q == n.qty {
            self.detach(slot);
            self.release(slot);
            return;
        }
        self.nodes[slot as usize].qty -= q;
        match n.place {
            Place::Book => {
                let ladder = self.ladder_mut(n.side);
                let idx = ladder
                    .index(n.price)
                    .expect("resting order inside the ladder");
                ladder.level_mut(idx).qty -= q;
                ladder.total_qty -= q;
            }
            Place::AuctionMarket => self.auction_market_qty[side_index(n.side)] -= q,
            _ => unreachable!("only booked or auction market orders trade in an uncross"),
        }
    }
}
