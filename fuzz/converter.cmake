# libFuzzer targets of the converter's untrusted-input parsers (configure with
# CMAKE_CXX_COMPILER=clang++ -DSPLADE_FUZZ=ON; scripts/fuzz_converter.sh does it).
# Included from the top-level CMakeLists.txt. Each target compiles only the sources it
# fuzzes (no ONNX Runtime), with ASan + UBSan.
set(_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1)
set(_hf "${PROJECT_SOURCE_DIR}/src/hf")

add_executable(fuzz_safetensors "${PROJECT_SOURCE_DIR}/fuzz/fuzz_safetensors.cpp" "${_hf}/safetensors.cpp"
  "${_hf}/tensor_store.cpp" "${_hf}/dtype.cpp" "${_hf}/mapped_file.cpp" "${PROJECT_SOURCE_DIR}/src/common/error.cpp")
add_executable(fuzz_unpickler "${PROJECT_SOURCE_DIR}/fuzz/fuzz_unpickler.cpp" "${_hf}/unpickler.cpp"
  "${_hf}/dtype.cpp" "${PROJECT_SOURCE_DIR}/src/common/error.cpp")
foreach(t fuzz_safetensors fuzz_unpickler)
  target_include_directories(${t} PRIVATE "${PROJECT_SOURCE_DIR}/src" "${PROJECT_SOURCE_DIR}/include")
  target_compile_options(${t} PRIVATE ${_fuzz_flags})
  target_link_options(${t} PRIVATE ${_fuzz_flags})
  target_link_libraries(${t} PRIVATE nlohmann_json::nlohmann_json)
endforeach()
