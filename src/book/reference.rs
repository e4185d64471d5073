//! The naive reference book: the same rules as [`OrderBook`](super::OrderBook), written to be
//! obviously correct rather than fast.
//!
//! Each side of the book is one `Vec` kept sorted by priority (best price first, then sequence
//! number), the auction's market orders and the at-close orders are plain FIFO `Vec`s, and every
//! lookup is a linear scan. Property tests run random operation streams through both books and
//! require identical answers, events and books after every operation; `flowsim bench book`
//! reports how much faster the real book is.
//!
//! Ids are handed out sequentially (`OrderId(0)`, `OrderId(1)`, ...) and never reused, so they
//! differ from the fast book's; compare the two books by the submission that created each id.

use std::cmp::Reverse;

use super::engine::MatchingEngine;
use super::order_book::{AuctionOutcome, BookConfig, BookCounters};
use super::types::*;

/// One live order, wherever it waits.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: OrderId,
    side: Side,
    /// `None` for a market order.
    price: Option<Price>,
    qty: Qty,
    agent: AgentId,
    motive: Motive,
    tif: TimeInForce,
    post_only: bool,
    seq: u64,
}

impl Entry {
    fn view(&self) -> OrderView {
        OrderView {
            id: self.id,
            side: self.side,
            price: self.price,
            qty: self.qty,
            agent: self.agent,
            motive: self.motive,
            tif: self.tif,
            post_only: self.post_only,
            seq: self.seq,
        }
    }

    fn cancelled(&self, qty: Qty, reason: CancelReason) -> BookEvent {
        BookEvent::Cancelled {
            id: self.id,
            agent: self.agent,
            side: self.side,
            qty,
            reason,
        }
    }
}

/// Where an order waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// A limit order in the book, on its side.
    Book,
    /// A market order waiting for the auction uncross.
    AuctionMarket,
    /// An at-close order waiting for the closing auction.
    PendingClose,
}

/// Would an order on `side` limited at `limit` (`None`: market) trade with a resting order at
/// `resting`?
fn crosses(side: Side, limit: Option<Price>, resting: Price) -> bool {
    match (limit, side) {
        (None, _) => true,
        (Some(l), Side::Buy) => resting <= l,
        (Some(l), Side::Sell) => resting >= l,
    }
}

/// Does the limit order `a` come strictly before `b` on the same side of the book?
fn before(a: &Entry, b: &Entry) -> bool {
    let (pa, pb) = (a.price.unwrap_or(0), b.price.unwrap_or(0));
    if pa != pb {
        return match a.side {
            Side::Buy => pa > pb,
            Side::Sell => pa < pb,
        };
    }
    a.seq < b.seq
}

/// A limit order book with the same rules as [`OrderBook`](super::OrderBook), built on sorted
/// vectors and linear scans.
pub struct ReferenceBook {
    config: BookConfig,
    phase: Phase,
    /// Buy limit orders, best price first, then by sequence number.
    bids: Vec<Entry>,
    /// Sell limit orders, best price first, then by sequence number.
    asks: Vec<Entry>,
    /// Market orders waiting for the uncross, buy then sell, each in arrival order.
    auction_buys: Vec<Entry>,
    auction_sells: Vec<Entry>,
    /// At-close orders waiting for the closing auction, in arrival order.
    pending_close: Vec<Entry>,
    next_seq: u64,
    next_id: u64,
    last_trade: Option<Price>,
    counters: BookCounters,
}

impl ReferenceBook {
    pub fn new(config: BookConfig) -> Self {
        ReferenceBook {
            config,
            phase: Phase::Continuous,
            bids: Vec::new(),
            asks: Vec::new(),
            auction_buys: Vec::new(),
            auction_sells: Vec::new(),
            pending_close: Vec::new(),
            next_seq: 0,
            next_id: 0,
            last_trade: None,
            counters: BookCounters::default(),
        }
    }

    // ----- queries -------------------------------------------------------------------------

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

    fn book(&self, side: Side) -> &Vec<Entry> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn book_mut(&mut self, side: Side) -> &mut Vec<Entry> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    fn auction_queue(&self, side: Side) -> &Vec<Entry> {
        match side {
            Side::Buy => &self.auction_buys,
            Side::Sell => &self.auction_sells,
        }
    }

