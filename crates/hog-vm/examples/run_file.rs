//! Runs a `.hoge` file and prints its output (a minimal host, used for quick measurements).
//! `cargo run -p hog-vm --example run_file -- FILE.hoge`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: run_file FILE.hoge");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut vm = match hog_vm::Vm::load(&text) {
        Ok(vm) => vm,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    };
    vm.on_print(|line| println!("{line}"));
    let start = std::time::Instant::now();
    let result = vm.run();
    let elapsed = start.elapsed();
    let usage = vm.usage();
    eprintln!(
        "{} steps in {:?} ({:.1} M steps/s), peak memory {} bytes",
        usage.steps,
        elapsed,
        usage.steps as f64 / elapsed.as_secs_f64() / 1e6,
        usage.peak_memory
    );
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
