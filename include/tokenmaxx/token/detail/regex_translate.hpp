// Internal to the tokenizer; include <tokenmaxx/token/pretokenizer.hpp> instead.
//
// Rewrites a pattern written for tiktoken's regex engine (Rust `fancy-regex` over `regex`) or for
// Hugging Face `tokenizers` (Oniguruma, Ruby syntax) into PCRE2 syntax with the same meaning, so
// that PCRE2 (UTF + UCP) can run it. The pattern is parsed completely; every construct whose
// meaning differs between the engines is spelled out explicitly:
//
//  - \s is Unicode White_Space in both source engines (PCRE2's UCP \s leaves out U+0085);
//  - \w, \b, \B use the source engine's word definition (Rust: Alphabetic, M, Nd, Pc,
//    Join_Control; Oniguruma: L, M, Nd, Pc), not PCRE2's;
//  - \h is a hex digit in both source engines (horizontal space in PCRE2);
//  - ^ $ . and the flags m, s, x, U are resolved here (Rust: ^ $ are text anchors unless (?m), $
//    never matches before a final newline; Ruby: ^ $ are line anchors and (?m) is dot-all);
//  - POSIX classes are ASCII in Rust (Unicode under PCRE2's UCP); long property names and
//    `gc=` forms are mapped to the short names PCRE2 10.42 knows;
//  - class set operations (&&, --, ~~) and nested classes become one-character lookarounds;
//  - \u escapes, {,n}, \O, \e become their PCRE2 spelling;
//  - under a case-insensitive flag, \p{..} gets the code points whose case orbit meets it (Rust
//    folds classes; PCRE2 ignores the flag for properties).
// Constructs that cannot be given the same meaning are refused with an error that names them
// (for example \b{start}).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "tokenmaxx/base/utf8.hpp"