    fn auction_queue_mut(&mut self, side: Side) -> &mut Vec<Entry> {
        match side {
            Side::Buy => &mut self.auction_buys,
            Side::Sell => &mut self.auction_sells,
        }
    }

    /// Resting limit orders of `side` in priority order (best price first, then time).
    pub fn orders(&self, side: Side) -> Vec<OrderView> {
        self.book(side).iter().map(Entry::view).collect()
    }

    /// Market orders of `side` waiting for the current auction, in time order.
    pub fn auction_market_orders(&self, side: Side) -> Vec<OrderView> {
        self.auction_queue(side).iter().map(Entry::view).collect()
    }

    /// At-close orders waiting for the closing auction, in time order.
    pub fn pending_close_orders(&self) -> Vec<OrderView> {
        self.pending_close.iter().map(Entry::view).collect()
    }

    /// A live order by id.
    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        self.find(id)
            .map(|(place, side, i)| self.at(place, side, i).view())
    }

    /// The best `levels` aggregated price levels of `side` (quantities saturate at `Qty::MAX`).
    pub fn depth(&self, side: Side, levels: usize) -> Vec<LevelView> {
        let mut out: Vec<LevelView> = Vec::new();
        for e in self.book(side) {
            let price = e.price.unwrap_or(0);
            match out.last_mut() {
                Some(l) if l.price == price => {
                    // A level's total can exceed `Qty::MAX` (two huge orders); saturate
                    // rather than overflow.
                    l.qty = l.qty.saturating_add(e.qty);
                    l.orders += 1;
                }
                _ => {
                    if out.len() == levels {
                        break;
                    }
                    out.push(LevelView {
                        price,
                        qty: e.qty,
                        orders: 1,
                    });
                }
            }
        }
        out
    }

    pub fn best_bid(&self) -> Option<LevelView> {
        self.depth(Side::Buy, 1).first().copied()
    }

    pub fn best_ask(&self) -> Option<LevelView> {
        self.depth(Side::Sell, 1).first().copied()
    }

    /// Every quantity the book holds: limit orders, auction market orders, at-close orders.
    pub fn resting_qty(&self) -> u128 {
        self.bids
            .iter()
            .chain(&self.asks)
            .chain(&self.auction_buys)
            .chain(&self.auction_sells)
            .chain(&self.pending_close)
            .map(|e| e.qty as u128)
            .sum()
    }

    // ----- finding and moving orders -------------------------------------------------------

    /// Where the live order `id` is: its place, the side whose queue holds it, its index there.
    fn find(&self, id: OrderId) -> Option<(Place, Side, usize)> {
        for side in [Side::Buy, Side::Sell] {
            if let Some(i) = self.book(side).iter().position(|e| e.id == id) {
                return Some((Place::Book, side, i));
            }
            if let Some(i) = self.auction_queue(side).iter().position(|e| e.id == id) {
                return Some((Place::AuctionMarket, side, i));
            }
        }
        // One queue holds the at-close orders of both sides; the side is not used to find it.
        let i = self.pending_close.iter().position(|e| e.id == id)?;
        Some((Place::PendingClose, Side::Buy, i))
    }

    fn queue(&self, place: Place, side: Side) -> &Vec<Entry> {
        match place {
            Place::Book => self.book(side),
            Place::AuctionMarket => self.auction_queue(side),
            Place::PendingClose => &self.pending_close,
        }
    }

    fn queue_mut(&mut self, place: Place, side: Side) -> &mut Vec<Entry> {
        match place {
            Place::Book => self.book_mut(side),
            Place::AuctionMarket => self.auction_queue_mut(side),
            Place::PendingClose => &mut self.pending_close,
        }
    }

    fn at(&self, place: Place, side: Side, i: usize) -> &Entry {
        &self.queue(place, side)[i]
    }

    /// Puts a limit order into the book at the place its price and sequence number give it.
    fn insert_limit(&mut self, e: Entry) {
        let book = self.book_mut(e.side);
        let pos = book
            .iter()
            .position(|o| before(&e, o))
            .unwrap_or(book.len());
        book.insert(pos, e);
    }

    /// Puts an order where it waits without trading: the auction's market queue or the book.
    fn rest(&mut self, e: Entry) {
        if e.price.is_none() {
            self.auction_queue_mut(e.side).push(e);
        } else {
            self.insert_limit(e);
        }
    }

    /// Removes an order without trading and reports it.
    fn remove(
        &mut self,
        place: Place,
        side: Side,
        i: usize,
        reason: CancelReason,
        out: &mut Vec<BookEvent>,
    ) -> Qty {
        let e = self.queue_mut(place, side).remove(i);
        self.counters.cancelled += e.qty as u128;
        out.push(e.cancelled(e.qty, reason));
        e.qty
    }

    fn next_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    // ----- order entry ---------------------------------------------------------------------

    /// The best price of the book on `side`.
    fn best_price(&self, side: Side) -> Option<Price> {
        self.book(side).first().and_then(|e| e.price)
    }

    /// Would an order on `side` limited at `limit` trade with the opposite side right now?
    fn would_cross(&self, side: Side, limit: Option<Price>) -> bool {
        self.best_price(side.opposite())
            .is_some_and(|p| crosses(side, limit, p))
    }

    /// How much an order could take right now, walking the opposite side in priority order
    /// with self-trade prevention applied.
    fn fillable(&self, side: Side, limit: Option<Price>, agent: AgentId) -> Qty {
        let stp = self.config.self_trade;
        let mut total: Qty = 0;
        for e in self.book(side.opposite()) {
            if !crosses(side, limit, e.price.unwrap_or(0)) {
                break;
            }
            if e.agent == agent {
                match stp {
                    SelfTradePrevention::Allow => {}
                    SelfTradePrevention::CancelResting => continue,
                    SelfTradePrevention::CancelIncoming | SelfTradePrevention::CancelBoth => {
                        break;
                    }
                }
            }
            total = total.saturating_add(e.qty);
        }
        total
    }

    pub fn submit(&mut self, o: NewOrder, out: &mut Vec<BookEvent>) -> Result<Submitted, Reject> {
        if o.qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        if self.resting_qty() + o.qty as u128 > Qty::MAX as u128 {
            return Err(Reject::TooLarge);
        }
        let ioc_or_fok = matches!(o.tif, TimeInForce::Ioc | TimeInForce::Fok);
        match self.phase {
            Phase::Closed => return Err(Reject::Closed),
            Phase::Halted => return Err(Reject::Halted),
            Phase::Auction(_) if ioc_or_fok => {
                return Err(Reject::NotInAuction("an IOC or FOK order"));
            }
            Phase::Auction(_) if o.post_only => {
                return Err(Reject::NotInAuction("a post-only order"));
            }
            _ => {}
        }
        let price = match o.kind {
            OrderKind::Limit(p) if p <= 0 => return Err(Reject::BadPrice(p)),
            OrderKind::Limit(p) => Some(p),
            OrderKind::Market => None,
        };
        if o.post_only && (price.is_none() || o.tif == TimeInForce::AtClose) {
            return Err(Reject::Unsupported(
                "post-only applies to limit orders in continuous trading",
            ));
        }
        let continuous = self.phase == Phase::Continuous && o.tif != TimeInForce::AtClose;
        if continuous && o.post_only && self.would_cross(o.side, price) {
            return Err(Reject::PostOnlyWouldCross);
        }
        if continuous && o.tif == TimeInForce::Fok && self.fillable(o.side, price, o.agent) < o.qty
        {
            return Err(Reject::FokNotFillable);
        }
        let id = OrderId(self.next_id);
        self.next_id += 1;
        let seq = self.next_seq();
        self.counters.submitted += o.qty as u128;
        let e = Entry {
            id,
            side: o.side,
            price,
            qty: o.qty,
            agent: o.agent,
            motive: o.motive,
            tif: o.tif,
            post_only: o.post_only,
            seq,
        };
        Ok(self.route(e, out))
    }

    /// Sends an accepted (or re-entered) order where the phase says it goes.
    fn route(&mut self, e: Entry, out: &mut Vec<BookEvent>) -> Submitted {
        let waiting = Submitted {
            id: e.id,
            filled: 0,
            resting: e.qty,
        };
        if e.tif == TimeInForce::AtClose && self.phase != Phase::Auction(AuctionKind::Close) {
            self.pending_close.push(e);
            return waiting;
        }
        if let Phase::Auction(_) = self.phase {
            self.rest(e);
            return waiting;
        }
        // Continuous trading: take from the opposite side in priority order.
        let stp = self.config.self_trade;
        let opposite = e.side.opposite();
        let mut left = e.qty;
        let mut stopped = false;
        while left > 0 {
            let Some(&maker) = self.book(opposite).first() else {
                break;
            };
            let maker_price = maker.price.unwrap_or(0);
            if !crosses(e.side, e.price, maker_price) {
                break;
            }
            if maker.agent == e.agent && stp != SelfTradePrevention::Allow {
                if matches!(
                    stp,
                    SelfTradePrevention::CancelResting | SelfTradePrevention::CancelBoth
                ) {
                    self.remove(Place::Book, opposite, 0, CancelReason::SelfTrade, out);
                }
                if stp == SelfTradePrevention::CancelResting {
                    continue;
                }
                stopped = true;
                break;
            }
            let q = left.min(maker.qty);
            let (buy, sell) = match e.side {
                Side::Buy => (&e, &maker),
                Side::Sell => (&maker, &e),
            };
            out.push(BookEvent::Fill(Fill {
                price: maker_price,
                qty: q,
                buy_order: buy.id,
                sell_order: sell.id,
                buyer: buy.agent,
                seller: sell.agent,
                buy_motive: buy.motive,
                sell_motive: sell.motive,
                aggressor: Some(e.side),
            }));
            self.counters.traded += q as u128;
            self.counters.trades += 1;
            self.last_trade = Some(maker_price);
            left -= q;
            let book = self.book_mut(opposite);
            if q == maker.qty {
                book.remove(0);
            } else {
                book[0].qty -= q;
            }
        }
        let filled = e.qty - left;
        let done = Submitted {
            id: e.id,
            filled,
            resting: 0,
        };
        if left == 0 {
            return done;
        }
        let reason = if stopped {
            CancelReason::SelfTrade
        } else if e.price.is_none() || matches!(e.tif, TimeInForce::Ioc | TimeInForce::Fok) {
            CancelReason::Unfilled
        } else {
            self.insert_limit(Entry { qty: left, ..e });
            return Submitted {
                id: e.id,
                filled,
                resting: left,
            };
        };
        self.counters.cancelled += left as u128;
        out.push(e.cancelled(left, reason));
        done
    }

    pub fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject> {
        let (place, side, i) = self.find(id).ok_or(Reject::UnknownOrder(id))?;
        Ok(self.remove(place, side, i, CancelReason::Requested, out))
    }

    pub fn modify(
        &mut self,
        id: OrderId,
        new_price: Option<Price>,
        new_qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        let (place, side, i) = self.find(id).ok_or(Reject::UnknownOrder(id))?;
        match self.phase {
            Phase::Closed => return Err(Reject::Closed),
            Phase::Halted => return Err(Reject::Halted),
            _ => {}
        }
        if new_qty == 0 {
            return Err(Reject::ZeroQuantity);
        }
        let e = *self.at(place, side, i);
        if self.resting_qty() - e.qty as u128 + new_qty as u128 > Qty::MAX as u128 {
            return Err(Reject::TooLarge);
        }
        let price = match (e.price, new_price) {
            (None, Some(_)) => {
                return Err(Reject::Unsupported("a market order has no price to change"));
            }
            (old, None) => old,
            (Some(_), Some(p)) => Some(p),
        };
        if price == e.price && new_qty <= e.qty {
            let cut = e.qty - new_qty;
            self.counters.cancelled += cut as u128;
            self.queue_mut(place, side)[i].qty = new_qty;
            return Ok(Submitted {
                id,
                filled: 0,
                resting: new_qty,
            });
        }
        let Some(p) = price else {
            return Err(Reject::Unsupported(
                "a market order's quantity can only be reduced",
            ));
        };
        if p <= 0 {
            return Err(Reject::BadPrice(p));
        }
        if self.phase == Phase::Continuous
            && place == Place::Book
            && e.post_only
            && self.would_cross(e.side, price)
        {
            return Err(Reject::PostOnlyWouldCross);
        }
        self.queue_mut(place, side).remove(i);
        self.counters.cancelled += e.qty as u128;
        self.counters.submitted += new_qty as u128;
        let seq = self.next_seq();
        let moved = Entry {
            price,
            qty: new_qty,
            seq,
            ..e
        };
        Ok(self.route(moved, out))
    }

    // ----- phases and auctions -------------------------------------------------------------

    /// Starts a call auction; a closing auction brings in the at-close orders.
    pub fn open_auction(&mut self, kind: AuctionKind) {
        self.phase = Phase::Auction(kind);
        if kind == AuctionKind::Close {
            for e in std::mem::take(&mut self.pending_close) {
                self.rest(e);
            }
        }
    }

    pub fn set_phase(&mut self, phase: Phase) {
        match phase {
            Phase::Auction(kind) => self.open_auction(kind),
            _ => self.phase = phase,
        }
    }

    /// Demand and supply at `p`: market orders plus limit orders willing to trade at `p`.
    fn demand_supply(&self, p: Price) -> (u128, u128) {
        let qty = |e: &Entry| e.qty as u128;
        let bids = self.bids.iter().filter(|e| e.price.is_some_and(|b| b >= p));
        let asks = self.asks.iter().filter(|e| e.price.is_some_and(|a| a <= p));
        let demand = self.auction_buys.iter().chain(bids).map(qty).sum();
        let supply = self.auction_sells.iter().chain(asks).map(qty).sum();
        (demand, supply)
    }

    /// The price an uncross would use now and what it would execute, if anything.
    pub fn indicative(&self, reference: Option<Price>) -> Option<AuctionOutcome> {
        let reference = reference.or(self.last_trade);
        let mut candidates: Vec<Price> = self
            .bids
            .iter()
            .chain(&self.asks)
            .filter_map(|e| e.price)
            .chain(reference)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        // Best first: most volume, then least imbalance, then nearest the reference, then the
        // lowest price.
        let key = |p: Price| {
            let (d, s) = self.demand_supply(p);
            let dist = reference.map_or(0, |r| (p as i128 - r as i128).unsigned_abs());
            (d.min(s), Reverse(d.abs_diff(s)), Reverse(dist), Reverse(p))
        };
        let price = candidates.into_iter().max_by_key(|&p| key(p))?;
        let (demand, supply) = self.demand_supply(price);
        let exec = demand.min(supply);
        if exec == 0 {
            return None;
        }
        Some(AuctionOutcome {
            price,
            qty: Qty::try_from(exec).unwrap_or(Qty::MAX),
            imbalance: demand as i128 - supply as i128,
        })
    }

    /// Which queue holds the first order in line on `side` for an uncross at `price` (at its
    /// front), if any: the market orders, then the book if its best order accepts `price`.
    fn auction_front(&self, side: Side, price: Price) -> Option<Place> {
        if !self.auction_queue(side).is_empty() {
            return Some(Place::AuctionMarket);
        }
        let first = self.book(side).first()?.price?;
        let willing = match side {
            Side::Buy => first >= price,
            Side::Sell => first <= price,
        };
        willing.then_some(Place::Book)
    }

    /// Executes `q` units of the order at the front of `place`, removing it when done.
    fn take_front(&mut self, place: Place, side: Side, q: Qty) {
        let queue = self.queue_mut(place, side);
        if queue[0].qty == q {
            queue.remove(0);
        } else {
            queue[0].qty -= q;
        }
    }

    pub fn uncross(
        &mut self,
        reference: Option<Price>,
        out: &mut Vec<BookEvent>,
    ) -> Option<AuctionOutcome> {
        let Phase::Auction(kind) = self.phase else {
            return None;
        };
        let outcome = self.indicative(reference);
        if let Some(o) = outcome {
            let mut left = o.qty;
            while left > 0 {
                let (Some(bp), Some(sp)) = (
                    self.auction_front(Side::Buy, o.price),
                    self.auction_front(Side::Sell, o.price),
                ) else {
                    break;
                };
                let b = self.queue(bp, Side::Buy)[0];
                let s = self.queue(sp, Side::Sell)[0];
                let q = left.min(b.qty).min(s.qty);
                out.push(BookEvent::Fill(Fill {
                    price: o.price,
                    qty: q,
                    buy_order: b.id,
                    sell_order: s.id,
                    buyer: b.agent,
                    seller: s.agent,
                    buy_motive: b.motive,
                    sell_motive: s.motive,
                    aggressor: None,
                }));
                self.counters.traded += q as u128;
                self.counters.trades += 1;
                self.take_front(bp, Side::Buy, q);
                self.take_front(sp, Side::Sell, q);
                left -= q;
            }
            self.last_trade = Some(o.price);
        }
        for side in [Side::Buy, Side::Sell] {
            while !self.auction_queue(side).is_empty() {
                self.remove(
                    Place::AuctionMarket,
                    side,
                    0,
                    CancelReason::AuctionUnfilled,
                    out,
                );
            }
        }
        if kind == AuctionKind::Close {
            self.remove_limits_where(
                |e| e.tif == TimeInForce::AtClose,
                CancelReason::AuctionUnfilled,
                out,
            );
        }
        self.phase = Phase::Continuous;
        outcome
    }

    /// Removes every limit order in the book matching `pred`, in sequence order.
    fn remove_limits_where(
        &mut self,
        pred: impl Fn(&Entry) -> bool,
        reason: CancelReason,
        out: &mut Vec<BookEvent>,
    ) -> usize {
        let mut ids: Vec<(u64, OrderId)> = self
            .bids
            .iter()
            .chain(&self.asks)
            .filter(|e| pred(e))
            .map(|e| (e.seq, e.id))
            .collect();
        ids.sort_unstable();
        for &(_, id) in &ids {
            if let Some((place, side, i)) = self.find(id) {
                self.remove(place, side, i, reason, out);
            }
        }
        ids.len()
    }

    /// Cancels every day limit order in the book, in sequence order; returns how many.
    pub fn expire_day_orders(&mut self, out: &mut Vec<BookEvent>) -> usize {
        self.remove_limits_where(|e| e.tif == TimeInForce::Day, CancelReason::Expired, out)
    }

    /// Adds `by` to the price of every resting limit order (book and at-close), or, if one
    /// would fall below 1 (or overflow), changes nothing and names the price the furthest
    /// order would reach.
    pub fn shift(&mut self, by: Price) -> Result<(), Reject> {
        let priced = (self.bids.iter())
            .chain(&self.asks)
            .chain(&self.pending_close)
            .filter_map(|e| e.price);
        let far = if by < 0 { priced.min() } else { priced.max() };
        if let Some(p) = far
            && p.checked_add(by).is_none_or(|q| q < 1)
        {
            return Err(Reject::BadPrice(p.saturating_add(by)));
        }
        for e in (self.bids.iter_mut())
            .chain(&mut self.asks)
            .chain(&mut self.pending_close)
        {
            if let Some(p) = &mut e.price {
                *p += by;
            }
        }
        Ok(())
    }
}

