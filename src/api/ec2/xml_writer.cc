#include "api/ec2/xml_writer.h"

#include "api/xml_escape.h"

namespace strato::api::ec2 {

XmlWriter::XmlWriter(std::string_view root, std::string_view xmlns) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out_ += root;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += Escape(xmlns);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(root);
}

std::string XmlWriter::Escape(std::string_view text) { return XmlEscape(text); }

void XmlWriter::Open(std::string_view tag) {
  out_ += '<';
  out_ += tag;
  out_ += '>';
  open_.emplace_back(tag);
}

void XmlWriter::Close() {
  if (open_.empty()) return;
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
}

void XmlWriter::Leaf(std::string_view tag, std::string_view text) {
  out_ += '<';
  out_ += tag;
  out_ += '>';
  out_ += Escape(text);
  out_ += "</";
  out_ += tag;
  out_ += '>';
}

void XmlWriter::Leaf(std::string_view tag, int64_t value) { Leaf(tag, std::to_string(value)); }

void XmlWriter::Leaf(std::string_view tag, bool value) { Leaf(tag, value ? "true" : "false"); }

void XmlWriter::Empty(std::string_view tag) {
  out_ += '<';
  out_ += tag;
  out_ += "/>";
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace strato::api::ec2
