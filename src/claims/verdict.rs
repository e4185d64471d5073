//! From the seeds' values of a claim's statistic (and its null's) to the claim's row: the
//! median with a 95% bootstrap interval, the null's, the effect (seed by seed, the statistic
//! less its null's) and a verdict by a fixed rule, with the reason in words.
//!
//! The rule is the same for every claim and is printed with the table:
//! - a figure (`within`): reproduced when the median is inside the note's range, partly when
//!   only the interval reaches it, contradicted when the interval misses it;
//! - a side of a level (`above`, `below`): a range open at one end, judged as `within`;
//! - a mechanism (`effect`): reproduced when the effect's interval lies on the claimed side of
//!   zero (and the median reaches `at_least`), partly when it lies on that side but the median
//!   falls short of `at_least`, contradicted when the interval holds zero or lies on the other
//!   side (20 seeds cannot tell the mechanism from its absence);
//! - too few seeds where the statistic exists (fewer than five): not testable here.

use crate::analysis::facts_compare::{MIN_SEEDS_FOR_BOOTSTRAP, Spread, across_seeds};

use super::file::{EffectSign, Expect};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Reproduced,
    Partly,
    Contradicted,
    NotTestable,
    /// A measurement, not a claim: nothing to judge.
    Measured,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::Partly => "partly",
            Verdict::Contradicted => "contradicted",
            Verdict::NotTestable => "not testable here",
            Verdict::Measured => "measured",
        }
    }
}

/// A claim's numbers across seeds.
#[derive(Clone, Debug)]
pub struct Measured {
    pub factual: Spread,
    pub null: Option<Spread>,
    /// The statistic less its null's, seed by seed (seeds where both exist).
    pub effect: Option<Spread>,
}

/// Medians and intervals of `factual` and `null` (values by seed, in the same seed order).
pub fn measure(factual: &[f64], null: Option<&[f64]>) -> Measured {
    let effect = null.map(|n| {
        let d: Vec<f64> = factual
            .iter()
            .zip(n)
            .map(|(a, b)| a - b)
            .filter(|d| d.is_finite())
            .collect();
        across_seeds(&d)
    });
    Measured {
        factual: across_seeds(factual),
        null: null.map(across_seeds),
        effect,
    }
}

/// The verdict on `m` by the rule of this module, and why.
pub fn judge(m: &Measured, expect: &Expect, unit: &str) -> (Verdict, String) {
    let f = &m.factual;
    if f.count < MIN_SEEDS_FOR_BOOTSTRAP {
        return (
            Verdict::NotTestable,
            format!(
                "the statistic exists on only {} seeds (fewer than {MIN_SEEDS_FOR_BOOTSTRAP})",
                f.count
            ),
        );
    }
    match expect {
        Expect::Within([lo, hi]) => {
            let range = format!("{}–{}{}", num(*lo), num(*hi), unit_suffix(unit));
            if (*lo..=*hi).contains(&f.median) {
                (
                    Verdict::Reproduced,
                    format!("median {} is inside the note's {range}", num(f.median)),
                )
            } else if f.hi >= *lo && f.lo <= *hi {
                (
                    Verdict::Partly,
                    format!(
                        "median {} is outside the note's {range}; its interval {}–{} reaches it",
                        num(f.median),
                        num(f.lo),
                        num(f.hi)
                    ),
                )
            } else {
                let side = if f.lo > *hi { "above" } else { "below" };
                (
                    Verdict::Contradicted,
                    format!(
                        "the interval {}–{} lies {side} the note's {range}",
                        num(f.lo),
                        num(f.hi)
                    ),
                )
            }
        }
        Expect::Above(x) | Expect::Below(x) => {
            // A range open at one end, judged as `within` is.
            let above = matches!(expect, Expect::Above(_));
            let side = if above { "above" } else { "below" };
            let level = format!("{}{}", num(*x), unit_suffix(unit));
            let beyond = |v: f64| if above { v > *x } else { v < *x };
            let said = format!(
                "median {} (interval {}–{})",
                num(f.median),
                num(f.lo),
                num(f.hi)
            );
            if beyond(f.median) {
                (Verdict::Reproduced, format!("{said}: {side} {level}"))
            } else if beyond(f.lo) || beyond(f.hi) {
                (
                    Verdict::Partly,
                    format!("{said}: the median is not {side} {level}; the interval reaches it"),
                )
            } else {
                (
                    Verdict::Contradicted,
                    format!("{said}: the interval is not {side} {level}"),
                )
            }
        }
        Expect::Effect { sign, at_least } => {
            let Some(e) = m
                .effect
                .as_ref()
                .filter(|e| e.count >= MIN_SEEDS_FOR_BOOTSTRAP)
            else {
                return (
                    Verdict::NotTestable,
                    "the effect exists on fewer than five seeds".into(),
                );
            };
            // Flip a negative claim so that "the claimed side" is always above zero.
            let s = match sign {
                EffectSign::Positive => 1.0,
                EffectSign::Negative => -1.0,
            };
            let (median, lo, hi) = (
                s * e.median,
                (s * e.lo).min(s * e.hi),
                (s * e.lo).max(s * e.hi),
            );
            let said = format!(
                "effect against the null {} (interval {}–{})",
                num(e.median),
                num(e.lo),
                num(e.hi)
            );
            if lo > 0.0 && median >= *at_least {
                (
                    Verdict::Reproduced,
                    format!("{said}: on the claimed side of zero"),
                )
            } else if lo > 0.0 {
                (
                    Verdict::Partly,
                    format!(
                        "{said}: on the claimed side of zero but short of the {}{} the claim needs",
                        num(s * at_least),
                        unit_suffix(unit)
                    ),
                )
            } else if hi < 0.0 {
                (Verdict::Contradicted, format!("{said}: the other way"))
            } else {
                (
                    Verdict::Contradicted,
                    format!("{said}: not distinguishable from zero"),
                )
            }
        }
    }
}

