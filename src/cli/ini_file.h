#pragma once
// A parser for AWS-style INI profile files (~/.strato/credentials).
//
//   # comment            ; comment too (whole lines only: values may contain '#')
//   [default]            [profile name] is accepted as "name", as in ~/.aws/config
//   aws_access_key_id = AKIA...
//
// Spaces around names, keys and values are trimmed; a repeated section merges into the earlier
// one and a repeated key keeps the last value. Thread-safety: pure function.

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato::cli {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// `source` names the file in error messages. InvalidParameterValue ("<source>:<line>: ...") for a
// key outside any section, an unterminated or empty section header, or a line that is neither a
// comment, a section header nor `key = value`.
Result<IniFile> ParseIni(std::string_view text, std::string_view source);

}  // namespace strato::cli
