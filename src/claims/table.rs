//! The claims table from the seeds' values: `claims.csv` (one row per claim), `CLAIMS.md`
//! (the same for reading, with each claim's statistic, reason and what is imposed) and
//! `values.csv` (every seed's value, so the table can be recomputed and checked without a
//! single run).
//!
//! Everything here is a function of the claims file and the values: the same values give the
//! same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::file::{Claims, Test};
use super::verdict::{Measured, Verdict, judge, measure, num};
use crate::analysis::facts_compare::Spread;

/// Every seed's value of every measured claim: (claim id, variant name) → values in the
/// order of [`Claims::seeds`] (`NaN` where the run does not define the statistic).
pub type Values = BTreeMap<(u32, String), Vec<f64>>;

/// One claim's row.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: u32,
    pub verdict: Verdict,
    pub reason: String,
    pub measured: Option<Measured>,
}

/// The rows of `claims`, judged from `values`.
pub fn rows(claims: &Claims, values: &Values) -> Vec<Row> {
    claims
        .claims
        .iter()
        .map(|c| match &c.test {
            Test::NotTestable(why) => Row {
                id: c.id,
                verdict: Verdict::NotTestable,
                reason: why.clone(),
                measured: None,
            },
            Test::Measured {
                experiment,
                statistic,
                null,
                expect,
            } => {
                let e = &claims.experiments[*experiment];
                let get = |v: usize| values.get(&(c.id, e.variants[v].name.clone()));
                let empty = vec![f64::NAN; claims.seeds.len()];
                let factual = get(0).unwrap_or(&empty);
                let m = measure(factual, null.and_then(get).map(Vec::as_slice));
                let (verdict, reason) = match expect {
                    Some(x) => judge(&m, x, statistic.unit()),
                    None => (Verdict::Measured, String::new()),
                };
                Row {
                    id: c.id,
                    verdict,
                    reason,
                    measured: Some(m),
                }
            }
        })
        .collect()
}

