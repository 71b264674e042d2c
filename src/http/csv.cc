#include "http/csv.h"

namespace worklog::http {

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (const char c : value) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      row.push_back(',');
    }
    row += CsvField(fields[i]);
  }
  row += "\r\n";
  return row;
}

std::string CsvText(std::string_view value) {
  if (!value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    return "'" + std::string(value);
  }
  return std::string(value);
}

}  // namespace worklog::http
