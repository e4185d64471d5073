//! Order-level replay of a LOBSTER message file through [`OrderBook`], in book-building mode:
//! the messages say what happened (adds, cancels, executions) and the book is rebuilt from them
//! without matching anything itself.
//!
//! * One book order per LOBSTER order id (a `HashMap` from the LOBSTER id to the book's
//!   [`OrderId`]); every new order is post-only, so the book never trades on its own.
//! * Orders that existed before the file starts are unknown individually: the first orderbook
//!   row (with the first message undone) seeds one synthetic order per price level. A cancel or
//!   execution of an order never seen takes its size from the synthetic order at its price.
//! * Partial cancels and executions reduce the order in place (`modify` to a smaller quantity
//!   keeps its time priority); deletions and complete executions cancel it. Executions (visible
//!   and hidden) and cross trades are recorded as [`Trade`]s by the replay, since the book did
//!   not match them.
//! * The depth window (see `tests/data/lobster/README.md`): LOBSTER's message file only carries
//!   events inside the file's L levels, so what happens deeper is unknown. After writing the
//!   book for a message, the replay (1) forgets every level beyond the window edge, and (2)
//!   re-seeds, from the orderbook row of that message, any level beyond the previous edge (it
//!   entered the window from depth the messages never described). The written row is produced
//!   before that row is consulted, so each output row depends only on the messages up to it and
//!   on orderbook rows *before* it.
//!
//! * Halts (type 7) are counted and leave the book's phase alone: whatever the file reports
//!   during a halt is still what happened to the book.
//!
//! Prices are converted from LOBSTER units (dollars × 10 000) to ticks by an exact division by
//! the tick size, and back when writing.

use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

use crate::book::{
    AgentId, BookEvent, LevelView, Motive, NewOrder, OrderBook, OrderId, Price, Qty, Reject, Side,
};

use super::lobster::{
    EMPTY_ASK, EMPTY_BID, LobsterError, Message, MessageFile, MessageType, OrderbookFile,
    check_aligned,
};

/// The agent of synthetic orders (seed volume whose individual orders are unknown).
pub const SEED_AGENT: AgentId = AgentId(0);
/// The agent of real LOBSTER orders.
pub const LOBSTER_AGENT: AgentId = AgentId(1);

/// A failure of the replay (bad files are reported by [`LobsterError`]).
#[derive(Debug, Error)]
pub enum ReplayError {
    #[error(transparent)]
    File(#[from] LobsterError),
    #[error("{levels} output levels asked, but the orderbook file has {file_levels}")]
    Levels { levels: usize, file_levels: usize },
    #[error("the message and orderbook data are empty or inconsistent in shape")]
    Shape,
    #[error("the tick size must be positive, not {0}")]
    Tick(i64),
    #[error(
        "{file}:{line}: price {price} is not a multiple of the tick size {tick} \
         (is the tick size right?)"
    )]
    OffTick {
        file: String,
        line: u64,
        price: i64,
        tick: i64,
    },
    #[error("{file}:{line}: the book refused to {action}: {reject}")]
    Book {
        file: String,
        line: u64,
        action: &'static str,
        reject: Reject,
    },
}

/// How to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayConfig {
    /// Levels to write (at most the file's L). `None`: the file's L.
    pub levels: Option<usize>,
    /// Tick size in LOBSTER price units; `None`: detected by [`detect_tick`] (e.g. 100 = one
    /// cent).
    pub tick: Option<i64>,
    /// Apply the depth-window rule (forget beyond level L, re-seed levels entering from depth).
    pub window: bool,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        ReplayConfig {
            levels: None,
            tick: None,
            window: true,
        }
    }
}

/// A trade recorded by the replay (LOBSTER units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trade {
    pub time_ns: u64,
    /// Dollars × 10 000.
    pub price: i64,
    pub size: Qty,
    pub kind: MessageType,
    /// The aggressor: the side opposite the resting order (`None` for a cross).
    pub aggressor: Option<Side>,
}