impl MatchingEngine for ReferenceBook {
    fn submit(&mut self, order: NewOrder, out: &mut Vec<BookEvent>) -> Result<Submitted, Reject> {
        ReferenceBook::submit(self, order, out)
    }
    fn cancel(&mut self, id: OrderId, out: &mut Vec<BookEvent>) -> Result<Qty, Reject> {
        ReferenceBook::cancel(self, id, out)
    }
    fn modify(
        &mut self,
        id: OrderId,
        new_price: Option<Price>,
        new_qty: Qty,
        out: &mut Vec<BookEvent>,
    ) -> Result<Submitted, Reject> {
        ReferenceBook::modify(self, id, new_price, new_qty, out)
    }
    fn open_auction(&mut self, kind: AuctionKind) {
        ReferenceBook::open_auction(self, kind)
    }
    fn uncross(
        &mut self,
        reference: Option<Price>,
        out: &mut Vec<BookEvent>,
    ) -> Option<AuctionOutcome> {
        ReferenceBook::uncross(self, reference, out)
    }
    fn indicative(&self, reference: Option<Price>) -> Option<AuctionOutcome> {
        ReferenceBook::indicative(self, reference)
    }
    fn set_phase(&mut self, phase: Phase) {
        ReferenceBook::set_phase(self, phase)
    }
    fn expire_day_orders(&mut self, out: &mut Vec<BookEvent>) -> usize {
        ReferenceBook::expire_day_orders(self, out)
    }
    fn shift(&mut self, by: Price) -> Result<(), Reject> {
        ReferenceBook::shift(self, by)
    }
    fn best_bid(&self) -> Option<LevelView> {
        ReferenceBook::best_bid(self)
    }
    fn best_ask(&self) -> Option<LevelView> {
        ReferenceBook::best_ask(self)
    }
}
