//! The `kubesim` binary: a thin shell over the library. All printing,
//! environment and wall-clock access live here and in `cli.rs`.

/// A simulation allocates and frees many small objects per event (pods,
/// specs, event messages); mimalloc measured 5–8% faster than the system
/// allocator on the end-to-end and one-day runs. The benchmarks that run
/// whole simulations use it too, so that they measure what this binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(kubesim::cli::main());
}
