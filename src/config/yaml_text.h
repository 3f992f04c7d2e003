// Text helpers shared by YAML decoding (messages) and emission (documents).
#ifndef TEND_CONFIG_YAML_TEXT_H_
#define TEND_CONFIG_YAML_TEXT_H_

#include <string>
#include <string_view>

namespace tend {

// `s` in double quotes for an error message, with \" \\ \n \t and \xHH
// escapes for quotes, backslashes and control bytes, cut after 60 bytes (at
// a UTF-8 character boundary) with "..." so a huge value cannot flood a
// message.
std::string QuoteForMessage(std::string_view s);

// `s` as a YAML scalar that reads back as exactly `s`: single-quoted when it
// holds only printable text, double-quoted with escapes when it holds
// control characters. Bytes >= 0x80 are copied as they are, so `s` must be
// valid UTF-8 to read back (YAML documents are UTF-8).
std::string YamlQuote(std::string_view s);

// `text` as YAML comment lines: each starts with `indent` spaces and "# ",
// words are wrapped so lines stay within 80 columns where possible, and
// each '\n' in `text` starts a new line. Empty text gives "".
std::string YamlComment(std::string_view text, int indent);

}  // namespace tend

#endif  // TEND_CONFIG_YAML_TEXT_H_
