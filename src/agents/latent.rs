//! A latent order book: the slow institutional demand that is mostly not displayed (Tóth et
//! al. 2011; Donier, Bonart, Mastromatteo & Bouchaud 2015).
//!
//! Each value trader in `limit = "latent"` mode carries a density of intended buy orders below
//! the price and sell orders above it, on a grid of one cell per tick. The density follows the
//! locally linear order book's dynamics: new intentions are deposited at a constant rate on
//! each side of the current mid, old ones are cancelled at rate ν, and each one's price is
//! revised at random (diffusion D). Everyone also revises with the fundamental: a move in
//! value shifts the whole density. In the stationary state the density is `far·(1 − e^{−x/ξ})`
//! at x ticks from the mid (`far = λ/ν`, `ξ = √(D/ν)`): linear near the price, because what
//! reached the price has traded. Only the part within a few ticks of the mid is displayed (as
//! the price approaches an intention it is revealed), and whatever is on the wrong side of the
//! mid is sent at once. Executions remove intentions; nothing else does, so a metaorder digs a
//! hole that refills only as new intentions arrive and old ones diffuse in.
//!
//! That memory is what makes impact concave and transient: the price has to travel further
//! into a V-shaped density to meet each additional unit (I ≈ √(2Q/L) with `L = far/ξ`), and
//! once the metaorder stops the hole refills, so the price relaxes back.

use crate::book::{Price, Side};
use crate::scenario::{LatentCfg, LatentPopulationCfg};

/// One trader's latent book on a grid of one cell per tick: one population of intentions, or
/// a slow and a fast one sharing the grid. Each population evolves on its own; what is shown,
/// executed or annihilated at a price is their sum there, taken from each in proportion.
#[derive(Clone, Debug)]
pub struct LatentBook {
    /// The price (ticks) of cell 0.
    origin: Price,
    /// The slow population first, then the fast one if any.
    layers: Vec<Layer>,
    /// Value shift (ticks) not yet applied: the density moves by whole cells.
    carry: f64,
    /// Scratch for the tridiagonal solve of the diffusion step.
    scratch: Vec<f64>,
    /// Every bid cell at or above `bid_end`, and every ask cell below `ask_start`, holds less
    /// than one unit, so it shows and annihilates nothing: decisions scan from these instead
    /// of from the grid's ends. Reset where cells can grow (deposits, diffusion, new cells);
    /// executions and annihilation only shrink cells, so the bounds stay true.
    bid_end: usize,
    ask_start: usize,
}

/// One population of intentions: its density on each side and its rates.
#[derive(Clone, Debug)]
struct Layer {
    bid: Vec<f64>,
    ask: Vec<f64>,
    /// Stationary density far from the price (units per tick): λ/ν.
    far: f64,
    /// Cancellation rate ν, per session day.
    nu: f64,
    /// Diffusion D, ticks² per session day.
    diffusion: f64,
    /// Width of the depleted region around the price, ξ = √(D/ν), in ticks.
    width: f64,
    /// Where the population's own V stands (ticks): it moves with value, and relaxes towards
    /// the mid as intentions deposited around the mid replace old ones (rate ν). Cells that
    /// come onto the grid (after a shift or a recentring) take the stationary profile around
    /// it, so after a fall of value beyond the grid everything above value is a sell.
    anchor: f64,
}

/// One population's parameters in ticks and units, for one trader.
#[derive(Clone, Copy, Debug)]
pub struct LayerParams {
    /// λ/ν in units per tick.
    pub far: f64,
    /// ξ in ticks.
    pub width: f64,
    /// ν per session day.
    pub nu: f64,
}

/// The latent book's parameters in ticks and units, for one trader.
#[derive(Clone, Copy, Debug)]
pub struct LatentParams {
    pub slow: LayerParams,
    pub fast: Option<LayerParams>,
    /// Grid half-width in ticks.
    pub span: usize,
    /// Log valuation change per unit bought (0: no lean on holdings).
    pub lean_per_unit: f64,
}