/// Counts of what the replay did, including every departure from a perfectly consistent file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplayStats {
    pub messages: usize,
    pub adds: usize,
    pub partial_cancels: usize,
    pub deletions: usize,
    pub visible_executions: usize,
    pub hidden_executions: usize,
    pub crosses: usize,
    pub halts: usize,
    /// Synthetic levels created from the first orderbook row.
    pub seed_levels: usize,
    /// Levels re-seeded from the orderbook file when they entered the window from depth.
    pub reseeded_levels: usize,
    /// Levels dropped because they lay beyond the window edge.
    pub forgotten_levels: usize,
    /// Cancels and executions of orders never seen, taken from synthetic volume at the price.
    pub unseen_order_reductions: usize,
    /// Reductions larger than what the book held at that order or price (never in a
    /// consistent file).
    pub shortfalls: usize,
    /// Unseen-order reductions at a price with no synthetic volume, taken from the real orders
    /// there in time priority (never in a consistent file).
    pub unattributed_reductions: usize,
    /// Deletions whose size differed from the order's remaining size.
    pub deletion_size_mismatches: usize,
    /// New orders whose id was already live (the old one is replaced).
    pub duplicate_ids: usize,
    /// Stale opposite levels removed because a new order would have crossed them.
    pub stale_levels_uncrossed: usize,
    /// The most orders resting at once.
    pub peak_orders: usize,
}

/// The replayed book after every message.
#[derive(Clone, Debug)]
pub struct ReplayOutput {
    /// Levels per row.
    pub levels: usize,
    /// Levels of the orderbook file (the depth window).
    pub window_levels: usize,
    /// Tick size in LOBSTER price units.
    pub tick: i64,
    /// Rows in LOBSTER's orderbook layout, row-major, `4·levels` values per row.
    pub values: Vec<i64>,
    pub trades: Vec<Trade>,
    pub stats: ReplayStats,
}

impl ReplayOutput {
    pub fn rows(&self) -> usize {
        self.values.len() / (4 * self.levels).max(1)
    }
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// Does the message's price have to lie on the book's tick grid? Adds, cancels and visible
/// executions do; hidden executions and crosses may trade between ticks (a midpoint peg
/// trades at half a cent), and they never touch the book.
fn on_grid(kind: MessageType) -> bool {
    matches!(
        kind,
        MessageType::Add
            | MessageType::PartialCancel
            | MessageType::Delete
            | MessageType::ExecuteVisible
    )
}

/// The tick size: the greatest common divisor of the prices of every add, cancel and visible
/// execution and of every occupied level of the orderbook file (1 if there is none).
pub fn detect_tick(messages: &MessageFile, book: &OrderbookFile) -> i64 {
    let mut g = 0;
    for m in &messages.messages {
        if on_grid(m.kind) {
            g = gcd(g, m.price);
        }
    }
    for pair in book.values.chunks_exact(2) {
        if pair[1] > 0 {
            g = gcd(g, pair[0]);
        }
    }
    g.max(1)
}

/// Side of the book a half-level of an orderbook row belongs to: even pair index = ask.
fn file_side(pair_index: usize) -> Side {
    if pair_index % 2 == 0 {
        Side::Sell
    } else {
        Side::Buy
    }
}

/// A multiplicative hasher for the replay's integer keys (ids and prices): the default SipHash
/// was a sixth of the replay time. Keys come from the file being replayed, so resistance to
/// crafted collisions is not needed.
#[derive(Default, Clone, Copy)]
struct IntHasher(u64);

impl std::hash::Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_isize(&mut self, v: isize) {
        self.write_u64(v as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IntHasher>>;

/// Where a real order rests.
#[derive(Clone, Copy, Debug)]
struct Live {
    id: OrderId,
    side: Side,
    price: Price,
}

struct Replayer<'a> {
    file: &'a MessageFile,
    tick: i64,
    book: OrderBook,
    events: Vec<BookEvent>,
    /// LOBSTER id -> book order.
    orders: IntMap<u64, Live>,
    /// LOBSTER ids resting at each (side, price), in arrival order.
    at_price: IntMap<(Side, Price), Vec<u64>>,
    /// The synthetic order at each (side, price).
    seeds: IntMap<(Side, Price), OrderId>,
    /// Window edges in ticks: the deepest price known to be inside the window (`None`: the
    /// whole side is known because it had fewer than L levels).
    edge_ask: Option<Price>,
    edge_bid: Option<Price>,
    scratch: Vec<LevelView>,
    file_levels: Vec<(Price, Qty)>,
    drop: Vec<Price>,
    stats: ReplayStats,
    line: u64,
}

/// Is `p` beyond `edge` on `side` (further from the spread)?
fn beyond(side: Side, p: Price, edge: Option<Price>) -> bool {
    match (side, edge) {
        (_, None) => false,
        (Side::Sell, Some(e)) => p > e,
        (Side::Buy, Some(e)) => p < e,
    }
}

impl<'a> Replayer<'a> {
    fn refused(&self, action: &'static str, reject: Reject) -> ReplayError {
        ReplayError::Book {
            file: self.file.path.display().to_string(),
            line: self.line,
            action,
            reject,
        }
    }

