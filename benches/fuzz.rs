//! A seeded mutation fuzzer on the stable toolchain (see docs/FUZZING.md):
//!
//! ```text
//! cargo bench --bench fuzz -- --seed 1 --seconds 60
//! cargo bench --bench fuzz -- --seed 7 --execs 10000000 --out /tmp/findings
//! cargo bench --bench fuzz -- --class csv --case 0x1234abcd      # rerun one case
//! ```
//!
//! Classes of input: CSV bytes (seeded from tests/data, mutated), xlsx
//! workbooks (random small tables, unmutated and mutated), dataset
//! specifications and study settings (mutated JSON applied to a dataset),
//! and the analyses on small random datasets (Table 1, logistic
//! regression, matching, Kaplan-Meier, log-rank, Cox, the whole study),
//! all sent as the page's worker service receives them. Every panic is a
//! finding: its input is saved, one line is printed per distinct panic
//! location, and the run exits non-zero. An allocation over `--max-alloc`
//! or a case running over `--timeout` seconds is a finding too (printed,
//! saved, and the run stops).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cohortlab::engine::rng::Rng;

#[path = "fuzz/cases.rs"]
mod cases;
#[path = "common/cohort.rs"]
mod cohort;
#[path = "fuzz/gen.rs"]
mod gen;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/xlsx.rs"]
mod xlsx;

use cases::{Case, Seeds, CLASSES};

/// The case running now, for the allocation guard and the watchdog.
static CURRENT_CLASS: AtomicUsize = AtomicUsize::new(usize::MAX);
static CURRENT_SEED: AtomicU64 = AtomicU64::new(0);
static MAX_ALLOC: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Cases started so far.
static EXECS: AtomicU64 = AtomicU64::new(0);

/// The system allocator, refusing one allocation larger than `--max-alloc`
/// (an input that makes a reader allocate gigabytes): it names the case
/// on stderr, then the process aborts (Rust's allocation failure).
struct Guard;

fn too_large(size: usize) -> bool {
    if size <= MAX_ALLOC.load(Relaxed) {
        return false;
    }
    use std::io::Write;
    let class = CLASSES
        .get(CURRENT_CLASS.load(Relaxed))
        .map_or("?", |c| c.0);
    let mut buf = [0u8; 256];
    let mut w = &mut buf[..];
    let _ = write!(
        w,
        "\nFINDING allocation of {size} bytes in case --class {class} --case {:#x} (save it with --save), after {} executions\n",
        CURRENT_SEED.load(Relaxed),
        EXECS.load(Relaxed).saturating_sub(1)
    );
    let n = 256 - w.len();
    let _ = std::io::stderr().write_all(&buf[..n]);
    true
}

unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if too_large(layout.size()) {
            return std::ptr::null_mut();
        }
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if too_large(layout.size()) {
            return std::ptr::null_mut();
        }
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if too_large(new_size) {
            return std::ptr::null_mut();
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Guard = Guard;

struct Args {
    seed: u64,
    seconds: Option<f64>,
    execs: Option<u64>,
    out: PathBuf,
    skip: Vec<String>,
    only: Vec<String>,
    timeout: f64,
    case: Option<u64>,
    save: bool,
}

fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.replace('_', "").parse().ok(),
    }
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "error: {msg}\nusage: cargo bench --bench fuzz -- [--seed N] [--seconds S | --execs N] \
         [--out DIR] [--skip CLASS,...] [--only CLASS,...] [--timeout S] [--max-alloc BYTES] \
         [--class CLASS --case SEED [--save]]\nclasses: {}",
        CLASSES.map(|c| c.0).join(", ")
    );
    std::process::exit(2)
}