fn unit_suffix(unit: &str) -> String {
    match unit {
        "%" => "%".into(),
        "$bn" => " $bn".into(),
        "" | "slope" | "share" => String::new(),
        u => format!(" {u}"),
    }
}

/// A number for the table: three significant figures, no exponent for ordinary sizes.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let s = if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.001 || a == 0.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.1e}")
    };
    // "-0.000" reads as a sign where there is none.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds(centre: f64) -> Vec<f64> {
        (0..20).map(|k| centre + (k as f64 - 9.5) * 0.1).collect()
    }

    #[test]
    fn a_figure_is_reproduced_reached_or_missed() {
        let m = measure(&seeds(27.0), None);
        assert_eq!(
            judge(&m, &Expect::Within([25.0, 30.0]), "$bn").0,
            Verdict::Reproduced
        );
        // Median 30.5, interval about 30.1–30.9: reaches nothing below 30.1.
        let m = measure(&seeds(30.5), None);
        assert_eq!(
            judge(&m, &Expect::Within([25.0, 30.0]), "$bn").0,
            Verdict::Contradicted
        );
        assert_eq!(
            judge(&m, &Expect::Within([25.0, 30.2]), "$bn").0,
            Verdict::Partly
        );
        let (v, why) = judge(
            &measure(&seeds(110.0), None),
            &Expect::Within([25.0, 30.0]),
            "$bn",
        );
        assert_eq!(v, Verdict::Contradicted);
        assert!(why.contains("above the note's 25.0–30.0 $bn"), "{why}");
    }

    #[test]
    fn an_effect_must_clear_zero_on_the_claimed_side() {
        let null = seeds(5.0);
        let up = |d: f64| measure(&seeds(5.0 + d), Some(&null));
        let pos = Expect::Effect {
            sign: EffectSign::Positive,
            at_least: 0.0,
        };
        assert_eq!(judge(&up(1.0), &pos, "%").0, Verdict::Reproduced);
        assert_eq!(judge(&up(-1.0), &pos, "%").0, Verdict::Contradicted);
        let neg = Expect::Effect {
            sign: EffectSign::Negative,
            at_least: 0.5,
        };
        assert_eq!(judge(&up(-1.0), &neg, "%").0, Verdict::Reproduced);
        assert_eq!(judge(&up(-0.2), &neg, "%").0, Verdict::Partly);
        // Noise around zero: the claim is not borne out.
        let noisy: Vec<f64> = null
            .iter()
            .enumerate()
            .map(|(k, v)| v + if k % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let (v, why) = judge(&measure(&noisy, Some(&null)), &pos, "%");
        assert_eq!(v, Verdict::Contradicted);
        assert!(why.contains("not distinguishable from zero"), "{why}");
    }

    #[test]
    fn a_side_of_a_level() {
        let m = measure(&seeds(1.0), None);
        assert_eq!(judge(&m, &Expect::Above(0.0), "$bn").0, Verdict::Reproduced);
        assert_eq!(
            judge(&m, &Expect::Below(0.0), "$bn").0,
            Verdict::Contradicted
        );
        // Median 1.0, interval about 0.8–1.2.
        assert_eq!(judge(&m, &Expect::Above(0.9), "$bn").0, Verdict::Reproduced);
        assert_eq!(judge(&m, &Expect::Above(1.1), "$bn").0, Verdict::Partly);
        assert_eq!(judge(&m, &Expect::Below(0.9), "$bn").0, Verdict::Partly);
        assert_eq!(
            judge(&m, &Expect::Above(1.5), "$bn").0,
            Verdict::Contradicted
        );
    }

    #[test]
    fn too_few_seeds_is_not_testable() {
        let mut v = vec![f64::NAN; 20];
        v[0] = 1.0;
        v[1] = 2.0;
        let (verdict, why) = judge(&measure(&v, None), &Expect::Within([0.0, 5.0]), "");
        assert_eq!(verdict, Verdict::NotTestable);
        assert!(why.contains("only 2 seeds"), "{why}");
    }

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(num(123.456), "123");
        assert_eq!(num(27.04), "27.0");
        assert_eq!(num(-1.234), "-1.23");
        assert_eq!(num(0.1234), "0.123");
        assert_eq!(num(-0.0001), "-1.0e-4");
        assert_eq!(num(-0.0), "0.000");
        assert_eq!(num(f64::NAN), "–");
    }
}