impl LatentParams {
    /// This trader's share (`1/count`) of the class's latent demand, converted at `price_usd`
    /// (the instrument's initial price) and its tick and unit size.
    pub fn new(cfg: &LatentCfg, count: u32, price_usd: f64, tick: f64, notional: f64) -> Self {
        let unit_usd = price_usd * notional;
        let ticks_per_pct = 0.01 * price_usd / tick;
        let layer = |c: &LatentPopulationCfg| LayerParams {
            far: c.far_usd_per_pct / unit_usd / ticks_per_pct / count.max(1) as f64,
            width: (c.width * price_usd / tick).max(1.0),
            nu: 1.0 / c.memory_days,
        };
        LatentParams {
            slow: layer(&cfg.slow()),
            fast: cfg.fast.as_ref().map(layer),
            span: ((cfg.span * price_usd / tick).ceil() as usize).max(8),
            lean_per_unit: if cfg.elasticity_usd_per_pct > 0.0 {
                0.01 * unit_usd * count.max(1) as f64 / cfg.elasticity_usd_per_pct
            } else {
                0.0
            },
        }
    }

    /// The slope of the stationary density at the price, L = Σ far/ξ, in units per tick².
    #[cfg(test)]
    pub fn slope(&self) -> f64 {
        self.slow.far / self.slow.width + self.fast.map_or(0.0, |f| f.far / f.width)
    }
}

impl Layer {
    /// The stationary population around `anchor`, on `n` cells from `origin`.
    fn new(p: LayerParams, origin: Price, n: usize, anchor: f64) -> Self {
        let mut layer = Layer {
            bid: vec![0.0; n],
            ask: vec![0.0; n],
            far: p.far,
            nu: p.nu,
            diffusion: p.width * p.width * p.nu,
            width: p.width,
            anchor,
        };
        layer.fill(origin, 0, n);
        layer
    }

    /// Sets cells `from..to` (cell 0 at `origin`) to the stationary profile around the anchor.
    fn fill(&mut self, origin: Price, from: usize, to: usize) {
        for k in from..to {
            let x = (origin + k as Price) as f64 - self.anchor;
            let depth = self.far * (1.0 - (-x.abs() / self.width).exp());
            let (b, a) = if x < 0.0 { (depth, 0.0) } else { (0.0, depth) };
            self.bid[k] = b;
            self.ask[k] = a;
        }
    }

    /// Moves every intention up by `by` cells; cells left empty take the stationary profile
    /// around the anchor.
    fn shift(&mut self, origin: Price, by: i64) {
        let n = self.bid.len();
        let m = by.unsigned_abs() as usize;
        if m >= n {
            self.fill(origin, 0, n);
        } else if by > 0 {
            self.bid.copy_within(0..n - m, m);
            self.ask.copy_within(0..n - m, m);
            self.fill(origin, 0, m);
        } else {
            self.bid.copy_within(m..n, 0);
            self.ask.copy_within(m..n, 0);
            self.fill(origin, n - m, n);
        }
    }

    /// `dt` session days of deposits (on each side of `mid`), cancellations and diffusion.
    fn evolve(&mut self, origin: Price, dt: f64, mid: f64, scratch: &mut [f64]) {
        let keep = (-self.nu * dt).exp();
        let deposit = self.far * (1.0 - keep);
        self.anchor = mid + (self.anchor - mid) * keep;
        for k in 0..self.bid.len() {
            let p = (origin + k as Price) as f64;
            self.bid[k] = self.bid[k] * keep + if p < mid { deposit } else { 0.0 };
            self.ask[k] = self.ask[k] * keep + if p > mid { deposit } else { 0.0 };
        }
        diffuse(&mut self.bid, &mut self.ask, self.diffusion * dt, scratch);
    }
}

/// Takes `qty` from cell `k` of one side of the populations, in proportion to what each holds
/// there (the last takes the remainder, so a single population loses exactly `qty`).
fn take(layers: &mut [Layer], side: Side, k: usize, qty: f64) {
    let total = sum_at(layers, side, k);
    let mut left = qty;
    let last = layers.len() - 1;
    for (j, l) in layers.iter_mut().enumerate() {
        let v = match side {
            Side::Buy => &mut l.bid[k],
            Side::Sell => &mut l.ask[k],
        };
        if j == last {
            *v = (*v - left).max(0.0);
        } else if total > 0.0 {
            let part = qty * *v / total;
            *v = (*v - part).max(0.0);
            left -= part;
        }
    }
}

/// The populations' intentions in cell `k` on `side`.
fn sum_at(layers: &[Layer], side: Side, k: usize) -> f64 {
    let at = |l: &Layer| match side {
        Side::Buy => l.bid[k],
        Side::Sell => l.ask[k],
    };
    let mut s = at(&layers[0]);
    for l in &layers[1..] {
        s += at(l);
    }
    s
}