    fn live_qty(&self, id: OrderId) -> Qty {
        self.book.order(id).map_or(0, |o| o.qty)
    }

    /// Enters an order without letting it trade: a level on the other side that it would cross
    /// can only be stale state, and is removed first.
    fn rest(
        &mut self,
        side: Side,
        price: Price,
        qty: Qty,
        agent: AgentId,
    ) -> Result<OrderId, ReplayError> {
        let order = NewOrder::limit(side, price, qty, agent, Motive::Replay).post_only();
        loop {
            self.events.clear();
            match self.book.submit(order, &mut self.events) {
                Ok(s) => return Ok(s.id),
                Err(Reject::PostOnlyWouldCross) => {
                    let opposite = side.opposite();
                    let best = match opposite {
                        Side::Buy => self.book.best_bid(),
                        Side::Sell => self.book.best_ask(),
                    };
                    match best {
                        Some(l) => {
                            self.clear_level(opposite, l.price)?;
                            self.stats.stale_levels_uncrossed += 1;
                        }
                        None => {
                            return Err(self.refused("enter an order", Reject::PostOnlyWouldCross));
                        }
                    }
                }
                Err(r) => return Err(self.refused("enter an order", r)),
            }
        }
    }

    /// Sets an order to `new_qty`, cancelling it at zero.
    fn reduce_to(&mut self, id: OrderId, new_qty: Qty) -> Result<(), ReplayError> {
        self.events.clear();
        if new_qty == 0 {
            self.book
                .cancel(id, &mut self.events)
                .map_err(|r| self.refused("cancel an order", r))?;
        } else {
            self.book
                .modify(id, None, new_qty, &mut self.events)
                .map_err(|r| self.refused("reduce an order", r))?;
        }
        Ok(())
    }

    /// Removes every order at (side, price), real and synthetic.
    fn clear_level(&mut self, side: Side, price: Price) -> Result<(), ReplayError> {
        if let Some(id) = self.seeds.remove(&(side, price)) {
            self.reduce_to(id, 0)?;
        }
        if let Some(ids) = self.at_price.remove(&(side, price)) {
            for lid in ids {
                if let Some(live) = self.orders.remove(&lid) {
                    self.reduce_to(live.id, 0)?;
                }
            }
        }
        Ok(())
    }

    fn forget_id(&mut self, lid: u64, live: Live) {
        if let Some(v) = self.at_price.get_mut(&(live.side, live.price)) {
            if let Some(pos) = v.iter().position(|&x| x == lid) {
                v.remove(pos);
            }
            if v.is_empty() {
                self.at_price.remove(&(live.side, live.price));
            }
        }
    }

    fn add_seed(&mut self, side: Side, price: Price, qty: Qty) -> Result<(), ReplayError> {
        if qty == 0 {
            return Ok(());
        }
        match self.seeds.get(&(side, price)).copied() {
            Some(id) => {
                let q = self.live_qty(id);
                self.events.clear();
                self.book
                    .modify(id, None, q.saturating_add(qty), &mut self.events)
                    .map_err(|r| self.refused("grow a synthetic order", r))?;
            }
            None => {
                let id = self.rest(side, price, qty, SEED_AGENT)?;
                self.seeds.insert((side, price), id);
            }
        }
        Ok(())
    }

    /// Takes `size` from the synthetic volume at (side, price); failing that, from the real
    /// orders there in time priority.
    fn reduce_unseen(&mut self, side: Side, price: Price, size: Qty) -> Result<(), ReplayError> {
        self.stats.unseen_order_reductions += 1;
        let mut left = size;
        if let Some(id) = self.seeds.get(&(side, price)).copied() {
            let q = self.live_qty(id);
            let take = left.min(q);
            if take == q {
                self.seeds.remove(&(side, price));
            }
            self.reduce_to(id, q - take)?;
            left -= take;
        } else if self.at_price.contains_key(&(side, price)) {
            self.stats.unattributed_reductions += 1;
            while left > 0 {
                let Some(&lid) = self.at_price.get(&(side, price)).and_then(|v| v.first()) else {
                    break;
                };
                let Some(live) = self.orders.get(&lid).copied() else {
                    self.forget_id(
                        lid,
                        Live {
                            id: OrderId(0),
                            side,
                            price,
                        },
                    );
                    continue;
                };
                let q = self.live_qty(live.id);
                let take = left.min(q);
                if take == q {
                    self.orders.remove(&lid);
                    self.forget_id(lid, live);
                }
                self.reduce_to(live.id, q - take)?;
                left -= take;
            }
        }
        if left > 0 {
            self.stats.shortfalls += 1;
        }
        Ok(())
    }

