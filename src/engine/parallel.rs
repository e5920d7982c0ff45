//! Independent pieces of work (columns, Table 1 rows, covariates) shared
//! among the cores natively; in the browser's worker, one after another.
//! The results come back in order, so the output never depends on it.

/// `f(0..n)`, in order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(n);
        if threads > 1 {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut out = Vec::new();
                            loop {
                                let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                if j >= n {
                                    break out;
                                }
                                out.push((j, f(j)));
                            }
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            done.sort_by_key(|(j, _)| *j);
            return done.into_iter().map(|(_, t)| t).collect();
        }
    }
    (0..n).map(f).collect()
}
