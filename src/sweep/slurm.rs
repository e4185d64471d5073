//! The sbatch script that runs a sweep as a Slurm job array: array task I runs shard I/N.
//!
//! Paths in the script are absolute, because a job may start in another folder (its logs go
//! to the folder `sbatch` was run in, as Slurm does by default). The
//! merge stays a separate step (`flowsim sweep SWEEP --merge`), run once every task has ended,
//! so that a failed task can be rerun alone before merging.

use std::path::Path;

/// What the script runs.
#[derive(Clone, Debug)]
pub struct SlurmJob<'a> {
    pub binary: &'a Path,
    pub sweep: &'a Path,
    pub out: &'a Path,
    pub name: &'a str,
    /// Array tasks; each runs one shard.
    pub shards: usize,
    /// Worker threads (and CPUs asked for) per task.
    pub threads: usize,
    /// Runs in the whole sweep, for the comment.
    pub runs: usize,
}

/// Quotes a word for the shell: single quotes, with `'` written as `'\''`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn q(p: &Path) -> String {
    quote(&p.display().to_string())
}

/// The script's text.
pub fn sbatch_script(job: &SlurmJob<'_>) -> String {
    let n = job.shards.max(1);
    let name: String = job
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        r#"#!/bin/bash
# flowsim sweep {sweep}: {runs} runs in {n} shards, one Slurm array task per shard.
# Submit:  sbatch THIS_FILE        (or sbatch --wait THIS_FILE to block until it ends)
# Then, once every task has ended, aggregate the shards into sweep.csv in the output folder:
#   {binary} sweep {sweep} --out {out} --merge
# A task that failed or was killed can be rerun alone (sbatch --array=I THIS_FILE): finished
# runs are skipped.
#SBATCH --job-name=flowsim-{name}
#SBATCH --array=0-{last}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task={threads}
#SBATCH --output=flowsim-{name}-%A_%a.out
set -euo pipefail
exec {binary} sweep {sweep} --out {out} --shard "${{SLURM_ARRAY_TASK_ID}}/{n}" --threads "${{SLURM_CPUS_PER_TASK:-{threads}}}"
"#,
        sweep = q(job.sweep),
        runs = job.runs,
        out = q(job.out),
        binary = q(job.binary),
        last = n - 1,
        threads = job.threads.max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_the_shell() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        let s = sbatch_script(&SlurmJob {
            binary: Path::new("/bin/flowsim"),
            sweep: Path::new("/x/my sweep.toml"),
            out: Path::new("/x/out"),
            name: "my sweep",
            shards: 4,
            threads: 2,
            runs: 10,
        });
        assert!(s.contains("#SBATCH --array=0-3\n"), "{s}");
        assert!(s.contains("#SBATCH --job-name=flowsim-my_sweep\n"), "{s}");
        assert!(s.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""), "{s}");
        assert!(s.contains("'/x/my sweep.toml'"), "{s}");
    }
}
