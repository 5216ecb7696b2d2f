# Every third-party dependency of splade.cpp, found in one place.

# ONNX Runtime: the C/C++ API. Either a user's release (-DONNXRUNTIME_ROOT=DIR, with
# include/ and lib/) or the pinned copy fetched by scripts/setup.sh.
if(NOT ONNXRUNTIME_ROOT)
  set(ONNXRUNTIME_ROOT "${PROJECT_SOURCE_DIR}/third_party/onnxruntime")
endif()
find_path(ONNXRUNTIME_INCLUDE_DIR onnxruntime_cxx_api.h
  PATHS "${ONNXRUNTIME_ROOT}/include" "${ONNXRUNTIME_ROOT}/include/onnxruntime"
        "${ONNXRUNTIME_ROOT}/include/onnxruntime/core/session"
  NO_DEFAULT_PATH)
find_library(ONNXRUNTIME_LIBRARY NAMES onnxruntime
  PATHS "${ONNXRUNTIME_ROOT}/lib" "${ONNXRUNTIME_ROOT}/lib64" NO_DEFAULT_PATH)
if(NOT ONNXRUNTIME_INCLUDE_DIR OR NOT ONNXRUNTIME_LIBRARY)
  message(FATAL_ERROR
    "ONNX Runtime not found under '${ONNXRUNTIME_ROOT}' (expected include/onnxruntime_cxx_api.h "
    "and lib/libonnxruntime.so). Run scripts/setup.sh, or pass -DONNXRUNTIME_ROOT=<ORT release>.")
endif()
get_filename_component(ONNXRUNTIME_LIBRARY_DIR "${ONNXRUNTIME_LIBRARY}" DIRECTORY)
add_library(onnxruntime::onnxruntime SHARED IMPORTED)
set_target_properties(onnxruntime::onnxruntime PROPERTIES
  IMPORTED_LOCATION "${ONNXRUNTIME_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${ONNXRUNTIME_INCLUDE_DIR}")
message(STATUS "ONNX Runtime: ${ONNXRUNTIME_LIBRARY}")

# ONNX protobuf schema (Debian libonnx-dev) and protobuf.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)

find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(ZLIB REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
# Converter (src/hf/): pytorch_model.bin is a zip archive; sha256 of the source weights.
# Debian's libzip-config.cmake insists on the zipcmp/zipmerge tools (another package), so
# the library is found directly.
find_library(LIBZIP_LIBRARY NAMES zip REQUIRED)
find_path(LIBZIP_INCLUDE_DIR zip.h REQUIRED)
add_library(libzip::zip UNKNOWN IMPORTED)
set_target_properties(libzip::zip PROPERTIES
  IMPORTED_LOCATION "${LIBZIP_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${LIBZIP_INCLUDE_DIR}")
find_package(OpenSSL REQUIRED)
find_package(LibArchive REQUIRED)  # the CACM collection's tar.gz (src/collections/)
find_package(yaml-cpp REQUIRED)    # regressions/*.yaml (src/regression/)
# `splade serve` (src/server/): Boost.Beast + Asio, header-only (Debian libboost1.81-dev;
# 1.81 for Beast's mature request_parser and Asio's thread_pool). The choice against
# cpp-httplib was measured: BENCHMARKS.md, "Choosing the HTTP library".
find_package(Boost 1.81 REQUIRED CONFIG)

# OpenBLAS (Debian libopenblas-pthread-dev: DYNAMIC_ARCH, so one binary picks its AVX2 /
# AVX-512 kernels at run time): the sgemm of the fused SPLADE head (src/encode/fused_head/),
# which calls it from its own threads with OpenBLAS set to one thread. The pthread build, not
# the serial one: the serial build allocates its work buffers without a lock, and concurrent
# calls from two threads were measured to give wrong products now and then. Chosen by
# measurement over BLIS and oneDNN (BENCHMARKS.md, "The fused SPLADE head").
set(OPENBLAS_DIR "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread" CACHE PATH "OpenBLAS (pthread build)")
find_library(OPENBLAS_LIBRARY NAMES openblas PATHS "${OPENBLAS_DIR}" NO_DEFAULT_PATH REQUIRED)
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATHS "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread"
          NO_DEFAULT_PATH REQUIRED)
add_library(openblas::openblas UNKNOWN IMPORTED)
set_target_properties(openblas::openblas PROPERTIES
  IMPORTED_LOCATION "${OPENBLAS_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_INCLUDE_DIR}")

find_library(UTF8PROC_LIBRARY NAMES utf8proc REQUIRED)
find_path(UTF8PROC_INCLUDE_DIR utf8proc.h REQUIRED)
add_library(utf8proc::utf8proc UNKNOWN IMPORTED)
set_target_properties(utf8proc::utf8proc PROPERTIES
  IMPORTED_LOCATION "${UTF8PROC_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${UTF8PROC_INCLUDE_DIR}")

# ICU (Debian libicu-dev): the tokenizer needs each character's Unicode age (u_charAge) to
# reproduce the Unicode 8.0/9.0 tables of Hugging Face tokenizers; utf8proc has no age.
find_package(ICU REQUIRED COMPONENTS uc)

if(SPLADE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SPLADE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
