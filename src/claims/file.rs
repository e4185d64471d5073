//! The claims file (`experiments/claims.toml`): the experiments a claim is measured on, each
//! with its nulls (the same scenario with some classes removed, or some parameters set), and
//! one table per claim: what it says, the note's figure, the statistic that measures it, the
//! null it is compared with and what would count as reproducing it.
//!
//! Everything is checked when the file is read, with the file, line and field of each
//! problem, so a typo in claim 17 is found before hours of runs, not after.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::statistic::Statistic;
use crate::agents::AgentClass;
use crate::scenario::{self, LoadedScenario, ScenarioError, SeedRange};

/// Fewest seeds a claim is measured on: fewer give an interval too wide to say anything, and
/// the committed table must not be a lucky draw. Only a reduced check (`--seeds`) goes lower.
pub const MIN_SEEDS: u64 = 20;

/// Most seeds, so a typo cannot start a million runs.
pub const MAX_SEEDS: u64 = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsFile {
    #[serde(default)]
    pub description: String,
    /// Seeds every experiment and null runs with.
    pub seeds: SeedRange,
    /// Experiments by name.
    pub experiments: BTreeMap<String, ExperimentCfg>,
    #[serde(default)]
    pub claims: Vec<ClaimCfg>,
    /// Measurements that support the claims without being one (a counterfactual
    /// decomposition, a statistic against another null): the same tables, without a figure,
    /// an expectation or a verdict.
    #[serde(default)]
    pub measures: Vec<ClaimCfg>,
}