namespace tokenmaxx::token_detail {

enum class regex_dialect : std::uint8_t {
  fancy_regex,  // tiktoken: Rust fancy-regex (Rust regex syntax plus lookaround, backreferences, ...)
  oniguruma,    // Hugging Face tokenizers' Split pre-tokenizer: Oniguruma with Ruby syntax
};

struct translated_pattern {
  std::string pcre2;          // the PCRE2 pattern; empty when `error` is set
  std::string error;          // what is wrong or unsupported, with the code point offset
  bool case_insensitive_used = false;
};

namespace regex_translation {

#include "tokenmaxx/token/detail/case_orbits.inc"

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

inline std::string hex_escape(char32_t c) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string h;
  do {
    h.insert(h.begin(), digits[c & 0xF]);
    c >>= 4;
  } while (c);
  return "\\x{" + h + "}";
}

// A character class as a tree, so set operations can be emitted as lookarounds when needed.
struct class_node {
  enum kind_t { items, negate, intersect, subtract, sym_diff, unite } kind = items;
  std::string body;  // for `items`: the inside of a PCRE2 [...] (empty: matches nothing)
  std::vector<std::unique_ptr<class_node>> kids;
};
using class_ptr = std::unique_ptr<class_node>;

inline class_ptr make_items(std::string body) {
  auto n = std::make_unique<class_node>();
  n->body = std::move(body);
  return n;
}
inline class_ptr make_node(class_node::kind_t k, class_ptr a, class_ptr b = nullptr) {
  auto n = std::make_unique<class_node>();
  n->kind = k;
  n->kids.push_back(std::move(a));
  if (b) n->kids.push_back(std::move(b));
  return n;
}

// A PCRE2 fragment that matches exactly one code point iff it belongs to the class.
inline std::string emit_class(const class_node& n) {
  switch (n.kind) {
    case class_node::items:
      return n.body.empty() ? "(?!)" : "[" + n.body + "]";
    case class_node::negate: {
      const class_node& k = *n.kids[0];
      if (k.kind == class_node::items) return k.body.empty() ? "(?s:.)" : "[^" + k.body + "]";
      return "(?:(?!" + emit_class(k) + ")(?s:.))";
    }
    case class_node::intersect:
      return "(?:(?=" + emit_class(*n.kids[0]) + ")" + emit_class(*n.kids[1]) + ")";
    case class_node::subtract:
      return "(?:(?!" + emit_class(*n.kids[1]) + ")" + emit_class(*n.kids[0]) + ")";
    case class_node::sym_diff: {
      const std::string a = emit_class(*n.kids[0]), b = emit_class(*n.kids[1]);
      return "(?:(?!" + b + ")" + a + "|(?!" + a + ")" + b + ")";
    }
    case class_node::unite: {
      std::string out = "(?:";
      for (std::size_t k = 0; k < n.kids.size(); ++k) out += (k ? "|" : "") + emit_class(*n.kids[k]);
      return out + ")";
    }
  }
  return "(?!)";
}

// Loose matching of property names (UAX #44-LM3): case, spaces, '_' and '-' are ignored.
inline std::string loose(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

// General category long names -> the short names PCRE2 knows.
inline std::optional<std::string_view> general_category(std::string_view loose_name) {
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"l", "L"}, {"letter", "L"}, {"lu", "Lu"}, {"uppercaseletter", "Lu"}, {"ll", "Ll"}, {"lowercaseletter", "Ll"},
      {"lt", "Lt"}, {"titlecaseletter", "Lt"}, {"lc", "L&"}, {"casedletter", "L&"}, {"lm", "Lm"},
      {"modifierletter", "Lm"}, {"lo", "Lo"}, {"otherletter", "Lo"}, {"m", "M"}, {"mark", "M"},
      {"combiningmark", "M"}, {"mn", "Mn"}, {"nonspacingmark", "Mn"}, {"mc", "Mc"}, {"spacingmark", "Mc"},
      {"me", "Me"}, {"enclosingmark", "Me"}, {"n", "N"}, {"number", "N"}, {"nd", "Nd"}, {"decimalnumber", "Nd"},
      {"digit", "Nd"}, {"nl", "Nl"}, {"letternumber", "Nl"}, {"no", "No"}, {"othernumber", "No"}, {"p", "P"},
      {"punctuation", "P"}, {"punct", "P"}, {"pc", "Pc"}, {"connectorpunctuation", "Pc"}, {"pd", "Pd"},
      {"dashpunctuation", "Pd"}, {"ps", "Ps"}, {"openpunctuation", "Ps"}, {"pe", "Pe"}, {"closepunctuation", "Pe"},
      {"pi", "Pi"}, {"initialpunctuation", "Pi"}, {"pf", "Pf"}, {"finalpunctuation", "Pf"}, {"po", "Po"},
      {"otherpunctuation", "Po"}, {"s", "S"}, {"symbol", "S"}, {"sm", "Sm"}, {"mathsymbol", "Sm"}, {"sc", "Sc"},
      {"currencysymbol", "Sc"}, {"sk", "Sk"}, {"modifiersymbol", "Sk"}, {"so", "So"}, {"othersymbol", "So"},
      {"z", "Z"}, {"separator", "Z"}, {"zs", "Zs"}, {"spaceseparator", "Zs"}, {"zl", "Zl"},
      {"lineseparator", "Zl"}, {"zp", "Zp"}, {"paragraphseparator", "Zp"}, {"c", "C"}, {"other", "C"},
      {"cc", "Cc"}, {"control", "Cc"}, {"cntrl", "Cc"}, {"cf", "Cf"}, {"format", "Cf"}, {"cs", "Cs"},
      {"surrogate", "Cs"}, {"co", "Co"}, {"privateuse", "Co"}, {"cn", "Cn"}, {"unassigned", "Cn"},
  };
  for (const auto& [k, v] : names)
    if (k == loose_name) return v;
  return std::nullopt;
}

// Binary properties PCRE2 10.42 knows (long names and aliases, loosely matched). A bare name that
// is none of these is a script, which Rust reads as Script (PCRE2 as Script_Extensions).
inline bool binary_property(std::string_view loose_name) {
  static constexpr std::string_view names[] = {
      "ascii", "asciihexdigit", "ahex", "alphabetic", "alpha", "bidicontrol", "bidic", "bidimirrored", "bidim",
      "caseignorable", "ci", "cased", "changeswhencasefolded", "cwcf", "changeswhencasemapped", "cwcm",
      "changeswhenlowercased", "cwl", "changeswhennfkccasefolded", "cwkcf", "changeswhentitlecased", "cwt",
      "changeswhenuppercased", "cwu", "dash", "defaultignorablecodepoint", "di", "deprecated", "dep", "diacritic",
      "dia", "emoji", "emojicomponent", "ecomp", "emojimodifier", "emod", "emojimodifierbase", "ebase",
      "emojipresentation", "epres", "extendedpictographic", "extpict", "extender", "ext", "graphemebase", "grbase",
      "graphemeextend", "grext", "graphemelink", "grlink", "hexdigit", "hex", "idsbinaryoperator", "idsb",
      "idstrinaryoperator", "idst", "idcontinue", "idc", "idstart", "ids", "ideographic", "ideo", "joincontrol",
      "joinc", "logicalorderexception", "loe", "lowercase", "lower", "math", "noncharactercodepoint", "nchar",
      "patternsyntax", "patsyn", "patternwhitespace", "patws", "prependedconcatenationmark", "pcm", "quotationmark",
      "qmark", "radical", "regionalindicator", "ri", "sentenceterminal", "sterm", "softdotted", "sd",
      "terminalpunctuation", "term", "unifiedideograph", "uideo", "uppercase", "upper", "variationselector", "vs",
      "whitespace", "wspace", "space", "xidcontinue", "xidc", "xidstart", "xids"};
  for (auto n : names)
    if (n == loose_name) return true;
  return false;
}

