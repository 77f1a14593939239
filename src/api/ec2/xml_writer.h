#pragma once
// XmlWriter: builds one small XML document element by element, escaping text. Enough for
// the EC2 Query responses: no attributes beyond the root's xmlns, no pretty-printing.
// Characters XML 1.0 cannot carry (control bytes other than tab/CR/LF) and bytes that are
// not well-formed UTF-8 become '?'.
// Thread-safety: a value type; one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strato::api::ec2 {

class XmlWriter {
 public:
  // Starts the document with the XML declaration and the root element.
  explicit XmlWriter(std::string_view root, std::string_view xmlns = "");

  void Open(std::string_view tag);
  void Close();  // the innermost open element
  void Leaf(std::string_view tag, std::string_view text);
  void Leaf(std::string_view tag, const char* text) { Leaf(tag, std::string_view(text)); }
  void Leaf(std::string_view tag, const std::string& text) { Leaf(tag, std::string_view(text)); }
  void Leaf(std::string_view tag, int64_t value);
  void Leaf(std::string_view tag, int value) { Leaf(tag, static_cast<int64_t>(value)); }
  void Leaf(std::string_view tag, bool value);
  void Empty(std::string_view tag);  // <tag/>

  // Closes every open element and returns the document.
  std::string Finish();

  static std::string Escape(std::string_view text);

 private:
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace strato::api::ec2