    /// A partial cancel, deletion or execution of `size` of order `lid`.
    fn reduce(
        &mut self,
        m: &Message,
        side: Side,
        price: Price,
        full: bool,
    ) -> Result<(), ReplayError> {
        let Some(live) = self.orders.get(&m.order_id).copied() else {
            return self.reduce_unseen(side, price, m.size);
        };
        let q = self.live_qty(live.id);
        if full && m.size != q {
            self.stats.deletion_size_mismatches += 1;
        }
        if m.size > q {
            self.stats.shortfalls += 1;
        }
        let new_qty = if full { 0 } else { q.saturating_sub(m.size) };
        if new_qty == 0 {
            self.orders.remove(&m.order_id);
            self.forget_id(m.order_id, live);
        }
        self.reduce_to(live.id, new_qty)
    }

    fn add(&mut self, m: &Message, side: Side, price: Price) -> Result<(), ReplayError> {
        if let Some(old) = self.orders.remove(&m.order_id) {
            self.stats.duplicate_ids += 1;
            self.forget_id(m.order_id, old);
            if self.book.order(old.id).is_some() {
                self.reduce_to(old.id, 0)?;
            }
        }
        let id = self.rest(side, price, m.size, LOBSTER_AGENT)?;
        self.orders.insert(m.order_id, Live { id, side, price });
        self.at_price
            .entry((side, price))
            .or_default()
            .push(m.order_id);
        self.stats.peak_orders = self
            .stats
            .peak_orders
            .max(self.orders.len() + self.seeds.len());
        Ok(())
    }

    fn apply(
        &mut self,
        m: &Message,
        price: Price,
        trades: &mut Vec<Trade>,
    ) -> Result<(), ReplayError> {
        self.line = m.line;
        let side = m.side();
        match (m.kind, side) {
            (MessageType::Add, Some(s)) => {
                self.stats.adds += 1;
                self.add(m, s, price)?;
            }
            (MessageType::PartialCancel, Some(s)) => {
                self.stats.partial_cancels += 1;
                self.reduce(m, s, price, false)?;
            }
            (MessageType::Delete, Some(s)) => {
                self.stats.deletions += 1;
                self.reduce(m, s, price, true)?;
            }
            (MessageType::ExecuteVisible, Some(s)) => {
                self.stats.visible_executions += 1;
                self.reduce(m, s, price, false)?;
            }
            (MessageType::ExecuteHidden, _) => self.stats.hidden_executions += 1,
            (MessageType::Cross, _) => self.stats.crosses += 1,
            (MessageType::Halt, _) => self.stats.halts += 1,
            // the parser only lets types 6 and 7 have direction 0
            (_, None) => {}
        }
        if matches!(
            m.kind,
            MessageType::ExecuteVisible | MessageType::ExecuteHidden | MessageType::Cross
        ) {
            trades.push(Trade {
                time_ns: m.time_ns,
                price: m.price,
                size: m.size,
                kind: m.kind,
                aggressor: match m.kind {
                    MessageType::Cross => None,
                    _ => side.map(Side::opposite),
                },
            });
        }
        Ok(())
    }

    /// Appends the top `levels` of both sides in LOBSTER's layout.
    fn write_row(&mut self, levels: usize, out: &mut Vec<i64>) {
        let start = out.len();
        out.resize(start + 4 * levels, 0);
        let row = &mut out[start..];
        for i in 0..levels {
            row[4 * i] = EMPTY_ASK;
            row[4 * i + 2] = EMPTY_BID;
        }
        self.book.depth_into(Side::Sell, levels, &mut self.scratch);
        for (i, l) in self.scratch.iter().enumerate() {
            row[4 * i] = l.price * self.tick;
            row[4 * i + 1] = l.qty as i64;
        }
        self.book.depth_into(Side::Buy, levels, &mut self.scratch);
        for (i, l) in self.scratch.iter().enumerate() {
            row[4 * i + 2] = l.price * self.tick;
            row[4 * i + 3] = l.qty as i64;
        }
    }

