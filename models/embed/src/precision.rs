//! Mixed precision for the model's matrix products.
//!
//! The fused engine ([`crate::Encoder`]) converts its product weights to bf16
//! at load and keeps everything else float32. For rust-bert's pipeline
//! (`model.engine = rust_bert`) this module switches on libtorch's CPU
//! autocast, which runs the products (`linear`, `matmul`) in bfloat16
//! while layer norms, softmax inputs and the pooled output stay float32. On a
//! CPU with native bf16 dot products (`avx512_bf16` or `amx_bf16`) oneDNN then
//! does about three times the work per cycle. Measured on this project's 2-core
//! EPYC: cosine to the float32 embeddings ≥ 0.9999 on short and long texts, the
//! development-set nDCG@10 unchanged (README, "Performance"). Without native
//! bf16 the products would be emulated and slower, so `auto` keeps float32 there.
//!
//! tch 0.17 exposes only the CUDA autocast switch, so the CPU one is called
//! through its C++ symbols in libtorch 2.4.0, which the build pins exactly
//! (`scripts/setup.sh`); a different libtorch fails at link time, not silently.

use serde::{Deserialize, Serialize};

/// The number format of the model's matrix products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// bf16 when the CPU computes it natively, float32 otherwise.
    Auto,
    /// Plain float32 everywhere: the reference embeddings.
    Fp32,
    /// bf16 products with float32 normalization, whatever the CPU.
    Bf16,
}

impl Precision {
    /// What `self` means on this machine: never `Auto`.
    pub fn resolve(self) -> Precision {
        match self {
            Precision::Auto if cpu_has_native_bf16() => Precision::Bf16,
            Precision::Auto => Precision::Fp32,
            other => other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Precision::Auto => "auto",
            Precision::Fp32 => "fp32",
            Precision::Bf16 => "bf16",
        }
    }
}

fn cpu_has_native_bf16() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::fs::read_to_string("/proc/cpuinfo")
            .map(|info| {
                info.lines()
                    .filter(|line| line.starts_with("flags"))
                    .any(|line| {
                        line.split_whitespace()
                            .any(|flag| flag == "avx512_bf16" || flag == "amx_bf16")
                    })
            })
            .unwrap_or(false)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

// c10::DeviceType and c10::ScalarType are `enum class : int8_t`.
const DEVICE_CPU: i8 = 0;
const SCALAR_BFLOAT16: i8 = 15;

extern "C" {
    #[link_name = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb"]
    fn at_set_autocast_enabled(device: i8, enabled: bool);
    #[link_name = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE"]
    fn at_set_autocast_dtype(device: i8, dtype: i8);
    #[link_name = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE"]
    fn at_is_autocast_enabled(device: i8) -> bool;
}

/// Sets the calling thread's autocast state for `precision` (autocast state is
/// thread-local in libtorch, and each model thread calls this once). Returns
/// whether bf16 autocast is now on.
pub fn apply_to_this_thread(precision: Precision) -> bool {
    let bf16 = precision.resolve() == Precision::Bf16;
    // SAFETY: plain setters of libtorch's thread-local autocast flags, with the
    // argument types of their C++ declarations (ATen/autocast_mode.h, 2.4.0).
    unsafe {
        if bf16 {
            at_set_autocast_dtype(DEVICE_CPU, SCALAR_BFLOAT16);
        }
        at_set_autocast_enabled(DEVICE_CPU, bf16);
        at_is_autocast_enabled(DEVICE_CPU)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_reaches_libtorch_and_stays_per_thread() {
        assert!(apply_to_this_thread(Precision::Bf16));
        let other = std::thread::spawn(|| unsafe { at_is_autocast_enabled(DEVICE_CPU) });
        assert!(
            !other.join().unwrap(),
            "a new thread starts without autocast"
        );
        assert!(!apply_to_this_thread(Precision::Fp32));
    }

    #[test]
    fn auto_resolves_to_a_concrete_precision() {
        assert_ne!(Precision::Auto.resolve(), Precision::Auto);
        assert_eq!(Precision::Fp32.resolve(), Precision::Fp32);
    }
}
