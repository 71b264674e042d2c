# libFuzzer target for the GitLab normalizer (src/gitlab/webhook_payload_fuzz.cc).
#
# - In a tree configured with -DWORKLOG_FUZZ=ON and clang++ (scripts/run-fuzz, `make fuzz`),
#   this defines `worklog_webhook_payload_fuzz` (and `fuzz_targets`). It compiles the
#   normalizer's sources itself and links only worklog_domain and worklog_common, so the
#   clang build stays small (no client, store or HTTP).
# - In every other tree it adds the ctest `fuzz_webhook_payload` (labels integration, fuzz):
#   scripts/run-fuzz builds that small clang tree under this build directory and fuzzes for
#   a bounded time. `ctest -LE fuzz` leaves it out.
set(WORKLOG_FUZZ_SECONDS 20 CACHE STRING "seconds the fuzz_webhook_payload test fuzzes")

if(WORKLOG_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "WORKLOG_FUZZ=ON needs clang++ (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  # -O1: libFuzzer wants speed; Debug alone would compile at -O0.
  set(fuzz_flags -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
                 -fno-omit-frame-pointer)
  set(instrument_flags -O1 -fsanitize=fuzzer-no-link,address,undefined
                       -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_executable(worklog_webhook_payload_fuzz
                 "${PROJECT_SOURCE_DIR}/src/gitlab/webhook_payload_fuzz.cc"
                 "${PROJECT_SOURCE_DIR}/src/gitlab/normalize.cc"
                 "${PROJECT_SOURCE_DIR}/src/gitlab/webhook_payload.cc"
                 "${PROJECT_SOURCE_DIR}/src/gitlab/event_normalizer.cc")
  set_target_properties(worklog_webhook_payload_fuzz PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                                "${CMAKE_BINARY_DIR}")
  target_include_directories(worklog_webhook_payload_fuzz PRIVATE "${PROJECT_SOURCE_DIR}/src")
  target_compile_options(worklog_webhook_payload_fuzz PRIVATE ${WORKLOG_WARNINGS} ${fuzz_flags})
  target_link_options(worklog_webhook_payload_fuzz PRIVATE ${fuzz_flags})
  target_link_libraries(worklog_webhook_payload_fuzz PRIVATE worklog_domain worklog_common
                                                             nlohmann_json::nlohmann_json)
  # Coverage feedback and sanitizers inside the layers the normalizer calls.
  foreach(layer worklog_domain worklog_common)
    target_compile_options(${layer} PRIVATE ${instrument_flags})
  endforeach()
  add_custom_target(fuzz_targets DEPENDS worklog_webhook_payload_fuzz)
else()
  add_test(NAME fuzz_webhook_payload
           COMMAND "${PROJECT_SOURCE_DIR}/scripts/run-fuzz" --build-dir
                   "${CMAKE_BINARY_DIR}/fuzz" --seconds ${WORKLOG_FUZZ_SECONDS})
  set_tests_properties(fuzz_webhook_payload PROPERTIES LABELS "integration;fuzz" TIMEOUT 1200)
endif()
