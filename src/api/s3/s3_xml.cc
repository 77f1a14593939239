#include "api/s3/s3_xml.h"

#include "api/xml_escape.h"

#include <ctime>

namespace strato::api::s3 {

std::string Element(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + XmlEscape(text) + "</" + std::string(name) + ">";
}

namespace {
std::string Format(int64_t ms, const char* format) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string IsoTime(int64_t ms) {
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return Format(ms, "%Y-%m-%dT%H:%M:%S") + millis;
}

std::string HttpDate(int64_t ms) { return Format(ms, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace strato::api::s3
