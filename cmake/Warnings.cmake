# Project-wide warnings; applied to our targets only (third-party headers are SYSTEM).
set(WORKLOG_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
    -Wnull-dereference -Wimplicit-fallthrough)
if(WORKLOG_WERROR)
  list(APPEND WORKLOG_WARNINGS -Werror)
  # g++ 12 at -O2/-O3 reports false positives from inlined libstdc++ (streambuf, chrono, string copies):
  # they stay warnings in optimized builds, so the release build (`make bench`) compiles.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND WORKLOG_WARNINGS
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=null-dereference>
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized>
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=restrict>
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=array-bounds>
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=stringop-overflow>
         $<$<NOT:$<CONFIG:Debug>>:-Wno-error=stringop-overread>)
  endif()
endif()
add_compile_definitions($<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
