//! Build script shared by every package that links a final artifact (binary,
//! test or bench) against libtorch: it records the real libtorch directory as an
//! rpath, so `copmatch` and the tests run without LD_LIBRARY_PATH. It must be the
//! real `torch/lib` (not the symlink dir torch-sys links against) because
//! libtorch_cpu.so finds its CUDA runtime stubs relative to its own location.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(libtorch) = std::env::var("LIBTORCH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{libtorch}/lib");
    }
}