fn parse_args(root: &Path) -> Args {
    let mut a = Args {
        seed: 1,
        seconds: None,
        execs: None,
        out: root.join("target/fuzz-findings"),
        skip: Vec::new(),
        only: Vec::new(),
        timeout: 10.0,
        case: None,
        save: false,
    };
    MAX_ALLOC.store(1 << 31, Relaxed);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let classes = |v: String| -> Vec<String> {
            let v: Vec<String> = v.split(',').map(str::to_owned).collect();
            if let Some(bad) = v
                .iter()
                .find(|c| !CLASSES.iter().any(|k| k.0 == c.as_str()))
            {
                usage(&format!("unknown class `{bad}`"));
            }
            v
        };
        match flag.as_str() {
            "--seed" => a.seed = parse_u64(&value()).unwrap_or_else(|| usage("--seed N")),
            "--seconds" => {
                a.seconds = Some(value().parse().unwrap_or_else(|_| usage("--seconds S")))
            }
            "--execs" => a.execs = Some(parse_u64(&value()).unwrap_or_else(|| usage("--execs N"))),
            "--out" => a.out = PathBuf::from(value()),
            "--skip" => a.skip.extend(classes(value())),
            "--only" | "--class" => a.only.extend(classes(value())),
            "--timeout" => a.timeout = value().parse().unwrap_or_else(|_| usage("--timeout S")),
            "--max-alloc" => MAX_ALLOC.store(
                parse_u64(&value()).unwrap_or_else(|| usage("--max-alloc BYTES")) as usize,
                Relaxed,
            ),
            "--case" => a.case = Some(parse_u64(&value()).unwrap_or_else(|| usage("--case SEED"))),
            "--save" => a.save = true,
            "--bench" => {} // added by cargo bench
            other => usage(&format!("unknown option `{other}`")),
        }
    }
    if a.seconds.is_none() && a.execs.is_none() {
        a.seconds = Some(60.0);
    }
    a
}

/// Where and why the last panic happened (set by the panic hook, on
/// whichever thread panicked).
static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

/// Whether a case is running (a panic elsewhere is the harness's own:
/// reported as usual).
static IN_CASE: AtomicBool = AtomicBool::new(false);

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_CASE.load(Relaxed) {
            return default(info);
        }
        let location = info.location().map_or("unknown".to_string(), |l| {
            format!("{}:{}:{}", l.file(), l.line(), l.column())
        });
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message: String = message
            .chars()
            .take(160)
            .collect::<String>()
            .replace('\n', " ");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some((location, message));
        }
    }));
}

/// Writes the case's file and what is done with it (JSON) into `dir`.
fn save(dir: &Path, kind: &str, case: &Case) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let ext = Path::new(&case.file_name)
        .extension()
        .map_or("bin".into(), |e| e.to_string_lossy().into_owned());
    let stem = format!("{kind}-{}-{:016x}", case.class, case.seed);
    let file = dir.join(format!("{stem}.{ext}"));
    let _ = std::fs::write(&file, &case.file);
    let json = serde_json::to_string_pretty(case).unwrap_or_default();
    let _ = std::fs::write(dir.join(format!("{stem}.json")), json);
    file
}

/// Stops the run when one case takes longer than `timeout` (a hang),
/// after saving it.
fn watchdog(timeout: f64, seeds: Arc<Seeds>, out: PathBuf) {
    std::thread::spawn(move || {
        let mut last = (u64::MAX, Instant::now());
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let now = EXECS.load(Relaxed);
            if now != last.0 {
                last = (now, Instant::now());
            } else if last.1.elapsed().as_secs_f64() > timeout {
                let class = CLASSES
                    .get(CURRENT_CLASS.load(Relaxed))
                    .map_or("?", |c| c.0);
                let seed = CURRENT_SEED.load(Relaxed);
                let case = cases::make(class, seed, &seeds);
                let file = save(&out, "hang", &case);
                println!(
                    "FINDING hang: case --class {class} --case {seed:#x} ran over {timeout} s; saved to {}; the run stops after {} executions",
                    file.display(),
                    now.saturating_sub(1)
                );
                std::process::exit(3);
            }
        }
    });
}