impl LatentBook {
    /// The stationary book around `mid` (ticks).
    pub fn new(p: LatentParams, mid: f64) -> Self {
        let n = 2 * p.span + 1;
        let origin = mid.round() as Price - p.span as Price;
        let mut layers = vec![Layer::new(p.slow, origin, n, mid)];
        layers.extend(p.fast.map(|f| Layer::new(f, origin, n, mid)));
        let mut book = LatentBook {
            origin,
            layers,
            carry: 0.0,
            scratch: vec![0.0; n],
            bid_end: n,
            ask_start: 0,
        };
        book.bound();
        book
    }

    fn bid(&self, k: usize) -> f64 {
        sum_at(&self.layers, Side::Buy, k)
    }

    fn ask(&self, k: usize) -> f64 {
        sum_at(&self.layers, Side::Sell, k)
    }

    /// Resets `bid_end` and `ask_start` to the first cells from the grid's ends holding a
    /// unit or more.
    fn bound(&mut self) {
        let n = self.cells();
        self.bid_end = (0..n)
            .rev()
            .find(|&k| self.bid(k) >= 1.0)
            .map_or(0, |k| k + 1);
        self.ask_start = (0..n).find(|&k| self.ask(k) >= 1.0).unwrap_or(n);
    }

    fn cells(&self) -> usize {
        self.layers[0].bid.len()
    }

    /// The price of cell `k`.
    pub fn price(&self, k: usize) -> Price {
        self.origin + k as Price
    }

    fn cell(&self, price: Price) -> Option<usize> {
        let k = price - self.origin;
        (0..self.cells() as Price)
            .contains(&k)
            .then_some(k as usize)
    }

    /// Latent units on `side` at `price` (0 off the grid).
    #[cfg(test)]
    pub fn at(&self, side: Side, price: Price) -> f64 {
        self.cell(price)
            .map_or(0.0, |k| sum_at(&self.layers, side, k))
    }

    /// Total latent units on `side` within `ticks` of `mid` (on its own side of the mid).
    #[cfg(test)]
    pub fn within(&self, side: Side, mid: f64, ticks: f64) -> f64 {
        (0..self.cells())
            .filter(|&k| {
                let x = self.price(k) as f64 - mid;
                match side {
                    Side::Buy => x < 0.0 && -x <= ticks,
                    Side::Sell => x > 0.0 && x <= ticks,
                }
            })
            .map(|k| self.at(side, self.price(k)))
            .sum()
    }

    /// Removes `qty` executed units at `price`.
    pub fn executed(&mut self, side: Side, price: Price, qty: f64) {
        if let Some(k) = self.cell(price) {
            take(&mut self.layers, side, k, qty);
        }
    }

    /// Everyone revises with value: the density moves by `ticks` (fractions carry over), and
    /// the grid recentres on `mid` when the price nears its edge.
    pub fn follow(&mut self, ticks: f64, mid: f64) {
        for l in &mut self.layers {
            l.anchor += ticks;
        }
        self.carry += ticks;
        let whole = self.carry.trunc();
        self.carry -= whole;
        let whole = whole as i64;
        if whole != 0 {
            self.shift(whole);
        }
        let n = self.cells() as f64;
        let at = mid - self.origin as f64;
        if at < n / 4.0 || at > 3.0 * n / 4.0 {
            // Recentring moves the grid, not the intentions: the origin moves and the cells
            // keep their prices.
            let by = (at - n / 2.0).round() as i64;
            self.origin += by;
            self.shift(-by);
        }
    }

    /// Moves every intention up by `by` cells.
    fn shift(&mut self, by: i64) {
        for l in &mut self.layers {
            l.shift(self.origin, by);
        }
        self.bound();
    }

    /// `dt` session days of deposits (on each side of `mid`), cancellations and diffusion.
    pub fn evolve(&mut self, dt: f64, mid: f64) {
        if dt <= 0.0 {
            return;
        }
        for l in &mut self.layers {
            l.evolve(self.origin, dt, mid, &mut self.scratch);
        }
        self.bound();
    }

