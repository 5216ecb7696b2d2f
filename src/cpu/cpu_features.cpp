#include "cpu/cpu_features.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace splade::cpu {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
struct Regs {
  unsigned a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(unsigned leaf, unsigned sub = 0) {
  Regs r;
  __cpuid_count(leaf, sub, r.a, r.b, r.c, r.d);
  return r;
}

unsigned long long xgetbv0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  f.x86_64 = true;
  const unsigned max_leaf = cpuid(0).a;
  const unsigned max_ext = cpuid(0x80000000u).a;
  if (max_ext >= 0x80000004u) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      Regs r = cpuid(0x80000002u + i);
      std::memcpy(brand + 16 * i, &r.a, 4);
      std::memcpy(brand + 16 * i + 4, &r.b, 4);
      std::memcpy(brand + 16 * i + 8, &r.c, 4);
      std::memcpy(brand + 16 * i + 12, &r.d, 4);
    }
    std::string s(brand);
    const auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    f.model = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  if (max_leaf < 7) return f;
  const Regs l1 = cpuid(1);
  const bool osxsave = (l1.c >> 27) & 1, fma = (l1.c >> 12) & 1;
  if (!osxsave) return f;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;           // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;         // + opmask, ZMM_Hi256, Hi16_ZMM
  const bool tile_state = (xcr0 & 0x60000) == 0x60000;  // XTILECFG + XTILEDATA
  const Regs l7 = cpuid(7, 0);
  const Regs l71 = cpuid(7, 1);
  f.avx2 = ymm_state && fma && ((l7.b >> 5) & 1);
  const bool avx512f = (l7.b >> 16) & 1, avx512dq = (l7.b >> 17) & 1, avx512bw = (l7.b >> 30) & 1,
             avx512vl = (l7.b >> 31) & 1;
  f.avx512_core = f.avx2 && zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  f.avx512_vnni = f.avx512_core && ((l7.c >> 11) & 1);
  f.avx_vnni = f.avx2 && ((l71.a >> 4) & 1);
  f.amx_int8 = tile_state && ((l7.d >> 24) & 1) && ((l7.d >> 25) & 1);
  return f;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
  CpuFeatures f;
  f.arm64 = true;
#if defined(__linux__)
  const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
#ifdef HWCAP_ASIMDDP
  f.arm_dotprod = hw & HWCAP_ASIMDDP;
#endif
#ifdef HWCAP2_I8MM
  f.arm_i8mm = hw2 & HWCAP2_I8MM;
#endif
  (void)hw2;
#endif
  return f;
}
#else
CpuFeatures detect() { return {}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

std::string feature_list(const CpuFeatures& f) {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(f.x86_64, "x86-64");
  add(f.avx2, "avx2");
  add(f.avx512_core, "avx512_core");
  add(f.avx512_vnni, "avx512_vnni");
  add(f.avx_vnni, "avx_vnni");
  add(f.amx_int8, "amx_int8");
  add(f.arm64, "arm64");
  add(f.arm_dotprod, "dotprod");
  add(f.arm_i8mm, "i8mm");
  return s;
}

std::string describe(const CpuFeatures& f) {
  return (f.model.empty() ? std::string("unknown CPU") : f.model) + " (" + feature_list(f) + ")";
}

}  // namespace splade::cpu