/// One distinct panic location.
struct Finding {
    message: String,
    count: u64,
    first: String,
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let args = parse_args(&root);
    let seeds = Arc::new(Seeds::load(&root, cohort::registry_csv(60)));
    let allowed: Vec<usize> = (0..CLASSES.len())
        .filter(|&k| args.only.is_empty() || args.only.iter().any(|c| c == CLASSES[k].0))
        .filter(|&k| !args.skip.iter().any(|c| c == CLASSES[k].0))
        .collect();
    if allowed.is_empty() {
        usage("every class is skipped");
    }
    if let Some(seed) = args.case {
        // One case: saved, or run without catching its panic.
        let k = allowed[0];
        let case = cases::make(CLASSES[k].0, seed, &seeds);
        if args.save {
            println!("saved {}", save(&args.out, "case", &case).display());
        } else {
            CURRENT_CLASS.store(k, Relaxed);
            CURRENT_SEED.store(seed, Relaxed);
            cases::execute(&case);
            println!("case --class {} --case {seed:#x}: no panic", CLASSES[k].0);
        }
        return;
    }
    install_panic_hook();
    watchdog(args.timeout, seeds.clone(), args.out.clone());
    let total_weight: u64 = allowed.iter().map(|&k| CLASSES[k].1).sum();
    let mut rng = Rng::seed_from_u64(args.seed);
    let mut findings: BTreeMap<String, Finding> = BTreeMap::new();
    let mut per_class = vec![0u64; CLASSES.len()];
    let start = Instant::now();
    let mut n = 0u64;
    println!(
        "fuzz: seed {}, classes {}, findings to {}",
        args.seed,
        allowed
            .iter()
            .map(|&k| CLASSES[k].0)
            .collect::<Vec<_>>()
            .join(","),
        args.out.display()
    );
    loop {
        if args.execs.is_some_and(|e| n >= e) {
            break;
        }
        if n.is_multiple_of(64)
            && args
                .seconds
                .is_some_and(|s| start.elapsed().as_secs_f64() >= s)
        {
            break;
        }
        let mut w = rng.below(total_weight);
        let k = *allowed
            .iter()
            .find(|&&k| {
                let hit = w < CLASSES[k].1;
                w = w.saturating_sub(CLASSES[k].1);
                hit
            })
            .unwrap_or(&allowed[0]);
        let seed = rng.next_u64();
        let case = cases::make(CLASSES[k].0, seed, &seeds);
        CURRENT_CLASS.store(k, Relaxed);
        CURRENT_SEED.store(seed, Relaxed);
        EXECS.fetch_add(1, Relaxed);
        IN_CASE.store(true, Relaxed);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cases::execute(&case)));
        IN_CASE.store(false, Relaxed);
        n += 1;
        per_class[k] += 1;
        if r.is_err() {
            let (location, message) = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut l| l.take())
                .unwrap_or_else(|| ("unknown".into(), String::new()));
            let f = findings.entry(location.clone()).or_insert_with(|| {
                let file = save(&args.out, "panic", &case);
                let first = format!("--class {} --case {seed:#x}", CLASSES[k].0);
                println!(
                    "FINDING panic at {location}: {message} ({first}; saved to {})",
                    file.display()
                );
                Finding {
                    message,
                    count: 0,
                    first,
                }
            });
            f.count += 1;
        }
        if n.is_multiple_of(100_000) {
            let s = start.elapsed().as_secs_f64();
            println!(
                "fuzz: {n} executions in {s:.0} s ({:.0}/s), {} distinct panics",
                n as f64 / s,
                findings.len()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz: per class: {}",
        allowed
            .iter()
            .map(|&k| format!("{} {}", CLASSES[k].0, per_class[k]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (location, f) in &findings {
        println!(
            "panic at {location} ({} times; first {}): {}",
            f.count, f.first, f.message
        );
    }
    println!(
        "fuzz: {n} executions in {secs:.1} s, {:.0} executions/s, seed {}, {} distinct panic locations",
        n as f64 / secs.max(1e-9),
        args.seed,
        findings.len()
    );
    if !findings.is_empty() {
        std::process::exit(1);
    }
}