fn full(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

const CLAIMS_HEADER: [&str; 23] = [
    "kind",
    "id",
    "note",
    "claim",
    "figure",
    "experiment",
    "statistic",
    "unit",
    "seeds",
    "seeds_defined",
    "median",
    "lo",
    "hi",
    "null",
    "null_median",
    "null_lo",
    "null_hi",
    "effect_median",
    "effect_lo",
    "effect_hi",
    "verdict",
    "reason",
    "imposed",
];

/// `claims.csv`: full-precision numbers, empty where there are none.
pub fn claims_csv(claims: &Claims, rows: &[Row]) -> String {
    let mut rows_out = Vec::new();
    for (c, r) in claims.claims.iter().zip(rows) {
        let (exp, stat, unit, null) = match &c.test {
            Test::Measured {
                experiment,
                statistic,
                null,
                ..
            } => {
                let e = &claims.experiments[*experiment];
                (
                    e.name.clone(),
                    statistic.describe(),
                    statistic.unit().to_string(),
                    null.map_or(String::new(), |n| e.variants[n].describe.clone()),
                )
            }
            Test::NotTestable(_) => Default::default(),
        };
        let spread = |s: Option<&Spread>| match s {
            Some(s) => [full(s.median), full(s.lo), full(s.hi)],
            None => Default::default(),
        };
        let m = r.measured.as_ref();
        let f = spread(m.map(|m| &m.factual));
        let n = spread(m.and_then(|m| m.null.as_ref()));
        let e = spread(m.and_then(|m| m.effect.as_ref()));
        let cells: Vec<String> = [
            if c.measure { "measure" } else { "claim" }.to_string(),
            c.id.to_string(),
            c.note.clone(),
            c.claim.clone(),
            c.figure.clone(),
            exp,
            stat,
            unit,
            m.map_or(String::new(), |_| claims.seeds.len().to_string()),
            m.map_or(String::new(), |m| m.factual.count.to_string()),
        ]
        .into_iter()
        .chain(f)
        .chain([null])
        .chain(n)
        .chain(e)
        .chain([
            r.verdict.as_str().to_string(),
            r.reason.clone(),
            c.imposed.clone(),
        ])
        .collect();
        rows_out.push(cells);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in std::iter::once(CLAIMS_HEADER.map(String::from).to_vec()).chain(rows_out) {
        // Writing into memory cannot fail.
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `values.csv`: claim, variant, seed, value.
pub fn values_csv(claims: &Claims, values: &Values) -> String {
    let mut out = String::from("id,variant,seed,value\n");
    for ((id, variant), v) in values {
        for (seed, x) in claims.seeds.iter().zip(v) {
            let _ = writeln!(out, "{id},{variant},{seed},{}", full(*x));
        }
    }
    out
}

/// Reads `values.csv` back (the committed table is checked against it).
pub fn parse_values(claims: &Claims, text: &str) -> Result<Values, String> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: u32,
        variant: String,
        seed: u64,
        value: Option<f64>,
    }
    let mut values = Values::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for line in reader.deserialize::<Line>() {
        let line = line.map_err(|e| {
            let at = e.position().map_or(0, |p| p.line());
            format!("values.csv:{at}: expected id,variant,seed,value: {e}")
        })?;
        let Some(at) = claims.seeds.iter().position(|&s| s == line.seed) else {
            return Err(format!(
                "values.csv: seed {} is not in the claims file",
                line.seed
            ));
        };
        let v = values
            .entry((line.id, line.variant))
            .or_insert_with(|| vec![f64::NAN; claims.seeds.len()]);
        v[at] = line.value.unwrap_or(f64::NAN);
    }
    Ok(values)
}

fn spread_md(s: &Spread, unit: &str) -> String {
    let (pre, post) = match unit {
        "$bn" => ("$", "bn"),
        "%" => ("", "%"),
        _ => ("", ""),
    };
    // The sign goes before the dollar: −$5.0bn, not $-5.0bn.
    let signed = |x: f64| {
        let n = num(x);
        match n.strip_prefix('-') {
            Some(abs) => format!("−{pre}{abs}{post}"),
            None => format!("{pre}{n}{post}"),
        }
    };
    let bare = |x: f64| num(x).replacen('-', "−", 1);
    format!("{} [{}, {}]", signed(s.median), bare(s.lo), bare(s.hi))
}

/// A row's factual, null and effect cells.
fn spreads(c: &super::file::Claim, r: &Row) -> (String, String, String) {
    let unit = match &c.test {
        Test::Measured { statistic, .. } => statistic.unit(),
        Test::NotTestable(_) => "",
    };
    match &r.measured {
        Some(m) => (
            spread_md(&m.factual, unit),
            m.null.as_ref().map_or("–".into(), |s| spread_md(s, unit)),
            m.effect.as_ref().map_or("–".into(), |s| spread_md(s, unit)),
        ),
        None => ("–".into(), "–".into(), "–".into()),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `CLAIMS.md`.
pub fn claims_md(claims: &Claims, rows: &[Row]) -> String {
    let pairs: Vec<(&super::file::Claim, &Row)> = claims.claims.iter().zip(rows).collect();
    let (measures, judged): (Vec<_>, Vec<_>) = pairs.iter().partition(|(c, _)| c.measure);
    // A file of measures only (a sweep of departures against their defaults) judges nothing:
    // no verdict rule, no table of claims.
    let mut out = String::from(if judged.is_empty() {
        "# Measured against their nulls\n\n"
    } else {
        "# The seed claims, measured\n\n"
    });
    let seeds = &claims.seeds;
    let _ = writeln!(
        out,
        "Written by `flowsim claims` from `{}` on {} seeds ({}–{}); every figure is the median over \
         seeds with a 95% bootstrap interval of the median in brackets. Each claim's null is \
         the same experiment on the same seeds with the mechanism removed: classes taken out \
         (every other agent keeps its random stream) or the shock that sets it off set to \
         zero. `claims.csv` holds the same rows at full \
         precision, `values.csv` every seed's value.\n",
        claims
            .path
            .file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned()),
        seeds.len(),
        seeds.first().copied().unwrap_or(0),
        seeds.last().copied().unwrap_or(0),
    );
    if !claims.description.is_empty() {
        let _ = writeln!(out, "{}\n", claims.description.trim());
    }
    if !judged.is_empty() {
        out.push_str(
        "**The verdict's rule.** A figure is *reproduced* when the median is inside the \
         note's range, *partly* when only the interval reaches it, *contradicted* when the \
         interval misses it; a figure claimed only as above (or below) a level is judged the \
         same way, as a range open at one end. A mechanism (the statistic less its null's, seed by seed) is \
         *reproduced* when that effect's interval lies on the claimed side of zero, *partly* \
         when it does but its median falls short of the size the claim needs, *contradicted* \
         when the interval holds zero or lies on the other side. A statistic that exists on \
         fewer than five seeds, or a claim the simulator cannot express, is *not testable \
         here*.\n\n",
    );
        out.push_str("| # | claim | note | flowsim | null | effect | verdict |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
    }
    for (c, r) in &judged {
        let (f, n, e) = spreads(c, r);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {f} | {n} | {e} | **{}** |",
            c.id,
            cell(&c.claim),
            cell(&c.figure),
            r.verdict.as_str()
        );
    }
    if !measures.is_empty() {
        out.push_str(if judged.is_empty() {
            "Each statistic against its null on the same seeds: no figure to meet and no \
             verdict.\n\n| # | what | flowsim | null | effect |\n|---|---|---|---|---|\n"
        } else {
            "\n## Measurements behind the claims\n\nThe same statistics against other nulls \
             (a counterfactual decomposition, a class's own share): no figure to meet and no \
             verdict.\n\n| # | what | flowsim | null | effect |\n|---|---|---|---|---|\n"
        });
        for (c, r) in &measures {
            let (f, n, e) = spreads(c, r);
            let null = match &c.test {
                Test::Measured {
                    experiment,
                    null: Some(v),
                    ..
                } => format!(
                    " ({})",
                    claims.experiments[*experiment].variants[*v].describe
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {f} | {n}{} | {e} |",
                c.id,
                cell(&c.claim),
                cell(&null)
            );
        }
    }
    out.push_str("\n## Each claim and measurement\n");
    for (c, r) in claims.claims.iter().zip(rows) {
        let _ = writeln!(out, "\n### {}. {}\n", c.id, c.claim);
        match &c.test {
            Test::Measured {
                experiment,
                statistic,
                null,
                ..
            } => {
                let e = &claims.experiments[*experiment];
                let _ = writeln!(
                    out,
                    "- Measured: {} (experiment `{}`, unit: {}).",
                    statistic.describe(),
                    e.name,
                    if statistic.unit().is_empty() {
                        "as recorded"
                    } else {
                        statistic.unit()
                    }
                );
                if let Some(n) = null {
                    let _ = writeln!(
                        out,
                        "- Null: {} (`{}`).",
                        e.variants[*n].describe, e.variants[*n].name
                    );
                }
                if let Some(m) = &r.measured {
                    let _ = writeln!(
                        out,
                        "- Seeds where it exists: {} of {}.",
                        m.factual.count,
                        claims.seeds.len()
                    );
                }
            }
            Test::NotTestable(_) => {}
        }
        if !c.measure {
            let _ = writeln!(out, "- Verdict: **{}**: {}.", r.verdict.as_str(), r.reason);
        }
        let _ = writeln!(out, "- {}", c.imposed.trim());
        if !c.comment.trim().is_empty() {
            let _ = writeln!(out, "- Note: {}", c.comment.trim());
        }
    }
    out
}