class translator {
 public:
  translator(std::string_view pattern, regex_dialect dialect) : dialect_(dialect) {
    // Decode; a pattern that is not valid UTF-8 (base::utf8_sequence_length: no overlong forms,
    // surrogates or code points past U+10FFFF) is refused.
    const auto* s = reinterpret_cast<const std::uint8_t*>(pattern.data());
    std::size_t i = 0;
    while (i < pattern.size()) {
      std::size_t bad_len = 0;
      const std::size_t len = base::utf8_sequence_length(s, pattern.size(), i, bad_len);
      if (len == 0) {
        bad_utf8_ = true;
        return;
      }
      char32_t c = len == 1 ? s[i] : char32_t(s[i] & (0x7F >> len));
      for (std::size_t k = 1; k < len; ++k) c = (c << 6) | (s[i + k] & 0x3F);
      cps_.push_back(c);
      i += len;
    }
  }

  translated_pattern run() {
    translated_pattern out;
    if (bad_utf8_) {
      out.error = "the pattern is not valid UTF-8";
      return out;
    }
    flags f{};
    std::string body;
    if (!alternation(f, body, /*top=*/true)) {
      out.error = error_ + " (at character " + std::to_string(error_at_) + " of the pattern)";
      return out;
    }
    out.pcre2 = std::move(body);
    out.case_insensitive_used = case_insensitive_used_;
    return out;
  }

 private:
  struct flags {
    bool i = false, m = false, s = false, x = false, swap_greed = false;
  };

  bool fail(std::string why) {
    if (error_.empty()) {
      error_ = std::move(why);
      error_at_ = pos_;
    }
    return false;
  }
  bool at_end() const { return pos_ >= cps_.size(); }
  char32_t peek(std::size_t ahead = 0) const { return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : 0; }
  bool onig() const { return dialect_ == regex_dialect::oniguruma; }

  // In x mode: whitespace and # comments between tokens are ignored.
  void skip_extended(const flags& f) {
    if (!f.x) return;
    while (!at_end()) {
      const char32_t c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // Word characters of the source engine, as the inside of a PCRE2 class.
  std::string word_items() const {
    return onig() ? "\\p{L}\\p{M}\\p{Nd}\\p{Pc}" : "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
  }
  std::string word_boundary(bool negated) const {
    const std::string w = "[" + word_items() + "]";
    if (negated) return "(?:(?<=" + w + ")(?=" + w + ")|(?<!" + w + ")(?!" + w + "))";
    return "(?:(?<=" + w + ")(?!" + w + ")|(?<!" + w + ")(?=" + w + "))";
  }

  // alternation := concat ('|' concat)*
  bool alternation(flags& f, std::string& out, bool top) {
    if (!concat(f, out)) return false;
    while (!at_end() && peek() == '|') {
      ++pos_;
      out += '|';
      if (!concat(f, out)) return false;
    }
    if (top && !at_end()) return fail("unmatched ')'");
    return true;
  }

  bool concat(flags& f, std::string& out) {
    while (true) {
      skip_extended(f);
      if (at_end() || peek() == '|' || peek() == ')') return true;
      std::string atom_text;
      bool repeatable = true;
      if (!atom(f, atom_text, repeatable)) return false;
      skip_extended(f);
      if (!quantifiers(f, atom_text, repeatable)) return false;
      out += atom_text;
      out += std::exchange(flag_switch_after_atom_, std::string());
    }
  }

  // Parses one quantifier (with its lazy/possessive suffix) after an atom, if any.
  bool quantifiers(flags& f, std::string& atom_text, bool repeatable) {
    if (at_end()) return true;
    std::string q;
    const char32_t c = peek();
    if (c == '*' || c == '+' || c == '?') {
      q.push_back(static_cast<char>(c));
      ++pos_;
    } else if (c == '{') {
      // {n}, {n,}, {n,m}, {,m}; anything else is a literal brace.
      std::size_t p = pos_ + 1;
      std::string lo, hi;
      bool comma = false;
      while (p < cps_.size() && cps_[p] >= '0' && cps_[p] <= '9') lo.push_back(static_cast<char>(cps_[p++]));
      if (p < cps_.size() && cps_[p] == ',') {
        comma = true;
        ++p;
        while (p < cps_.size() && cps_[p] >= '0' && cps_[p] <= '9') hi.push_back(static_cast<char>(cps_[p++]));
      }
      if (p >= cps_.size() || cps_[p] != '}' || (lo.empty() && hi.empty())) {
        if (!onig()) return fail("invalid counted repetition");
        return true;  // Ruby: a literal '{'
      }
      if (lo.empty()) lo = "0";
      if (lo.size() > 5 || hi.size() > 5 || std::stoul(lo) > 65535 || (!hi.empty() && std::stoul(hi) > 65535))
        return fail("counted repetition too large (at most 65535)");
      if (!hi.empty() && std::stoul(hi) < std::stoul(lo)) return fail("invalid counted repetition (min > max)");
      q = "{" + lo + (comma ? "," + hi : "") + "}";
      pos_ = p + 1;
    } else {
      return true;
    }
    if (!repeatable) return fail("repetition of something that cannot be repeated");
    bool lazy = false, possessive = false;
    if (!at_end() && peek() == '?') {
      lazy = true;
      ++pos_;
    } else if (!at_end() && peek() == '+') {
      possessive = true;
      ++pos_;
    }
    if (f.swap_greed) lazy = !lazy;
    if (possessive && lazy) {  // fancy-regex: under (?U) a possessive quantifier is an atomic lazy one
      atom_text = "(?>(?:" + atom_text + ")" + q + "?)";
    } else {
      atom_text = "(?:" + atom_text + ")" + q + (possessive ? "+" : lazy ? "?" : "");
    }
    skip_extended(f);
    if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' ||
                      (peek() == '{' && !onig())))
      return fail("repetition of a repetition");
    return true;
  }