    /// Intentions that crossed each other (a buy at or above a sell) meet: both are removed,
    /// as the latent book's own reaction A + B → ∅, rather than trading with each other
    /// through the displayed book.
    pub fn annihilate(&mut self) {
        let n = self.cells();
        let next_bid = |b: &Self, from: usize| (0..from).rev().find(|&k| b.bid(k) >= 1.0);
        let next_ask = |b: &Self, from: usize| (from..n).find(|&k| b.ask(k) >= 1.0);
        let (mut b, mut a) = (next_bid(self, self.bid_end), next_ask(self, self.ask_start));
        while let (Some(kb), Some(ka)) = (b, a) {
            if kb < ka {
                return;
            }
            let m = self.bid(kb).min(self.ask(ka));
            take(&mut self.layers, Side::Buy, kb, m);
            take(&mut self.layers, Side::Sell, ka, m);
            if self.bid(kb) < 1.0 {
                b = next_bid(self, kb);
            }
            if self.ask(ka) < 1.0 {
                a = next_ask(self, ka + 1);
            }
        }
    }

    /// The orders this trader shows for its intentions: on each side, whatever is beyond the
    /// mid (it trades now), and `share` (at most 1) of what lies within `reveal` ticks of it,
    /// in whole units, nearest the price first.
    pub fn orders(
        &self,
        mid: f64,
        reveal: f64,
        share: f64,
        mut emit: impl FnMut(Side, Price, u64),
    ) {
        debug_assert!(share <= 1.0);
        let n = self.cells();
        for k in (0..self.bid_end).rev() {
            let x = self.price(k) as f64 - mid;
            if x < -reveal {
                break;
            }
            let q = if x >= 0.0 {
                self.bid(k)
            } else {
                share * self.bid(k)
            };
            if q >= 1.0 {
                emit(Side::Buy, self.price(k), q as u64);
            }
        }
        for k in self.ask_start..n {
            let x = self.price(k) as f64 - mid;
            if x > reveal {
                break;
            }
            let q = if x <= 0.0 {
                self.ask(k)
            } else {
                share * self.ask(k)
            };
            if q >= 1.0 {
                emit(Side::Sell, self.price(k), q as u64);
            }
        }
    }
}

