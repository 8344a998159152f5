//! Running model batches: in parallel (rayon, feature `parallel`: one contiguous run of
//! batches per thread) or in order, each run owning a scratch buffer it reuses. Results keep the batches' order, so
//! the outcome never depends on the number of threads.

use crate::error::Result;

/// `work(scratch, batch)` for every batch, with one `init()` scratch per worker.
pub fn run<B, S, T>(
    batches: &[B],
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, &B) -> Result<T> + Sync + Send,
) -> Result<Vec<T>>
where
    B: Sync,
    T: Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        // One contiguous run of batches per thread, so each scratch is built once.
        let per_thread = batches.len().div_ceil(rayon::current_num_threads()).max(1);
        let runs: Vec<Vec<T>> = batches
            .par_chunks(per_thread)
            .map(|run| {
                let mut scratch = init();
                run.iter()
                    .map(|b| work(&mut scratch, b))
                    .collect::<Result<Vec<T>>>()
            })
            // Every run first, then the first error in batch order (not whichever thread failed first).
            .collect::<Vec<Result<Vec<T>>>>()
            .into_iter()
            .collect::<Result<_>>()?;
        Ok(runs.into_iter().flatten().collect())
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut scratch = init();
        batches.iter().map(|b| work(&mut scratch, b)).collect()
    }
}

/// Split `n_items` items of `item_values` values each into chunks of at most
/// `max_values` values (at least one item per chunk).
pub fn chunk_size(item_values: usize, max_values: usize) -> usize {
    (max_values / item_values.max(1)).max(1)
}
