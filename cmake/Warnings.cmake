# Project-wide warnings; applied to our targets only (third-party headers are SYSTEM).
set(WORKLOG_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
    -Wnull-dereference -Wimplicit-fallthrough)
if(WORKLOG_WERROR)
  list(APPEND WORKLOG_WARNINGS -Werror)
endif()
add_compile_definitions($<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