    /// The depth-window rule after a message, given the orderbook row of that message (in
    /// ticks).
    fn adopt(&mut self, truth: &[i64], window_levels: usize) -> Result<(), ReplayError> {
        for side in [Side::Sell, Side::Buy] {
            let off = if side == Side::Sell { 0 } else { 2 };
            let mut file_levels = std::mem::take(&mut self.file_levels);
            file_levels.clear();
            file_levels.extend(
                (0..window_levels)
                    .map(|i| (truth[4 * i + off], truth[4 * i + off + 1]))
                    .filter(|&(_, q)| q > 0)
                    .map(|(p, q)| (p, q as Qty)),
            );
            let new_edge = if file_levels.len() >= window_levels {
                file_levels.last().map(|&(p, _)| p)
            } else {
                None
            };
            let old_edge = match side {
                Side::Sell => self.edge_ask,
                Side::Buy => self.edge_bid,
            };
            // our levels beyond either edge are unknowable: drop them
            self.book.depth_into(side, usize::MAX, &mut self.scratch);
            let mut drop = std::mem::take(&mut self.drop);
            drop.clear();
            drop.extend(
                self.scratch
                    .iter()
                    .map(|l| l.price)
                    .filter(|&p| beyond(side, p, old_edge) || beyond(side, p, new_edge)),
            );
            for &p in &drop {
                self.clear_level(side, p)?;
                self.stats.forgotten_levels += 1;
            }
            // levels that entered from beyond the old edge take the file's size
            for &(p, q) in &file_levels {
                if beyond(side, p, old_edge) {
                    self.add_seed(side, p, q)?;
                    self.stats.reseeded_levels += 1;
                }
            }
            self.drop = drop;
            self.file_levels = file_levels;
            match side {
                Side::Sell => self.edge_ask = new_edge,
                Side::Buy => self.edge_bid = new_edge,
            }
        }
        Ok(())
    }
}

/// Validated input in ticks, ready to replay: [`prepare`] checks the shapes, finds the tick and
/// converts every price once, so that [`Prepared::run`] is the replay alone.
#[derive(Clone, Debug)]
pub struct Prepared<'a> {
    messages: &'a MessageFile,
    book: &'a OrderbookFile,
    levels: usize,
    tick: i64,
    window: bool,
    /// Price of each message in ticks (0 where it is off the grid or absent).
    message_ticks: Vec<Price>,
    /// The orderbook file with prices in ticks (0 for an empty level).
    book_ticks: Vec<i64>,
}

/// Checks and converts the input; see [`Prepared`].
pub fn prepare<'a>(
    messages: &'a MessageFile,
    book: &'a OrderbookFile,
    config: &ReplayConfig,
) -> Result<Prepared<'a>, ReplayError> {
    check_aligned(messages, book)?;
    if messages.messages.is_empty()
        || book.levels == 0
        || book.values.len() != 4 * book.levels * book.rows()
    {
        return Err(ReplayError::Shape);
    }
    let levels = config.levels.unwrap_or(book.levels);
    if levels == 0 || levels > book.levels {
        return Err(ReplayError::Levels {
            levels,
            file_levels: book.levels,
        });
    }
    let tick = config.tick.unwrap_or_else(|| detect_tick(messages, book));
    if tick <= 0 {
        return Err(ReplayError::Tick(tick));
    }
    let off_tick = |file: &std::path::Path, line: u64, price: i64| ReplayError::OffTick {
        file: file.display().to_string(),
        line,
        price,
        tick,
    };
    let mut message_ticks = Vec::with_capacity(messages.messages.len());
    for m in &messages.messages {
        if on_grid(m.kind) {
            if m.price % tick != 0 {
                return Err(off_tick(&messages.path, m.line, m.price));
            }
            message_ticks.push(m.price / tick);
        } else {
            message_ticks.push(0);
        }
    }
    let w = 4 * book.levels;
    let mut book_ticks = Vec::with_capacity(book.values.len());
    for (r, row) in book.values.chunks_exact(w).enumerate() {
        for pair in row.chunks_exact(2) {
            let (p, q) = (pair[0], pair[1]);
            if q > 0 {
                if p % tick != 0 {
                    return Err(off_tick(&book.path, book.lines[r], p));
                }
                book_ticks.extend([p / tick, q]);
            } else {
                book_ticks.extend([0, 0]);
            }
        }
    }
    Ok(Prepared {
        messages,
        book,
        levels,
        tick,
        window: config.window,
        message_ticks,
        book_ticks,
    })
}