  bool parse_flags(flags& f, bool& any_i_change, std::string& i_spec) {
    bool negate = false;
    while (!at_end() && peek() != ')' && peek() != ':') {
      const char32_t c = peek();
      ++pos_;
      if (c == '-') {
        if (negate) return fail("repeated '-' in flags");
        negate = true;
        continue;
      }
      const bool v = !negate;
      if (c == 'i') {
        f.i = v;
        any_i_change = true;
        i_spec = v ? "i" : "-i";
        if (v) case_insensitive_used_ = true;
      } else if (c == 'x') {
        f.x = v;
      } else if (c == 'm' && onig()) {
        f.s = v;  // Ruby: (?m) is dot-all
      } else if (c == 'm') {
        f.m = v;
      } else if (c == 's' && !onig()) {
        f.s = v;
      } else if (c == 'U' && !onig()) {
        f.swap_greed = v;
      } else if (c == 'u' && !onig()) {
        return fail("changing Unicode mode inline is not supported");
      } else if (c == 'R' && !onig()) {
        return fail("the CRLF flag R is not supported by the PCRE2 fallback");
      } else {
        return fail(std::string("unknown flag '") + static_cast<char>(c < 0x80 ? c : '?') + "'");
      }
    }
    if (at_end()) return fail("unclosed flag group");
    return true;
  }

  std::string group_name() {
    std::string name;
    while (!at_end() && peek() != '>' && peek() != '\'') append_utf8(name, cps_[pos_++]);
    return name;
  }

  bool atom(flags& f, std::string& out, bool& repeatable) {
    const char32_t c = cps_[pos_];
    switch (c) {
      case '(':
        return group(f, out, repeatable);
      case '[': {
        ++pos_;
        class_ptr cls;
        if (!class_body(f, cls)) return false;
        out = emit_class(*cls);
        return true;
      }
      case '.':
        ++pos_;
        out = f.s ? "(?s:.)" : "[^\\n]";
        return true;
      case '^':
        ++pos_;
        repeatable = false;
        out = (f.m || onig()) ? "(?:\\A|(?<=\\n))" : "\\A";
        return true;
      case '$':
        ++pos_;
        repeatable = false;
        out = (f.m || onig()) ? "(?=\\n|\\z)" : "\\z";
        return true;
      case '\\':
        ++pos_;
        return escape(f, out, repeatable);
      case '*':
      case '+':
      case '?':
        return fail("repetition operator without anything to repeat");
      case '{':
        if (!onig()) return fail("repetition operator without anything to repeat");
        [[fallthrough]];
      default:
        ++pos_;
        out = literal(c);
        return true;
    }
  }

