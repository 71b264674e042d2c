#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace worklog::http {

// One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes doubled).
std::string CsvField(std::string_view value);
// Fields joined by commas, ending in CRLF.
std::string CsvRow(const std::vector<std::string>& fields);
// Free text safe to open in a spreadsheet: a leading '=', '+', '-', '@', tab or CR gets a
// "'" in front, so the cell is not run as a formula (OWASP "CSV injection").
std::string CsvText(std::string_view value);

}  // namespace worklog::http