/// One implicit (backward Euler) diffusion step with `r = D·dt` (cells of one tick), zero flux
/// at the ends: stable at any step, so the density can be advanced once a minute. Both sides
/// share the tridiagonal matrix, so they are solved together: one elimination, two
/// right-hand sides, each with exactly the arithmetic of solving it alone.
fn diffuse(u: &mut [f64], v: &mut [f64], r: f64, c: &mut [f64]) {
    let n = u.len();
    if n < 2 || r <= 0.0 {
        return;
    }
    let (u, v, c) = (&mut u[..n], &mut v[..n], &mut c[..n]);
    // Thomas algorithm on (1 + 2r) x_k − r x_{k−1} − r x_{k+1} = v_k, with the end rows
    // (1 + r) x − r x_next (no flux through the ends).
    let diag = |k: usize| {
        if k == 0 || k == n - 1 {
            1.0 + r
        } else {
            1.0 + 2.0 * r
        }
    };
    c[0] = -r / diag(0);
    u[0] /= diag(0);
    v[0] /= diag(0);
    for k in 1..n {
        let m = diag(k) + r * c[k - 1];
        c[k] = -r / m;
        u[k] = (u[k] + r * u[k - 1]) / m;
        v[k] = (v[k] + r * v[k - 1]) / m;
    }
    for k in (0..n - 1).rev() {
        u[k] -= c[k] * u[k + 1];
        v[k] -= c[k] * v[k + 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> LatentParams {
        LatentParams {
            slow: LayerParams {
                far: 1000.0,
                width: 50.0,
                nu: 0.2,
            },
            fast: None,
            span: 400,
            lean_per_unit: 0.0,
        }
    }

    /// The stationary profile is linear near the price with slope far/ξ, and saturates far
    /// from it: 10 ticks under a mid at 20000.5 the bid density is 1000·(1 − e^{−10.5/50}).
    #[test]
    fn the_stationary_book_is_a_v_around_the_price() {
        let b = LatentBook::new(params(), 20_000.5);
        let d = b.at(Side::Buy, 19_990);
        assert!(
            (d - 1000.0 * (1.0 - (-10.5f64 / 50.0).exp())).abs() < 1e-9,
            "{d}"
        );
        assert_eq!(b.at(Side::Sell, 19_990), 0.0);
        assert!(b.at(Side::Sell, 20_300) > 997.0);
        assert!((params().slope() - 20.0).abs() < 1e-12);
    }

    /// Without executions the stationary book stays stationary under the dynamics: the
    /// diffusion's flow towards the mid, where buys meet sells, balances cancellations and
    /// deposits. (Exact in the continuum; on the grid the check is within 3%.)
    #[test]
    fn the_stationary_book_is_stationary() {
        let mut b = LatentBook::new(params(), 20_000.5);
        let before = b.within(Side::Buy, 20_000.5, 100.0);
        for _ in 0..200 {
            b.evolve(0.01, 20_000.5);
            b.annihilate();
        }
        let after = b.within(Side::Buy, 20_000.5, 100.0);
        assert!((after / before - 1.0).abs() < 0.03, "{before} -> {after}");
    }

    /// Diffusion conserves mass (zero flux at the ends) and spreads a spike; the second side,
    /// solved beside it, comes out as if solved alone.
    #[test]
    fn diffusion_conserves_mass() {
        let mut v = vec![0.0; 101];
        v[50] = 100.0;
        let mut w: Vec<f64> = (0..101).map(|k| (k as f64 * 0.37).sin().abs()).collect();
        let mut w_alone = w.clone();
        let mut c = vec![0.0; 101];
        diffuse(&mut v, &mut w, 4.0, &mut c);
        let total: f64 = v.iter().sum();
        assert!((total - 100.0).abs() < 1e-9, "{total}");
        assert!(v[50] < 40.0 && v[45] > 1.0 && (v[45] - v[55]).abs() < 1e-9);
        let mut zero = vec![0.0; 101];
        diffuse(&mut w_alone, &mut zero, 4.0, &mut c);
        assert_eq!(w, w_alone);
    }

    /// A hole dug at the price refills: after executing the first 20 ticks of bids, the
    /// density there grows back towards the stationary profile at rate ~ν and by diffusion.
    #[test]
    fn an_executed_hole_refills() {
        let mut b = LatentBook::new(params(), 20_000.5);
        let full = b.within(Side::Buy, 20_000.5, 20.0);
        for p in 19_980..=20_000 {
            let q = b.at(Side::Buy, p);
            b.executed(Side::Buy, p, q);
        }
        assert!(b.within(Side::Buy, 20_000.5, 20.0) < 1e-9);
        for _ in 0..50 {
            b.evolve(0.02, 20_000.5);
            b.annihilate();
        }
        let refilled = b.within(Side::Buy, 20_000.5, 20.0);
        assert!(
            refilled > 0.5 * full && refilled < 1.05 * full,
            "{refilled} of {full}"
        );
    }

    /// A value move shifts intentions: bids left above the mid are sent whole, the rest within
    /// the reveal window at the reveal share.
    #[test]
    fn a_value_move_makes_intentions_cross() {
        let mut b = LatentBook::new(params(), 20_000.5);
        b.follow(10.0, 20_000.5);
        let mut buys_above = 0.0;
        let mut shown_below = 0.0;
        b.orders(20_000.5, 5.0, 0.5, |side, p, q| {
            if side == Side::Buy && p > 20_000 {
                buys_above += q as f64;
            } else if side == Side::Buy {
                shown_below += q as f64;
            }
            assert!(side == Side::Buy || p > 20_000, "sell at {p}");
        });
        // Bids at 20001..=20010 hold the profile 0.5..9.5 ticks from the old mid shifted up.
        let expected: f64 = (0..10)
            .map(|j| (1000.0 * (1.0 - (-(j as f64 + 0.5) / 50.0).exp())).floor())
            .sum();
        assert_eq!(buys_above, expected);
        assert!(shown_below > 0.0);
    }

    /// A value move larger than the grid moves the whole book: after a 10% fall (2,000 ticks on
    /// a grid of ±400), every cell holds sell intentions, those at or under the mid sent at once.
    #[test]
    fn a_move_beyond_the_grid_moves_the_whole_book() {
        let mut b = LatentBook::new(params(), 20_000.5);
        b.follow(-2_000.0, 20_000.5);
        assert_eq!(b.within(Side::Buy, 20_000.5, 400.0), 0.0);
        assert!(b.at(Side::Sell, 19_700) > 999.0);
        let mut sells_through = 0.0;
        b.orders(20_000.5, 0.0, 0.0, |side, p, q| {
            assert_eq!(side, Side::Sell);
            assert!(p <= 20_000, "{p}");
            sells_through += q as f64;
        });
        assert!(sells_through > 300.0 * 999.0, "{sells_through}");
    }

    /// A slow population and a fast one, the fast with a tenth of the depth, a tenth of the
    /// width and a twentieth of the memory.
    fn two_layers() -> LatentParams {
        LatentParams {
            fast: Some(LayerParams {
                far: 100.0,
                width: 5.0,
                nu: 4.0,
            }),
            ..params()
        }
    }

    /// Two populations stand as the sum of their V's, and the slope at the price is the sum
    /// of theirs.
    #[test]
    fn two_populations_add_up() {
        let b = LatentBook::new(two_layers(), 20_000.5);
        let x = 10.5f64;
        let expected = 1000.0 * (1.0 - (-x / 50.0).exp()) + 100.0 * (1.0 - (-x / 5.0).exp());
        assert!((b.at(Side::Buy, 19_990) - expected).abs() < 1e-9);
        assert!((two_layers().slope() - 40.0).abs() < 1e-12);
    }

    /// An execution takes exactly what traded, from each population in proportion to what it
    /// holds at that price.
    #[test]
    fn an_execution_is_shared_between_populations() {
        let mut b = LatentBook::new(two_layers(), 20_000.5);
        let k = b.cell(19_990).unwrap();
        let (slow, fast) = (b.layers[0].bid[k], b.layers[1].bid[k]);
        b.executed(Side::Buy, 19_990, 50.0);
        let total = slow + fast;
        assert!((b.at(Side::Buy, 19_990) - (total - 50.0)).abs() < 1e-9);
        assert!((b.layers[0].bid[k] - slow * (1.0 - 50.0 / total)).abs() < 1e-9);
        assert!((b.layers[1].bid[k] - fast * (1.0 - 50.0 / total)).abs() < 1e-9);
        b.executed(Side::Buy, 19_990, 1e9);
        assert_eq!(b.at(Side::Buy, 19_990), 0.0);
    }

    /// The point of the fast population: a level the price has held for a day fills again,
    /// where the slow population alone leaves it nearly empty. After the price moves 100 ticks
    /// up through an emptied region and stays there a day, the bids just under it are back to
    /// most of the fast population's depth, and to a small part of the slow one's.
    #[test]
    fn a_fast_population_refills_a_new_level_within_a_day() {
        let refill = |p: LatentParams| {
            let mut b = LatentBook::new(p, 20_000.5);
            // A buyer ate every offer up to 20100; the price sits at 20100.5.
            for q in 20_001..=20_100 {
                b.executed(Side::Sell, q, 1e9);
            }
            for _ in 0..100 {
                b.evolve(0.01, 20_100.5);
                b.annihilate();
            }
            (20_060..20_090).map(|q| b.at(Side::Buy, q)).sum::<f64>() / 30.0
        };
        let slow = refill(params());
        let both = refill(two_layers());
        // The slow population deposits far·(1 − e^{−ν}) ≈ 181 a cell in a day (less, for
        // the intentions that diffused up and crossed); the fast one ≈ 98 of its 100 more.
        assert!(slow < 200.0, "{slow}");
        assert!(both - slow > 80.0, "{slow} -> {both}");
    }

    /// A buy and a sell intention at the same price cancel each other.
    #[test]
    fn crossed_intentions_annihilate() {
        let mut b = LatentBook::new(params(), 20_000.5);
        let k = b.cell(20_010).unwrap();
        b.layers[0].bid[k] = 7.0;
        b.bound(); // as after the deposits that could put a bid there
        let asks = b.within(Side::Sell, 20_000.5, 10.0);
        b.annihilate();
        assert!(b.at(Side::Buy, 20_010) < 1.0);
        // The 7 units met the lowest offers (each cell down to under one unit).
        let met = asks - b.within(Side::Sell, 20_000.5, 10.0);
        assert!((6.0..=7.0).contains(&met), "{met}");
        let mut crossed = false;
        b.orders(20_000.5, 0.0, 0.0, |side, p, _| {
            crossed |= (side == Side::Buy && p > 20_000) || (side == Side::Sell && p < 20_001);
        });
        assert!(!crossed);
    }
}
