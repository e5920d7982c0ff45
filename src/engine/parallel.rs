//! Independent pieces of work (columns, Table 1 rows, covariates) shared
//! among the cores natively; in the browser's worker, one after another.
//! The results come back in order, so the output never depends on it.

/// How many threads [`map`] uses at most (1 in the browser's worker).
/// Asked of the system once: it reads the process's CPU limits.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |t| t.get()))
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

/// `f(0..n)`, in order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads().min(n);
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
    (0..n).map(f).collect()
}

/// `(a(), b())`: natively `b` runs on another thread meanwhile.
pub fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    if threads() > 1 {
        return std::thread::scope(|scope| {
            let other = scope.spawn(b);
            let first = a();
            let second = other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (first, second)
        });
    }
    (a(), b())
}

/// Fills `out`, cut into consecutive pieces of the given lengths, with
/// `f(j, piece j)`: the pieces side by side natively.
pub fn fill_pieces<T: Send>(out: &mut [T], lengths: &[usize], f: impl Fn(usize, &mut [T]) + Sync) {
    let mut rest = out;
    let mut pieces = Vec::with_capacity(lengths.len());
    for &len in lengths {
        let (piece, tail) = rest.split_at_mut(len);
        pieces.push(std::sync::Mutex::new(piece));
        rest = tail;
    }
    map(pieces.len(), |j| {
        let mut piece = pieces[j].lock().unwrap_or_else(|e| e.into_inner());
        f(j, &mut piece);
    });
}

/// Consecutive ranges covering `0..n`: `parts` of them for at least
/// `min_len` items each, else one. A fixed number, so that results
/// never depend on the number of cores.
pub fn ranges(n: usize, parts: usize, min_len: usize) -> Vec<std::ops::Range<usize>> {
    let parts = if n >= parts * min_len {
        parts.max(1)
    } else {
        1
    };
    (0..parts)
        .map(|j| j * n / parts..(j + 1) * n / parts)
        .collect()
}

/// `body`, given a way to get `later()`: natively `later` starts at once on
/// another thread and the way waits for it; in the browser's worker it
/// runs when first asked for (so progress messages keep their order).
/// Asked for again, the way gives `None`.
pub fn meanwhile<B: Send, R>(
    later: impl FnOnce() -> B + Send,
    body: impl FnOnce(&mut dyn FnMut() -> Option<B>) -> R,
) -> R {
    if threads() > 1 {
        return std::thread::scope(|scope| {
            let mut handle = Some(scope.spawn(later));
            let mut get = || {
                handle
                    .take()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            };
            body(&mut get)
        });
    }
    let mut later = Some(later);
    let mut get = || later.take().map(|f| f());
    body(&mut get)
}
