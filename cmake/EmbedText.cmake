# worklog_embed_text(OUT_VAR NAMESPACE ns FILES a.sql b.sql)
# Generates a .cc file holding each file's text as a std::string_view constant, listed in
# an array of {name, text} pairs, so SQL migrations ship inside the binary.
function(worklog_embed_text out_var)
  cmake_parse_arguments(ARG "" "NAME;NAMESPACE" "FILES" ${ARGN})
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.cc")
  add_custom_command(
    OUTPUT "${generated}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${generated} -DNS=${ARG_NAMESPACE} -DVAR=${ARG_NAME}
            "-DFILES=${ARG_FILES}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedTextScript.cmake"
    DEPENDS ${ARG_FILES} "${PROJECT_SOURCE_DIR}/cmake/EmbedTextScript.cmake"
    COMMENT "Embedding ${ARG_NAME}"
    VERBATIM)
  set(${out_var} "${generated}" PARENT_SCOPE)
endfunction()
