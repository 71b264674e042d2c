# Fidelity of `worklog gitlab-sim`, checked with Debian's python3-gitlab (unmodified): the
# script starts the simulator on a free port and drives it with the real client library.
# Debian's interpreter is used on purpose: python3-gitlab lives in its dist-packages.
find_program(WORKLOG_DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(WORKLOG_DEBIAN_PYTHON3)
  add_test(NAME python_gitlab_fidelity
           COMMAND "${WORKLOG_DEBIAN_PYTHON3}"
                   "${PROJECT_SOURCE_DIR}/tests/python/python_gitlab_check.py"
                   --worklog "$<TARGET_FILE:worklog>")
  set_tests_properties(python_gitlab_fidelity PROPERTIES LABELS integration TIMEOUT 300)
else()
  message(WARNING "Debian's /usr/bin/python3 not found: python_gitlab_fidelity is not registered")
endif()