impl Prepared<'_> {
    /// The tick size in LOBSTER price units.
    pub fn tick(&self) -> i64 {
        self.tick
    }

    /// Output levels per row.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Replays the messages and returns the book after each one.
    pub fn run(&self) -> Result<ReplayOutput, ReplayError> {
        let (messages, book) = (self.messages, self.book);
        let window_levels = book.levels;
        let w = 4 * window_levels;
        let book_row = |i: usize| &self.book_ticks[i * w..(i + 1) * w];
        let mut r = Replayer {
            file: messages,
            tick: self.tick,
            book: OrderBook::with_capacity(Default::default(), 1 << 12),
            events: Vec::with_capacity(16),
            orders: IntMap::with_capacity_and_hasher(1 << 12, Default::default()),
            at_price: IntMap::default(),
            seeds: IntMap::default(),
            edge_ask: None,
            edge_bid: None,
            scratch: Vec::with_capacity(64),
            file_levels: Vec::with_capacity(window_levels),
            drop: Vec::new(),
            stats: ReplayStats::default(),
            line: messages.messages[0].line,
        };

        // Seed: the first orderbook row with the first message undone.
        let first = &messages.messages[0];
        let mut seed: HashMap<(Side, Price), i128> = HashMap::new();
        for (j, pair) in book_row(0).chunks_exact(2).enumerate() {
            if pair[1] > 0 {
                *seed.entry((file_side(j), pair[0])).or_default() += pair[1] as i128;
            }
        }
        if let Some(side) = first.side() {
            let undo = match first.kind {
                MessageType::Add => -(first.size as i128),
                MessageType::PartialCancel | MessageType::Delete | MessageType::ExecuteVisible => {
                    first.size as i128
                }
                _ => 0,
            };
            if undo != 0 {
                *seed.entry((side, self.message_ticks[0])).or_default() += undo;
            }
        }
        let mut seed: Vec<((Side, Price), i128)> =
            seed.into_iter().filter(|&(_, q)| q > 0).collect();
        seed.sort_unstable_by_key(|&((s, p), _)| (s == Side::Buy, p));
        for &((side, price), q) in &seed {
            let q = Qty::try_from(q).unwrap_or(Qty::MAX);
            r.add_seed(side, price, q)?;
            r.stats.seed_levels += 1;
        }
        if self.window {
            for side in [Side::Sell, Side::Buy] {
                let mut prices: Vec<Price> = seed
                    .iter()
                    .filter(|((s, _), _)| *s == side)
                    .map(|&((_, p), _)| p)
                    .collect();
                prices.sort_unstable();
                let edge = (prices.len() >= window_levels)
                    .then(|| match side {
                        Side::Sell => prices.last().copied(),
                        Side::Buy => prices.first().copied(),
                    })
                    .flatten();
                match side {
                    Side::Sell => r.edge_ask = edge,
                    Side::Buy => r.edge_bid = edge,
                }
            }
        }

        let n = messages.messages.len();
        let mut values = Vec::with_capacity(n * 4 * self.levels);
        let mut trades = Vec::new();
        for (i, m) in messages.messages.iter().enumerate() {
            r.apply(m, self.message_ticks[i], &mut trades)?;
            r.write_row(self.levels, &mut values);
            if self.window {
                r.line = book.lines[i];
                r.adopt(book_row(i), window_levels)?;
            }
        }
        r.stats.messages = n;
        Ok(ReplayOutput {
            levels: self.levels,
            window_levels,
            tick: self.tick,
            values,
            trades,
            stats: r.stats,
        })
    }
}

/// Replays `messages` against `book` (the LOBSTER orderbook file of the same rows) and returns
/// the replayed book after every message: [`prepare`] then [`Prepared::run`].
pub fn replay(
    messages: &MessageFile,
    book: &OrderbookFile,
    config: &ReplayConfig,
) -> Result<ReplayOutput, ReplayError> {
    prepare(messages, book, config)?.run()
}
