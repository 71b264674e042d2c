# worklog_layer(NAME DIR DEPS <public deps...> PRIVATE_DEPS <private deps...>)
#
# One static library per layer: every *.cc under DIR except *_test.cc and *_fuzz.cc.
# Unit tests (*_test.cc beside the code) link into one binary per layer,
# worklog_<name>_tests, labelled `unit`. New files are picked up on the next build
# (CONFIGURE_DEPENDS), so adding a file never needs a CMake edit.
function(worklog_layer name)
  cmake_parse_arguments(ARG "" "DIR;TEST_LABEL" "DEPS;PRIVATE_DEPS;TEST_DEPS;EXTRA_SOURCES" ${ARGN})
  if(NOT ARG_DIR)
    set(ARG_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  if(NOT ARG_TEST_LABEL)
    set(ARG_TEST_LABEL unit)
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${ARG_DIR}/*.cc")
  file(GLOB_RECURSE tests CONFIGURE_DEPENDS "${ARG_DIR}/*_test.cc")
  list(FILTER sources EXCLUDE REGEX "_(test|fuzz|bench)\\.cc$")
  set(target worklog_${name})
  if(sources)
    add_library(${target} STATIC ${sources} ${ARG_EXTRA_SOURCES})
    target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/src")
    target_compile_options(${target} PRIVATE ${WORKLOG_WARNINGS})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${PROJECT_SOURCE_DIR}/src")
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  if(tests)
    add_executable(${target}_tests ${tests})
    target_compile_options(${target}_tests PRIVATE ${WORKLOG_WARNINGS})
    target_link_libraries(${target}_tests PRIVATE ${target} ${ARG_PRIVATE_DEPS} ${ARG_TEST_DEPS}
                                                  worklog_test_support GTest::gmock GTest::gtest_main)
    gtest_discover_tests(${target}_tests PROPERTIES LABELS ${ARG_TEST_LABEL} TIMEOUT 120
                         DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
