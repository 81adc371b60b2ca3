//! The `kubesim` binary: a thin shell over the library. All printing,
//! environment and wall-clock access live here and in `cli.rs`.

fn main() {
    std::process::exit(kubesim::cli::main());
}
