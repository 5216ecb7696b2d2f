// What this CPU offers ONNX Runtime's integer kernels (MLAS): the x86-64 instruction-set
// extensions its int8 GEMM dispatch keys on (CPUID, with the OS-enabled register state
// from XGETBV, as MLAS checks them), or ARM64's dot-product and i8mm extensions.
#pragma once

#include <string>

namespace splade::cpu {

struct CpuFeatures {
  std::string model;          // "AMD EPYC 7B13", from the CPUID brand string ("" if none)
  bool x86_64 = false;
  bool avx2 = false;          // with FMA and OS-saved YMM state
  bool avx512_core = false;   // AVX512F + BW + DQ + VL with OS-saved ZMM state (MLAS' "Avx512Core")
  bool avx512_vnni = false;   // AVX512_VNNI (vpdpbusd on zmm)
  bool avx_vnni = false;      // AVX-VNNI (vpdpbusd on ymm, Alder Lake and later)
  bool amx_int8 = false;      // AMX-TILE + AMX-INT8 with OS-enabled tile state
  bool arm64 = false;
  bool arm_dotprod = false;   // sdot/udot
  bool arm_i8mm = false;      // usdot/smmla
};

// Read once per process (thread-safe).
const CpuFeatures& cpu_features();

// "avx2 avx512_core avx512_vnni ..." : the flags above that are set, space-separated.
std::string feature_list(const CpuFeatures& f);
// "AMD EPYC 7B13 (x86-64 avx2)": the model ("unknown CPU" without a brand string) and features.
std::string describe(const CpuFeatures& f);

}  // namespace splade::cpu
