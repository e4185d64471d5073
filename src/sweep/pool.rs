//! A work queue drained by a fixed number of worker threads.
//!
//! Which thread takes which item is left to the scheduler: the items handed in here are
//! independent runs, each a pure function of its inputs, so the assignment cannot change a
//! result. Results come back to the calling thread, which alone reports progress and writes
//! nothing shared.

use crossbeam::channel;

/// Runs `work` on every item on `threads` worker threads (at least one, at most one per
/// item) and calls `done` on the calling thread with each result as it arrives.
pub fn for_each<T, R>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    mut done: impl FnMut(&T, R),
) where
    T: Sync,
    R: Send,
{
    if items.is_empty() {
        return;
    }
    let threads = threads.clamp(1, items.len());
    let (queue, jobs) = channel::unbounded::<usize>();
    for i in 0..items.len() {
        // The receiver is alive here, so sending cannot fail.
        let _ = queue.send(i);
    }
    drop(queue);
    let (report, results) = channel::unbounded::<(usize, R)>();
    let work = &work;
    let outcome = crossbeam::scope(|scope| {
        for _ in 0..threads {
            let jobs = jobs.clone();
            let report = report.clone();
            scope.spawn(move |_| {
                for i in jobs.iter() {
                    if report.send((i, work(&items[i]))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(report);
        for (i, r) in results.iter() {
            done(&items[i], r);
        }
    });
    if let Err(panic) = outcome {
        // A worker panicked: a bug, not a failed run. Re-raise it where it can be seen.
        std::panic::resume_unwind(panic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_done_once_whatever_the_thread_count() {
        let items: Vec<u64> = (0..100).collect();
        for threads in [1, 2, 7, 500] {
            let mut seen = vec![0; items.len()];
            for_each(
                &items,
                threads,
                |x| x * x,
                |x, sq| {
                    assert_eq!(sq, x * x);
                    seen[*x as usize] += 1;
                },
            );
            assert!(seen.iter().all(|&n| n == 1), "{threads} threads: {seen:?}");
        }
        for_each(&[] as &[u64], 4, |x| *x, |_, _| panic!("no items"));
    }
}