impl ClaimsFile {
    /// Claims then measures, each with its table's name, its index there and whether it is a
    /// measure: what the checks need to name a field (`measures[2].null`).
    fn entries(&self) -> impl Iterator<Item = (&'static str, usize, &ClaimCfg, bool)> {
        let claims = self
            .claims
            .iter()
            .enumerate()
            .map(|(k, c)| ("claims", k, c, false));
        let measures = self
            .measures
            .iter()
            .enumerate()
            .map(|(k, c)| ("measures", k, c, true));
        claims.chain(measures)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentCfg {
    /// The scenario, relative to the claims file.
    pub scenario: String,
    /// Nulls and other variants by name.
    #[serde(default)]
    pub variants: BTreeMap<String, VariantCfg>,
}

/// A variant of an experiment's scenario: classes removed (every other agent keeps its id and
/// random stream, as in `flowsim ablate`) and parameters set by dotted path (as in a sweep).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantCfg {
    /// Classes removed, comma-separated (`vol_target,cta`; `mechanical` for all of them).
    #[serde(default)]
    pub without: Option<String>,
    /// Parameters set, path → value (`"agents.dealer.hedge_interval_minutes" = 15`).
    #[serde(default)]
    pub set: toml::Table,
    /// What the variant is, in a few words, for the table (default: what it removes and sets).
    #[serde(default)]
    pub about: Option<String>,
}

/// What a claim's figure is checked against.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Expect {
    /// The claimed figure, as a range of the statistic's unit: reproduced when the seeds'
    /// median falls in it.
    Within([f64; 2]),
    /// A figure claimed only by its side of a level (`above = 0` for "they buy"): a range open
    /// at one end, judged as `within`.
    Above(f64),
    /// As `above`, below the level.
    Below(f64),
    /// The claimed direction of the mechanism's effect (the statistic minus its null's, seed
    /// by seed): `"positive"` or `"negative"`, optionally with the least effect that would
    /// count as the claim (`at_least`, in the claim's direction, as a positive number).
    Effect {
        sign: EffectSign,
        #[serde(default)]
        at_least: f64,
    },
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EffectSign {
    Positive,
    Negative,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimCfg {
    /// The claim's number in the table.
    pub id: u32,
    /// Which seed note it comes from (`000`, `001`).
    pub note: String,
    /// The claim, in a sentence.
    pub claim: String,
    /// The note's own figure, as written (`$25–30bn`), or what it asserts without one.
    #[serde(default)]
    pub figure: String,
    /// The experiment it is measured on; absent only when it is not testable here.
    #[serde(default)]
    pub experiment: Option<String>,
    #[serde(default)]
    pub statistic: Option<Statistic>,
    /// The variant the statistic is compared with, seed by seed.
    #[serde(default)]
    pub null: Option<String>,
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Why the claim cannot be measured here; then nothing else but the text is needed.
    #[serde(default)]
    pub not_testable: Option<String>,
    /// One line: what the scenario imposes and what emerges from the runs.
    pub imposed: String,
    /// What the author adds to the verdict's reason (a caveat, a second reading).
    #[serde(default)]
    pub comment: String,
}

/// A checked claims file, its scenarios loaded and its variants built.
#[derive(Debug)]
pub struct Claims {
    pub path: PathBuf,
    pub source: String,
    pub description: String,
    pub seeds: Vec<u64>,
    pub experiments: Vec<Experiment>,
    pub claims: Vec<Claim>,
}

/// An experiment: its factual scenario (variant 0, named `factual`) and its variants.
#[derive(Debug)]
pub struct Experiment {
    pub name: String,
    pub variants: Vec<Variant>,
}

#[derive(Debug)]
pub struct Variant {
    pub name: String,
    /// What the variant changes, for the table (`without vol_target`).
    pub describe: String,
    pub scenario: LoadedScenario,
}

/// The name of every experiment's unmodified scenario.
pub const FACTUAL: &str = "factual";

#[derive(Debug, Clone)]
pub struct Claim {
    pub id: u32,
    pub note: String,
    pub claim: String,
    pub figure: String,
    pub imposed: String,
    pub comment: String,
    pub test: Test,
    /// A measurement from `[[measures]]`, not a claim: no expectation, no verdict.
    pub measure: bool,
}

#[derive(Debug, Clone)]
pub enum Test {
    NotTestable(String),
    Measured {
        /// Index into [`Claims::experiments`].
        experiment: usize,
        statistic: Statistic,
        /// Index into the experiment's variants.
        null: Option<usize>,
        expect: Option<Expect>,
    },
}

impl Claims {
    /// Keeps the first `n` seeds: a reduced check of the same claims.
    pub fn reduce_seeds(&mut self, n: usize) {
        self.seeds.truncate(n.max(1));
    }
}

/// Reads and checks a claims file: syntax and unknown keys, then every reference (an
/// experiment, a null, a class, an instrument), then each experiment's scenario and variants,
/// built as they will run.
pub fn load(path: &Path) -> Result<Claims, ScenarioError> {
    let source = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let file: ClaimsFile = scenario::parse_checked(path, &source, rules)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut experiments = Vec::new();
    let mut problems = Vec::new();
    for (name, cfg) in &file.experiments {
        let base_path = dir.join(&cfg.scenario);
        let base = match scenario::load(&base_path) {
            Ok(base) => base,
            // A file that is not there is the claims file's fault: say where it names it.
            Err(ScenarioError::Io { file, source }) => {
                problems.push((
                    format!("experiments.{name}.scenario"),
                    format!("cannot read {}: {source}", file.display()),
                ));
                continue;
            }
            // A scenario with problems of its own says where they are, in its own file.
            Err(e) => return Err(e),
        };
        let mut variants = vec![Variant {
            name: FACTUAL.into(),
            describe: "the scenario as it is".into(),
            scenario: lean(base.clone()),
        }];
        for (vname, v) in &cfg.variants {
            match build_variant(&base, v) {
                Ok((scenario, describe)) => variants.push(Variant {
                    name: vname.clone(),
                    describe,
                    scenario: lean(scenario),
                }),
                Err((part, message)) => problems.push((
                    format!("experiments.{name}.variants.{vname}{part}"),
                    message,
                )),
            }
        }
        experiments.push(Experiment {
            name: name.clone(),
            variants,
        });
    }
    let mut claims = Vec::new();
    for (table, k, c, measure) in file.entries() {
        let field = |f: &str| format!("{table}[{k}].{f}");
        let test = match (&c.not_testable, &c.experiment, &c.statistic) {
            (Some(reason), _, _) => Test::NotTestable(reason.clone()),
            (None, Some(exp), Some(stat)) => {
                let Some(e) = experiments.iter().position(|x| &x.name == exp) else {
                    continue; // reported by `rules`
                };
                let symbols: Vec<String> = experiments[e].variants[0]
                    .scenario
                    .scenario
                    .instruments
                    .iter()
                    .map(|i| i.symbol.clone())
                    .collect();
                for (f, m) in stat.problems(&symbols) {
                    problems.push((field(&format!("statistic.{f}")), m));
                }
                let null = c
                    .null
                    .as_ref()
                    .and_then(|n| experiments[e].variants.iter().position(|v| &v.name == n));
                if c.null.is_some() && null.is_none() {
                    problems.push((
                        field("null"),
                        format!(
                            "no variant {:?} in experiment {exp:?}: it has {}",
                            c.null.as_deref().unwrap_or_default(),
                            experiments[e]
                                .variants
                                .iter()
                                .skip(1)
                                .map(|v| v.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                Test::Measured {
                    experiment: e,
                    statistic: stat.clone(),
                    null,
                    expect: c.expect.clone(),
                }
            }
            _ => continue, // reported by `rules`
        };
        claims.push(Claim {
            id: c.id,
            note: c.note.clone(),
            claim: c.claim.clone(),
            figure: c.figure.clone(),
            imposed: c.imposed.clone(),
            comment: c.comment.clone(),
            test,
            measure,
        });
    }
    if !problems.is_empty() {
        return Err(scenario::located_problems(path, &source, problems));
    }
    Ok(Claims {
        path: path.to_path_buf(),
        source,
        description: file.description,
        seeds: (0..file.seeds.count)
            .map(|k| file.seeds.first + k)
            .collect(),
        experiments,
        claims,
    })
}

/// Claims runs need flows, bars and state, never the trade table (nearly all of a run's
/// bytes) or its Parquet copy. Only the recording changes: the simulation, and so every
/// number, is the scenario's, and the run's scenario text and hash are unchanged.
fn lean(mut s: LoadedScenario) -> LoadedScenario {
    s.scenario.record.trades = false;
    s.scenario.record.parquet = false;
    s
}

/// The variant's scenario and what it changes; or the part of the variant at fault
/// (`.without`, `.set.KEY`) and what is wrong.
fn build_variant(
    base: &LoadedScenario,
    v: &VariantCfg,
) -> Result<(LoadedScenario, String), (String, String)> {
    let mut describe = Vec::new();
    let mut loaded = base.clone();
    if !v.set.is_empty() {
        let mut doc: toml_edit::DocumentMut = base.source.parse().map_err(|e| {
            (
                ".set".to_string(),
                format!("the scenario's text does not parse again: {e}"),
            )
        })?;
        for (key, value) in &v.set {
            let at = || format!(".set.{key}");
            let path = scenario::ParamPath::parse(key).map_err(|e| (at(), e))?;
            scenario::overrides::apply(&mut doc, &path, value).map_err(|e| (at(), e))?;
            describe.push(format!(
                "{key} = {}",
                scenario::overrides::display_value(value)
            ));
        }
        let source = doc.to_string();
        let parsed = scenario::parse(&base.path, &source)
            .map_err(|e| (".set".to_string(), e.to_string()))?;
        loaded = LoadedScenario {
            scenario: parsed,
            path: base.path.clone(),
            source,
        };
    }
    if let Some(list) = &v.without {
        let at = || ".without".to_string();
        let classes: Vec<AgentClass> =
            scenario::ablate::parse_classes(list).map_err(|e| (at(), e))?;
        let present: Vec<AgentClass> = classes
            .iter()
            .copied()
            .filter(|&c| scenario::ablate::has(&loaded.scenario, c))
            .collect();
        if present.is_empty() {
            return Err((
                at(),
                format!("the scenario has none of the classes {list:?}"),
            ));
        }
        describe.insert(
            0,
            format!(
                "without {}",
                present
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        loaded = crate::counterfactual::without(&loaded, &present).map_err(|e| {
            (
                at(),
                format!("cannot write the scenario without {list}: {e}"),
            )
        })?;
    }
    if let Some(about) = &v.about {
        describe = vec![about.clone()];
    }
    if describe.is_empty() {
        return Err((
            String::new(),
            "changes nothing: give `without` or `set`".into(),
        ));
    }
    Ok((loaded, describe.join("; ")))
}

/// What serde cannot check: counts, references between tables, and that each claim says
/// either how it is measured or why it cannot be.
fn rules(f: &ClaimsFile) -> Vec<(String, String)> {
    let mut p = Vec::new();
    if f.seeds.count < MIN_SEEDS || f.seeds.count > MAX_SEEDS {
        p.push((
            "seeds.count".into(),
            format!("must be {MIN_SEEDS}–{MAX_SEEDS}: a claim's interval needs at least {MIN_SEEDS} seeds"),
        ));
    }
    if f.seeds.first.checked_add(f.seeds.count).is_none() {
        p.push(("seeds.first".into(), "first + count overflows".into()));
    }
    if f.experiments.is_empty() {
        p.push(("experiments".into(), "no experiment".into()));
    }
    for (name, e) in &f.experiments {
        if name == FACTUAL || e.variants.contains_key(FACTUAL) {
            p.push((
                format!("experiments.{name}"),
                format!("{FACTUAL:?} names the unmodified scenario; choose another name"),
            ));
        }
        for vname in e.variants.keys() {
            if !vname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                p.push((
                    format!("experiments.{name}.variants.{vname}"),
                    "a variant name is a folder name: letters, digits, `_` and `-` only".into(),
                ));
            }
        }
    }
    if f.claims.is_empty() && f.measures.is_empty() {
        p.push(("claims".into(), "no claim or measure".into()));
    }
    let mut ids = std::collections::BTreeSet::new();
    for (table, k, c, measure) in f.entries() {
        let field = |s: &str| format!("{table}[{k}].{s}");
        if !ids.insert(c.id) {
            p.push((
                field("id"),
                format!("id {} appears twice (claims and measures share ids)", c.id),
            ));
        }
        if c.claim.trim().is_empty() {
            p.push((field("claim"), "empty".into()));
        }
        if c.imposed.trim().is_empty() {
            p.push((
                field("imposed"),
                "say in one line what the scenario imposes and what emerges".into(),
            ));
        }
        if c.not_testable.is_some() {
            if c.statistic.is_some() || c.expect.is_some() || c.null.is_some() {
                p.push((
                    field("not_testable"),
                    "a claim that is not testable here has no statistic, null or expect".into(),
                ));
            }
            continue;
        }
        match &c.experiment {
            None => p.push((
                field("experiment"),
                "missing: name the experiment, or say why it is `not_testable`".into(),
            )),
            Some(e) if !f.experiments.contains_key(e) => p.push((
                field("experiment"),
                format!(
                    "no experiment {e:?}: the file has {}",
                    f.experiments.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )),
            Some(_) => {}
        }
        if c.statistic.is_none() {
            p.push((field("statistic"), "missing".into()));
        }
        match &c.expect {
            Some(Expect::Within([lo, hi])) if !(lo.is_finite() && hi.is_finite() && lo <= hi) => {
                p.push((
                    field("expect.within"),
                    "must be [low, high] with low ≤ high".into(),
                ))
            }
            Some(Expect::Effect { at_least, .. }) if !(at_least.is_finite() && *at_least >= 0.0) => {
                p.push((
                    field("expect.effect.at_least"),
                    "must be zero or positive (the claim's direction is `sign`)".into(),
                ))
            }
            Some(Expect::Above(x) | Expect::Below(x)) if !x.is_finite() => {
                p.push((field("expect"), "the level must be a finite number".into()))
            }
            Some(Expect::Effect { .. }) if c.null.is_none() => p.push((
                field("null"),
                "an effect is measured against a null: name the variant".into(),
            )),
            None if !measure => p.push((
                field("expect"),
                "missing: `within = [low, high]`, `above = x`, `below = x` or `effect = { sign = ... }`".into(),
            )),
            Some(_) if measure => p.push((
                field("expect"),
                "a measure has no expectation and no verdict; make it a claim to judge it".into(),
            )),
            _ => {}
        }
        if measure && c.not_testable.is_some() {
            p.push((
                field("not_testable"),
                "a measure is measured: give its experiment and statistic".into(),
            ));
        }
    }
    p
}