  std::string literal(char32_t c) const {
    if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      if (c < 0x20 || c == 0x7F) return hex_escape(c);
      return std::string("\\") + static_cast<char>(c);
    }
    std::string s;
    append_utf8(s, c);
    return s;
  }

  bool group(flags& f, std::string& out, bool& repeatable) {
    ++pos_;  // '('
    std::string open = "(";
    flags inner = f;
    // fancy-regex keeps flags set inside a group for the rest of the enclosing one, except after
    // (?:...) and (?flags:...) groups, which restore them.
    bool keeps_flags = !onig();
    if (!at_end() && peek() == '?') {
      ++pos_;
      const char32_t k = peek();
      if (k == ':') {
        ++pos_;
        open = "(?:";
        keeps_flags = false;
      } else if (k == '=' || k == '!') {
        ++pos_;
        open = std::string("(?") + static_cast<char>(k);
        repeatable = onig();
      } else if (k == '>') {
        ++pos_;
        open = "(?>";
      } else if (k == '<' && (peek(1) == '=' || peek(1) == '!')) {
        open = std::string("(?<") + static_cast<char>(peek(1));
        pos_ += 2;
        repeatable = false;
      } else if (k == '<' || (k == 'P' && peek(1) == '<') || (k == '\'' && onig())) {
        pos_ += k == 'P' ? 2 : 1;
        const std::string name = group_name();
        if (at_end()) return fail("unclosed group name");
        ++pos_;
        open = "(?<" + name + ">";
      } else if (k == 'P' && peek(1) == '=') {
        pos_ += 2;
        std::string name;
        while (!at_end() && peek() != ')') append_utf8(name, cps_[pos_++]);
        if (at_end()) return fail("unclosed backreference");
        ++pos_;
        out = "\\k<" + name + ">";
        return true;
      } else if (k == '(') {
        // Conditional on a group: (?(1)...) or (?(<name>)...) / (?(name)...).
        ++pos_;
        std::string cond;
        while (!at_end() && peek() != ')') append_utf8(cond, cps_[pos_++]);
        if (at_end()) return fail("unclosed condition");
        ++pos_;
        if (!cond.empty() && cond.front() != '<' && !(cond[0] >= '0' && cond[0] <= '9')) cond = "<" + cond + ">";
        open = "(?(" + cond + ")";
      } else {
        bool any_i = false;
        std::string i_spec;
        flags changed = f;
        if (!parse_flags(changed, any_i, i_spec)) return false;
        if (peek() == ')') {  // (?flags): applies to the rest of the enclosing group
          ++pos_;
          f = changed;
          repeatable = false;
          out = any_i ? "(?" + i_spec + ")" : "";
          return true;
        }
        ++pos_;  // ':'
        inner = changed;
        keeps_flags = false;
        open = any_i ? "(?" + i_spec + ":" : "(?:";
      }
    }
    std::string body;
    if (!alternation(inner, body, false)) return false;
    if (at_end() || peek() != ')') return fail("unclosed group");
    ++pos_;
    out = open + body + ")";
    if (keeps_flags) {
      // After the group's quantifier, not inside the group that carries it.
      if (inner.i != f.i) flag_switch_after_atom_ = inner.i ? "(?i)" : "(?-i)";
      f = inner;
    }
    return true;
  }

  bool hex_digits(std::size_t min, std::size_t max, char32_t& value) {
    std::size_t n = 0;
    value = 0;
    while (n < max && !at_end()) {
      const char32_t d = peek();
      int v = d >= '0' && d <= '9' ? int(d - '0') : d >= 'a' && d <= 'f' ? int(d - 'a' + 10)
                                                  : d >= 'A' && d <= 'F' ? int(d - 'A' + 10) : -1;
      if (v < 0) break;
      value = value * 16 + char32_t(v);
      ++pos_;
      ++n;
      if (value > 0x10FFFF) return fail("escape beyond U+10FFFF");
    }
    if (n < min) return fail("invalid hexadecimal escape");
    return true;
  }

  // \x.., \u.., \U.. (after the letter): the code point.
  bool hex_escape_value(char32_t letter, char32_t& cp) {
    if (!at_end() && peek() == '{') {
      ++pos_;
      if (!hex_digits(1, 8, cp)) return false;
      if (at_end() || peek() != '}') return fail("unclosed \\x{...} escape");
      ++pos_;
    } else {
      const std::size_t digits = letter == 'x' ? 2 : letter == 'u' ? 4 : 8;
      if (!hex_digits(digits, digits, cp)) return false;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) return fail("escape of a surrogate code point");
    return true;
  }

  // \p{..} / \pL after the 'p' or 'P': a PCRE2 property item (\p{..} or \P{..}).
  // Under a case-insensitive flag a negated property may come back as the items of the class it
  // negates, with `negate_items` set (the caller puts them in a negated class).
  bool property(bool negated, const flags& f, std::string& item, bool& negate_items) {
    std::string name;
    if (!at_end() && peek() == '{') {
      ++pos_;
      while (!at_end() && peek() != '}') append_utf8(name, cps_[pos_++]);
      if (at_end()) return fail("unclosed \\p{...}");
      ++pos_;
    } else if (!at_end()) {
      append_utf8(name, cps_[pos_++]);
    } else {
      return fail("incomplete \\p escape");
    }
    if (!name.empty() && name[0] == '^') {  // \p{^Greek}
      negated = !negated;
      name.erase(0, 1);
    }
    std::string pcre;
    const std::size_t eq = name.find_first_of("=:");
    if (eq != std::string::npos) {
      const std::string key = loose(name.substr(0, eq)), value = name.substr(eq + 1);
      if (key == "gc" || key == "generalcategory") {
        auto gc = general_category(loose(value));
        if (!gc) return fail("unknown general category '" + value + "'");
        pcre = *gc;
      } else if (key == "sc" || key == "script" || key == "scx" || key == "scriptextensions") {
        pcre = (key == "sc" || key == "script" ? "sc:" : "scx:") + value;
      } else {
        return fail("unsupported property \\p{" + name + "}");
      }
    } else if (auto gc = general_category(loose(name))) {
      pcre = *gc;
    } else if (loose(name) == "any") {
      pcre = "Any";
    } else if (loose(name) == "assigned") {
      pcre = "Cn";
      negated = !negated;
    } else if (binary_property(loose(name))) {
      pcre = name;  // PCRE2 matches these names loosely too
    } else {
      pcre = "sc:" + name;  // Rust and Oniguruma read a bare script name as Script (PCRE2: Script_Extensions)
    }
    item = "\\p{" + pcre + "}";
    if (f.i) {
      // Rust folds the class, then negates it; PCRE2 ignores the flag for \p, so the code points
      // whose case orbit meets the class are added here (PCRE2 folds those literals itself).
      std::string extra;
      if (!case_closure_extras(item, extra)) return fail("\\p{" + name + "} is not a property PCRE2 knows");
      if (!extra.empty()) {
        item += extra;
        negate_items = negated;
        return true;
      }
    }
    if (negated) item = "\\P{" + pcre + "}";
    return true;
  }

  // The code points outside the PCRE2 class item `item` whose simple case orbit (case_orbits.inc)
  // meets it, as class items. False if PCRE2 cannot compile the item.
  static bool case_closure_extras(const std::string& item, std::string& extra) {
    const std::string pattern = "[" + item + "]";
    int code_error = 0;
    PCRE2_SIZE error_at = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &code_error, &error_at, nullptr);
    if (!code) return false;
    pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
    const auto member = [&](char32_t c) {
      std::string u;
      append_utf8(u, c);
      return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(u.data()), u.size(), 0, 0, md, nullptr) >= 0;
    };
    const std::size_t n = sizeof(case_orbits) / sizeof(case_orbits[0]);
    for (std::size_t start = 0; start < n;) {
      std::size_t end = start;
      bool any_in = false;
      while (case_orbits[end] != 0) any_in = member(case_orbits[end++]) || any_in;
      if (any_in)
        for (std::size_t k = start; k < end; ++k)
          if (!member(case_orbits[k])) extra += hex_escape(case_orbits[k]);
      start = end + 1;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return true;
  }

  // Escapes that stand for a class. Sets `items` (inside of a PCRE2 class) or `cls` (a class node
  // that does not fit in one PCRE2 class). Returns false with no error when `c` is not one.
  bool class_escape(char32_t c, const flags& f, std::string& items, bool& handled, bool& negated_word) {
    handled = true;
    negated_word = false;
    switch (c) {
      case 'd': items = "\\p{Nd}"; return true;
      case 'D': items = "\\P{Nd}"; return true;
      case 's': items = "\\p{White_Space}"; return true;
      case 'S': items = "\\P{White_Space}"; return true;
      case 'w': items = word_items(); return true;
      case 'W': items = word_items(); negated_word = true; return true;
      case 'h': items = "0-9A-Fa-f"; return true;
      case 'H': items = "\\x{0}-/:-@G-`g-\\x{10ffff}"; return true;
      case 'p':
      case 'P': {
        ++pos_;
        const bool ok = property(c == 'P', f, items, negated_word);
        --pos_;  // the caller advances past the letter
        return ok;
      }
      default: handled = false; return true;
    }
  }

  // A single-character escape: the code point, or false with no error if it is not one.
  bool char_escape(char32_t c, char32_t& cp, bool& handled) {
    handled = true;
    switch (c) {
      case 'n': cp = '\n'; return true;
      case 't': cp = '\t'; return true;
      case 'r': cp = '\r'; return true;
      case 'f': cp = '\f'; return true;
      case 'v': cp = '\v'; return true;
      case 'a': cp = 0x07; return true;
      case 'e': cp = 0x1B; return true;
      case 'x':
      case 'u':
      case 'U': ++pos_; if (!hex_escape_value(c, cp)) return false; --pos_; return true;
      default:
        if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
          cp = c;  // an escaped punctuation character is itself
          return true;
        }
        handled = false;
        return true;
    }
  }

  bool escape(flags& f, std::string& out, bool& repeatable) {
    if (at_end()) return fail("pattern ends with a backslash");
    const char32_t c = cps_[pos_];
    std::string items;
    bool handled = false, negated_word = false;
    if (!class_escape(c, f, items, handled, negated_word)) return false;
    if (handled) {
      ++pos_;
      out = (negated_word ? "[^" : "[") + items + "]";
      return true;
    }
    char32_t cp = 0;
    if (!char_escape(c, cp, handled)) return false;
    if (handled) {
      ++pos_;
      out = literal(cp);
      return true;
    }
    ++pos_;
    repeatable = false;
    switch (c) {
      case 'A': out = "\\A"; return true;
      case 'z': out = "\\z"; return true;
      case 'Z': out = "\\Z"; return true;
      case 'G': out = "\\G"; return true;
      case 'K': out = "\\K"; return true;
      case 'b':
        if (!at_end() && peek() == '{') return fail("\\b{...} is not supported by the PCRE2 fallback");
        out = word_boundary(false);
        return true;
      case 'B': out = word_boundary(true); return true;
      case '<':
      case '>': {
        if (onig()) return fail("\\< and \\> are not supported");
        const std::string w = "[" + word_items() + "]";
        out = c == '<' ? "(?:(?<!" + w + ")(?=" + w + "))" : "(?:(?<=" + w + ")(?!" + w + "))";
        return true;
      }
      case 'R': repeatable = true; out = "(?>\\r\\n|[\\n\\x{b}\\f\\r\\x{85}\\x{2028}\\x{2029}])"; return true;
      case 'O':
        if (onig()) break;
        repeatable = true;
        out = "(?s:.)";
        return true;
      case 'k': {
        repeatable = true;
        if (at_end() || (peek() != '<' && peek() != '{')) return fail("invalid \\k backreference");
        const char32_t close = peek() == '<' ? '>' : '}';
        ++pos_;
        std::string name;
        while (!at_end() && peek() != close) append_utf8(name, cps_[pos_++]);
        if (at_end()) return fail("unclosed \\k backreference");
        ++pos_;
        out = "\\k<" + name + ">";
        return true;
      }
      default:
        if (c >= '1' && c <= '9') {
          repeatable = true;
          std::string digits(1, static_cast<char>(c));
          while (!at_end() && peek() >= '0' && peek() <= '9') digits.push_back(static_cast<char>(cps_[pos_++]));
          out = "(?:\\g{" + digits + "})";
          return true;
        }
        break;
    }
    --pos_;
    return fail(std::string("unsupported escape \\") + static_cast<char>(c < 0x80 ? c : '?'));
  }

  // POSIX class [:name:] (ASCII in Rust); returns the items of a PCRE2 class.
  bool posix_class(std::string& items, bool& negated) {
    // pos_ at '[' of "[:"
    std::size_t p = pos_ + 2;
    negated = false;
    if (p < cps_.size() && cps_[p] == '^') {
      negated = true;
      ++p;
    }
    std::string name;
    while (p < cps_.size() && cps_[p] >= 'a' && cps_[p] <= 'z') name.push_back(static_cast<char>(cps_[p++]));
    if (p + 1 >= cps_.size() || cps_[p] != ':' || cps_[p + 1] != ']') return false;
    static constexpr std::pair<std::string_view, std::string_view> ascii[] = {
        {"alnum", "0-9A-Za-z"}, {"alpha", "A-Za-z"}, {"ascii", "\\x{0}-\\x{7f}"}, {"blank", "\\t "},
        {"cntrl", "\\x{0}-\\x{1f}\\x{7f}"}, {"digit", "0-9"}, {"graph", "!-~"}, {"lower", "a-z"},
        {"print", " -~"}, {"punct", "!-/:-@\\[-`{-~"}, {"space", "\\t\\n\\x{b}\\f\\r "}, {"upper", "A-Z"},
        {"word", "0-9A-Za-z_"}, {"xdigit", "0-9A-Fa-f"}};
    for (const auto& [n, v] : ascii)
      if (n == name) {
        items = v;
        pos_ = p + 2;
        return true;
      }
    return false;
  }

  // class_body: after '[' up to and including ']'.
  bool class_body(const flags& f, class_ptr& result) {
    bool negated = false;
    if (!at_end() && peek() == '^') {
      negated = true;
      ++pos_;
    }
    class_ptr acc;  // the expression so far
    class_node::kind_t pending_op = class_node::unite;
    bool have_op = false;
    std::string items;                 // the current union of simple items
    std::vector<class_ptr> extra;      // union members that are not simple items
    bool first = true;
    const auto flush_union = [&]() -> class_ptr {
      class_ptr u;
      if (extra.empty()) {
        u = make_items(items);
      } else {
        u = std::make_unique<class_node>();
        u->kind = class_node::unite;
        if (!items.empty()) u->kids.push_back(make_items(items));
        for (auto& e : extra) u->kids.push_back(std::move(e));
      }
      items.clear();
      extra.clear();
      return u;
    };
    const auto combine = [&]() {
      class_ptr u = flush_union();
      if (!have_op) {
        acc = std::move(u);
      } else {
        acc = make_node(pending_op, std::move(acc), std::move(u));
      }
    };
    while (true) {
      if (at_end()) return fail("unclosed character class");
      const char32_t c = peek();
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      // Set operators.
      if ((c == '&' && peek(1) == '&') || (!onig() && c == '-' && peek(1) == '-') ||
          (!onig() && c == '~' && peek(1) == '~')) {
        // Under (?i) each operand becomes a PCRE2 class matched caselessly, i.e. folded, as Rust
        // folds both operands before the operation.
        combine();
        have_op = true;
        pending_op = c == '&' ? class_node::intersect : c == '-' ? class_node::subtract : class_node::sym_diff;
        pos_ += 2;
        first = false;
        continue;
      }
      if (c == '[') {
        std::string posix;
        bool posix_neg = false;
        if (peek(1) == ':' && !onig() && posix_class(posix, posix_neg)) {
          if (posix_neg) {
            extra.push_back(make_node(class_node::negate, make_items(posix)));
          } else {
            items += posix;
          }
          first = false;
          continue;
        }
        if (peek(1) == ':' && onig()) return fail("POSIX bracket classes are not supported for Oniguruma patterns");
        ++pos_;
        class_ptr nested;
        if (!class_body(f, nested)) return false;
        extra.push_back(std::move(nested));
        first = false;
        continue;
      }
      // One item: a class escape, or a character possibly starting a range.
      char32_t lo = 0;
      if (c == '\\') {
        ++pos_;
        if (at_end()) return fail("unclosed character class");
        const char32_t e = peek();
        std::string esc_items;
        bool handled = false, negated_word = false;
        if (!class_escape(e, f, esc_items, handled, negated_word)) return false;
        if (handled) {
          ++pos_;
          if (negated_word) {
            extra.push_back(make_node(class_node::negate, make_items(esc_items)));
          } else {
            items += esc_items;
          }
          first = false;
          continue;
        }
        if (!char_escape(e, lo, handled)) return false;
        if (!handled) return fail(std::string("unsupported escape in a class \\") + static_cast<char>(e < 0x80 ? e : '?'));
        ++pos_;
      } else {
        lo = c;
        ++pos_;
      }
      first = false;
      char32_t hi = lo;
      if (!at_end() && peek() == '-' && peek(1) != ']' && peek(1) != 0 && !(peek(1) == '-' && !onig())) {
        ++pos_;
        const char32_t h = peek();
        if (h == '[') return fail("invalid class range");
        if (h == '\\') {
          ++pos_;
          bool handled = false;
          if (at_end() || !char_escape(peek(), hi, handled)) return fail("invalid class range");
          if (!handled) return fail("invalid class range end");
          ++pos_;
        } else {
          hi = h;
          ++pos_;
        }
        if (hi < lo) return fail("invalid class range (end before start)");
      }
      items += class_char(lo);
      if (hi != lo) items += "-" + class_char(hi);
    }
    if (!have_op) {
      acc = flush_union();
    } else {
      combine();
    }
    result = negated ? make_node(class_node::negate, std::move(acc)) : std::move(acc);
    return true;
  }

  static std::string class_char(char32_t c) {
    if (c < 0x80 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return std::string(1, static_cast<char>(c));
    }
    return hex_escape(c);
  }

  regex_dialect dialect_;
  std::vector<char32_t> cps_;
  bool bad_utf8_ = false;
  std::size_t pos_ = 0;
  std::string error_;
  std::size_t error_at_ = 0;
  bool case_insensitive_used_ = false;
  std::string flag_switch_after_atom_;  // a case flag a group leaves on for the rest of the enclosing one
};

}  // namespace regex_translation

// The PCRE2 spelling of `pattern`, or an error naming what cannot be translated.
inline translated_pattern translate_to_pcre2(std::string_view pattern, regex_dialect dialect) {
  return regex_translation::translator(pattern, dialect).run();
}

}  // namespace tokenmaxx::token_detail
