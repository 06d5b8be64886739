//! The `revc` binary: everything lives in the library's `cli` module.

fn main() {
    std::process::exit(revc::cli::main());
}
